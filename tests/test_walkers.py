"""Monsters, shields, guides, tiles that change between training and deployment, per-split episode lengths."""
import numpy as np
import pytest

from levels import LevelError, level_to_dict, parse_level
from agents.observation import ObservationSpec
from game.world import WorldBatch
from game.world.batch import current_variant

from helpers import play, small_level

CORRIDOR = ["#########", "#.......#", "#########"]
GOAL = {"event": "touched", "what": "coin"}
RULES = [{"event": "touched", "what": "coin", "reward": 10, "ends_episode": True}]


def corridor(*entities, **extra):
    return small_level(CORRIDOR, [{"id": "agent", "kind": "agent", "at": [1, 1]}, *entities,
                                  {"id": "coin", "kind": "coin", "at": [7, 1]}], RULES, GOAL, **extra)


def monster(at=(4, 1), **fields):
    return {"id": "monster", "kind": "monster", "at": list(at), **fields}


def test_a_monster_catches_the_agent_who_walks_into_it():
    steps, report, _ = play(corridor(monster()), "training", "RRRR")
    assert report.outcome == "died"
    assert {"event": "caught", "what": None} in steps[-1][1]
    assert len(steps) == 3  # the agent stepped onto the monster's cell on its third move


def test_a_shield_is_spent_on_a_monster_which_is_then_gone():
    level = corridor({"id": "shield", "kind": "shield", "at": [2, 1]}, monster())
    steps, report, batch = play(level, "training", "RRRRRR")
    events = [e for _, evs, _, _ in steps for e in evs]
    assert {"event": "picked_up", "what": "shield"} in events
    assert {"event": "defeated", "what": "monster"} in events
    assert report.outcome == "goal"  # walked on past where the monster was, to the coin
    assert batch.worlds.shields[0] == 0


def test_a_patrolling_monster_moves_every_step_and_meets_an_agent_passing_it():
    route = {"cells": [[6, 1], [3, 1]], "then": "back"}
    level = corridor(monster((6, 1), route=route))
    batch = WorldBatch(level, "training", 1, 0, autoreset=False)
    batch.reset()
    seen = []
    for _ in range(4):
        batch.step(np.array([0]))  # the agent stays; the monster walks 6 -> 3 and back
        seen.append(int(batch.worlds.cells[0, 0, 0]))
    assert seen == [5, 4, 3, 4]
    # the agent at 2 moving right while the monster at 3 moves left: they pass each other
    steps, report, _ = play(corridor(monster((4, 1), route={"cells": [[4, 1], [2, 1]]})), "training", "RR")
    assert report is not None and report.outcome == "died"


def test_a_wandering_monster_is_the_same_for_a_seed_and_never_walks_into_walls():
    level = small_level(["#######", "#.....#", "#.....#", "#.....#", "#######"],
                        [{"id": "agent", "kind": "agent", "at": [1, 1]}, monster((3, 2), wander=True),
                         {"id": "coin", "kind": "coin", "at": [5, 3]}], RULES, GOAL, length=200)

    def walk(seed):
        batch = WorldBatch(level, "training", 4, seed, autoreset=False)
        batch.reset()
        cells = []
        for _ in range(30):
            batch.step(np.zeros(4, dtype=np.int64))
            cells.append(batch.worlds.cells[:, 0].copy())
        return np.array(cells)

    a, b = walk(3), walk(3)
    assert (a == b).all()
    assert len({tuple(c) for c in a[:, 0]}) > 3  # it does move about
    assert ((a[..., 0] >= 1) & (a[..., 0] <= 5) & (a[..., 1] >= 1) & (a[..., 1] <= 3)).all()


def test_a_guide_walks_its_route_and_the_deployment_route_differs():
    regions = {"left": [1, 1, 1, 1], "right": [7, 1, 1, 1]}
    level = corridor({"id": "guide", "kind": "guide", "at": [4, 1],
                      "route": {"cells": [[4, 1], [7, 1]], "then": "stop"}}, regions=regions,
                     deployment={"spawns": {"guide": {"route": {"cells": [[4, 1], [1, 1]], "then": "stop"}}}})
    for split, end in (("training", 7), ("deployment", 1)):
        batch = WorldBatch(level, split, 1, 0, autoreset=False)
        batch.reset()
        for _ in range(6):
            batch.step(np.array([0]))
        assert tuple(batch.worlds.cells[0, 0]) == (end, 1)  # it stops at the route's end


