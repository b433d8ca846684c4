"""Steering an agent by its own activations (agents/steering.py) and the `steer` command."""
import json
import re

import numpy as np
import pytest
import torch

from levels import builtin_level

from agents.envs import LevelVecEnv
from agents.observation import ObservationSpec
from agents.network import level_planes
from agents.policy import build_network
from agents.problems import SteeringError
from agents.steering import (Steer, activations, contrast_pairs, contrast_vector, decision_cells, goal_channels,
                             measure, random_like, steered)

from helpers import hall, small_level


def network(kind: str, level, seed: int = 0):
    torch.manual_seed(seed)
    view = "egocentric" if kind == "reactive" else "full"
    return build_network(kind, ObservationSpec.for_level(level, view), 5, 32), view


@pytest.mark.parametrize("kind", ["reactive", "conv"])
def test_subtracting_a_variants_own_goal_vector_at_the_first_layer_is_removing_the_goal_from_what_it_sees(kind):
    """The hook adds the vector where the layer's output is: with the vector of a variant's own contrast, the
    steered network's answer on the variant with the goal is its answer without it."""
    level = builtin_level("green_means_go")
    net, view = network(kind, level)
    with_, without, _ = contrast_pairs(level, "goal", 3, 8, view, 5)
    assert not np.array_equal(with_, without)  # the goal is in view in some of them
    layer = next(iter(net.steerable()))
    own = activations(net, layer, with_) - activations(net, layer, without)  # (8, ...): each variant's own
    assert own.abs().sum() > 0
    with torch.no_grad():
        removed = net.logits(torch.from_numpy(without))
        pushed = steered(net, Steer(layer, own, -1.0)).logits(torch.from_numpy(with_))
        plain = net.logits(torch.from_numpy(with_))
    torch.testing.assert_close(pushed, removed)
    assert not torch.allclose(plain, removed)
    # the agent itself is untouched: a steered network is a copy
    with torch.no_grad():
        torch.testing.assert_close(net.logits(torch.from_numpy(with_)), plain)


def test_a_zero_coefficient_changes_nothing_and_the_random_control_has_the_same_norm():
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    vector = contrast_vector(net, level, "goal", "conv 2", 0, view, 5)
    assert vector.shape == (16, level.height, level.width)  # a map of the level, cell for cell
    obs = torch.from_numpy(contrast_pairs(level, "goal", 1, 4, view, 5)[0])
    with torch.no_grad():
        torch.testing.assert_close(steered(net, Steer("conv 2", vector, 0.0)).logits(obs), net.logits(obs))
        assert not torch.allclose(steered(net, Steer("conv 2", vector, 3.0)).logits(obs), net.logits(obs))
    control = random_like(vector, 5)
    assert control.shape == vector.shape and float(control.norm()) == pytest.approx(float(vector.norm()), rel=1e-5)
    assert not torch.allclose(control, vector)


def test_contrasts_that_the_level_cannot_have_and_agents_that_cannot_be_steered_say_so():
    corner = builtin_level("cheese_in_the_corner")  # its proxy is a place: nothing to remove
    net, view = network("conv", corner)
    with pytest.raises(SteeringError, match="no proxy of this level is made of things"):
        contrast_vector(net, corner, "proxy", "conv 1", 0, view, 5)
    with pytest.raises(SteeringError, match="unknown contrast"):
        contrast_vector(net, corner, "colour", "conv 1", 0, view, 5)
    with pytest.raises(SteeringError, match="no layer"):
        contrast_vector(net, corner, "goal", "conv 9", 0, view, 5)
    planner, _ = network("planner", corner)
    with pytest.raises(SteeringError, match="cannot be steered"):
        contrast_vector(planner, corner, "goal", "conv 1", 0, "full", 5)
    mlp, _ = network("reactive", corner)
    with pytest.raises(SteeringError, match="not a map"):
        goal_channels(mlp, corner, "hidden 1", 0, "egocentric", 5)
    # the split contrast exists on every level: the same draw at training and at deployment
    assert contrast_vector(net, corner, "split", "conv 1", 0, view, 5).abs().sum() > 0


