"""Environments the learner trains on: a Gymnasium `Env` and a fast vector env over one split of a level.

    env = gymnasium.make("MesaSandbox/CoinAtTheEnd-v0", split="deployment")
    envs = LevelVecEnv(level, "training", num_envs=64, seed=0)

Actions (Discrete(5)): stay, up, down, left, right. In a side-view level "up" jumps. Observations: see
`agents.observation`. `info` carries the step's events and, when an episode ends, its outcome.
"""
from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv

from levels.builtin_levels import builtin_names, named_level
from levels.format import Level
from levels.vocabulary import OUTCOMES

from agents.observation import DEFAULT_RADIUS, ObservationBuilder, ObservationSpec
from game.world import ACTIONS, WorldBatch
from game.world.events import EpisodeReport

SPLITS = ("training", "deployment")


def resolve_level(level: Level | str) -> Level:
    """A `Level`, a built-in name ("coin_at_the_end") or a path to a level file."""
    return level if isinstance(level, Level) else named_level(level)


def report_dict(report: EpisodeReport) -> dict:
    return {"outcome": report.outcome, "length": report.length, "base_return": report.base_return,
            "goal_step": report.goal_step, "proxy_steps": dict(report.proxy_steps), "first": report.first,
            "proxy": report.proxy}


class LevelVecEnv(VectorEnv):
    """`num_envs` worlds of one split stepped together; episodes restart in the same step they end.

    `infos` holds arrays over the worlds: "events" (num_envs, columns), "outcome" (index into
    `levels.vocabulary.OUTCOMES`, -1 where no episode ended), "episode_return", "episode_length", and for the
    worlds whose episode ended, "final_obs" (with the mask "_final_obs").
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}

    def __init__(self, level: Level | str, split: str = "training", num_envs: int = 64, seed: int | None = None,
                 view: str = "egocentric", radius: int = DEFAULT_RADIUS, observe: bool = True, watch: tuple = ()):
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}: use 'training' or 'deployment'")
        self.level = resolve_level(level)
        self.split = split
        self.num_envs = num_envs
        self.batch = WorldBatch(self.level, split, num_envs, seed, autoreset=False, watch=watch)
        self.obs_spec = ObservationSpec.for_level(self.level, view, radius)
        self.obs_builder = ObservationBuilder(self.obs_spec, self.level, self.batch.worlds, self.batch.book)
        self.single_observation_space = spaces.Box(-1.0, 1.0, (self.obs_spec.size,), np.float32)
        self.single_action_space = spaces.Discrete(len(ACTIONS))
        self.observation_space = spaces.Box(-1.0, 1.0, (num_envs, self.obs_spec.size), np.float32)
        self.action_space = spaces.MultiDiscrete(np.full(num_envs, len(ACTIONS)))
        self.reports: list[tuple[int, EpisodeReport]] = []  # the episodes that ended in the last step
        # observe=False: a player that reads the worlds, not observations (a random walker, a device, a script)
        # gets zeros, and the worlds step without building any
        self.observe = observe
        self._blank = None if observe else np.zeros((num_envs, self.obs_spec.size), dtype=np.float32)
        # An evaluation counts a fixed number of episodes: `fresh_left` is how many more may start (None: no end).
        # Once none may, a world whose episode ends is `idle`: it plays the variant it just played again instead of
        # drawing a new one (drawing costs more than stepping), and nobody counts its episodes.
        self.fresh_left: int | None = None
        self.idle = np.zeros(num_envs, dtype=bool)

    def _observations(self, idx=None) -> np.ndarray:
        if not self.observe:
            return self._blank if idx is None else self._blank[:len(idx)]
        return self.obs_builder.build() if idx is None else self.obs_builder.build(idx)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        if seed is not None:
            self.batch.seed(seed)
        self.idle[:] = False
        self.fresh_left = None
        self.batch.reset()
        self.obs_builder.on_load(np.arange(self.num_envs))
        return self._observations(), {}

    def load(self, variants: list) -> np.ndarray:
        """Start each world's episode from a given variant (one per world) instead of a sampled one, to ask "what
        would the agent do from here?". Returns the observations."""
        idx = np.arange(self.num_envs)
        self.batch.load(idx, variants)
        self.obs_builder.on_load(idx)
        return self.obs_builder.build()

    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        result = self.batch.step(np.asarray(actions))
        ended = np.array([i for i, _ in result.finished], dtype=np.int64)
        self.reports = result.finished
        infos: dict[str, Any] = {"events": result.events}
        if len(ended):
            outcome = np.full(self.num_envs, -1, dtype=np.int8)
            episode_return = np.zeros(self.num_envs, dtype=np.float32)
            episode_length = np.zeros(self.num_envs, dtype=np.int32)
            for i, report in result.finished:
                outcome[i] = OUTCOMES.index(report.outcome)
                episode_return[i] = report.base_return
                episode_length[i] = report.length
            final_obs = np.zeros((self.num_envs, self.obs_spec.size), dtype=np.float32)
            final_obs[ended] = self._observations(ended)
            mask = np.zeros(self.num_envs, dtype=bool)
            mask[ended] = True
            final_agent_pos = self.batch.worlds.agent_pos.copy()  # where each ended episode ended, before restarting
            infos.update(outcome=outcome, episode_return=episode_return, episode_length=episode_length,
                         final_obs=final_obs, _final_obs=mask, final_agent_pos=final_agent_pos)
            fresh = ended[~self.idle[ended]]
            if self.fresh_left is not None:  # the first to end go on, in the order an evaluation counts them
                self.idle[fresh[self.fresh_left:]] = True
                fresh = fresh[:self.fresh_left]
                self.fresh_left -= len(fresh)
            again = ended[self.idle[ended]]
            if len(fresh):
                self.batch.reset(fresh)
            if len(again):
                self.batch.load(again, [self.batch.variants[i] for i in again])
            self.obs_builder.on_load(ended)
        return self._observations(), result.reward, result.terminated, result.truncated, infos


