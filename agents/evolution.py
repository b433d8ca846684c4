"""Evolution as a base optimizer: an evolution strategy (OpenAI-ES, Salimans et al. 2017), readable top to bottom.

Gradient descent is one base optimizer; natural selection is the other one the ideas of this game talk about. Here a
population of mutants of the policy (its weights plus noise) plays the training distribution; each mutant's
fitness is the base reward it collects; the policy moves towards the mutations that did well and away from those
that did badly. Nothing is differentiated: only the fitness of whole episodes selects.

    learner = Evolution(level, EvolutionConfig(), AgentSpec(), seed=0)
    while (learner.training_success() or 0.0) < 0.95:
        metrics = learner.update()       # one generation

The same networks as PPO's (`agents.policy.build_network`: the reactive MLP or the planner) and the same training
distribution; `agents.training.TrainingRun` applies the same stopping rule (a confirming evaluation of the policy
itself). Each generation's spread of the mutants' training success is in its metrics (`population`).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch.func import functional_call, vmap

from levels.format import Level

from agents.envs import LevelVecEnv
from agents.kinds import CONV, PLANNER, REACTIVE, AgentSpec
from agents.network import sample_actions
from agents.policy import build_network
from agents.ppo import carry_on, reward_scale

STEP = {REACTIVE: 0.01, CONV: 0.01, PLANNER: 0.03}  # measured on green means go (the MLP, the planner): larger
# steps make the MLP oscillate; the convolutional network takes the MLP's, not measured apart


@dataclass(frozen=True)
class EvolutionConfig:
    population: int = 32  # mutants per generation, in pairs with opposite noise (antithetic sampling)
    episodes: int = 8  # training episodes each mutant plays per generation
    sigma: float = 0.05  # size of a mutation (noise std, in weight units)
    learning_rate: float | None = None  # Adam step on the estimated fitness gradient; None: STEP[agent kind]
    weight_decay: float = 0.005  # keeps the weights small, as in OpenAI-ES

    def to_dict(self) -> dict:
        return asdict(self)


class Evolution:
    """Owns the population's worlds and the policy. `update()` runs one generation: mutate, play, select."""

    def __init__(self, level: Level, config: EvolutionConfig = EvolutionConfig(), agent: AgentSpec = AgentSpec(),
                 seed: int = 0, split: str = "training"):
        """`seed` seeds the worlds, the network's initialisation and the mutations."""
        agent.check(level)
        if config.population % 2:
            raise ValueError("the population must be even: mutants come in pairs with opposite noise")
        self.level, self.config, self.agent = level, config, agent
        torch.manual_seed(seed)
        worlds = (config.population + 1) * config.episodes  # the mutants, and the policy itself
        self.envs = LevelVecEnv(level, split, worlds, seed=seed, view=agent.view, radius=agent.radius)
        self.obs_spec = self.envs.obs_spec
        self.policy = build_network(agent.kind, self.obs_spec, int(self.envs.single_action_space.n), agent.hidden)
        self.names = [name for name, _ in self.policy.named_parameters()]
        self.shapes = [p.shape for p in self.policy.parameters()]
        self.theta = torch.nn.utils.parameters_to_vector(self.policy.parameters()).detach().clone()
        step = config.learning_rate if config.learning_rate is not None else STEP[agent.kind]
        self.optimizer = torch.optim.Adam([self.theta.requires_grad_()], lr=step)
        self.generator = torch.Generator().manual_seed(seed)
        self.scale = reward_scale(level)
        self.pause_point = carry_on  # called inside a generation where it may stop (`TrainingRun.step`)
        self.global_step = 0
        self.updates = 0
        self.episodes = 0
        self._success: float | None = None
        self._return = 0.0

    def training_success(self) -> float | None:
        """The share of the policy's own training episodes in the last generation that reached the intended goal
        (played to their end beside its mutants', so the share is never flattered by the short ones)."""
        return self._success

    def _as_parameters(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        """(members, n) flat weights -> {name: (members, *shape)} for a batched forward pass."""
        out, start = {}, 0
        for name, shape in zip(self.names, self.shapes):
            size = int(np.prod(shape))
            out[name] = flat[:, start:start + size].reshape(flat.shape[0], *shape)
            start += size
        return out

    @torch.no_grad()
    def play(self, members: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Every mutant plays `episodes` training episodes to their end. Returns per mutant the mean return (base
        reward, scaled) and the share of episodes that reached the goal."""
        e, n = self.config, len(members)
        if n * e.episodes != self.envs.num_envs:
            raise ValueError(f"play takes the policy and its {e.population} mutants: {e.population + 1} members")
        params = self._as_parameters(members)
        buffers = dict(self.policy.named_buffers())

        def forward(p, obs):
            return functional_call(self.policy, (p, buffers), (obs,))[0]
        # Common random numbers: every mutant plays the same variants with the same dice, so the differences in
        # fitness come from the mutations, not from one mutant drawing easier levels than another.
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=self.generator)))
        variants = [self.envs.batch.sampler.sample(rng) for _ in range(e.episodes)]
        obs = self.envs.load(variants * n)
        returns = np.zeros(n * e.episodes)
        goal = np.zeros(n * e.episodes, dtype=bool)
        done = np.zeros(n * e.episodes, dtype=bool)
        while not done.all():
            self.pause_point()
            logits = vmap(forward)(params, torch.from_numpy(obs).reshape(n, e.episodes, -1))
            # sampled, as it plays; one draw for all mutants
            actions = sample_actions(logits, self.generator, (1, *logits.shape[1:])).reshape(-1)
            obs, reward, _, _, _ = self.envs.step(actions.numpy())
            self.global_step += int((~done).sum())
            returns += np.where(done, 0.0, reward * self.scale)
            for i, report in self.envs.reports:
                if not done[i]:
                    done[i], goal[i] = True, report.outcome == "goal"
        self.episodes += len(done)
        return returns.reshape(n, e.episodes).mean(1), goal.reshape(n, e.episodes).mean(1)

    def update(self) -> dict:
        started, steps_before = time.perf_counter(), self.global_step
        e = self.config
        half = torch.randn((e.population // 2, self.theta.numel()), generator=self.generator)
        noise = torch.cat([half, -half])  # antithetic pairs: the same mutation, both ways
        # The policy itself plays beside its mutants (first): its own success is the training success reported.
        members = torch.cat([self.theta.detach()[None], self.theta.detach() + e.sigma * noise])
        fitness, success = self.play(members)
        center, fitness, success = success[0], fitness[1:], success[1:]
        # Rank-based fitness shaping: only the order of the mutants counts, so one lucky episode cannot dominate.
        ranks = np.empty(len(fitness))
        ranks[np.argsort(fitness)] = np.arange(len(fitness))
        weights = torch.from_numpy(ranks / (len(fitness) - 1) - 0.5).float()
        gradient = (weights @ noise) / (len(fitness) * e.sigma)
        self.optimizer.zero_grad()
        self.theta.grad = -(gradient - e.weight_decay * self.theta.detach())  # Adam descends: ascend the fitness
        self.optimizer.step()
        torch.nn.utils.vector_to_parameters(self.theta.detach(), self.policy.parameters())
        self.updates += 1
        if not torch.isfinite(self.theta).all():
            raise FloatingPointError("the policy's weights are no longer finite numbers (evolution diverged); "
                                     "try a smaller step")
        return self._report(started, steps_before, center, fitness, success)

    def _report(self, started: float, steps_before: int, center: float, fitness: np.ndarray,
                success: np.ndarray) -> dict:
        """One generation's metrics, from the policy's own success and its mutants' fitness and success."""
        self._success, self._return = float(center), float(fitness.mean() / self.scale)
        seconds = time.perf_counter() - started
        return {
            "update": self.updates,
            "steps": self.global_step,
            "episodes": self.episodes,
            "training_success": self._success,
            "return": self._return,
            # The selection, generation by generation: how the mutants' training success was spread.
            "population": {"min": float(success.min()), "median": float(np.median(success)),
                           "max": float(success.max())},
            "steps_per_second": (self.global_step - steps_before) / max(seconds, 1e-9),
            "update_seconds": seconds,
        }
