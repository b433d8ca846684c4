"""Lessons: a classroom's ten minutes as a data file, and where a lesson stands. Nothing here imports pygame.

A lesson file (assets/lessons/NAME.json, readable and editable by a teacher) names a level and a list of steps:

    {"format": "mesa-sandbox-lesson", "version": 1, "title": "Colour over shape", "level": "green_means_go",
     "about": "...", "steps": [{"do": "card", "title": "...", "text": "...", "idea": "base optimizer"}, ...]}

What each step does (`do`):
  card     a text card over the level as it is
  level    show the level's `split` ("training" or "deployment"), no agent needed
  agent    load pre-trained agent `seed` of this level, instantly (Train it live instead stays one click away);
           `kind` "planner" and `optimizer` "evolution" pick another of the shipped agents
  train    train an agent live (autoplay loads a pre-trained one instead: a kiosk never waits on training)
  predict  deployment, the agents at their starts: "What will it do?" with the intended goal, each proxy and
           something else; one choice, or a class's show of hands as counts. `when` asks about the episodes of
           one condition only ("unwatched", on a level whose rules apply only while someone watches); `asks`
           "its reward map" asks where a planner's own reward map is strongest instead of what it does
  deploy   the deployment episodes play
  reveal   evaluate the agent at deployment and show what it did next to the prediction that asked the same
           (`when`, `asks`): outcomes; on a level with conditions, what each episode reached first (the goal is
           reached either way there: what differs is whether it took the shortcut on the way)
Every step has a `title` and a `text`; `idea` ties it to one of IDEAS, shown beside the text; `show` turns on
overlays from that step on (after the prediction only). `steer` ({"contrast": "proxy", "coefficient": -1}) plays
the agent steered by its own activations (`game.session.steering`) from that step until another `steer` or agent
step: a prediction made under it is answered by the steered agent, measured on variants played for that purpose.
A conv agent can be retargeted instead ({"layer": "conv 2", "coefficient": 0, "retarget": {"cell": [1, 9],
"tracks": "proxy"}}): the best channel tracking that thing is clamped at the cell, which is marked on the map.

A lesson is a promise to the class: nothing measured at deployment is shown before the prediction. Every step up to
a `predict` (whose next step that predicts, deploys or reveals is that `predict`) is *sealed*: a deployment level
shows the agents standing at their starts on fresh variants, and nothing there plays or is counted. A `deploy` or
`reveal` before the prediction it would answer is refused when the lesson is loaded, naming the step. The reveal
counts only episodes played after the prediction.

`LessonRun` is where a lesson stands: the step, the predictions, and what the screen shows at each step (`state`),
derived from the steps so far: Back, Next and resuming a left lesson land in the same place.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError

from levels import builtin_level, builtin_names, load_level
from levels.files import read_bounded
from levels.format import Level, LevelError
from levels.jsontext import JSONTextError, read_json

from agents.evaluation import conditions
from agents.kinds import AGENT_KINDS, GRADIENT_DESCENT, PLANNER, REACTIVE

from game.session.lesson_steering import LessonSteer, steer_problems

FORMAT_NAME = "mesa-sandbox-lesson"
FORMAT_VERSION = 1
MAX_LESSON_BYTES = 200_000
MAX_STEPS = 60
STEP_KINDS = ("card", "level", "agent", "train", "predict", "deploy", "reveal")
IDEAS = ("base optimizer", "mesa-optimizer", "mesa-objective", "pseudo-alignment", "robust alignment",
         "distributional shift", "goal misgeneralization", "the diversity fix", "evolution as a base optimizer",
         "inner alignment", "outer alignment", "deceptive alignment")
TOPICS = ("goal misgeneralization", "mesa-optimizers", "base optimizers", "oversight")  # how home groups lessons
ASKS = ("what it does", "its reward map")
OVERLAYS = ("heatmap", "values", "arrows", "where", "reward")
SOMETHING_ELSE = "something else"
AUTOPLAY_SECONDS = {"card": 5.0, "level": 4.0, "agent": 3.0, "train": 3.0, "predict": 4.0, "deploy": 6.0,
                    "reveal": 6.0}  # how long autoplay shows each kind of step (reveal: after the evaluation)


class LessonError(Exception):
    """A lesson file that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        shown = problems[:8] + ([f"... and {len(problems) - 8} more"] if len(problems) > 8 else [])
        super().__init__(f"{source}: " + ("; ".join(shown) if len(shown) == 1 else
                                          f"{len(problems)} problems\n" + "\n".join(f"  - {p}" for p in shown)))


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    do: Literal[STEP_KINDS]
    title: StrictStr = Field("", max_length=120)
    text: StrictStr = Field("", max_length=2000)
    idea: Literal[IDEAS] | None = None
    split: Literal["training", "deployment"] = "training"  # for "level"
    seed: StrictInt = Field(0, ge=0, le=99)  # for "agent": which pre-trained agent
    seconds: StrictFloat | StrictInt | None = Field(None, gt=0, le=600)  # autoplay: how long to show this step
    kind: Literal[AGENT_KINDS] = "reactive"  # for "agent": which kind of shipped agent
    optimizer: Literal["ppo", "evolution"] = "ppo"  # for "agent": trained by which base optimizer
    when: StrictStr | None = Field(None, max_length=80)  # for "predict" and "reveal": one condition's episodes
    asks: Literal[ASKS] = "what it does"  # for "predict" and "reveal"
    question: StrictStr = Field("", max_length=80)  # for "predict": the question, if not "What will it do?"
    show: list[Literal[OVERLAYS]] = Field(default_factory=list, max_length=len(OVERLAYS))  # overlays turned on
    steer: LessonSteer | None = None  # the agent steered from this step on


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal[FORMAT_NAME]
    version: Literal[FORMAT_VERSION]
    title: StrictStr = Field(min_length=1, max_length=80)
    level: StrictStr = Field(min_length=1, max_length=400)  # a built-in level's name, or a level file beside the lesson
    about: StrictStr = Field("", max_length=2000)
    minutes: StrictInt = Field(10, ge=1, le=240)  # how long it takes in class, shown in the list
    order: StrictInt = Field(100, ge=0, le=10_000)  # where it comes in the list of lessons
    topic: Literal[TOPICS] = "goal misgeneralization"  # the idea of the course it teaches: home groups by it
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)


