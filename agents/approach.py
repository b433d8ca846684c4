"""How consistently an agent's moves approach each candidate objective: the share of its moves that shorten the
shortest-path distance to the candidate (an agent that wants the corner heads for it at every step: near 1; a
candidate it ignores: about a half, like a random walk).

Distances are shortest paths over the cells an agent can stand on, from every cell to the candidate's cells in the
world's own variant (where its entities stand, its tiles, its regions), computed at the start of each episode. A
move is a change of the agent's cell: one step in a grid world; in a physics world, the moment its body crosses into
another cell (the cell graph stands in for the continuous level, gravity and all).
"""
from __future__ import annotations

import numpy as np

from levels.format import Level

from agents.evaluation import evaluate
from agents.objectives import Candidate, cells_of
from agents.scripted import entity_targets
from game.world.variants import TILE_DEADLY, TILE_INDEX, TILE_SOLID

GOAL_LIKE = ("touched", "picked_up", "opened")


def target_masks(level: Level, worlds, i: int, watched: list[Candidate]) -> np.ndarray:
    """(C, H, W): the cells of each candidate in world `i` as it is now."""
    h, w = level.height, level.width
    masks = np.zeros((len(watched), h, w), dtype=bool)
    condition = level.intended_goal
    for k, c in enumerate(watched):
        event, what = (condition.event, condition.what) if c.kind == "intended goal" else (c.event, c.what)
        if event in GOAL_LIKE:
            for x, y in entity_targets(what)(worlds, i):
                masks[k, y, x] = True
        elif event == "entered_tile":
            masks[k] = worlds.tiles[i] == TILE_INDEX[what]
        elif event == "entered_region":
            for x, y in cells_of(c.regions.get(what) or level.regions.get(what, ())):
                masks[k, y, x] = True
    return masks


def distances(free: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(C, H, W) shortest-path steps from each cell to each candidate's cells (inf where unreachable)."""
    d = np.where(targets, 0.0, np.inf)
    passable = free[None] | targets
    while True:
        n = d.copy()
        n[:, 1:, :] = np.minimum(n[:, 1:, :], d[:, :-1, :] + 1)
        n[:, :-1, :] = np.minimum(n[:, :-1, :], d[:, 1:, :] + 1)
        n[:, :, 1:] = np.minimum(n[:, :, 1:], d[:, :, :-1] + 1)
        n[:, :, :-1] = np.minimum(n[:, :, :-1], d[:, :, 1:] + 1)
        n = np.where(passable, n, np.inf)
        if np.array_equal(n, d):
            return d
        d = n


class Approach:
    """Reads every decision of an evaluation (`evaluate(..., on_step=...)`): per candidate, the agent's moves near it
    and those that came closer, with each world's distances made when its episode starts."""

    def __init__(self, level: Level, watched: list[Candidate], episodes: int | None = None):
        self.level, self.watched, self.episodes, self.ended = level, watched, episodes, 0
        self.closer = np.zeros(len(watched))
        self.moves = np.zeros(len(watched))
        self.dist: list[np.ndarray] | None = None

    def _maps(self, worlds, i: int) -> np.ndarray:
        tiles = worlds.tiles[i]
        return distances(~(TILE_SOLID[tiles] | TILE_DEADLY[tiles]), target_masks(self.level, worlds, i, self.watched))

    def on_step(self, worlds, actions, before, after, ended, active) -> None:
        if self.episodes is not None and self.ended >= self.episodes:
            return  # enough episodes read: the distances cost more than the rest of an evaluation
        if self.dist is None:  # (the first decision's worlds: nothing has changed but what that step touched)
            self.dist = [self._maps(worlds, i) for i in range(len(after))]
        for i in np.nonzero((after != before).any(1) & active)[0]:
            (x0, y0), (x1, y1) = before[i], after[i]
            if not (0 <= x0 < self.level.width and 0 <= y0 < self.level.height
                    and 0 <= x1 < self.level.width and 0 <= y1 < self.level.height):
                continue
            d0, d1 = self.dist[i][:, y0, x0], self.dist[i][:, y1, x1]
            near = np.isfinite(d0) & (d0 > 0)  # a move inside the target neither approaches nor leaves it
            self.moves += near
            self.closer += near & (d1 < d0)
        for i in ended:
            self.ended += bool(active[i])
            self.dist[i] = self._maps(worlds, i)

    def rates(self) -> np.ndarray:
        """Per candidate, the share of the agent's moves near it that came closer (NaN: no move near it)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.moves > 0, self.closer / np.maximum(self.moves, 1), np.nan)


def approach_rates(policy, level: Level, watched: list[Candidate], split: str, episodes: int, seed: int,
                   view: str, radius: int) -> np.ndarray:
    """Per candidate, the share of the agent's moves (changes of cell) that brought it closer (NaN: no move near
    it)."""
    watching = Approach(level, watched)
    evaluate(policy, level, split, episodes, seed=seed, record=0, view=view, radius=radius, on_step=watching.on_step)
    return watching.rates()
