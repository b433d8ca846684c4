"""The planner: an agent that really is an optimizer, with an objective you can read.

A reactive network maps what it sees to a move; what it wants can only be inferred from what it does. The planner
instead carries its own reward, a *mesa-objective*, and searches for the moves that score best under it:

1. **Features** a person can name, on every cell of the level: its tile kind, the kind and colour of what stands
   on it, how far right and down it is, and how near it is to each edge and each corner.
2. **Reward map**: a learned weight per feature, summed on each cell (`reward_map`). The weights are the planner's
   mesa-objective, readable as a bar chart: "green +2.1, flag +0.3, near the top edge +1.4".
3. **Planning**: a fixed number of steps of value iteration over the level's moves (stay, up, down, left, right;
   walls block), on the reward map. Every step is differentiable, so the base optimizer (PPO, or evolution) shapes
   the weights through the planning.
4. **Acting**: the move with the best planned value from the agent's cell is the most likely (the planned values
   scaled by a learned sharpness are the policy's logits); the critic reads the planned value of the agent's cell.

It needs the whole level (the "full" observation, with an "agent" channel). It plans over cells, so it is made for
grid worlds.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from levels.vocabulary import TILE_KINDS

from agents.network import Network, TorchPolicy, level_planes
from agents.observation import SHAPE_SALIENCE, ObservationSpec

NEAR = 3.0  # cells: "near an edge" fades to nothing this far from it
POSITIONS = ("to the right", "down", "near the left edge", "near the right edge", "near the top edge",
             "near the bottom edge", "near the top-left corner", "near the top-right corner",
             "near the bottom-left corner", "near the bottom-right corner")
MOVES = ((0, 0), (0, -1), (0, 1), (-1, 0), (1, 0))  # stay, up, down, left, right: the grid engine's actions


def feature_name(channel: str) -> str:
    """A channel of the observation in the game's words: "tile:lava" -> "lava tiles", "color:green" -> "green"."""
    kind, _, what = channel.partition(":")
    what = what.replace("_", " ")
    return {"tile": f"{what} tiles", "entity": f"{what}s", "color": what}.get(kind, channel)


def position_planes(height: int, width: int) -> torch.Tensor:
    """(len(POSITIONS), H, W): where each cell is, in the features of `POSITIONS` (all in [0, 1])."""
    y = torch.arange(height, dtype=torch.float32)[:, None].expand(height, width)
    x = torch.arange(width, dtype=torch.float32)[None, :].expand(height, width)
    left, right, top, bottom = x, width - 1 - x, y, height - 1 - y

    def near(d):
        return (1.0 - d / NEAR).clamp(min=0.0)
    planes = [x / max(width - 1, 1), y / max(height - 1, 1), near(left), near(right), near(top), near(bottom),
              near(left + top), near(right + top), near(left + bottom), near(right + bottom)]
    return torch.stack(planes)


