"""The real scenes, headless (SDL dummy driver), driven by posted events."""

import pygame
import pygame_gui

from agents.ppo import PPO
from levels import builtin_level, builtin_path

from ui_helpers import click, frames, key, run_until


def test_home_lists_the_builtins_and_a_card_opens_the_level(app):
    from game.scenes.home import HomeScene
    from game.scenes.lab import LabScene
    frames(app)
    assert isinstance(app.scene, HomeScene)
    from levels import published_cases
    assert sorted(app.scene.cards.values()) == published_cases()  # every level that reproduces a published case
    button = next(b for b, n in app.scene.cards.items() if n == "green_means_go")
    click(app, button)
    assert isinstance(app.scene, LabScene) and app.scene.level.name == "Green means go"
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.scene, HomeScene)
    app.scene.grid.vert_scroll_bar.set_scroll_from_start_percentage(1.0)  # the last row scrolls into view
    frames(app)
    button = next(b for b, n in app.scene.cards.items() if n == "lava_land")
    assert app.scene.grid.rect.contains(button.rect)
    click(app, button)
    assert isinstance(app.scene, LabScene) and app.scene.level.name == "Lava land"
    key(app, pygame.K_ESCAPE)


def test_home_groups_the_lessons_by_the_idea_they_teach(app, monkeypatch):
    """A teacher picks the idea of the day; its lessons, and only those, are listed (in both layouts)."""
    from game.scenes.home import HomeScene
    from ui_helpers import choose
    monkeypatch.setattr(HomeScene, "topic", "goal misgeneralization")
    frames(app)
    scene = app.scene
    assert [v for _, v in scene.topics.options_list] == ["goal misgeneralization", "mesa-optimizers",
                                                         "base optimizers", "oversight"]
    titles = sorted(lesson.title for lesson in scene.lessons.values())
    assert "Colour over shape" in titles and "Only while watched" not in titles
    assert len(titles) == 5  # every lesson of the idea fits the card at 1280x800
    choose(app, scene.topics, "oversight")
    assert [lesson.title for lesson in app.scene.lessons.values()] == ["Only while watched"]
    button = next(iter(app.scene.lessons))
    assert button.visible and app.scene.topics.selected_option[1] == "oversight"  # kept across the rebuild
    choose(app, app.scene.topics, "mesa-optimizers")
    assert [lesson.title for lesson in app.scene.lessons.values()] == ["The optimizer inside", "A vector for green",
                                                                       "A vector for cheese"]


def test_train_a_tiny_level_to_the_target_then_watch_deployment_counters_move(app):
    from game.scenes.lab import LabScene
    app.switch(LabScene(app, builtin_level("template_grid")))
    scene = app.scene
    session = scene.session
    click(app, scene.toolbar.buttons["train"])
    assert session.training.worker is not None
    assert run_until(app, lambda: "Reached the target" in session.status, 120), session.status
    assert session.training.state == "finished"
    assert session.training.curve and session.training.curve[-1]["success"] >= 0.95
    assert session.network is not None
    key(app, pygame.K_TAB)
    assert session.split == "deployment"
    assert run_until(app, lambda: session.tally.total >= 3, 60)
    before = session.tally.total
    key(app, pygame.K_e)
    assert run_until(app, lambda: session.tally.total >= before + 500, 60)
    assert session.tally.outcomes["goal"] >= 400  # the template's deployment is its training: the agent succeeds
    frames(app, 2)  # the candidate list is rebuilt in one frame, the objectives in the next
    assert "Robustly aligned" in scene.side.objectives.html_text
    for k in (pygame.K_h, pygame.K_v, pygame.K_a, pygame.K_w):  # overlays draw without error
        key(app, k)
    key(app, pygame.K_r)  # "its reward" is the planner's: a reactive network has none to show
    frames(app, 5)
    overlay = scene.world_view.overlay
    assert all(on for name, on in overlay.items() if name != "reward") and not overlay["reward"]


