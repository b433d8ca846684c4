"""The deployment view's Steer window (G), driven through the real screen with posted events."""
import numpy as np
import pygame
import pygame_gui
import torch

from levels import builtin_level

from agents.policy import PolicySnapshot, build_network
from game.session.maps import value_and_policy_maps

from test_what_if import screen_pos
from ui_helpers import choose, click, frames, key


def lab_with(app, monkeypatch, level, kind="conv"):
    """The deployment view of `level` watching an untrained (random but fixed) network of `kind`."""
    from agents.observation import ObservationSpec
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, level))
    scene = app.scene
    session = scene.session
    settings = session.settings.with_agent(kind)
    agent = settings.agent
    spec = ObservationSpec.for_level(level, agent.view, agent.radius)
    torch.manual_seed(4)
    network = build_network(kind, spec, 5, agent.hidden)
    session.adopt(PolicySnapshot.of(network, spec, agent.hidden, 0, 0), settings, [], "test")
    scene.command("deployment")
    frames(app, 2)
    return scene


def slide(app, panel, value):
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=value,
                                         ui_element=panel.coefficient,
                                         ui_object_id=panel.coefficient.most_specific_combined_id))


def test_the_slider_changes_the_arrows_in_the_same_frame(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session, live = scene.session, scene.session.live["deployment"]
    key(app, pygame.K_a)  # arrows
    key(app, pygame.K_g)  # the Steer window
    panel = scene.steer_panel
    assert panel.open and not session.steering.active
    before = [m.copy() for m in scene.world_view._maps_for(live, 0)]
    slide(app, panel, 5.0)
    frames(app, 1)  # one frame: the event, then the drawing
    assert session.steering.choice.coefficient == 5.0 and session.steering.active
    steered = session.shown_network(0)
    assert steered is not session.network
    # What the frame drew is the steered network's (values and arrows), not what was drawn before.
    drawn = scene.world_view._maps_for(live, 0)
    expected = value_and_policy_maps(steered, session.level, live.worlds, 0, session.settings.agent.view,
                                     session.settings.agent.radius)
    assert np.array_equal(drawn[1], expected[1]) and np.allclose(drawn[0], expected[0], equal_nan=True)
    assert not np.allclose(drawn[0], before[0], equal_nan=True)
    assert "(steered)" in scene.title.text
    # back to zero: the agent itself again
    slide(app, panel, 0.0)
    frames(app, 1)
    assert session.shown_network(0) is session.network and "(steered)" not in scene.title.text


def test_steered_episodes_are_not_counted_and_closing_the_window_stops_steering(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session, live = scene.session, scene.session.live["deployment"]
    live.decisions_per_second = 1000.0  # episodes end within a few frames
    key(app, pygame.K_g)
    slide(app, scene.steer_panel, -2.0)
    frames(app, 2)
    assert session.steering.active and not live.counted
    counted, visits, ended = session.tally.total, live.visits.sum(), 0
    for _ in range(200):
        frames(app, 1)
        ended += len(live.env.reports)
        if ended >= 8:
            break
    assert ended >= 8 and session.tally.total == counted and live.visits.sum() == visits
    key(app, pygame.K_g)  # closes the window: nothing is steered out of sight
    assert not scene.steer_panel.open and not session.steering.active and live.counted
    for _ in range(300):
        frames(app, 1)
        if session.tally.total > counted:
            break
    assert session.tally.total > counted  # the agent itself is counted again


def test_the_random_control_is_one_click_and_has_the_same_norm(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session = scene.session
    key(app, pygame.K_g)
    slide(app, scene.steer_panel, -1.0)
    frames(app, 1)
    steering = session.steering
    layer = steering.choice.layer
    contrast = steering._vectors[(session.network, steering.choice.contrast, layer, False)]
    click(app, scene.steer_panel.random)
    assert steering.choice.random and scene.steer_panel.random.is_selected
    frames(app, 1)
    control = steering._vectors[(session.network, steering.choice.contrast, layer, True)]
    assert abs(float(control.norm()) - float(contrast.norm())) < 1e-4
    assert not torch.allclose(control, contrast)


def test_retarget_clamps_the_chosen_channel_at_the_clicked_cell(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session = scene.session
    key(app, pygame.K_g)
    panel = scene.steer_panel
    click(app, panel.pick)
    assert panel.picking
    cell = (2, 3)
    pos = screen_pos(scene, 1, cell)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app, 2)
    choice = session.steering.choice
    assert choice.target == cell and choice.channel is not None and not panel.picking
    assert session.steering.active and "(steered)" in scene.title.text
    assert not session.paused  # the click picked a cell; it did not start a drag


def test_a_planner_cannot_be_steered_and_the_screen_says_why(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"), kind="planner")
    shown = []
    monkeypatch.setattr(app, "message", lambda title, text: shown.append((title, text)))
    key(app, pygame.K_g)
    assert not scene.steer_panel.open
    assert shown and "cannot be steered" in shown[0][1]


def test_steering_is_off_before_a_prediction(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    key(app, pygame.K_g)
    slide(app, scene.steer_panel, 3.0)
    frames(app, 1)
    assert scene.session.steering.active
    key(app, pygame.K_k)  # predict first: the agent itself plays the episodes the class predicts
    frames(app, 2)
    assert scene.session.sealed and not scene.session.steering.active and not scene.steer_panel.open
    key(app, pygame.K_g)  # and G does nothing until the prediction is made
    assert not scene.steer_panel.open


def test_a_long_level_name_never_hides_that_the_agent_is_steered(app, monkeypatch):
    """The title row is shared with buttons: a long name gave up "(steered)" at its end. Now " distribution" goes
    first, then the name is shortened; the state always shows, and the text fits its label."""
    level = builtin_level("green_means_go").model_copy(update={"name": "Green means go, with a very long name " * 2})
    scene = lab_with(app, monkeypatch, level)
    key(app, pygame.K_g)
    slide(app, scene.steer_panel, -1.0)
    frames(app, 1)
    title = scene.title
    assert title.text.endswith(": deployment (steered)") and "..." in title.text
    assert title.font.size(title.text)[0] <= title.relative_rect.w


def test_each_episodes_own_vector_steers_every_world_by_its_own_level(app, monkeypatch):
    from agents.steering import Steer, steered
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session, live = scene.session, scene.session.live["deployment"]
    live.decisions_per_second = 1000.0  # episodes end within a few frames
    key(app, pygame.K_a)  # arrows
    key(app, pygame.K_g)
    panel = scene.steer_panel
    choose(app, panel.whose, "each episode's own")
    slide(app, panel, -1.0)
    frames(app, 1)
    steering = session.steering
    assert steering.choice.each and steering.active and not live.counted
    own = steering._own[2]
    assert live.policy.network is own.network and live.follows == own.refresh
    # each world's arrows are its own copy's, steered by its own variant's row
    variants = live.env.batch.variants
    for i in (0, 1):
        drawn = scene.world_view._maps_for(live, i)
        expected = value_and_policy_maps(
            steered(session.network, Steer(steering.choice.layer, own.row(variants[i]), -1.0)), session.level,
            live.worlds, i, session.settings.agent.view, session.settings.agent.radius)
        assert np.array_equal(drawn[1], expected[1])
    assert session.shown_network(0) is not session.shown_network(1)
    # a world whose episode starts again plays its new variant's row, and nothing is counted
    counted, started = session.tally.total, list(variants)
    for _ in range(200):
        frames(app, 1)
        if any(a is not b for a, b in zip(live.env.batch.variants, started)):
            break
    k = next(k for k, (a, b) in enumerate(zip(live.env.batch.variants, started)) if a is not b)
    frames(app, 1)  # the next decision takes the row first
    torch.testing.assert_close(own.rows[k], own.row(live.env.batch.variants[k]))
    assert session.tally.total == counted


def test_the_split_has_no_own_vector_and_the_window_says_so(app, monkeypatch):
    scene = lab_with(app, monkeypatch, builtin_level("green_means_go"))
    session = scene.session
    shown = []
    monkeypatch.setattr(app, "message", lambda title, text: shown.append((title, text)))
    key(app, pygame.K_g)
    panel = scene.steer_panel
    choose(app, panel.contrast, "the level at training vs at deployment")
    choose(app, scene.steer_panel.whose, "each episode's own")
    frames(app, 2)
    assert not session.steering.choice.each and scene.steer_panel.open
    assert scene.steer_panel.whose.selected_option[0].startswith("one variant")
    assert any("own vector" in text for _, text in shown) or any(
        "own vector" in text for _, text in session.notices)