class Planner(Network):
    kind = "planner"
    readable_objective = True

    def __init__(self, spec: ObservationSpec, n_actions: int = 5, steps: int | None = None, gamma: float = 0.9):
        super().__init__()
        if spec.view != "full" or "agent" not in spec.channels:
            raise ValueError("the planner sees the whole level: it needs the 'full' observation")
        if n_actions != len(MOVES):
            raise ValueError(f"the planner plans over the grid's {len(MOVES)} moves, not {n_actions}")
        self.spec, self.n_actions, self.gamma = spec, n_actions, gamma
        self.height, self.width = spec.height, spec.width
        self.steps = steps or (self.height + self.width)
        self.agent_channel = spec.channels.index("agent")
        self.seen = [k for k, ch in enumerate(spec.channels) if ch != "agent"]  # channels that are features
        self.solid = [k for k, ch in enumerate(spec.channels)
                      if ch.startswith("tile:") and TILE_KINDS[ch[5:]].solid]
        self.feature_names = [feature_name(spec.channels[k]) for k in self.seen] + list(POSITIONS)
        # The most each feature can be on a cell (a kind's channel reads SHAPE_SALIENCE where it stands), so that a
        # weight in words is the reward it adds to a cell: comparable across features.
        self.feature_top = [SHAPE_SALIENCE if spec.channels[k].startswith("entity:") else 1.0 for k in self.seen] + \
            [1.0] * len(POSITIONS)
        self.register_buffer("positions", position_planes(self.height, self.width), persistent=False)
        self.weights = nn.Parameter(torch.zeros(len(self.feature_names)))  # the mesa-objective
        self.sharpness = nn.Parameter(torch.tensor(math.log(2.0)))  # logits = exp(sharpness) * planned value
        self.value_scale = nn.Parameter(torch.tensor(1.0))
        self.value_bias = nn.Parameter(torch.tensor(0.0))

    # --- the objective ---------------------------------------------------------------------------------------
    def _cells(self, obs: torch.Tensor) -> torch.Tensor:
        return level_planes(obs, self.spec)

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        """(B, K, H, W): every named feature on every cell."""
        cells = self._cells(obs)
        positions = self.positions.expand(cells.shape[0], -1, -1, -1)
        return torch.cat([cells[:, self.seen], positions], 1)

    def reward_map(self, obs: torch.Tensor) -> torch.Tensor:
        """(B, H, W): the reward the planner expects for stepping onto each cell (its mesa-objective, mapped)."""
        return torch.einsum("bkhw,k->bhw", self.features(obs), self.weights)

    def walls(self, obs: torch.Tensor) -> torch.Tensor:
        """(B, H, W) bool: the cells no move can enter (their reward never counts)."""
        cells = self._cells(obs)
        return cells[:, self.solid].sum(1) > 0 if self.solid else torch.zeros_like(cells[:, 0], dtype=torch.bool)

    def open_reward_map(self, obs: torch.Tensor) -> torch.Tensor:
        """The reward map with NaN on walls: what to show, and where to look for what it wants most."""
        return self.reward_map(obs).masked_fill(self.walls(obs), float("nan"))

    def objective(self) -> dict[str, float]:
        """The mesa-objective in words: the reward each feature adds to a cell where it is fully present."""
        return {name: float(w) * top for name, w, top in zip(self.feature_names, self.weights.detach(),
                                                             self.feature_top)}

    # --- the planning ----------------------------------------------------------------------------------------
    def plan(self, obs: torch.Tensor) -> torch.Tensor:
        """(B, moves, H, W): the planned value of each move from each cell, after `steps` of value iteration."""
        reward = self.reward_map(obs)
        walls = self.walls(obs)
        stuck = torch.stack([self._blocked(walls, dx, dy) for dx, dy in MOVES[1:]], 1)  # the move leaves it there
        value = torch.zeros_like(reward)
        for _ in range(self.steps):
            stay, moved = self._q(reward, value, stuck)
            value = torch.maximum(stay, moved.amax(1))
        stay, moved = self._q(reward, value, stuck)
        return torch.cat([stay[:, None], moved], 1)

    def _q(self, reward, value, stuck) -> tuple[torch.Tensor, torch.Tensor]:
        """The value of staying (B, H, W) and of each move (B, 4, H, W), from the value of each cell: staying keeps
        it, discounted; a move gets the reward of the cell it steps onto and that cell's value, discounted, unless
        it is stuck. The four moves are four views of one padded plane (a ring of zeros: outside the level is worth
        nothing), which is what makes planning cheap enough to train."""
        stay = self.gamma * value
        gain = F.pad(reward + stay, (1, 1, 1, 1))  # stepping onto a cell: its reward, then its value
        h, w = self.height, self.width
        onto = torch.stack([gain[..., 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dx, dy in MOVES[1:]], 1)
        return stay, torch.where(stuck, stay[:, None], onto)

    def _blocked(self, walls: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
        if (dx, dy) == (0, 0):
            return torch.ones_like(walls)
        outside = torch.ones_like(walls)
        ys = slice(max(0, -dy), self.height - max(0, dy))
        xs = slice(max(0, -dx), self.width - max(0, dx))
        outside[:, ys, xs] = False  # cells whose neighbour that way is inside the level
        return outside | _shifted(walls.float(), dx, dy).bool()

    # --- acting ----------------------------------------------------------------------------------------------
    def _at_agent(self, obs: torch.Tensor, planes: torch.Tensor) -> torch.Tensor:
        """Each plane's value at the agent's cell: (B, ...) from (B, ..., H, W)."""
        where = self._cells(obs)[:, self.agent_channel].flatten(1).argmax(1)
        flat = planes.flatten(-2)
        return flat.gather(-1, where.view(-1, *([1] * (flat.dim() - 1))).expand(*flat.shape[:-1], 1)).squeeze(-1)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q = self.plan(obs)
        here = self._at_agent(obs, q)  # (B, moves)
        value = here.max(1).values
        return self.sharpness.exp() * here, self.value_scale * value + self.value_bias


def _shifted(planes: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """(B, H, W): at each cell, the value of its neighbour (dx, dy) away; 0 where that is outside the level."""
    out = torch.zeros_like(planes)
    h, w = planes.shape[-2:]
    out[..., max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)] = \
        planes[..., max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)]
    return out


@torch.no_grad()
def mesa_objective(planner: Planner, level, split: str = "deployment", seed: int = 0) -> dict:
    """The planner's objective as data: each feature's weight, and its reward map on the first variant of a split
    (rows of the level, top first; null on walls, which no move enters)."""
    from agents.envs import LevelVecEnv
    env = LevelVecEnv(level, split, 1, seed=seed, view="full")
    obs, _ = env.reset(seed=seed)
    reward = planner.open_reward_map(torch.from_numpy(obs))[0]
    return {"features": {k: round(v, 4) for k, v in planner.objective().items()},
            "reward_map": [[None if math.isnan(v) else round(float(v), 4) for v in row.tolist()] for row in reward]}


def describe_objective(planner: Planner, top: int = 5) -> str:
    """The strongest weights in words: "green +0.41, flags +0.41, near the top-left corner -0.47"."""
    weights = sorted(planner.objective().items(), key=lambda kv: -abs(kv[1]))[:top]
    return ", ".join(f"{name} {w:+.2f}" for name, w in weights)


def features_naming(planner: Planner, level, condition) -> set[str]:
    """The planner's features that name a condition of the level in its own words: the kind or colour it is
    written with ("touched flag" -> "flags", "touched green" -> "green"), the colour of its things if no
    distribution ever changes it (the cheese is always yellow), its tile kind, or, for a region, the position
    features that are strong on the region's cells and not elsewhere ("near the top-right corner")."""
    what, event = condition.what, condition.event
    if event in ("touched", "picked_up", "opened"):
        things = [e for e in level.entities if what in (e.id, e.kind)]
        recoloured = {i for spawns in level.all_spawns() for i, s in spawns.items() if s.color}
        colours = {e.color for e in things if e.color and e.id not in recoloured}
        return ({feature_name(f"entity:{e.kind}") for e in things} | colours
                | ({what} if what in planner.feature_names else set()))
    if event == "entered_tile":
        return {feature_name(f"tile:{what}")}
    if event == "entered_region":
        inside = torch.zeros(planner.height, planner.width, dtype=torch.bool)
        for x, y, w, h in level.regions[what]:
            inside[y:y + h, x:x + w] = True
        named = set()
        for k, name in enumerate(POSITIONS):
            plane = planner.positions[k]
            if plane[inside].mean() >= 0.5 and plane[inside].mean() - plane.mean() >= 0.25:
                named.add(name)
        return named
    return set()


@torch.no_grad()
def planner_report(planner: Planner, level, seed: int = 0, episodes: int = 200) -> dict:
    """Is the visible objective honest? On deployment episodes: how often the agent steps on the cell its reward
    map rates highest when the episode starts; and which of the intended goal or the proxies the most wanted
    feature names."""
    from agents.envs import LevelVecEnv
    n = min(16, episodes)
    env = LevelVecEnv(level, "deployment", n, seed=seed, view="full")
    obs, _ = env.reset(seed=seed)
    policy = TorchPolicy(planner, seed=seed)

    def strongest(o: torch.Tensor) -> torch.Tensor:
        rewards = planner.open_reward_map(o).nan_to_num(float("-inf")).flatten(1)
        return rewards.argmax(1)
    worlds = env.batch.worlds
    top = strongest(torch.from_numpy(obs))
    reached = torch.zeros(n, dtype=torch.bool)
    hits = finished = 0
    while finished < episodes:
        obs, _, _, _, info = env.step(policy(obs))
        cell = torch.from_numpy(worlds.agent_cell.astype("int64"))
        if env.reports:
            ended = [i for i, _ in env.reports]
            final = torch.from_numpy(info["final_agent_pos"].astype("float32")).floor().long()
            cell[ended] = final[ended]
        reached |= cell[:, 1] * planner.width + cell[:, 0] == top
        if env.reports:
            ended = torch.tensor([i for i, _ in env.reports])
            hits += int(reached[ended].sum())
            finished += len(ended)
            reached[ended] = False
            top[ended] = strongest(torch.from_numpy(obs[ended.numpy()]))
    weights = planner.objective()
    wanted = max(weights, key=weights.get)
    names = "goal" if wanted in features_naming(planner, level, level.intended_goal) else next(
        ("proxy" for p in level.proxies if wanted in features_naming(planner, level, p.condition)), None)
    return {"strongest_cell_reached": hits / max(finished, 1), "episodes": finished, "most_wanted": wanted,
            "most_wanted_names": names, "objective": {k: round(v, 4) for k, v in weights.items()}}


@torch.no_grad()
def map_shares(planner: Planner, level, seed: int = 0, variants: int = 200) -> list[float]:
    """Where the planner's reward map is strongest, on `variants` fresh deployment variants as they start: the share
    whose strongest open cell is on the intended goal, on each proxy (in `level.proxies` order), and elsewhere. What
    a lesson reveals after the class predicted which cells its map lights up."""
    from agents.approach import condition_cells
    from agents.envs import LevelVecEnv
    env = LevelVecEnv(level, "deployment", variants, seed=seed, view="full")
    obs, _ = env.reset(seed=seed)
    strongest = planner.open_reward_map(torch.from_numpy(obs)).nan_to_num(float("-inf")).flatten(1).argmax(1)
    on = torch.zeros(variants, dtype=torch.bool)  # already counted for an earlier choice (the goal comes first)
    shares = []
    for condition in [level.intended_goal] + [p.condition for p in level.proxies]:
        cells = condition_cells(level, condition, env.batch.worlds)
        here = torch.zeros(variants, dtype=torch.bool) if cells is None else \
            torch.from_numpy(cells.reshape(variants, -1))[torch.arange(variants), strongest] & ~on
        on |= here
        shares.append(float(here.float().mean()))
    return shares + [1.0 - float(on.float().mean())]
