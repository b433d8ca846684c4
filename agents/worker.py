"""A training run beside the caller: on a thread (headless: tests, scripts) or in a worker process (the window).

The protocol (see docs/design.md): the learner owns its run and its envs and shares nothing mutable with its
caller. It publishes immutable `PolicySnapshot`s on `snapshots` and typed messages on `messages` (`Progress`,
`Finished`, `Failed`), and takes commands (pause, resume, stop) through a queue. Any exception becomes a `Failed`
message with the traceback; the caller never crashes. Both kinds of learner drive the same `training_loop`.
"""
from __future__ import annotations

import dataclasses
import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass

import torch

from levels.format import Level, parse_level

from agents.policy import PolicySnapshot
from agents.training import StopReason, TrainingGoal, TrainingRun, TrainingSettings


@dataclass(frozen=True)
class Progress:
    """After each update: the learner's numbers and the point it added to the training curve."""

    steps: int
    episodes: int
    update: int
    training_success: float | None  # None until enough episodes have finished to measure it honestly
    mean_return: float
    steps_per_second: float
    seconds: float
    point: dict | None  # the point added to the training curve, if one was
    confirmed_success: float | None = None


@dataclass(frozen=True)
class Finished:
    reason: str  # a StopReason
    seconds: float
    steps: int
    success: float | None = None  # at the target: training success on fresh episodes after the decision
    interval: tuple[float, float] | None = None  # its 95 % interval


@dataclass(frozen=True)
class Failed:
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class StateChanged:  # only between a worker process and its pump thread
    state: str


def progress_of(metrics: dict) -> Progress:
    return Progress(metrics["steps"], metrics["episodes"], metrics["update"], metrics["training_success"],
                    metrics["return"], metrics["steps_per_second"], metrics["seconds"], metrics["point"],
                    metrics.get("confirmed_success"))


def _wait_for_start(commands, set_state) -> TrainingGoal | None:
    """A learner started ahead of time waits here, ready, for ("start", goal); None if told to stop instead."""
    set_state("ready")
    while True:
        command = commands.get()
        if command == "stop":
            return None
        if isinstance(command, tuple) and command[0] == "start":
            return command[1]


def training_loop(level: Level, settings: TrainingSettings, goal: TrainingGoal, commands, messages, snapshots,
                  set_state, pause_between_updates: float = 0.0, on_run=None,
                  wait_for_start: bool = False) -> None:
    """The learner's side of the protocol, the same on a thread or in a worker process: take commands, train,
    publish progress and snapshots, report how it ended. Never raises.

    With `wait_for_start` the learner gets ready (torch loaded, worlds built) and waits for `begin(goal)`: the
    window starts one when a level opens, so Train starts learning at once instead of after a few seconds."""
    try:
        # One torch thread: two OpenMP threads collapse ~100x when another program (the window) holds a core.
        torch.set_num_threads(1)
        run = TrainingRun(level, settings, goal)
        if wait_for_start:
            run.goal = _wait_for_start(commands, set_state)
            if run.goal is None:
                set_state("stopped")
                return
        if on_run is not None:
            on_run(run)
        snapshots.put(run.snapshot())
        set_state("running")
        told = _Commands(commands, set_state)
        while True:
            if told.stop():
                run.finished = StopReason.STOPPED
                break
            messages.put(progress_of(run.step(between=told.stop)))  # (heard inside a long update too)
            snapshots.put(run.snapshot())
            if run.finished:
                break
            if pause_between_updates:
                time.sleep(pause_between_updates)
        set_state("stopped" if run.finished == StopReason.STOPPED else "finished")
        messages.put(Finished(run.finished, run.seconds, run.optimizer.global_step, run.confirmed_success,
                              run.confirmed_interval))
    except Exception as exc:  # the app must survive any learner failure: report it instead
        set_state("failed")
        messages.put(Failed(f"{type(exc).__name__}: {exc}", traceback.format_exc()))


