"""Steering an agent by its own activations, and retargeting it by one cell (Turner, Mini et al. 2023,
*Understanding and controlling a maze-solving policy network*).

* A **contrast** is two observations of one variant that differ in one thing: the intended goal's things there or
  removed ("goal"), the proxy's things there or removed ("proxy"), or the same draw of the level at training and at
  deployment ("split"). Its **vector** at a layer is the difference of the network's activations there.
* A **steered** network adds `coefficient x vector` to that layer's output on every forward pass, wherever the agent
  is: coefficient -1 on the goal's vector asks "what does it do once it stops seeing the goal?". The vector is one
  variant's, for every episode (`contrast_vector`), or each episode's own variant's, taken at its start
  (`contrast_vectors` for a measurement, `OwnVectors` for live worlds whose episodes start at different times:
  Turner et al.'s figures subtract each maze's own vector in that maze).
* A random vector of the same norm is the control: an effect a random push gives too is no effect of the contrast.
* **Retargeting** (the convolutional network, whose layers are maps of the level): the channels whose maps peak
  where the goal stands, ranked by how often they do across variants; one is clamped at a chosen cell to a multiple
  of its usual value on the goal.

A steered network is a copy of the agent's, and activations are read on a copy: the agent itself, used elsewhere at the
same time (the window plays it on another thread), is never touched, not even by a hook for one pass.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn as nn

from levels.format import Level

from agents.approach import condition_cells, distances, things_named
from agents.contrasts import CONTRASTS, removed_by
from agents.envs import LevelVecEnv
from agents.evaluation import evaluate
from agents.network import Network, TorchPolicy
from agents.problems import SteeringError
from game.world.variants import TILE_DEADLY, TILE_SOLID

MOVES = ((0, 0), (0, -1), (0, 1), (-1, 0), (1, 0))  # the grid's actions: stay, up, down, left, right
SEARCHED = 32  # variants searched for one in which a contrast changes what the agent sees
CLAMP_MULTIPLE = 20.0  # retargeting clamps a channel to this many times its usual value on what it tracks (5 moved
# nothing on green means go's convolutional agents; 20 retargeted them: docs/steering.md)


@dataclass(frozen=True)
class Steer:
    """What to do to one layer: add `coefficient x vector`, and/or clamp one channel at one cell (retarget)."""

    layer: str
    vector: torch.Tensor | None = None  # the layer's shape, without the batch dimension
    coefficient: float = 0.0
    clamp: tuple[int, int, int, float] | None = None  # (channel, x, y, value): conv layers only
    # `vector` holds one row per variant, (variants, ...) (`contrast_vectors`): row k is added in world k of
    # `measure`, which plays the same draws
    each: bool = False


def refusal(network: Network, level: Level) -> str | None:
    """Why this agent cannot be steered on this level, in words; None when it can."""
    if level.world != "grid":
        return "steering works on grid levels (this one is a physics level)"
    return None if network.steerable() else _not_steerable(network)


def _not_steerable(network: Network) -> str:
    return f"a {network.kind} agent cannot be steered: steer a reactive or convolutional one"


def middle_layer(network: Network) -> str:
    """The layer steered unless told otherwise: the middle one."""
    layers = list(network.steerable())
    return layers[(len(layers) - 1) // 2]


def layer_of(network: Network, layer: str) -> nn.Module:
    layers = network.steerable()
    if not layers:
        raise SteeringError(_not_steerable(network))
    if layer not in layers:
        raise SteeringError(f"no layer {layer!r} in this agent: use one of {', '.join(layers)}")
    return layers[layer]


def steered(network: Network, steer: Steer) -> Network:
    """A copy of `network` that runs with `steer` applied on every forward pass."""
    copied = copy.deepcopy(network)
    module = layer_of(copied, steer.layer)
    push = None if steer.vector is None or steer.coefficient == 0 else steer.coefficient * steer.vector.detach()

    def hook(_module, _inputs, output):
        if push is not None:  # (one per variant: the first rows, as many as the batch holds)
            output = output + (push[:output.shape[0]] if steer.each else push)
        return clamped(output, steer.clamp)
    module.register_forward_hook(hook)
    copied.eval()
    return copied


def clamped(output: torch.Tensor, clamp: tuple[int, int, int, float] | None) -> torch.Tensor:
    """A map layer's output with one channel set at one cell (retargeting), or as it was."""
    if clamp is None:
        return output
    channel, x, y, value = clamp
    output = output.clone()
    output[:, channel, y, x] = value
    return output


