"""Training runs: the base optimizer (PPO or evolution) until a training-success target or a budget.
`agents.worker` runs one on a thread or in a worker process; the CLI and experiments run one in-process. Nothing
here touches pygame.

Stopping at the target: the running success over recent training episodes is cheap but flattered early on (short
successful episodes finish first), so when it reaches the target a fresh evaluation of `confirm_episodes` training
episodes, each started and finished by the current policy, must confirm it. That check is tried again and again as
training goes on, and the run stops at the first that crosses the target, so the deciding figure leans lucky (an
agent stopped at a "confirmed 95 %" measured 92 % on 300 fresh episodes): the figure reported and saved
(`confirmed_success`, with its 95 % interval) is a second evaluation on fresh episodes drawn after the decision.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Callable, Protocol

import torch

from levels.format import Level

from agents.evaluation import evaluate
from agents.evolution import EvolutionConfig
from agents.kinds import EVOLUTION, GRADIENT_DESCENT, OPTIMIZERS, PLANNER, REACTIVE, AgentSpec
from agents.observation import ObservationSpec
from agents.policy import PolicySnapshot, TorchPolicy
from agents.ppo import LEARNING_RATE, PPO, PPOConfig, carry_on


class StopReason(StrEnum):
    """Why training stopped (the words travel as strings: in JSON, across processes, in status lines)."""
    TARGET = "target"  # the training success target was reached and confirmed
    STEP_BUDGET = "step budget"
    TIME_BUDGET = "time budget"
    STOPPED = "stopped"  # the player (or a closing window) stopped it


@dataclass(frozen=True)
class TrainingSettings:
    """How an agent is made: the agent (its kind, what it sees), the base optimizer and its knobs, the seed. They
    travel together: to the training worker, into the agent file (`flat()`), back from it (`from_flat`)."""

    agent: AgentSpec = AgentSpec()
    optimizer: str = GRADIENT_DESCENT  # one of OPTIMIZERS: which of the two configs below is used
    seed: int = 0  # seeds the worlds, the network's initialisation, the sampling and the mutations
    ppo: PPOConfig = PPOConfig()
    evolution: EvolutionConfig = EvolutionConfig()

    @classmethod
    def of(cls, kind: str, optimizer: str = GRADIENT_DESCENT, seed: int = 0, **ppo) -> TrainingSettings:
        """An agent of `kind` (with the view it needs) made by `optimizer`; `ppo` sets PPO's knobs."""
        return cls(AgentSpec.of(kind), optimizer, seed, PPOConfig(**ppo))

    @property
    def success_episodes(self) -> int:
        """How many training episodes a training success is measured on: PPO's most recent `success_window`, or the
        episodes evolution plays its policy itself in a generation."""
        return self.ppo.success_window if self.optimizer == GRADIENT_DESCENT else self.evolution.episodes

    def check(self, level: Level) -> None:
        """Refuse, in words (ValueError), settings that cannot train an agent on this level."""
        self.check_optimizer()
        self.agent.check(level)
        cells = level.width * level.height
        if self.agent.kind == PLANNER and self.optimizer == GRADIENT_DESCENT and \
                cells * (level.width + level.height) > PLANNER_GRADIENT_LIMIT:
            # Its memory grows with the cells times the steps of planning (one per row and column), kept for the
            # gradient: measured 1.2 GB for a 24 x 24 level, 4.5 GB for 40 x 40, past 24 GB for 96 x 96.
            raise ValueError(f"the planner learns by gradient descent through every step of its planning, and on a "
                             f"level of {level.width} x {level.height} that would take several gigabytes of memory "
                             f"(it trains so on levels up to about 24 x 24); train it by evolution, which keeps no "
                             f"gradients, or choose the reactive network")

    def check_optimizer(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}: use one of {', '.join(OPTIMIZERS)}")

    def flat(self) -> dict:
        """One flat table, as agent files have always kept their `hyperparameters`: the seed, the optimizer, the
        agent's kind (as "agent"), view, radius and width, PPO's knobs, and evolution's under "evolution". PPO's
        step size is the one it uses (the kind's when unset): a file says what trained it, and older versions of
        the game, which want a number there, read it."""
        agent, ppo = asdict(self.agent), asdict(self.ppo)
        if ppo["learning_rate"] is None:
            ppo["learning_rate"] = LEARNING_RATE.get(self.agent.kind, LEARNING_RATE[REACTIVE])
        return {"seed": self.seed, "optimizer": self.optimizer, "agent": agent.pop("kind"), **agent, **ppo,
                EVOLUTION: asdict(self.evolution)}

    @classmethod
    def from_flat(cls, table: dict) -> TrainingSettings:
        """The settings a flat table (`flat()`, an agent file's hyperparameters) holds; what it leaves out takes the
        defaults, names it does not know are ignored (files of other versions)."""
        def known(kind, values: dict) -> dict:
            return {f.name: values[f.name] for f in fields(kind) if f.name in values}
        agent = known(AgentSpec, {**table, "kind": table.get("agent", AgentSpec.kind)})
        defaults = cls()
        return cls(AgentSpec(**agent), table.get("optimizer", defaults.optimizer), table.get("seed", defaults.seed),
                   PPOConfig(**known(PPOConfig, table)),
                   EvolutionConfig(**known(EvolutionConfig, table.get(EVOLUTION) or {})))

    def with_agent(self, kind: str) -> TrainingSettings:
        """The same, for an agent of another kind: the view it needs, its window and width kept, the step sizes left
        to the kind (an agent file of the reactive network holds the MLP's, which the planner would learn with ten
        times too slowly)."""
        return replace(self, agent=self.agent.with_kind(kind), ppo=replace(self.ppo, learning_rate=None),
                       evolution=replace(self.evolution, learning_rate=None))


