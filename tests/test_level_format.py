import json

import pytest

from levels import (LevelError, builtin_level, builtin_names, builtin_path, level_from_code, level_to_code,
                    level_to_dict, level_to_json, load_level, parse_level, parse_level_text, save_level)
from levels.format import MAX_DEPTH, MAX_ENTITIES, MAX_GRID_SIDE

BUILTINS = builtin_names()


def test_the_builtins_are_all_there():
    expected = {"coin_at_the_end", "cheese_in_the_corner", "keys_and_chests", "green_means_go", "the_diversity_fix",
                "template_grid", "template_topdown", "template_sideview"}
    assert expected <= set(BUILTINS)
    for name in BUILTINS:
        level = builtin_level(name)
        assert level.description, name
        if not name.startswith("template_"):
            assert level.proxies and level.reproduces, name


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_round_trips_through_a_file(name, tmp_path):
    level = builtin_level(name)
    out = tmp_path / f"{name}.json"
    save_level(level, out)
    again = load_level(out)
    assert again == level
    assert again.fingerprint() == level.fingerprint()
    # the shipped file is already in the saved form, so saving it changes no byte
    assert out.read_text() == builtin_path(name).read_text()


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_round_trips_through_a_level_code(name):
    level = builtin_level(name)
    code = level_to_code(level)
    assert code.startswith("MSL1.") and all(c.isalnum() or c in "-_." for c in code)
    assert level_from_code(code) == level
    # a code pasted into a chat may be wrapped over several lines
    wrapped = "\n".join(code[i:i + 60] for i in range(0, len(code), 60))
    assert level_from_code(wrapped) == level


def _doc(name="template_grid"):
    return level_to_dict(builtin_level(name))


def _problems(data, source="test.json"):
    with pytest.raises(LevelError) as info:
        parse_level(data, source)
    return info.value


def test_every_problem_of_a_file_is_reported_at_once_with_path_and_fix():
    doc = _doc()
    doc["world"] = "hex"
    doc["entities"][1]["kind"] = "dragon"
    doc["base_reward"]["rules"][0]["reward"] = "ten"
    doc["episode_length"] = -3
    err = _problems(doc, "my_level.json")
    paths = {p.path for p in err.problems}
    assert {"world", "entities[1].kind", "base_reward.rules[0].reward", "episode_length"} <= paths
    text = str(err)
    assert text.startswith(f"my_level.json: {len(err.problems)} problems\n")
    assert "Fix:" in text and "dragon" in text and "hex" in text
    assert all(p.message and p.fix for p in err.problems)
    doc = _doc()
    doc["world"] = "hex"
    assert str(_problems(doc, "my_level.json")).startswith("my_level.json: 1 problem\n")  # (not "1 problem(s)")


def test_a_level_error_crosses_between_processes_whole():
    # (a worker or a pool that loads a level hands its error back pickled: it must arrive with its problems)
    import pickle
    doc = _doc()
    doc["world"] = "hex"
    err = _problems(doc, "my_level.json")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.problems == err.problems and back.source == "my_level.json"


def test_unknown_references_are_named():
    doc = _doc()
    doc["intended_goal"] = {"event": "touched", "what": "unicorn"}
    doc["training"] = {"spawns": {"ghost": {"anywhere": True}, "coin": {"region": "nowhere"}}}
    err = _problems(doc)
    by_path = {p.path: p for p in err.problems}
    assert "unicorn" in by_path["intended_goal.what"].message
    assert "ghost" in by_path["training.spawns.ghost"].message
    assert "nowhere" in by_path["training.spawns.coin.region"].message


def test_two_proxies_of_one_name_are_refused():
    """Proxies are counted and shown by name: two of one name would be counted as one."""
    doc = level_to_dict(builtin_level("green_means_go"))
    doc["proxies"] = [dict(doc["proxies"][0]), dict(doc["proxies"][0], what="flag")]
    by_path = {p.path: p for p in _problems(doc).problems}
    assert "used twice" in by_path["proxies[1].name"].message


def test_a_spawn_region_of_walls_only_is_refused_as_the_cells_form_is():
    """It was accepted and the thing silently placed elsewhere (with a false "goal unreachable" warning)."""
    doc = level_to_dict(builtin_level("green_means_go"))
    doc["regions"]["in_the_wall"] = [[0, 0, 3, 1]]  # the top border
    doc["deployment"]["spawns"]["flag"] = {"region": "in_the_wall"}
    by_path = {p.path: p for p in _problems(doc).problems}
    assert "is a wall" in by_path["deployment.spawns.flag.region"].message


def test_a_newer_version_asks_for_an_update_and_a_wrong_format_is_named():
    doc = _doc()
    doc["version"] = 99
    err = _problems(doc)
    assert "newer" in str(err) and "update" in str(err)
    doc["version"] = 1
    doc["format"] = "tiled-map"
    assert "format" in _problems(doc).problems[0].path


