"""Hostile input from outside, through the real command: exit 2, one clear message, no traceback, no hang."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from levels import builtin_level, level_to_dict

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def run(*args, timeout=60):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def refused(result, *words):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    text = result.stderr.lower()
    for word in words:
        assert word.lower() in text, (word, result.stderr)
    return result.stderr


def doc(name="green_means_go"):
    return level_to_dict(builtin_level(name))


def write(tmp_path, name, data):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def mutated(change):
    d = doc()
    change(d)
    return d


LEVEL_FILES = {
    "repeated key": ('{"format": "mesa-sandbox-level", "format": "x"}', ["written twice"]),
    "invalid utf-8": (b'{"name": "\xff"}', ["utf-8"]),
    "lone surrogate": ('{"format": "mesa-sandbox-level", "version": 1, "name": "\\ud800"}', ["unicode"]),
    "control character": (mutated(lambda d: d.update(name="a\u0000b")), ["name", "control or invisible characters"]),
    "bidi override in a name": (mutated(lambda d: d.update(name="flag\u202egalf")), ["name", "U+202E"]),
    "zero-width space in an id": (mutated(lambda d: d["entities"][1].update(id="fl\u200bag")),
                                  ["entities[1].id", "U+200B"]),
    "an agent that may be absent": (mutated(lambda d: d["deployment"]["spawns"]["agent"].update(present=0)),
                                    ["deployment.spawns.agent.present", "every episode"]),
    "a wall on the agent's start": (mutated(lambda d: (d["deployment"]["spawns"].pop("agent"), d["deployment"].update(
        tiles=[{"tile": "wall", "cells": [[1, 9]]}]))), ["deployment.tiles", "wall on the agent's start [1, 9]"]),
    "typo in a rule": (mutated(lambda d: d["base_reward"]["rules"][0].update(ends_epsiode=True)),
                       ['did you mean "ends_episode"']),
    "typo at the top": (mutated(lambda d: d["base_reward"].update(step_cots=0.1)), ['did you mean "step_cost"']),
    "agent in a wall": (mutated(lambda d: d["entities"][0].update(at=[0, 0])), ["entities[0].at", "wall"]),
    "no agent": (mutated(lambda d: d.update(entities=d["entities"][1:])), ["no agent"]),
    "spawn cells all walls": (mutated(lambda d: d["training"]["spawns"].update(flag={"cells": [[0, 0], [0, 1]]})),
                              ["training.spawns.flag.cells", "wall"]),
    "1.5 for a whole number": (mutated(lambda d: d.update(episode_length=1.5)), ["episode_length", "whole number"]),
    "true for a whole number": (mutated(lambda d: d["intended_goal"].update(count=True)),
                                ["intended_goal.count", "whole number"]),
    "a number as text": (mutated(lambda d: d["base_reward"]["rules"][0].update(reward="10")),
                         ["base_reward.rules[0].reward", "expected a number"]),
    "NaN": ('{"format": "mesa-sandbox-level", "version": 1, "x": NaN}', ["NaN"]),
    "unknown version": (mutated(lambda d: d.update(version=7)), ["newer", "update"]),
    "huge grid": (mutated(lambda d: d["tiles"].update(rows=["." * 500] * 500)), ["over the limit"]),
    "deep nesting": ("[" * 50_000, ["nests"]),
    # Rules and proxies that apply only while an entity is present name one entity by its id.
    "only_if_present naming nothing": (mutated(lambda d: d["base_reward"]["rules"][0].update(only_if_present="boss")),
                                       ["base_reward.rules[0].only_if_present", "'boss'", "lookalike"]),
    "only_if_present naming a kind": (mutated(lambda d: d["proxies"][0].update(only_if_present="gem")),
                                      ["proxies[0].only_if_present", "by its id", "'lookalike'"]),
    "only_if_present naming the agent": (mutated(lambda d: d["base_reward"]["rules"][0].update(
        only_if_present="agent")), ["only_if_present", "always present"]),
    "only_if_present on the goal": (mutated(lambda d: d["intended_goal"].update(only_if_present="flag")),
                                    ["intended_goal", "always applies"]),
    "only_if_present not text": (mutated(lambda d: d["base_reward"]["rules"][0].update(only_if_present=5)),
                                 ["only_if_present", "expected text"]),
}


@pytest.mark.parametrize("case", sorted(LEVEL_FILES))
def test_a_hostile_level_file_is_refused_with_its_real_problem(case, tmp_path):
    data, words = LEVEL_FILES[case]
    stderr = refused(run("level", "validate", write(tmp_path, "level.json", data)), *words)
    assert len(stderr.splitlines()) <= 52  # capped, not a wall of knock-on errors


def test_many_problems_are_capped_with_a_count(tmp_path):
    d = doc()
    d["entities"] += [{"id": f"x{i}", "kind": "dragon", "at": [1, 1]} for i in range(100)]
    stderr = refused(run("level", "validate", write(tmp_path, "level.json", d)), "100 problems", "and 50 more")
    assert len(stderr.splitlines()) == 52


def test_special_files_are_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(run("level", "validate", str(fifo), timeout=20), "not an ordinary file")
    refused(run("level", "validate", "/dev/zero", timeout=20), "not an ordinary file")
    refused(run("level", "validate", str(tmp_path), timeout=20), "folder")
    refused(run("evaluate", str(fifo), timeout=60), "not an ordinary file")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2_000_000)
    refused(run("level", "validate", str(big), timeout=20), "over the")


ARGUMENTS = {
    "negative seed": (["train", "template_grid", "--seed", "-1", "-o", "{tmp}/a.agent"], "--seed"),
    "target over 1": (["train", "template_grid", "--target", "1.5", "-o", "{tmp}/a.agent"], "--target"),
    "target of 0": (["train", "template_grid", "--target", "0", "-o", "{tmp}/a.agent"], "--target"),
    "zero seconds": (["train", "template_grid", "--max-seconds", "0", "-o", "{tmp}/a.agent"], "--max-seconds"),
    "unknown agent kind": (["train", "template_grid", "--agent", "oracle", "-o", "{tmp}/a.agent"], "--agent"),
    "unknown optimizer": (["train", "template_grid", "--optimizer", "sgd", "-o", "{tmp}/a.agent"], "--optimizer"),
    "agent kind in capitals": (["train", "template_grid", "--agent", "PLANNER", "-o", "{tmp}/a.agent"], "--agent"),
    "output is a folder": (["train", "template_grid", "-o", "{tmp}"], "folder"),
    "output in a missing folder": (["level", "from-code", "MSL1.x", "-o", "{tmp}/no/such/x.json"], "does not exist"),
    "zero episodes": (["evaluate", "x.agent", "--episodes", "0"], "--episodes"),
    "episodes not a number": (["evaluate", "x.agent", "--episodes", "many"], "whole number"),
    "zero seeds": (["experiment", "template_grid", "--seeds", "0", "-o", "{tmp}/r.json"], "--seeds"),
    "zero jobs": (["experiment", "template_grid", "--jobs", "0", "-o", "{tmp}/r.json"], "--jobs"),
    "share over 1": (["experiment", "template_grid", "--diversity", "0,2", "-o", "{tmp}/r.json"], "--diversity"),
    "not a Ray address": (["experiment", "template_grid", "--ray", "my cluster", "-o", "{tmp}/r.json"], "Ray address"),
    "Ray port out of range": (["experiment", "template_grid", "--ray", "head:99999", "-o", "{tmp}/r.json"],
                              "Ray address"),
    "unknown lesson": (["lesson", "how_to_fly"], "no lesson called"),
    "lesson without a name": (["lesson"], "name a lesson"),
    "once without autoplay": (["lesson", "green_means_go", "--once"], "--once goes with --autoplay"),
    "lesson file that is a level": (["lesson", "levels/builtin/green_means_go.json"], "not a lesson file"),
    "projector with a value": (["--projector=yes"], "ignored explicit argument"),
    "projector lesson without a name": (["lesson", "--projector"], "name a lesson"),
    "export without an output": (["export", "x.agent"], "--gif OUT.gif, --png OUT.png, or both"),
    "tiny cells": (["level", "render", "template_grid", "--cell", "0", "-o", "{tmp}/x.png"], "--cell"),
    "unknown split": (["level", "render", "template_grid", "--split", "test", "-o", "{tmp}/x.png"], "--split"),
    "unknown command": (["level", "explode"], "invalid choice"),
    "missing level": (["level", "validate", "{tmp}/missing.json"], "cannot read"),
    "missing agent": (["evaluate", "{tmp}/missing.agent"], "cannot read"),
    "inspect with too few episodes": (["inspect", "x.agent", "--episodes", "0"], "--episodes"),
    "inspect a missing agent": (["inspect", "{tmp}/missing.agent"], "cannot read"),
    "inspect listing no candidates": (["inspect", "x.agent", "--top", "0"], "--top"),
    "inspect an unknown split": (["inspect", "x.agent", "--split", "test"], "--split"),
}


@pytest.mark.parametrize("case", sorted(ARGUMENTS))
def test_a_bad_argument_gets_one_clear_line(case, tmp_path):
    args, word = ARGUMENTS[case]
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    stderr = refused(result, word)
    assert len(stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "a.agent").exists()


def test_level_commands_import_no_torch(tmp_path):
    probe = ("import sys, runpy; sys.argv = ['mesa-sandbox'] + sys.argv[1:]\n"
             "from game.cli import main\n"
             "code = main(sys.argv[1:])\n"
             "assert code == 0, code\n"
             "assert 'torch' not in sys.modules, 'torch was imported'\n")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    out = str(tmp_path / "x.png")
    for args in (["level", "validate", "green_means_go"], ["level", "render", "green_means_go", "-o", out],
                 ["level", "code", "green_means_go"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env,
                                timeout=60)
        assert result.returncode == 0, (args, result.stderr)


def _walled(d, rows):
    d["tiles"]["rows"] = rows
    d["training"] = d["deployment"] = {}
    return d


def test_more_things_than_cells_to_start_on_get_a_warning(tmp_path):
    """A room of one free cell holding the agent and the gem: the agent starts on the gem and can never touch it
    (training ran to its budget at 0 % without a word). Every built-in has room, and a dish leaves its cell free."""
    from levels import builtin_level, parse_level
    from levels.warnings import crowding_warnings
    d = doc("template_grid")
    d["tiles"]["rows"] = ["###", "#.#", "###"]
    d["entities"] = [{"id": "agent", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [1, 1]}]
    d["training"] = d["deployment"] = {}
    said = crowding_warnings(parse_level(d))
    assert len(said) == 2 and "2 things (the agent included) share 1 cell one can stand on" in said[0]
    result = run("level", "validate", write(tmp_path, "packed.json", d))
    assert result.returncode == 0 and "start on top of each other" in result.stderr
    d["tiles"]["rows"] = ["####", "#..#", "####"]  # room for both, and a dish under the coin
    d["entities"].append({"id": "plate", "kind": "dish", "at": [2, 1]})
    assert not crowding_warnings(parse_level(d))
    from levels.builtin_levels import builtin_names
    assert not any(crowding_warnings(builtin_level(name)) for name in builtin_names())


def test_an_unreachable_goal_gets_a_warning_not_a_refusal(tmp_path):
    from levels import parse_level
    from levels.reachability import goal_warnings
    d = doc("template_grid")
    walled = _walled(json.loads(json.dumps(d)), ["##########", "#.....#..#", "#.....#..#", "#.....#..#",
                                                 "#.....#..#", "#.....#..#", "#.....#..#", "##########"])
    assert goal_warnings(parse_level(walled))
    result = run("level", "validate", write(tmp_path, "walled.json", walled))
    assert result.returncode == 0 and "warning" in result.stderr and "cannot reach the intended goal" in result.stderr
    # a door in the wall with a key on the agent's side makes it reachable; without the key it does not
    door = json.loads(json.dumps(walled))
    door["tiles"]["rows"][3] = "#........#"
    door["entities"].append({"id": "door", "kind": "door", "at": [6, 3]})
    assert goal_warnings(parse_level(door))
    door["entities"].append({"id": "key", "kind": "key", "at": [2, 2]})
    assert not goal_warnings(parse_level(door))
    assert not goal_warnings(parse_level(d))


def _read_only_folder(tmp_path):
    """A folder no one may write in: chmod for a user, /sys for root (whom permissions do not stop)."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return str(folder)
    if not os.path.isdir("/sys"):
        pytest.skip("no folder that root cannot write in")
    return "/sys"


