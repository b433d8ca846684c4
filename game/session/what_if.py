"""What if the goal were over there? Move the goal, any entity or the agent in a paused live world and ask the
agent's network what it would do now: the value map and arrows (game.session.maps), its next moves from where it
stands, and where it ends up from every start cell (the REINFORCEjs trick, live and for any level).

Everything here reads the live worlds as they are and is recomputed only when a world's layout or the agent
changes. No pygame: the lab screen draws what these return.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch

from agents.envs import LevelVecEnv
from agents.policy import Policy, TorchPolicy
from game.session.maps import value_and_policy_maps
from game.world.batch import current_variant
from game.world.variants import TILE_DEADLY, TILE_SOLID

AGENT = -1  # what a drag holds: the agent, or an entity's index in the level's entity list (without the agent)
MAX_WORLDS = 2048  # "where would it go?" plays at most this many episodes at once (a 96x96 level has 9,216 cells)
MAX_PHYSICS_WORLDS = 192  # pymunk worlds step one by one: fewer of them, one episode per start
TRAIL_MOVES = 16  # the trail of next moves: long enough to see where it heads, short enough for a drag's frame


def thing_at(worlds, i: int, cell) -> int | None:
    """What stands on `cell` in world `i`: AGENT, an entity's index (the last placed if several), or None."""
    x, y = int(cell[0]), int(cell[1])
    if tuple(int(c) for c in worlds.agent_cell[i]) == (x, y):
        return AGENT
    here = np.flatnonzero(worlds.alive[i] & (worlds.cells[i] == (x, y)).all(1))
    return int(here[-1]) if len(here) else None


def refusal(worlds, i: int, thing: int, cell) -> str | None:
    """Why `thing` cannot be put on `cell` in world `i`, in the player's words, or None when it can."""
    h, w = worlds.tiles.shape[1:]
    x, y = int(cell[0]), int(cell[1])
    if not (0 <= x < w and 0 <= y < h):
        return "That is outside the level."
    tile = worlds.tiles[i, y, x]
    if TILE_SOLID[tile]:
        return "A wall is there: things go on open floor."
    if TILE_DEADLY[tile]:
        return "That tile kills: things go on safe floor."
    other = thing_at(worlds, i, (x, y))
    if other is not None and other != thing:
        return "Something is already there."
    return None


def move(env: LevelVecEnv, i: int, thing: int, cell) -> None:
    """Put `thing` on `cell` in world `i` of `env` (ask `refusal` first). The episode goes on from there."""
    worlds = env.batch.worlds
    cell = (int(cell[0]), int(cell[1]))
    variant = current_variant(worlds, i, agent=cell if thing == AGENT else None)
    if thing != AGENT:
        variant.cells[thing] = cell
        variant.routes.pop(thing, None)  # a walker put somewhere else by hand stays there, off its route
        variant.ends.pop(thing, None)  # ... and its walk ends nowhere
    env.batch.edit(i, variant)
    env.obs_builder.on_load(np.array([i]))


def start_cells(worlds, i: int) -> np.ndarray:
    """(N, 2) cells (x, y) the agent could start on in world `i`: open, safe and with nothing on them."""
    tiles = worlds.tiles[i]
    free = ~(TILE_SOLID[tiles] | TILE_DEADLY[tiles])
    for x, y in worlds.cells[i][worlds.alive[i]]:
        free[y, x] = False
    ys, xs = np.nonzero(free)
    return np.stack([xs, ys], 1)


@dataclass(frozen=True)
class WorldCopy:
    """One live world at one moment, copied so that a background thread can play it while the live one goes on."""

    level: object
    split: str
    view: str
    radius: int
    variant: object  # game.world.variants.Variant: the layout, with the agent where it stands and what it holds
    t: int  # steps into the episode (the agent may read the time)

    @classmethod
    def of(cls, env: LevelVecEnv, i: int) -> "WorldCopy":
        worlds, spec = env.batch.worlds, env.obs_spec
        return cls(env.level, env.split, spec.view, spec.radius, current_variant(worlds, i), int(env.batch.book.t[i]))

    def probe(self, starts: list | None = None) -> tuple[LevelVecEnv, np.ndarray]:
        """A new env playing this world (with the agent moved to each of `starts`, one world each, if given)."""
        variants = [self.variant] if starts is None else [
            replace(self.variant, agent=(int(x), int(y))) for x, y in starts]
        env = LevelVecEnv(self.level, self.split, len(variants), view=self.view, radius=self.radius)
        return env, env.load(variants)


