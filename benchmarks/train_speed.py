"""Seconds and steps to 95 % training success for each built-in, one torch thread, one process.

    python benchmarks/train_speed.py [--seeds 5] [--levels ...]

Prints one JSON line per level: median seconds and steps to the target over seeds, and env steps/s while training
(rollouts and learning together).
"""
from __future__ import annotations

import argparse
import json
import os
import platform

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

from agents.training import TrainingGoal, TrainingRun, TrainingSettings
from levels import builtin_level

LEVELS = ["coin_at_the_end", "cheese_in_the_corner", "keys_and_chests", "green_means_go", "the_diversity_fix"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--levels", nargs="*", default=LEVELS)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    for name in args.levels:
        seconds, steps, reached = [], [], 0
        for seed in range(args.seeds):
            run = TrainingRun(builtin_level(name), TrainingSettings(seed=seed),
                              TrainingGoal(max_seconds=args.max_seconds))
            reached += run.run() == "target"
            seconds.append(run.seconds)
            steps.append(run.optimizer.global_step)
        print(json.dumps({"level": name, "seeds": args.seeds, "reached_target": reached,
                          "median_seconds": round(float(np.median(seconds)), 2),
                          "median_steps": int(np.median(steps)),
                          "env_steps_per_second_while_training": round(sum(steps) / sum(seconds)),
                          "machine": machine}), flush=True)


if __name__ == "__main__":
    main()
