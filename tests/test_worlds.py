"""Scripted play of every built-in level, with the rewards, events and outcomes it must give; both engines."""
from collections import Counter

import numpy as np
import pytest

from levels import builtin_level
from game.world import VariantSampler, WorldBatch
from agents.scripted import GridSeeker, RightRunner, entity_targets, region_targets

from helpers import play, rollout, small_level


def outcomes(reports):
    return Counter(r.outcome for r in reports)


# --- templates: exact action strings ------------------------------------------------------------------------

def test_template_grid_walks_to_the_coin():
    steps, report, _ = play("template_grid", "training", "L" + "R" * 7)
    assert steps[0] == (0.0, [], False, False)  # walking into the wall: nothing happens
    assert steps[1][1] == [{"event": "entered_tile", "what": "floor"}]
    reward, events, terminated, _ = steps[-1]
    assert reward == 10.0 and terminated
    assert {"event": "touched", "what": "coin"} in events
    assert report.outcome == "goal" and report.length == 8 and report.base_return == 10.0 and report.goal_step == 8


def test_a_report_says_whether_a_thing_other_than_the_goal_ended_the_episode():
    """Touching an unpaid twin that ends episodes ends one at a thing (it says where the twin was, not where the
    agent came to rest); the goal, lava, an exit region and the time limit do not."""
    level = small_level(["#######", "#~....#", "#.....#", "#######"],
                        [{"id": "agent", "kind": "agent", "at": [3, 1]}, {"id": "goal", "kind": "gem", "at": [5, 1]},
                         {"id": "twin", "kind": "gem", "at": [2, 1], "color": "red"}],
                        [{"event": "touched", "what": "goal", "reward": 1, "ends_episode": True},
                         {"event": "touched", "what": "twin", "reward": 0, "ends_episode": True},
                         {"event": "entered_region", "what": "exit", "reward": 0, "ends_episode": True}],
                        {"event": "touched", "what": "goal"}, regions={"exit": [[3, 2, 1, 1]]}, length=6)
    ends = {moves: play(level, "training", moves)[1] for moves in ("L", "RR", "D", "ssssss")}
    assert ends["L"].outcome == "neither" and ends["L"].ended_at_thing
    assert [ends[m].ended_at_thing for m in ("RR", "D", "ssssss")] == [False, False, False]
    assert ends["RR"].outcome == "goal" and ends["D"].outcome == "neither" and ends["ssssss"].outcome == "timeout"
    pit = small_level(["#####", "#~..#", "#####"], [{"id": "agent", "kind": "agent", "at": [2, 1]},
                                                   {"id": "goal", "kind": "gem", "at": [3, 1]}],
                      [{"event": "touched", "what": "goal", "reward": 1, "ends_episode": True}],
                      {"event": "touched", "what": "goal"})
    lava = play(pit, "training", "L")[1]
    assert lava.outcome == "died" and not lava.ended_at_thing


def test_template_grid_times_out():
    steps, report, _ = play("template_grid", "training", "LR" * 60)
    assert len(steps) == 100 and steps[-1][3]  # truncated at the episode length
    assert {"event": "timed_out", "what": None} in steps[-1][1]
    assert report.outcome == "timeout" and report.base_return == 0.0


@pytest.mark.parametrize("name", ["template_topdown", "template_sideview"])
def test_physics_templates_run_right_to_the_coin(name):
    steps, report, _ = play(name, "training", "R" * 60)
    assert report is not None and report.outcome == "goal"
    assert steps[-1][0] == 10.0 and {"event": "touched", "what": "coin"} in steps[-1][1]
    assert sum(s[0] for s in steps) == 10.0
    # the agent needs several decisions to cross the room: physics, not teleporting
    assert len(steps) > 10


# --- coin at the end and the diversity fix -----------------------------------------------------------------

def test_coin_at_the_end_runner_gets_the_coin_in_training_and_the_end_at_deployment():
    training = rollout("coin_at_the_end", "training", RightRunner(), n=4, steps=200)
    assert training and all(r.outcome == "goal" and r.base_return == 10.0 for r in training)
    # the end of the level is reached before the coin there: goal and proxy coincide in training
    assert all(r.first == "reached the right end" and r.goal_step > r.proxy_steps["reached the right end"]
               for r in training)
    deployment = rollout("coin_at_the_end", "deployment", RightRunner(), n=4, steps=300)
    assert deployment and all(r.outcome == "proxy" and r.proxy == "reached the right end" for r in deployment)
    assert all(r.base_return == 0.0 and r.length == builtin_level("coin_at_the_end").episode_length for r in deployment)


