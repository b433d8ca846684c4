"""Finding what an agent acts as if it wants: candidates from the level, scores from behaviour."""
import json

import numpy as np

from levels import builtin_level, level_to_dict, parse_level
from agents.evaluation import scripted
from agents.inspection import inspect
from agents.objectives import candidates, free_box, where
from levels.places import rect_cells
from agents.scripted import GridSeeker, entity_targets
from helpers import corner_walker


def room(**changes):
    """A 10 x 8 room: the agent and a coin start anywhere, a red gem and a lava pool sit in it; no proxies."""
    doc = level_to_dict(builtin_level("template_grid"))
    doc["tiles"]["legend"]["~"] = "lava"
    doc["tiles"]["rows"][3] = "#....~~..#"
    doc["entities"].append({"id": "ruby", "kind": "gem", "at": [4, 1], "color": "red"})
    doc["training"] = doc["deployment"] = {"spawns": {"agent": {"anywhere": True}, "coin": {"anywhere": True}}}
    doc.update(changes)
    return parse_level(doc)


def test_candidates_cover_entities_colours_tiles_regions_corners_edges_and_the_goal():
    level = room()
    names = {c.name for c in candidates(level)}
    assert {"the ruby", "any gem", "red things", "lava"} <= names
    assert "the coin" not in names  # touching the coin is the intended goal: listed once, as the goal
    assert "yellow things" not in names  # the coin is the only yellow thing: the goal implies it
    assert {"the top-left corner", "the bottom-right corner", "the left edge", "the bottom edge"} <= names
    assert any(n.startswith("the intended goal") for n in names)
    assert not any("was in training" in n for n in names)  # the coin can be anywhere: no place to have learned
    for c in candidates(level):  # every candidate is a proxy the level format accepts
        doc = level_to_dict(level)
        doc["regions"].update({k: [list(r) for r in v] for k, v in c.regions.items()})
        if c.kind != "intended goal":
            doc["proxies"] = [c.proxy()]
        parse_level(doc)


def test_collecting_several_of_a_kind_is_a_candidate_and_the_steps_to_the_goal_are_not():
    level = builtin_level("keys_and_chests")  # the goal: open 2 chests; deployment holds 8 keys
    by_name = {c.name: c for c in candidates(level)}
    assert {"3 keys", "4 keys", "5 keys"} <= set(by_name) and "6 keys" not in by_name  # up to MAX_COUNT
    assert by_name["3 keys"].proxy() == {"name": "3 keys", "event": "picked_up", "what": "key", "count": 3}
    assert by_name["3 keys"].wanted == "to pick up 3 keys"
    goal = next(c for c in by_name.values() if c.kind == "intended goal")  # its name says what it is, no verb added
    assert goal.wanted == goal.name == "the intended goal (open chest 2 times)"
    # Opening two chests touches a chest and spends two keys: neither says anything of its own, nor touching a key
    # (any key, or the colour only keys wear), done on the way to every chest opened; and deployment holds just the
    # two chests the goal opens: each of them is met on the way too.
    assert not {"2 keys", "any chest", "any key", "yellow things", "the chest1", "the chest2"} & set(by_name)
    assert {"the chest3", "the key1"} <= set(by_name)  # (a chest deployment leaves out, one key: not implied)
    doc = level_to_dict(level)
    doc["deployment"]["spawns"]["chest3"]["present"] = doc["deployment"]["spawns"]["chest4"]["present"] = 1.0
    assert "the chest1" in {c.name for c in candidates(parse_level(doc))}  # (four chests: that one need not be)


def test_a_key_hoarder_is_named_by_how_many_keys_it_takes_before_the_chests():
    from agents.scripted import GridSeeker, entity_targets
    level = builtin_level("keys_and_chests").model_copy(update={"proxies": ()})
    hoarder = scripted(GridSeeker(entity_targets("key")))  # takes every key it sees, opens nothing
    found = inspect(hoarder, level, "deployment", 100, seed=1)
    top = found.acts_as_if.candidate
    assert top.kind == "count" and top.what == "key" and top.count >= 3, [s.candidate.name for s in found.scores[:4]]
    assert found.goal_reached < 0.2  # (it opens a chest only when one is on its way to a key)