class Optimizer(Protocol):
    """What the training run and the window ask of a base optimizer (`PPO`, `Evolution`, `CMAEvolution`)."""

    policy: torch.nn.Module  # the network being trained
    obs_spec: ObservationSpec
    global_step: int  # world steps played so far
    updates: int  # updates (rollouts and learning phases, or generations) so far
    pause_point: Callable[[], None]  # called at every world step and minibatch of an update: it may wait or raise

    def update(self) -> dict:
        """One rollout and learning phase, or one generation; its metrics (with "training_success", "return",
        "steps")."""

    def training_success(self) -> float | None:
        """The share of recent training episodes that reached the intended goal; None while it cannot be measured
        honestly."""


def make_optimizer(level: Level, settings: TrainingSettings) -> Optimizer:
    """The base optimizer the settings name: gradient descent (PPO) or evolution. Evolution mutates the planner's
    few weights with CMA-ES and the reactive network's many with OpenAI-ES (measured: docs/design.md). Each
    optimizer refuses an agent that cannot play the level itself."""
    settings.check_optimizer()
    if settings.optimizer == EVOLUTION and settings.agent.kind == PLANNER:
        from agents.evolution_cma import CMAEvolution
        return CMAEvolution(level, settings.evolution, settings.agent, settings.seed)
    if settings.optimizer == EVOLUTION:
        from agents.evolution import Evolution
        return Evolution(level, settings.evolution, settings.agent, settings.seed)
    return PPO(level, settings.ppo, settings.agent, settings.seed)


PLANNER_GRADIENT_LIMIT = 30_000  # cells x (width + height): a 24 x 24 level (27,648) trains; 25 x 25 (31,250) not


