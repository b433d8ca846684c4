"""The deployment view's *Predict first*: a lesson of three steps (predict, watch, reveal) made on the spot for the
agent on screen; on a level whose rules apply only while someone watches, a prediction and a reveal per condition."""
from __future__ import annotations

from levels.format import Level

from agents.evaluation import conditions
from game.session.lesson import FORMAT_NAME, FORMAT_VERSION, Lesson, LessonFile

MAX_CONDITIONS_ASKED = 4  # once per condition: up to two entities that decide a rule


def can_predict(level: Level) -> bool:
    """Whether "Predict first" can ask about this level: once per condition, so not where more than
    MAX_CONDITIONS_ASKED combinations of who is present decide the rules."""
    return len(conditions(level)) <= MAX_CONDITIONS_ASKED


def prediction_lesson(level: Level) -> LessonFile:
    """The deployment view's "Predict first": predict, watch, reveal, on the agent already on screen; on a level
    whose rules apply only while someone watches, a prediction and a reveal for each condition."""
    asked = conditions(level) or [None]
    steps = [{"do": "predict", "title": f"What will it do{f' ({when})' if when else ''}?", "when": when,
              "text": ("At deployment the intended goal and the proxies no longer coincide. Before you watch: which "
                       "will this agent pursue? Click one, or type a show of hands beside each." if when is None else
                       f"In the {when} episodes only: which will it go for first? Click one, or type a show of "
                       "hands beside each."),
              "idea": "distributional shift"} for when in asked]
    steps.append({"do": "deploy", "title": "Watch", "text": "Which one does it head for?"})
    steps += [{"do": "reveal", "title": f"What it did{f' ({when})' if when else ''}", "when": when,
               "text": "Your prediction beside what it did in deployment episodes. Finish (or Esc) returns to the "
                       "deployment view.", "idea": "goal misgeneralization"} for when in asked]
    lesson = Lesson(format=FORMAT_NAME, version=FORMAT_VERSION, title="Predict first", level=level.name or "level",
                    steps=steps)
    return LessonFile(lesson, "", None, level)
