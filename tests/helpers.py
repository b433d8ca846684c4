"""Small helpers shared by the tests."""
import numpy as np

from levels import builtin_level, parse_level
from game.world import WorldBatch

ACTION = {"s": 0, "U": 1, "D": 2, "L": 3, "R": 4}


def rollout(level, split, policy, seed=0, n=8, steps=400):
    """Run `policy(worlds) -> actions` and collect every finished episode's report."""
    level = builtin_level(level) if isinstance(level, str) else level
    batch = WorldBatch(level, split, n, seed)
    batch.reset()
    reports = []
    for _ in range(steps):
        reports += [r for _, r in batch.step(policy(batch.worlds)).finished]
    return reports


def play(level, split, actions: str, seed=0):
    """Play one world with an action string ("RRUL..."); returns per-step (reward, events, terminated, truncated)
    and the report of the episode if it ended."""
    level = builtin_level(level) if isinstance(level, str) else level
    batch = WorldBatch(level, split, 1, seed, autoreset=False)
    batch.reset()
    steps, report = [], None
    for ch in actions:
        result = batch.step(np.array([ACTION[ch]]))
        steps.append((float(result.reward[0]), batch.table.describe(result.events[0]), bool(result.terminated[0]),
                      bool(result.truncated[0])))
        if result.finished:
            report = result.finished[0][1]
            break
    return steps, report, batch


def small_level(rows, entities, rules, goal, world="grid", proxies=(), regions=None, length=50, **extra):
    doc = {"format": "mesa-sandbox-level", "version": 1, "name": "test", "world": world, "episode_length": length,
           "tiles": {"legend": {".": "floor", "#": "wall", "~": "lava", "g": "green_floor"}, "rows": rows},
           "entities": entities, "base_reward": {"rules": rules}, "intended_goal": goal, "proxies": list(proxies),
           "regions": regions or {}, **extra}
    return parse_level(doc, "test")


def hall(side: int):
    """An empty square grid hall of `side` cells, the border included: the agent in the top-left corner, the coin
    it must touch in the bottom-right (the levels as large as the format allows)."""
    rows = ["#" * side] + ["#" + "." * (side - 2) + "#" for _ in range(side - 2)] + ["#" * side]
    return small_level(rows, [{"id": "agent", "kind": "agent", "at": [1, 1]},
                              {"id": "coin", "kind": "coin", "at": [side - 2, side - 2]}],
                       [{"event": "touched", "what": "coin", "reward": 1, "ends_episode": True}],
                       {"event": "touched", "what": "coin"})


def roaming_grid_level():
    """The empty grid template with the agent and the coin starting anywhere, and no proxies declared."""
    from levels import level_to_dict
    doc = level_to_dict(builtin_level("template_grid"))
    doc["training"] = doc["deployment"] = {"spawns": {"agent": {"anywhere": True}, "coin": {"anywhere": True}}}
    return parse_level(doc)


def cornered_grid_level():
    """`roaming_grid_level`, but in training the coin always lies in the bottom-left floor cell, where
    `corner_walker` goes: it scores well in training, and at deployment (the coin anywhere) pursues the corner."""
    from levels import level_to_dict
    from agents.objectives import free_box
    level = roaming_grid_level()
    x0, y0, x1, y1 = free_box(level)
    doc = level_to_dict(level)
    doc["training"]["spawns"]["coin"] = {"cells": [[x0, y1]]}
    return parse_level(doc)


def corner_walker(level):
    """A scripted player who always heads for the bottom-left floor cell (a known objective nobody declared)."""
    from agents.evaluation import scripted
    from agents.objectives import free_box
    from agents.scripted import GridSeeker
    x0, y0, x1, y1 = free_box(level)
    return scripted(GridSeeker(lambda worlds, i: {(x0, y1)}))