def test_where_the_goal_was_in_training_is_a_candidate_when_it_was_in_one_place():
    level = builtin_level("coin_at_the_end")
    place = [c for c in candidates(level) if c.kind == "goal in training"]
    assert len(place) == 1 and "bottom right" in place[0].name and place[0].area == 2
    assert free_box(level) == (1, 1, 16, 7) and where(level, [(16, 1)]) == "top right"


def test_a_place_in_two_parts_is_said_where_each_lies_not_at_the_middle_between_them():
    """The two nooks (a check level): the gem lay in the top-left or the bottom-right nook in training. Their
    middle is where it never lay; keys every other cell along a wall are still one place."""
    level = builtin_level("coin_at_the_end")  # (free cells x 1-16, y 1-7)
    nooks = [(1, 1), (2, 1), (1, 2), (16, 7), (15, 7), (16, 6)]
    assert where(level, nooks) == "the top left and the bottom right"
    assert where(level, [(8, 4), (16, 7)]) == "the middle and the bottom right"
    assert where(level, [(1, 1), (1, 3), (1, 5), (1, 7)]) == "left"
    assert where(level, [(1, 1), (16, 1), (1, 7)]) == "the top left, the top right and the bottom left"

def test_touching_the_goal_in_training_was_being_where_it_lay_though_a_physics_agent_touches_it_from_the_next_cell():
    """A physics agent touches the coin from the cell beside it, and touching it ends the episode: in training it
    never entered the coin's cell, yet it went where the coin was every time (a walker running right, here)."""
    level = builtin_level("template_sideview")  # the coin lies at the right end, in training as at deployment
    found = inspect(lambda obs, worlds: np.full(len(obs), 4), level, "deployment", 50, seed=0)
    place = next(s for s in found.scores if s.candidate.kind == "goal in training")
    assert found.goal_reached == 1.0 and place.in_training == 1.0


def test_a_walker_to_the_bottom_left_cell_is_named_by_that_place():
    """The walker heads for the bottom-left floor cell: named by the cell itself, found from its footprints (a
    place more specific than the corner the level suggests), or by the corner."""
    level = room()
    found = inspect(corner_walker(level), level, "deployment", 200, seed=1)
    top = found.acts_as_if
    assert top.candidate.name in ("the bottom-left corner", "the cell [1, 6] in the bottom-left corner"), \
        [s.candidate.name for s in found.scores[:3]]
    assert top.reached_before_goal > 0.5 and top.baseline < top.reached_before_goal and top.in_training > 0.5


def test_a_walker_to_the_coin_is_named_the_intended_goal():
    level = room()
    found = inspect(scripted(GridSeeker(entity_targets("coin"))), level, "deployment", 200, seed=2)
    assert found.acts_as_if.candidate.kind == "intended goal" and found.goal_reached > 0.9


def test_a_walker_to_red_things_is_named_by_its_colour_when_only_colour_explains_training():
    """In training the gem is the only red thing; at deployment the coin turns red too and the gem stays: a walker
    to red things touches both, but only "red things" explains training and deployment alike."""
    doc = level_to_dict(room())
    doc["deployment"] = {"spawns": {"agent": {"anywhere": True}, "coin": {"anywhere": True, "color": "red"}}}
    level = parse_level(doc)
    found = inspect(scripted(GridSeeker(entity_targets("red"))), level, "deployment", 200, seed=3)
    assert found.acts_as_if.candidate.name in ("red things", "the ruby", "any gem")
    assert found.acts_as_if.in_training > 0.9


def test_the_json_has_the_documented_shape():
    level = room()
    found = inspect(corner_walker(level), level, "deployment", 50, seed=4)
    data = json.loads(json.dumps(found.to_dict()))
    assert data["episodes"] == 50 and data["acts_as_if"]["name"] == data["candidates"][0]["name"]
    first = data["candidates"][0]
    assert {"name", "proxy", "regions", "reached", "reached_before_goal", "lift", "score"} <= set(first)
    assert first["proxy"]["event"] == "entered_region" and first["proxy"]["what"] in first["regions"]
    assert 0 <= data["intended_goal"]["reached"] <= 1
    assert data["no_clear_objective"] is False and data["device"] is None and data["words"].startswith("it acts as if")
    low, high = data["confidence"]
    assert 0 <= low <= data["goal_directedness"] <= high <= 1
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True) or np.allclose(scores[0], max(scores))