@torch.no_grad()
def activations(network: Network, layer: str, obs: np.ndarray) -> torch.Tensor:
    """(B, ...) the output of `layer` for observations `obs` (B, size). Read on a private copy: the network is
    shared (the window plays it while a measurement runs in the background), and a hook on it would also catch
    another thread's pass, whose batch it would return."""
    private = copy.deepcopy(network)
    seen = []
    layer_of(private, layer).register_forward_hook(lambda _m, _i, out: seen.append(out.detach().clone()))
    private(torch.from_numpy(obs))
    return seen[0]


def contrast_pairs(level: Level, contrast: str, seed: int, n: int, view: str, radius: int):
    """(observations with, observations without) of `n` variants drawn with `seed`, both (n, size), and the variants
    (deployment's; training's too for "split"). Raises SteeringError where the level has no such contrast."""
    if contrast not in CONTRASTS:
        raise SteeringError(f"unknown contrast {contrast!r}: use one of {', '.join(CONTRASTS)}")
    env = LevelVecEnv(level, "deployment", n, seed=seed, view=view, radius=radius)
    env.reset(seed=seed)
    variants = list(env.batch.variants)
    if contrast == "split":
        trained = LevelVecEnv(level, "training", n, seed=seed, view=view, radius=radius)
        trained.reset(seed=seed)
        return trained.load(list(trained.batch.variants)), env.load(variants), variants
    return (*pair_observations(level, contrast, env, variants), variants)


def pair_observations(level: Level, contrast: str, env: LevelVecEnv, variants: list) -> tuple[np.ndarray, np.ndarray]:
    """(observations with, observations without) the "goal" or "proxy" contrast's things, of `variants` (one per
    world of `env`)."""
    condition = removed_by(level, contrast)
    if condition is None:
        what = "the intended goal is not" if contrast == "goal" else "no proxy of this level is"
        raise SteeringError(f"{what} made of things that can be removed ({CONTRASTS[contrast]}): choose another "
                            "contrast")
    entities = env.batch.table.entities
    removed = [replace(v, present=v.present & ~things_named(entities, [condition.what], v.colors[None])[0, 0])
               for v in variants]
    return env.load(variants), env.load(removed)


def contrast_vector(network: Network, level: Level, contrast: str, layer: str, seed: int, view: str,
                    radius: int) -> torch.Tensor:
    """The activation difference (with minus without) at `layer` in one variant, as Turner et al. took one maze: the
    first of `seed`'s draws in which the contrast changes what the agent sees (an egocentric agent may not see the
    goal from where it starts)."""
    with_, without, _ = contrast_pairs(level, contrast, seed, SEARCHED, view, radius)
    seen = np.nonzero((with_ != without).any(1))[0]
    if not len(seen):
        raise SteeringError(f"in none of {SEARCHED} variants does {CONTRASTS[contrast]} change what this agent sees "
                            "(it may be out of its view): there is no difference to add")
    k = int(seen[0])
    return (activations(network, layer, with_[k:k + 1]) - activations(network, layer, without[k:k + 1]))[0]


def contrast_vectors(network: Network, level: Level, contrast: str, layer: str, seed: int, n: int, view: str,
                     radius: int) -> torch.Tensor:
    """(n, ...): each of the `n` deployment variants drawn with `seed` its own activation difference at `layer`, from
    the observation its episode starts with; row k belongs to world k of `measure(..., episodes=n, seed=seed)`, which
    plays the same draws. A variant in which the contrast changes nothing gets a zero row."""
    with_, without, _ = contrast_pairs(level, contrast, seed, n, view, radius)
    return activations(network, layer, with_) - activations(network, layer, without)


