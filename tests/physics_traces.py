"""Traces of the physics engine on every physics level: random actions from a fixed seed, and per step the agent's
cell and position, the crates' cells and the events. `tests/data/physics_traces.npz` holds the traces the engine
of one pymunk space per world gave; the engine of one space per batch must give the same (tests/test_worlds.py).

    python tests/physics_traces.py   # write the file again (only when a change of behaviour is meant)
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from levels import builtin_level  # noqa: E402
from game.world import WorldBatch  # noqa: E402

FILE = Path(__file__).parent / "data" / "physics_traces.npz"
WORLDS, STEPS = 1, 600


def everything_level(world: str):
    """A physics room with each kind the engine treats apart: key, door, chest, crate, coin, lava."""
    from helpers import small_level
    rows = ["########", "#......#", "#......#", "#.....~#", "########"]
    entities = [{"id": "a", "kind": "agent", "at": [1, 1]}, {"id": "k", "kind": "key", "at": [3, 3]},
                {"id": "d", "kind": "door", "at": [4, 3]}, {"id": "c", "kind": "chest", "at": [1, 3]},
                {"id": "box", "kind": "crate", "at": [2, 2]}, {"id": "coin", "kind": "coin", "at": [1, 1]}]
    spawns = {"spawns": {"a": {"anywhere": True}}}
    return small_level(rows, entities, [{"event": "opened", "what": "chest", "reward": 5},
                                        {"event": "touched", "what": "coin", "reward": 1, "ends_episode": True},
                                        {"event": "entered_tile", "what": "lava", "reward": -1,
                                         "ends_episode": True}],
                       {"event": "touched", "what": "coin"}, world=world, length=80, training=spawns,
                       deployment=spawns)


def levels():
    named = {n: builtin_level(n) for n in ("coin_at_the_end", "the_diversity_fix", "template_topdown",
                                           "template_sideview")}
    named.update({f"everything_{w}": everything_level(w) for w in ("topdown", "sideview")})
    return named


def trace(level, split: str) -> dict[str, np.ndarray]:
    batch = WorldBatch(level, split, WORLDS, seed=7)
    batch.reset()
    actions = np.random.default_rng(11).integers(0, 5, (STEPS, WORLDS))
    cells, pos, crates, events = [], [], [], []
    for a in actions:
        result = batch.step(a)
        cells.append(batch.worlds.agent_cell.copy())
        pos.append(batch.worlds.agent_pos.copy())
        crates.append(batch.worlds.cells.copy())
        events.append(result.events.copy())
    return {"cells": np.array(cells), "pos": np.array(pos), "crates": np.array(crates), "events": np.array(events)}


def all_traces() -> dict[str, np.ndarray]:
    out = {}
    for name, level in levels().items():
        for split in ("training", "deployment"):
            for field, values in trace(level, split).items():
                out[f"{name}/{split}/{field}"] = values
    return out


if __name__ == "__main__":
    np.savez_compressed(FILE, **all_traces())
    print(f"wrote {FILE}")