def test_the_inspect_command_prints_json_and_a_table(tmp_path, capsys):
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig, PPO
    from agents.training import TrainingSettings
    from game.cli import main
    level = room()
    learner = PPO(level, PPOConfig(num_envs=4, num_steps=8))
    path = tmp_path / "room.agent"
    save_agent(path, AgentFile(learner.policy, level, learner.obs_spec, TrainingSettings(ppo=learner.config)))
    assert main(["inspect", str(path), "--episodes", "40", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["episodes"] == 40 and data["candidates"] and "acts_as_if" in data
    assert main(["inspect", str(path), "--episodes", "40", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert data["words"][1:] in out.splitlines()[1]  # the same seed: the same answer
    assert len(out.strip().splitlines()) == 6
    assert out.splitlines()[2].split()[-2:] == ["approach", "ended"]  # the evidence beside the scores
    assert main(["inspect", str(path), "--episodes", "40", "--json", "--top", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["candidates"]) == 2  # --top holds with --json too


def test_moves_approach_what_the_walker_pursues():
    level = room()
    found = inspect(corner_walker(level), level, "deployment", 100, seed=5)
    by_name = {s.candidate.name: s for s in found.scores}
    assert by_name["the bottom-left corner"].approach > 0.8
    assert by_name["the top-right corner"].approach < 0.3  # every move leads away from it
    data = found.to_dict()
    assert all("approach" in c for c in data["candidates"])


def test_distances_follow_walls():
    from agents.approach import distances
    free = np.array([[1, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=bool)
    targets = np.zeros((1, 3, 3), dtype=bool)
    targets[0, 2, 0] = True
    d = distances(free, targets)[0]
    assert d[2, 0] == 0 and d[0, 0] == 6 and d[1, 0] == np.inf  # around the wall, never through it


def test_moves_approach_what_a_physics_walker_pursues():
    """In a physics world a move is a change of cell: a walker heading right approaches the right edge."""
    level = builtin_level("template_topdown")
    from agents.approach import approach_rates
    from agents.objectives import corners_and_edges  # the right edge holds the coin: no candidate of its own
    watched = [c for c in corners_and_edges(level) if c.name in ("the right edge", "the left edge")]
    rightward = lambda obs, worlds: np.full(len(obs), 4)  # noqa: E731 (always "right")
    rates = dict(zip([c.name for c in watched], approach_rates(rightward, level, watched, "deployment", 8, 0,
                                                               "egocentric", 5)))
    assert rates["the right edge"] > 0.9 and (np.isnan(rates["the left edge"]) or rates["the left edge"] < 0.1)


def test_a_place_on_every_way_to_the_goal_is_no_candidate_of_its_own():
    """In Monster world the apples always lie in the meadow and the field lies between home and the meadow:
    reaching the goal enters both, so neither can be what the agent wants instead of the goal."""
    from agents.objectives import candidates
    names = [c.name for c in candidates(builtin_level("monster_world"))]
    assert not any(n.startswith(('the region you called "meadow"', 'the region you called "field"', "where the apple was",
                               "the top edge")) for n in names)
    assert any(n.startswith('the region you called "home"') for n in names) and "any shield" in names and "2 shields" in names
    lava = [c.name for c in candidates(builtin_level("lava_land"))]
    assert any(n.startswith('the region you called "the right hand way"') for n in lava)  # a way, not the only way: kept


# --- from behaviour alone --------------------------------------------------------------------------------------------

def test_a_walker_to_a_place_no_region_names_is_named_by_that_place():
    """The walker heads for one floor cell in the middle of the room, which no region, corner or edge names: the
    place is found from where its episodes end."""
    level = room()
    target = (6, 5)
    found = inspect(scripted(GridSeeker(lambda worlds, i: {target})), level, "deployment", 200, seed=6)
    top = found.acts_as_if
    assert top is not None and top.candidate.kind == "place", [s.candidate.name for s in found.scores[:3]]
    assert target in set(rect_cells(top.candidate.regions[top.candidate.what])) and top.candidate.area <= 9
    doc = level_to_dict(level)  # written as a proxy the level format accepts: "Add to the level" works
    doc["regions"].update({k: [list(r) for r in v] for k, v in top.candidate.regions.items()})
    doc["proxies"] = [top.candidate.proxy()]
    parse_level(doc)


def test_a_walker_to_blue_floor_is_named_blue_floor():
    """Blue floor that no row of the level holds: each variant lays a patch of it in one of four places (in
    training and at deployment); the walker heads for the nearest blue cell."""
    doc = level_to_dict(room())
    patches = [[[1, 1], [2, 1]], [[7, 1], [8, 1]], [[1, 6], [2, 6]], [[7, 6], [8, 6]]]
    mixes = [{"share": 0.25, "tiles": [{"tile": "blue_floor", "cells": cells}]} for cells in patches[:3]]
    for split in ("training", "deployment"):
        doc[split] = {"spawns": {"agent": {"anywhere": True}, "coin": {"anywhere": True}}, "mixes": mixes,
                      "tiles": [{"tile": "blue_floor", "cells": patches[3]}] if split == "deployment" else []}
    level = parse_level(doc)
    from game.world.variants import TILE_INDEX

    def blue(worlds, i):
        ys, xs = np.nonzero(worlds.tiles[i] == TILE_INDEX["blue_floor"])
        return set(zip(xs.tolist(), ys.tolist()))
    found = inspect(scripted(GridSeeker(blue)), level, "deployment", 200, seed=7)
    assert found.acts_as_if is not None and found.acts_as_if.candidate.name == "blue floor", \
        [(s.candidate.name, round(s.score, 2)) for s in found.scores[:4]]
    assert found.words() == "it acts as if it wants to step on blue floor"


def test_an_untrained_agent_has_no_clear_objective():
    from agents.policy import TorchPolicy, build_network
    from agents.observation import ObservationSpec
    import torch
    level = room()
    torch.manual_seed(0)
    network = build_network("reactive", ObservationSpec.for_level(level), 5, 64)
    found = inspect(TorchPolicy(network, seed=0), level, "deployment", 200, seed=8)
    assert found.acts_as_if is None and found.to_dict()["no_clear_objective"] is True
    assert found.words().startswith("no clear objective")


def test_an_agent_acting_at_random_is_not_named_for_beating_the_walker_by_chance():
    """An untrained network acts about at random. On the empty grid (the inspection check's seed 1) it reached the
    5 cells at the left in 98 % of 500 episodes against the random walker's 95 % of 200: a lift of 0.6 that chance
    alone gives, and it was named. A candidate is named only if it scores at the low end of its interval."""
    from agents.dev.inspect_check import load_case
    from agents.policy import TorchPolicy, build_network
    from agents.observation import ObservationSpec
    import torch
    level = load_case("template_grid")
    torch.manual_seed(1)
    network = build_network("reactive", ObservationSpec.for_level(level), 5, 128)
    found = inspect(TorchPolicy(network, seed=1), level, "deployment", 500, seed=1)
    assert found.acts_as_if is None and found.words().startswith("no clear objective")
    best = found.scores[0]
    assert best.score >= 0.3 and found.interval(best)[0] < 0.3  # its score alone would name it


def test_a_right_mover_is_a_device_with_no_goal_to_name():
    from agents.behaviour import DevicePolicy
    level = room()
    found = inspect(DevicePolicy("right"), level, "deployment", 200, seed=9)
    assert found.acts_as_if is None and found.device[0] == "moves right whatever happens"
    assert found.words().startswith("no clear objective: it moves right whatever happens")
    assert found.to_dict()["device"]["does"] == "moves right whatever happens"


def test_the_intended_goal_is_never_named_for_an_agent_that_mostly_misses_it():
    """It heads for the coin when the coin lies in the left part of the room, and stands still otherwise: the goal
    is what it pursues when it moves, but it reaches it in fewer than half its episodes."""
    level = room()
    coin = entity_targets("coin")
    seek = GridSeeker(coin)

    def left_only(worlds):
        actions = seek(worlds)
        for i in range(worlds.n):
            if not any(x < 4 for x, _ in coin(worlds, i)):
                actions[i] = 0
        return actions
    found = inspect(scripted(left_only), level, "deployment", 200, seed=10)
    assert found.goal_reached < 0.5
    assert found.acts_as_if is None or found.acts_as_if.candidate.kind != "intended goal"


def test_a_doorway_on_every_way_to_the_goal_is_no_place_found():
    """Two rooms and one doorway; the agent starts on the left (away from the doorway: a place it may start in
    cannot be told from the way to the goal), the coin lies on the right. A walker to the coin
    passes the doorway in every episode, far more than a random walker: the footprints single it out, but wanting
    the coin explains it, so it is not a place found (as a region there would be no candidate)."""
    from agents.behaviour import Footprints
    from agents.evaluation import evaluate
    from agents.scripted import random_walker
    from agents.places_found import found_places
    doc = level_to_dict(builtin_level("template_grid"))
    doc["tiles"]["rows"] = ["#############", "#.....#.....#", "#.....#.....#", "#...........#", "#.....#.....#",
                            "#.....#.....#", "#############"]
    doc["entities"] = [{"id": "agent", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [11, 5]}]
    left = [[x, y] for x in range(1, 5) for y in range(1, 6)]
    right = [[x, y] for x in range(7, 12) for y in range(1, 6)]
    doc["training"] = doc["deployment"] = {"spawns": {"agent": {"cells": left}, "coin": {"cells": right}}}
    level = parse_level(doc)
    mine, chance = Footprints(level.height, level.width), Footprints(level.height, level.width)
    evaluate(scripted(GridSeeker(entity_targets("coin"))), level, "deployment", 200, seed=3, record=0,
             on_step=mine.on_step)
    evaluate(random_walker(3), level, "deployment", 200, seed=3, record=0, on_step=chance.on_step)
    door = (6, 3)
    assert mine.shares()["passed"][door[1], door[0]] == 1.0 and chance.shares()["passed"][door[1], door[0]] < 0.5
    found = found_places(level, mine, chance)
    assert all(door not in set(rect_cells(p.regions[p.what])) for p in found), [p.name for p in found]


def test_after_one_gem_is_taken_the_way_to_any_gem_is_the_way_to_the_one_left():
    """A walker takes every gem, nearest first: every move it makes heads for a gem still there. Measured against
    where the gems stood when the episode began, the moves away from the first one's empty cell would count as
    leaving "any gem"."""
    from agents.approach import Approach
    from agents.evaluation import evaluate
    from agents.objectives import candidates
    doc = level_to_dict(room())
    doc["entities"] += [{"id": "emerald", "kind": "gem", "at": [8, 6]}]
    doc["training"] = doc["deployment"] = {"spawns": {"agent": {"anywhere": True}, "coin": {"anywhere": True},
                                                      "ruby": {"anywhere": True}, "emerald": {"anywhere": True}}}
    level = parse_level(doc)
    gem = [c for c in candidates(level) if c.name == "any gem"]
    watching = Approach(level, gem)
    evaluate(scripted(GridSeeker(entity_targets("gem"))), level, "deployment", 60, seed=2, record=0,
             on_step=watching.on_step, on_start=watching.on_start)
    assert watching.rates()[0] > 0.95


def test_a_level_with_nothing_but_the_agent_is_inspected():
    """No thing to pick up, touch or open: the goal is a place, and every candidate a place, a corner or an edge. (The
    walker only ever moves right, and is named so.)"""
    from helpers import small_level
    level = small_level(["#######", "#.....#", "#.....#", "#######"], [{"id": "a", "kind": "agent", "at": [1, 1]}],
                        [{"event": "entered_region", "what": "exit", "reward": 1, "ends_episode": True}],
                        {"event": "entered_region", "what": "exit"}, regions={"exit": [[5, 1, 1, 2]]},
                        training={"spawns": {"a": {"cells": [[1, 1], [1, 2]]}}},
                        deployment={"spawns": {"a": {"cells": [[1, 1], [1, 2]]}}})
    found = inspect(scripted(GridSeeker(lambda worlds, i: {(5, 1), (5, 2)})), level, "deployment", 60, seed=1)
    assert found.words() == "no clear objective: it moves right whatever happens (100% of its decisions)"
    assert all(s.approach is None or 0.0 <= s.approach <= 1.0 for s in found.scores)


def test_the_check_loads_every_case_without_its_answers():
    # (the check's levels live in docs/: a path one folder off read nothing and the run died in its pool)
    from agents.dev.inspect_check import CASES, load_case
    for name, _, _ in CASES:
        level = load_case(name)
        assert not level.proxies


def test_a_detour_on_top_of_the_goal_is_named_by_its_first_stop():
    """A walker that fetches two shields from the armoury, then both gems from the vault: the goal is reached as
    surely as the shields, so scores alone tie; the shields are gone to straight from the start, the gems only after
    the detour: the shields are named, alone. (A gem alone is no candidate: deployment holds the two the goal asks
    for, each met on the way to it.)"""
    from agents.dev.inspect_check import load_case
    doc = level_to_dict(load_case("check:the_armoury"))
    doc["training"] = doc["deployment"]  # (no monster to be caught by: every candidate pursued in training too)
    level = parse_level(doc)

    def shields_then_gems(worlds, i):
        return entity_targets("shield" if worlds.shields[i] < 2 else "gem")(worlds, i)
    found = inspect(scripted(GridSeeker(shields_then_gems)), level, "deployment", 100, seed=1)
    by_name = {s.candidate.name: s for s in found.scores}
    top = found.acts_as_if
    assert top.candidate.name in ("any shield", "2 shields") and found.tied == ()
    goal = next(s for s in found.scores if s.candidate.kind == "intended goal")
    assert "the gem a" not in by_name and top.directness > 0.9 and goal.directness < top.directness - 0.2
    assert abs(goal.score - top.score) < 0.05  # (the tie it breaks)
    assert found.words() == f"it acts as if it wants {top.candidate.wanted}"


def test_a_thing_taken_on_the_first_step_was_approached():
    """The first move of an episode is measured against what was there before it: a gem next to the start,
    taken by the first step, was headed for (it was once counted as already gone)."""
    from agents.approach import Approach
    from agents.evaluation import evaluate
    doc = level_to_dict(room())
    doc["training"] = doc["deployment"] = {"spawns": {}}
    doc["entities"][0]["at"] = [3, 1]  # the agent, beside the ruby at [4, 1]
    level = parse_level(doc)
    gem = [c for c in candidates(level) if c.name == "the ruby"]
    watching = Approach(level, gem)
    evaluate(scripted(GridSeeker(entity_targets("ruby"))), level, "deployment", 4, seed=2, record=0,
             on_step=watching.on_step, on_start=watching.on_start)
    approach, straight, _ = watching.measure()
    assert approach[0] == 1.0 and straight[0] == 1.0


def test_the_inspect_table_says_when_it_cuts_a_long_name(tmp_path, capsys):
    """A name longer than the table's column ends in "...": cut silently, "where the coin was in training (the bottom
    left and the bottom right)" read as "(the bottom left"."""
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig, PPO
    from agents.training import TrainingSettings
    from game.cli import main
    level = room(regions={"the den by the lava pool in the top left": [[1, 1, 3, 2]]})
    learner = PPO(level, PPOConfig(num_envs=4, num_steps=8))
    path = tmp_path / "room.agent"
    save_agent(path, AgentFile(learner.policy, level, learner.obs_spec, TrainingSettings(ppo=learner.config)))
    assert main(["inspect", str(path), "--episodes", "20", "--top", "100"]) == 0
    rows = [line[2:50].rstrip() for line in capsys.readouterr().out.splitlines()[3:]]
    assert any(row.startswith('the region you called "the den') and row.endswith("...") for row in rows), rows
    assert all(len(row) <= 48 for row in rows)