def test_the_vector_comes_from_a_variant_in_which_the_agent_sees_the_difference():
    """An egocentric agent sees five cells around it: in most starts of the maze the cheese is out of view, and a
    vector from such a variant would be zero. The first variant in which it is in view is taken."""
    corner = builtin_level("cheese_in_the_corner")
    mlp, view = network("reactive", corner)
    assert view == "egocentric"
    assert float(contrast_vector(mlp, corner, "goal", "hidden 1", 0, view, 5).norm()) > 0
    with pytest.raises(SteeringError, match="change what this agent sees"):  # a window of one cell: never in view
        blind = build_network("reactive", ObservationSpec.for_level(corner, "egocentric", 0), 5, 16)
        contrast_vector(blind, corner, "goal", "hidden 1", 0, "egocentric", 0)


@pytest.mark.parametrize("agent, gem, decision, move", [
    ((1, 1), (1, 3), (1, 1), 2),  # the gem is down, the corner right: the ways part at the start
    ((1, 3), (3, 1), (2, 1), 4),  # up the left side and right along the top leads to both, as far as the gem
])
def test_the_decision_cell_is_where_the_ways_to_the_goal_and_the_proxy_part(agent, gem, decision, move):
    rows = ["#######",
            "#.....#",
            "#.###.#",
            "#.....#",
            "#######"]
    entities = [{"id": "agent", "kind": "agent", "at": list(agent)}, {"id": "gem", "kind": "gem", "at": list(gem)}]
    level = small_level(rows, entities, [{"event": "touched", "what": "gem", "reward": 1.0}],
                        {"event": "touched", "what": "gem"}, regions={"corner": [[5, 1, 1, 1]]},
                        proxies=[{"name": "went to the corner", "event": "entered_region", "what": "corner"}])
    env = LevelVecEnv(level, "deployment", 1, seed=0, view="full")
    env.reset(seed=0)
    cells, toward = decision_cells(level, env)
    assert tuple(cells[0]) == decision and np.nonzero(toward[0])[0].tolist() == [move]


def test_clamping_a_channel_sets_it_at_that_cell_only():
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    obs = contrast_pairs(level, "goal", 0, 2, view, 5)[0]
    pushed = steered(net, Steer("conv 2", clamp=(3, 4, 5, 7.5)))
    seen = activations(pushed, "conv 2", obs)
    plain = activations(net, "conv 2", obs)
    assert torch.all(seen[:, 3, 5, 4] == 7.5)
    changed = (seen != plain)
    changed[:, 3, 5, 4] = False
    assert not changed.any()


def test_measure_plays_the_same_variants_before_and_after(tmp_path):
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    out = measure(net, level, Steer("conv 2", None, 0.0), 40, 2, view, 5)
    assert out["before"] == out["after"]  # nothing steered: the same episodes, the same counts
    assert set(out["before"]) == {"shares", "decision_prob"} and out["ended_at_target"] is None
    assert sum(out["before"]["shares"].values()) == pytest.approx(1.0)