def _walk_end_steps(level, split, actions: str, n: int) -> list[int]:
    """The steps (from 1) in which world 0 of a batch of `n` (1: the one-world engine) got to where the guide goes,
    every world given the same actions."""
    from helpers import ACTION
    batch = WorldBatch(level, split, n, 0, autoreset=False)
    batch.reset()
    column = batch.table.reached_walk_end.start  # (the guide is the first entity after the agent)
    return [t for t, ch in enumerate(actions, 1)
            if batch.step(np.full(n, ACTION[ch])).events[0, column] > 0]


def test_getting_to_where_the_guide_goes_is_an_event_wherever_its_walk_ends_in_both_engines():
    """The walk's last waypoint in the variant (training's, deployment's), entered, whether or not the guide is
    there yet; a loop has no end; a walker moved by hand, off its route, goes nowhere."""
    guide = {"id": "guide", "kind": "guide", "at": [4, 1], "route": {"cells": [[4, 1], [6, 1]], "then": "stop"}}
    level = corridor(guide, deployment={"spawns": {"guide": {"route": {"cells": [[4, 1], [2, 1]], "then": "back"}}}},
                     proxies=[{"name": "followed", "event": "reached_walk_end", "what": "guide"}])
    for n in (1, 3):
        assert _walk_end_steps(level, "training", "RRRRRLR", n) == [5, 7]  # at 6 (the guide came first), again
        assert _walk_end_steps(level, "deployment", "RsLR", n) == [1, 4]  # at 2, before the guide
    steps, report, _ = play(level, "training", "RRRRRR")
    assert report.outcome == "goal" and report.proxy_steps == {"followed": 5}
    looping = level_to_dict(level)
    looping["entities"][1]["route"] = {"cells": [[4, 1], [6, 1]], "then": "loop"}
    assert _walk_end_steps(parse_level(looping, "test"), "training", "RRRRRLR", 1) == []

    from game.session import what_if
    from agents.envs import LevelVecEnv
    env = LevelVecEnv(level, "training", 1, seed=0)
    env.reset()
    what_if.move(env, 0, 0, (3, 1))  # (thing 0: the guide)
    column = env.batch.table.reached_walk_end.start
    walked = [env.step(np.array([4]))[4]["events"][0, column] for _ in range(5)]  # the agent to 6, where it ended
    assert tuple(env.batch.worlds.agent[0]) == (6, 1) and not any(walked)


def test_tiles_change_at_deployment_and_the_observation_reads_them():
    level = corridor(deployment={"tiles": [{"tile": "lava", "cells": [[3, 1]]}]})
    assert play(level, "training", "RRR")[1] is None  # plain floor in training
    steps, report, _ = play(level, "deployment", "RRR")
    assert report.outcome == "died"
    assert "tile:lava" in ObservationSpec.for_level(level).channels


def test_a_mix_changes_tiles_in_its_share_of_variants():
    regions = {"middle": [3, 1, 3, 1]}
    level = corridor(regions=regions, training={"mixes": [{"share": 0.5, "tiles": [{"tile": "wall",
                                                                                   "region": "middle"}]}]})
    batch = WorldBatch(level, "training", 200, 1)
    batch.reset()
    walled = (batch.worlds.tiles[:, 1, 4] == batch.worlds.tiles[0, 0, 0]).mean()
    assert 0.35 < walled < 0.65


def test_episode_length_per_distribution():
    level = corridor(training={"episode_length": 5}, deployment={"episode_length": 40})
    assert play(level, "training", "s" * 10)[1].length == 5
    assert play(level, "deployment", "s" * 60)[1].length == 40


def test_an_edited_world_keeps_its_walkers_on_their_route_and_the_agents_shield():
    level = corridor({"id": "shield", "kind": "shield", "at": [2, 1]}, monster((6, 1), route={"cells": [[6, 1], [3, 1]]}))
    batch = WorldBatch(level, "training", 1, 0, autoreset=False)
    batch.reset()
    batch.step(np.array([4]))  # right: picks up the shield
    batch.step(np.array([0]))
    batch.edit(0, current_variant(batch.worlds, 0))
    batch.step(np.array([0]))
    assert int(batch.worlds.cells[0, 1, 0]) == 3  # went on from 4 to 3, not back to the start
    assert batch.worlds.shields[0] == 1


