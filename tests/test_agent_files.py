"""Agent files from outside are data to check, as level files are: each damaged or hostile file gets exit 2 and a
sentence through the real command, before any network is built from what it says."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from safetensors.torch import load as safetensors_load, save as safetensors_bytes

import agents.agent_file as agent_file
from agents.agent_file import META_KEY, _safetensors_metadata, load_agent
from agents.problems import AgentFileError
from game.cli import main
from levels import builtin_level, level_to_dict

SHIPPED = Path(__file__).resolve().parent.parent / "assets" / "agents" / "green_means_go" / "seed0.agent"


def parts(path=SHIPPED):
    data = Path(path).read_bytes()
    return json.loads(_safetensors_metadata(data)[META_KEY]), dict(safetensors_load(data))


def write(tmp_path, meta, tensors, name="x.agent"):
    path = tmp_path / name
    path.write_bytes(safetensors_bytes(tensors, metadata={META_KEY: meta if isinstance(meta, str) else json.dumps(meta)}))
    return str(path)


def changed(meta_change=None, tensor_change=None):
    meta, tensors = parts()
    if meta_change:
        meta_change(meta)
    if tensor_change:
        tensor_change(tensors)
    return meta, tensors


def planner_meta(side, view=None):
    """A planner agent's metadata for a level `side` cells wide (seen as `view` cells), with a network's weights."""
    from agents.observation import ObservationSpec
    from levels import parse_level
    meta, tensors = parts()
    level = level_to_dict(builtin_level("template_grid"))
    level["tiles"]["rows"] = ["#" * side] + ["#" + "." * (side - 2) + "#"] * (side - 2) + ["#" * side]
    spec = ObservationSpec.for_level(parse_level(level), "full", 5)
    meta["level"] = level
    meta["observation"] = spec.to_dict()
    meta["observation"].update(width=view or side, height=view or side)
    meta["network"].update(kind="planner", obs_size=spec.size)
    meta["hyperparameters"].update(agent="planner", view="full")
    return meta, tensors


CASES = {
    "metadata a list": (changed(lambda m: m.clear()), "not a mesa sandbox agent file"),
    "metadata not json": (("{", parts()[1]), "not a mesa sandbox agent file"),
    "metadata null": (("null", parts()[1]), "not a mesa sandbox agent file"),
    "metadata a string": (('"agent"', parts()[1]), "not a mesa sandbox agent file"),
    "unknown version": (changed(lambda m: m.update(version=7)), "version 7 is not supported"),
    "network a list": (changed(lambda m: m.update(network=[1, 2])), "network"),
    "hyperparameters a list": (changed(lambda m: m.update(hyperparameters=[])), "hyperparameters"),
    "radius beyond floats": (changed(lambda m: m["observation"].update(radius=1e400)), "observation.radius"),
    "radius of 150": (changed(lambda m: m["observation"].update(radius=150)), "observation.radius"),
    "steps in words": (changed(lambda m: m.update(steps="many")), "steps"),
    "curve a number": (changed(lambda m: m.update(training_curve=5)), "training_curve"),
    "curve point with a string": (changed(lambda m: m["training_curve"][0].update(success="high")), "success"),
    "a seed that is true": (changed(lambda m: m.update(seed=True)), "seed"),
    "50 actions": (changed(lambda m: m["network"].update(actions=50)), "50 actions"),
    "no actions": (changed(lambda m: m["network"].update(actions=0)), "network.actions"),
    "one action": (changed(lambda m: m["network"].update(actions=1)), "1 actions"),
    "hidden of 12000": (changed(lambda m: (m["network"].update(hidden=12000),
                                           m["hyperparameters"].update(hidden=12000))), "network.hidden"),
    "hidden of 4000 with weights for 128": (changed(lambda m: (m["network"].update(hidden=4000),
                                                              m["hyperparameters"].update(hidden=4000))), "shape"),
    "hidden of 2000, settings unchanged": (changed(lambda m: m["network"].update(hidden=2000)), "training settings"),
    "hidden in the settings only": (changed(lambda m: m["hyperparameters"].update(hidden=64)), "training settings"),
    "a planner over a 3000-cell view": (planner_meta(12, 3000), "observation.width"),
    "a planner over its level, with a network's weights": (planner_meta(12), "weights are not those"),
    "unknown optimizer": (changed(lambda m: m.update(optimizer="sgd")), "optimizer is 'sgd'"),
    "unknown view": (changed(lambda m: m["hyperparameters"].update(view="sideways")), "hyperparameters.view"),
    "evolution's settings a list": (changed(lambda m: m["hyperparameters"].update(evolution=[])),
                                    "hyperparameters.evolution"),
    "a population of -4": (changed(lambda m: m["hyperparameters"].update(evolution={"population": -4})),
                           "hyperparameters.evolution.population"),
    "an odd population": (changed(lambda m: m["hyperparameters"].update(evolution={"population": 7})),
                          "mutants come in pairs"),
    "a step size in words": (changed(lambda m: m["hyperparameters"].update(learning_rate="fast")),
                             "hyperparameters.learning_rate"),
    "no step size": (changed(lambda m: m["hyperparameters"].update(learning_rate=None)),
                     "hyperparameters.learning_rate"),
    "unknown network kind": (changed(lambda m: m["network"].update(kind="transformer")), "update mesa sandbox"),
    "damaged observation spec": (changed(lambda m: m["observation"].update(channels=["tile:wall"])),
                                 "does not match the level stored"),
    "obs size that disagrees": (changed(lambda m: m["network"].update(obs_size=7)), "reads 7 numbers"),
    "weights as int64": (changed(tensor_change=lambda t: t.update({k: v.long() for k, v in t.items()})), "int64"),
    "weights as bool": (changed(tensor_change=lambda t: t.update({k: v != 0 for k, v in t.items()})), "bool"),
    "a weight missing": (changed(tensor_change=lambda t: t.pop("actor.bias")), "missing actor.bias"),
    "a weight too many": (changed(tensor_change=lambda t: t.update(extra=torch.zeros(3))), "unknown extra"),
    "weights not finite": (changed(tensor_change=lambda t: t["actor.bias"].fill_(float("nan"))), "not finite"),
    "level inside invalid": (changed(lambda m: m["level"].update(width=-1)), "level stored in the agent file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_damaged_agent_file_is_refused_in_words(case, tmp_path, capsys):
    (meta, tensors), words = CASES[case]
    path = write(tmp_path, meta, tensors)
    assert main(["evaluate", path, "--episodes", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error" not in err
    assert words.lower() in err.lower(), err


def test_a_huge_network_declared_in_a_small_file_is_refused_at_once(tmp_path):
    """The hang of issue 24: a network declared with thousands of units was built (an orthogonal init of
    thousands x thousands) before its size was compared with the weights in the file."""
    (meta, tensors), _ = CASES["hidden of 4000 with weights for 128"]
    path = write(tmp_path, meta, tensors)
    assert os.path.getsize(path) < 300_000
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    result = subprocess.run([sys.executable, "-m", "game.cli", "evaluate", path], capture_output=True, text=True,
                            timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "shape" in result.stderr and "Traceback" not in result.stderr


def test_the_shipped_agents_and_a_saved_one_still_load(tmp_path):
    meta, tensors = parts()
    agent = load_agent(write(tmp_path, meta, tensors))
    assert agent.policy.n_actions == 5 and agent.curve == meta["training_curve"]
    assert agent.settings.agent.hidden == meta["network"]["hidden"]


# --- fuzzing the metadata ------------------------------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)


def paths(value, prefix=()):
    """Every place in a JSON value, the level stored inside left out (the level format has its own fuzz test)."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            if prefix + (k,) != ("level",):
                yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from paths(v, prefix + (i,))


