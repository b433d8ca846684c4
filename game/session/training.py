"""The window's handle on its learner: start, pause, resume, stop; the training curve, the latest numbers, the
status line and the newest policy, all read from the learner's messages and snapshots.

The learner itself is an `agents.worker.TrainingWorker` (a worker process in the window; tests may pass a thread class).
A learner replaced by a new run or a loaded agent is stopped at once and joined when the handle is closed.
"""
from __future__ import annotations

import queue
import time

from levels.format import Level

from agents.worker import Failed, Finished, Progress, TrainingProcess
from agents.policy import Policy, PolicySnapshot
from agents.training import StopReason, TrainingGoal, TrainingSettings

REBUILD_SECONDS = 0.25  # building a network from a snapshot costs a little: a few times a second is enough

FINISHED_STATUS = {StopReason.STOPPED: "Stopped.", StopReason.TIME_BUDGET: "Stopped: time budget used.",
                   StopReason.STEP_BUDGET: "Stopped: step budget used."}


def reached_words(finished: Finished) -> str:
    """The end of a run that reached its target, with the independent check made after the decision."""
    words = f"Reached the target in {finished.seconds:.1f}s"
    if finished.success is None or finished.interval is None:
        return words + "."
    low, high = finished.interval
    return words + f"; checked on fresh episodes: {finished.success:.0%} ({low:.0%}-{high:.0%})."


class TrainingHandle:
    def __init__(self, level: Level, settings: TrainingSettings, target: float, max_seconds: float = 600.0,
                 worker_class=TrainingProcess):
        self.level, self.settings, self.target, self.max_seconds = level, settings, target, max_seconds
        self.worker_class = worker_class
        self.worker = None  # the run on screen
        self.spare = None  # a learner started ahead of time, ready for the next Train
        self.retired: list = []
        self.curve: list[dict] = []  # the learner's own curve points (agents.training.TrainingRun.step)
        self.progress: Progress | None = None
        self.snapshot: PolicySnapshot | None = None
        self.network: Policy | None = None
        self.status = "Press Train to start the learner."
        self.finished: Finished | None = None  # how the current run ended, once its last message was read
        self.failures: list[Failed] = []  # for the screen to show, then clear
        self._pending: PolicySnapshot | None = None
        self._last_build = 0.0

    @property
    def state(self) -> str:
        return self.worker.state if self.worker is not None else "idle"

    @property
    def active(self) -> bool:
        return self.state in ("starting", "running", "paused")

    def prepare(self) -> None:
        """Start the next learner now (loading torch takes a few seconds), so that Train starts at once."""
        if self.spare is None:
            self.spare = self.worker_class(self.level, self.settings, TrainingGoal(), wait_for_start=True)
            self.spare.start()

    # --- commands ----------------------------------------------------------------------------------------------
    def toggle(self) -> bool:
        """Train (a fresh agent), pause or resume. Returns True when a fresh run started."""
        if self.state == "starting":
            return False  # Train was pressed; the learner is on its way
        if self.state == "running":
            self.worker.pause()
            self.worker.state = "paused"  # shown at once; the learner pauses at its next world step or minibatch
            self.status = "Paused."
        elif self.state == "paused":
            self.worker.resume()
            self.worker.state = "running"
            self.status = "Training..."
        else:
            self._retire()
            self.curve, self.progress, self.finished = [], None, None
            self.prepare()
            self.worker, self.spare = self.spare, None
            self.worker.begin(TrainingGoal(target=self.target, max_seconds=self.max_seconds))
            if self.worker.state == "ready":
                self.worker.state = "running"  # shown at once; the learner starts with its next command
            self.status = "Training..."
            return True
        return False

    def stop(self) -> None:
        if self.worker is not None and self.worker.alive:
            self.worker.stop()
            self.status = "Stopping..."

    def adopt(self, snapshot: PolicySnapshot, settings: TrainingSettings, curve: list[dict], status: str) -> None:
        """Use a loaded agent: whatever was training is stopped, its messages are no longer read."""
        self._retire()
        # The next run trains with the agent's settings (compared as written: a file spells out the step size that
        # the window leaves to the kind).
        if settings.flat() != self.settings.flat() and self.spare is not None:
            self.spare.discard()
            self.spare = None
        self.settings = settings
        self.curve = [dict(point) for point in curve]
        self.progress, self.finished = None, None
        self._pending = None
        self._use(snapshot)
        self.status = status

    def reconfigure(self, settings: TrainingSettings, status: str) -> None:
        """Train with other settings (another kind of agent) from now on: the run and the agent on screen go."""
        self._retire()
        if self.spare is not None:
            self.spare.discard()
            self.spare = None
        self.settings = settings
        self.curve, self.progress, self.finished, self._pending = [], None, None, None
        self.snapshot, self.network = None, None
        self.status = status
        self.prepare()

    def close(self) -> None:
        self._retire()
        if self.spare is not None:
            self.spare.discard()  # nothing learned yet: no need to wait for it
            self.spare = None
        for learner in self.retired:
            learner.join(timeout=5)
        self.retired = []

    def _retire(self) -> None:
        if self.worker is not None:
            if self.worker.alive:
                self.worker.stop()
            self.retired.append(self.worker)
            self.worker = None

    # --- each frame --------------------------------------------------------------------------------------------
    def poll(self) -> bool:
        """Read what the learner published. Returns True when a new network is in use."""
        learner = self.worker
        if learner is None:
            return False
        while True:
            try:
                message = learner.messages.get_nowait()
            except queue.Empty:
                break
            if isinstance(message, Progress):
                self.progress = message
                if message.point is not None:
                    self.curve.append(message.point)
            elif isinstance(message, Finished):
                self.finished = message
                self.status = (reached_words(message) if message.reason == StopReason.TARGET
                               else FINISHED_STATUS.get(message.reason, message.reason))
                self.prepare()
            elif isinstance(message, Failed):
                self.status = "The learner failed (see the message)."
                self.failures.append(message)
                self.prepare()
        while True:
            try:
                self._pending = learner.snapshots.get_nowait()
            except queue.Empty:
                break
        if self._pending is not None and time.monotonic() - self._last_build > REBUILD_SECONDS:
            self._use(self._pending)
            self._pending = None
            return True
        return False

    def _use(self, snapshot: PolicySnapshot) -> None:
        self.snapshot = snapshot
        self.network = snapshot.build()
        self._last_build = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.curve[-1]["seconds"] if self.curve else 0.0
