"""The grid engine: discrete moves on tiles, many worlds stepped at once with numpy.

State is a handful of arrays over the batch of worlds; one `step` is a fixed number of numpy operations whatever
the batch size, which is what makes it fast enough to train on in seconds.
"""
from __future__ import annotations

import numpy as np

from levels.format import Level

from game.world.entities import REGISTRY
from game.world.events import EventTable
from game.world.variants import TILE_SOLID, Variant

# Actions shared by every world kind: stay, up, down, left, right (y grows downwards, as in the level rows).
# In a side-view world "up" jumps, keeping the run going.
ACTIONS = ("stay", "up", "down", "left", "right")
MOVES = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]], dtype=np.int32)


class GridWorlds:
    engine = "grid"

    def __init__(self, level: Level, n: int):
        self.level, self.n = level, n
        self.table = EventTable(level)
        kinds = [REGISTRY[e.kind] for e in self.table.entities]
        self.collected = np.array([k.collected for k in kinds], dtype=bool)
        self.gives_key = np.array([k.gives_key for k in kinds], dtype=bool)
        self.opens_with_key = np.array([k.opens_with_key for k in kinds], dtype=bool)
        self.blocks_without_key = np.array([k.blocks_without_key for k in kinds], dtype=bool)
        self.pushable = np.array([k.pushable for k in kinds], dtype=bool)
        h, w, e = level.height, level.width, len(kinds)
        self.region_masks = self.table.region_masks(level)
        self.tiles = np.zeros((n, h, w), dtype=np.int8)
        self.agent = np.zeros((n, 2), dtype=np.int32)
        self.cells = np.zeros((n, e, 2), dtype=np.int32)
        self.alive = np.zeros((n, e), dtype=bool)
        self.colors = np.zeros((n, e), dtype=np.int8)
        self.keys = np.zeros(n, dtype=np.int32)
        self.in_region = np.zeros((n, len(self.table.regions)), dtype=bool)
        self._rows = np.arange(n)

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

    def load(self, idx: np.ndarray, variants: list[Variant], keys: int = 0) -> None:
        """Worlds `idx` take these variants' layouts; the agent holds `keys` keys (0 unless a world is edited)."""
        for i, v in zip(idx, variants):
            self.tiles[i] = v.tiles
            self.agent[i] = v.agent
            self.cells[i] = v.cells
            self.alive[i] = v.present
            self.colors[i] = v.colors
        self.keys[idx] = keys
        ax, ay = self.agent[idx, 0], self.agent[idx, 1]
        self.in_region[idx] = self.region_masks[:, ay, ax].T

    def step(self, actions: np.ndarray) -> np.ndarray:
        n, rows, table = self.n, self._rows, self.table
        h, w = self.tiles.shape[1:]
        move = MOVES[actions]
        target = self.agent + move
        blocked = self._blocked(target)
        hit = self.alive & (self.cells == target[:, None, :]).all(2)  # (n, E): entity on the target cell
        blocked |= (hit & self.blocks_without_key & (self.keys == 0)[:, None]).any(1)
        push = hit & self.pushable
        beyond = target + move
        crate_stuck = push.any(1) & (self._blocked(beyond)
                                     | (self.alive & (self.cells == beyond[:, None, :]).all(2)).any(1))
        moved = ~(blocked | crate_stuck | (move == 0).all(1))
        self.agent = np.where(moved[:, None], target, self.agent)
        push &= moved[:, None]
        self.cells = np.where(push[:, :, None], beyond[:, None, :], self.cells)

        meet = hit & moved[:, None] & ~self.pushable
        picked = meet & self.gives_key
        self.keys += picked.sum(1, dtype=np.int32)
        opened = meet & self.opens_with_key & (self.keys > 0)[:, None]
        self.keys -= opened.sum(1, dtype=np.int32)
        self.alive &= ~((meet & self.collected) | opened)

        events = np.zeros((n, table.width), dtype=np.float32)
        events[:, table.touched] = meet
        events[:, table.picked_up] = picked
        events[:, table.opened] = opened
        ax, ay = self.agent[:, 0], self.agent[:, 1]
        tile_now = self.tiles[rows, ay, ax]
        events[rows[moved], table.tiles.start + tile_now[moved]] = 1.0
        in_now = self.region_masks[:, ay, ax].T
        events[:, table.region_cols] = in_now & ~self.in_region
        self.in_region = in_now
        return events

    def _blocked(self, cell: np.ndarray) -> np.ndarray:
        h, w = self.tiles.shape[1:]
        x, y = cell[:, 0], cell[:, 1]
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        tile = self.tiles[self._rows, np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)]
        return ~inside | TILE_SOLID[tile]