class _Commands:
    """The caller's commands as the learner takes them, between updates and inside one."""

    def __init__(self, commands, set_state):
        self.commands, self.set_state, self.paused = commands, set_state, False

    def stop(self) -> bool:
        """Apply every waiting command; while paused, wait for one. True once told to stop."""
        while True:
            try:
                command = self.commands.get(timeout=0.05) if self.paused else self.commands.get_nowait()
            except queue.Empty:
                if self.paused:
                    continue
                return False
            if command == "stop":
                return True
            self.paused = command == "pause" or (self.paused and command != "resume")
            self.set_state("paused" if self.paused else "running")


class TrainingWorker:
    """What a caller drives: start, pause, resume, stop, join; `messages`, `snapshots` and `state` to watch.

    `state` is one of idle, starting, ready (started ahead of time, waiting for `begin`), running, paused,
    finished, stopped, failed."""

    def __init__(self, level: Level, settings: TrainingSettings, goal: TrainingGoal, commands):
        self.level, self.settings, self.goal = level, settings, goal
        self.messages: queue.Queue = queue.Queue()
        self.snapshots: queue.Queue[PolicySnapshot] = queue.Queue()
        self._commands = commands
        self.state = "idle"
        self._begun = False

    def _set_state(self, state: str) -> None:
        """The learner's own word on its state. "ready" after `begin` is stale: the start is already on its way."""
        if not (state == "ready" and self._begun):
            self.state = state

    def start(self) -> None:
        raise NotImplementedError

    def join(self, timeout: float | None = None) -> bool:
        raise NotImplementedError

    @property
    def alive(self) -> bool:
        raise NotImplementedError

    def begin(self, goal: TrainingGoal) -> None:
        """Start a learner that was started ahead of time (`wait_for_start`), towards `goal`."""
        self._begun = True
        self._commands.put(("start", goal))

    def discard(self) -> None:
        """Drop a learner that never began: it has learned nothing, so nobody waits for it to finish loading."""
        self.stop()

    def pause(self) -> None:
        self._commands.put("pause")

    def resume(self) -> None:
        self._commands.put("resume")

    def stop(self) -> None:
        self._commands.put("stop")


class TrainingThread(TrainingWorker):
    """The learner on a daemon thread of this process. Deterministic for a seed; `training` is the live run."""

    def __init__(self, level: Level, settings: TrainingSettings = TrainingSettings(),
                 goal: TrainingGoal = TrainingGoal(), pause_between_updates: float = 0.0, wait_for_start: bool = False):
        super().__init__(level, settings, goal, queue.Queue())
        self.training: TrainingRun | None = None
        self._thread = threading.Thread(target=self._main, name="mesa-sandbox-learner", daemon=True)
        self._pause_between_updates = pause_between_updates
        self._wait_for_start = wait_for_start

    def start(self) -> None:
        self.state = "starting"
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _main(self) -> None:
        training_loop(self.level, self.settings, self.goal, self._commands, self.messages, self.snapshots,
                      self._set_state, self._pause_between_updates,
                      on_run=lambda run: setattr(self, "training", run), wait_for_start=self._wait_for_start)


EXIT_SECONDS = 5.0  # a worker that has reported how its run ended is ended if it has not exited this long after


