"""Moving things in a paused live world: what may go where, what the agent would do now, where it ends up from
every start cell; and the drag itself in the headless lab screen."""
import numpy as np
import pygame
import torch

from levels import builtin_level

from agents.envs import LevelVecEnv
from agents.policy import Policy, PolicySnapshot
from game.session import what_if
from game.session.maps import value_and_policy_maps

from ui_helpers import frames, key

LEFT = 3


def always(action: int, obs_size: int, seed: int = 0) -> Policy:
    """A network that prefers one move everywhere (its value still depends on what it sees)."""
    torch.manual_seed(seed)
    network = Policy(obs_size, 5, 32)
    with torch.no_grad():
        network.actor.weight.zero_()
        network.actor.bias.zero_()
        network.actor.bias[action] = 20.0
    return network.eval()


def grid_env(level="template_grid"):
    env = LevelVecEnv(builtin_level(level), "deployment", 4, seed=0)
    env.reset(seed=0)
    return env


def coin_index(env):
    return next(e for e, entity in enumerate(env.batch.worlds.table.entities) if entity.kind == "coin")


def test_what_stands_where_and_where_things_may_not_go():
    env = grid_env()
    worlds = env.batch.worlds
    agent, coin = tuple(worlds.agent_cell[0]), tuple(worlds.cells[0, coin_index(env)])
    assert what_if.thing_at(worlds, 0, agent) == what_if.AGENT
    assert what_if.thing_at(worlds, 0, coin) == coin_index(env)
    assert what_if.thing_at(worlds, 0, (4, 3)) is None
    assert "wall" in what_if.refusal(worlds, 0, what_if.AGENT, (0, 0))
    assert "outside" in what_if.refusal(worlds, 0, what_if.AGENT, (-1, 3))
    assert "already there" in what_if.refusal(worlds, 0, what_if.AGENT, coin)
    assert "already there" in what_if.refusal(worlds, 0, coin_index(env), agent)
    assert what_if.refusal(worlds, 0, what_if.AGENT, agent) is None  # staying put is fine
    assert what_if.refusal(worlds, 0, coin_index(env), (4, 3)) is None


def test_moving_the_coin_changes_what_the_agent_sees_and_the_episode_goes_on():
    env = grid_env()
    worlds, c = env.batch.worlds, coin_index(env)
    env.step(np.zeros(4, dtype=np.int64))
    t = int(env.batch.book.t[0])
    before = env.obs_builder.build()[0].copy()
    what_if.move(env, 0, c, (4, 3))
    assert tuple(worlds.cells[0, c]) == (4, 3) and worlds.alive[0, c]
    assert env.batch.book.t[0] == t  # the same episode, at the same time
    assert not np.array_equal(env.obs_builder.build()[0], before)
    what_if.move(env, 0, what_if.AGENT, (3, 3))
    assert tuple(worlds.agent_cell[0]) == (3, 3)


def test_the_next_moves_follow_the_move_it_prefers():
    env = grid_env()
    network = always(LEFT, env.obs_spec.size)
    what_if.move(env, 0, coin_index(env), (8, 1))
    what_if.move(env, 0, what_if.AGENT, (6, 3))
    path = what_if.next_moves(network, what_if.WorldCopy.of(env, 0), steps=8)
    cells = [(int(x), int(y)) for x, y in path]
    assert cells[:6] == [(6, 3), (5, 3), (4, 3), (3, 3), (2, 3), (1, 3)]
    assert set(cells[6:]) == {(1, 3)}  # then it stays against the wall


def test_from_every_start_a_left_walker_ends_at_the_left_wall_unless_the_coin_is_on_its_way():
    env = grid_env()
    network = always(LEFT, env.obs_spec.size)
    what_if.move(env, 0, coin_index(env), (3, 2))
    found = what_if.where_it_goes(network, what_if.WorldCopy.of(env, 0))
    assert len(found.starts) == 8 * 6 - 1  # every open cell but the coin's
    for (x, y), outcome, agree in zip(found.starts, found.outcome, found.agreement):
        expected = "goal" if (y == 2 and x > 3) else "timeout"
        assert (outcome, agree) == (expected, 1.0), (x, y)
    ends = {tuple(e) for e in found.ends}
    assert ends <= {(1, y) for y in range(1, 7)} | {(3, 2)}  # the wall, or the coin it walked onto


def test_destinations_are_worked_out_once_per_layout_in_the_background():
    env = grid_env()
    network = always(LEFT, env.obs_spec.size)
    found = what_if.WhatIf()
    try:
        assert found.destinations(network, env, 0) is None  # being worked out
        found.wait()
        first = found.destinations(network, env, 0)
        assert first is not None and first.episodes > 0
        assert found.destinations(network, env, 0) is first  # the same layout: not again
        what_if.move(env, 0, coin_index(env), (4, 3))
        assert found.destinations(network, env, 0) is None  # a new layout: worked out again
        found.wait()
        assert found.destinations(network, env, 0) is not first
    finally:
        found.close()


