"""The training and deployment views of one level, without the screen: the learner, the live episodes of each
split, the deployment tally, background evaluation, agent files, and the words the side panel shows.

`LabScene` draws this and forwards clicks and keys to it; tests drive it headless.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from levels.files import output_problem
from levels.format import Level, LevelError, level_to_dict, parse_level
from levels.warnings import level_warnings
from levels.words import sentence

from agents.agent_file import AgentFile, load_agent, save_agent
from agents.evaluation import (ConditionCount, OutcomeTally, Stopped, condition_line, count_by_condition,
                               margin_points)
from agents.inspection import Inspection
from agents.inspection_order import declared_as
from agents.kinds import EVOLUTION, GRADIENT_DESCENT, PLANNER
from agents.objectives import proposal
from agents.worker import TrainingProcess
from agents.policy import PolicySnapshot
from agents.problems import AgentFileError
from agents.training import StopReason, TrainingSettings
from game.session.evaluating import BackgroundEvaluation
from game.session.training import TrainingHandle
from game.session.live import LiveEpisodes
from game.session.verdict import describe_rules, verdict
from game.session.steering import Steering
from game.session.what_if import WhatIf

SPLITS = ("training", "deployment")
AGENT_WORDS = {"reactive": "a reactive network", "conv": "a convolutional network (its layers are maps of the level)",
               "planner": "a planner (its reward map is shown)"}
OPTIMIZER_WORDS = {GRADIENT_DESCENT: "gradient descent (PPO)", EVOLUTION: "evolution (a population of mutants, selected)"}
LEARNER_STATES = {"starting": "starting (loading, a few seconds)", "ready": "ready", "idle": "ready"}


def _share(value: float | None, episodes: int) -> str:
    """A training success measured on `episodes` episodes, with how far off it may be ("92% (±4%)")."""
    if value is None:
        return "measuring..."
    return f"{value:.0%} (±{margin_points([round(value * episodes)], episodes)}%)"


class LabSession:
    def __init__(self, level: Level, source: str | None = None, settings: TrainingSettings = TrainingSettings(),
                 target: float = 0.95, worker_class=TrainingProcess, prepare: bool = True):
        self.level, self.source, self.target = level, source, target
        self.split = "training"
        self.training = TrainingHandle(level, settings, target, worker_class=worker_class)
        if prepare:  # loading torch takes seconds: do it while the player looks at the level (not in a kiosk)
            self.training.prepare()
        self.tally = OutcomeTally()  # deployment episodes of the current agent: watched and evaluated
        self.conditions: dict[str, ConditionCount] = {}  # the same, by who was present (`condition_of`)
        self.live = self._live_episodes(settings)
        self.notices: list[tuple[str, str]] = []  # (title, text) for the screen to show, then clear
        self.warnings = level_warnings(level)
        if self.warnings:
            self.notices.append(("Check the level before training", "\n\n".join(self.warnings) + "\n\nAs it is, "
                                 "training may not teach what you meant (a goal out of reach runs it to its time "
                                 "budget). Fix the level in the editor (Edit)."))
        self.status_override: str | None = None
        self.agent_saved = True  # False while the agent on screen exists only in memory
        self.evaluation = BackgroundEvaluation()
        self.inspection: Inspection | None = None  # what the current agent acts as if it wants, once evaluated
        self.filmed: list = []  # the first few of those evaluated episodes, recorded (`Trajectory`) to be filmed
        self.evaluated = False  # an evaluation of the current agent is in (since the outcomes were last forgotten)
        self.changed = 0  # counts changes the side panel must redraw (tally, agent, evaluation)
        self.paused = False  # the live episodes stand still (the player is moving things around)
        # Before a prediction (a lesson, or Predict first): the deployment worlds stand at their first frame and
        # nothing measured at deployment exists, so nothing on screen can answer first. See `seal`.
        self.sealed = False
        self._seals = 0
        self.deployment_shown = 0  # deployment episodes played on screen, in part or whole (a lesson's trace)
        self.what_if = WhatIf()
        self.steering = Steering(level)  # the deployment view's Steer panel: a steered copy of the agent
        self.added_proxies: list[tuple[dict, dict]] = []  # proxies added here, not yet written into the level file

    @property
    def settings(self) -> TrainingSettings:
        """How the agent on screen was made, and the next one will be."""
        return self.training.settings

    @property
    def network(self):
        return self.training.network

    def shown_network(self, i: int):
        """The network that explains world `i` of the split shown: the agent, or in the deployment view its steered
        copy (Steer panel; with each episode's own vector, the one of the variant world `i` plays)."""
        if self.split != "deployment":
            return self.network
        return self.steering.network(self.network, self.settings.agent.view, self.settings.agent.radius,
                                     self.live["deployment"].env.batch.variants[i])

    def steer(self, **changes) -> None:
        """Change the steering (`Steering.choose`); the deployment episodes then play the steered agent, and none of
        its episodes is counted."""
        self.steering.choose(self.network, **changes)
        self._use_network()

    @property
    def snapshot(self) -> PolicySnapshot | None:
        return self.training.snapshot

    @property
    def status(self) -> str:
        if self.status_override:
            return self.status_override
        finished = self.training.finished
        if self.split == "training" and finished is not None and finished.reason == StopReason.TARGET:
            return self.training.status + " Now press Deployment (Tab)."
        if self.split == "deployment" and self.network is not None and self.training.state != "running":
            return "Same agent, new variants: which goal does it pursue?"
        return self.training.status

    def _live_episodes(self, settings: TrainingSettings) -> dict[str, LiveEpisodes]:
        # The live worlds must build the observations the agent reads: its view and radius.
        agent = settings.agent
        return {split: LiveEpisodes(self.level, split, 4, seed=k, view=agent.view, radius=agent.radius)
                for k, split in enumerate(SPLITS)}

    def forget_outcomes(self) -> None:
        """A different agent is about to be watched (or a lesson starts again): the deployment counts, the heatmap
        and what it acts as if it wants are measured afresh."""
        self.tally.clear()
        self.conditions.clear()
        steered = self.steering.active
        self.steering.forget()
        if steered:  # the deployment worlds play the agent itself again
            self._use_network()
        self.inspection = None
        self.filmed = []
        self.evaluated = False
        self.live["deployment"].reset_counts()
        self.evaluation.drop()  # measuring the agent as it was: its result would count for this one
        self.changed += 1

    def seal(self) -> None:
        """Before a prediction: what was measured at deployment is forgotten, the deployment worlds start again on
        fresh variants and stand at their first frame, and nothing at deployment plays or is measured until
        `unseal`. The reveal then counts only episodes played after the prediction."""
        self.forget_outcomes()
        self._seals += 1
        self.live["deployment"].restart(seed=1000 + self._seals)
        self.sealed = True
        self.status_override = None

    def unseal(self) -> None:
        """The prediction is made: the deployment worlds play from their first frame, and are counted."""
        self.sealed = False
        self.changed += 1

    # --- commands ------------------------------------------------------------------------------------------
    def toggle_training(self) -> None:
        self.status_override = None
        if self.training.toggle():
            self.forget_outcomes()
            self.agent_saved = False

    def stop_training(self) -> None:
        self.status_override = None
        self.training.stop()

    def toggle_pause(self) -> None:
        self.paused = not self.paused

    def move(self, i: int, thing: int, cell) -> str | None:
        """Move something in live world `i` of the split on screen (pausing it); the reason if it cannot go there."""
        if self.sealed and self.split == "deployment":
            return "Predict first: the worlds stay as they start until then."
        self.paused = True
        return self.live[self.split].move(i, thing, cell)

    @property
    def agent_kind(self) -> str:
        return self.settings.agent.kind

    @property
    def reward_map(self) -> bool:
        """Whether the kind of agent trained here has a reward map to show (the planner: R shows it)."""
        return self.settings.agent.kind == PLANNER

    @property
    def optimizer(self) -> str:
        return self.settings.optimizer

    def set_agent(self, kind: str) -> str | None:
        """Train an agent of `kind` (AGENT_KINDS) from now on (the agent on screen goes); the reason if this level
        cannot have that kind."""
        if kind == self.settings.agent.kind:
            return None
        return self._reconfigure(self.settings.with_agent(kind), f"Press Train to train {AGENT_WORDS[kind]}.")

    def set_optimizer(self, optimizer: str) -> str | None:
        """Train with gradient descent (PPO) or evolution from now on (the agent on screen goes)."""
        if optimizer == self.settings.optimizer:
            return None
        return self._reconfigure(replace(self.settings, optimizer=optimizer),
                                 f"Press Train: {OPTIMIZER_WORDS[optimizer]} trains the next agent.")

    def _reconfigure(self, settings: TrainingSettings, status: str) -> str | None:
        try:
            settings.check(self.level)
        except ValueError as exc:
            return sentence(str(exc))
        self.training.reconfigure(settings, status)
        self.live = self._live_episodes(settings)
        self.forget_outcomes()
        self.agent_saved = True
        self.status_override = None
        return None

    def set_split(self, split: str) -> None:
        self.split = split
        self.changed += 1

    def start_evaluation(self) -> None:
        if self.network is None:
            self.status_override = "Train or load an agent first."
            return
        if self.sealed:
            self.status_override = "Predict first: the agent is evaluated at the reveal."
            return
        agent = self.settings.agent
        if self.evaluation.start(self.snapshot.build(), self.level, agent.view, agent.radius, int(time.time()) % 100_000):
            self.status_override = f"Evaluating {self.evaluation.episodes} deployment episodes..."

    @property
    def evaluation_progress(self) -> float | None:
        """The share of the running evaluation done, or None when none runs."""
        return self.evaluation.progress

    @property
    def evaluating(self) -> bool:
        return self.evaluation.running

    def save_agent(self, path: str) -> None:
        if self.snapshot is None:
            return
        problem = output_problem(path)
        if problem:
            self.notices.append(("The agent was not saved", problem))
            return
        agent = AgentFile(self.snapshot.build(), self.level, self.snapshot.obs_spec, self.settings,
                          self.snapshot.steps, self.training.seconds, list(self.training.curve))
        try:
            save_agent(path, agent)
        except OSError as exc:
            self.notices.append(("The agent was not saved", f"{path}: {exc.strerror or exc}"))
            return
        self.status_override = f"Saved {Path(path).name}."
        self.agent_saved = True

    def load_agent(self, path: str) -> None:
        try:
            agent = load_agent(path, self.level)
        except AgentFileError as exc:
            self.notices.append(("This agent cannot be loaded", str(exc)))
            return
        snapshot = PolicySnapshot.of(agent.policy, agent.obs_spec, agent.settings.agent.hidden, agent.steps, 0)
        self.adopt(snapshot, agent.settings, agent.curve, f"Loaded {Path(path).name} ({agent.steps:,} training steps).")
        self.agent_saved = True

    def adopt(self, snapshot: PolicySnapshot, settings: TrainingSettings, curve: list[dict], status: str) -> None:
        """Watch this agent from now on (a loaded one; tests and benchmarks hand in untrained ones): whatever was
        training stops, the live episodes build the observations it reads, the deployment counts start again."""
        self.training.adopt(snapshot, settings, curve, status)
        self.status_override = None
        if (settings.agent.view, settings.agent.radius) != (self.live["training"].view, self.live["training"].radius):
            self.live = self._live_episodes(settings)
            if self.sealed:
                self.live["deployment"].restart(seed=1000 + self._seals)
        self.forget_outcomes()
        self._use_network()

    def close(self) -> None:
        self.training.close()
        self.what_if.close()
        self.steering.close()
        self.evaluation.close()

    def proposed_proxy(self, candidate=None) -> tuple[dict, dict] | None:
        """A candidate objective (by default what the agent acts as if it wants) as (proxy, regions it needs) in the
        level format, when it is not the intended goal and the level does not declare it yet: one click writes it
        into the level."""
        if candidate is None:
            found = self.apparent_objective()
            if found is None:
                return None
            candidate = found.candidate
        if candidate.kind == "intended goal" or declared_as(self.level, candidate):
            return None
        return proposal(self.level, candidate)

    def add_proxy(self, proposal: tuple[dict, dict]) -> str | None:
        """Count a proxy (with the regions it needs) from now on; the reason if the level would not take it. A proxy
        only changes how episodes are counted, never training: the agent stays, the deployment counts start again
        and it is evaluated afresh. The level file is not changed: Edit opens the editor with the proxies added
        (`added_proxies`), each one undo step, to save."""
        proxy, regions = proposal
        doc = level_to_dict(self.level)
        doc.setdefault("regions", {}).update(regions)
        doc.setdefault("proxies", []).append(dict(proxy))
        try:
            level = parse_level(doc, "the level with this proxy")
        except LevelError as exc:
            return str(exc)
        self.level = self.training.level = level  # agent files carry it; training reads no proxy
        self.live = self._live_episodes(self.settings)
        self.added_proxies.append(proposal)
        self.forget_outcomes()
        if self.network is not None:
            self._use_network()
            self.start_evaluation()
        return None

    def apparent_objective(self):
        """What the current agent acts as if it wants (a scored candidate), once evaluated and clear enough."""
        return self.inspection.acts_as_if if self.inspection is not None else None

    def unsaved_work(self) -> str | None:
        """What leaving would lose: a learner still training, or a trained agent that exists only here."""
        if self.training.active:
            return "The learner is still training this agent; leaving stops it and the agent is lost (Save agent " \
                   "keeps it)."
        if not self.agent_saved and self.snapshot is not None and self.snapshot.steps > 0:
            return "This trained agent is not saved (Save agent keeps it)."
        if self.added_proxies:
            return ("The proxies you added are not in the level file yet (Edit opens the editor with them added, "
                    "to save).")
        return None

    # --- each frame ----------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        if self.training.poll():
            self._use_network()
        for failure in self.training.failures:
            self.notices.append(("The learner stopped with an error", failure.message + "\n\nThe app keeps "
                                 "running; you can train again.\n\n" + failure.traceback[-1500:]))
        self.training.failures.clear()
        if self.what_if.problem:
            self.notices.append(("Could not work out what the agent would do", self.what_if.problem))
            self.what_if.problem = None
        self._poll_evaluation()
        self.steering.poll()
        if self.steering.problem:
            self.notices.append(("Cannot steer this way", self.steering.problem))
            self.steering.problem = None
        if self.network is not None and not self.paused and not (self.sealed and self.split == "deployment"):
            live = self.live[self.split]
            begun = live.begun
            live.update(dt)
            if self.split == "deployment":
                self.deployment_shown += live.begun - begun
            finished, live.finished = live.finished, []
            if self.split == "deployment" and finished:
                for report in finished:
                    self.tally.add(report)
                    count_by_condition(self.conditions, self.level, report)
                self.changed += 1

    def _use_network(self) -> None:
        if self.network is None:
            return
        deployment = self.live["deployment"]
        steered, follows = self.steering.live(self.network, self.settings.agent.view, self.settings.agent.radius,
                                              deployment.env.batch.variants)
        self.live["training"].set_policy(self.network, seed=self.snapshot.update)
        deployment.set_policy(steered, seed=self.snapshot.update, counted=steered is self.network, follows=follows)
        self.changed += 1

    def _poll_evaluation(self) -> None:
        finished = self.evaluation.poll()
        if finished is None or isinstance(finished, Stopped):
            return
        if isinstance(finished, Exception):  # an evaluation failure is a message, never a crash
            self.notices.append(("Evaluation failed", f"{type(finished).__name__}: {finished}"))
            self.evaluated = True  # what was watched is all there is to show
            return
        result, self.inspection = finished
        self.evaluated = True
        self.filmed = result.trajectories
        self.tally.merge(result.tally)
        for condition, count in result.by_condition.items():
            self.conditions.setdefault(condition, ConditionCount()).merge(count)
        self.live["deployment"].visits += result.visits
        seconds = time.monotonic() - self.evaluation.started  # everything it did: the episodes, then the inference
        self.status_override = f"Evaluated {result.episodes} episodes and what it wants: {seconds:.1f}s."
        self.changed += 1

    # --- words for the side panel --------------------------------------------------------------------------
    def stat_lines(self) -> list[str]:
        if self.split == "deployment" and self.conditions:  # "took the shortcut: 95 % unwatched, 2 % watched"
            return [condition_line(self.level, self.conditions), "", "", ""]
        if self.split == "deployment":
            return [f"deployment episodes {self.tally.total:,}", "", "", ""]
        p = self.training.progress
        # No estimate of the time left to the target: none measured was right often enough to show (docs/design.md,
        # "No estimate of the time left"; benchmarks/estimate.py).
        state = f"learner: {LEARNER_STATES.get(self.training.state, self.training.state)}"
        if p is None and self.snapshot is not None and self.training.curve:  # a loaded agent: its own record
            last = self.training.curve[-1]
            return [f"steps {self.snapshot.steps:,} (loaded agent)", f"trained for {last['seconds']:.1f}s",
                    f"training success {_share(last['success'], self.settings.success_episodes)}   "
                    f"return {last['return']:.2f}", state]
        if p is None:
            return ["steps 0   episodes 0", "", "training success -", state]
        return [f"steps {p.steps:,}   episodes {p.episodes:,}",
                f"{p.steps_per_second:,.0f} steps/s   elapsed {p.seconds:.1f}s",
                f"training success {_share(p.training_success, self.settings.success_episodes)}   "
                f"return {p.mean_return:.2f}", state]

    def objectives(self) -> dict[str, str]:
        if self.sealed:
            hidden = "not shown until you have predicted it"
            return {"wanted": self.level.intended_goal.describe(), "rewarded": describe_rules(self.level),
                    "learned": hidden, "verdict": "What will it do? Predict first, then watch.", "concept": ""}
        found = verdict(self.level, self.tally, self.inspection, conditions=self.conditions)
        return {"wanted": self.level.intended_goal.describe(), "rewarded": describe_rules(self.level),
                "learned": found.learned, "verdict": found.sentence, "concept": found.concept}
