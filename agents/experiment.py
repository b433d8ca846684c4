"""Experiments: train many seeds (and shares of diverse training variants), evaluate each at deployment.

    mesa-sandbox experiment LEVEL --seeds 10 [--diversity 0,0.02,0.1,0.25] [--jobs N | --ray [ADDRESS]] -o OUT.json

One task per (share, seed) (`agents.experiment_task`). Tasks run in a local pool of worker processes (one torch
thread each), or on Ray (`agents.experiment_ray`, an optional extra). Either way results stream back as tasks
finish, a failed task is reported in the results rather than dropped, and an interrupted sweep (Ctrl+C) keeps what
finished.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterator

from levels.format import Level
from levels.words import counted

from agents.envs import resolve_level
from agents.experiment_task import Task, failed, machine, run_task  # noqa: F401 (where callers find them)
from agents.training import TrainingGoal, TrainingSettings


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
                   progress=None, ray: str | None = None, settings: TrainingSettings | None = None) -> dict:
    """Train and evaluate every (share, seed). `ray`: None for the local pool of `jobs` processes; otherwise a
    Ray address, "" meaning RAY_ADDRESS if set, else a new local Ray instance. Ctrl+C stops the sweep and returns
    what finished, with "interrupted": true."""
    from levels.format import level_to_dict
    level = resolve_level(level)
    shares = diversity if diversity else [None]
    doc = level_to_dict(level)
    tasks = [Task(doc, seed, share, goal, episodes, settings) for share in shares for seed in range(seeds)]
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
            "agent": (settings or TrainingSettings()).agent.kind,
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
        how = f"FAILED after {counted(result['attempts'], 'attempt')}"
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
            lines.append(f"seed {r['seed']}{share} failed after {counted(r['attempts'], 'attempt')}: "
                         f"{r['error'].strip().splitlines()[-1]}")
    if results.get("interrupted"):
        lines.append(f"interrupted: {len(results['runs'])} of {results['tasks']} tasks finished")
    return "\n".join(lines)
