"""The convolutional agent: a reactive network whose inner layers are maps of the level, so that one can look inside.

Like the reactive MLP it maps what it sees to a move, with no search of its own. Unlike it, it sees the whole level
(the "full" observation) through stride-1 convolutions with same padding and no pooling, so each activation of a
convolutional layer belongs to one cell of the grid: channel k at (x, y) is what the network computed about cell
(x, y) and its surroundings. That is what steering needs (`agents.steering`): an activation difference between two
variants is a map one can add back, and a channel that lights up where the goal stands can be clamped at another
cell (Turner, Mini et al. 2023 did this to the IMPALA maze agent of Langosco et al. 2022).

After the convolutions, the last map is flattened with the scalars (time, where the agent is...) into a small MLP
trunk shared by the actor and the critic, like the reactive network's. It is made for grid worlds.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from agents.network import Network, level_planes
from agents.observation import ObservationSpec

WIDTHS = (16, 16, 8)  # channels of each convolution; the last is narrow because it is flattened whole


class ConvNet(Network):
    kind = "conv"

    def __init__(self, spec: ObservationSpec, n_actions: int, hidden: int):
        super().__init__()
        if spec.view != "full":
            raise ValueError("the convolutional agent sees the whole level: it needs the 'full' observation")
        self.spec, self.n_actions = spec, n_actions
        self.height, self.width, self.channels = spec.height, spec.width, len(spec.channels)
        self._grid = self.channels * self.height * self.width
        convs, before = [], self.channels
        for width in WIDTHS:
            conv = nn.Conv2d(before, width, 3, padding=1)
            nn.init.orthogonal_(conv.weight, np.sqrt(2))
            nn.init.zeros_(conv.bias)
            convs += [conv, nn.ReLU()]
            before = width
        self.convs = nn.Sequential(*convs)

        def layer(i, o, std=np.sqrt(2)):
            lin = nn.Linear(i, o)
            nn.init.orthogonal_(lin.weight, std)
            nn.init.zeros_(lin.bias)
            return lin
        flat = WIDTHS[-1] * self.height * self.width + len(spec.scalars)
        self.trunk = nn.Sequential(layer(flat, hidden), nn.Tanh())
        self.actor = layer(hidden, n_actions, 0.01)
        self.critic = layer(hidden, 1, 1.0)

    def steerable(self) -> dict[str, nn.Module]:
        """The layers whose output can be steered, by name: each convolution's (after its ReLU), maps of the grid."""
        return {f"conv {k + 1}": self.convs[2 * k + 1] for k in range(len(WIDTHS))}

    def _trunk(self, obs: torch.Tensor) -> torch.Tensor:
        maps = self.convs(level_planes(obs, self.spec))
        return self.trunk(torch.cat([maps.flatten(1), obs[:, self._grid:]], 1))

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self.actor(self._trunk(obs))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(self._trunk(obs)).squeeze(-1)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self._trunk(obs)
        return self.actor(h), self.critic(h).squeeze(-1)
