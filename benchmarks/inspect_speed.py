"""How long a player waits for "what it acts as if it wants". One JSON line per shipped agent (seed 0).

    python benchmarks/inspect_speed.py [--episodes 500] [--agents cheese_in_the_corner coin_at_the_end ...]

"inspect_seconds": `inspect` at `--episodes` deployment episodes (what the CLI command does, start-up excluded).
"evaluate_seconds" and "answer_after_seconds": the window's Evaluate (`evaluate_and_inspect`): until its episodes
are counted, then until the answer is there. One torch thread, like the CLI and the learner.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

from agents.agent_file import load_agent
from agents.inspection import evaluate_and_inspect, inspect
from agents.policy import TorchPolicy
from game.pretrained import agents_root

SHIPPED = ["green_means_go", "lava_land", "cheese_on_a_dish", "follow_the_leader", "cheese_in_the_corner",
           "keys_and_chests", "monster_world", "coin_at_the_end", "the_diversity_fix"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--agents", nargs="*", default=SHIPPED)
    args = parser.parse_args()
    torch.set_num_threads(1)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    for name in args.agents:
        agent = load_agent(agents_root() / name / "seed0.agent")
        view, radius = agent.obs_spec.view, agent.obs_spec.radius
        started = time.perf_counter()
        found = inspect(TorchPolicy(agent.policy, seed=0), agent.level, "deployment", args.episodes, seed=0,
                        view=view, radius=radius)
        inspect_seconds = time.perf_counter() - started
        counted: list[float] = []
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done >= total and not counted:
                counted.append(time.perf_counter() - started)
        evaluate_and_inspect(agent.policy, agent.level, "deployment", args.episodes, 0, view, radius, progress)
        total = time.perf_counter() - started
        print(json.dumps({"agent": f"{name}/seed0", "episodes": args.episodes,
                          "inspect_seconds": round(inspect_seconds, 2), "evaluate_seconds": round(counted[0], 2),
                          "answer_after_seconds": round(total - counted[0], 2), "words": found.words(),
                          "machine": machine}), flush=True)


if __name__ == "__main__":
    main()