BASE_META, BASE_TENSORS = parts()
PLACES = [p for p in paths(BASE_META) if p]


def put(meta, place, value):
    target = meta
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLACES), JSON), min_size=1, max_size=3))
def test_fuzzed_metadata_is_refused_in_words_or_loads_within_its_file_size(tmp_path_factory, changes):
    meta = json.loads(json.dumps(BASE_META))
    for place, value in changes:
        try:
            put(meta, place, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change replaced what held this place
    path = write(tmp_path_factory.mktemp("fuzz"), meta, BASE_TENSORS)
    built = []
    real_build = agent_file.build_network

    def watched_build(*args, **kwargs):
        network = real_build(*args, **kwargs)
        built.append(sum(p.numel() for p in network.parameters() if not p.is_meta))
        return network

    agent_file.build_network = watched_build
    try:
        load_agent(path)
    except AgentFileError as exc:
        assert str(exc).startswith(path)
    finally:
        agent_file.build_network = real_build
    # memory follows the file, never what it says: a real network is built only with the file's own weights' size
    file_elements = sum(t.numel() for t in BASE_TENSORS.values())
    assert all(n in (0, file_elements) for n in built), built


def test_an_agent_file_of_an_earlier_version_without_the_newer_fields_still_loads(tmp_path):
    """Fields reading an agent does not need (the optimizer, the seed, the level's name and fingerprint, the curve)
    have defaults: a file written before they existed is not refused."""
    meta, tensors = parts()
    for name in ("optimizer", "seed", "level_name", "level_fingerprint", "training_curve", "created"):
        meta.pop(name)
    agent = load_agent(write(tmp_path, meta, tensors))
    assert agent.curve == [] and agent.settings.optimizer == "ppo"