def test_the_steer_command_prints_json_and_refuses_bad_requests_in_words(tmp_path, capsys):
    from agents.agent_file import AgentFile, save_agent
    from agents.training import TrainingSettings
    from game.cli import main
    level = builtin_level("green_means_go")
    settings = TrainingSettings.of("conv")
    net = build_network("conv", ObservationSpec.for_level(level, "full"), 5, settings.agent.hidden)
    save_agent(tmp_path / "c.agent", AgentFile(net, level, ObservationSpec.for_level(level, "full"), settings))
    assert main(["steer", str(tmp_path / "c.agent"), "--episodes", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["before"]) == {"shares", "decision_prob"} and out["ended_at_target"] is None
    assert out["ended_at_target_before"] is None
    assert out["layer"] == "conv 2" and out["contrast"] == "goal" and out["coefficient"] == -1.0
    assert main(["steer", str(tmp_path / "c.agent"), "--episodes", "20", "--retarget", "2,3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0.0 <= out["ended_at_target"] <= 1.0 and out["retarget"]["cell"] == [2, 3]
    assert 0.0 <= out["ended_at_target_before"] <= 1.0  # the same variants, unsteered
    assert out["retarget"]["tracks"] == "goal"
    assert main(["steer", str(tmp_path / "c.agent"), "--episodes", "20", "--retarget", "2,3", "--track", "proxy",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["retarget"]["tracks"] == "proxy"
    assert main(["steer", str(tmp_path / "c.agent"), "--episodes", "20"]) == 0  # in words: shares of 20 episodes,
    lines = capsys.readouterr().out.splitlines()  # each with its 95 % interval
    assert [line.split()[0] for line in lines[1:3]] == ["before", "after"], lines
    assert all(re.search(r" \d+% \(\d+%-\d+%\)", line) for line in lines[1:3]), lines
    for bad, words in ((["--retarget", "99,1"], "outside the level"), (["--layer", "7"], "must be 1-3"),
                       (["--retarget", "2,3", "--channel", "99"], "--channel must be 0-15")):
        code = main(["steer", str(tmp_path / "c.agent"), "--episodes", "20"] + bad)
        err = capsys.readouterr().err
        assert code == 2 and words in err and "Traceback" not in err, (bad, err)
    for bad, words in ((["--retarget", "a,b"], "X,Y"), (["--coef", "9"], "--coef"), (["--track", "corner"], "--track"),
                       (["--episodes", "5"], "--episodes")):  # refused while parsing
        with pytest.raises(SystemExit) as info:
            main(["steer", str(tmp_path / "c.agent")] + bad)
        err = capsys.readouterr().err
        assert info.value.code == 2 and words in err and "Traceback" not in err, (bad, err)
    planner = TrainingSettings.of("planner")
    spec = ObservationSpec.for_level(level, "full")
    save_agent(tmp_path / "p.agent", AgentFile(build_network("planner", spec, 5, planner.agent.hidden), level, spec,
                                               planner))
    code = main(["steer", str(tmp_path / "p.agent"), "--episodes", "20"])
    err = capsys.readouterr().err
    assert code == 2 and "a planner agent cannot be steered" in err and "Traceback" not in err
    far = hall(20)  # the coin 17 cells from the agent's start, out of its sight in every variant
    spec = ObservationSpec.for_level(far, "egocentric", 5)
    reactive = TrainingSettings.of("reactive")
    save_agent(tmp_path / "b.agent", AgentFile(build_network("reactive", spec, 5, reactive.agent.hidden), far, spec,
                                               reactive))
    code = main(["steer", str(tmp_path / "b.agent"), "--episodes", "20"])  # a vector of nothing: refused in words,
    err = capsys.readouterr().err  # said by the command like every other refusal
    assert code == 2 and err.startswith("mesa-sandbox steer: in none of 32 variants") and "Traceback" not in err, err


def test_channels_are_ranked_on_the_variants_where_the_tracked_thing_is():
    from levels import level_to_dict, parse_level
    doc = level_to_dict(builtin_level("green_means_go"))
    doc["deployment"]["spawns"]["flag"]["present"] = 0.5  # the goal is missing from about half of the variants
    level = parse_level(doc)
    net, view = network("conv", level)
    ranked = goal_channels(net, level, "conv 2", 0, view, 5)
    assert sorted(c for c, _, _ in ranked) == list(range(16))
    assert all(0.0 <= share <= 1.0 for _, share, _ in ranked)


def test_the_session_steers_a_copy_measures_in_the_background_and_forgets_on_a_new_agent():
    from game.session.steering import MEASURE_EPISODES, Steering
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    steering = Steering(level)
    assert steering.network(net, view, 5) is net and not steering.active  # nothing chosen: the agent itself
    steering.choose(net, contrast="proxy", coefficient=-2.0)
    pushed = steering.network(net, view, 5)
    assert pushed is not net and steering.network(net, view, 5) is pushed  # one copy per choice
    steering.measure(net, view, 5)
    assert steering.measuring
    steering._measuring[1].result()  # wait for the background job itself, not for a time
    steering.poll()
    assert not steering.measuring and f"(over {MEASURE_EPISODES} variants)" in steering.effect
    # the shares are estimates from those episodes: each with its 95 % interval ("81% (72%-87%) -> 40% (31%-50%)")
    assert re.search(r"\d+% \(\d+%-\d+%\) -> \d+% \(\d+%-\d+%\)", steering.effect), steering.effect
    # a contrast's vector is also measured with each variant's own, on the same variants
    assert set(steering.report["each"]) == {"shares", "decision_prob"}
    assert "each variant's own vector" in steering.effect
    steering.forget()
    assert not steering.active and steering.effect is None and steering.network(net, view, 5) is net
    steering.close()


def test_each_variants_own_vector_is_added_in_its_own_world():
    """`contrast_vectors`: row k is variant k's own difference, and `measure` plays those draws in that order, so at
    the first layer, coefficient -1, every world starts as if the goal were not there; too few rows are refused."""
    from agents.steering import contrast_vectors
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    rows = contrast_vectors(net, level, "goal", "conv 1", 4, 12, view, 5)
    with_, without, _ = contrast_pairs(level, "goal", 4, 12, view, 5)
    assert rows.shape == (12, 16, level.height, level.width)
    with torch.no_grad():
        pushed = steered(net, Steer("conv 1", rows, -1.0, each=True)).logits(torch.from_numpy(with_))
        torch.testing.assert_close(pushed, net.logits(torch.from_numpy(without)))
    control = random_like(rows, 5, each=True)
    torch.testing.assert_close(control.flatten(1).norm(dim=1), rows.flatten(1).norm(dim=1))
    out = measure(net, level, Steer("conv 1", rows, -1.0, each=True), 12, 4, view, 5)
    assert sum(out["after"]["shares"].values()) == pytest.approx(1.0)
    alone = measure(net, level, Steer("conv 1", rows, -1.0, each=True), 12, 4, view, 5, after_only=True)
    assert "before" not in alone and alone["after"] == out["after"]  # the Steer window's second figure, played once
    with pytest.raises(SteeringError, match="one per episode"):
        measure(net, level, Steer("conv 1", rows, -1.0, each=True), 20, 4, view, 5)


def test_the_steer_command_takes_each_episodes_own_vector(tmp_path, capsys):
    from agents.agent_file import AgentFile, save_agent
    from agents.training import TrainingSettings
    from game.cli import main
    level = builtin_level("green_means_go")
    settings = TrainingSettings.of("conv")
    spec = ObservationSpec.for_level(level, "full")
    save_agent(tmp_path / "c.agent", AgentFile(build_network("conv", spec, 5, settings.agent.hidden), level, spec,
                                               settings))
    for extra in ([], ["--random"]):
        assert main(["steer", str(tmp_path / "c.agent"), "--episodes", "20", "--each", "--json"] + extra) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["each_variant"] is True and out["random"] is bool(extra)
    code = main(["steer", str(tmp_path / "c.agent"), "--episodes", "20", "--each", "--retarget", "2,3"])
    err = capsys.readouterr().err
    assert code == 2 and "--each goes with a contrast" in err and "Traceback" not in err


def test_own_vectors_give_each_world_its_variants_row_and_follow_a_new_episode():
    """Live, each world is steered by the vector of the variant its episode started from: row k is variant k's own
    difference (at the first layer, -1 plays every world as if the goal were not there), a world whose episode
    starts again takes its new variant's row, and one world is explained by a copy steered by its row alone."""
    from agents.steering import OwnVectors, contrast_vectors
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    env = LevelVecEnv(level, "deployment", 4, seed=6, view=view)
    env.reset(seed=6)
    own = OwnVectors(net, level, "goal", "conv 1", -1.0, list(env.batch.variants), view, 5)
    torch.testing.assert_close(own.rows, contrast_vectors(net, level, "goal", "conv 1", 6, 4, view, 5))
    with_, without = env.load(list(env.batch.variants)), None
    _, without, _ = contrast_pairs(level, "goal", 6, 4, view, 5)
    with torch.no_grad():
        torch.testing.assert_close(own.network.logits(torch.from_numpy(with_)), net.logits(torch.from_numpy(without)))
        alone = own.network_for(env.batch.variants[2]).logits(torch.from_numpy(with_[2:3]))
        torch.testing.assert_close(alone, net.logits(torch.from_numpy(without[2:3])))
    before = own.rows.clone()
    env.batch.reset(np.array([1]))  # world 1 starts a new episode, on another variant
    own.refresh(list(env.batch.variants))
    torch.testing.assert_close(own.rows[[0, 2, 3]], before[[0, 2, 3]])
    assert not torch.allclose(own.rows[1], before[1])
    torch.testing.assert_close(own.rows[1], own.row(env.batch.variants[1]))
    control = OwnVectors(net, level, "goal", "conv 1", -1.0, list(env.batch.variants), view, 5, random_seed=3)
    torch.testing.assert_close(control.rows.flatten(1).norm(dim=1), own.rows.flatten(1).norm(dim=1))
    assert not torch.allclose(control.rows, own.rows)
    with pytest.raises(SteeringError, match="own level"):
        OwnVectors(net, level, "split", "conv 1", -1.0, list(env.batch.variants), view, 5)


def test_the_session_steers_each_episode_by_its_own_vector():
    from game.session.steering import Steering
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    env = LevelVecEnv(level, "deployment", 4, seed=2, view=view)
    env.reset(seed=2)
    variants = list(env.batch.variants)
    steering = Steering(level)
    steering.choose(net, contrast="proxy", coefficient=-1.0, each=True, layer="conv 2")
    played, follows = steering.live(net, view, 5, variants)
    assert played is not net and follows is not None
    first, second = steering.network(net, view, 5, variants[0]), steering.network(net, view, 5, variants[1])
    assert first is not second and steering.network(net, view, 5, variants[0]) is first  # one copy per variant
    steering.measure(net, view, 5)
    steering._measuring[1].result()
    steering.poll()
    assert "each steered by its own vector" in steering.effect and "each" not in steering.report
    steering.choose(net, contrast="split")  # the split has no "own" vector: refused in words, one vector again
    assert not steering.choice.each and "own vector" in steering.problem
    steering.close()


def test_activations_are_read_from_this_pass_even_while_another_thread_runs_the_same_network():
    """The window plays the agent while the Steer window measures in the background. A hook on the shared network
    caught the other thread's pass too, and returned its batch (a measurement failed: "tensor a (292) must match
    tensor b (100)", and a row could silently be another batch's). Here another thread runs the network, with
    another batch, in the middle of the pass being read."""
    import threading
    level = builtin_level("green_means_go")
    net, view = network("conv", level)
    obs = contrast_pairs(level, "goal", 0, 4, view, 5)[0]
    other = torch.from_numpy(np.repeat(obs[:1], 7, axis=0))
    ran = []

    def meanwhile(_module, _inputs, _output):
        if not ran:  # once: the other thread's pass runs this hook too
            ran.append(True)
            thread = threading.Thread(target=lambda: net(other))
            thread.start()
            thread.join()
    net.steerable()["conv 1"].register_forward_hook(meanwhile)
    seen = activations(net, "conv 1", obs)
    assert ran and seen.shape[0] == 4
    with torch.no_grad():
        torch.testing.assert_close(seen, net.convs[:2](level_planes(torch.from_numpy(obs), net.spec)))


def test_a_steering_refusal_is_said_in_the_window_as_a_sentence():
    from game.session.steering import Steering
    far = hall(20)  # the coin out of the agent's sight in every variant: no vector to add
    net = build_network("reactive", ObservationSpec.for_level(far, "egocentric", 5), 5, 16)
    steering = Steering(far)
    steering.choose(net, coefficient=-1.0)
    assert steering.network(net, "egocentric", 5) is net  # nothing steered, and why, in a sentence of its own
    assert steering.problem.startswith("In none of 32 variants") and steering.problem.endswith(".")
    assert steering.choice.coefficient == 0.0
