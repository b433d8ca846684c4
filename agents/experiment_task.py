"""One task of an experiment: train one seed (on a level given a share of diverse training variants) and evaluate
it in training and at deployment. Plain data in (`Task`), a plain dict out: the same on a local worker process and on
a Ray worker (`agents.experiment`, `agents.experiment_ray`).
"""
from __future__ import annotations

import dataclasses
import os
import platform

from levels.format import Level, Mix

from agents.evaluation import evaluate
from agents.policy import TorchPolicy
from agents.training import StopReason, TrainingGoal, TrainingRun, TrainingSettings


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
                       settings: TrainingSettings | None = None) -> dict:
    """One seed: train to the target (or a budget), then evaluate on both splits."""
    import torch
    torch.set_num_threads(1)
    settings = dataclasses.replace(settings or TrainingSettings(), seed=seed)
    run = TrainingRun(level, settings, goal)
    reason = run.run()
    policy = TorchPolicy(run.optimizer.policy, seed=seed)
    out = {"seed": seed, "reason": reason, "reached_target": reason == StopReason.TARGET,
           "seconds": round(run.seconds, 2), "steps": run.optimizer.global_step,
           "confirmed_success": run.confirmed_success,
           "steps_per_second": round(run.optimizer.global_step / max(run.seconds, 1e-9))}
    for split in ("training", "deployment"):
        result = evaluate(policy, level, split, episodes, seed=seed + 777, view=settings.agent.view,
                          radius=settings.agent.radius, record=0)
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
    settings: TrainingSettings | None = None  # default TrainingSettings(): a reactive network trained by PPO


def run_task(task: Task) -> dict:
    from levels.format import parse_level
    level = parse_level(task.level_doc)
    if task.diversity is not None:
        level = with_diversity(level, task.diversity)
    result = train_and_evaluate(level, task.seed, task.goal, task.episodes, task.settings)
    result["diversity"] = task.diversity
    return result


def failed(task: Task, error: str, attempts: int) -> dict:
    """The row of a task that could not finish: kept in the results, so nothing is silently missing."""
    return {"seed": task.seed, "diversity": task.diversity, "error": error, "attempts": attempts}
