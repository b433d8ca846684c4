"""Experiments: train many seeds (and shares of diverse training variants), evaluate each at deployment.

    mesa-sandbox experiment LEVEL --seeds 10 [--diversity 0,0.02,0.1,0.25] [--jobs N | --ray [ADDRESS]] -o OUT.json

One task per (share, seed). Tasks run in a local pool of worker processes (one torch thread each), or on Ray
(`agents.experiment_ray`, an optional extra). Either way results stream back as tasks finish, a failed task is
reported in the results rather than dropped, and an interrupted sweep (Ctrl+C) keeps what finished.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import platform
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterator

from levels.format import Level, Mix

from agents.envs import resolve_level
from agents.evaluation import evaluate
from agents.policy import TorchPolicy
from agents.ppo import PPOConfig
from agents.training import StopReason, TrainingGoal, TrainingRun


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
    policy = TorchPolicy(run.optimizer.policy, seed=seed)
    out = {"seed": seed, "reason": reason, "reached_target": reason == StopReason.TARGET,
           "seconds": round(run.seconds, 2), "steps": run.optimizer.global_step, "confirmed_success": run.confirmed_success,
           "steps_per_second": round(run.optimizer.global_step / max(run.seconds, 1e-9))}
    for split in ("training", "deployment"):
        result = evaluate(policy, level, split, episodes, seed=seed + 777, view=config.view, radius=config.radius,
                          record=0)
        out[split] = result.to_dict()
    if run.optimizer.policy.readable_objective:  # its objective can be read: is what it shows what it does?
        from agents.planner import planner_report
        out["planner"] = planner_report(run.optimizer.policy, level, seed + 555)
    return out


@dataclasses.dataclass(frozen=True)
class Task:
    """One seed of one share: everything a worker needs, as plain data (a level as its JSON document)."""

    level_doc: dict
    seed: int
    diversity: float | None
    goal: TrainingGoal
    episodes: int
    config: PPOConfig | None = None  # default PPOConfig(): a reactive network


def run_task(task: Task) -> dict:
    from levels.format import parse_level
    level = parse_level(task.level_doc)
    if task.diversity is not None:
        level = with_diversity(level, task.diversity)
    result = train_and_evaluate(level, task.seed, task.goal, task.episodes, task.config)
    result["diversity"] = task.diversity
    return result


def failed(task: Task, error: str, attempts: int) -> dict:
    """The row of a task that could not finish: kept in the results, so nothing is silently missing."""
    return {"seed": task.seed, "diversity": task.diversity, "error": error, "attempts": attempts}


def run_local(tasks: list[Task], jobs: int, job: Callable[[Task], dict] = run_task) -> Iterator[dict]:
    """Results as the tasks finish, from `jobs` worker processes (in this process when jobs is 1)."""
    if jobs <= 1:
        for task in tasks:
            try:
                yield job(task)
            except Exception:  # one seed's failure is a row, not the end of the sweep
                yield failed(task, traceback.format_exc(limit=3), 1)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(job, task): task for task in tasks}
        for future in as_completed(futures):
            error = future.exception()
            yield future.result() if error is None else failed(futures[future], f"{type(error).__name__}: {error}", 1)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_experiment(level: Level | str, seeds: int, diversity: list[float] | None = None, jobs: int = 1,
                   goal: TrainingGoal = TrainingGoal(max_seconds=120), episodes: int = 1000,
                   progress=None, ray: str | None = None, config: PPOConfig | None = None) -> dict:
    """Train and evaluate every (share, seed). `ray`: None for the local pool of `jobs` processes; otherwise a
    Ray address, "" meaning RAY_ADDRESS if set, else a new local Ray instance. Ctrl+C stops the sweep and returns
    what finished, with "interrupted": true."""
    from levels.format import level_to_dict
    level = resolve_level(level)
    shares = diversity if diversity else [None]
    doc = level_to_dict(level)
    tasks = [Task(doc, seed, share, goal, episodes, config) for share in shares for seed in range(seeds)]
    if ray is None:
        engine, where = run_local(tasks, jobs), f"{min(jobs, len(tasks))} local processes"
    else:
        from agents.experiment_ray import run_on_ray
        engine, where = run_on_ray(tasks, ray), "Ray"
    results, interrupted = [], False
    try:
        for result in engine:
            results.append(result)
            if progress:
                progress(result, len(results), len(tasks))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        engine.close()  # cancels what has not finished
    order = {(t.diversity, t.seed): k for k, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.get("diversity"), r["seed"])])
    return {"level": level.name, "fingerprint": level.fingerprint(), "machine": machine(), "engine": where,
            "seeds": seeds, "goal": dataclasses.asdict(goal), "episodes": episodes, "interrupted": interrupted,
            "agent": (config or PPOConfig()).agent,
            "tasks": len(tasks), "runs": results}


def summary_rows(results: dict) -> list[dict]:
    """One row per diversity share: medians over seeds."""
    import numpy as np
    rows = []
    by_share: dict = {}
    for r in results["runs"]:
        if "error" not in r:
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


def progress_line(result: dict, done: int, total: int, width: int = 24) -> str:
    """A progress bar and how the task that just finished did."""
    bar = "#" * round(width * done / total) + "-" * (width - round(width * done / total))
    share = "" if result.get("diversity") is None else f" diversity {result['diversity']:.2f}"
    if "error" in result:
        how = f"FAILED after {result['attempts']} attempt(s)"
    else:
        dep = result["deployment"]["shares"]
        how = (f"{result['reason']} in {result['seconds']:.1f}s, deployment goal {dep['goal']:.0%} "
               f"proxy {dep['proxy']:.0%}")
    return f"[{bar}] {done}/{total}  seed {result['seed']}{share}: {how}"


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
    for r in results["runs"]:
        if "error" in r:
            share = "" if r["diversity"] is None else f" (diversity {r['diversity']:.2f})"
            lines.append(f"seed {r['seed']}{share} failed after {r['attempts']} attempt(s): "
                         f"{r['error'].strip().splitlines()[-1]}")
    if results.get("interrupted"):
        lines.append(f"interrupted: {len(results['runs'])} of {results['tasks']} tasks finished")
    return "\n".join(lines)
