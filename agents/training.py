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


def training_loop(level: Level, config: PPOConfig, goal: TrainingGoal, commands, messages, snapshots, set_state,
                  pause_between_updates: float = 0.0, on_run=None) -> None:
    """The learner's side of the protocol, the same on a thread or in a worker process: take commands, train,
    publish metrics and snapshots, report how it ended. Never raises."""
    try:
        # One torch thread: two OpenMP threads collapse ~100x when another program (the window) holds a core.
        torch.set_num_threads(1)
        run = TrainingRun(level, config, goal)
        if on_run is not None:
            on_run(run)
        snapshots.put(run.snapshot())
        paused = False
        while True:
            while True:  # apply every waiting command; while paused, wait for one
                try:
                    command = commands.get(timeout=0.05) if paused else commands.get_nowait()
                except queue.Empty:
                    if paused:
                        continue
                    break
                if command == "stop":
                    run.finished = "stopped"
                    break
                paused = command == "pause" or (paused and command != "resume")
                set_state("paused" if paused else "running")
            if run.finished:
                break
            metrics = run.step()
            messages.put({"kind": "metrics", **metrics})
            snapshots.put(run.snapshot())
            if run.finished:
                break
            if pause_between_updates:
                time.sleep(pause_between_updates)
        set_state("stopped" if run.finished == "stopped" else "finished")
        messages.put({"kind": "finished", "reason": run.finished, "seconds": run.seconds,
                      "steps": run.learner.global_step})
    except Exception as exc:  # the app must survive any learner failure: report it instead
        set_state("failed")
        messages.put({"kind": "failed", "message": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()})


class TrainingThread:
    """A `TrainingRun` on a daemon thread, driven by commands and observed through queues.

    Messages on `messages`: {"kind": "metrics", ...}, {"kind": "finished", "reason": ...},
    {"kind": "failed", "message": ..., "traceback": ...}. Snapshots on `snapshots`: `PolicySnapshot`.
    Headless use (tests, scripts) is deterministic for a seed; the window uses `TrainingProcess`.
    """

    def __init__(self, level: Level, config: PPOConfig = PPOConfig(), goal: TrainingGoal = TrainingGoal(),
                 pause_between_updates: float = 0.0):
        self.level, self.config, self.goal = level, config, goal
        self.pause_between_updates = pause_between_updates
        self.messages: queue.Queue[dict] = queue.Queue()
        self.snapshots: queue.Queue[PolicySnapshot] = queue.Queue()
        self.commands: queue.Queue[str] = queue.Queue()
        self._commands = self.commands  # where pause/resume/stop go: a worker process has its own queue
        self.state = "idle"  # idle, running, paused, finished, stopped, failed
        self.training: TrainingRun | None = None
        self._thread = threading.Thread(target=self._main, name="mesa-sandbox-learner", daemon=True)

    def start(self) -> None:
        self.state = "running"
        self._thread.start()

    def pause(self) -> None:
        self._commands.put("pause")

    def resume(self) -> None:
        self._commands.put("resume")

    def stop(self) -> None:
        self._commands.put("stop")

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _main(self) -> None:
        training_loop(self.level, self.config, self.goal, self.commands, self.messages, self.snapshots,
                      lambda state: setattr(self, "state", state), self.pause_between_updates,
                      on_run=lambda run: setattr(self, "training", run))


def _process_main(level_doc: dict, config: dict, goal: dict, commands, messages, snapshots) -> None:
    from levels.format import parse_level
    training_loop(parse_level(level_doc), PPOConfig.from_dict(config), TrainingGoal(**goal), commands, messages,
                  snapshots, lambda state: messages.put({"kind": "state", "state": state}))


class TrainingProcess(TrainingThread):
    """The same protocol with the learner in a worker process: the window's thread and the learner never share a
    GIL. Measured on 2 cores (benchmarks/ui_frames.py, docs/results.md): a learner thread stepping physics worlds in
    Python held the GIL long enough to drop the window to ~43 FPS and itself to ~20 % of its headless speed.

    A pump thread in this process moves what the worker publishes into the same `messages` and `snapshots` queues
    a `TrainingThread` has, and keeps `state` current."""

    def __init__(self, level: Level, config: PPOConfig = PPOConfig(), goal: TrainingGoal = TrainingGoal()):
        super().__init__(level, config, goal)
        import dataclasses
        import multiprocessing
        from levels.format import level_to_dict
        ctx = multiprocessing.get_context("spawn")  # never fork a process that holds a window
        self._commands = ctx.Queue()
        self._messages = ctx.Queue()
        self._snapshots = ctx.Queue()
        self._process = ctx.Process(target=_process_main, name="mesa-sandbox-learner", daemon=True,
                                    args=(level_to_dict(level), config.to_dict(), dataclasses.asdict(goal),
                                          self._commands, self._messages, self._snapshots))
        self._thread = threading.Thread(target=self._pump, name="mesa-sandbox-learner-pump", daemon=True)

    def start(self) -> None:
        self.state = "running"
        self._process.start()
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        self._process.join(timeout)
        if self._process.is_alive():
            return False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def _pump(self) -> None:
        ended, dead_since = False, None
        while True:
            got = False
            for source in (self._snapshots, self._messages):
                while True:
                    try:
                        item = source.get_nowait()
                    except (queue.Empty, EOFError, OSError):
                        break
                    got = True
                    if source is self._snapshots:
                        self.snapshots.put(item)
                    elif item["kind"] == "state":
                        self.state = item["state"]
                    else:
                        self.messages.put(item)
                        ended = ended or item["kind"] in ("finished", "failed")
            if self._process.is_alive():
                if not got:
                    time.sleep(0.02)
                continue
            # The worker is gone: its last writes may still be in the pipes for a moment.
            dead_since = dead_since or time.monotonic()
            if ended and not got:
                break
            if time.monotonic() - dead_since > 2.0:
                if not ended:
                    self.state = "failed"
                    self.messages.put({"kind": "failed", "traceback": "", "message": "the learner process ended "
                                       f"unexpectedly (exit code {self._process.exitcode})"})
                break
            if not got:
                time.sleep(0.02)
