"""Evolution for the planner: CMA-ES (Hansen's covariance matrix adaptation, through the `cma` package).

The same base optimizer as `agents/evolution.py` (a population of mutants plays the training distribution; the
fitter ones are selected; nothing is differentiated), with a better way to mutate: CMA-ES learns which directions
in weight space have paid off (a covariance over the weights) and mutates along them. That costs n^2 numbers for n
weights, cheap for the planner's few dozen feature weights and out of the question for the reactive network's tens of
thousands, which keeps OpenAI-ES. Measured on the planner (`benchmarks/es_choice.py`, docs/design.md): a confirmed
95 % on *green means go* in 26-30 s against 57-65 s for OpenAI-ES.

    learner = CMAEvolution(level, EvolutionConfig(), AgentSpec.of("planner"), seed=0)
    metrics = learner.update()       # one generation

It reuses `Evolution`'s worlds and `play` (every mutant on the same variants with the same dice, the policy
playing beside them), so the fitness, the reported success and the population band are the same as OpenAI-ES's.
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import torch

from levels.format import Level

from agents.evolution import EvolutionConfig, Evolution
from agents.kinds import AgentSpec


def _import_cma():
    with warnings.catch_warnings():  # cma says at import that it cannot plot without matplotlib; the game never plots
        warnings.filterwarnings("ignore", message=".*matplotlib.*")
        import cma
    return cma


class CMAEvolution(Evolution):
    """`update()` runs one generation: CMA-ES asks for mutants, they play, it is told their fitness."""

    def __init__(self, level: Level, config: EvolutionConfig = EvolutionConfig(), agent: AgentSpec = AgentSpec(),
                 seed: int = 0, split: str = "training"):
        super().__init__(level, config, agent, seed, split)
        cma = _import_cma()
        self.strategy = cma.CMAEvolutionStrategy(
            self.theta.detach().numpy().astype(np.float64), config.sigma,
            {"popsize": config.population, "seed": seed + 1, "verbose": -9})

    def update(self) -> dict:
        started, steps_before = time.perf_counter(), self.global_step
        mutants = self.strategy.ask()
        # The policy (the distribution's mean) plays first, beside its mutants: its success is the one reported.
        members = torch.tensor(np.array([self.strategy.mean] + mutants), dtype=torch.float32)
        fitness, success = self.play(members)
        self.strategy.tell(mutants, (-fitness[1:]).tolist())  # cma minimizes
        self.theta = torch.tensor(self.strategy.mean, dtype=torch.float32)
        if not torch.isfinite(self.theta).all():
            raise FloatingPointError("the policy's weights are no longer finite numbers (evolution diverged)")
        torch.nn.utils.vector_to_parameters(self.theta, self.policy.parameters())
        self.updates += 1
        return self._report(started, steps_before, success[0], fitness[1:], success[1:])
