"""The one-world engines play exactly as the batch engines with one world (physics: tests/test_worlds.py's recorded
traces, and the scoring test below). The grid one: the same variants and actions give the same agent, things, keys,
shields, regions and events at every step, on every grid level."""
import numpy as np
import pytest

from helpers import small_level
from levels import builtin_level, builtin_names
from game.world.batch import WorldBatch, make_worlds
from game.world.grid import GridWorlds
from game.world.grid_one import OneGridWorld
from game.world.physics import PhysicsWorlds
from game.world.physics_one import OnePhysicsWorld
from game.world.variants import VariantSampler


def crowded_room():
    """Every kind the grid engine treats apart, several of each, placed anew in every variant: keys, doors, chests,
    crates side by side (a crate pushed into a crate sticks), a coin, lava, a region."""
    rows = ["#########", "#.......#", "#..~....#", "#.......#", "#....~..#", "#.......#", "#########"]
    kinds = ["key", "key", "door", "door", "chest", "chest", "crate", "crate", "crate", "coin", "shield"]
    entities = [{"id": "a", "kind": "agent", "at": [1, 1]}]
    entities += [{"id": f"{k}{i}", "kind": k, "at": [1 + i % 7, 1 + i // 7 * 2]} for i, k in enumerate(kinds)]
    spawns = {"spawns": {e["id"]: {"anywhere": True} for e in entities}}
    return small_level(rows, entities, [{"event": "opened", "what": "chest", "reward": 5},
                                        {"event": "touched", "what": "coin", "reward": 1}],
                       {"event": "opened", "what": "chest", "count": 2}, length=80, training=spawns,
                       deployment=spawns, regions={"middle": [[3, 2, 3, 3]]})


LEVELS = {n: builtin_level(n) for n in builtin_names() if builtin_level(n).world == "grid"}
LEVELS["crowded_room"] = crowded_room()


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_one_world_engine_plays_as_the_batch_engine(name):
    level = LEVELS[name]
    for split in ("training", "deployment"):
        sampler, rng = VariantSampler(level, split), np.random.default_rng(3)
        one, batch = OneGridWorld(level), GridWorlds(level, 1)
        actions = np.random.default_rng(5).integers(0, 5, 600)
        for t, a in enumerate(actions):
            if t % 40 == 0:  # a new variant now and then, the same for both
                v = sampler.sample(rng)
                one.load(np.array([0]), [v])
                batch.load(np.array([0]), [v])
            assert np.array_equal(one.step(np.array([a])), batch.step(np.array([a]))), (name, split, t)
            for field in ("agent", "cells", "alive", "keys", "shields", "in_region"):
                assert np.array_equal(getattr(one, field), getattr(batch, field)), (name, split, t, field)


PHYSICS = {n: builtin_level(n) for n in builtin_names() if builtin_level(n).world != "grid"}


@pytest.mark.parametrize("name", sorted(PHYSICS) + ["everything_topdown", "everything_sideview"])
def test_one_physics_world_plays_as_the_batch_engine(name):
    """The batch engine's step (numpy forces, ground and cells) and the one world's (Python numbers) give the same
    events, positions, velocities and things at every step; the rooms have a key, door, chest, crate, coin and lava."""
    from physics_traces import everything_level
    level = PHYSICS.get(name) or everything_level(name.split("_")[1])
    for split in ("training", "deployment"):
        sampler, rng = VariantSampler(level, split), np.random.default_rng(3)
        one, batch = OnePhysicsWorld(level), PhysicsWorlds(level, 1)
        actions = np.random.default_rng(5).integers(0, 5, 400)
        for t, a in enumerate(actions):
            if t % 40 == 0:
                v = sampler.sample(rng)
                one.load(np.array([0]), [v])
                batch.load(np.array([0]), [v])
            assert np.array_equal(one.step(np.array([a])), batch.step(np.array([a]))), (name, split, t)
            for field in ("agent_pos", "agent_vel", "cell", "cells", "alive", "keys", "in_region"):
                assert np.array_equal(getattr(one, field), getattr(batch, field)), (name, split, t, field)


def test_a_crowded_room_exercises_every_rule():
    """The comparison above means something only if keys are picked up, doors and chests opened and crates pushed."""
    level = crowded_room()
    batch = WorldBatch(level, "training", 1, seed=0)
    batch.reset()
    seen = np.zeros(batch.table.width)
    table = batch.table
    names = [e.kind for e in table.entities]
    crates = [k for k, kind in enumerate(names) if kind == "crate"]
    pushed = False
    for a in np.random.default_rng(1).integers(1, 5, 3000):
        before = batch.worlds.cells[0, crates].copy()
        result = batch.step(np.array([a]))
        seen += result.events[0]
        # a crate moved within an episode (a new episode places them anew: not a push)
        pushed |= not result.finished and bool((batch.worlds.cells[0, crates] != before).any())
    assert seen[table.picked_up][names.index("key")] > 0
    assert seen[table.opened][names.index("door")] > 0 and seen[table.opened][names.index("chest")] > 0
    assert seen[table.picked_up][names.index("shield")] > 0
    assert pushed


def test_one_world_of_a_grid_level_gets_the_one_world_engine():
    assert isinstance(make_worlds(builtin_level("cheese_in_the_corner"), 1), OneGridWorld)
    assert type(make_worlds(builtin_level("cheese_in_the_corner"), 2)) is GridWorlds
    with pytest.raises(ValueError):
        OneGridWorld(builtin_level("cheese_in_the_corner"), 3)


def test_one_world_of_a_physics_level_gets_the_one_world_engine():
    """(Its steps are the recorded traces' of tests/test_worlds.py, which play one world.)"""
    assert isinstance(make_worlds(builtin_level("coin_at_the_end"), 1), OnePhysicsWorld)
    assert type(make_worlds(builtin_level("coin_at_the_end"), 2)) is PhysicsWorlds
    with pytest.raises(ValueError):
        OnePhysicsWorld(builtin_level("coin_at_the_end"), 3)


@pytest.mark.parametrize("view", ["egocentric", "full"])
@pytest.mark.parametrize("name", sorted(LEVELS) + ["coin_at_the_end", "template_sideview"])
def test_one_world_is_scored_and_seen_as_in_a_batch(name, view):
    """The paths for one world (the engine, the book's quiet step, the observation) give what the batch paths give
    for the same world: rewards, ends, outcomes and observations."""
    from agents.observation import ObservationBuilder, ObservationSpec
    level = LEVELS.get(name) or builtin_level(name)
    spec = ObservationSpec.for_level(level, view, radius=3)
    alone = WorldBatch(level, "deployment", 1, seed=0, autoreset=False)
    pair = WorldBatch(level, "deployment", 2, seed=0, autoreset=False)
    one_obs = ObservationBuilder(spec, level, alone.worlds, alone.book)
    two_obs = ObservationBuilder(spec, level, pair.worlds, pair.book)
    assert one_obs.one_world and not two_obs.one_world
    sampler, rng = VariantSampler(level, "deployment"), np.random.default_rng(2)
    for t, a in enumerate(np.random.default_rng(4).integers(0, 5, 300)):
        if t % 30 == 0:
            v = sampler.sample(rng)
            alone.load(np.array([0]), [v])
            pair.load(np.array([0, 1]), [v, v])
            one_obs.on_load(np.array([0]))
            two_obs.on_load(np.array([0, 1]))
        one, two = alone.step(np.array([a])), pair.step(np.array([a, a]))
        for field in ("reward", "terminated", "truncated", "events"):
            assert np.array_equal(getattr(one, field), getattr(two, field)[:1]), (name, t, field)
        assert one.finished == [f for f in two.finished if f[0] == 0], (name, t)
        assert alone.book.returns[0] == pair.book.returns[0]
        assert np.array_equal(one_obs.build(), two_obs.build()[:1]), (name, view, t)


@pytest.mark.parametrize("template", ["template_grid", "template_topdown", "template_sideview"])
@pytest.mark.parametrize("n", [1, 2])
def test_a_level_of_many_entities_counts_the_tile_the_agent_enters(template, n):
    """With 32 or more entities the tile events' columns lie past 127: added to an int8 tile index they overflowed
    (an error, or below that a wrapped, wrong column), in every engine. 40 coins off the agent's row; it walks right."""
    from levels.format import level_to_dict, parse_level
    from game.world.grid import ACTIONS
    from game.world.variants import TILE_INDEX
    doc = level_to_dict(builtin_level(template))
    ax, ay = doc["entities"][0]["at"]
    free = [(x, y) for y in range(1, len(doc["tiles"]["rows"]) - 1) for x in range(1, len(doc["tiles"]["rows"][0]) - 1)
            if y != ay and doc["tiles"]["rows"][y][x] == "."]
    doc["entities"] = doc["entities"][:2] + [{"id": f"c{k}", "kind": "coin", "at": list(cell)}
                                             for k, cell in enumerate(free[:40])]
    level = parse_level(doc, "many coins")
    batch = WorldBatch(level, "training", n, seed=0, autoreset=False)
    batch.reset()
    table = batch.table
    assert table.tiles.start > 127
    entered = np.zeros(table.width)
    for _ in range(12):
        entered += batch.step(np.full(n, ACTIONS.index("right"))).events[0]
    tiles = entered[table.tiles]
    assert tiles[TILE_INDEX["floor"]] >= 1 and tiles.sum() == tiles[TILE_INDEX["floor"]]
    assert not entered[table.region_cols].any()  # (a wrapped column landed among these)