def _process_main(level_doc: dict, settings: dict, goal: dict, commands, messages, snapshots,
                  wait_for_start: bool) -> None:
    training_loop(parse_level(level_doc), TrainingSettings.from_flat(settings), TrainingGoal(**goal), commands,
                  messages, snapshots, lambda state: messages.put(StateChanged(state)),
                  wait_for_start=wait_for_start)
    # Everything is said: flush the queues, then leave without tearing the interpreter down. Its stacks, dumped
    # while a worker was slow to exit, showed it in the final garbage collection of torch's objects (1-4 s of CPU
    # here, far more on a loaded machine); snapshots travel by value, so nothing needs this process any more. If
    # flushing ever hangs, the stacks go to stderr before the window's side ends it (EXIT_SECONDS).
    faulthandler.dump_traceback_later(EXIT_SECONDS - 1.0, exit=False)
    for outgoing in (messages, snapshots):
        outgoing.close()
        outgoing.join_thread()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class TrainingProcess(TrainingWorker):
    """The learner in a worker process: the window's thread and the learner never share a GIL. Measured on 2 cores
    (benchmarks/ui_frames.py, docs/design.md): a learner thread stepping physics worlds in Python held the GIL long
    enough to drop the window to ~43 FPS and itself to ~20 % of its headless speed.

    A pump thread in this process moves what the worker publishes into ordinary queues and keeps `state` current;
    a worker that dies without a word becomes a `Failed` message."""

    def __init__(self, level: Level, settings: TrainingSettings = TrainingSettings(),
                 goal: TrainingGoal = TrainingGoal(), wait_for_start: bool = False):
        ctx = multiprocessing.get_context("spawn")  # never fork a process that holds a window
        super().__init__(level, settings, goal, ctx.Queue())
        self._from_worker = ctx.Queue()
        self._snapshots_from_worker = ctx.Queue()
        self._process = ctx.Process(target=_process_main, name="mesa-sandbox-learner", daemon=True,
                                    args=(level.to_document(), settings.flat(), dataclasses.asdict(goal),
                                          self._commands, self._from_worker, self._snapshots_from_worker,
                                          wait_for_start))
        self._pump_thread = threading.Thread(target=self._pump, name="mesa-sandbox-learner-pump", daemon=True)

    def start(self) -> None:
        self.state = "starting"  # the worker takes a few seconds to load torch
        self._process.start()
        self._pump_thread.start()

    def join(self, timeout: float | None = None) -> bool:
        self._process.join(timeout)
        if self._process.is_alive():
            return False
        self._pump_thread.join(timeout)
        return not self._pump_thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def discard(self) -> None:
        if self._begun or not self._process.is_alive():
            self.stop()
        else:
            self._process.terminate()  # still loading torch: it would read "stop" only seconds from now

    def _drain(self) -> tuple[bool, bool]:
        """Move everything waiting from the worker; (anything moved, the end was reported)."""
        got = ended = False
        for source in (self._snapshots_from_worker, self._from_worker):
            while True:
                try:
                    item = source.get_nowait()
                except (queue.Empty, EOFError, OSError):
                    break
                got = True
                if isinstance(item, PolicySnapshot):
                    self.snapshots.put(item)
                elif isinstance(item, StateChanged):
                    self._set_state(item.state)
                else:
                    self.messages.put(item)
                    ended = ended or isinstance(item, (Finished, Failed))
        return got, ended

    def _exited(self, timeout: float = 0.0) -> bool:
        """Whether the worker has exited, waiting up to `timeout`. Read off its sentinel, never by reaping it: two
        threads reaping one child race (the pump's `is_alive` took the exit status, and the caller's `join` then
        found the worker "alive" though it was gone; a test waited for it in vain)."""
        return bool(multiprocessing.connection.wait([self._process.sentinel], timeout))

    def _pump(self) -> None:
        ended_at, dead_since = None, None
        while True:
            got, just_ended = self._drain()
            if just_ended and ended_at is None:
                ended_at = time.monotonic()
            if not self._exited():
                if ended_at is not None and time.monotonic() - ended_at > EXIT_SECONDS:
                    # It has said all it will say (snapshots travel by value): a worker slow to exit, or stuck on
                    # its way out, must not outlive its run.
                    self._process.terminate()
                    if not self._exited(1.0):
                        self._process.kill()
                if not got:
                    time.sleep(0.02)
                continue
            # The worker is gone: its last writes may still be in the pipes for a moment.
            dead_since = dead_since or time.monotonic()
            if ended_at is not None and not got:
                break
            if time.monotonic() - dead_since > 2.0:
                if ended_at is None:
                    self.state = "failed"
                    self.messages.put(Failed("the learner process ended unexpectedly "
                                             f"(exit code {self._process.exitcode})"))
                break
            if not got:
                time.sleep(0.02)