@torch.no_grad()
def next_moves(network: Policy, world: WorldCopy, steps: int) -> list[tuple[float, float]]:
    """The agent's most likely path from where it stands: its position after each of up to `steps` moves, always
    taking the move it prefers most, stopping where the episode would end."""
    probe, _ = world.probe()
    probe.batch.book.t[0] = world.t  # the agent reads the time left
    obs = probe.obs_builder.build()
    path = [tuple(float(v) for v in probe.batch.worlds.agent_pos[0])]
    policy = TorchPolicy(network, greedy=True)
    for _ in range(steps):
        obs, _, _, _, info = probe.step(policy(obs))
        if probe.reports:
            path.append(tuple(float(v) for v in info["final_agent_pos"][0]))
            break
        path.append(tuple(float(v) for v in probe.batch.worlds.agent_pos[0]))
    return path


@dataclass
class Destinations:
    """Where the agent's episodes end when it starts on each open cell of one layout."""

    starts: np.ndarray  # (N, 2) start cells (x, y)
    outcome: list[str]  # the most common way the episodes from each start ended
    agreement: np.ndarray  # (N,) the share of the episodes from that start that ended that way
    ends: np.ndarray  # (M, 2) the cells (x, y) where the episodes ended
    episodes: int


@torch.no_grad()
def where_it_goes(network: Policy, world: WorldCopy, samples: int = 4, seed: int = 0,
                  cancelled: Callable[[], bool] = lambda: False) -> Destinations | None:
    """Play an episode (or `samples` of them) of this world's layout from every start cell with the agent's own
    sampling; None if `cancelled` says stop first."""
    level = world.level
    probe_size = MAX_PHYSICS_WORLDS if level.world != "grid" else MAX_WORLDS
    layout, _ = world.probe()  # the layout in a world of its own, to find its open cells
    starts = start_cells(layout.batch.worlds, 0)
    if len(starts) > probe_size:  # a very large level: an even spread of starts
        starts = starts[np.linspace(0, len(starts) - 1, probe_size).astype(np.int64)]
    if len(starts) == 0:
        return Destinations(starts, [], np.zeros(0), np.zeros((0, 2), dtype=np.int64), 0)
    samples = 1 if level.world != "grid" else max(1, min(samples, probe_size // len(starts)))
    n = len(starts) * samples
    probe, obs = world.probe(np.repeat(starts, samples, axis=0))
    policy = TorchPolicy(network, seed=seed)
    outcome = np.full(n, "", dtype=object)
    ends = np.zeros((n, 2))
    for _ in range(probe.batch.book.length):
        if cancelled():
            return None
        obs, _, _, _, info = probe.step(policy(obs))
        for k, report in probe.reports:
            if not outcome[k]:
                outcome[k] = report.outcome
                ends[k] = np.floor(info["final_agent_pos"][k])
        if all(outcome):
            break
    common, agreement = [], np.zeros(len(starts))
    for s, row in enumerate(outcome.reshape(len(starts), samples)):
        names, counts = np.unique(row.astype(str), return_counts=True)
        common.append(str(names[counts.argmax()]))
        agreement[s] = counts.max() / samples
    return Destinations(starts, common, agreement, ends.astype(np.int64), n)


def layout_key(env: LevelVecEnv, i: int) -> bytes:
    """Everything about world `i` that the agent's choices depend on, except where the agent stands."""
    w = env.batch.worlds
    return b"|".join([env.split.encode(), w.tiles[i].tobytes(), w.cells[i].tobytes(), w.alive[i].tobytes(),
                      w.colors[i].tobytes(), int(w.keys[i]).to_bytes(4, "little")])


class WhatIf:
    """What the network says about the live worlds of one split: value and action maps, next moves, destinations.
    Each is cached per world and computed again only when the layout (or the agent, or its place) changes. The
    maps are one batched forward pass, computed at once; the next moves and the destinations play episodes, so
    they are worked out on background threads (from a copy of the world) and shown when ready: a drag never waits
    for them."""

    def __init__(self):
        # (what, world) -> (key, result). Keys hold the network itself: compared by identity, and kept alive.
        self._cache: dict[tuple, tuple] = {}
        self._workers = {what: ThreadPoolExecutor(max_workers=1, thread_name_prefix=what)
                         for what in ("path", "destinations")}
        self._pending: dict[tuple, tuple[tuple, Future]] = {}
        self._closed = False
        self.problem: str | None = None  # a background job failed: the screen says so once, then clears this

    def _cached(self, what: str, i: int, key: tuple, compute):
        """The result for this key, computed now if the one kept was for another key."""
        known = self._cache.get((what, i))
        if known is None or known[0] != key:
            known = (key, compute())
            self._cache[(what, i)] = known
        return known[1]

    def maps(self, network: Policy, env: LevelVecEnv, i: int):
        """(values, actions) with the agent on each free cell of world `i` (game.session.maps)."""
        spec = env.obs_spec
        return self._cached("maps", i, (network, layout_key(env, i)), lambda: value_and_policy_maps(
            network, env.level, env.batch.worlds, i, spec.view, spec.radius))

    def reward(self, network, env: LevelVecEnv, i: int) -> np.ndarray | None:
        """A planner's own reward on each cell of world `i` (NaN on walls), or None for a reactive network."""
        if not getattr(network, "readable_objective", False):
            return None

        @torch.no_grad()
        def compute():
            return network.open_reward_map(torch.from_numpy(env.obs_builder.build(np.array([i]))))[0].numpy()
        return self._cached("reward", i, (network, layout_key(env, i)), compute)

    def path(self, network: Policy, env: LevelVecEnv, i: int) -> list[tuple[float, float]] | None:
        """The agent's next moves in world `i` (`next_moves`), or None while they are being worked out."""
        key = (network, layout_key(env, i), env.batch.worlds.agent_pos[i].tobytes(), int(env.batch.book.t[i]))
        return self._background("path", i, key, lambda: (next_moves, network, WorldCopy.of(env, i), TRAIL_MOVES))

    def destinations(self, network: Policy, env: LevelVecEnv, i: int) -> Destinations | None:
        """Where the agent ends up from every start in world `i`'s layout, or None while it is being worked out."""
        return self._background("destinations", i, (network, layout_key(env, i)), lambda: (
            where_it_goes, network, WorldCopy.of(env, i), 4, 0, lambda: self._closed))

    def _background(self, what: str, i: int, key: tuple, job: Callable[[], tuple]):
        """For this key: the cached result, or the one its finished job left, or None while a job runs (one is
        started if none is). `job()` gives the function and its arguments, copied from the live world now."""
        known = self._cache.get((what, i))
        if known is not None and known[0] == key:
            return known[1]
        pending = self._pending.get((what, i))
        if pending is not None and pending[1].done():
            del self._pending[(what, i)]
            if pending[0] == key and not pending[1].cancelled():
                error = pending[1].exception()
                if error is not None:  # said once; the empty answer is kept, so it is not tried every frame
                    self.problem = f"{type(error).__name__}: {error}"
                result = pending[1].result() if error is None else None
                if error is not None or result is not None:
                    self._cache[(what, i)] = (key, result)
                    return result
            pending = None
        if pending is None and not self._closed:
            self._pending[(what, i)] = (key, self._workers[what].submit(*job()))
        return None

    def wait(self) -> None:
        """Block until everything asked for so far is worked out (tests and benchmarks)."""
        for _, job in list(self._pending.values()):
            job.exception()

    def close(self) -> None:
        self._closed = True
        for worker in self._workers.values():
            worker.shutdown(wait=False, cancel_futures=True)
