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

from agents.envs import LevelVecEnv
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


def approach_rates(policy, level: Level, watched: list[Candidate], split: str, episodes: int, seed: int,
                   view: str, radius: int) -> np.ndarray | None:
    """Per candidate, the share of the agent's moves (changes of cell) that brought it closer (NaN: no move near
    it)."""
    env = LevelVecEnv(level, split, max(1, min(64, episodes)), seed=seed, view=view, radius=radius)
    obs, _ = env.reset(seed=seed)
    worlds = env.batch.worlds

    def maps(i: int) -> np.ndarray:
        tiles = worlds.tiles[i]
        return distances(~(TILE_SOLID[tiles] | TILE_DEADLY[tiles]), target_masks(level, worlds, i, watched))

    dist = [maps(i) for i in range(env.num_envs)]
    closer = np.zeros(len(watched))
    moves = np.zeros(len(watched))
    finished = 0
    while finished < episodes:
        before = worlds.agent_cell.copy()
        obs, _, _, _, info = env.step(policy(obs, worlds))
        ended = {i for i, _ in env.reports}
        after = np.floor(info["final_agent_pos"] if ended else worlds.agent_pos).astype(np.int64)
        for i in np.nonzero((after != before).any(1))[0]:
            (x0, y0), (x1, y1) = before[i], after[i]
            if not (0 <= x1 < level.width and 0 <= y1 < level.height):
                continue
            d0, d1 = dist[i][:, y0, x0], dist[i][:, y1, x1]
            near = np.isfinite(d0) & (d0 > 0)  # a move inside the target neither approaches nor leaves it
            moves += near
            closer += near & (d1 < d0)
        for i in ended:
            finished += 1
            dist[i] = maps(i)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(moves > 0, closer / np.maximum(moves, 1), np.nan)
