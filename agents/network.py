"""What every agent's network offers the base optimizers and everything that watches an agent: observations in,
(action logits, value) out. The kinds: the reactive MLP (`agents.policy.Policy`), the convolutional network
(`agents.conv.ConvNet`, a reactive network whose layers are maps of the level) and the planner
(`agents.planner.Planner`)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from agents.kinds import AGENT_KINDS  # noqa: F401 (where callers find it)


class Network(nn.Module):
    kind = ""  # one of AGENT_KINDS
    readable_objective = False  # its objective can be read off its weights (`objective()`): the planner's can
    n_actions: int

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def steerable(self) -> dict[str, nn.Module]:
        """The layers whose output `agents.steering` can add to, by name (none: this kind cannot be steered)."""
        return {}

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self(obs)[0]

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self(obs)[1]

    def act(self, obs: torch.Tensor, action: torch.Tensor):
        """Log-probability of `action`, entropy and value, for the learning phase."""
        logits, value = self(obs)
        log_probs = torch.log_softmax(logits, -1)
        entropy = -(log_probs.exp() * log_probs).sum(-1)
        return log_probs.gather(1, action[:, None]).squeeze(1), entropy, value


def level_planes(obs: torch.Tensor, spec) -> torch.Tensor:
    """(B, C, H, W) channel planes of the whole level from flat "full" observations (channel-last, row-major; the
    scalars after them are left out): what the planner and the convolutional network read."""
    grid = obs[:, :spec.width * spec.height * len(spec.channels)]
    return grid.reshape(-1, spec.height, spec.width, len(spec.channels)).permute(0, 3, 1, 2)


def sample_actions(logits: torch.Tensor, generator: torch.Generator, noise_shape=None) -> torch.Tensor:
    """Actions drawn from the logits by Gumbel-max with the caller's own generator: reproducible whatever else uses
    torch's global RNG. `noise_shape` (broadcast against the logits) shares one draw across a leading dimension:
    evolution's mutants all meet the same luck."""
    u = torch.rand(logits.shape if noise_shape is None else noise_shape, generator=generator).clamp_(1e-9, 1.0)
    return torch.argmax(logits - torch.log(-torch.log(u)), dim=-1)


class TorchPolicy:
    """A policy network as a `PolicyFn`: samples actions (or takes the most likely one with greedy=True)."""

    def __init__(self, network: torch.nn.Module, seed: int = 0, greedy: bool = False):
        self.network, self.greedy = network, greedy
        self.generator = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def __call__(self, obs: np.ndarray, worlds=None) -> np.ndarray:
        logits = self.network.logits(torch.from_numpy(obs))
        if self.greedy:
            return logits.argmax(-1).numpy()
        return sample_actions(logits, self.generator).numpy()
