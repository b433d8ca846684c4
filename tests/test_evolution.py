"""Evolution as a base optimizer: it improves a policy on a tiny level by selection alone, and runs in the same
training run (stopping rule, curve) as PPO."""
import numpy as np
import pytest
import torch

from levels import builtin_level

from agents.evolution import EvolutionConfig, Evolution
from agents.evolution_cma import CMAEvolution
from agents.kinds import EVOLUTION, PLANNER, REACTIVE, AgentSpec
from agents.training import StopReason, TrainingGoal, TrainingRun, TrainingSettings, make_optimizer


@pytest.mark.parametrize("strategy", [Evolution, CMAEvolution])
def test_selection_alone_improves_a_planner_on_a_tiny_level(strategy):
    level = builtin_level("template_grid")
    learner = strategy(level, EvolutionConfig(population=16, episodes=4), AgentSpec.of(PLANNER), seed=0)
    first = learner.update()
    assert 0.0 <= first["population"]["min"] <= first["population"]["median"] <= first["population"]["max"] <= 1.0
    later = [learner.update()["training_success"] for _ in range(10)]
    assert np.mean(later[-3:]) > first["training_success"] + 0.2, (first["training_success"], later)


def test_mutants_in_pairs_and_the_same_seed_gives_the_same_generation():
    level = builtin_level("template_grid")
    config = EvolutionConfig(population=6, episodes=2)
    a, b = Evolution(level, config, seed=3), Evolution(level, config, seed=3)
    assert a.update()["training_success"] == b.update()["training_success"]
    torch.testing.assert_close(a.theta, b.theta)
    try:
        Evolution(level, EvolutionConfig(population=5), seed=3)
    except ValueError as exc:
        assert "even" in str(exc)
    else:
        raise AssertionError("an odd population was accepted")


def test_evolution_mutates_the_planner_by_cma_es_and_the_reactive_network_by_openai_es():
    level = builtin_level("template_grid")
    planner = make_optimizer(level, TrainingSettings.of(PLANNER, EVOLUTION))
    reactive = make_optimizer(level, TrainingSettings.of(REACTIVE, EVOLUTION))
    assert type(planner) is CMAEvolution and type(reactive) is Evolution
    before = planner.theta.clone()
    metrics = planner.update()
    assert not torch.equal(before, planner.theta)  # the distribution's mean moved, and the policy with it
    torch.testing.assert_close(torch.nn.utils.parameters_to_vector(planner.policy.parameters()), planner.theta)
    assert metrics["update"] == 1 and 0.0 <= metrics["population"]["min"] <= metrics["population"]["max"] <= 1.0


def test_a_training_run_with_evolution_stops_by_the_same_rule_and_records_the_spread():
    level = builtin_level("template_grid")
    run = TrainingRun(level, TrainingSettings.of(PLANNER, EVOLUTION), TrainingGoal(max_steps=60_000))
    reason = run.run()
    if reason == StopReason.TARGET:  # the same rule as PPO: a success at the target, confirmed on fresh episodes
        assert run.confirmed_success >= 0.95
    else:
        assert reason == StopReason.STEP_BUDGET and run.optimizer.global_step >= 60_000
    assert run.curve
    assert all(len(point["population"]) == 3 for point in run.curve)


def test_the_optimizer_menu_trains_by_evolution_and_the_curve_shows_the_population(app, monkeypatch):
    import pygame
    import pygame_gui
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("template_grid")))
    scene = app.scene
    session = scene.session
    menu = scene.side.choices.menus["optimizer"]
    pygame.event.post(pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text="evolution", ui_element=menu,
                                         ui_object_id=menu.most_specific_combined_id))
    frames(app, 2)
    assert session.optimizer == "evolution" and scene.side.choices.shown("optimizer") == "evolution"
    assert "evolution" in session.status
    session.toggle_training()
    assert run_until(app, lambda: len(session.training.curve) >= 2, 90)
    assert all(len(point["population"]) == 3 for point in session.training.curve)
    frames(app, 3)  # the curves draw the population's band
    session.stop_training()
