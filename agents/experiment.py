"""Experiments: train many seeds (and shares of diverse training variants), evaluate each at deployment.

    mesa-sandbox experiment LEVEL --seeds 10 [--diversity 0,0.02,0.1,0.25] [--jobs N] -o RESULTS.json

Seeds run in parallel worker processes (one torch thread each).
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import platform
from concurrent.futures import ProcessPoolExecutor

from levels.format import Level, Mix

from agents.envs import resolve_level
from agents.evaluation import evaluate
from agents.policy import TorchPolicy
from agents.ppo import PPOConfig
from agents.training import TrainingGoal, TrainingRun


def with_diversity(level: Level, share: float) -> Level:
    """The level with `share` of its training variants drawn like deployment variants.

    A level whose training distribution already has mixes gets its first mix's share replaced; otherwise a mix is
    added whose spawns are the deployment spawns (for the coin level: the coin behind the agent)."""
    training = level.training
    if training.mixes:
        mixes = (training.mixes[0].model_copy(update={"share": share}),) + training.mixes[1:]
    else:
        mixes = (Mix(share=share, spawns=dict(level.deployment.spawns)),)
    if share <= 0:
        mixes = mixes[1:]
    return level.model_copy(update={"training": training.model_copy(update={"mixes": mixes})})


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


def train_and_evaluate(level: Level, seed: int, goal: TrainingGoal, episodes: int = 1000,
                       config: PPOConfig | None = None) -> dict:
    """One seed: train to the target (or a budget), then evaluate on both splits."""
    import torch
    torch.set_num_threads(1)
    config = config or PPOConfig()
    run = TrainingRun(level, dataclasses.replace(config, seed=seed), goal)
    reason = run.run()
    policy = TorchPolicy(run.learner.policy, seed=seed)
    out = {"seed": seed, "reason": reason, "reached_target": reason == "target", "seconds": round(run.seconds, 2),
           "steps": run.learner.global_step, "confirmed_success": run.confirmed_success,
           "steps_per_second": round(run.learner.global_step / max(run.seconds, 1e-9))}
    for split in ("training", "deployment"):
        result = evaluate(policy, level, split, episodes, seed=seed + 777, view=config.view, radius=config.radius,
                          record=0)
        out[split] = result.to_dict()
    return out


def _job(args) -> dict:
    level_doc, seed, share, goal, episodes = args
    from levels.format import parse_level
    level = parse_level(level_doc)
    if share is not None:
        level = with_diversity(level, share)
    result = train_and_evaluate(level, seed, goal, episodes)
    result["diversity"] = share
    return result


def run_experiment(level: Level | str, seeds: int, diversity: list[float] | None = None, jobs: int = 1,
                   goal: TrainingGoal = TrainingGoal(max_seconds=120), episodes: int = 1000,
                   progress=None) -> dict:
    from levels.format import level_to_dict
    level = resolve_level(level)
    shares = diversity if diversity else [None]
    tasks = [(level_to_dict(level), seed, share, goal, episodes) for share in shares for seed in range(seeds)]
    results = []
    if jobs <= 1:
        for t in tasks:
            results.append(_job(t))
            if progress:
                progress(results[-1], len(results), len(tasks))
    else:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for r in pool.map(_job, tasks):
                results.append(r)
                if progress:
                    progress(r, len(results), len(tasks))
    return {"level": level.name, "fingerprint": level.fingerprint(), "machine": machine(), "seeds": seeds,
            "goal": dataclasses.asdict(goal), "episodes": episodes, "runs": results}


def summary_rows(results: dict) -> list[dict]:
    """One row per diversity share: medians over seeds."""
    import numpy as np
    rows = []
    by_share: dict = {}
    for r in results["runs"]:
        by_share.setdefault(r.get("diversity"), []).append(r)
    for share, runs in by_share.items():
        dep = [r["deployment"]["shares"] for r in runs]
        rows.append({
            "diversity": share, "seeds": len(runs),
            "reached_target": sum(r["reached_target"] for r in runs),
            "median_seconds": float(np.median([r["seconds"] for r in runs])),
            "median_steps": float(np.median([r["steps"] for r in runs])),
            "median_training_goal": float(np.median([r["training"]["shares"]["goal"] for r in runs])),
            "median_deployment_goal": float(np.median([d["goal"] for d in dep])),
            "median_deployment_proxy": float(np.median([d["proxy"] for d in dep])),
            "seeds_proxy_at_least_60": sum(d["proxy"] >= 0.6 for d in dep),
        })
    return rows


def format_summary(results: dict) -> str:
    rows = summary_rows(results)
    lines = [f"{results['level']}: {results['seeds']} seeds, {results['machine']}",
             f"{'diversity':>9} {'target':>7} {'sec':>7} {'steps':>9} {'train goal':>10} {'dep goal':>8} "
             f"{'dep proxy':>9} {'proxy>=60%':>10}"]
    for r in rows:
        share = "-" if r["diversity"] is None else f"{r['diversity']:.2f}"
        lines.append(f"{share:>9} {r['reached_target']:>3}/{r['seeds']:<3} {r['median_seconds']:7.1f} "
                     f"{r['median_steps']:9.0f} {r['median_training_goal']:10.1%} {r['median_deployment_goal']:8.1%} "
                     f"{r['median_deployment_proxy']:9.1%} {r['seeds_proxy_at_least_60']:>4}/{r['seeds']}")
    return "\n".join(lines)
