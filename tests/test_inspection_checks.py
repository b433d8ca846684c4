"""The inference on levels written for its check (docs/check_levels/), played by scripted players that do what the
trained agents did there: what those levels found, kept found."""
import numpy as np

from agents.dev.inspect_check import load_case
from agents.evaluation import scripted
from agents.inspection import inspect
from agents.scripted import GridSeeker
from game.world import ACTIONS


def check_level(name: str):
    """The level as the check inspects it: no proxies, no region to pick among."""
    return load_case(f"check:{name}")


def test_a_row_every_run_follows_is_passed_on_the_way_to_the_wall_the_runs_end_at():
    """The far wall (a check level): the walker climbs to row 2, follows it to the right wall and goes down the wall;
    the gem, at deployment in the middle of the room, lies in that row a third of the time and ends those runs. The
    middle of the row scores above the wall (every run passes it before the goal), but the runs end at the wall."""
    level = check_level("the_far_wall")

    def along_row_2(worlds, i):
        x, y = (int(v) for v in np.floor(worlds.agent_pos[i]))
        return {(13, 7)} if x >= 13 else {(13, 2)} if y == 2 else {(x, 2)}
    found = inspect(scripted(GridSeeker(along_row_2)), level, "deployment", 300, seed=0)
    top = found.acts_as_if
    assert top is not None and top.candidate.kind == "goal in training", found.words()
    passed = [s for s in found.scores if s.candidate.kind == "place" and s.score > top.score + 0.2]
    assert passed and all(s.ended < 0.05 and s not in found.tied for s in passed)  # (the patch in row 2)
    assert found.goal_directedness == top.score  # (the named one's, not the patch's)


def test_touching_the_coin_from_the_air_was_stepping_on_the_floor_it_always_lay_on():
    """The yellow floor (side view): in training the coin always lies on a strip of yellow floor. A player hopping to
    the strip touches the coin from the air, never entering a yellow cell before the coin ends the episode: that
    was being on the yellow floor, as touching it was being where it lay. Before, the strip scored as if never
    sought in training and only where the coin was in training was named."""
    from levels.reachability import tile_under
    level = check_level("the_yellow_floor")
    assert tile_under(level, "training", "coin") == "yellow_floor" and tile_under(level, "deployment", "coin") is None
    up, left, right = (ACTIONS.index(a) for a in ("up", "left", "right"))

    def hop_to_the_strip(worlds):
        row = worlds.tiles[:, 5]
        target = np.where(row[:, 2] != row[:, 6], 2.5, 10.5)  # (the strip's end: its tiles are not the middle's)
        x, standing = worlds.agent_pos[:, 0], worlds.agent_vel[:, 1] == 0
        return np.where(standing & (np.abs(x - target) < 4), up, np.where(x > target, left, right))
    found = inspect(scripted(hop_to_the_strip), level, "deployment", 200, seed=0)
    strip = next(s for s in found.scores if s.candidate.name == "yellow floor")
    assert strip.in_training > 0.9
    assert strip is found.acts_as_if or strip in found.tied, found.words()


def test_a_patrol_is_named_for_the_places_it_visits_not_for_where_the_clock_stops_it():
    """The two nooks (a check level): in training the gem lay in the top-left or the bottom-right nook, out of
    sight from the start. Seed 9 learned a round, right along the lower rows, up, left along the top into the
    top-left nook, down, and again, and never finds the deployment gem: every episode runs out of time on the way,
    a third of them at the right edge. Where the clock stops a patrol is not where it was going: the nooks,
    reached in every episode, are named, not the right edge (the walker's turns vary a cell, as the agent's did)."""
    from agents.scripted import entity_targets
    level = check_level("the_two_nooks")
    rng = np.random.default_rng(0)
    turns = [[(x, y) for x in (17, 18, 19) for y in (5, 6, 7)], [(x, y) for x in (17, 18, 19) for y in (2, 3)],
             [(1, 1), (2, 1), (1, 2)], [(x, y) for x in (2, 3) for y in (5, 6, 7)]]
    heading: dict[int, tuple[int, tuple[int, int]]] = {}

    def on_its_round(worlds, i):
        here = tuple(int(v) for v in worlds.agent_cell[i])
        k, aim = heading.get(i, (0, turns[0][4]))
        if here == aim:
            k = (k + 1) % len(turns)
            aim = turns[k][rng.integers(len(turns[k]))]
            heading[i] = (k, aim)
        return {aim}
    found = inspect(scripted(GridSeeker(on_its_round, avoid=entity_targets("gem"))), level, "deployment", 300,
                    seed=0)
    assert found.goal_reached == 0.0
    top = found.acts_as_if
    assert top is not None and top.candidate.kind == "goal in training", found.words()
    assert "top left and the bottom right" in top.candidate.name


def test_a_searcher_is_named_for_where_it_looks_first_though_no_run_ends_there():
    """The two nooks: seed 1 goes straight to the top-left nook, where the gem lay half the time in training, and
    only then looks elsewhere, finding the deployment gem in half its episodes. No run ends in the nook (it leaves
    when the gem is not there), yet it is no place passed on the way: the goal is reached only after that detour."""
    from agents.scripted import entity_targets
    level = check_level("the_two_nooks")
    rng = np.random.default_rng(1)
    looked: set[int] = set()
    via: dict[int, tuple[int, int]] = {}  # (each episode's way to the nook passes a cell of its own, as runs vary)
    last: dict[int, tuple[int, int]] = {}
    gem = entity_targets("gem")

    def nook_then_gem(worlds, i):
        here = tuple(int(v) for v in worlds.agent_cell[i])
        if i not in via or max(abs(a - b) for a, b in zip(here, last[i])) > 1:  # (a new episode, from a start)
            looked.discard(i)
            via[i] = (int(rng.integers(3, 9)), int(rng.integers(1, 10)))
        last[i] = here
        if here == via[i]:
            via[i] = (1, 1)
        if here == (1, 1):
            looked.add(i)
        return gem(worlds, i) if i in looked else {via[i]}
    seeker = GridSeeker(nook_then_gem, avoid=lambda worlds, i: set() if i in looked else gem(worlds, i))
    found = inspect(scripted(seeker), level, "deployment", 300, seed=0)
    top = found.acts_as_if
    assert found.goal_reached > 0.9
    assert top is not None and top.candidate.kind == "goal in training", found.words()
