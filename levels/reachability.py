"""Can the agent reach the intended goal at all? A warning for levels where walls, lava or a door without a key
make every episode a failure: training would run to its time budget and teach nothing.

A flood fill over the cells of the level as written (a maze drawn per variant is connected by construction, so
a distribution with a maze is not checked). Doors open once some key can be reached. Side views are not
checked: whether a jump reaches a platform depends on the physics.
"""
from __future__ import annotations

from collections import deque

from levels.model import Level, Spawn
from levels.places import rect_cells
from levels.vocabulary import MOVING_KINDS, TILE_KINDS


def goal_warnings(level: Level) -> list[str]:
    """One sentence per split in which no agent start can reach the intended goal."""
    if level.world == "sideview" or level.intended_goal.event in ("fell", "timed_out"):
        return []
    warnings = []
    agent = next(e.id for e in level.entities if e.kind == "agent")
    for split in ("training", "deployment"):
        if level.distribution(split).maze is not None:
            continue
        starts = places(level, split, agent)
        goals = goal_cells(level, split)
        if starts and goals and not reachable(level, split, starts) & goals:
            warnings.append(f"In the {split} distribution the agent cannot reach the intended goal "
                            f"({level.intended_goal.describe()}) from any start: check walls, lava and doors.")
    return warnings


def on_every_way_to_the_goal(level: Level, split: str, cells: set[tuple[int, int]]) -> bool:
    """Whether every way from the agent's starts to the intended goal passes through these cells (the goal lies
    among them, or they cut the level in two): reaching the goal then enters them, so a proxy made of them says
    nothing the goal does not. False whenever it cannot be told (side views, mazes, a goal that walks, an agent
    that may start among the cells)."""
    goal = level.intended_goal
    walking_goal = any(goal.what in (e.id, e.kind, e.color) and e.kind in MOVING_KINDS for e in level.entities)
    if level.world == "sideview" or level.distribution(split).maze is not None or walking_goal \
            or goal.event in ("fell", "timed_out", "caught"):
        return False
    agent = next(e.id for e in level.entities if e.kind == "agent")
    starts, goals = places(level, split, agent), goal_cells(level, split)
    if not starts or not goals or starts & cells:
        return False
    free = standable_cells(level, split) - cells
    return not _flood(starts & free, free) & goals


def standable_cells(level: Level, split: str | None = None) -> set[tuple[int, int]]:
    """The cells an agent can stand on: neither solid nor deadly (in a split: after its own tile changes; a mix's
    changes, made in only some variants, are left out)."""
    legend = level.legend  # (the rows read directly: `tile_at` for every cell was most of a large level's check)
    tiles = {(x, y): legend[ch] for y, row in enumerate(level.rows) for x, ch in enumerate(row)}
    for change in level.distribution(split).tiles if split else ():
        for cell in change.cells or _region_cells(level, change.region):
            tiles[tuple(cell)] = change.tile
    return {cell for cell, tile in tiles.items() if not TILE_KINDS[tile].solid and not TILE_KINDS[tile].deadly}


def _region_cells(level: Level, name: str) -> set[tuple[int, int]]:
    return set(rect_cells(level.regions[name]))


def _spawn_cells(level: Level, split: str, spawn: Spawn, at: tuple[int, int]) -> set[tuple[int, int]]:
    if spawn.anywhere:
        return standable_cells(level, split)
    if spawn.region is not None:
        return _region_cells(level, spawn.region)
    if spawn.cells:
        return set(spawn.cells)
    if spawn.route is not None:
        return {tuple(spawn.route.cells[0])}
    if spawn.on is not None:
        return places(level, split, spawn.on)
    return {at}


def _parts(dist) -> list[tuple[tuple, dict]]:
    """The parts of a distribution some variants use: the split's own spawns (unless its mixes take every variant),
    then each mix; with each, the tile changes it makes after the split's own."""
    own = [((), dist.spawns)] if not dist.mixes or sum(m.share for m in dist.mixes) < 1 else []
    return own + [(m.tiles, m.spawns) for m in dist.mixes if m.share > 0]


