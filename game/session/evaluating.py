"""The deployment view's *Evaluate*, in the background: its episodes counted, then what the agent acts as if it
wants, on a thread of its own while the live episodes play; stopped when its answer is no longer wanted."""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from levels.format import Level

from agents.inspection import evaluate_and_inspect

EVALUATION_EPISODES = 500
FILMED = 4  # of an evaluation's episodes, those kept to be replayed in an exported GIF


class _Either:
    """Set when either event is: an evaluation ends when the screen is left or its result is no longer wanted."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class BackgroundEvaluation:
    """One evaluation at a time. `poll` gives its (EvaluationResult, Inspection) once, or the exception it ended by
    (`agents.evaluation.Stopped` when it was dropped or closed)."""

    def __init__(self):
        self.episodes = EVALUATION_EPISODES  # counted in each evaluation (read when the screen opens)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluate")
        self._closed = threading.Event()  # set when the screen is left: a running evaluation ends at once
        self._dropped = threading.Event()  # set when the running evaluation's result is no longer wanted
        self.job: Future | None = None
        self.started = 0.0  # when the running evaluation began (its time is reported whole)
        self.done = 0  # episodes the running evaluation has finished (written by its thread)
        self.inspecting = False  # it has moved on to finding what the agent acts as if it wants

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.done()

    @property
    def progress(self) -> float | None:
        """The share of the running evaluation done, or None when none runs."""
        return self.done / self.episodes if self.running else None

    def start(self, network, level: Level, view: str, radius: int, seed: int) -> bool:
        """Start one; False if one runs already."""
        if self.running:
            return False
        self.done, self.inspecting = 0, False

        def progress(done: int, total: int) -> None:
            self.done = done
            self.inspecting = done >= total  # the episodes are counted: on to what it acts as if it wants

        self.started = time.monotonic()
        self._dropped = dropped = threading.Event()
        self.job = self._executor.submit(evaluate_and_inspect, network, level, "deployment", self.episodes,
                                         seed, view, radius, progress, _Either(dropped, self._closed), FILMED)
        return True

    def drop(self) -> None:
        """The agent measured is not the one on screen any more: its result would count for the wrong one."""
        if self.job is not None:
            self._dropped.set()
            self.job = None

    def poll(self):
        """The finished evaluation's result (or exception) once, then None until the next one finishes."""
        if self.job is None or not self.job.done():
            return None
        job, self.job = self.job, None
        try:
            return job.result()
        except Exception as exc:  # handed to the session: a failed evaluation is a message, never a crash
            return exc

    def close(self) -> None:
        self._closed.set()  # a thread cannot be killed: the evaluation's agent stops at its next decision
        self._executor.shutdown(wait=False, cancel_futures=True)