class _CutShort(Exception):
    """An update stopped inside (`TrainingRun.step`), and why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TrainingGoal:
    target: float = 0.95  # stop when this share of training episodes reaches the intended goal
    max_steps: int | None = None  # env steps budget
    max_seconds: float | None = None  # wall-clock budget, paused time excluded
    confirm_episodes: int = 300  # episodes of the confirming evaluation


@dataclass
class TrainingRun:
    """The base optimizer plus the stopping rules; `step()` does one update and says whether to stop."""

    level: Level
    settings: TrainingSettings = field(default_factory=TrainingSettings)
    goal: TrainingGoal = field(default_factory=TrainingGoal)

    def __post_init__(self):
        self.optimizer = make_optimizer(self.level, self.settings)
        self.seconds = 0.0  # training time, excluding pauses
        self.curve: list[dict] = []
        self.finished: StopReason | None = None  # why training stopped
        self.confirmed_success: float | None = None  # after the target: measured on fresh episodes after deciding
        self.confirmed_interval: tuple[float, float] | None = None
        self._last_metrics: dict | None = None

    def step(self, between: Callable[[], bool] | None = None) -> dict:
        """One update, then the stopping rules. The time budget, and `between` (the caller's commands: it may wait
        while paused; True: stop), are also heeded inside the update, at each world step and minibatch: on a large
        level one update takes a minute, which a budget or a Stop must not wait for. An update cut short is
        dropped (the network keeps the minibatches it learned from)."""
        started, waited = time.perf_counter(), 0.0

        def pause_point() -> None:
            nonlocal waited
            asked = time.perf_counter()
            stop = between is not None and between()
            waited += time.perf_counter() - asked  # (paused time is not training time)
            if stop:
                raise _CutShort(StopReason.STOPPED)
            if self.goal.max_seconds is not None and \
                    self.seconds + time.perf_counter() - started - waited >= self.goal.max_seconds:
                raise _CutShort(StopReason.TIME_BUDGET)
        self.optimizer.pause_point = pause_point
        try:
            metrics = self.optimizer.update()
        except _CutShort as cut:
            self.finished = cut.reason
            self.seconds += time.perf_counter() - started - waited
            return self._metrics_so_far()
        finally:
            self.optimizer.pause_point = carry_on
        self.seconds += time.perf_counter() - started - waited
        self._last_metrics = metrics
        optimizer, goal = self.optimizer, self.goal
        success = metrics["training_success"]  # None while it cannot be measured honestly yet
        if success is not None and success >= goal.target:
            check_started = time.perf_counter()
            if self._check(10_000).share("goal") >= goal.target:
                self.finished = StopReason.TARGET
                fresh = self._check(20_000)  # independent of the decision: the figure shown and saved
                self.confirmed_success = fresh.share("goal")
                self.confirmed_interval = fresh.intervals["goal"]
                metrics["confirmed_success"] = self.confirmed_success
            self.seconds += time.perf_counter() - check_started
        if self.finished is None and goal.max_steps is not None and optimizer.global_step >= goal.max_steps:
            self.finished = StopReason.STEP_BUDGET
        if self.finished is None and goal.max_seconds is not None and self.seconds >= goal.max_seconds:
            self.finished = StopReason.TIME_BUDGET
        metrics["seconds"] = self.seconds
        # The one place a point of the training curve is made: the window's curve and a saved agent's are this list.
        metrics["point"] = None
        if success is not None:
            metrics["point"] = {"steps": metrics["steps"], "seconds": round(self.seconds, 3),
                                "success": round(success, 4), "return": round(metrics["return"], 4)}
            if self.finished == StopReason.TARGET:
                metrics["point"]["confirmed"] = round(self.confirmed_success, 4)  # saved with the agent's curve
            if "population" in metrics:  # evolution: how the generation's mutants spread (the selection, shown)
                metrics["point"]["population"] = [round(metrics["population"][k], 4) for k in ("min", "median", "max")]
            self.curve.append(metrics["point"])
        return metrics

    def _metrics_so_far(self) -> dict:
        """After an update cut short: the last whole update's metrics, with the steps and seconds of now."""
        metrics = dict(self._last_metrics) if self._last_metrics else {
            "update": 0, "episodes": 0, "training_success": None, "return": 0.0, "steps_per_second": 0.0}
        metrics.update(steps=self.optimizer.global_step, seconds=self.seconds, point=None)
        metrics.pop("confirmed_success", None)
        return metrics

    def _check(self, offset: int):
        """`confirm_episodes` training episodes played start to finish by the current policy, on seeds of their own."""
        optimizer, agent = self.optimizer, self.settings.agent
        seed = self.settings.seed + offset + optimizer.updates
        return evaluate(TorchPolicy(optimizer.policy, seed=seed), self.level, "training", self.goal.confirm_episodes,
                        seed=seed, view=agent.view, radius=agent.radius, record=0)

    def run(self, on_metrics=None) -> str:
        """Headless: update until a stopping rule fires. Returns why it stopped."""
        while self.finished is None:
            metrics = self.step()
            if on_metrics is not None:
                on_metrics(metrics)
        return self.finished

    def snapshot(self) -> PolicySnapshot:
        return PolicySnapshot.of(self.optimizer.policy, self.optimizer.obs_spec, self.settings.agent.hidden,
                                 self.optimizer.global_step, self.optimizer.updates)