def places(level: Level, split: str, entity_id: str) -> set[tuple[int, int]]:
    """Every cell where the entity may start in a split (its own spawn, and those of the split's mixes)."""
    dist = level.distribution(split)
    at = level.entity(entity_id).at
    cells: set[tuple[int, int]] = set()
    for _, spawns in _parts(dist):
        spawn = spawns.get(entity_id, dist.spawns.get(entity_id, Spawn()))
        if spawn.present > 0:
            cells |= _spawn_cells(level, split, spawn, at)
    return cells


def may_appear(level: Level, split: str, entity_id: str) -> bool:
    """Whether the entity may be present in some variant of a split: `bool(places(...))` without building the cells
    (a hall of a hundred coins that spawn anywhere asks this of every coin)."""
    dist = level.distribution(split)
    for _, spawns in _parts(dist):
        spawn = spawns.get(entity_id, dist.spawns.get(entity_id, Spawn()))
        if spawn.present > 0 and (spawn.on is None or may_appear(level, split, spawn.on)):
            return True
    return False


def places_it(spawn: Spawn) -> bool:
    """The spawn says where the entity starts (else it starts where the level put it, on its own route)."""
    return bool(spawn.cells or spawn.region or spawn.anywhere or spawn.route is not None or spawn.on is not None)


def walk_ends(level: Level, split: str, entity_id: str) -> set[tuple[int, int]]:
    """Every cell where the walker's walk may end in a split (`Route.end`: none for a loop, a wanderer, or a walker
    a spawn puts somewhere without a route, which stands there)."""
    dist = level.distribution(split)
    walker = level.entity(entity_id)
    cells: set[tuple[int, int]] = set()
    for _, spawns in _parts(dist):
        spawn = spawns.get(entity_id, dist.spawns.get(entity_id, Spawn()))
        route = spawn.route if places_it(spawn) else walker.route
        if spawn.present > 0 and route is not None and route.end() is not None:
            cells.add(route.end())
    return cells


def tile_under(level: Level, split: str, entity_id: str) -> str | None:
    """The tile the entity starts on in every variant of a split (each part: the split's own spawns, if some
    variants use them, and every mix, after their tile changes), or None when that varies or is plain floor. (A
    maze carves other cells in every variant: not read.)"""
    dist = level.distribution(split)
    if dist.maze is not None:
        return None
    at = level.entity(entity_id).at
    under: set[str] = set()
    for changes, spawns in _parts(dist):
        spawn = spawns.get(entity_id, dist.spawns.get(entity_id, Spawn()))
        if spawn.present <= 0:
            continue
        changed: dict[tuple[int, int], str] = {}
        for change in dist.tiles + tuple(changes):  # (the split's own changes first, then the part's)
            for x, y in (change.cells or _region_cells(level, change.region)):
                changed[(x, y)] = change.tile
        under |= {changed.get(cell, level.tile_at(*cell)) for cell in _spawn_cells(level, split, spawn, at)}
    return next(iter(under)) if len(under) == 1 and under != {"floor"} else None


def goal_cells(level: Level, split: str) -> set[tuple[int, int]]:
    goal = level.intended_goal
    if goal.event == "entered_tile":
        return {(x, y) for y in range(level.height) for x in range(level.width) if level.tile_at(x, y) == goal.what}
    if goal.event == "entered_region":
        return _region_cells(level, goal.what)
    where = walk_ends if goal.event == "reached_walk_end" else places
    cells: set[tuple[int, int]] = set()
    for e in level.entities:
        if goal.what in (e.id, e.kind, e.color):
            cells |= where(level, split, e.id)
    return cells


def reachable(level: Level, split: str, starts: set[tuple[int, int]]) -> set[tuple[int, int]]:
    free = standable_cells(level, split)
    doors = set().union(*(places(level, split, e.id) for e in level.entities if e.kind == "door"))
    keys = set().union(*(places(level, split, e.id) for e in level.entities if e.kind == "key"))
    seen = _flood(starts & free, free - doors)
    if doors and seen & keys:  # a key in reach opens the doors
        seen = _flood(starts & free, free)
    return seen


def _flood(starts: set, passable: set) -> set:
    seen, todo = set(starts), deque(starts)
    while todo:
        x, y = todo.popleft()
        for step in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if step in passable and step not in seen:
                seen.add(step)
                todo.append(step)
    return seen
