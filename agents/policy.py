"""The policy: the network a base optimizer shapes, the frozen snapshots of it that cross threads and processes,
and the sampling wrapper that plays it. Every optimizer (PPO today) trains a `Policy`; everything that watches an
agent (the window, evaluation, agent files) uses these types."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from agents.network import AGENT_KINDS, Network, TorchPolicy  # noqa: F401 (TorchPolicy: where callers find it)
from agents.kinds import CONV, PLANNER, REACTIVE
from agents.observation import ObservationSpec
from agents.conv import ConvNet
from agents.planner import Planner


class Policy(Network):
    """The reactive network: an MLP trunk shared by the actor (action logits) and the critic (value). Sharing the
    trunk halves the work per sample, which on a CPU is most of the cost of an update."""

    kind = "reactive"

    def __init__(self, obs_size: int, n_actions: int, hidden: int):
        super().__init__()
        self.n_actions = n_actions

        def layer(i, o, std=np.sqrt(2)):
            lin = nn.Linear(i, o)
            nn.init.orthogonal_(lin.weight, std)
            nn.init.zeros_(lin.bias)
            return lin

        self.trunk = nn.Sequential(layer(obs_size, hidden), nn.Tanh(), layer(hidden, hidden), nn.Tanh())
        self.actor = layer(hidden, n_actions, 0.01)
        self.critic = layer(hidden, 1, 1.0)

    def steerable(self) -> dict[str, nn.Module]:
        """The hidden layers (after their tanh), by name."""
        return {"hidden 1": self.trunk[1], "hidden 2": self.trunk[3]}

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(self.trunk(obs)).squeeze(-1)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self.actor(self.trunk(obs))

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(obs)
        return self.actor(h), self.critic(h).squeeze(-1)


def build_network(kind: str, spec: ObservationSpec, n_actions: int, hidden: int) -> Network:
    """A new network of an agent kind (one of AGENT_KINDS) for observations of `spec`."""
    if kind == PLANNER:
        return Planner(spec, n_actions)
    if kind == CONV:
        return ConvNet(spec, n_actions, hidden)
    if kind == REACTIVE:
        return Policy(spec.size, n_actions, hidden)
    raise ValueError(f"unknown agent kind {kind!r}: use one of {', '.join(AGENT_KINDS)}")


@dataclass(frozen=True)
class PolicySnapshot:
    """A frozen copy of the policy's weights at some step: safe to use on another thread."""

    weights: dict[str, torch.Tensor]
    obs_spec: ObservationSpec
    hidden: int
    actions: int
    steps: int
    update: int
    kind: str = "reactive"

    @classmethod
    def of(cls, policy: Network, obs_spec: ObservationSpec, hidden: int, steps: int, update: int) -> "PolicySnapshot":
        weights = {k: v.detach().clone() for k, v in policy.state_dict().items()}
        return cls(weights, obs_spec, hidden, int(policy.n_actions), steps, update, policy.kind)

    def __reduce__(self):
        # Pickled by value (numpy arrays), not the way torch pickles tensors between processes: torch shares their
        # memory and the receiver must fetch each file descriptor from a helper thread of the sender, which a worker
        # that has finished (or is exiting) can no longer answer, so its last snapshot could be lost or wait on it.
        arrays = {k: v.detach().cpu().numpy() for k, v in self.weights.items()}
        return _snapshot_from_arrays, (arrays, self.obs_spec, self.hidden, self.actions, self.steps, self.update,
                                       self.kind)

    def build(self) -> Network:
        policy = build_network(self.kind, self.obs_spec, self.actions, self.hidden)
        policy.load_state_dict(self.weights)
        policy.eval()
        return policy


def _snapshot_from_arrays(arrays: dict, *rest) -> PolicySnapshot:
    return PolicySnapshot({k: torch.from_numpy(v) for k, v in arrays.items()}, *rest)
