"""Training runs: the learner until a training-success target or a budget, headless or on a background thread.

The thread protocol (see ../shared/DESIGN.md): the training thread owns the learner and its envs; it shares nothing
mutable with the UI. It publishes immutable `PolicySnapshot`s (copies of the weights) and metrics dicts through
queues, and takes commands (pause, resume, stop) through a queue. Any exception becomes a "failed" message carrying
the traceback; the caller never crashes. Nothing here touches pygame.

Stopping at the target: the running success over recent training episodes is cheap but flattered early on (short
successful episodes finish first), so when it reaches the target a fresh evaluation of `confirm_episodes` training
episodes, each started and finished by the current policy, must confirm it.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
from dataclasses import dataclass, field

import torch

from levels.format import Level

from agents.evaluation import TorchPolicy, evaluate
from agents.observation import ObservationSpec
from agents.ppo import Policy, PPOConfig, PPOLearner


@dataclass(frozen=True)
class TrainingGoal:
    target: float = 0.95  # stop when this share of training episodes reaches the intended goal
    max_steps: int | None = None  # env steps budget
    max_seconds: float | None = None  # wall-clock budget, paused time excluded
    confirm_episodes: int = 300  # episodes of the confirming evaluation


@dataclass(frozen=True)
class PolicySnapshot:
    """A frozen copy of the policy's weights at some step: safe to use on another thread."""

    weights: dict[str, torch.Tensor]
    obs_spec: ObservationSpec
    hidden: int
    actions: int
    steps: int
    update: int

    @classmethod
    def of(cls, policy: Policy, obs_spec: ObservationSpec, hidden: int, steps: int, update: int) -> "PolicySnapshot":
        weights = {k: v.detach().clone() for k, v in policy.state_dict().items()}
        return cls(weights, obs_spec, hidden, int(policy.actor.out_features), steps, update)

    def build(self) -> Policy:
        policy = Policy(self.obs_spec.size, self.actions, self.hidden)
        policy.load_state_dict(self.weights)
        policy.eval()
        return policy


@dataclass
class TrainingRun:
    """The learner plus the stopping rules; `step()` does one update and says whether to stop."""

    level: Level
    config: PPOConfig = field(default_factory=PPOConfig)
    goal: TrainingGoal = field(default_factory=TrainingGoal)

    def __post_init__(self):
        self.learner = PPOLearner(self.level, self.config)
        self.seconds = 0.0  # training time, excluding pauses
        self.curve: list[dict] = []
        self.finished: str | None = None  # why training stopped: "target", "step budget", "time budget", "stopped"
        self.confirmed_success: float | None = None

    def step(self) -> dict:
        started = time.perf_counter()
        metrics = self.learner.update()
        self.seconds += time.perf_counter() - started
        learner, goal = self.learner, self.goal
        if (metrics["training_success"] >= goal.target and learner.episodes >= self.config.success_window):
            check_started = time.perf_counter()
            result = evaluate(TorchPolicy(learner.policy, seed=self.config.seed + learner.updates), self.level,
                              "training", goal.confirm_episodes, seed=self.config.seed + 10_000 + learner.updates,
                              view=self.config.view, radius=self.config.radius, record=0)
            self.seconds += time.perf_counter() - check_started
            self.confirmed_success = result.share("goal")
            metrics["confirmed_success"] = self.confirmed_success
            if self.confirmed_success >= goal.target:
                self.finished = "target"
        if self.finished is None and goal.max_steps is not None and learner.global_step >= goal.max_steps:
            self.finished = "step budget"
        if self.finished is None and goal.max_seconds is not None and self.seconds >= goal.max_seconds:
            self.finished = "time budget"
        metrics["seconds"] = self.seconds
        self.curve.append({"steps": metrics["steps"], "seconds": round(self.seconds, 3),
                           "success": round(metrics["training_success"], 4), "return": round(metrics["return"], 4)})
        return metrics

    def run(self, on_metrics=None) -> str:
        """Headless: update until a stopping rule fires. Returns why it stopped."""
        while self.finished is None:
            metrics = self.step()
            if on_metrics is not None:
                on_metrics(metrics)
        return self.finished

    def snapshot(self) -> PolicySnapshot:
        return PolicySnapshot.of(self.learner.policy, self.learner.obs_spec, self.config.hidden,
                                 self.learner.global_step, self.learner.updates)


class TrainingThread:
    """A `TrainingRun` on a daemon thread, driven by commands and observed through queues.

    Messages on `messages`: {"kind": "metrics", ...}, {"kind": "finished", "reason": ...},
    {"kind": "failed", "message": ..., "traceback": ...}. Snapshots on `snapshots`: `PolicySnapshot`.
    """

    def __init__(self, level: Level, config: PPOConfig = PPOConfig(), goal: TrainingGoal = TrainingGoal(),
                 pause_between_updates: float = 0.0):
        self.level, self.config, self.goal = level, config, goal
        self.pause_between_updates = pause_between_updates
        self.messages: queue.Queue[dict] = queue.Queue()
        self.snapshots: queue.Queue[PolicySnapshot] = queue.Queue()
        self.commands: queue.Queue[str] = queue.Queue()
        self.state = "idle"  # idle, running, paused, finished, stopped, failed
        self.training: TrainingRun | None = None
        self._thread = threading.Thread(target=self._main, name="mesa-sandbox-learner", daemon=True)

    # --- commands (any thread) -------------------------------------------------------------------------------
    def start(self) -> None:
        self.state = "running"
        self._thread.start()

    def pause(self) -> None:
        self.commands.put("pause")

    def resume(self) -> None:
        self.commands.put("resume")

    def stop(self) -> None:
        self.commands.put("stop")

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # --- the training thread ---------------------------------------------------------------------------------
    def _main(self) -> None:
        try:
            # One torch thread: two OpenMP threads collapse ~100x when another program (the window) holds a core.
            torch.set_num_threads(1)
            self.training = run = TrainingRun(self.level, self.config, self.goal)
            self.snapshots.put(run.snapshot())
            paused = False
            while True:
                while True:  # apply every waiting command; while paused, wait for one
                    try:
                        command = self.commands.get(timeout=0.05) if paused else self.commands.get_nowait()
                    except queue.Empty:
                        if paused:
                            continue
                        break
                    if command == "stop":
                        run.finished = "stopped"
                        break
                    paused = command == "pause" or (paused and command != "resume")
                    self.state = "paused" if paused else "running"
                if run.finished:
                    break
                metrics = run.step()
                self.messages.put({"kind": "metrics", **metrics})
                self.snapshots.put(run.snapshot())
                if run.finished:
                    break
                if self.pause_between_updates:
                    time.sleep(self.pause_between_updates)
            self.state = "stopped" if run.finished == "stopped" else "finished"
            self.messages.put({"kind": "finished", "reason": run.finished, "seconds": run.seconds,
                               "steps": run.learner.global_step})
        except Exception as exc:  # the app must survive any learner failure: report it instead
            self.state = "failed"
            self.messages.put({"kind": "failed", "message": f"{type(exc).__name__}: {exc}",
                               "traceback": traceback.format_exc()})
