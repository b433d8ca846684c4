"""How fast the worlds step, single process. One JSON line per measurement.

    python benchmarks/env_speed.py [--seconds 2]

"steps_per_second" counts world steps (one world advancing one decision) with random actions, base reward,
outcomes and automatic restarts included; "env_steps_per_second" adds building the learner's observations.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from agents.envs import LevelVecEnv
from game.world import WorldBatch
from levels import builtin_level, builtin_names


def measure(step, n: int, seconds: float) -> float:
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 5, (256, n))
    step(actions[0])  # warm caches
    steps, i, start = 0, 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(16):
            step(actions[i % 256])
            i += 1
        steps += 16 * n
    return steps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--levels", nargs="*", default=[n for n in builtin_names() if not n.startswith("template_")])
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    for name in args.levels:
        level = builtin_level(name)
        engine = "grid" if level.world == "grid" else "physics"
        for n in ([64] if engine == "grid" else [1, 16, 64, 128]):
            batch = WorldBatch(level, "training", n, seed=0)
            batch.reset()
            worlds = measure(batch.step, n, args.seconds)
            env = LevelVecEnv(level, "training", n, seed=0)
            env.reset()
            with_obs = measure(env.step, n, args.seconds)
            print(json.dumps({"level": name, "engine": engine, "worlds": n, "steps_per_second": round(worlds),
                              "env_steps_per_second": round(with_obs), "machine": machine}), flush=True)


if __name__ == "__main__":
    main()