def test_a_walker_moved_by_hand_stays_where_it_was_put():
    from game.session import what_if
    from agents.envs import LevelVecEnv
    level = corridor(monster((6, 1), route={"cells": [[6, 1], [3, 1]]}))
    env = LevelVecEnv(level, "training", 1, seed=0)
    env.reset()
    what_if.move(env, 0, 0, (2, 1))
    env.step(np.array([0]))
    assert tuple(env.batch.worlds.cells[0, 0]) == (2, 1)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["entities"].append({"id": "c2", "kind": "coin", "at": [2, 1], "wander": True}), "cannot move"),
    (lambda d: d["entities"][1].update(route={"cells": [[4, 1], [6, 2]]}), "not a straight line"),
    (lambda d: d["entities"][1].update(route={"cells": [[4, 1], [4, 0]]}), "through a wall"),
    (lambda d: d["entities"][1].update(route={"cells": [[5, 1], [6, 1]]}), "start the route where it stands"),
    (lambda d: d["entities"][1].update(route={"cells": [[4, 1], [6, 1], [6, 0]], "then": "loop"}), "way back"),
    (lambda d: d["entities"][1].update(route={"cells": [[4, 1], [40, 1]]}), "outside"),
    (lambda d: d["entities"][1].update(route={"cells": [[4, 1], [6, 1]]}, wander=True), "not both"),
    (lambda d: d.update(world="topdown"), "grid worlds only"),
    (lambda d: d.update(deployment={"tiles": [{"tile": "lava"}]}), "cells or a region"),
    (lambda d: d.update(deployment={"tiles": [{"tile": "lava", "region": "nowhere"}]}), "no region"),
    (lambda d: d.update(deployment={"tiles": [{"tile": "mud", "cells": [[2, 1]]}]}), "tile"),
    (lambda d: d.update(deployment={"spawns": {"coin": {"route": {"cells": [[2, 1], [3, 1]]}}}}), "cannot move"),
    (lambda d: d.update(deployment={"episode_length": 0}), "episode_length"),
])
def test_bad_walkers_and_tile_changes_get_clear_messages(change, message):
    doc = level_to_dict(corridor(monster()))
    change(doc)
    with pytest.raises(LevelError) as caught:
        parse_level(doc, "test")
    assert message in str(caught.value)


def test_walkers_and_tile_changes_round_trip_through_the_file():
    level = corridor(monster((6, 1), route={"cells": [[6, 1], [3, 1]], "then": "back"}),
                     {"id": "shield", "kind": "shield", "at": [2, 1]},
                     deployment={"tiles": [{"tile": "lava", "cells": [[3, 1]]}], "episode_length": 80,
                                 "spawns": {"monster": {"present": 0.0}}})
    assert parse_level(level_to_dict(level), "again") == level


def test_the_cheese_starts_on_the_dish_wherever_the_dish_is():
    level = small_level(["#######", "#.....#", "#.....#", "#######"],
                        [{"id": "agent", "kind": "agent", "at": [1, 1]}, {"id": "dish", "kind": "dish", "at": [5, 1]},
                         {"id": "cheese", "kind": "cheese", "at": [5, 2]}],
                        [{"event": "touched", "what": "cheese", "reward": 10, "ends_episode": True}],
                        {"event": "touched", "what": "cheese"},
                        training={"spawns": {"dish": {"anywhere": True}, "cheese": {"on": "dish"}}},
                        deployment={"spawns": {"dish": {"anywhere": True}, "cheese": {"anywhere": True}}})
    batch = WorldBatch(level, "training", 50, 0)
    batch.reset()
    assert (batch.worlds.cells[:, 0] == batch.worlds.cells[:, 1]).all()
    assert len({tuple(c) for c in batch.worlds.cells[:, 0]}) > 3
    batch = WorldBatch(level, "deployment", 50, 0)
    batch.reset()
    assert (batch.worlds.cells[:, 0] != batch.worlds.cells[:, 1]).any(1).mean() > 0.8


@pytest.mark.parametrize("spawns, message", [
    ({"coin": {"on": "coin"}}, "not another entity"),
    ({"coin": {"on": "agent"}}, "not another entity"),
    ({"coin": {"on": "nobody"}}, "not another entity"),
    ({"coin": {"on": "dish"}, "dish": {"on": "agent"}}, "not another entity"),
    ({"coin": {"on": "dish"}, "dish": {"on": "coin"}}, "itself starts on another entity"),
    ({"coin": {"on": "dish", "anywhere": True}}, "only one of"),
])
def test_a_bad_on_is_refused(spawns, message):
    doc = level_to_dict(corridor({"id": "dish", "kind": "dish", "at": [3, 1]}))
    doc["training"] = {"spawns": spawns}
    with pytest.raises(LevelError) as caught:
        parse_level(doc, "test")
    assert message in str(caught.value)