class OwnVectors:
    """Each world's own vector, played live: the contrast's activation difference in the variant the world's episode
    started from, taken at its start (Turner et al. subtract each maze's own vector in that maze; a vector from one
    variant may not fit another). `network` is the steered copy: it adds `coefficient` x row k of `rows` to world k of
    a batch. Call `refresh(variants)` before each decision, with the batch's variants: a world whose episode started
    again (or whose level a player edited) gets its new variant's row. `random_seed`: each row a random direction of
    its own norm instead (the control)."""

    def __init__(self, network: Network, level: Level, contrast: str, layer: str, coefficient: float, variants: list,
                 view: str, radius: int, random_seed: int | None = None,
                 clamp: tuple[int, int, int, float] | None = None):
        if contrast not in CONTRASTS or contrast == "split" or removed_by(level, contrast) is None:
            raise SteeringError("each episode's own vector removes something from the episode's own level: choose "
                                "a contrast of things there vs removed")
        self.base, self.level, self.contrast, self.layer = network, level, contrast, layer
        self.coefficient, self.clamp, self.view, self.radius = coefficient, clamp, view, radius
        self._random = None if random_seed is None else torch.Generator().manual_seed(random_seed)
        self._known: dict[int, tuple[object, torch.Tensor]] = {}  # id(variant) -> (variant, its row)
        self._probe: LevelVecEnv | None = None
        self._copies: dict[int, tuple[object, Network]] = {}  # id(variant) -> (variant, the copy steered by its row)
        self.rows = torch.stack([self.row(v) for v in variants])
        self.network = copy.deepcopy(network)
        layer_of(self.network, layer).register_forward_hook(self._push)
        self.network.eval()

    def _push(self, _module, _inputs, output):
        # The rows are read at every pass (`refresh` replaces them); a batch of other worlds would get wrong rows,
        # which is why one world is explained by `network_for` and not by this copy.
        return clamped(output + self.coefficient * self.rows[:output.shape[0]], self.clamp)

    def network_for(self, variant) -> Network:
        """A copy steered by `variant`'s own vector alone, to explain the world that plays it (its arrows, where it
        would go from each cell)."""
        known = self._copies.get(id(variant))
        if known is None or known[0] is not variant:
            known = (variant, steered(self.base, Steer(self.layer, self.row(variant), self.coefficient, self.clamp)))
            self._copies[id(variant)] = known
        return known[1]

    def row(self, variant) -> torch.Tensor:
        """One variant's vector (the random control's, with `random_seed`)."""
        known = self._known.get(id(variant))
        if known is None or known[0] is not variant:
            if self._probe is None:  # only observations are built: no episode is played in it
                self._probe = LevelVecEnv(self.level, "deployment", 1, seed=0, view=self.view, radius=self.radius)
            with_, without = pair_observations(self.level, self.contrast, self._probe, [variant])
            row = (activations(self.base, self.layer, with_) - activations(self.base, self.layer, without))[0]
            if self._random is not None:
                noise = torch.randn(row.shape, generator=self._random)
                row = noise * (row.norm() / noise.norm().clamp(min=1e-12))
            known = (variant, row)
            self._known[id(variant)] = known
        return known[1]

    def refresh(self, variants: list) -> None:
        """Each world's row for the variant it plays now (computed once per variant)."""
        self.rows = torch.stack([self.row(v) for v in variants])
        here = {id(v) for v in variants}  # variants no world plays any more are forgotten
        self._known = {k: v for k, v in self._known.items() if k in here}
        self._copies = {k: v for k, v in self._copies.items() if k in here}


def random_like(vector: torch.Tensor, seed: int, each: bool = False) -> torch.Tensor:
    """A random direction with the norm of `vector`: the control. `each`: one per row of a (variants, ...) vector,
    each with its row's norm."""
    noise = torch.randn(vector.shape, generator=torch.Generator().manual_seed(seed))
    if not each:
        return noise * (vector.norm() / noise.norm().clamp(min=1e-12))
    shape = (len(vector),) + (1,) * (vector.dim() - 1)
    return noise * (vector.flatten(1).norm(dim=1) / noise.flatten(1).norm(dim=1).clamp(min=1e-12)).reshape(shape)


# --- measuring --------------------------------------------------------------------------------------------------

def decision_cells(level: Level, env: LevelVecEnv) -> tuple[np.ndarray, np.ndarray]:
    """Per world of `env` (just loaded): the cell where the way to the intended goal parts from the way to the proxy,
    and (worlds, 5) which moves from there shorten the way to the goal. From the start, follow moves that shorten
    both ways while there are any; the decision cell is where none is left (the start, when the level has no proxy
    whose cells can be measured)."""
    worlds = env.batch.worlds
    n, (h, w) = env.num_envs, worlds.tiles.shape[1:]
    free = ~(TILE_SOLID[worlds.tiles] | TILE_DEADLY[worlds.tiles])
    goal = condition_cells(level, level.intended_goal, worlds)
    proxy = next((t for t in (condition_cells(level, p.condition, worlds) for p in level.proxies) if t is not None), None)
    to_goal = distances(free, goal[:, None])[:, 0] if goal is not None else np.full((n, h, w), np.inf)
    to_proxy = distances(free, proxy[:, None])[:, 0] if proxy is not None else None
    cells = np.array(worlds.agent, dtype=np.int64).reshape(n, 2).copy()
    toward = np.zeros((n, len(MOVES)), dtype=bool)
    for i in range(n):
        x, y = cells[i]
        while to_proxy is not None and to_goal[i, y, x] > 1:
            shared = [m for m, s in zip(MOVES, _toward(to_goal[i], x, y)) if s and _shorter(to_proxy[i], x, y, m)]
            if not shared:
                break
            x, y = x + shared[0][0], y + shared[0][1]
        cells[i] = (x, y)
        toward[i] = _toward(to_goal[i], x, y)
    return cells, toward


