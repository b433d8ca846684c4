"""Hostile input: nothing but LevelError may escape the loader and the level-code decoder, and every error speaks."""
import json
import random

from hypothesis import HealthCheck, given, settings, strategies as st

from levels import LevelError, builtin_level, builtin_names, level_from_code, level_to_dict, parse_level
from levels.format import parse_level_bytes

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(fn, *args):
    try:
        fn(*args)
    except LevelError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message and p.fix
        assert str(exc)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(raw):
    _check(parse_level_bytes, raw, "fuzz.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=40)


@FUZZ
@given(json_values)
def test_random_json(value):
    _check(parse_level, value, "fuzz.json")
    _check(parse_level, {"format": "mesa-sandbox-level", "version": 1, "tiles": value, "entities": value}, "fuzz.json")


REAL = [level_to_dict(builtin_level(n)) for n in builtin_names()]


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


@FUZZ
@given(st.integers(0, len(REAL) - 1), st.integers(0, 10**9), json_values)
def test_mutations_of_real_levels(which, pick, replacement):
    doc = json.loads(json.dumps(REAL[which]))
    paths = [p for p in _paths(doc) if p]
    path = paths[pick % len(paths)]
    target = doc
    for key in path[:-1]:
        target = target[key]
    if random.Random(pick).random() < 0.2 and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    _check(parse_level, doc, "mutant.json")


@FUZZ
@given(st.text(max_size=300))
def test_random_level_codes(text):
    _check(level_from_code, text)
    _check(level_from_code, "MSL1." + text)


HOSTILE = [None, 7, -1, 1e308, "x", "", [], {}, [1, 2], {"a": 1}, True]


def test_every_field_of_every_builtin_replaced_by_hostile_values():
    """Exhaustive where random mutation is thin: each path of each built-in, each hostile value."""
    cases = 0
    for doc in REAL:
        for path in (p for p in _paths(doc) if p):
            for value in HOSTILE:
                mutant = json.loads(json.dumps(doc))
                target = mutant
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                _check(parse_level, mutant, "mutant.json")
                cases += 1
    assert cases > 5000