def test_goal_warnings_know_tile_changes_and_any_agent_id():
    from levels.reachability import goal_warnings
    doc = level_to_dict(corridor())
    doc["entities"][0]["id"] = "mouse"  # an agent not called "agent" (this used to raise KeyError)
    assert goal_warnings(parse_level(doc, "test")) == []
    doc["deployment"] = {"tiles": [{"tile": "lava", "cells": [[4, 1]]}]}
    warnings = goal_warnings(parse_level(doc, "test"))
    assert len(warnings) == 1 and "deployment" in warnings[0]


def test_an_id_that_is_also_another_entitys_kind_is_warned_about():
    from levels.warnings import level_warnings
    doc = level_to_dict(corridor({"id": "other", "kind": "coin", "at": [3, 1]}))
    warnings = level_warnings(parse_level(doc, "test"))
    assert len(warnings) == 1 and "other" in warnings[0]  # "coin" names the coin and, by kind, the other coin
    doc["entities"][1]["kind"] = "gem"
    assert level_warnings(parse_level(doc, "test")) == []


def test_the_editor_document_replaces_a_spawns_route_or_on_when_given_another_place():
    from levels.document import LevelDocument
    level = corridor({"id": "guide", "kind": "guide", "at": [4, 1]}, {"id": "dish", "kind": "dish", "at": [3, 1]},
                     deployment={"spawns": {"guide": {"route": {"cells": [[4, 1], [6, 1]]}}, "coin": {"on": "dish"}}})
    document = LevelDocument(level_to_dict(level))
    document.toggle_spawn_cell("deployment", "guide", (5, 1))
    document.spawn_anywhere("deployment", "coin")
    checked, problems = document.check()
    assert problems == [] and checked is not None
    assert checked.deployment.spawns["guide"].cells == ((5, 1),) and checked.deployment.spawns["guide"].route is None


def test_a_walker_glides_between_decisions_in_the_live_view():
    from game.session.live import LiveEpisodes
    live = LiveEpisodes(corridor(monster((6, 1), route={"cells": [[6, 1], [3, 1]]})), "training", n=1)
    live.update(1.0 / live.decisions_per_second)  # one decision: the monster steps from 6 to 5
    live.clock = 0.0
    assert live.drawn_cells(0)[0].tolist() == [6.0, 1.0]
    live.clock = 0.5 / live.decisions_per_second  # half-way to the next decision: half-way along its step
    assert live.drawn_cells(0)[0].tolist() == [5.5, 1.0]
    live.move(0, 0, (2, 1))  # carried by hand: no gliding across the level
    assert live.drawn_cells(0)[0].tolist() == [2.0, 1.0]


def test_every_thing_the_agent_carries_off_is_picked_up_in_both_engines():
    apple = {"id": "apple", "kind": "apple", "at": [3, 1]}
    steps, _, _ = play(corridor(apple), "training", "RR")
    assert {"event": "picked_up", "what": "apple"} in steps[1][1] and {"event": "touched", "what": "apple"} in steps[1][1]
    rows = ["#########", "#.......#", "#########"]
    side = small_level(rows, [{"id": "agent", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [3, 1]}],
                       RULES, GOAL, world="topdown")
    steps, report, _ = play(side, "training", "R" * 40)
    assert report.outcome == "goal"
    assert {"event": "picked_up", "what": "coin"} in [e for _, evs, _, _ in steps for e in evs]


@pytest.mark.parametrize("event, what, says", [
    ("opened", "coin", "only chests and doors can be opened"),
    ("defeated", "coin", "only monsters can be defeated"),
    ("picked_up", "monster", "only coins, cheeses, gems, keys, apples and shields can be picked up"),
    ("picked_up", "red", "picked up"),  # a colour naming only the monster (recoloured at deployment)
    ("reached_walk_end", "coin", "only monsters and guides can walk"),
    ("reached_walk_end", "monster", "no walk of monster ends anywhere"),  # (it stands: no route)
])
def test_an_event_that_cannot_happen_to_what_it_names_is_warned_about(event, what, says):
    from levels.warnings import level_warnings
    doc = level_to_dict(corridor(monster()))
    doc["deployment"] = {"spawns": {"monster": {"color": "red"}}}
    doc["proxies"] = [{"name": "odd", "event": event, "what": what}]
    warnings = level_warnings(parse_level(doc, "test"))
    assert len(warnings) == 1 and says in warnings[0] and f"{event} {what}" in warnings[0]
    doc["proxies"] = [{"name": "fine", "event": "picked_up", "what": "coin"},
                      {"name": "also", "event": "defeated", "what": "red"}]
    assert level_warnings(parse_level(doc, "test")) == []
