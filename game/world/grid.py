"""The grid engine: discrete moves on tiles, many worlds stepped at once with numpy.

State is a handful of arrays over the batch of worlds; one `step` is a fixed number of numpy operations whatever
the batch size, which is what makes it fast enough to train on in seconds.
"""
from __future__ import annotations

import numpy as np

from levels.format import Level

from game.world.events import EventTable
from game.world.meeting import KindFlags, meet
from game.world.variants import TILE_DEADLY, TILE_SOLID, Variant
from game.world.walkers import Walkers

# Actions shared by every world kind: stay, up, down, left, right (y grows downwards, as in the level rows).
# In a side-view world "up" jumps, keeping the run going.
ACTIONS = ("stay", "up", "down", "left", "right")
MOVES = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]], dtype=np.int32)


class GridWorlds:
    engine = "grid"

    def __init__(self, level: Level, n: int):
        self.level, self.n = level, n
        self.table = EventTable(level)
        self.flags = flags = KindFlags.of(self.table)
        self.walkers = np.flatnonzero(flags.walks)  # met after they move, not where they stood
        self.catches = flags.catches[self.walkers]
        h, w, e = level.height, level.width, len(self.table.entities)
        self.region_masks = self.table.region_masks(level)
        self.tiles = np.zeros((n, h, w), dtype=np.int8)
        self.agent = np.zeros((n, 2), dtype=np.int32)
        self.cells = np.zeros((n, e, 2), dtype=np.int32)
        self.alive = np.zeros((n, e), dtype=bool)
        self.colors = np.zeros((n, e), dtype=np.int8)
        self.keys = np.zeros(n, dtype=np.int32)
        self.shields = np.zeros(n, dtype=np.int32)
        self.in_region = np.zeros((n, len(self.table.regions)), dtype=bool)
        self._rows = np.arange(n)
        self.walking = Walkers(level, n, self.walkers, MOVES)
        self._walked_from = np.zeros((n, len(self.walkers), 2), dtype=np.int32)  # where the walkers stood before this step

    # The observation and the renderer read these; the physics engine offers the same names.
    @property
    def agent_pos(self) -> np.ndarray:
        """(n, 2) float position in cells, the centre of a cell being +0.5."""
        return self.agent + 0.5

    @property
    def agent_vel(self) -> np.ndarray:
        return np.zeros((self.n, 2), dtype=np.float32)

    @property
    def agent_cell(self) -> np.ndarray:
        return self.agent

    @property
    def walk_ends(self) -> np.ndarray:
        """(n, E, 2) where each entity's walk ends in each world (-1: it has none)."""
        ends = np.full(self.cells.shape, -1, dtype=np.int32)
        ends[:, self.walkers] = self.walking.end
        return ends

    def load(self, idx: np.ndarray, variants: list[Variant]) -> None:
        """Worlds `idx` take these variants' layouts (and what the agent holds in them)."""
        for i, v in zip(idx, variants):
            self.tiles[i] = v.tiles
            self.agent[i] = v.agent
            self.cells[i] = v.cells
            self.alive[i] = v.present
            self.colors[i] = v.colors
            self.keys[i], self.shields[i] = v.keys, v.shields
            self.walking.load(i, v)
        ax, ay = self.agent[idx, 0], self.agent[idx, 1]
        self.in_region[idx] = self.region_masks[:, ay, ax].T

    def walkers_now(self, i: int) -> tuple[dict, np.ndarray | None, int, dict]:
        """World `i`'s walkers as a variant carries them (routes, wander, seed, ends), their routes starting from
        now."""
        return self.walking.now(i, len(self.alive[i]))

    def step(self, actions: np.ndarray) -> np.ndarray:
        n, rows, table = self.n, self._rows, self.table
        h, w = self.tiles.shape[1:]
        move = MOVES[actions]
        target = self.agent + move
        blocked = self._blocked(target)
        before = self.agent
        flags = self.flags
        hit = self.alive & ~flags.walks & (self.cells == target[:, None, :]).all(2)  # (n, E): entity on the target cell
        blocked |= (hit & flags.blocks_without_key & (self.keys == 0)[:, None]).any(1)
        push = hit & flags.pushable
        beyond = target + move
        crate_stuck = push.any(1) & (self._blocked(beyond)
                                     | (self.alive & (self.cells == beyond[:, None, :]).all(2)).any(1))
        moved = ~(blocked | crate_stuck | (move == 0).all(1))
        self.agent = np.where(moved[:, None], target, self.agent)
        push &= moved[:, None]
        self.cells = np.where(push[:, :, None], beyond[:, None, :], self.cells)

        events = np.zeros((n, table.width), dtype=np.float32)
        meet(flags, hit & moved[:, None] & ~flags.pushable, self.alive, self.keys, self.shields, events, table)
        if len(self.walkers):
            self._walk()
            events[:, table.touched.start + self.walkers] = self._meet_walkers(before, events)
            arrived = moved[:, None] & (self.walking.end == self.agent[:, None, :]).all(2)
            events[:, table.reached_walk_end.start + self.walkers] = arrived
        ax, ay = self.agent[:, 0], self.agent[:, 1]
        tile_now = self.tiles[rows, ay, ax].astype(np.intp)  # a column past 127 (32+ entities) overflowed int8
        events[rows[moved], table.tiles.start + tile_now[moved]] = 1.0
        in_now = self.region_masks[:, ay, ax].T
        events[:, table.region_cols] = in_now & ~self.in_region
        self.in_region = in_now
        return events

    def _walk(self) -> None:
        """Every walker takes its step: the next cell of its route, or a random step if it wanders. A step into a
        wall (a tile changed under the route) or off the level waits instead."""
        now = self.cells[:, self.walkers]
        target = self.walking.targets(now)
        h, wd = self.tiles.shape[1:]
        x, y = target[..., 0], target[..., 1]
        inside = (x >= 0) & (x < wd) & (y >= 0) & (y < h)
        # (np.minimum/np.maximum: np.clip costs four times as much on these small integer arrays)
        tile = self.tiles[self._rows[:, None], np.minimum(np.maximum(y, 0), h - 1),
                          np.minimum(np.maximum(x, 0), wd - 1)]
        ok = inside & ~TILE_SOLID[tile] & ~(self.walking.wander & TILE_DEADLY[tile])  # wanderers keep off lava
        self.cells[:, self.walkers] = np.where(ok[:, :, None], target, now)
        self._walked_from = now

    def _meet_walkers(self, before: np.ndarray, events: np.ndarray) -> np.ndarray:
        """(n, M) walkers the agent met this step: on the same cell, or the two passed each other. Meeting a
        monster spends a shield on it (it is gone) or, with too few shields, the agent is caught."""
        w = self.walkers
        cells, was = self.cells[:, w], self._walked_from
        same = (cells == self.agent[:, None, :]).all(2)
        passed = (was == self.agent[:, None, :]).all(2) & (cells == before[:, None, :]).all(2)
        met = self.alive[:, w] & (same | passed)
        monsters = met & self.catches
        need = monsters.sum(1, dtype=np.int32)
        saved = need <= self.shields
        defeated = monsters & saved[:, None]
        self.shields -= np.where(saved, need, 0)
        alive = self.alive[:, w]
        alive[defeated] = False
        self.alive[:, w] = alive
        events[:, self.table.defeated.start + w] = defeated
        events[:, self.table.caught] = (need > 0) & ~saved
        return met

    def _blocked(self, cell: np.ndarray) -> np.ndarray:
        h, w = self.tiles.shape[1:]
        x, y = cell[:, 0], cell[:, 1]
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        tile = self.tiles[self._rows, np.minimum(np.maximum(y, 0), h - 1), np.minimum(np.maximum(x, 0), w - 1)]
        return ~inside | TILE_SOLID[tile]