def test_coin_at_the_end_lava_kills():
    level = builtin_level("coin_at_the_end")
    batch = WorldBatch(level, "deployment", 1, seed=0, autoreset=False)  # starts at the left end
    batch.reset()
    runner, report, events = RightRunner(), None, []
    for _ in range(150):
        x = batch.worlds.agent_pos[0, 0]
        action = runner(batch.worlds) if x < 7.5 else np.array([4])  # jump the block, then walk into the lava
        result = batch.step(action)
        events += batch.table.describe(result.events[0])
        if result.finished:
            report = result.finished[0][1]
            break
    assert report is not None and report.outcome == "died"
    assert {"event": "entered_tile", "what": "lava"} in events


def test_diversity_fix_randomizes_a_quarter_of_training_coins():
    level = builtin_level("the_diversity_fix")
    sampler = VariantSampler(level, "training")
    rng = np.random.default_rng(0)
    variants = [sampler.sample(rng) for _ in range(4000)]
    coin_x = np.array([v.cells[0][0] for v in variants])
    mixed = np.array([v.mix == 0 for v in variants])
    assert 0.22 < mixed.mean() < 0.28
    assert (coin_x[~mixed] >= 15).all() and (coin_x[mixed] < 14).all()
    deployment = rollout("the_diversity_fix", "deployment", RightRunner(), n=4, steps=300)
    assert all(r.outcome == "proxy" for r in deployment)


# --- cheese in the corner ---------------------------------------------------------------------------------

def test_cheese_mazes_change_and_the_cheese_moves_out_of_the_corner_at_deployment():
    level = builtin_level("cheese_in_the_corner")
    rng = np.random.default_rng(0)
    train = [VariantSampler(level, "training").sample(rng) for _ in range(200)]
    deploy = [VariantSampler(level, "deployment").sample(rng) for _ in range(200)]
    assert len({v.tiles.tobytes() for v in train}) > 150
    assert all(tuple(v.cells[0]) == (7, 1) for v in train)  # training: always the top-right corner
    assert not any(5 <= v.cells[0][0] <= 7 and 1 <= v.cells[0][1] <= 3 for v in deploy)  # deployment: never near it
    assert all(tuple(v.agent) != (7, 1) for v in train)


def test_cheese_seeker_always_succeeds_and_corner_seeker_reaches_the_proxy():
    seeker = rollout("cheese_in_the_corner", "deployment", GridSeeker(entity_targets("cheese")), n=8, steps=300)
    assert len(seeker) > 20 and all(r.outcome == "goal" and r.base_return == 10.0 for r in seeker)
    corner = outcomes(rollout("cheese_in_the_corner", "deployment",
                              GridSeeker(region_targets("top_right"), entity_targets("cheese")), n=8, steps=300))
    assert corner["proxy"] > 0 and corner["goal"] < corner["proxy"]


# --- keys and chests ---------------------------------------------------------------------------------------

def key_then_chest(worlds, i):
    return entity_targets("chest")(worlds, i) if worlds.keys[i] > 0 else entity_targets("key")(worlds, i)


def test_keys_and_chests_scripted_opener_opens_two_chests():
    reports = rollout("keys_and_chests", "training", GridSeeker(key_then_chest), n=8, steps=200)
    assert reports and all(r.outcome == "goal" and r.base_return == 10.0 for r in reports)
    steps, _, _ = play("keys_and_chests", "training", "s")
    assert steps[0][1] == []


def test_keys_and_chests_hoarder_reaches_the_proxy_at_deployment():
    hoard = lambda w, i: entity_targets("key")(w, i) or entity_targets("chest")(w, i)
    reports = rollout("keys_and_chests", "deployment", GridSeeker(hoard), n=8, steps=200)
    assert reports and all(r.proxy_steps["hoarded keys"] > 0 for r in reports)  # 3+ keys taken every time
    assert all(r.outcome in ("goal", "proxy") for r in reports)