def test_a_corrupt_level_file_gives_a_message_and_the_app_lives(app, tmp_path):
    from game.scenes.home import HomeScene
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "mesa-sandbox-level", "version": 1, "tiles": ')
    pygame.event.post(pygame.event.Event(pygame.DROPFILE, file=str(bad)))
    frames(app, 3)
    assert app.running and isinstance(app.scene, HomeScene)
    assert any(w.alive() for w in app.message_windows)
    assert "not valid JSON" in app.message_windows[-1].text_block.html_text


def test_a_dropped_good_file_opens_and_is_remembered(app, tmp_path):
    from game.scenes.lab import LabScene
    from game.paths import RecentFiles
    good = tmp_path / "mine.json"
    good.write_text(builtin_path("green_means_go").read_text())
    pygame.event.post(pygame.event.Event(pygame.DROPFILE, file=str(good)))
    frames(app, 3)
    assert isinstance(app.scene, LabScene)
    assert RecentFiles().load()[0] == str(good.resolve())


def test_a_failing_learner_gives_a_message_and_the_app_lives(app, monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene

    def explode(self):
        raise RuntimeError("the learner exploded")
    monkeypatch.setattr(PPO, "update", explode)
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)  # the patch reaches a thread, not a process
    app.switch(LabScene(app, builtin_level("template_grid")))
    scene = app.scene
    click(app, scene.toolbar.buttons["train"])
    assert run_until(app, lambda: "failed" in scene.session.status, 60)
    assert app.running and scene.session.training.state == "failed"
    assert "the learner exploded" in app.message_windows[-1].text_block.html_text
    click(app, scene.toolbar.buttons["train"])  # and training can start again
    assert scene.session.training.state in ("starting", "running", "failed")


def test_loading_an_agent_for_another_level_is_refused_with_a_message(app, tmp_path):
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig
    from agents.training import TrainingSettings
    from game.scenes.lab import LabScene
    learner = PPO(builtin_level("keys_and_chests"), PPOConfig(num_envs=4, num_steps=8))
    path = tmp_path / "keys.agent"
    save_agent(path, AgentFile(learner.policy, builtin_level("keys_and_chests"), learner.obs_spec,
                               TrainingSettings(ppo=learner.config)))
    app.switch(LabScene(app, builtin_level("green_means_go")))
    app.scene.load_agent(str(path))
    frames(app, 2)
    assert app.scene.session.network is None
    assert "cannot read the observations" in app.message_windows[-1].text_block.html_text


def test_help_overlay_toggles_with_f1(app):
    key(app, pygame.K_F1)
    assert app.help_window is not None and app.help_window.alive()
    key(app, pygame.K_F1)
    assert app.help_window is None


def test_the_window_rescales_fonts_on_resize(app):
    from pygame_gui.elements import UILabel
    frames(app)

    def title_height():  # the home screen's title, as drawn in the widgets the screen has now
        label = next(w for w in app.ui.get_sprite_group().sprites() if isinstance(w, UILabel)
                     and w.text == "Mesa Sandbox")
        return label.font.get_rect("Mesa Sandbox").height
    before = title_height()
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1200, size=(1920, 1200)))
    frames(app, 2)
    assert app.scale == 1.5 and title_height() >= 1.4 * before  # the screen was built again in larger fonts


def test_f11_toggles_fullscreen_and_back(app):
    key(app, pygame.K_F11)
    assert app.fullscreen and app.running
    key(app, pygame.K_F11)
    assert not app.fullscreen and app.running


def test_open_dialog_picks_a_level_file(app, tmp_path):
    from game.scenes.lab import LabScene
    good = tmp_path / "picked.json"
    good.write_text(builtin_path("template_topdown").read_text())
    key(app, pygame.K_o, pygame.KMOD_CTRL)
    dialog = app.scene.dialog
    assert dialog is not None and dialog.alive()
    pygame.event.post(pygame.event.Event(pygame_gui.UI_FILE_DIALOG_PATH_PICKED, text=str(good), ui_element=dialog,
                                         ui_object_id="#file_dialog"))
    frames(app, 2)
    assert isinstance(app.scene, LabScene) and app.scene.level.world == "topdown"


