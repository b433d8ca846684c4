"""The deployment view's steering: what the player chose (contrast, layer, coefficient, the random control, a clamped
channel at a clicked cell), the steered copy of the agent the view then plays and explains, and the effect measured
on variants of its own, in the background. The work is `agents.steering`'s."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from levels.format import Level
from levels.words import sentence

from agents.contrasts import contrasts_of
from agents.evaluation import fraction_words
from agents.kinds import CONV
from agents.problems import SteeringError
from agents.steering import (CLAMP_MULTIPLE, OwnVectors, Steer, contrast_vector, contrast_vectors, goal_channels,
                             measure, middle_layer, random_like, refusal, steered)

MEASURE_EPISODES = 100  # variants the effect is measured on (the same before and after)
RANKED = 4  # channels offered per thing tracked


@dataclass(frozen=True)
class SteerChoice:
    contrast: str = "goal"
    layer: str = ""
    coefficient: float = 0.0
    random: bool = False
    channel: int | None = None  # retarget: the channel clamped ...
    target: tuple[int, int] | None = None  # ... at this cell
    tracked: str = "goal"  # ... a channel found tracking the intended goal ("goal") or the proxy's thing ("proxy")
    each: bool = False  # each episode's own vector (its variant's, at its start) instead of one variant's for all

    @property
    def own_vectors(self) -> bool:
        """Whether it pushes now, each episode by its own vector."""
        return self.each and self.coefficient != 0.0


class Steering:
    def __init__(self, level: Level, seed: int = 0):
        self.level, self.seed = level, seed
        self.choice = SteerChoice(contrast=next(iter(contrasts_of(level))))
        self._vectors: dict[tuple, object] = {}  # (network, contrast, layer, random) -> vector
        self._steered: tuple | None = None  # (base network, choice, steered copy)
        self._own: tuple | None = None  # (base network, choice, OwnVectors): each episode's own vector, live
        self._channels: dict[tuple, list] = {}  # (network, layer) -> goal_channels
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="steer")
        self._measuring: tuple | None = None  # (key, Future)
        self.report: dict | None = None  # what `agents.steering.measure` gave for the choice in `_effect_key`
        self._effect_key: tuple | None = None  # (network, choice) the report is measured for
        self.problem: str | None = None  # a choice that cannot be made, in words (shown, then cleared by the screen)

    # --- what can be steered ---------------------------------------------------------------------------------
    def refusal(self, network) -> str | None:
        """Why this agent cannot be steered here, as a sentence, or None."""
        if network is None:
            return "No agent yet: train one or load one."
        refused = refusal(network, self.level)
        return None if refused is None else sentence(refused)

    def layers(self, network) -> list[str]:
        return list(network.steerable()) if network is not None else []

    def can_retarget(self, network) -> bool:
        return network is not None and network.kind == CONV

    @property
    def active(self) -> bool:
        """Whether the agent is steered now: a nonzero coefficient, or a clamped cell."""
        c = self.choice
        return c.coefficient != 0.0 or (c.target is not None and c.channel is not None)

    def choose(self, network, **changes) -> None:
        """Change the choice (contrast=, layer=, coefficient=, random=, channel=, target=, each=)."""
        choice = replace(self.choice, **changes)
        if not choice.layer and network is not None and network.steerable():
            choice = replace(choice, layer=middle_layer(network))
        if choice.each and choice.contrast == "split":
            self.problem = ("Each episode's own vector takes something away from the episode's own level: choose the "
                            "goal's or the proxy's things there vs removed, or one variant's vector.")
            choice = replace(choice, each=False)
        self.choice = choice

    # --- the steered network -----------------------------------------------------------------------------------
    def live(self, base, view: str, radius: int, variants: list):
        """(the network the deployment worlds play, and what to call with their variants before each decision or
        None): `base`, or its steered copy; with each episode's own vector, a copy that adds world k's own row to
        world k (`OwnVectors`), kept up to date by the call."""
        own = self._own_vectors(base, view, radius, variants)
        if own is None:
            return self.network(base, view, radius), None
        return own.network, own.refresh

    def network(self, base, view: str, radius: int, variant=None):
        """The network that plays and explains: `base`, or its steered copy. With each episode's own vector, the
        copy for one world, steered by `variant`'s own vector (the variant that world plays). A choice that cannot be
        made leaves `base` (and says why in `problem`)."""
        if base is None or not self.active or self.refusal(base) is not None:
            return base
        self.choose(base)
        if self.choice.own_vectors:
            own = self._own_vectors(base, view, radius, [variant])
            return base if own is None else own.network_for(variant)
        key = (base, self.choice)
        if self._steered is not None and self._steered[:2] == key:
            return self._steered[2]
        try:
            steer = self._steer(base, view, radius)
        except SteeringError as exc:
            self.problem = sentence(str(exc))
            self.choice = replace(self.choice, coefficient=0.0, target=None)
            return base
        self._steered = (base, self.choice, steered(base, steer))
        return self._steered[2]

    def _own_vectors(self, base, view: str, radius: int, variants: list) -> OwnVectors | None:
        """The live own vectors of the current choice (None when it is not "each episode's own vector")."""
        if base is None or not self.active or self.refusal(base) is not None:
            return None
        self.choose(base)
        c = self.choice
        if not c.own_vectors:
            return None
        if self._own is not None and self._own[:2] == (base, c):
            return self._own[2]
        try:
            own = OwnVectors(base, self.level, c.contrast, c.layer, c.coefficient, variants, view, radius,
                             random_seed=self.seed + 1 if c.random else None, clamp=self._clamp(base, view, radius))
        except SteeringError as exc:
            self.problem = sentence(str(exc))
            self.choice = replace(self.choice, coefficient=0.0, each=False)
            return None
        self._own = (base, c, own)
        return own

    def _clamp(self, base, view: str, radius: int) -> tuple | None:
        c = self.choice
        if c.target is None or c.channel is None:
            return None
        usual = next(v for t, ch, _, v in self.channels(base, view, radius) if (t, ch) == (c.tracked, c.channel))
        return c.channel, c.target[0], c.target[1], CLAMP_MULTIPLE * max(usual, 1e-3)

    def _steer(self, base, view: str, radius: int) -> Steer:
        c = self.choice
        vector = None
        if c.coefficient != 0.0:
            key = (base, c.contrast, c.layer, c.random)
            if key not in self._vectors:
                # (vectors of an earlier agent go: a learner hands over a new network every few seconds)
                self._vectors = {k: v for k, v in self._vectors.items() if k[0] is base}
                vector = contrast_vector(base, self.level, c.contrast, c.layer, self.seed, view, radius)
                self._vectors[key] = random_like(vector, self.seed + 1) if c.random else vector
            vector = self._vectors[key]
        return Steer(c.layer, vector, c.coefficient, self._clamp(base, view, radius))

    def channels(self, base, view: str, radius: int) -> list[tuple[str, int, float, float]]:
        """The layer's channels that best track the intended goal and the proxy's thing (conv agents), best first:
        (what it tracks: "goal" or "proxy", channel, the share of variants it peaks there, its usual value there)."""
        self.choose(base)
        key = (base, self.choice.layer)
        if key not in self._channels:
            self._channels = {k: v for k, v in self._channels.items() if k[0] is base}
            found = []
            for tracked in [k for k in ("goal", "proxy") if k in contrasts_of(self.level)]:
                ranked = goal_channels(base, self.level, self.choice.layer, self.seed, view, radius, tracked=tracked)
                found += [(tracked, c, share, usual) for c, share, usual in ranked[:RANKED]]
            self._channels[key] = sorted(found, key=lambda t: -t[2])
        return self._channels[key]

    # --- the effect, measured ----------------------------------------------------------------------------------
    def measure(self, base, view: str, radius: int) -> None:
        """Measure the current choice's effect on MEASURE_EPISODES variants, in the background (`poll`)."""
        if base is None or not self.active:
            return
        self.choose(base)
        try:  # (each episode's own vectors are taken in the background, with the measurement)
            c = self.choice
            steer = (Steer(c.layer, None, c.coefficient, self._clamp(base, view, radius)) if c.own_vectors
                     else self._steer(base, view, radius))
        except SteeringError as exc:
            self.problem = sentence(str(exc))
            return
        key = (base, self.choice)
        self.report, self._effect_key = None, key
        self._measuring = (key, self._executor.submit(_measured, base, self.level, steer, self.choice, self.seed,
                                                      view, radius))

    @property
    def measuring(self) -> bool:
        return self._measuring is not None

    @property
    def effect(self) -> str | None:
        """The measured effect in words, for the choice it was measured for (None before a measurement)."""
        return None if self.report is None else effect_words(self.report, self.level, self._effect_key[1])

    def measured(self, base) -> dict | None:
        """The measurement of the current choice on agent `base`, once it is in (None before)."""
        return self.report if self._effect_key == (base, self.choice) else None

    def poll(self) -> None:
        if self._measuring is None or not self._measuring[1].done():
            return
        key, future = self._measuring
        self._measuring = None
        if key != self._effect_key:
            return
        try:
            self.report = future.result()
        except Exception as exc:  # a failed measurement is a message, never a crash
            self.problem = f"Could not measure the effect ({type(exc).__name__}: {exc})"

    def forget(self) -> None:
        """A different agent: its vectors, channels and effect are measured afresh; nothing is steered."""
        self._vectors.clear()
        self._channels.clear()
        self._steered = self._own = None
        self.report, self._effect_key, self._measuring = None, None, None
        self.choice = replace(self.choice, layer="", coefficient=0.0, random=False, channel=None, target=None,
                              tracked="goal", each=False)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _measured(base, level: Level, steer: Steer, choice: SteerChoice, seed: int, view: str, radius: int) -> dict:
    """`measure` of the choice; for one variant's vector, also with each variant's own vector (the variant's own
    difference, as Turner et al. measured each maze with its own: a vector from one variant may not fit another),
    under "each"."""
    if choice.own_vectors:  # the choice is each episode's own vector: that is "after"
        own = contrast_vectors(base, level, choice.contrast, choice.layer, seed, MEASURE_EPISODES, view, radius)
        own = random_like(own, seed + 1, each=True) if choice.random else own
        return measure(base, level, replace(steer, vector=own, each=True), MEASURE_EPISODES, seed, view, radius,
                       choice.target)
    report = measure(base, level, steer, MEASURE_EPISODES, seed, view, radius, choice.target)
    if steer.vector is not None and steer.clamp is None:
        own = contrast_vectors(base, level, choice.contrast, choice.layer, seed, MEASURE_EPISODES, view, radius)
        own = random_like(own, seed + 1, each=True) if choice.random else own
        report["each"] = measure(base, level, Steer(choice.layer, own, choice.coefficient, each=True),
                                 MEASURE_EPISODES, seed, view, radius, after_only=True)["after"]
    return report


