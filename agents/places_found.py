"""Places found from behaviour alone: compact sets of cells where an agent's episodes end, linger or pass far more
often than a random walker's do. They become candidate objectives beside those read from the level, and compete
with them on equal terms in `agents.inspection` (scored on other episodes than those they were found on).

A level's author may have drawn no region at the place an agent learned (a doorway that was open in training, the
spot where the flag always stood); the footprints find it anyway. Each place is described by its size, where it
lies, and what it is next to, in the level's own words ("the 2x2 patch at the top right, beside the pillar").
"""
from __future__ import annotations

import numpy as np

from levels.format import Level
from levels.places import rect_cells
from levels.reachability import places
from levels.vocabulary import TILE_KINDS

from agents.behaviour import Footprints
from agents.objectives import (AUTO_REGION_PREFIX, Candidate, _rects_of, corners_and_edges,
                               implied_by_goal, where)

MIN_EXCESS = 0.05  # a place must be reached by at least 5 % more of the episodes than the walker's
MAX_CELLS = 9  # compact: a place is at most this many cells (a 3x3 patch)
MAX_PLACES = 6
SIGNALS = ("ended", "dwell", "passed")  # in this order: where it stops says most of what it wants


def _cluster(excess: np.ndarray, seed: tuple[int, int], taken: np.ndarray) -> list[tuple[int, int]]:
    """The cells around `seed` (4-neighbours, step by step) whose excess is at least half the seed's, best first,
    at most MAX_CELLS."""
    h, w = excess.shape
    floor = excess[seed[1], seed[0]] / 2
    cells, frontier = {seed}, [seed]
    while frontier and len(cells) < MAX_CELLS:
        grown = []
        for x, y in frontier:
            for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if 0 <= nx < w and 0 <= ny < h and (nx, ny) not in cells and not taken[ny, nx] \
                        and excess[ny, nx] >= floor:
                    grown.append((nx, ny))
        grown = sorted(set(grown), key=lambda c: -excess[c[1], c[0]])[:MAX_CELLS - len(cells)]
        cells.update(grown)
        frontier = grown
    return sorted(cells, key=lambda c: -excess[c[1], c[0]])


def describe(level: Level, cells: list[tuple[int, int]], centred: bool = False) -> str:
    """A place in words: its size, where it lies in the level, and what it is beside; `centred`, the cell it lies
    around too (two places found in one large corner would otherwise read the same)."""
    xs, ys = [c[0] for c in cells], [c[1] for c in cells]
    w, h = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
    at = _within(level, cells)
    if len(cells) == 1:
        size = f"the cell [{cells[0][0]}, {cells[0][1]}]"
    elif len(cells) == w * h:
        size = f"the {w}x{h} patch"
    else:
        size = f"the {len(cells)} cells"
    if centred and len(cells) > 1:
        mx, my = sum(xs) / len(cells), sum(ys) / len(cells)
        x, y = min(cells, key=lambda c: ((c[0] - mx) ** 2 + (c[1] - my) ** 2, c[1], c[0]))
        size += f" around [{x}, {y}]"
    beside = _beside(level, cells)
    if beside == ", by the wall" and (at.startswith("on ") or at.endswith("corner")):
        beside = ""  # a corner or an edge is by the wall already
    return f"{size} {at}{beside}"


def _within(level: Level, cells: list[tuple[int, int]]) -> str:
    """Where a place lies: inside a corner ("in the bottom-left corner"), along an edge ("on the left edge"), or
    roughly ("at the top right", "in the middle")."""
    inside = set(cells)
    for c in corners_and_edges(level):  # corners first: a corner is also on two edges
        if inside <= set(rect_cells(c.regions[c.what])):
            return f"in {c.name}" if c.kind == "corner" else f"on {c.name}"
    at = where(level, cells)
    return "in the middle" if at == "the middle" else f"at {at}" if at.startswith("the ") else f"at the {at}"


def _beside(level: Level, cells: list[tuple[int, int]]) -> str:
    """What a place touches: a thing standing next to it at the start, a doorway (a gap in a wall), or a wall."""
    inside = set(cells)
    around = {(x + dx, y + dy) for x, y in cells for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))} - inside
    fixed = [e for e in level.entities if e.kind != "agent"  # things that stand in the same cell in every variant
             and all(places(level, split, e.id) == {tuple(e.at)} for split in ("training", "deployment"))]
    things = sorted({e.id.replace("_", " ") for e in fixed if tuple(e.at) in around | inside})
    if things:
        return f", beside the {things[0]}"

    def solid(x, y):
        return not (0 <= x < level.width and 0 <= y < level.height) or TILE_KINDS[level.tile_at(x, y)].solid
    if len(cells) == 1:
        x, y = cells[0]
        if (solid(x - 1, y) and solid(x + 1, y)) or (solid(x, y - 1) and solid(x, y + 1)):
            return ", a gap in the wall"
    if any(solid(x, y) for x, y in around):
        return ", by the wall"
    return ""


def found_places(level: Level, agent: Footprints, walker: Footprints) -> list[Candidate]:
    """Candidate places from an agent's footprints against a random walker's, most telling first."""
    mine, chance = agent.shares(), walker.shares()
    places: list[list[tuple[int, int]]] = []
    for signal in SIGNALS:
        excess = mine[signal] - chance[signal]
        if signal == "dwell":  # a share of steps, not of episodes: compared by how many times the walker's
            excess = np.where(mine["dwell"] > 2 * chance["dwell"], mine["dwell"] - 2 * chance["dwell"], 0.0)
        taken = np.zeros(excess.shape, dtype=bool)
        for _ in range(3):
            masked = np.where(taken, -np.inf, excess)
            y, x = np.unravel_index(int(np.argmax(masked)), masked.shape)
            if masked[y, x] < (MIN_EXCESS if signal != "dwell" else MIN_EXCESS / 2):
                break
            cells = _cluster(excess, (int(x), int(y)), taken)
            for cx, cy in cells:
                taken[cy, cx] = True
            if not any(len(set(cells) & set(p)) * 2 >= min(len(cells), len(p)) for p in places):
                places.append(cells)  # (a place mostly inside one found before is the same place, found again)
    out = []
    names = [describe(level, cells) for cells in places]
    for cells, name in zip(places, names):
        region = f"{AUTO_REGION_PREFIX}place {len(out) + 1}"
        name = describe(level, cells, centred=True) if names.count(name) > 1 else name
        place = Candidate(name, "place", "entered_region", region, len(cells), {region: _rects_of(cells)})
        # A place on every way to the goal (the doorway every route passes) is reached by wanting the goal: it says
        # nothing of its own, as for the level's regions (`agents.objectives.candidates`).
        if not implied_by_goal(level, place):
            out.append(place)
        if len(out) == MAX_PLACES:
            break
    return out