def test_a_saved_agent_loads_back_and_replaces_the_current_one(app, tmp_path):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    LabScene.trainer_class, saved_class = TrainingThread, LabScene.trainer_class
    try:
        app.switch(LabScene(app, builtin_level("template_grid")))
        scene = app.scene
        click(app, scene.toolbar.buttons["train"])
        assert run_until(app, lambda: "Reached the target" in scene.session.status, 120)
        path = tmp_path / "grid.agent"
        scene.save_agent(str(path))
        assert path.exists() and "Saved" in scene.session.status
        click(app, scene.toolbar.buttons["train"])  # a fresh agent from scratch
        learner = scene.session.training
        assert run_until(app, lambda: learner.curve and learner.curve[-1]["steps"] > 0, 60)
        scene.load_agent(str(path))
        frames(app, 3)
        assert scene.session.training.worker is None and "Loaded grid.agent" in scene.session.status
        assert scene.session.snapshot.steps > 0
    finally:
        LabScene.trainer_class = saved_class


def test_a_failing_screen_returns_home_with_a_message(app, monkeypatch):
    from game.scenes.home import HomeScene
    from game.scenes.lab import LabScene
    app.switch(LabScene(app, builtin_level("template_grid")))

    def broken_draw(self, surface):
        raise ValueError("a drawing bug")
    monkeypatch.setattr(LabScene, "draw", broken_draw)
    frames(app, 2)
    assert app.running and isinstance(app.scene, HomeScene)
    assert "a drawing bug" in app.message_windows[-1].text_block.html_text


def test_the_buttons_follow_the_learner_when_it_finishes(app):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    LabScene.trainer_class, saved_class = TrainingThread, LabScene.trainer_class
    try:
        app.switch(LabScene(app, builtin_level("template_grid")))
        scene = app.scene
        scene.session.training.max_seconds = 1.0  # a short run that ends by its time budget
        click(app, scene.toolbar.buttons["train"])
        assert run_until(app, lambda: scene.session.training.finished is not None, 60)
        frames(app, 2)
        assert scene.toolbar.buttons["train"].text == "Train" and not scene.toolbar.buttons["stop"].is_enabled
    finally:
        LabScene.trainer_class = saved_class


def lab_with_an_inferred_objective(app, monkeypatch, episodes):
    """The deployment view of a level without proxies, whose agent was found to want the bottom-left corner."""
    from agents.inspection import inspect
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from helpers import corner_walker, roaming_grid_level
    level = roaming_grid_level()
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, level))
    scene = app.scene
    scene.session.inspection = lab_with_an_inferred_objective.found = inspect(corner_walker(level), level,
                                                                              "deployment", episodes)
    scene.session.set_split("deployment")
    scene.refresh()
    frames(app, 2)
    return scene


