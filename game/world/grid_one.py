"""One grid world, stepped with Python numbers: what the single Gymnasium env, a what-if probe and every other
player of one world drive.

The batch engine (`game.world.grid`) spends a fixed few dozen numpy calls on a step whatever the number of worlds:
cheap per world at 64, most of the time at 1. Here the common step (a move, blocked or not, a crate pushed) is a
few Python comparisons, and meeting things (rarely, and the most rules) goes through the one `meet()` of every
engine. The walkers' steps and meetings are written again for one world, beside the batch code they mirror. Same
arrays, same events, same episodes for a seed: tests/test_grid_one.py plays both engines side by side on every grid
level, which is what holds the two copies together.
"""
from __future__ import annotations

import numpy as np

from game.world.grid import MOVES, GridWorlds
from game.world.meeting import meet
from game.world.variants import TILE_DEADLY, TILE_SOLID, Variant

_MOVES = MOVES.tolist()


class OneGridWorld(GridWorlds):
    """`GridWorlds` with n = 1 and a `step` without the batch machinery's fixed cost."""

    def __init__(self, level, n: int = 1):
        if n != 1:
            raise ValueError("OneGridWorld holds one world: use GridWorlds for a batch")
        super().__init__(level, 1)
        f = self.flags
        self._still = [k for k in range(len(f.walks)) if not f.walks[k]]  # what stays put: met where it stands
        self._pushable, self._needs_key = f.pushable.tolist(), f.blocks_without_key.tolist()
        self._solid: list[list[bool]] = []
        self._deadly: list[list[bool]] = []
        self._catches = self.catches.tolist()

    def load(self, idx: np.ndarray, variants: list[Variant]) -> None:
        super().load(idx, variants)
        self._solid = TILE_SOLID[self.tiles[0]].tolist()
        self._deadly = TILE_DEADLY[self.tiles[0]].tolist()

    def _blocked_at(self, x: int, y: int) -> bool:
        h, w = self.tiles.shape[1:]
        return not (0 <= x < w and 0 <= y < h) or self._solid[y][x]

    def step(self, actions: np.ndarray) -> np.ndarray:
        table = self.table
        dx, dy = _MOVES[int(actions[0])]
        x, y = self.agent[0].tolist()
        tx, ty = x + dx, y + dy
        cells, alive = self.cells[0].tolist(), self.alive[0].tolist()
        hit = [k for k in self._still if alive[k] and cells[k] == [tx, ty]]
        blocked = self._blocked_at(tx, ty) or (self.keys[0] == 0 and any(self._needs_key[k] for k in hit))
        push = [k for k in hit if self._pushable[k]]
        bx, by = tx + dx, ty + dy
        stuck = bool(push) and (self._blocked_at(bx, by) or any(a and c == [bx, by] for a, c in zip(alive, cells)))
        moved = not (blocked or stuck or (dx == 0 and dy == 0))
        before = self.agent
        events = np.zeros((1, table.width), dtype=np.float32)
        if moved:
            self.agent = np.array([[tx, ty]], dtype=np.int32)  # a new array, as the batch's step makes: a caller
            # holding the cells of before the step keeps them
            for k in push:
                self.cells[0, k] = bx, by
            met = [k for k in hit if not self._pushable[k]]
            if met:
                touched = np.zeros(self.alive.shape, dtype=bool)
                touched[0, met] = True
                meet(self.flags, touched, self.alive, self.keys, self.shields, events, table)
            events[0, table.tiles.start + int(self.tiles[0, ty, tx])] = 1.0  # (an int8 would overflow past 127)
        if len(self.walkers):
            self._walk()
            events[:, table.touched.start + self.walkers] = self._meet_walkers(before, events)
            if moved:
                for j, end in enumerate(self.walking.end[0].tolist()):
                    if end == [tx, ty]:
                        events[0, table.reached_walk_end.start + self.walkers[j]] = 1.0
        ax, ay = (tx, ty) if moved else (x, y)
        if len(self.table.regions):
            in_now = self.region_masks[None, :, ay, ax].copy()  # (a copy: load writes into it)
            events[:, table.region_cols] = in_now & ~self.in_region
            self.in_region = in_now
        return events

    def _walk(self) -> None:
        """`GridWorlds._walk` for one world: the walkers' steps, a step into a wall, off the level or (for a
        wanderer) into lava waited instead."""
        now = self.cells[0, self.walkers].tolist()
        targets = self.walking.targets_one(now)
        h, w = self.tiles.shape[1:]
        wander = self.walking.wander[0].tolist()
        for j, (x, y) in enumerate(targets):
            if 0 <= x < w and 0 <= y < h and not self._solid[y][x] and not (wander[j] and self._deadly[y][x]):
                self.cells[0, self.walkers[j]] = x, y
        self._walked_from = np.array([now], dtype=np.int32).reshape(1, -1, 2)

    def _meet_walkers(self, before: np.ndarray, events: np.ndarray) -> np.ndarray:
        """`GridWorlds._meet_walkers` for one world: the walkers met (same cell, or passed each other); a monster
        met takes a shield and is gone, or catches the agent when too few shields are held."""
        agent, was_at = self.agent[0].tolist(), before[0].tolist()
        cells, came_from = self.cells[0, self.walkers].tolist(), self._walked_from[0].tolist()
        alive = self.alive[0, self.walkers].tolist()
        met = [alive[j] and (cells[j] == agent or (came_from[j] == agent and cells[j] == was_at))
               for j in range(len(self.walkers))]
        monsters = [j for j, m in enumerate(met) if m and self._catches[j]]
        table, shields = self.table, int(self.shields[0])
        saved = len(monsters) <= shields
        events[0, table.defeated.start + self.walkers] = 0.0
        if monsters and saved:
            self.shields[0] = shields - len(monsters)
            for j in monsters:
                self.alive[0, self.walkers[j]] = False
                events[0, table.defeated.start + self.walkers[j]] = 1.0
        events[0, table.caught] = bool(monsters) and not saved
        return np.array([met])