def test_an_edited_episode_is_not_counted_as_a_deployment_episode():
    from game.session.live import LiveEpisodes
    live = LiveEpisodes(builtin_level("template_grid"), "deployment", 4, seed=0)
    live.set_policy(always(LEFT, live.env.obs_spec.size))
    assert live.move(0, what_if.AGENT, (1, 1)) is None
    for _ in range(200):  # one decision at a time, until world 0's edited episode has ended
        edited, before = live.edited.copy(), len(live.finished)
        live.update(1 / live.decisions_per_second)
        ended = [i for i, _ in live.env.reports]
        assert len(live.finished) - before == sum(not edited[i] for i in ended)
        if 0 in ended:
            break
    assert 0 in ended and not live.edited[0]


def lab_with_a_network(app, monkeypatch, level):
    """The deployment view of `level` watching an untrained (random but fixed) network."""
    from agents.worker import TrainingThread
    from agents.observation import ObservationSpec
    from game.scenes.lab import LabScene
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, level))
    scene = app.scene
    session = scene.session
    spec = ObservationSpec.for_level(level, session.settings.agent.view, session.settings.agent.radius)
    torch.manual_seed(3)
    network = Policy(spec.size, 5, session.settings.agent.hidden)
    session.adopt(PolicySnapshot.of(network, spec, session.settings.agent.hidden, 0, 0), session.settings, [], "test")
    scene.command("deployment")
    frames(app, 2)
    return scene


def screen_pos(scene, i, cell):
    ox, oy = scene.world_view.origins[i]
    size = scene.world_view.cell
    return int(ox + (cell[0] + 0.5) * size), int(oy + (cell[1] + 0.5) * size)


def drag(app, scene, i, start, end):
    """Press on `start`, move over to `end` cell by cell in one frame, let go in the next."""
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=screen_pos(scene, i, start), button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=screen_pos(scene, i, end), rel=(0, 0),
                                         buttons=(1, 0, 0)))
    frames(app, 1)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=screen_pos(scene, i, end), button=1))
    frames(app, 1)


def test_dragging_the_coin_pauses_and_the_overlays_follow_in_the_same_frame(app, monkeypatch):
    scene = lab_with_a_network(app, monkeypatch, builtin_level("template_grid"))
    session = scene.session
    live = session.live["deployment"]
    key(app, pygame.K_v)  # values
    key(app, pygame.K_a)  # arrows
    c = next(e for e, entity in enumerate(live.worlds.table.entities) if entity.kind == "coin")
    coin = tuple(int(v) for v in live.worlds.cells[1, c])
    target = (4, 3) if coin != (4, 3) else (5, 3)
    before = session.what_if.maps(session.network, live.env, 1)[0].copy()
    drag(app, scene, 1, coin, target)
    assert session.paused and "(paused)" in scene.title.text
    assert tuple(live.worlds.cells[1, c]) == target
    values, actions = session.what_if.maps(session.network, live.env, 1)
    fresh = value_and_policy_maps(session.network, session.level, live.worlds, 1, session.settings.agent.view,
                                  session.settings.agent.radius)
    np.testing.assert_array_equal(values, fresh[0])  # what is drawn is this layout's map
    np.testing.assert_array_equal(actions, fresh[1])
    assert not np.allclose(np.nan_to_num(values), np.nan_to_num(before))
    session.what_if.wait()  # the next moves are worked out on a thread, from a copy of the world
    path = session.what_if.path(session.network, live.env, 1)
    assert path == what_if.next_moves(session.network, what_if.WorldCopy.of(live.env, 1), what_if.TRAIL_MOVES)
    # Paused: the live episodes stand still until P.
    t = int(live.env.batch.book.t[1])
    frames(app, 30)
    assert live.env.batch.book.t[1] == t
    key(app, pygame.K_p)
    assert not session.paused


def test_a_drag_onto_a_wall_is_refused_with_the_reason_and_moves_nothing(app, monkeypatch):
    scene = lab_with_a_network(app, monkeypatch, builtin_level("template_grid"))
    live = scene.session.live["deployment"]
    agent = tuple(int(v) for v in live.worlds.agent_cell[2])
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=screen_pos(scene, 2, agent), button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=screen_pos(scene, 2, (0, agent[1])), rel=(0, 0),
                                         buttons=(1, 0, 0)))
    frames(app, 1)
    assert tuple(live.worlds.agent_cell[2]) == agent
    assert scene.world_view.refused is not None and "wall" in scene.world_view.refused[2]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=screen_pos(scene, 2, agent), button=1))
    frames(app, 1)
    assert scene.world_view.refused is None


def test_where_would_it_go_draws_after_a_drag_in_a_physics_world_too(app, monkeypatch):
    scene = lab_with_a_network(app, monkeypatch, builtin_level("template_topdown"))
    session = scene.session
    live = session.live["deployment"]
    agent = tuple(int(v) for v in live.worlds.agent_cell[0])
    free = what_if.start_cells(live.worlds, 0)
    target = tuple(int(v) for v in free[np.abs(free - np.array(agent)).sum(1).argmax()])
    key(app, pygame.K_a)
    drag(app, scene, 0, agent, target)
    assert tuple(live.worlds.agent_cell[0]) == target
    key(app, pygame.K_w)
    session.what_if.wait()
    frames(app, 2)
    found = session.what_if.destinations(session.network, live.env, 0)
    assert found is not None and found.episodes == len(found.starts) > 0 and session.what_if.problem is None
