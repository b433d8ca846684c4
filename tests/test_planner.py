"""The planner: value iteration over the level's moves on its own reward map, trained by PPO, saved and loaded."""
import json

import pygame

import numpy as np
import pytest
import torch

from levels import builtin_level, level_to_dict

from agents.approach import distances
from agents.envs import LevelVecEnv
from agents.kinds import AgentSpec
from agents.planner import MOVES, Planner, describe_objective, mesa_objective
from game.world.variants import TILE_SOLID

from helpers import small_level


def maze_level():
    rows = ["#######",
            "#.....#",
            "#.###.#",
            "#...#.#",
            "###.#.#",
            "#.....#",
            "#######"]
    entities = [{"id": "agent", "kind": "agent", "at": [1, 1]}, {"id": "coin", "kind": "coin", "at": [1, 3]}]
    rules = [{"event": "touched", "what": "coin", "reward": 1.0, "ends_episode": True}]
    return small_level(rows, entities, rules, {"event": "touched", "what": "coin"})


def test_value_iteration_on_a_hand_made_reward_follows_a_shortest_path():
    level = maze_level()
    env = LevelVecEnv(level, "training", 1, seed=0, view="full")
    obs, _ = env.reset(seed=0)
    planner = Planner(env.obs_spec)
    with torch.no_grad():  # reward: the coin and nothing else
        planner.weights.zero_()
        planner.weights[planner.feature_names.index("coins")] = 1.0
        q = planner.plan(torch.from_numpy(obs))[0].numpy()  # (moves, H, W)
    worlds = env.batch.worlds
    tiles = worlds.tiles[0]
    coin = np.zeros((1, *tiles.shape), dtype=bool)
    coin[0, 3, 1] = True
    steps = distances(~TILE_SOLID[tiles], coin)[0]
    for y, x in zip(*np.nonzero(np.isfinite(steps) & (steps > 0))):
        dx, dy = MOVES[int(q[:, y, x].argmax())]
        assert steps[y + dy, x + dx] == steps[y, x] - 1, (x, y)  # every preferred move gets one step closer


def test_the_planner_learns_a_tiny_level_and_its_reward_map_peaks_at_the_coin():
    from agents.ppo import PPOConfig, PPO
    level = builtin_level("template_grid")
    learner = PPO(level, PPOConfig(num_envs=16, num_steps=32), AgentSpec.of("planner"), seed=0)
    success = None
    for _ in range(60):
        success = learner.update()["training_success"]
        if success is not None and success >= 0.9:
            break
    assert success is not None and success >= 0.9
    env = LevelVecEnv(level, "training", 1, seed=3, view="full")
    obs, _ = env.reset(seed=3)
    with torch.no_grad():
        reward = learner.policy.open_reward_map(torch.from_numpy(obs))[0].numpy()
    y, x = np.unravel_index(np.nanargmax(reward), reward.shape)
    assert (x, y) == tuple(env.batch.worlds.cells[0, 0])  # what it wants most is where the coin is
    assert learner.policy.objective()["coins"] > 0 and "coins" in describe_objective(learner.policy, top=100)


@pytest.mark.parametrize("kind", ["reactive", "conv", "planner"])
@pytest.mark.parametrize("optimizer", ["ppo", "evolution"])
def test_agent_files_round_trip_every_agent_kind_and_optimizer(kind, optimizer, tmp_path):
    from agents.agent_file import AgentFile, load_agent, save_agent
    from agents.evolution import EvolutionConfig, Evolution
    from agents.evolution_cma import CMAEvolution
    from agents.ppo import PPOConfig, PPO
    from agents.training import TrainingSettings, make_optimizer
    level = builtin_level("green_means_go")
    settings = TrainingSettings(AgentSpec.of(kind), optimizer, 2, PPOConfig(num_envs=4, num_steps=8),
                                EvolutionConfig(population=4, episodes=2, sigma=0.07))
    learner = make_optimizer(level, settings)
    assert type(learner) is {"ppo": PPO, "evolution": CMAEvolution if kind == "planner" else Evolution}[optimizer]
    learner.update()
    save_agent(tmp_path / "a.agent", AgentFile(learner.policy, level, learner.obs_spec, settings, 32))
    agent = load_agent(tmp_path / "a.agent", level)
    assert agent.policy.kind == kind and agent.settings.flat() == settings.flat()  # every setting, evolution's too
    obs = torch.from_numpy(learner.envs.reset(seed=1)[0][:8])
    with torch.no_grad():
        for mine, theirs in zip(learner.policy(obs), agent.policy(obs)):
            torch.testing.assert_close(mine, theirs)


def test_the_planner_refuses_physics_levels_in_words(tmp_path, capsys):
    from game.cli import main
    assert main(["train", "coin_at_the_end", "--agent", "planner", "-o", str(tmp_path / "a.agent")]) == 2
    err = capsys.readouterr().err
    assert "grid levels only" in err and "Traceback" not in err


