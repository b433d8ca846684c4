"""Where a class has been in its lessons: the trace of what it saw at each step (`lesson --trace`), and where each
lesson was left (so it resumes there). Nothing here imports pygame."""
from __future__ import annotations

import json
from pathlib import Path

from levels.files import atomic_write_text

from game.session.lesson import Step


class LessonTrace:
    """`lesson NAME --trace FILE`: one JSON line per step as the class saw it, read off the screen's real state when
    the step is left: how many deployment episodes had been played on screen since the lesson started, whether
    anything measured at deployment was on screen during the step, whether a prediction had been made, and how many
    episodes the reveal reported. It shows that nothing answered before the prediction."""

    def __init__(self, stream):
        self.stream = stream  # a text file opened by the caller, who closes it

    def write(self, index: int, step: Step, shown: int, measured: bool, predicted: bool, reveal: int) -> None:
        line = {"step": index + 1, "do": step.do, "deployment_episodes_shown": shown, "measured_visible": measured,
                "prediction_made": predicted, "reveal_episodes": reveal}
        try:
            self.stream.write(json.dumps(line) + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a trace that cannot be written must not stop the lesson


class LessonProgress:
    """Where each lesson was left, in the user's data folder, so a lesson can be left and resumed."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int)} \
            if isinstance(data, dict) else {}

    def step(self, name: str) -> int:
        return self.load().get(name, 0)

    def save(self, name: str, index: int) -> None:
        data = self.load()
        if index <= 0:
            data.pop(name, None)
        else:
            data[name] = index
        try:
            atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")
        except OSError:
            pass  # a lesson without a remembered place still works
