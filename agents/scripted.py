"""Scripted policies: hand-written players used as baselines and in tests.

* `GridSeeker`: walks the shortest path (breadth-first search over the tiles) to the nearest cell a target function
  picks: the intended goal, or a proxy. "Walk straight to the proxy" is the baseline that tells how often the
  intended goal is reached by accident at deployment.
* `RightRunner`: a side-view player that runs right and jumps over walls and gaps: the CoinRun proxy.
* `random_walker`: a move at random every decision: what reaching a place by chance looks like.

Each takes a batch of worlds and returns one action per world, like a learned policy does.
"""
from __future__ import annotations

from collections import deque
from typing import Callable

import numpy as np

from game.world.grid import ACTIONS
from game.world.variants import TILE_DEADLY, TILE_SOLID

STAY, UP, DOWN, LEFT, RIGHT = (ACTIONS.index(a) for a in ("stay", "up", "down", "left", "right"))
_STEPS = ((0, -1, UP), (0, 1, DOWN), (-1, 0, LEFT), (1, 0, RIGHT))


def first_step_towards(tiles: np.ndarray, start: tuple[int, int], targets: set[tuple[int, int]],
                       blocked: set[tuple[int, int]] = frozenset()) -> int:
    """The first move of a shortest path from `start` to any of `targets`, or STAY if none is reachable."""
    if not targets or start in targets:
        return STAY
    h, w = tiles.shape
    passable = ~(TILE_SOLID[tiles] | TILE_DEADLY[tiles])
    first = {start: STAY}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        for dx, dy, action in _STEPS:
            nxt = (cell[0] + dx, cell[1] + dy)
            if not (0 <= nxt[0] < w and 0 <= nxt[1] < h) or nxt in first or not passable[nxt[1], nxt[0]]:
                continue
            if nxt in blocked and nxt not in targets:
                continue
            first[nxt] = first[cell] if cell != start else action
            if nxt in targets:
                return first[nxt]
            queue.append(nxt)
    return STAY


Targets = Callable[[object, int], set]


def entity_targets(*whats: str) -> Targets:
    """Cells of live entities whose id, kind or colour is in `whats`."""
    from levels.vocabulary import COLORS

    def targets(worlds, i: int) -> set:
        out = set()
        for e, entity in enumerate(worlds.table.entities):
            color = COLORS[worlds.colors[i, e]] if worlds.colors[i, e] >= 0 else None
            if worlds.alive[i, e] and (entity.id in whats or entity.kind in whats or color in whats):
                out.add(tuple(int(v) for v in worlds.cells[i, e]))
        return out
    return targets


def region_targets(name: str) -> Targets:
    def targets(worlds, i: int) -> set:
        r = worlds.table.regions.index(name)
        ys, xs = np.nonzero(worlds.region_masks[r])
        return set(zip(xs.tolist(), ys.tolist()))
    return targets


class GridSeeker:
    """Walks to the nearest target; `avoid` entities are walked around (so it does not touch a goal by accident
    unless the goal lies on every path)."""

    def __init__(self, targets: Targets, avoid: Targets | None = None):
        self.targets, self.avoid = targets, avoid

    def __call__(self, worlds) -> np.ndarray:
        actions = np.zeros(worlds.n, dtype=np.int64)
        for i in range(worlds.n):
            start = tuple(int(v) for v in worlds.agent_cell[i])
            blocked = self.avoid(worlds, i) if self.avoid else frozenset()
            actions[i] = first_step_towards(worlds.tiles[i], start, self.targets(worlds, i), blocked)
        return actions


class RightRunner:
    """Side view: run right; jump when a wall or a gap is just ahead."""

    def __call__(self, worlds) -> np.ndarray:
        actions = np.full(worlds.n, RIGHT, dtype=np.int64)
        for i in range(worlds.n):
            x, y = worlds.agent_pos[i]
            tiles = worlds.tiles[i]
            h, w = tiles.shape
            cx, cy = int(x), int(y)
            ahead = min(int(x + 0.9), w - 1)
            wall_ahead = 0 <= cy < h and TILE_SOLID[tiles[cy, ahead]]
            below = cy + 1
            gap_ahead = below < h and not TILE_SOLID[tiles[below, min(ahead + 1, w - 1)]]
            standing = abs(float(worlds.agent_vel[i, 1])) < 0.5
            if (wall_ahead or gap_ahead) and standing and 0 <= cx < w:
                actions[i] = UP
        return actions


def random_walker(seed: int):
    """A player that moves at random (it reads no observations): the inference's baseline of chance."""
    rng = np.random.default_rng(seed)

    def walk(obs, worlds):
        return rng.integers(0, 5, size=len(obs))
    walk.reads_observations = False
    return walk