def test_inspect_shows_a_planners_mesa_objective(tmp_path, capsys):
    from agents.agent_file import AgentFile, save_agent
    from agents.training import TrainingSettings, make_optimizer
    from game.cli import main
    level = builtin_level("cheese_in_the_corner")
    settings = TrainingSettings.of("planner", num_envs=4, num_steps=8)
    learner = make_optimizer(level, settings)
    save_agent(tmp_path / "p.agent", AgentFile(learner.policy, level, learner.obs_spec, settings))
    assert main(["inspect", str(tmp_path / "p.agent"), "--episodes", "20", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["mesa_objective"]
    assert set(found["features"]) == set(learner.policy.feature_names)
    assert len(found["reward_map"]) == level.height and len(found["reward_map"][0]) == level.width
    assert found["reward_map"][0][0] is None  # a wall: no move enters it
    assert found == mesa_objective(learner.policy, level, "deployment", 0)


def choose(app, scene, text):
    """What pygame_gui posts when a person picks an option of the agent menu."""
    import pygame_gui
    from ui_helpers import frames
    menu = scene.side.choices.menus["agent"]
    pygame.event.post(pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=text, ui_element=menu,
                                         ui_object_id=menu.most_specific_combined_id))
    frames(app, 2)


def test_the_agent_menu_switches_to_a_planner_whose_reward_shows_as_it_learns(app, monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("template_grid")))
    scene = app.scene
    session = scene.session
    choose(app, scene, "planner (reads its reward)")
    assert session.agent_kind == "planner" and session.settings.agent.view == "full"
    assert session.live["training"].env.obs_spec.view == "full" and scene.world_view.overlay["reward"]
    assert scene.reward_button.visible
    session.toggle_training()
    assert run_until(app, lambda: session.network is not None, 60)
    assert session.network.kind == "planner"
    live = session.live["training"]
    reward = session.what_if.reward(session.network, live.env, 0)
    assert reward is not None and reward.shape == (live.worlds.tiles.shape[1:])
    assert np.isnan(reward[0, 0]) and np.isfinite(reward[1, 1])  # walls are no reward; floor is
    frames(app, 3)  # drawn with its legend and weights, without error
    session.stop_training()


def test_a_physics_level_refuses_the_planner_with_a_message_and_keeps_its_agent(app, monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("coin_at_the_end")))
    scene = app.scene
    choose(app, scene, "planner (reads its reward)")
    assert scene.session.agent_kind == "reactive"
    assert scene.side.choices.shown("agent") == "reactive"
    assert "grid levels only" in app.message_windows[-1].text_block.html_text


def test_a_level_too_large_for_the_planners_gradient_refuses_it_with_a_message(app, monkeypatch, tmp_path, capsys):
    """A 30 x 30 hall: the planner by gradient descent would need gigabytes (past 24 GB at 96 x 96, and the system
    kills it): the window and the command line say so and keep the agent; evolution may still train it."""
    from agents.worker import TrainingThread
    from game.cli import main
    from game.scenes.lab import LabScene
    from helpers import hall
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    level = hall(30)
    app.switch(LabScene(app, level))
    scene = app.scene
    choose(app, scene, "planner (reads its reward)")
    assert scene.session.agent_kind == "reactive" and scene.side.choices.shown("agent") == "reactive"
    assert "30 x 30" in app.message_windows[-1].text_block.html_text
    path = tmp_path / "hall.json"
    path.write_text(json.dumps(level_to_dict(level)))
    assert main(["train", str(path), "--agent", "planner", "-o", str(tmp_path / "a.agent")]) == 2
    err = capsys.readouterr().err
    assert "memory" in err and "Traceback" not in err and not (tmp_path / "a.agent").exists()


def test_switching_away_from_an_unsaved_agent_asks_first(app, monkeypatch):
    import pygame_gui
    from agents.worker import TrainingThread
    from agents.policy import Policy, PolicySnapshot
    from game.scenes.lab import LabScene
    from ui_helpers import frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("template_grid")))
    scene = app.scene
    session = scene.session
    spec = session.live["training"].env.obs_spec
    trained = PolicySnapshot.of(Policy(spec.size, 5, session.settings.agent.hidden), spec, session.settings.agent.hidden, 5000, 3)
    session.training.adopt(trained, session.settings, [], "trained here")
    session.agent_saved = False
    choose(app, scene, "planner (reads its reward)")
    assert session.agent_kind == "reactive" and app.leave_dialog is not None and app.leave_dialog.alive()
    assert "Switch anyway?" in app.leave_dialog.confirmation_text.html_text
    pygame.event.post(pygame.event.Event(pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED, ui_element=app.leave_dialog))
    frames(app, 2)
    assert session.agent_kind == "planner" and session.snapshot is None
    assert scene.side.choices.shown("agent") == "planner"
