"""Sampling world variants from a level's training or deployment distribution.

A variant is one concrete layout: the tiles (a fresh maze where the level asks for one), where each entity starts,
whether it is present, and its colour. Sampling is deterministic from the numpy generator passed in.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from levels.format import Level, Route, Spawn, TileChange
from levels.places import rect_cells
from levels.reachability import places_it
from levels.vocabulary import COLORS, MOVING_KINDS, TILE_KINDS, UNDERFOOT_KINDS

TILE_NAMES = tuple(TILE_KINDS)
TILE_INDEX = {name: i for i, name in enumerate(TILE_NAMES)}
TILE_SOLID = np.array([TILE_KINDS[n].solid for n in TILE_NAMES])
TILE_DEADLY = np.array([TILE_KINDS[n].deadly for n in TILE_NAMES])
COLOR_INDEX = {name: i for i, name in enumerate(COLORS)}
NO_COLOR = -1

# Mazes come from a fixed pool per split so that a level is cheap to reset thousands of times a second and the same
# seed always gives the same maze. 2,000 mazes is far more than a learner can memorize in the budgets used here.
MAZE_POOL = 2000


@dataclass(frozen=True)
class Variant:
    tiles: np.ndarray  # (H, W) int8 tile indices
    agent: tuple[int, int]  # start cell (x, y)
    cells: np.ndarray  # (E, 2) int32 start cells of the non-agent entities, in level order
    present: np.ndarray  # (E,) bool
    colors: np.ndarray  # (E,) int8 colour index or NO_COLOR
    mix: int  # index of the mix this variant came from, or -1 for the distribution's own spawns
    # Walkers (monsters, guides): entity index -> (cells of one round of its route from now, goes round again)
    routes: dict[int, tuple[np.ndarray, bool]] = field(default_factory=dict)
    wander: np.ndarray | None = None  # (E,) bool: takes a random step each turn; None: nobody wanders
    seed: int = 0  # the wanderers' steps follow from it
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)  # walker entity index -> where its walk ends
    keys: int = 0  # keys the agent holds at the start (0 unless a world was edited mid-episode)
    shields: int = 0  # shields the agent holds at the start, likewise


def level_tiles(level: Level) -> np.ndarray:
    return np.array([[TILE_INDEX[level.legend[c]] for c in row] for row in level.rows], dtype=np.int8)


@functools.lru_cache(maxsize=8192)
def _maze(rect: tuple[int, int, int, int], loops: float, split: str, index: int) -> np.ndarray:
    """A maze inside rect as a (h, w) bool array of walls; rooms sit at odd offsets."""
    x0, y0, w, h = rect
    rng = np.random.default_rng([index, w, h, 1 if split == "deployment" else 0])
    draw = rng.integers
    # Python lists while carving (numpy's element access costs more than the carving); the same draws as ever.
    walls = [[True] * w for _ in range(h)]
    rooms_w, rooms_h = (w - 1) // 2, (h - 1) // 2
    seen = [[False] * rooms_w for _ in range(rooms_h)]
    start = (int(draw(rooms_w)), int(draw(rooms_h)))
    stack = [start]
    seen[start[1]][start[0]] = True
    walls[2 * start[1] + 1][2 * start[0] + 1] = False
    while stack:  # iterative depth-first carving: long corridors, one path between any two rooms
        cx, cy = stack[-1]
        options = [(x, y) for x, y in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1))
                   if 0 <= x < rooms_w and 0 <= y < rooms_h and not seen[y][x]]
        if not options:
            stack.pop()
            continue
        nx, ny = options[int(draw(len(options)))]
        seen[ny][nx] = True
        walls[2 * ny + 1][2 * nx + 1] = False
        walls[cy + ny + 1][cx + nx + 1] = False  # the wall between the two rooms
        stack.append((nx, ny))
    walls = np.array(walls, dtype=bool)
    if loops > 0:  # knock out inner walls between rooms: several paths, fewer dead ends
        inner = [(y, x) for y in range(1, h - 1) for x in range(1, w - 1) if walls[y, x] and (x % 2) != (y % 2)]
        for k in rng.permutation(len(inner))[:int(round(loops * len(inner)))]:
            walls[inner[k]] = False
    walls.setflags(write=False)
    return walls


class VariantSampler:
    """Draws variants of one split of a level."""

    def __init__(self, level: Level, split: str):
        self.level = level
        self.split = split
        self.distribution = level.distribution(split)
        self.base_tiles = level_tiles(level)
        self.agent = next(e for e in level.entities if e.kind == "agent")
        self.others = [e for e in level.entities if e.kind != "agent"]
        self.region_cells = {name: rect_cells(rects) for name, rects in level.regions.items()}
        self.mix_edges = np.cumsum([m.share for m in self.distribution.mixes])
        # Tile layouts differ by maze and, where mixes change tiles, by mix: caches are keyed by both.
        self.mixes_change_tiles = any(m.tiles for m in self.distribution.mixes)
        self.walkers = [k for k, e in enumerate(self.others) if e.kind in MOVING_KINDS]
        self.wanderers = bool(self.walkers) and (any(self.others[k].wander for k in self.walkers) or any(
            s.wander for spawns in self.distribution.all_spawns() for s in spawns.values()))
        self._tiles_cache: dict[tuple[int, int], np.ndarray] = {}
        self._free_cache: dict[tuple[int, int], np.ndarray] = {}
        self._candidate_cache: dict[tuple[int, tuple[int, int]], np.ndarray] = {}
        self._paths: dict[int, np.ndarray] = {}

    def sample(self, rng: np.random.Generator) -> Variant:
        dist = self.distribution
        mix = -1
        if len(self.mix_edges):
            hit = np.nonzero(rng.random() < self.mix_edges)[0]
            mix = int(hit[0]) if len(hit) else -1
        layout = int(rng.integers(MAZE_POOL)) if dist.maze is not None else -1
        layout = (layout, mix if self.mixes_change_tiles else -1)
        tiles = self._tiles(layout)
        free = self._free(tiles, layout)
        taken = np.zeros(tiles.shape, dtype=bool)

        def spawn_of(entity_id: str) -> Spawn | None:
            if mix >= 0 and entity_id in dist.mixes[mix].spawns:
                return dist.mixes[mix].spawns[entity_id]
            return dist.spawns.get(entity_id)

        # The most constrained spawns go first (a fixed cell, then a region, then anywhere), so that an agent
        # spawned anywhere never takes the one cell a coin must have.
        everyone = [self.agent] + self.others
        order = sorted(range(len(everyone)), key=lambda k: _freedom(spawn_of(everyone[k].id)))
        n = len(self.others)
        cells = np.zeros((n, 2), dtype=np.int32)
        present = np.ones(n, dtype=bool)
        colors = np.full(n, NO_COLOR, dtype=np.int8)
        agent, placed = self.agent.at, {}
        for k in order:
            e = everyone[k]
            spawn = spawn_of(e.id)
            here = True
            if spawn is not None and spawn.present < 1.0 and k > 0:
                here = present[k - 1] = rng.random() < spawn.present
            if spawn is not None and spawn.on is not None:  # starts where another entity stands (placed before it)
                cell = placed.get(spawn.on, self.level.entity(spawn.on).at)
            else:
                cell = self._place(e.at, spawn, free, layout, taken, rng)
            placed[e.id] = cell
            if here and e.kind not in UNDERFOOT_KINDS:
                taken[cell[1], cell[0]] = True
            if k == 0:
                agent = cell
                continue
            cells[k - 1] = cell
            color = spawn.color if spawn is not None and spawn.color else e.color
            colors[k - 1] = COLOR_INDEX[color] if color else NO_COLOR
        routes, ends, wander = {}, {}, np.zeros(n, dtype=bool) if self.wanderers else None
        for k in self.walkers:
            spawn, walker = spawn_of(self.others[k].id), self.others[k]
            route = walker.route if spawn is None or not places_it(spawn) else spawn.route
            if route is not None:
                routes[k] = (self._path(route), route.then != "stop")
                if route.end() is not None:
                    ends[k] = route.end()
            elif wander is not None:
                wander[k] = spawn.wander if spawn is not None and spawn.wander is not None else walker.wander
        seed = int(rng.integers(2 ** 31)) if self.wanderers else 0  # drawn only here: other levels sample as before
        return Variant(tiles, agent, cells, present, colors, mix, routes, wander, seed, ends)

    def _path(self, route: Route) -> np.ndarray:
        key = id(route)
        if key not in self._paths:
            self._paths[key] = np.array(route.path(), dtype=np.int32)
        return self._paths[key]

    def _tiles(self, layout: tuple[int, int]) -> np.ndarray:
        """The tiles of a layout: the level's, a maze carved in, then the distribution's and the mix's changes."""
        tiles = self._tiles_cache.get(layout)
        if tiles is None:
            dist, (maze, mix) = self.distribution, layout
            tiles = self.base_tiles.copy()
            if dist.maze is not None:
                x, y, w, h = dist.maze.rect
                tiles[y:y + h, x:x + w] = np.where(_maze(dist.maze.rect, dist.maze.loops, self.split, maze),
                                                   TILE_INDEX["wall"], TILE_INDEX["floor"])
            for change in dist.tiles + (dist.mixes[mix].tiles if mix >= 0 else ()):
                self._change(tiles, change)
            tiles.setflags(write=False)
            if len(self._tiles_cache) > 4 * MAZE_POOL:
                self._tiles_cache.clear()
            self._tiles_cache[layout] = tiles
        return tiles

    def _change(self, tiles: np.ndarray, change: TileChange) -> None:
        cells = change.cells if change.cells else self.region_cells[change.region]
        xs, ys = np.array([c[0] for c in cells]), np.array([c[1] for c in cells])
        tiles[ys, xs] = TILE_INDEX[change.tile]

    def _free(self, tiles: np.ndarray, layout: tuple[int, int]) -> np.ndarray:
        """Cells an entity may stand on (not solid, not deadly)."""
        if layout not in self._free_cache:
            if len(self._free_cache) > 4 * MAZE_POOL:
                self._free_cache.clear()
            self._free_cache[layout] = ~(TILE_SOLID[tiles] | TILE_DEADLY[tiles])
        return self._free_cache[layout]

    def _candidates(self, spawn: Spawn, free: np.ndarray, layout: tuple[int, int]) -> np.ndarray:
        """(k, 2) cells a spawn may use on this layout, before other entities are placed; cached."""
        key = (id(spawn), layout)
        found = self._candidate_cache.get(key)
        if found is None:
            if spawn.anywhere:
                found = np.argwhere(free)[:, ::-1]
            else:
                pool = spawn.cells if spawn.cells else self.region_cells[spawn.region]
                found = np.array([c for c in pool if free[c[1], c[0]]], dtype=np.int64).reshape(-1, 2)
            if len(self._candidate_cache) > 16 * MAZE_POOL:
                self._candidate_cache.clear()
            self._candidate_cache[key] = found
        return found

    def _place(self, default, spawn: Spawn | None, free, layout: tuple[int, int], taken, rng) -> tuple[int, int]:
        """Pick a free cell for an entity; if its spawn has no free cell left, fall back to any free cell. A walker
        given a route starts on its first waypoint."""
        if spawn is not None and spawn.route is not None:
            return tuple(spawn.route.cells[0])
        if spawn is None or not places_it(spawn):
            x, y = default
            if free[y, x] and not taken[y, x]:
                return default
            candidates = _nearest_open(free & ~taken, default)
        else:
            candidates = self._candidates(spawn, free, layout)
            # A few random draws almost always find a cell nobody took; filter only when they do not.
            for u in rng.random(8):
                c = candidates[int(u * len(candidates))] if len(candidates) else None
                if c is not None and not taken[c[1], c[0]]:
                    return int(c[0]), int(c[1])
            candidates = candidates[~taken[candidates[:, 1], candidates[:, 0]]] if len(candidates) else candidates
            if len(candidates) == 0:
                candidates = np.argwhere(free & ~taken)[:, ::-1]
        if len(candidates) == 0:  # a level packed full: keep the written cell rather than fail
            return default
        c = candidates[int(rng.integers(len(candidates)))]
        return int(c[0]), int(c[1])


def _freedom(spawn: Spawn | None) -> int:
    if spawn is not None and spawn.on is not None:
        return 3  # after the entity it starts on
    if spawn is None or spawn.cells or spawn.route is not None:
        return 0
    return 1 if spawn.region else 2


def _nearest_open(open_cells: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    """The open cells nearest to `at` (a maze can wall over an entity's written cell)."""
    cells = np.argwhere(open_cells)[:, ::-1]
    if len(cells) == 0:
        return cells
    d = np.abs(cells - np.array(at)).sum(1)
    return cells[d == d.min()]
