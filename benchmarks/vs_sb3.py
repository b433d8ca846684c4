"""The project's PPO against Stable-Baselines3's PPO on the same levels, same hyperparameters, same network and the
same stopping rule, seeds interleaved. One JSON line per run, then one per level with the medians and the ratio.

    pip install stable-baselines3
    python benchmarks/vs_sb3.py [--levels green_means_go cheese_in_the_corner] [--seeds 3] [--max-seconds 120]

Both learners see the same worlds: SB3 steps `gymnasium.make_vec(...)` (the project's `LevelVecEnv`) through
`benchmarks/sb3_vec_env.py`. Both have one trunk of two tanh layers of 128 shared by the actor and the critic,
64 worlds x 32 steps per rollout, 4 epochs of 4 minibatches, the same learning rate, clipping, entropy and value
weights, rewards scaled the same way and bootstrapped at the time limit. Both stop at the project's rule: the share
of the last 200 training episodes that reached the goal is at least 95 % once every world has ended an episode, and
300 fresh training episodes played by the current policy confirm it. Times include those checks, one torch thread.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import deque
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium
import numpy as np
import torch
import torch.nn as nn
from stable_baselines3 import PPO as SB3PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agents.envs  # noqa: E402,F401 (registers the levels' ids)
from agents.evaluation import evaluate  # noqa: E402
from agents.kinds import REACTIVE  # noqa: E402
from agents.ppo import LEARNING_RATE, PPOConfig, reward_scale  # noqa: E402
from agents.training import TrainingGoal, TrainingRun, TrainingSettings  # noqa: E402
from benchmarks.sb3_vec_env import SB3VecEnv  # noqa: E402
from levels import builtin_level  # noqa: E402

LEVELS = ["green_means_go", "cheese_in_the_corner"]


class Trunk(BaseFeaturesExtractor):
    """The project's reactive trunk: two tanh layers shared by the actor and the critic."""

    def __init__(self, observation_space, hidden: int = 128):
        super().__init__(observation_space, hidden)
        self.net = nn.Sequential(nn.Linear(observation_space.shape[0], hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                                 nn.Tanh())

    def forward(self, obs):
        return self.net(obs)


class ProjectStoppingRule(BaseCallback):
    """Stops SB3 where the project's TrainingRun stops: running success confirmed on fresh episodes."""

    def __init__(self, level, config: PPOConfig, seed: int, goal: TrainingGoal):
        super().__init__()
        self.level, self.config, self.seed, self.goal = level, config, seed, goal
        self.recent: deque[bool] = deque(maxlen=config.success_window)
        self.worlds_done = np.zeros(config.num_envs, dtype=bool)
        self.started = time.perf_counter()
        self.reached = False
        self.rollouts = 0

    def _on_step(self) -> bool:
        for i, info in enumerate(self.locals["infos"]):
            if "outcome" in info:
                self.worlds_done[i] = True
                self.recent.append(info["outcome"] == "goal")
        return not self.reached and time.perf_counter() - self.started < self.goal.max_seconds

    def _on_rollout_end(self) -> None:
        self.rollouts += 1
        if not self.worlds_done.all() or len(self.recent) < self.config.success_window:
            return
        if np.mean(self.recent) >= self.goal.target:
            model = self.model

            def policy(obs, worlds):
                return model.predict(obs, deterministic=False)[0]
            seed = self.seed + 10_000 + self.rollouts
            check = evaluate(policy, self.level, "training", self.goal.confirm_episodes, seed=seed, record=0)
            self.reached = check.share("goal") >= self.goal.target


def run_project(level, seed: int, goal: TrainingGoal) -> dict:
    run = TrainingRun(level, TrainingSettings(seed=seed), goal)
    stop = run.run()
    return {"reached": stop == "target", "seconds": run.seconds, "steps": run.optimizer.global_step}


def run_sb3(name: str, level, seed: int, goal: TrainingGoal) -> dict:
    c = PPOConfig()
    envs = SB3VecEnv(gymnasium.make_vec(agents.envs.env_id(name), num_envs=c.num_envs), reward_scale(level))
    envs.seed(seed)
    model = SB3PPO("MlpPolicy", envs, learning_rate=LEARNING_RATE[REACTIVE], n_steps=c.num_steps,
                   batch_size=c.num_envs * c.num_steps // c.num_minibatches, n_epochs=c.update_epochs,
                   gamma=c.gamma, gae_lambda=c.gae_lambda, clip_range=c.clip_coef, ent_coef=c.ent_coef,
                   vf_coef=c.vf_coef, max_grad_norm=c.max_grad_norm, normalize_advantage=c.norm_adv, seed=seed,
                   device="cpu", policy_kwargs={"features_extractor_class": Trunk, "net_arch": [],
                                                "activation_fn": nn.Tanh, "share_features_extractor": True})
    rule = ProjectStoppingRule(level, c, seed, goal)
    started = time.perf_counter()
    model.learn(total_timesteps=10**9, callback=rule)
    return {"reached": rule.reached, "seconds": time.perf_counter() - started, "steps": int(model.num_timesteps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="*", default=LEVELS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    goal = TrainingGoal(max_seconds=args.max_seconds)
    for name in args.levels:
        level = builtin_level(name)
        runs: dict[str, list[dict]] = {"project": [], "sb3": []}
        for seed in range(args.seeds):  # interleaved: a slow minute of the machine falls on both
            for learner in ("project", "sb3"):
                result = run_project(level, seed, goal) if learner == "project" else run_sb3(name, level, seed, goal)
                runs[learner].append(result)
                print(json.dumps({"level": name, "learner": learner, "seed": seed, **result,
                                  "seconds": round(result["seconds"], 2)}), flush=True)
        summary = {learner: {"reached_target": sum(r["reached"] for r in rs),
                             "median_seconds": round(float(np.median([r["seconds"] for r in rs])), 2),
                             "median_steps": int(np.median([r["steps"] for r in rs]))} for learner, rs in runs.items()}
        print(json.dumps({"level": name, "seeds": args.seeds, **summary,
                          "sb3_seconds_over_project": round(summary["sb3"]["median_seconds"]
                                                            / summary["project"]["median_seconds"], 2),
                          "machine": machine}), flush=True)


if __name__ == "__main__":
    main()
