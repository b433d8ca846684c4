"""Where the monsters and guides of a batch of grid worlds step next: each walker's route (one round of it, padded)
or its wandering, as arrays over worlds and walkers, so that every walker of every world steps in a few array
operations. The grid engine decides whether a step can be taken (walls, lava) and what meeting the agent does."""
from __future__ import annotations

import numpy as np

from levels.format import Level

from game.world.variants import Variant


class Walkers:
    def __init__(self, level: Level, n: int, walkers: list[int], moves: np.ndarray):
        m, rounds = len(walkers), max([1] + [len(r.path()) for r in _routes(level)])
        self.entities = list(walkers)  # the entity index of each walker
        self.moves = moves  # the grid's moves, a wanderer's steps among them
        self.route = np.zeros((n, m, rounds, 2), dtype=np.int32)  # one round of each route, padded
        self.length = np.zeros((n, m), dtype=np.int32)  # 0: no route (it stands, or wanders)
        self.repeats = np.zeros((n, m), dtype=bool)  # it goes round again (a loop, or there and back)
        self.wander = np.zeros((n, m), dtype=bool)
        self.seed = np.zeros(n, dtype=np.uint64)
        self.end = np.full((n, m, 2), -1, dtype=np.int32)  # where each walk ends (-1: nowhere, `Route.end`)
        self.t = np.zeros(n, dtype=np.int64)  # steps taken since the world was loaded

    def load(self, i: int, variant: Variant) -> None:
        self.length[i] = 0
        self.end[i] = -1
        for j, k in enumerate(self.entities):
            if k in variant.ends and variant.present[k]:
                self.end[i, j] = variant.ends[k]
            if k in variant.routes:
                path, repeats = variant.routes[k]
                self.route[i, j, :len(path)] = path
                self.length[i, j], self.repeats[i, j] = len(path), repeats
        self.wander[i] = variant.wander[self.entities] if variant.wander is not None else False
        self.seed[i] = variant.seed
        self.t[i] = 0

    def now(self, i: int, entities: int) -> tuple[dict, np.ndarray | None, int, dict]:
        """World `i`'s walkers as a variant carries them (routes, wander, seed, ends), their routes starting from
        now."""
        routes = {}
        for j, k in enumerate(self.entities):
            length = int(self.length[i, j])
            if length:
                path, repeats = self.route[i, j, :length], bool(self.repeats[i, j])
                at = int(self.t[i]) % length if repeats else min(int(self.t[i]), length - 1)
                routes[int(k)] = (np.roll(path, -at, axis=0) if repeats else path[at:].copy(), repeats)
        wander = np.zeros(entities, dtype=bool)
        wander[self.entities] = self.wander[i]
        ends = {int(k): (int(self.end[i, j, 0]), int(self.end[i, j, 1])) for j, k in enumerate(self.entities)
                if self.end[i, j, 0] >= 0}
        return routes, wander if wander.any() else None, int(self.seed[i]), ends

    def targets(self, now: np.ndarray) -> np.ndarray:
        """(n, m, 2) where every walker, now at `now`, means to step: the next cell of its route, a random step
        (the same for a seed) if it wanders, or where it is."""
        self.t += 1
        length = np.maximum(self.length, 1)
        at = np.where(self.repeats, self.t[:, None] % length, np.minimum(self.t[:, None], length - 1))
        target = np.take_along_axis(self.route, at[:, :, None, None], axis=2)[:, :, 0]
        target = np.where((self.length > 0)[:, :, None], target, now)
        if self.wander.any():
            direction = _mix(self.seed[:, None], self.t[:, None], np.arange(len(self.entities))[None, :])
            step = self.moves[(direction % np.uint64(len(self.moves))).astype(np.int64)]
            target = np.where(self.wander[:, :, None], now + step, target)
        return target

    def targets_one(self, now: list[list[int]]) -> list[list[int]]:
        """`targets` for a batch of one world, with Python numbers: where each walker, now at `now`, means to step."""
        self.t[0] += 1
        t, seed = int(self.t[0]), int(self.seed[0])
        out = []
        for j, (x, y) in enumerate(now):
            length = int(self.length[0, j])
            target = [x, y]
            if length:
                at = t % length if self.repeats[0, j] else min(t, length - 1)
                target = self.route[0, j, at].tolist()
            if self.wander[0, j]:
                dx, dy = self.moves[mix_one(seed, t, j) % len(self.moves)].tolist()
                target = [x + dx, y + dy]
            out.append(target)
        return out


def _routes(level: Level):
    """Every route a walker of this level may take, in either distribution."""
    yield from (e.route for e in level.entities if e.route is not None)
    for spawns in level.all_spawns():
        yield from (s.route for s in spawns.values() if s.route is not None)


def _mix(seed: np.ndarray, t: np.ndarray, k: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit number from (seed, step, walker): a wanderer's steps are the same for a seed, and
    thousands of worlds draw them in one numpy expression (splitmix64's finaliser)."""
    x = (seed.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + t.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
         + k.astype(np.uint64) * np.uint64(0x94D049BB133111EB))
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


_M64 = (1 << 64) - 1


def mix_one(seed: int, t: int, k: int) -> int:
    """`_mix` of one (seed, step, walker), in Python integers wrapped to 64 bits as numpy's uint64 wraps."""
    x = (seed * 0x9E3779B97F4A7C15 + t * 0xBF58476D1CE4E5B9 + k * 0x94D049BB133111EB) & _M64
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)