@torch.no_grad()
def decision_probability(network: Network, level: Level, seed: int, n: int, view: str, radius: int) -> float | None:
    """Over `n` deployment variants: the probability the network gives to the moves toward the intended goal at the
    decision cell (where the ways to the goal and the proxy part), with the agent placed there. None when the goal
    cannot be measured (no way to it)."""
    env = LevelVecEnv(level, "deployment", n, seed=seed, view=view, radius=radius)
    env.reset(seed=seed)
    variants = list(env.batch.variants)
    cells, toward = decision_cells(level, env)
    keep = toward.any(1)
    if not keep.any():
        return None
    obs = env.load([replace(v, agent=(int(c[0]), int(c[1]))) for v, c in zip(variants, cells)])
    probs = torch.softmax(network.logits(torch.from_numpy(obs)), -1).numpy()
    return float((probs * toward)[keep].sum(1).mean())


def _shorter(d: np.ndarray, x: int, y: int, move) -> bool:
    nx, ny = x + move[0], y + move[1]
    return 0 <= ny < d.shape[0] and 0 <= nx < d.shape[1] and d[ny, nx] < d[y, x]


def _toward(d: np.ndarray, x: int, y: int) -> list[bool]:
    return [m != (0, 0) and np.isfinite(d[y, x]) and _shorter(d, x, y, m) for m in MOVES]


def goal_channels(network: Network, level: Level, layer: str, seed: int, view: str, radius: int,
                  n: int = 64, tracked: str = "goal") -> list[tuple[int, float, float]]:
    """Channels of a map layer ranked by how well they track the cell of the intended goal (`tracked="goal"`) or of
    the proxy's thing ("proxy"): (channel, the share of `n` deployment variants in which its map peaks on it or
    next to it, its mean value on that cell)."""
    with_, _, _ = contrast_pairs(level, tracked, seed, n, view, radius)
    maps = activations(network, layer, with_)
    if maps.dim() != 4:
        raise SteeringError(f"the layer {layer!r} is not a map of the level: retarget a convolutional agent")
    env = LevelVecEnv(level, "deployment", n, seed=seed, view=view, radius=radius)
    env.reset(seed=seed)
    goal = condition_cells(level, removed_by(level, tracked), env.batch.worlds)
    if goal is None:
        raise SteeringError(f"the {'intended goal' if tracked == 'goal' else 'proxy'} has no cell to track")
    width = maps.shape[-1]
    there = np.nonzero(goal.any((1, 2)))[0]  # the variants where it is (a spawn may leave it out)
    gy, gx = np.array([np.argwhere(goal[k])[0] for k in there]).T  # each variant's first cell of it
    peak = maps[there].flatten(2).argmax(-1).numpy()  # (variants, C)
    near = (np.abs(peak // width - gy[:, None]) <= 1) & (np.abs(peak % width - gx[:, None]) <= 1)
    on_goal = maps[there, :, gy, gx].numpy()  # (variants, C)
    ranked = sorted(range(maps.shape[1]), key=lambda c: (-near[:, c].mean(), -on_goal[:, c].mean()))
    return [(c, float(near[:, c].mean()), float(on_goal[:, c].mean())) for c in ranked]


def measure(network: Network, level: Level, steer: Steer, episodes: int, seed: int, view: str, radius: int,
            target: tuple[int, int] | None = None, after_only: bool = False) -> dict:
    """The agent before and after steering, on the same deployment variants and seeds: outcome shares and the
    decision-cell probability; with `target`, the share of episodes ending on that cell after steering
    ("ended_at_target") and before ("ended_at_target_before"). A vector of one row per variant needs a row for each
    of the `episodes`. `after_only`: the steered agent alone (its "before" was measured already, on the same
    variants)."""
    if steer.each and steer.vector is not None and len(steer.vector) < episodes:
        raise SteeringError(f"{len(steer.vector)} variants' vectors for {episodes} episodes: one per episode")
    report = {}
    runs = [] if after_only else [("before", network)]
    for name, net in runs + [("after", steered(network, steer))]:
        ended = []

        def on_step(worlds, actions, before, after, done, active):
            ended.extend(tuple(after[i]) for i in done if active[i])
        # Every episode starts at once, so both runs play the same variants.
        result = evaluate(TorchPolicy(net, seed=seed), level, "deployment", episodes, seed=seed, num_envs=episodes,
                          record=0, view=view, radius=radius, on_step=on_step if target is not None else None)
        report[name] = {"shares": {k: round(v / max(result.episodes, 1), 4) for k, v in result.outcomes.items()},
                        "decision_prob": _rounded(decision_probability(net, level, seed, min(episodes, 100), view,
                                                                       radius))}
        if target is not None:
            at = round(sum(c == tuple(target) for c in ended) / max(len(ended), 1), 4)
            report["ended_at_target" if name == "after" else "ended_at_target_before"] = at
    report.setdefault("ended_at_target", None)
    report.setdefault("ended_at_target_before", None)
    return report


def _rounded(p: float | None) -> float | None:
    return None if p is None else round(p, 4)