def test_hostile_sizes_are_refused():
    doc = _doc()
    doc["tiles"]["rows"] = ["." * 10] * (MAX_GRID_SIDE + 1)
    assert "limit" in str(_problems(doc))
    doc = _doc()
    doc["tiles"]["rows"] = ["." * (MAX_GRID_SIDE + 1)] * 3
    assert "over the limit" in str(_problems(doc))
    doc = _doc()
    doc["entities"] += [{"id": f"c{i}", "kind": "coin", "at": [1, 1]} for i in range(MAX_ENTITIES)]
    assert "over the limit" in str(_problems(doc))
    with pytest.raises(LevelError, match="nests"):
        parse_level_text("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    with pytest.raises(LevelError, match="nests"):
        parse_level_text("[" * 100_000)  # never reaches the recursive JSON parser


def test_non_finite_numbers_and_broken_files_get_a_message(tmp_path):
    text = json.dumps(_doc()).replace('"reward": 10.0', '"reward": NaN')
    with pytest.raises(LevelError, match="not a number JSON allows|not valid JSON"):
        parse_level_text(text)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe not utf8")
    with pytest.raises(LevelError, match="UTF-8"):
        load_level(bad)
    bad.write_text('{"format": "mesa-sandbox-level", "version": 1,')
    with pytest.raises(LevelError, match="not valid JSON"):
        load_level(bad)
    with pytest.raises(LevelError, match="cannot read"):
        load_level(tmp_path / "missing.json")


def test_level_code_refuses_garbage_and_bombs():
    import base64
    import zlib
    for code in ["", "hello", "MSL1.!!!!", "MSL1." + "A" * 50]:
        with pytest.raises(LevelError):
            level_from_code(code)
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 50_000_000, 9)).decode().rstrip("=")
    assert len(bomb) < 200_000
    with pytest.raises(LevelError, match="more than"):
        level_from_code("MSL1." + bomb)
    code = level_to_code(builtin_level("template_grid"))
    with pytest.raises(LevelError):
        level_from_code(code[:-10])


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    level = builtin_level("template_grid")
    target = tmp_path / "level.json"
    save_level(level, target)
    before = target.read_text()
    import levels.files as files

    def explode(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(files.os, "replace", explode)
    changed = level.model_copy(update={"name": "Changed"})
    with pytest.raises(OSError):
        save_level(changed, target)
    assert target.read_text() == before  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["level.json"]


def test_saved_json_keeps_one_grid_row_per_line():
    text = level_to_json(builtin_level("coin_at_the_end"))
    assert '\n      "##################",\n      "#................#",\n' in text


def test_the_json_schema_accepts_every_builtin_and_refuses_a_broken_level():
    import jsonschema
    from levels.schema import SCHEMA_PATH
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in BUILTINS:
        assert not list(validator.iter_errors(json.loads(builtin_path(name).read_text()))), name
    doc = _doc()
    doc["world"] = "hex"
    assert list(validator.iter_errors(doc))


def test_the_committed_schema_is_the_one_the_model_generates():
    from levels.schema import SCHEMA_PATH, schema_text
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m levels.schema"


@pytest.mark.parametrize("bad", [7, "maze", [1, 2], {"rect": [0, 0, 4, 4]}, {"rect": [0, 0, 9, 9], "loops": 2}])
def test_a_bad_maze_is_a_problem_not_a_crash(bad):
    doc = level_to_dict(builtin_level("cheese_in_the_corner"))
    doc["training"]["maze"] = bad
    err = _problems(doc)
    assert any(p.path.startswith("training.maze") for p in err.problems)


def test_whether_a_thing_may_appear_agrees_with_where_it_may_start():
    """`may_appear` answers `bool(places(...))` without building cells: on every built-in, and for a cheese that
    lies on a dish deployment never holds (present once, on something absent)."""
    from levels.reachability import may_appear, places
    for name in BUILTINS:
        level = builtin_level(name)
        for e in level.entities:
            for split in ("training", "deployment"):
                assert may_appear(level, split, e.id) == bool(places(level, split, e.id)), (name, e.id, split)
    doc = level_to_dict(builtin_level("cheese_in_the_corner"))
    dish = {"id": "dish", "kind": "dish", "at": doc["entities"][-1]["at"]}
    doc["entities"].append(dish)
    cheese = next(e["id"] for e in doc["entities"] if e["kind"] == "cheese")
    doc["deployment"]["spawns"] = {**doc["deployment"].get("spawns", {}), "dish": {"present": 0},
                                   cheese: {"on": "dish"}}
    level = parse_level(doc)
    assert not may_appear(level, "deployment", cheese) and not places(level, "deployment", cheese)
    assert may_appear(level, "training", cheese)
