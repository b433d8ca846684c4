"""A batch of worlds running episodes of one split of a level: sample variants, step, score, start again.

This is what the learner's env, the evaluation and the window's live episodes all drive.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from levels.format import Level

from game.world.events import EpisodeBook, EpisodeReport
from game.world.grid import GridWorlds
from game.world.grid_one import OneGridWorld
from game.world.physics import PhysicsWorlds
from game.world.physics_one import OnePhysicsWorld
from game.world.variants import Variant, VariantSampler


def make_worlds(level: Level, n: int) -> GridWorlds | PhysicsWorlds:
    """The engine a level asks for: numpy grid worlds for "grid", pymunk worlds for "topdown" and "sideview"; one
    world alone of either is stepped with Python numbers, where numpy's fixed cost would be most of a step."""
    if level.world != "grid":
        return OnePhysicsWorld(level) if n == 1 else PhysicsWorlds(level, n)
    return OneGridWorld(level) if n == 1 else GridWorlds(level, n)


@dataclass
class StepResult:
    reward: np.ndarray  # (n,) float32 base reward
    terminated: np.ndarray  # (n,) bool: a rule ended the episode, or the agent died
    truncated: np.ndarray  # (n,) bool: out of time
    events: np.ndarray  # (n, columns) event counts of this step
    finished: list[tuple[int, EpisodeReport]]  # worlds whose episode ended this step, with how it ended


class WorldBatch:
    def __init__(self, level: Level, split: str, n: int, seed: int | None = None, autoreset: bool = True,
                 watch: tuple = ()):
        self.level, self.split, self.n, self.autoreset = level, split, n, autoreset
        self.sampler = VariantSampler(level, split)
        self.worlds = make_worlds(level, n)
        self.table = self.worlds.table
        self.book = EpisodeBook(level, self.table, n, split, watch)
        self.rng = np.random.default_rng(seed)
        self.variants: list[Variant | None] = [None] * n
        self.done = np.ones(n, dtype=bool)

    def seed(self, seed: int | None) -> None:
        self.rng = np.random.default_rng(seed)

    def reset(self, idx: np.ndarray | None = None) -> None:
        """Start new episodes in the worlds `idx` (all by default)."""
        idx = np.arange(self.n) if idx is None else np.asarray(idx)
        self.load(idx, [self.sampler.sample(self.rng) for _ in idx])

    def load(self, idx: np.ndarray, variants: list[Variant]) -> None:
        """Start new episodes in the worlds `idx` from the given variants (sampled, or made by hand to ask "what
        if the goal were here?")."""
        for i, v in zip(idx, variants):
            self.variants[i] = v
        self.worlds.load(idx, variants)
        if variants:
            self.book.start(idx, np.stack([v.colors for v in variants]), np.stack([v.present for v in variants]))
        self.done[idx] = False

    def edit(self, i: int, variant: Variant) -> None:
        """Change world `i`'s layout in the middle of its episode (a player moved something); the episode goes on
        from there with the same time and score."""
        self.variants[i] = variant
        self.worlds.load(np.array([i]), [variant])

    def step(self, actions: np.ndarray) -> StepResult:
        events = self.worlds.step(np.asarray(actions))
        reward, terminated, truncated = self.book.record(events)
        ended = np.flatnonzero(terminated | truncated)
        finished = [(int(i), self.book.report(int(i))) for i in ended]
        self.done[ended] = True
        if self.autoreset and len(ended):
            self.reset(ended)
        return StepResult(reward, terminated, truncated, events, finished)


def current_variant(worlds, i: int, agent: tuple[int, int] | None = None) -> Variant:
    """World `i` as it is now, as a variant to load elsewhere: its tiles, the entities still there, the walkers on
    their routes, what the agent holds, and the agent on its cell (or on `agent`)."""
    cell = worlds.agent_cell[i] if agent is None else agent
    return Variant(worlds.tiles[i].copy(), (int(cell[0]), int(cell[1])), worlds.cells[i].copy(),
                   worlds.alive[i].copy(), worlds.colors[i].copy(), -1, *worlds.walkers_now(i),
                   keys=int(worlds.keys[i]), shields=int(worlds.shields[i]))