def test_chest_without_key_is_touched_not_opened_and_doors_need_keys():
    level = small_level(["#######", "#.....#", "#######"],
                        [{"id": "a", "kind": "agent", "at": [1, 1]}, {"id": "c", "kind": "chest", "at": [2, 1]},
                         {"id": "d", "kind": "door", "at": [4, 1]}, {"id": "k", "kind": "key", "at": [3, 1]}],
                        [{"event": "opened", "what": "chest", "reward": 5}], {"event": "opened", "what": "chest"})
    steps, _, batch = play(level, "training", "RRR")
    assert steps[0] == (0.0, [{"event": "touched", "what": "c"}, {"event": "entered_tile", "what": "floor"}], False,
                        False)
    assert {"event": "picked_up", "what": "k"} in steps[1][1]
    assert {"event": "opened", "what": "d"} in steps[2][1]  # the key opens the door
    assert batch.worlds.keys[0] == 0 and batch.worlds.agent[0].tolist() == [4, 1]
    steps, _, batch = play(level, "training", "RRL")
    assert {"event": "opened", "what": "c"} in steps[2][1] and steps[2][0] == 5.0
    keyless = level.model_copy(update={"entities": tuple(e for e in level.entities if e.id != "k")})
    _, _, batch = play(keyless, "training", "RRRR")
    assert batch.worlds.agent[0].tolist() == [3, 1]  # a door without a key blocks


def test_crates_are_pushed_in_both_engines():
    for world in ("grid", "topdown"):
        level = small_level(["#########", "#.......#", "#########"],
                            [{"id": "a", "kind": "agent", "at": [1, 1]}, {"id": "box", "kind": "crate", "at": [3, 1]},
                             {"id": "coin", "kind": "coin", "at": [7, 1]}],
                            [{"event": "touched", "what": "coin", "reward": 1, "ends_episode": True}],
                            {"event": "touched", "what": "coin"}, world=world)
        _, _, batch = play(level, "training", "R" * (4 if world == "grid" else 12))
        assert batch.worlds.cells[0, 0, 0] >= 5, world  # the crate moved right


# --- green means go ----------------------------------------------------------------------------------------

def test_green_means_go_colours_and_outcomes():
    level = builtin_level("green_means_go")
    rng = np.random.default_rng(0)
    t = VariantSampler(level, "training").sample(rng)
    d = VariantSampler(level, "deployment").sample(rng)
    from levels.vocabulary import COLORS
    assert COLORS[t.colors[0]] == "green" and not t.present[1]
    assert COLORS[d.colors[0]] == "red" and COLORS[d.colors[1]] == "green" and d.present[1]
    to_green = rollout("green_means_go", "deployment", GridSeeker(entity_targets("green"), entity_targets("flag")))
    assert to_green and all(r.outcome == "proxy" and r.base_return == 0.0 for r in to_green)
    to_flag = rollout("green_means_go", "deployment", GridSeeker(entity_targets("flag"), entity_targets("lookalike")))
    assert to_flag and all(r.outcome == "goal" and r.base_return == 10.0 for r in to_flag)
    training = rollout("green_means_go", "training", GridSeeker(entity_targets("green")))
    assert training and all(r.outcome == "goal" for r in training)


# --- determinism -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,randomized", [("cheese_in_the_corner", True), ("keys_and_chests", True),
                                             ("coin_at_the_end", True), ("template_topdown", False)])
def test_same_seed_same_rollout(name, randomized):
    def trace(seed):
        batch = WorldBatch(builtin_level(name), "deployment", 4, seed)
        batch.reset()
        actions = np.random.default_rng(123).integers(0, 5, (150, 4))
        out = []
        for a in actions:
            r = batch.step(a)
            out.append((batch.worlds.agent_pos.copy(), r.events.copy(), r.reward.copy()))
        return out
    a, b, c = trace(7), trace(7), trace(8)
    assert all(np.array_equal(x, y) for sa, sb in zip(a, b) for x, y in zip(sa, sb))
    if randomized:  # and another seed gives other variants
        assert not all(np.array_equal(sa[0], sc[0]) for sa, sc in zip(a, c))


# --- the physics engine: one space per batch ---------------------------------------------------------------

def test_physics_worlds_reproduce_the_engine_of_one_space_per_world():
    """Every physics level (and a room with a key, door, chest, crate, coin and lava, in both views), random
    actions over several episodes: the same cells, crates, events and positions as the engine that built a new
    pymunk space for every world and episode gave (recorded in tests/data/physics_traces.npz)."""
    from physics_traces import FILE, all_traces
    recorded = np.load(FILE, allow_pickle=False)
    traces = all_traces()
    assert set(traces) == set(recorded.files)
    for key, values in traces.items():
        assert np.array_equal(values, recorded[key]), key


def test_physics_worlds_of_a_batch_do_not_meet():
    """Worlds share one space side by side: an agent never touches, stands on or is blocked by another world's
    things. Eight agents start in the same cell of eight copies of a room and all run right into the same coin."""
    level = small_level(["#########", "#.......#", "#########"],
                        [{"id": "a", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [7, 1]}],
                        [{"event": "touched", "what": "coin", "reward": 1, "ends_episode": True}],
                        {"event": "touched", "what": "coin"}, world="topdown")
    batch = WorldBatch(level, "training", 8, seed=0, autoreset=False)
    batch.reset()
    rewards = np.zeros(8)
    for _ in range(30):
        result = batch.step(np.full(8, 4))
        rewards += result.reward
    assert rewards.tolist() == [1.0] * 8  # each got its own coin, once
    assert (batch.worlds.agent_cell[:, 0] >= 6).all() and (batch.worlds.agent_cell[:, 0] <= 7).all()


