"""How fast the worlds step, single process. One JSON line per measurement.

    python benchmarks/env_speed.py [--seconds 2]
    python benchmarks/env_speed.py --single   # the single Gymnasium env, beside MiniGrid's Empty-8x8 if installed

"steps_per_second" counts world steps (one world advancing one decision) with random actions, base reward,
outcomes and automatic restarts included; "env_steps_per_second" adds building the learner's observations.
`--single` steps `gymnasium.make("MesaSandbox/...")` one action at a time as a Gymnasium user does (observations and
info included, `reset()` when an episode ends), and MiniGrid's Empty-8x8 the same way, interleaved.
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


def single_env_speed(env, seconds: float) -> float:
    rng = np.random.default_rng(0)
    actions = rng.integers(0, env.action_space.n, 4096).tolist()
    env.reset(seed=0)
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(64):
            _, _, terminated, truncated, _ = env.step(actions[steps % 4096])
            steps += 1
            if terminated or truncated:
                env.reset()
    return steps / elapsed


def single(levels: list[str], seconds: float, machine: str) -> None:
    import gymnasium
    from agents.envs import env_id
    try:
        import minigrid  # noqa: F401 (registers its envs)
    except ImportError:
        minigrid = None
    for name in levels:
        row = {"level": name, "single_env_steps_per_second":
               round(single_env_speed(gymnasium.make(env_id(name)), seconds))}
        if minigrid is not None:  # measured right after, so that both see the same machine
            row["minigrid_empty_8x8"] = round(single_env_speed(gymnasium.make("MiniGrid-Empty-8x8-v0"), seconds))
        print(json.dumps({**row, "machine": machine}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--levels", nargs="*", default=[n for n in builtin_names() if not n.startswith("template_")])
    parser.add_argument("--single", action="store_true", help="the single Gymnasium env (and MiniGrid's)")
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.single:
        single(args.levels, args.seconds, machine)
        return
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