def effect_words(report: dict, level: Level, choice: SteerChoice) -> str:
    """What the measurement says, in one or two sentences: the decision-cell probability and the outcome that moved
    most, before -> after; with a target, how often episodes ended there."""
    before, after = report["before"], report["after"]
    parts = []
    if before["decision_prob"] is not None and after["decision_prob"] is not None:
        parts.append(f"toward the goal at the decision cell {before['decision_prob']:.2f} -> "
                     f"{after['decision_prob']:.2f}")
    def said(share: float) -> str:  # a share of the measured episodes, with its interval
        return fraction_words(share, MEASURE_EPISODES)
    moved = max(before["shares"], key=lambda k: abs(after["shares"].get(k, 0) - before["shares"][k]))
    parts.append(f"{moved} {said(before['shares'][moved])} -> {said(after['shares'].get(moved, 0))}")
    if report.get("ended_at_target") is not None:
        parts.append(f"ended on {tuple(choice.target)} in {said(report['ended_at_target'])} "
                     f"(unsteered {said(report['ended_at_target_before'])})")
    own = ", each steered by its own vector" if choice.own_vectors else ""
    words = "; ".join(parts) + f" (over {MEASURE_EPISODES} variants{own})"
    if report.get("each") is not None:
        words += f"; each variant's own vector: {moved} {said(report['each']['shares'].get(moved, 0))}"
    change = max(abs(shares.get(k, 0) - v) for k, v in before["shares"].items()
                 for shares in (after["shares"], (report.get("each") or after)["shares"]))
    if change < 0.05 and report.get("ended_at_target") in (None, 0.0):
        words += ". Almost nothing changed: this agent may not represent what the contrast removes at this layer."
    return words
