"""Which evolution strategy? OpenAI-ES (agents/evolution.py) against CMA-ES (the `cma` package) on the same
planner, the same level and the same mutant evaluation, to a confirmed training success of 95 %. This measurement is
why the game evolves the planner with CMA-ES (agents/evolution_cma.py).

    python benchmarks/es_choice.py [--level green_means_go] [--seeds 1,2,3] [--budget 120]

Prints one JSON line per (method, seed): seconds and generations to the target (null when the budget ran out) and
the confirmed success; then the machine. CMA-ES gets the same population size and initial step (sigma) as
OpenAI-ES; both see the same fitness (base reward over the same variants for every mutant, common random numbers)
and both stop by the same rule: the policy's own episodes reach 95 %, then 300 fresh training episodes confirm it.
The reactive network is not compared: CMA-ES's covariance over its 80,000 weights would hold 6.4 billion numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch


def confirmed(learner, level, seed: int) -> float:
    from agents.evaluation import evaluate
    from agents.policy import TorchPolicy
    a = learner.agent
    return evaluate(TorchPolicy(learner.policy, seed=seed), level, "training", 300, seed=seed + 10_000, view=a.view,
                    radius=a.radius, record=0).share("goal")


def run(strategy, level, seed: int, budget: float) -> dict:
    from agents.evolution import EvolutionConfig
    from agents.kinds import PLANNER, AgentSpec
    learner = strategy(level, EvolutionConfig(), AgentSpec.of(PLANNER), seed)
    started = time.perf_counter()
    while time.perf_counter() - started < budget:
        if learner.update()["training_success"] >= 0.95:
            share = confirmed(learner, level, seed + learner.updates)
            if share >= 0.95:
                return {"seconds": round(time.perf_counter() - started, 1), "generations": learner.updates,
                        "confirmed": share}
    return {"seconds": None, "generations": learner.updates, "confirmed": confirmed(learner, level, seed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="green_means_go")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--budget", type=float, default=120.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from levels import builtin_level
    from agents.evolution import Evolution
    from agents.evolution_cma import CMAEvolution
    level = builtin_level(args.level)
    for seed in (int(s) for s in args.seeds.split(",")):
        for name, strategy in (("openai-es", Evolution), ("cma-es", CMAEvolution)):
            print(json.dumps({"method": name, "seed": seed, "level": args.level,
                              **run(strategy, level, seed, args.budget)}), flush=True)
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}))


if __name__ == "__main__":
    main()