def test_one_output_rule_for_every_command_checked_before_any_work(tmp_path):
    from game.cli import main
    level = tmp_path / "my.json"
    level.write_text(json.dumps(doc()))
    agent = tmp_path / "a.agent"
    shutil.copy(os.path.join(os.path.dirname(__file__), "..", "assets", "agents", "green_means_go", "seed0.agent"), agent)
    fifo = tmp_path / "pipe.gif"
    os.mkfifo(fifo)
    link = tmp_path / "link.agent"
    link.symlink_to(tmp_path / "elsewhere.agent")
    read_only = _read_only_folder(tmp_path)
    cases = {
        "the level replaced by the agent": (["train", str(level), "-o", str(level)], "also the level"),
        "the agent replaced by its card": (["export", str(agent), "--png", str(agent)], "also the agent"),
        "the GIF overwritten by the card": (["export", str(agent), "--gif", f"{tmp_path}/x", "--png",
                                             f"{tmp_path}/./x"], "name the same file"),
        "the level given by another path": (["level", "render", str(level), "-o", f"{tmp_path}/../{tmp_path.name}/my.json"],
                                            "also the level"),
        "a pipe": (["export", str(agent), "--gif", str(fifo)], "not an ordinary file"),
        "a device": (["level", "from-code", "MSL1.x", "-o", "/dev/null"], "not an ordinary file"),
        "a symbolic link": (["train", "template_grid", "-o", str(link)], "symbolic link"),
        "a read-only folder for training": (["train", "template_grid", "-o", f"{read_only}/x.agent"],
                                            "cannot write in the folder"),
        "a read-only folder for a sweep": (["experiment", "template_grid", "-o", f"{read_only}/r.json"],
                                           "cannot write in the folder"),
        "a trace into a pipe": (["lesson", "green_means_go", "--trace", str(fifo)], "not an ordinary file"),
    }
    for case, (args, words) in cases.items():
        result = run(*args, timeout=60)
        refused(result, words)
        assert len(result.stderr.strip().splitlines()) <= 2, (case, result.stderr)
    assert json.loads(level.read_text()) == doc() and stat_is_fifo(fifo) and not link.exists()
    assert not os.path.exists(tmp_path / "x")


def stat_is_fifo(path):
    import stat
    return stat.S_ISFIFO(os.stat(path).st_mode)


def test_a_lesson_asking_for_an_agent_that_is_not_shipped_is_refused(tmp_path):
    root = os.path.join(os.path.dirname(__file__), "..", "assets", "lessons", "green_means_go.json")
    lesson = json.loads(open(root, encoding="utf-8").read())
    step = next(s for s in lesson["steps"] if s["do"] == "agent")
    step["seed"] = 99
    path = write(tmp_path, "seed99.json", lesson)
    refused(run("lesson", path, "--autoplay", "--once"), "seed 99", "not shipped", "its seeds: 0, 1")
    shutil.copy(os.path.join(os.path.dirname(__file__), "..", "docs", "check_levels", "blue_means_go.json"), tmp_path)
    lesson["level"] = "blue_means_go.json"
    step["seed"] = 0
    path = write(tmp_path, "unshipped.json", lesson)
    refused(run("lesson", path, "--autoplay", "--once"), "none are shipped for it")
