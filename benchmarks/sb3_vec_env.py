"""Stable-Baselines3 on Mesa Sandbox's vector env: SB3 has its own `VecEnv` API rather than Gymnasium's
`VectorEnv`, so `gymnasium.make_vec("MesaSandbox/...")` needs this small adapter. Not part of the game (SB3 is not
one of its dependencies): `pip install stable-baselines3`, then, from the project folder,

    import gymnasium, agents.envs
    from stable_baselines3 import PPO
    from benchmarks.sb3_vec_env import SB3VecEnv
    envs = SB3VecEnv(gymnasium.make_vec("MesaSandbox/CheeseInTheCorner-v0", num_envs=64))
    PPO("MlpPolicy", envs, n_steps=32, batch_size=512).learn(200_000)
"""
from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv

from levels.vocabulary import OUTCOMES


class SB3VecEnv(VecEnv):
    """A Gymnasium vector env whose episodes restart in the step they end (Mesa Sandbox's `LevelVecEnv`) as an
    SB3 `VecEnv`: the last observation of an ended episode goes to `terminal_observation`, an episode out of time
    is marked `TimeLimit.truncated` (so SB3 bootstraps from it, as the project's PPO does), and each ended episode's
    `outcome` ("goal", "proxy", ...) is in its info."""

    def __init__(self, envs, reward_scale: float = 1.0):
        self.envs, self.reward_scale = envs, reward_scale  # (before the base class asks for its render mode)
        super().__init__(envs.num_envs, envs.single_observation_space, envs.single_action_space)
        self._actions = np.zeros(envs.num_envs, dtype=np.int64)

    def reset(self):
        seed = self._seeds[0]
        obs, _ = self.envs.reset(seed=seed)
        self._reset_seeds()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions)

    def step_wait(self):
        obs, reward, terminated, truncated, info = self.envs.step(self._actions)
        done = terminated | truncated
        infos: list[dict] = [{} for _ in range(self.num_envs)]
        for i in np.flatnonzero(done):
            infos[i] = {"terminal_observation": info["final_obs"][i],
                        "TimeLimit.truncated": bool(truncated[i] and not terminated[i]),
                        "episode": {"r": float(info["episode_return"][i]), "l": int(info["episode_length"][i])},
                        "outcome": OUTCOMES[int(info["outcome"][i])]}
        return obs, (reward * self.reward_scale).astype(np.float32), done, infos

    def close(self) -> None:
        self.envs.close()

    def get_attr(self, attr_name, indices=None):
        return [getattr(self.envs, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name, value, indices=None) -> None:
        setattr(self.envs, attr_name, value)

    def env_method(self, method_name, *method_args, indices=None, **method_kwargs):
        return [getattr(self.envs, method_name)(*method_args, **method_kwargs)] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False] * len(self._get_indices(indices))