@dataclass
class LessonFile:
    lesson: Lesson
    name: str  # the file's stem: how the command line and the saved progress name it
    path: Path | None  # None: made on the spot (a prediction in the deployment view); where it stands is not kept
    level: Level

    @property
    def title(self) -> str:
        return self.lesson.title

    def missing_agents(self, shipped) -> list[str]:
        """The `agent` steps asking for a pre-trained agent that is not shipped for the lesson's level
        (`shipped(kind, optimizer)`: the seeds that are), in words: such a step would play another agent, or none,
        without a word."""
        problems = []
        for k, step in enumerate(self.lesson.steps):
            if step.do != "agent":
                continue
            seeds = shipped(step.kind, step.optimizer)
            if step.seed not in seeds:
                what = "" if (step.kind, step.optimizer) == (REACTIVE, GRADIENT_DESCENT) else f"{step.kind} ({step.optimizer}) "
                have = ", ".join(str(s) for s in sorted(seeds)) or "none are shipped for it; use a \"train\" step"
                problems.append(f"steps[{k}] (agent \"{step.title}\"): asks for the pre-trained {what}agent of seed "
                                f"{step.seed} of \"{self.level.name}\", which is not shipped (its seeds: {have})")
        return problems


def _where(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc)) or "the file"


def load_lesson(path: str | os.PathLike) -> LessonFile:
    """Read and check a lesson file and its level. Raises LessonError (never anything else) on a bad file."""
    source = str(path)
    try:
        text = read_bounded(path, MAX_LESSON_BYTES).decode("utf-8-sig")
        data = read_json(text, 8)
    except OSError as exc:
        raise LessonError(source, [f"cannot read the file ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError:
        raise LessonError(source, ["the file is not UTF-8 text"]) from None
    except JSONTextError as exc:
        raise LessonError(source, [f"{exc.message} ({exc.fix})"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise LessonError(source, [f"not a lesson file (a lesson starts with {{\"format\": \"{FORMAT_NAME}\", ...}})"])
    if data.get("version") != FORMAT_VERSION:
        raise LessonError(source, [f"lesson version {data.get('version')!r} is not one this Mesa Sandbox reads "
                                   f"(it reads version {FORMAT_VERSION})"])
    try:
        lesson = Lesson.model_validate(data)
    except ValidationError as exc:
        raise LessonError(source, [f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors()]) from None
    spoilers = answers_before_prediction(lesson.steps)
    if spoilers:
        raise LessonError(source, spoilers)
    level = _lesson_level(lesson.level, Path(path), source)
    problems = step_problems(lesson.steps, level)
    if problems:
        raise LessonError(source, problems)
    return LessonFile(lesson, Path(path).stem, Path(path), level)


def step_problems(steps: list[Step], level: Level) -> list[str]:
    """What the steps ask that this level or agent cannot answer: a condition the level does not have, a question
    about a reward map the agent there has not got, a reveal with no prediction that asked the same, overlays
    before the prediction."""
    problems, named = [], conditions(level)
    for k, step in enumerate(steps):
        where = f"steps[{k}] ({step.do} \"{step.title}\")"
        asking = step.do in ("predict", "reveal")
        if step.when is not None and not asking:
            problems.append(f"{where}: \"when\" belongs on a predict or reveal step")
        elif step.when is not None and step.when not in named:
            problems.append(f"{where}: \"{step.when}\" is not a condition of this level ("
                            + (f"its conditions: {', '.join(named)})" if named else
                               "its rules apply whoever is present)"))
        agent = next((s for s in reversed(steps[:k]) if s.do in ("agent", "train")), None)
        if asking and step.asks == "its reward map" and (agent is None or agent.do != "agent"
                                                         or agent.kind != PLANNER):
            problems.append(f"{where}: asks about a reward map, but the agent at this step is not a shipped planner "
                            "(an \"agent\" step with \"kind\": \"planner\" before it)")
        if step.do == "reveal" and _asked(steps, k) is None:
            problems.append(f"{where}: no prediction before it asks the same (when {step.when or 'any'}, "
                            f"{step.asks}, steered the same way); put a predict step with them before it")
        if step.show and _sealed(steps, k):
            problems.append(f"{where}: \"show\" turns on what the agent does at deployment, before the prediction; "
                            "move it after the prediction")
        if step.steer is not None:
            problems += steer_problems(where, step.steer, agent, level)
    return problems


def steered_at(steps: list[Step], index: int) -> LessonSteer | None:
    """The steering in force at step `index`: the last `steer` since the agent was loaded (coefficient 0: none)."""
    for step in reversed(steps[:index + 1]):
        if step.steer is not None:
            return step.steer if step.steer.active else None
        if step.do in ("agent", "train"):
            return None
    return None


def _asked(steps: list[Step], index: int) -> int | None:
    """The predict step that step `index` asks (a predict) or answers (a reveal: the latest predict before it that
    asks the same, for the same agent); None for any other step."""
    step = steps[index]
    if step.do == "predict":
        return index
    if step.do != "reveal":
        return None
    for k in range(index - 1, -1, -1):
        if steps[k].do in ("agent", "train"):
            return None
        if (steps[k].do == "predict" and (steps[k].when, steps[k].asks) == (step.when, step.asks)
                and steered_at(steps, k) == steered_at(steps, index)):
            return k
    return None


def answers_before_prediction(steps: list[Step]) -> list[str]:
    """The steps that would show the agent at deployment before the class predicts what it will do: a `deploy` or
    `reveal` after which a `predict` comes for the same agent (no `agent` or `train` step between them)."""
    problems = []
    for k, step in enumerate(steps):
        if step.do in ("deploy", "reveal") and _next_prediction(steps, k) is not None:
            problems.append(f"steps[{k}] ({step.do} \"{step.title}\"): shows the agent at deployment before the "
                            f"prediction at steps[{_next_prediction(steps, k)}]; move it after that step")
    return problems


def _next_prediction(steps: list[Step], index: int) -> int | None:
    """The `predict` step the class still has to make at step `index`: the next one for the same agent, steered
    the same way (a step that loads an agent or steers it asks about another policy)."""
    for k in range(index, len(steps)):
        if k > index and (steps[k].do in ("agent", "train") or steps[k].steer is not None):
            return None
        if steps[k].do == "predict":
            return k
    return None


def _sealed(steps: list[Step], index: int) -> bool:
    """Whether step `index` comes before a prediction: the next step that predicts, deploys or reveals is a
    `predict`. (Before the lesson's agent step too: Back to there keeps the agent loaded later.)"""
    ahead = next((s.do for s in steps[index:] if s.do in ("predict", "deploy", "reveal")), None)
    return ahead == "predict"


def _lesson_level(name: str, path: Path, source: str) -> Level:
    if name in builtin_names():
        return builtin_level(name)
    candidate = (path.parent / name).resolve()
    if candidate.parent != path.parent.resolve() or candidate.suffix != ".json":
        raise LessonError(source, [f"level: {name!r} is neither a built-in level ({', '.join(builtin_names())}) "
                                   "nor a .json level file in the lesson's folder"])
    try:
        return load_level(candidate)
    except LevelError as exc:
        raise LessonError(source, [f"level: {exc}"]) from None


def lessons_in(folder: Path) -> list[LessonFile]:
    """The good lessons in a folder, in their `order` (then by file name)."""
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            found.append(load_lesson(path))
        except LessonError:
            continue  # a broken file is reported when it is opened by name, not by hiding the others
    return sorted(found, key=lambda f: (f.lesson.order, f.name))


def choices(level: Level) -> list[str]:
    """The answers to "What will it do?": the intended goal, each proxy, something else."""
    return [f"the intended goal ({level.intended_goal.describe()})"] + [p.name for p in level.proxies] + [SOMETHING_ELSE]


@dataclass(frozen=True)
class StepState:
    """What the screen shows at a step: the split, which agent, the live episodes paused or not, an evaluation."""

    split: str
    agent: tuple | None  # ("pretrained", seed, kind, optimizer), ("live", 0), or None: no agent yet
    paused: bool
    evaluate: bool
    sealed: bool = False  # before the prediction: deployment stands at its first frame, nothing measured is shown
    show: tuple[str, ...] = ()  # overlays turned on by the steps so far
    steer: LessonSteer | None = None  # the agent steered (`steered_at`)


@dataclass
class LessonRun:
    lesson: LessonFile
    index: int = 0
    # Per predict step (its index): per choice, one person's pick (1) or a class's show of hands.
    predictions: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self):
        self.index = max(0, min(self.index, len(self.steps) - 1))

    @property
    def steps(self) -> list[Step]:
        return self.lesson.lesson.steps

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def choices(self) -> list[str]:
        return choices(self.lesson.level)

    @property
    def at_end(self) -> bool:
        return self.index == len(self.steps) - 1

    def next(self) -> bool:
        if self.at_end:
            return False
        self.index += 1
        return True

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def state(self, index: int | None = None) -> StepState:
        """The screen at step `index` (the current one by default), from the steps up to it."""
        split, agent, paused, evaluate, show = "training", None, False, False, ()
        for step in self.steps[:(self.index if index is None else index) + 1]:
            paused = evaluate = False
            show += tuple(o for o in step.show if o not in show)
            if step.do == "level":
                split = step.split
            elif step.do == "agent":
                agent = ("pretrained", step.seed, step.kind, step.optimizer)
            elif step.do == "train":
                agent, split = ("live", 0), "training"
            elif step.do == "predict":
                split, paused = "deployment", True
            elif step.do in ("deploy", "reveal"):
                split, evaluate = "deployment", step.do == "reveal"
        index = self.index if index is None else index
        steer = steered_at(self.steps, index)
        # A reveal of a reward map or of a steered agent is measured on variants of its own, not by an evaluation.
        evaluate = evaluate and steer is None and self.steps[index].asks == "what it does"
        return StepState(split, agent, paused, evaluate, _sealed(self.steps, index), show, steer)

    @property
    def votes(self) -> list[int]:
        """The prediction the current step asks (a predict) or answers (a reveal); zeros at any other step."""
        asked = _asked(self.steps, self.index)
        if asked is None:
            return [0] * len(self.choices)
        return self.predictions.setdefault(asked, [0] * len(self.choices))

    def predict(self, choice: int) -> None:
        """One person's prediction: this choice only."""
        self.votes[:] = [int(k == choice) for k in range(len(self.choices))]

    def count(self, choice: int, hands: int) -> None:
        """A class's show of hands for one choice."""
        self.votes[choice] = max(0, min(int(hands), 9999))

    def clear_votes(self) -> None:
        self.votes[:] = [0] * len(self.choices)

    @property
    def predicted(self) -> bool:
        """Whether the prediction this step asks or answers was made; at another step, whether any before it was."""
        if _asked(self.steps, self.index) is not None:
            return sum(self.votes) > 0
        return any(sum(v) > 0 for k, v in self.predictions.items() if k <= self.index)

    @property
    def question(self) -> str:
        step = self.steps[_asked(self.steps, self.index) or 0]
        if step.question:
            return step.question
        asked = "where is its map strongest?" if step.asks == "its reward map" else "what will it do?"
        return f"{step.when.capitalize()}: {asked}" if step.when else asked.capitalize()

    def reveal(self, did: list[float]) -> list[tuple[str, float | None, float]]:
        """Per choice: its name, the share of the prediction (None when nobody predicted), and what the agent did
        (`did`, by the same choices: `did_shares`, or a planner's `map_shares`)."""
        total = sum(self.votes)
        return [(name, (votes / total) if total else None, share)
                for name, votes, share in zip(self.choices, self.votes, did)]

    def seconds(self) -> float:
        """How long autoplay shows the current step."""
        return self.step.seconds if self.step.seconds is not None else AUTOPLAY_SECONDS[self.step.do]
