"""How an agent is made, said once: the agent (`AgentSpec`), the optimizer and its own knobs, the seed."""
from dataclasses import replace

import pytest

from levels import builtin_level

from agents.evolution import Evolution, EvolutionConfig
from agents.evolution_cma import CMAEvolution
from agents.kinds import CONV, EVOLUTION, PLANNER, REACTIVE, AgentSpec
from agents.ppo import LEARNING_RATE, PPO, PPOConfig
from agents.training import TrainingSettings, make_optimizer
from helpers import hall


def test_settings_survive_the_flat_table_of_an_agent_file_whole():
    settings = TrainingSettings(AgentSpec(CONV, "full", 4, 64), EVOLUTION, 7,
                                PPOConfig(num_envs=8, ent_coef=0.01, learning_rate=0.003),
                                EvolutionConfig(population=10, sigma=0.2, learning_rate=0.02))
    assert TrainingSettings.from_flat(settings.flat()) == settings
    # An unset step size is written as the one the kind uses (older games want a number there).
    planner = TrainingSettings.of(PLANNER)
    assert planner.flat()["learning_rate"] == LEARNING_RATE[PLANNER]
    assert TrainingSettings.from_flat(planner.flat()) == replace(planner, ppo=PPOConfig(learning_rate=0.01))


def test_an_older_agent_files_table_reads_as_the_settings_it_meant():
    """Files written before the split kept one flat table of PPO's knobs with the agent's beside them, and no
    evolution knobs; a name a newer game wrote is ignored."""
    old = {"seed": 3, "num_envs": 64, "num_steps": 32, "learning_rate": 0.01, "agent": "planner", "optimizer": "ppo",
           "view": "full", "radius": 5, "hidden": 128, "success_window": 200, "from_the_future": 1}
    settings = TrainingSettings.from_flat(old)
    assert settings.agent == AgentSpec(PLANNER, "full", 5, 128) and settings.seed == 3
    assert settings.ppo.learning_rate == 0.01 and settings.evolution == EvolutionConfig()


def test_each_kind_gets_its_view_and_its_own_step_size():
    assert AgentSpec.of(REACTIVE).view == "egocentric" and AgentSpec.of(PLANNER).view == "full"
    assert AgentSpec.of(CONV).view == "full"
    reactive_file = TrainingSettings.from_flat({"learning_rate": LEARNING_RATE[REACTIVE], "radius": 3})
    planner = reactive_file.with_agent(PLANNER)
    assert planner.agent == AgentSpec(PLANNER, "full", 3, 128) and planner.ppo.learning_rate is None
    level = builtin_level("template_grid")
    learner = make_optimizer(level, replace(planner, ppo=replace(planner.ppo, num_envs=4, num_steps=8)))
    assert type(learner) is PPO and learner.learning_rate == LEARNING_RATE[PLANNER]


def test_the_optimizer_the_settings_name_is_the_one_made_and_bad_settings_are_refused_in_words():
    level = builtin_level("template_grid")
    small = EvolutionConfig(population=4, episodes=2)
    assert type(make_optimizer(level, TrainingSettings(AgentSpec.of(PLANNER), EVOLUTION, evolution=small))) \
        is CMAEvolution
    assert type(make_optimizer(level, TrainingSettings(optimizer=EVOLUTION, evolution=small))) is Evolution
    with pytest.raises(ValueError, match="unknown optimizer 'sgd'"):
        make_optimizer(level, TrainingSettings(optimizer="sgd"))
    with pytest.raises(ValueError, match="grid levels only"):
        make_optimizer(builtin_level("coin_at_the_end"), TrainingSettings.of(PLANNER))
    with pytest.raises(ValueError, match="sees the whole level"):
        AgentSpec(CONV).check(level)
    with pytest.raises(ValueError, match="unknown agent kind"):
        AgentSpec("transformer").check(level)


def test_the_planner_by_gradient_descent_is_refused_a_level_it_could_not_fit_in_memory():
    """Its gradient keeps every step of planning over every cell (past 24 GB on a 96 x 96 level, killed by the
    system): refused in words before it starts, with what to do instead; evolution keeps no gradient."""
    TrainingSettings.of(PLANNER).check(hall(24))
    with pytest.raises(ValueError, match="25 x 25.*memory.*evolution.*reactive network"):
        TrainingSettings.of(PLANNER).check(hall(25))
    TrainingSettings.of(PLANNER, EVOLUTION).check(hall(96))
    TrainingSettings.of(REACTIVE).check(hall(96))
    TrainingSettings.of(CONV).check(hall(96))
