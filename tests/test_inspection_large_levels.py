"""The inspection on large levels (the format allows 96 x 96): each distinct distance map computed once, and places
found in one large corner told apart in words."""
import numpy as np

from levels import builtin_level, level_to_dict, parse_level


def test_distance_maps_computed_once_are_the_same_maps():
    """Layouts that repeat (the same walls, a target where it stood before) share their maps: the same distances as
    computing every one, whether kept between calls or not (a cache too small to keep any)."""
    from agents.approach import DistanceMaps, distances
    rng = np.random.default_rng(5)
    walls = [rng.random((7, 9)) > 0.25 for _ in range(2)]
    free = np.stack([walls[i % 2] for i in range(12)])
    targets = np.zeros((12, 3, 7, 9), dtype=bool)
    for i in range(12):
        targets[i, 0, i % 3, 4] = True  # a thing in one of three cells
        targets[i, 1, 5:, 6:] = True  # a place that stays
    expected = distances(free, targets)  # (the third target: no cells at all, unreachable everywhere)
    maps = DistanceMaps()
    assert np.array_equal(maps.of(free[:6], targets[:6]), expected[:6])
    assert np.array_equal(maps.of(free[6:], targets[6:]), expected[6:])
    small = DistanceMaps()
    small.LIMIT = 0
    assert np.array_equal(small.of(free, targets), expected) and not small._maps


def test_places_found_that_read_alike_say_the_cell_they_lie_around():
    """In a large hall two places found in one corner would both be "the 2x2 patch in the top-left corner": each
    says the cell it lies around, so the list and the sentence tell them apart."""
    from agents.places_found import found_places
    doc = level_to_dict(builtin_level("template_grid"))
    doc["tiles"]["rows"] = ["#" * 40] + ["#" + "." * 38 + "#" for _ in range(38)] + ["#" * 40]
    doc["entities"] = [{"id": "agent", "kind": "agent", "at": [20, 20]}, {"id": "coin", "kind": "coin", "at": [38, 38]}]
    doc["training"] = doc["deployment"] = {}
    level = parse_level(doc)

    class Shares:
        def __init__(self, ended):
            self.ended = ended

        def shares(self):
            zero = np.zeros((40, 40))
            return {"ended": self.ended, "dwell": zero, "passed": zero}
    ended = np.zeros((40, 40))
    ended[2:4, 2:4] = 0.4
    ended[6:8, 5:7] = 0.3
    found = found_places(level, Shares(ended), Shares(np.zeros((40, 40))))
    names = [p.name for p in found]
    assert names == ["the 2x2 patch around [2, 2] in the top-left corner",
                     "the 2x2 patch around [5, 6] in the top-left corner"], names


def test_the_route_reading_keeps_the_layouts_of_counted_episodes_only():
    """Worlds idle after the episodes counted replay their variant until the last counted one ends; noting each of
    their layouts (191 maps of 48 x 48 cells each, thousands of them where episodes are short) took 1.4 GB. Only the
    counted episodes' layouts are kept: at most one more per world, the one it goes idle on."""
    from agents.approach import Approach
    from agents.evaluation import evaluate
    from agents.objectives import candidates
    from agents.scripted import random_walker
    from helpers import roaming_grid_level
    level = roaming_grid_level()
    watching = Approach(level, candidates(level))
    idle_ends = []

    def on_step(worlds, actions, before, after, ended, active):
        idle_ends.extend(i for i in ended if not active[i])
        watching.on_step(worlds, actions, before, after, ended, active)
    evaluate(random_walker(4), level, "deployment", 40, seed=4, record=0, on_step=on_step, on_start=watching.on_start)
    assert len(idle_ends) > 10  # (the case: idle worlds ended episodes nobody counted)
    assert len(watching._free) <= 2 * 40
