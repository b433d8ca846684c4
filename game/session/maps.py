"""The value map and the policy arrows: what the agent's network says about every free cell of one world."""
from __future__ import annotations

import numpy as np
import torch

from levels.format import Level

from agents.envs import LevelVecEnv
from agents.policy import Policy
from agents.ppo import reward_scale
from game.world.variants import TILE_DEADLY, TILE_SOLID

ARROWS = {1: (0, -1), 2: (0, 1), 3: (-1, 0), 4: (1, 0)}  # action -> direction on screen (up, down, left, right)


@torch.no_grad()
def value_and_policy_maps(network: Policy, level: Level, worlds, i: int, view: str, radius: int):
    """For world `i`'s current layout: the value and the most likely action with the agent on each free cell.

    Returns (values (H, W) float with NaN where the agent cannot stand, actions (H, W) int, -1 there). Values are
    in the base reward's own units (the learner sees rewards scaled to about 1)."""
    tiles = worlds.tiles[i]
    free = ~(TILE_SOLID[tiles] | TILE_DEADLY[tiles])
    ys, xs = np.nonzero(free)
    values = np.full(tiles.shape, np.nan, dtype=np.float32)
    actions = np.full(tiles.shape, -1, dtype=np.int64)
    if len(xs) == 0:
        return values, actions
    # Only observations are needed: the probe's arrays are filled in, no episode is started (no physics spaces).
    probe = LevelVecEnv(level, "training", len(xs), seed=0, view=view, radius=radius)
    pw = probe.batch.worlds
    pw.tiles[:] = tiles
    pw.cells[:] = worlds.cells[i]
    pw.alive[:] = worlds.alive[i]
    pw.colors[:] = worlds.colors[i]
    pw.keys[:] = worlds.keys[i]
    pw.shields[:] = worlds.shields[i]
    if pw.engine == "grid":  # integer cells
        pw.agent[:, 0], pw.agent[:, 1] = xs, ys
    else:
        pw.agent_pos[:, 0], pw.agent_pos[:, 1] = xs + 0.5, ys + 0.5
        pw.agent_vel[:] = 0.0
    probe.obs_builder.on_load(np.arange(len(xs)))
    obs = torch.from_numpy(probe.obs_builder.build())
    logits, value = network(obs)
    values[ys, xs] = value.numpy() / reward_scale(level)
    actions[ys, xs] = logits.argmax(-1).numpy()
    return values, actions

