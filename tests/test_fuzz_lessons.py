"""Hostile lesson files (teachers share them): nothing but LessonError may escape the loader, every error speaks,
and a lesson it accepts can be walked through to its end, each step's screen state and every prediction's reveal
worked out."""
import json
import random

from hypothesis import HealthCheck, given, settings, strategies as st

from game.paths import asset
from game.session.lesson import LessonError, LessonRun, load_lesson

from test_fuzz_loader import _paths, json_values

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
REAL = {path.stem: json.loads(path.read_text()) for path in sorted(asset("lessons").glob("*.json"))}
NAMES = sorted(REAL)


def _loaded_or_refused_in_words(path):
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert str(exc).startswith(str(path))
        return None
    run = LessonRun(lesson)
    while True:  # every step's screen, each prediction made and revealed
        run.state()
        if run.step.do == "predict":
            run.predict(0)
        if run.step.do == "reveal" and run.predicted:
            run.reveal([1.0 / len(run.choices)] * len(run.choices))
        if not run.next():
            break
    while run.back():
        run.state()
    return lesson


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("fuzz") / "lesson.json"
    path.write_bytes(raw)
    assert _loaded_or_refused_in_words(path) is None


@FUZZ
@given(st.integers(0, len(NAMES) - 1), st.integers(0, 10**9), json_values)
def test_mutations_of_the_shipped_lessons(tmp_path_factory, which, pick, replacement):
    doc = json.loads(json.dumps(REAL[NAMES[which]]))
    paths = [p for p in _paths(doc) if p and p[0] not in ("format", "version")]
    path = paths[pick % len(paths)]
    target = doc
    for key in path[:-1]:
        target = target[key]
    chance = random.Random(pick).random()
    if chance < 0.2 and isinstance(target, dict):
        del target[path[-1]]
    elif chance < 0.35 and isinstance(target, list):  # a step moved: a reveal before its prediction, say
        target.insert(random.Random(pick + 1).randrange(len(target) + 1), target.pop(path[-1]))
    else:
        target[path[-1]] = replacement
    where = tmp_path_factory.mktemp("fuzz") / f"{NAMES[which]}.json"
    where.write_text(json.dumps(doc))
    _loaded_or_refused_in_words(where)


def test_the_shipped_lessons_walk_through():
    for name in NAMES:
        assert _loaded_or_refused_in_words(asset("lessons") / f"{name}.json") is not None, name