def test_what_it_learned_is_added_to_the_level_as_a_proxy_in_one_click_keeping_the_agent(app, monkeypatch):
    """A proxy changes only how episodes are counted: adding one keeps the agent (no question about dropping it)
    and counts again; Edit then opens the editor with it added, one undo step."""
    import torch
    from agents.ppo import PPOConfig, PPO
    from agents.policy import PolicySnapshot
    from game.scenes.editor import EditorScene
    scene = lab_with_an_inferred_objective(app, monkeypatch, 100)
    session = scene.session
    learner = PPO(session.level, PPOConfig(num_envs=4, num_steps=8))
    session.adopt(PolicySnapshot.of(learner.policy, learner.obs_spec, learner.agent.hidden, 5000, 3), session.settings, [],
                  "a trained one")
    session.agent_saved = False  # trained here, not saved
    session.inspection = lab_with_an_inferred_objective.found
    session.changed += 1
    frames(app, 3)
    weights = {k: v.clone() for k, v in session.snapshot.weights.items()}
    assert scene.side.add_proxy.visible
    click(app, scene.side.add_proxy)
    assert app.scene is scene and app.leave_dialog is None  # nothing asked, nothing dropped
    assert all(torch.equal(weights[k], v) for k, v in session.snapshot.weights.items())
    added = session.level.proxies[-1]
    # the corner, or the cell itself found from where the walker's episodes end (more specific)
    assert added.event == "entered_region" and added.what in ("bottom-left_corner", "place_1")
    assert added.what in session.level.regions
    assert session.evaluating or session.evaluated  # counting again, with the new proxy
    assert "Added the proxy" in session.status
    session.agent_saved = True
    key(app, pygame.K_ESCAPE)  # leaving asks: the proxy is not in the level file yet
    assert app.leave_dialog is not None and "not in the level file" in app.leave_dialog.confirmation_text.html_text
    app.leave_dialog.kill()
    scene.command("edit")  # the editor, with it added as one undo step (after the same question)
    assert app.leave_dialog is not None and app.leave_dialog.alive()
    click(app, app.leave_dialog.confirm_button)
    frames(app, 2)
    editor = app.scene
    assert isinstance(editor, EditorScene) and editor.document.dirty
    proxy = editor.document.doc["proxies"][-1]
    assert proxy["event"] == "entered_region" and proxy["what"] == added.what
    assert proxy["what"] in editor.document.doc["regions"] and editor.level is not None  # a valid level
    key(app, pygame.K_z, pygame.KMOD_CTRL)  # one undo step takes it back
    assert editor.document.doc["proxies"] == [] and added.what not in editor.document.doc["regions"]


def test_pointing_at_what_it_learned_draws_it_on_the_map(app, monkeypatch):
    scene = lab_with_an_inferred_objective(app, monkeypatch, 60)
    assert scene.world_view.highlight is None
    for target, expected in ((scene.side.objectives.rect.center, True), (scene.world_view.rect.center, False)):
        # pygame_gui reads the pointer from pygame.mouse, which posted events do not move in a headless window
        monkeypatch.setattr(pygame.mouse, "get_pos", lambda target=target: target)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=target, rel=(0, 0), buttons=(0, 0, 0)))
        frames(app, 3)
        assert (scene.world_view.highlight is not None) == expected
        if expected:
            assert scene.world_view.highlight.name == lab_with_an_inferred_objective.found.acts_as_if.candidate.name


def test_the_candidates_are_listed_pointing_draws_one_and_the_chosen_one_is_added(app, monkeypatch):
    from game.scenes.editor import EditorScene
    scene = lab_with_an_inferred_objective(app, monkeypatch, 100)
    listed = scene.side.candidates
    items = listed.list.item_list
    apparent = lab_with_an_inferred_objective.found.acts_as_if.candidate.name
    assert len(items) >= 3 and listed.chosen().name == apparent  # the apparent one, chosen first
    assert "bottom-left corner" in apparent
    second = next(item for item in items if listed.by_text[item["text"]].name != apparent
                  and listed.by_text[item["text"]].kind != "intended goal")
    target = second["button_element"].rect.center
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: target)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=target, rel=(0, 0), buttons=(0, 0, 0)))
    frames(app, 3)
    assert scene.world_view.highlight is listed.by_text[second["text"]]
    click(app, second["button_element"])
    assert listed.chosen() is listed.by_text[second["text"]]
    wanted = listed.chosen().proxy()["name"]
    click(app, scene.side.add_proxy)
    assert app.scene is scene and scene.session.level.proxies[-1].name == wanted


def test_a_level_too_large_for_four_worlds_shows_fewer_each_large_enough_to_see(app, monkeypatch):
    """Four worlds of a 96 x 96 hall drew cells of 3.5 pixels at 1280 x 800 (the agent a dot): the view shows fewer
    worlds, each at 6 pixels a cell or more; a built-in still shows four."""
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from game.scenes.lab.world_view import MIN_CELL
    from helpers import hall
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.open("lab", level=hall(96))
    frames(app, 3)
    view = app.scene.world_view
    assert len(view.origins) < 4 and view.cell >= MIN_CELL
    app.open("lab", level=builtin_level("green_means_go"))
    frames(app, 3)
    assert len(app.scene.world_view.origins) == 4
