"""Proximal Policy Optimization, readable top to bottom (after CleanRL's ppo.py).

The base optimizer of the game: it collects episodes from the training distribution with the current policy, then
takes gradient steps on the clipped surrogate objective. It only ever sees the base reward.

    learner = PPO(level, PPOConfig(), AgentSpec(), seed=0)
    while (learner.training_success() or 0.0) < 0.95:
        metrics = learner.update()

Network: the agent's (`AgentSpec`), by default a small MLP (two hidden layers) over the egocentric observation.
Measured on this 2-core CPU: an MLP runs ~10x more samples per second than a small CNN over the same tile channels,
and the window centred on the agent already gives the translation invariance a CNN would bring; see docs/results.md.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from levels.format import Level
from levels.vocabulary import OUTCOMES

from agents.envs import LevelVecEnv
from agents.kinds import CONV, PLANNER, REACTIVE, AgentSpec
from agents.network import sample_actions
from agents.observation import ObservationSpec
from agents.policy import build_network

GOAL_CODE = OUTCOMES.index("goal")
# Adam's step size for each kind of network when the settings leave it unset: the planner's few weights take larger
# steps (measured on green means go); the convolutional network takes the MLP's.
LEARNING_RATE = {REACTIVE: 1e-3, CONV: 1e-3, PLANNER: 0.01}


@dataclass(frozen=True)
class PPOConfig:
    """PPO's knobs, and only PPO's: which agent it trains and from which seed are the caller's (`AgentSpec`, `seed`;
    `agents.training.TrainingSettings` holds all three)."""
    num_envs: int = 64  # worlds stepped together
    num_steps: int = 32  # steps per world per rollout; a rollout holds num_envs * num_steps samples
    learning_rate: float | None = None  # Adam step size (None: LEARNING_RATE[agent kind]); annealed linearly to 0
    # over max_steps when anneal_lr is set
    anneal_lr: bool = False  # decay the learning rate (only meaningful with a fixed step budget)
    max_steps: int = 5_000_000  # env steps budget used for annealing
    gamma: float = 0.99  # discount
    gae_lambda: float = 0.95  # GAE trade-off between bias and variance
    num_minibatches: int = 4  # minibatches per epoch
    update_epochs: int = 4  # passes over each rollout
    clip_coef: float = 0.2  # PPO ratio clip
    ent_coef: float = 0.003  # entropy bonus: keeps exploring until the reward is found
    vf_coef: float = 0.5  # value loss weight
    max_grad_norm: float = 0.5  # gradient clipping
    norm_adv: bool = False  # normalising advantages made a sparse-reward seed collapse in prototyping: off
    success_window: int = 200  # training success is measured over this many most recent episodes


def carry_on() -> None:
    """The pause point of a learner nobody drives: it never stops."""


def reward_scale(level: Level) -> float:
    """Scale rewards to about 1 so the value loss and the learning rate suit every level."""
    biggest = max([abs(r.reward) for r in level.base_reward.rules] + [abs(level.base_reward.step_cost), 1e-6])
    return 1.0 / biggest


class PPO:
    """Owns the training envs, the policy and the optimizer. `update()` runs one rollout and one learning phase."""

    def __init__(self, level: Level, config: PPOConfig = PPOConfig(), agent: AgentSpec = AgentSpec(), seed: int = 0,
                 split: str = "training"):
        """`seed` seeds the worlds, the network's initialisation and the action sampling."""
        self.level, self.config, self.agent = level, config, agent
        c = config
        agent.check(level)
        torch.manual_seed(seed)
        self.envs = LevelVecEnv(level, split, c.num_envs, seed=seed, view=agent.view, radius=agent.radius)
        self.obs_spec: ObservationSpec = self.envs.obs_spec
        self.policy = build_network(agent.kind, self.obs_spec, int(self.envs.single_action_space.n), agent.hidden)
        self.learning_rate = c.learning_rate if c.learning_rate is not None else LEARNING_RATE[agent.kind]
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=self.learning_rate, eps=1e-5)
        self.generator = torch.Generator().manual_seed(seed)
        self.scale = reward_scale(level)
        self.pause_point = carry_on  # called inside an update where it may stop (`TrainingRun.step`)
        self.global_step = 0
        self.updates = 0
        self.episodes = 0
        self.worlds_done = np.zeros(c.num_envs, dtype=bool)  # worlds that have finished an episode
        self.recent_goal: deque[bool] = deque(maxlen=c.success_window)
        self.recent_return: deque[float] = deque(maxlen=c.success_window)
        self.outcome_counts = np.zeros(len(OUTCOMES), dtype=np.int64)
        obs, _ = self.envs.reset(seed=seed)
        self.next_obs = torch.from_numpy(obs)
        n, s = c.num_envs, c.num_steps
        self.buf_obs = torch.zeros((s, n, self.obs_spec.size))
        self.buf_actions = torch.zeros((s, n), dtype=torch.long)
        self.buf_logprobs = torch.zeros((s, n))
        self.buf_rewards = torch.zeros((s, n))
        self.buf_dones = torch.zeros((s, n))
        self.buf_values = torch.zeros((s, n))

    def training_success(self) -> float | None:
        """Share of the most recent training episodes that reached the intended goal; None until it means it.

        All worlds start together, so the first episodes to finish are the short ones, and short episodes are
        mostly the lucky successes: a rate over them starts near 100 % and falls. It is measured only once every
        world has finished an episode (the long ones included) and the window holds `success_window` episodes."""
        if not self.worlds_done.all() or len(self.recent_goal) < self.config.success_window:
            return None
        return float(np.mean(self.recent_goal))

    def _sample(self, logits: torch.Tensor) -> torch.Tensor:
        return sample_actions(logits, self.generator)

    def update(self) -> dict:
        c, envs = self.config, self.envs
        started = time.perf_counter()
        if c.anneal_lr:
            frac = max(1.0 - self.global_step / c.max_steps, 0.0)
            self.optimizer.param_groups[0]["lr"] = frac * self.learning_rate

        # --- rollout: play the current policy on the training distribution ---------------------------------
        for step in range(c.num_steps):
            self.pause_point()
            obs = self.next_obs
            with torch.no_grad():
                logits, value = self.policy(obs)
                action = self._sample(logits)
                logprob = torch.log_softmax(logits, -1).gather(1, action[:, None]).squeeze(1)
            next_obs, reward, terminated, truncated, info = envs.step(action.numpy())
            reward = reward * self.scale
            done = terminated | truncated
            if truncated.any():  # out of time is not the end of the world: bootstrap from the final state
                final = torch.from_numpy(info["final_obs"][truncated])
                with torch.no_grad():
                    reward[truncated] += c.gamma * self.policy.value(final).numpy()
            self.buf_obs[step] = obs
            self.buf_actions[step] = action
            self.buf_logprobs[step] = logprob
            self.buf_values[step] = value
            self.buf_rewards[step] = torch.from_numpy(reward)
            self.buf_dones[step] = torch.from_numpy(done.astype(np.float32))
            self.next_obs = torch.from_numpy(next_obs)
            if "outcome" in info:
                for i, report in envs.reports:
                    self.episodes += 1
                    self.worlds_done[i] = True
                    self.recent_goal.append(report.outcome == "goal")
                    self.recent_return.append(report.base_return)
                    self.outcome_counts[OUTCOMES.index(report.outcome)] += 1
        self.global_step += c.num_envs * c.num_steps
        rollout_seconds = time.perf_counter() - started

        # --- advantages: generalized advantage estimation ---------------------------------------------------
        with torch.no_grad():
            next_value = self.policy.value(self.next_obs)
            advantages = torch.zeros_like(self.buf_rewards)
            last = torch.zeros(c.num_envs)
            for t in reversed(range(c.num_steps)):
                not_done = 1.0 - self.buf_dones[t]
                following = next_value if t == c.num_steps - 1 else self.buf_values[t + 1]
                delta = self.buf_rewards[t] + c.gamma * following * not_done - self.buf_values[t]
                last = delta + c.gamma * c.gae_lambda * not_done * last
                advantages[t] = last
            returns = advantages + self.buf_values

        # --- learning: clipped surrogate objective, value loss, entropy bonus -------------------------------
        b_obs = self.buf_obs.reshape(-1, self.obs_spec.size)
        b_actions, b_logprobs = self.buf_actions.reshape(-1), self.buf_logprobs.reshape(-1)
        b_adv, b_returns = advantages.reshape(-1), returns.reshape(-1)
        batch = b_obs.shape[0]
        minibatch = batch // c.num_minibatches
        clipfracs, approx_kl = [], torch.tensor(0.0)
        for _ in range(c.update_epochs):
            order = torch.randperm(batch, generator=self.generator)
            for start in range(0, batch, minibatch):
                self.pause_point()
                mb = order[start:start + minibatch]
                new_logprob, entropy, new_value = self.policy.act(b_obs[mb], b_actions[mb])
                log_ratio = new_logprob - b_logprobs[mb]
                ratio = log_ratio.exp()
                with torch.no_grad():
                    approx_kl = ((ratio - 1) - log_ratio).mean()
                    clipfracs.append(((ratio - 1.0).abs() > c.clip_coef).float().mean().item())
                adv = b_adv[mb]
                if c.norm_adv:
                    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                pg_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - c.clip_coef, 1 + c.clip_coef)).mean()
                v_loss = 0.5 * ((new_value - b_returns[mb]) ** 2).mean()
                entropy_loss = entropy.mean()
                loss = pg_loss - c.ent_coef * entropy_loss + c.vf_coef * v_loss
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.policy.parameters(), c.max_grad_norm)
                self.optimizer.step()
        self.updates += 1
        if not all(torch.isfinite(p).all() for p in self.policy.parameters()):
            raise FloatingPointError("the policy's weights are no longer finite numbers (the learner diverged); "
                                     "try a lower learning rate")
        seconds = time.perf_counter() - started
        return {
            "update": self.updates,
            "steps": self.global_step,
            "episodes": self.episodes,
            "training_success": self.training_success(),
            "return": float(np.mean(self.recent_return)) if self.recent_return else 0.0,
            "entropy": float(entropy_loss.item()),
            "policy_loss": float(pg_loss.item()),
            "value_loss": float(v_loss.item()),
            "approx_kl": float(approx_kl.item()),
            "clipfrac": float(np.mean(clipfracs)),
            "learning_rate": float(self.optimizer.param_groups[0]["lr"]),
            "steps_per_second": c.num_envs * c.num_steps / seconds,
            "env_seconds": rollout_seconds,
            "update_seconds": seconds,
        }
