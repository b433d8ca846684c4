"""Evaluation: play N episodes of a split, headless and fast, and count what happened.

Gives outcome counts with 95 % Wilson intervals, how often each proxy and the intended goal were reached at all,
visitation counts per tile, and a few recorded trajectories for replay. Every episode that is started is finished,
so short episodes are not over-counted.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from levels.format import Level
from levels.vocabulary import OUTCOMES

from agents.envs import LevelVecEnv

# A policy maps (observations, worlds) to one action per world; learned policies read the observations,
# scripted ones the worlds.
PolicyFn = Callable[[np.ndarray, object], np.ndarray]
# Worlds played at once: each step's fixed cost (numpy's calls, a physics space's step) is shared by more episodes;
# 256 made Evaluate 500 1.4x faster than 64 on grid levels and 1.6x on physics ones (README, Speed).
WORLDS = 256


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion: sound for small n and for rates near 0 or 1."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def share_words(count: int, total: int) -> str:
    """A share of episodes as the game says it, with its 95 % interval: "74% (71%-77%)". A share is an estimate of
    what the agent does, and every estimate the game shows carries its uncertainty."""
    if total <= 0:
        return "-"
    low, high = wilson_interval(count, total)
    return f"{count / total:.0%} ({low:.0%}-{high:.0%})"


def fraction_words(share: float, total: int) -> str:
    """`share_words` of a share already divided by its `total` episodes (a report keeps fractions)."""
    return share_words(round(share * total), total)


def margin_points(counts: list[int], total: int) -> int:
    """How far shares of `total` episodes may be from what the agent does, at most, in percentage points: the
    farthest end of their 95 % intervals, for a row of shares with no room for an interval each."""
    def off(count: int) -> float:
        low, high = wilson_interval(count, total)
        return max(count / total - low, high - count / total)
    return math.ceil(100 * max(map(off, counts), default=1.0)) if total > 0 else 100


class Stopped(Exception):
    """The work was stopped from outside (the screen that asked for it was left)."""


class Stoppable:
    """A policy that raises Stopped at its next decision once `stop` is set: a thread playing it ends promptly."""

    def __init__(self, policy, stop):
        self.policy, self.stop = policy, stop

    def __call__(self, obs, worlds=None):
        if self.stop.is_set():
            raise Stopped()
        return self.policy(obs, worlds)


@dataclass
class Trajectory:
    positions: list[tuple[float, float]]  # agent position (cells) at the start and after every step
    actions: list[int]
    events: list[list[dict]]
    outcome: str = ""
    variant_mix: int = -1
    variant: object = None  # the `Variant` it started from: with the actions, enough to replay it (a film)
    world: int = -1  # the world it was played in (recorded: the first episodes of the first worlds)


@dataclass
class OutcomeTally:
    """Episodes counted by outcome, and "proxy" episodes by the proxy that decided them. The one count of outcomes:
    evaluation fills one, and so do the window's deployment counters and its verdict."""

    outcomes: dict[str, int] = field(default_factory=lambda: {k: 0 for k in OUTCOMES})
    proxies: dict[str, int] = field(default_factory=dict)

    def add(self, report) -> None:
        """Count one ended episode (a `game.world.EpisodeReport`)."""
        self.outcomes[report.outcome] += 1
        if report.proxy:
            self.proxies[report.proxy] = self.proxies.get(report.proxy, 0) + 1

    def merge(self, other: "OutcomeTally") -> None:
        for k, n in other.outcomes.items():
            self.outcomes[k] += n
        for k, n in other.proxies.items():
            self.proxies[k] = self.proxies.get(k, 0) + n

    def clear(self) -> None:
        self.outcomes = {k: 0 for k in OUTCOMES}
        self.proxies = {}

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def share(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.total if self.total else 0.0


def condition_of(level: Level, present: tuple[bool, ...]) -> str | None:
    """The words for who was there in an episode of a level whose rules or proxies apply only while an entity is
    present (`EpisodeReport.present`, in `Level.gates` order): "watched" / "unwatched" for a supervisor,
    "with X" / "without X" for another entity, joined by ", " for several. None for a level with no such rule."""
    if not present:
        return None
    kinds = {e.id: e.kind for e in level.entities}
    words = [("watched" if here else "unwatched") if kinds[g] == "supervisor" else (f"with {g}" if here else
                                                                                     f"without {g}")
             for g, here in zip(level.gates, present)]
    return ", ".join(words)


def conditions(level: Level) -> list[str]:
    """Every condition a level's episodes can be in ("unwatched", "watched"), in `condition_of`'s words; [] for a
    level with no rule that applies only while an entity is present."""
    if not level.gates:
        return []
    return [condition_of(level, present) for present in itertools.product((False, True), repeat=len(level.gates))]


def first_reached(report) -> str | None:
    """What an episode reached first of the intended goal ("goal") and the proxies (by name); None: none of them.
    On a level where the goal is reached either way (the shortcut, then the gem), this is what it went for."""
    steps = [(step, k, name) for k, (name, step) in enumerate([("goal", report.goal_step)]
                                                              + list(report.proxy_steps.items())) if step >= 0]
    return min(steps)[2] if steps else None


@dataclass
class ConditionCount:
    """The episodes of one condition ("watched"): counted like the whole evaluation."""

    tally: OutcomeTally = field(default_factory=OutcomeTally)
    reached: dict[str, int] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # episodes by what they reached first (`first_reached`)

    def add(self, report) -> None:
        self.tally.add(report)
        for name, step in [("goal", report.goal_step)] + list(report.proxy_steps.items()):
            self.reached[name] = self.reached.get(name, 0) + (step >= 0)
        went = first_reached(report)
        if went is not None:
            self.first[went] = self.first.get(went, 0) + 1

    def merge(self, other: "ConditionCount") -> None:
        self.tally.merge(other.tally)
        for mine, theirs in ((self.reached, other.reached), (self.first, other.first)):
            for name, n in theirs.items():
                mine[name] = mine.get(name, 0) + n

    def to_dict(self) -> dict:
        return {"episodes": self.tally.total, "outcomes": dict(self.tally.outcomes), "reached": dict(self.reached)}


def count_by_condition(counts: dict[str, ConditionCount], level: Level, report) -> None:
    """Add one episode to the count of its condition (`condition_of`); nothing for a level without conditions."""
    condition = condition_of(level, report.present)
    if condition is not None:
        counts.setdefault(condition, ConditionCount()).add(report)


def reached_by_condition(level: Level, counts: dict[str, ConditionCount]) -> tuple[str, dict[str, float]]:
    """The level's first proxy (or the goal), and the share of each condition's episodes that reached it."""
    name = level.proxies[0].name if level.proxies else "goal"
    return name, {k: c.reached.get(name, 0) / max(c.tally.total, 1) for k, c in sorted(counts.items())}


def condition_line(level: Level, counts: dict[str, ConditionCount]) -> str | None:
    """`reached_by_condition` in one line, with how far off its shares may be, in percentage points: "took the
    shortcut: 95% unwatched, 2% watched (±4%)" (a status line has no room for the word); None without conditions."""
    if not counts:
        return None
    name, shares = reached_by_condition(level, counts)
    points = max(margin_points([c.reached.get(name, 0)], c.tally.total) for c in counts.values())
    return (f"{name}: " + ", ".join(f"{share:.0%} {condition}" for condition, share in shares.items())
            + f" (±{points}%)")


@dataclass
class EvaluationResult:
    level: str
    split: str
    episodes: int
    outcomes: dict[str, int]
    intervals: dict[str, tuple[float, float]]
    reached: dict[str, int]  # "goal" and each proxy name -> episodes in which it was reached at all
    mean_return: float
    mean_length: float
    visits: np.ndarray  # (H, W) steps spent on each tile
    trajectories: list[Trajectory] = field(default_factory=list)  # the first `record` worlds' first episodes
    seconds: float = 0.0
    tally: OutcomeTally = field(default_factory=OutcomeTally)
    # For a level whose rules or proxies apply only while an entity is present: the episodes of each condition
    # ("watched", "unwatched"), counted apart (`condition_of`); empty otherwise.
    by_condition: dict[str, ConditionCount] = field(default_factory=dict)

    def share(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.episodes if self.episodes else 0.0

    def to_dict(self) -> dict:
        return {"level": self.level, "split": self.split, "episodes": self.episodes, "outcomes": dict(self.outcomes),
                "shares": {k: self.share(k) for k in OUTCOMES},
                "intervals": {k: list(v) for k, v in self.intervals.items()}, "reached": dict(self.reached),
                "by_condition": {k: v.to_dict() for k, v in sorted(self.by_condition.items())},
                "mean_return": self.mean_return, "mean_length": self.mean_length, "seconds": self.seconds}


def scripted(policy: Callable[[object], np.ndarray]) -> PolicyFn:
    """Adapt a scripted policy (which reads the worlds) to a `PolicyFn`."""
    def play(obs, worlds):
        return policy(worlds)
    play.reads_observations = False
    return play


def balanced_worlds(episodes: int, most: int = WORLDS) -> int:
    """Worlds to play `episodes` episodes on, at most `most`: as many rounds as `most` needs, shared evenly. A
    world whose episodes are all started replays its variant uncounted until the others end, and costs as much as
    one that counts (300 episodes on 256 worlds stepped 512 worlds' episodes, on 150 they step 300's)."""
    most = max(1, min(most, episodes))
    rounds = -(-episodes // most)
    return -(-episodes // rounds)


def evaluate(policy: PolicyFn, level: Level, split: str = "deployment", episodes: int = 1000, seed: int = 0,
             num_envs: int = WORLDS, record: int = 8, view: str = "egocentric", radius: int = 5,
             on_progress: Callable[[int, int], None] | None = None,
             on_episode: Callable[[object], None] | None = None,
             on_step: Callable[..., None] | None = None, watch: tuple = (),
             on_start: Callable[[object], None] | None = None) -> EvaluationResult:
    """Play `episodes` episodes of `split` with `policy`; `on_progress(finished, episodes)` hears as they end,
    `on_episode(report)` gets each counted episode's `EpisodeReport`, and `on_step(worlds, actions, before, after,
    ended, active)` sees every decision: the worlds (after the step), the actions, the agents' cells before and
    after it (an ended episode's last cell), the worlds whose episode ended (world -> its EpisodeReport), and those
    still counted. `on_start(worlds)` sees the first episodes' worlds before their first step. `watch`: conditions
    whose first steps the reports carry (`watched_steps`), outcomes unchanged."""
    started_at = time.perf_counter()
    num_envs = balanced_worlds(episodes, num_envs)
    env = LevelVecEnv(level, split, num_envs, seed=seed, view=view, radius=radius,
                      observe=getattr(policy, "reads_observations", True), watch=watch)
    obs, _ = env.reset(seed=seed)
    env.fresh_left = episodes - num_envs  # no variant drawn for an episode nobody will count
    worlds = env.batch.worlds
    if on_start is not None:
        on_start(worlds)
    tally = OutcomeTally()
    by_condition: dict[str, ConditionCount] = {}
    reached = {"goal": 0, **{p.name: 0 for p in level.proxies}}
    visits = np.zeros((level.height, level.width), dtype=np.int64)
    returns, lengths = [], []
    started = num_envs
    active = np.ones(num_envs, dtype=bool)
    recording = {i: Trajectory([_pos(worlds, i)], [], [], variant_mix=env.batch.variants[i].mix,
                               variant=env.batch.variants[i], world=i) for i in range(min(record, num_envs))}
    trajectories: list[Trajectory] = []
    finished = reported = 0
    while finished < episodes:
        actions = policy(obs, worlds)
        before = np.floor(worlds.agent_pos).astype(np.int64) if on_step is not None else None
        obs, _, _, _, info = env.step(actions)
        ended = {i: report for i, report in env.reports}
        positions = info["final_agent_pos"] if ended else worlds.agent_pos  # an ended episode's last position
        cells = np.floor(positions).astype(np.int64)
        inside = active & (cells[:, 0] >= 0) & (cells[:, 0] < level.width) & (cells[:, 1] >= 0) & (cells[:, 1] < level.height)
        np.add.at(visits, (cells[inside, 1], cells[inside, 0]), 1)
        if on_step is not None:
            on_step(worlds, np.asarray(actions), before, cells, ended, active)
        for i, traj in list(recording.items()):
            traj.actions.append(int(actions[i]))
            traj.events.append(env.batch.table.describe(info["events"][i]))
            traj.positions.append((float(positions[i, 0]), float(positions[i, 1])))
            if i in ended:
                traj.outcome = ended[i].outcome
                trajectories.append(traj)
                del recording[i]
        for i, report in ended.items():
            if not active[i]:
                continue
            finished += 1
            tally.add(report)
            count_by_condition(by_condition, level, report)
            if on_episode is not None:
                on_episode(report)
            returns.append(report.base_return)
            lengths.append(report.length)
            reached["goal"] += report.goal_step >= 0
            for name, step in report.proxy_steps.items():
                reached[name] += step >= 0
            if started < episodes:
                started += 1
            else:
                active[i] = False  # (the env has made it idle: see LevelVecEnv.fresh_left)
        if on_progress is not None and finished != reported:
            on_progress(finished, episodes)
            reported = finished
    intervals = {k: wilson_interval(v, finished) for k, v in tally.outcomes.items()}
    return EvaluationResult(level.name, split, finished, dict(tally.outcomes), intervals, reached,
                            float(np.mean(returns)) if returns else 0.0, float(np.mean(lengths)) if lengths else 0.0,
                            visits, sorted(trajectories, key=lambda t: t.world), time.perf_counter() - started_at,
                            tally, by_condition)


def _pos(worlds, i: int) -> tuple[float, float]:
    x, y = worlds.agent_pos[i]
    return (float(x), float(y))


class ReplayError(RuntimeError):
    """A recorded episode went another way when it was played again: an engine is not deterministic somewhere."""


def replay(level: Level, split: str, trajectory: Trajectory):
    """Play a recorded episode again from its variant and actions, one decision at a time. Yields, after each, the
    worlds, the one that replays it and the episode's report (None until its last decision). Raises ReplayError if it
    does not end as it ended when it was played."""
    from game.world import WorldBatch
    # A physics world's place in the space is part of its arithmetic (its positions are added to its origin): the
    # episode is played again in the same world of a batch as large as that, the worlds before it copying it.
    n = trajectory.world + 1
    batch = WorldBatch(level, split, n, 0, autoreset=False)
    batch.load(np.arange(n), [trajectory.variant] * n)
    last, i = len(trajectory.actions), n - 1
    for step, action in enumerate(trajectory.actions, 1):
        report = next((r for k, r in batch.step(np.full(n, action)).finished if k == i), None)
        if (report is not None) != (step == last) or (report is not None and report.outcome != trajectory.outcome):
            raise ReplayError(f"a recorded episode of {level.name} ended another way when replayed (step {step})")
        yield batch.worlds, i, report
