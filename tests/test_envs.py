import gymnasium
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from gymnasium.utils.env_checker import check_env

from agents.envs import LevelVecEnv, env_id
from agents.observation import SHAPE_SALIENCE, ObservationSpec
from levels import builtin_level, builtin_names
from levels.vocabulary import OUTCOMES


@pytest.mark.parametrize("name", builtin_names())
@pytest.mark.parametrize("split", ["training", "deployment"])
def test_check_env_passes_for_every_builtin(name, split):
    env = gymnasium.make(env_id(name), split=split, render_mode="rgb_array")
    check_env(env.unwrapped, skip_render_check=False)
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    frame = env.render()
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8


def test_ids_name_the_builtins():
    assert env_id("coin_at_the_end") == "MesaSandbox/CoinAtTheEnd-v0"
    assert gymnasium.make("MesaSandbox/CheeseInTheCorner-v0", split="deployment").unwrapped.vec.split == "deployment"


def test_egocentric_window_shows_the_coin_next_to_the_agent():
    level = builtin_level("template_grid")
    env = LevelVecEnv(level, "training", 1, seed=0, radius=2)
    obs, _ = env.reset()
    spec = env.obs_spec
    grid = obs[0, :spec.width * spec.height * len(spec.channels)].reshape(spec.height, spec.width, -1)
    wall = spec.channels.index("tile:wall")
    assert grid[3, 2, wall] == 1.0 and grid[2, 2].sum() == 0  # wall below the agent, nothing at the agent
    for _ in range(6):
        obs, *_ = env.step(np.array([4]))
    grid = obs[0, :spec.width * spec.height * len(spec.channels)].reshape(spec.height, spec.width, -1)
    coin, yellow = spec.channels.index("entity:coin"), spec.channels.index("color:yellow")
    # the coin is one cell to the right of the agent: bright in its colour, fainter in its shape
    assert grid[2, 3, yellow] == 1.0 and grid[2, 3, coin] == SHAPE_SALIENCE
    assert grid[2, 4, wall] == 1.0


def test_full_view_has_an_agent_channel_and_specs_round_trip():
    level = builtin_level("keys_and_chests")
    spec = ObservationSpec.for_level(level, "full")
    assert "agent" in spec.channels and "keys" in spec.scalars
    assert ObservationSpec.from_dict(spec.to_dict()) == spec
    env = LevelVecEnv(level, "deployment", 4, seed=1, view="full")
    obs, _ = env.reset()
    assert obs.shape == (4, spec.size)
    agent = spec.channels.index("agent")
    assert (obs[:, :-len(spec.scalars)].reshape(4, level.height, level.width, -1)[..., agent].sum((1, 2)) == 1).all()


def test_vector_env_reports_outcomes_and_final_observations():
    env = LevelVecEnv("template_grid", "training", 3, seed=0)
    obs, _ = env.reset()
    for t in range(7):
        obs, reward, terminated, truncated, info = env.step(np.array([4, 3, 4]))
    assert terminated.tolist() == [True, False, True] and reward.tolist() == [10.0, 0.0, 10.0]
    assert [OUTCOMES[c] if c >= 0 else None for c in info["outcome"]] == ["goal", None, "goal"]
    assert info["_final_obs"].tolist() == [True, False, True]
    # the returned observation is the first of the next episode: the agent is back at the start
    assert not np.array_equal(obs[0], info["final_obs"][0])
    assert info["events"].shape[0] == 3


def test_gymnasium_env_info_carries_events_and_outcome():
    env = gymnasium.make("MesaSandbox/TemplateGrid-v0")
    env.reset(seed=0)
    info = {}
    for _ in range(7):
        _, reward, terminated, truncated, info = env.step(4)
    assert terminated and reward == 10.0
    assert info["outcome"] == "goal" and {"event": "touched", "what": "coin"} in info["events"]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(4)


def test_make_vec_gives_the_batched_env_with_its_episodes():
    """`gymnasium.make_vec(id, num_envs=N)` is the batched LevelVecEnv (one numpy batch, not N copies of one world),
    with the split and seed it is given: the same observations and rewards as LevelVecEnv built by hand."""
    made = gymnasium.make_vec(env_id("keys_and_chests"), num_envs=6, split="deployment")
    by_hand = LevelVecEnv("keys_and_chests", "deployment", 6)
    assert isinstance(made, LevelVecEnv) and made.num_envs == 6 and made.split == "deployment"
    a, _ = made.reset(seed=4)
    b, _ = by_hand.reset(seed=4)
    assert np.array_equal(a, b)
    actions = np.random.default_rng(0).integers(0, 5, (30, 6))
    for act in actions:
        oa, ra, *_ = made.step(act)
        ob, rb, *_ = by_hand.step(act)
        assert np.array_equal(oa, ob) and np.array_equal(ra, rb)


def test_an_evaluation_draws_no_variant_for_an_episode_it_will_not_count(monkeypatch):
    """Once every counted episode has started, a world whose episode ends replays its variant instead of drawing a
    new one: as many variants drawn as episodes counted, and the counted episodes are the ones drawn for them."""
    from agents.evaluation import evaluate
    from game.world.variants import VariantSampler
    drawn = []
    sample = VariantSampler.sample
    monkeypatch.setattr(VariantSampler, "sample", lambda self, rng: drawn.append(1) or sample(self, rng))
    rng = np.random.default_rng(0)
    level = builtin_level("cheese_in_the_corner")
    for worlds in (40, 16):  # all at once, and in several rounds
        drawn.clear()
        result = evaluate(lambda obs, worlds: rng.integers(0, 5, len(obs)), level, "deployment", 40, seed=3,
                          num_envs=worlds, record=0)
        assert result.episodes == 40 and len(drawn) == 40, worlds


@given(st.integers(1, 5000), st.integers(1, 512))
def test_an_evaluation_shares_its_rounds_evenly_between_its_worlds(episodes, most):
    """Idle worlds cost as much as counted ones (a physics world replays its variant): an evaluation plays on no
    more worlds than it needs for as few rounds as `most` worlds would take."""
    from agents.evaluation import balanced_worlds
    worlds = balanced_worlds(episodes, most)
    rounds = -(-episodes // min(most, episodes))
    assert 1 <= worlds <= min(most, episodes)
    assert -(-episodes // worlds) == rounds  # no more rounds than with `most` worlds
    assert worlds * (rounds - 1) < episodes  # ... and no world left without an episode in the last one
    assert balanced_worlds(300, 256) == 150 and balanced_worlds(500, 256) == 250