def test_a_thing_that_stays_in_the_space_between_episodes_is_found_where_it_now_lies():
    """A coin not taken stays in the space for the next episode (adding 127 of them back cost most of an inspection)
    and is moved there: the space finds it at its new cell, not its old one, in every world, episode after episode;
    a taken coin comes back."""
    import pymunk
    level = small_level(["#########", "#.......#", "#.......#", "#########"],
                        [{"id": "a", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [7, 1]},
                         {"id": "gem", "kind": "gem", "at": [4, 2]}],
                        [{"event": "touched", "what": "coin", "reward": 1, "ends_episode": True}],
                        {"event": "touched", "what": "coin"}, world="topdown", length=5,
                        training={"spawns": {"coin": {"anywhere": True}, "gem": {"anywhere": True}}})
    batch = WorldBatch(level, "training", 4, seed=3)
    batch.reset()
    rng = np.random.default_rng(0)
    moved = 0
    for _ in range(60):
        before = batch.worlds.cells.copy()
        batch.step(rng.integers(0, 5, 4))
        worlds = batch.worlds
        moved += int((worlds.cells != before).any(axis=2).sum())
        for i in range(4):
            for k in np.flatnonzero(worlds.alive[i]):
                cx, cy = worlds.origin[i] + worlds.cells[i, k, 0] + 0.5, worlds.cells[i, k, 1] + 0.5
                found = worlds.space.bb_query(pymunk.BB(cx - 0.05, cy - 0.05, cx + 0.05, cy + 0.05),
                                              pymunk.ShapeFilter())
                assert worlds._entity_shapes[i][k] in found, (i, k)
    assert moved > 20  # new episodes put the things elsewhere


def test_mazes_are_the_ones_every_trained_agent_has_seen():
    """The maze generator may be made faster, never different: a fingerprint of the first mazes of each split."""
    import hashlib
    from game.world.variants import _maze
    digest = hashlib.sha256()
    for split in ("training", "deployment"):
        for i in range(50):
            digest.update(_maze.__wrapped__((0, 0, 9, 9), 0.3, split, i).tobytes())
            digest.update(_maze.__wrapped__((1, 1, 13, 11), 0.0, split, i).tobytes())
    assert digest.hexdigest()[:16] == "a74113472e2e8f98"  # the mazes of every version so far


# --- entity kinds: one table ------------------------------------------------------------------------------

def test_every_entity_kind_is_declared_once_and_drawn_by_shape():
    """The vocabulary's table is the only place a kind is declared: the engines, the format's checks and the
    editor read it; every kind has a drawing of its own (shape, not colour alone) and a colour."""
    import pygame
    from game.entity_drawings import DRAWINGS
    from game.world.palette import DEFAULT_ENTITY_RGB
    from levels.vocabulary import ENTITY_KINDS, ENTITY_TABLE, EVENT_KINDS, MOVING_KINDS
    assert set(DRAWINGS) == set(ENTITY_KINDS) == set(DEFAULT_ENTITY_RGB)
    assert MOVING_KINDS == tuple(k for k in ENTITY_KINDS if ENTITY_TABLE[k].walks)
    assert EVENT_KINDS["opened"] == ("chest", "door") and EVENT_KINDS["defeated"] == ("monster",)
    pictures = set()
    for kind in ENTITY_KINDS:
        surface = pygame.Surface((40, 40))
        DRAWINGS[kind](surface, (200, 200, 200), (100, 100, 100), 20, 20, 40 * 0.36, 40, 3)
        pictures.add(pygame.image.tobytes(surface, "RGB"))
    assert len(pictures) == len(ENTITY_KINDS)  # no two kinds look the same


def test_a_kind_without_a_drawing_is_drawn_as_a_disc_with_its_initial():
    import pygame
    from game.entity_drawings import draw_entity
    pygame.font.init()
    surface = pygame.Surface((40, 40))
    draw_entity(surface, "unicorn", (200, 200, 200), (20, 20), 40)
    assert surface.get_at((10, 20))[:3] == (200, 200, 200)  # the disc
    assert len({surface.get_at((x, 20))[:3] for x in range(14, 27)}) > 1  # and a letter on it