class MesaSandboxEnv(gymnasium.Env):
    """One world of one split of a level, for Gymnasium tools and for people poking at a level."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 15}

    def __init__(self, level: Level | str, split: str = "training", view: str = "egocentric",
                 radius: int = DEFAULT_RADIUS, render_mode: str | None = None):
        self.vec = LevelVecEnv(level, split, 1, None, view, radius)
        self.level = self.vec.level
        self.observation_space = self.vec.single_observation_space
        self.action_space = self.vec.single_action_space
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"unsupported render_mode {render_mode!r}")
        self.render_mode = render_mode
        self._done = True

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        obs, _ = self.vec.reset(seed=seed if seed is not None else int(self.np_random.integers(2**31)))
        self._done = False
        return obs[0], {"split": self.vec.split, "mix": self.vec.batch.variants[0].mix}

    def step(self, action) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self._done:
            raise RuntimeError("the episode has ended: call reset() first")
        batch = self.vec.batch
        result = batch.step(np.array([int(action)]))
        obs = self.vec.obs_builder.build()[0]
        info: dict[str, Any] = {"events": batch.table.describe(result.events[0])}
        if result.finished:
            info.update(report_dict(result.finished[0][1]))
            self._done = True
        return obs, float(result.reward[0]), bool(result.terminated[0]), bool(result.truncated[0]), info

    def render(self) -> np.ndarray | None:
        if self.render_mode != "rgb_array":
            return None
        from game.world.raster import raster
        return raster(self.vec.batch.worlds, 0)


def env_id(name: str) -> str:
    """Gymnasium id of a built-in level: "coin_at_the_end" -> "MesaSandbox/CoinAtTheEnd-v0"."""
    return "MesaSandbox/" + "".join(part.capitalize() for part in name.split("_")) + "-v0"


def register_builtin_envs() -> None:
    for name in builtin_names():
        if env_id(name) not in gymnasium.registry:
            # make_vec(id, num_envs=N) gives the batched LevelVecEnv itself, not N copies of one world
            gymnasium.register(env_id(name), entry_point="agents.envs:MesaSandboxEnv", kwargs={"level": name},
                               vector_entry_point="agents.envs:LevelVecEnv", disable_env_checker=True)


register_builtin_envs()
