"""The lessons beyond goal misgeneralization: predictions per condition (Only while watched), a planner's reward
map (The optimizer inside, Evolution's sweet tooth) and a steered agent (A vector for green)."""
import re

import pygame

from agents.evaluation import OutcomeTally
from game.paths import asset
from game.session.lesson import LessonRun, load_lesson
from game.world.events import EpisodeReport
from ui_helpers import key

LESSONS = asset("lessons")


def test_each_prediction_is_kept_apart_and_each_reveal_answers_the_one_that_asked_the_same():
    from agents.evaluation import ConditionCount
    from game.session.lesson_shares import did_shares
    lesson = load_lesson(LESSONS / "only_while_watched.json")
    run = LessonRun(lesson)
    kinds = [s.do for s in run.steps]
    first, second = [k for k, do in enumerate(kinds) if do == "predict"]
    reveals = [k for k, do in enumerate(kinds) if do == "reveal"]
    run.index = first
    run.predict(1)  # unwatched: the shortcut
    run.index = second
    assert run.votes == [0, 0, 0] and run.question.startswith("Watched")
    run.count(0, 20)
    run.count(1, 5)
    counts = {"watched": ConditionCount(), "unwatched": ConditionCount()}
    for watched, shortcut in ((True, False),) * 9 + ((True, True),) + ((False, True),) * 3 + ((False, False),):
        counts["watched" if watched else "unwatched"].add(
            EpisodeReport("goal", 9, 0.8, 9, {"took the shortcut": 2 if shortcut else -1}, "goal", None, (),
                          (watched,)))
    run.index = reveals[0]
    assert run.step.when == "unwatched" and run.votes == [0, 1, 0] and run.predicted
    did, episodes = did_shares(lesson.level, "unwatched", OutcomeTally(), counts)
    assert episodes == 4 and [round(r[2], 2) for r in run.reveal(did)] == [0.25, 0.75, 0.0]
    run.index = reveals[1]
    did, episodes = did_shares(lesson.level, "watched", OutcomeTally(), counts)
    assert episodes == 10 and [(r[1], round(r[2], 2)) for r in run.reveal(did)] == [(0.8, 0.9), (0.2, 0.1), (0.0, 0.0)]


def test_the_optimizer_inside_reveals_the_shipped_planners_map_and_the_map_follows_the_dragged_gem(app, monkeypatch):
    """With the real shipped planner: its reward map is hidden until the class predicts, the reveal measures where
    the map is strongest (on the green gem), and at the drag step the map's strongest cell follows the gem."""
    import numpy as np
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from test_what_if import drag
    from ui_helpers import click, frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.open_lesson(load_lesson(LESSONS / "the_optimizer_inside.json"))
    frames(app, 2)
    scene = app.scene
    bar, run, session = scene.lesson_bar, scene.lesson, scene.session
    while run.step.do != "predict":
        key(app, pygame.K_RIGHT)
    assert session.network.kind == "planner" and session.sealed and not scene.measured_visible()
    assert bar.question.text == "Where is its map strongest?"
    click(app, bar.answers[1])  # the green gem
    key(app, pygame.K_RIGHT)
    assert run.step.do == "deploy" and scene.world_view.overlay["reward"]
    frames(app, 2)
    assert scene.measured_visible()  # the map is on screen once the class has predicted
    key(app, pygame.K_RIGHT)
    assert run.step.do == "reveal" and bar.shows_outcomes
    text = bar.outcomes.html_text
    assert "<b>Predicted / its map</b>, over 200 fresh variants" in text
    assert float(text.split("went to the green thing: 100% / <b>")[1].split("%")[0]) >= 80
    key(app, pygame.K_RIGHT)
    assert run.step.title == "Drag the gem" and scene.world_view.overlay["arrows"]
    live = session.live["deployment"]
    gem = next(k for k, e in enumerate(live.worlds.table.entities) if e.id == "lookalike")
    i = next(i for i in range(live.env.num_envs) if live.worlds.alive[i, gem])
    start = tuple(int(v) for v in live.worlds.cells[i, gem])
    agent = tuple(int(v) for v in live.worlds.agent_cell[i])
    target = next(c for c in [(2, 2), (8, 8), (2, 8), (8, 2)] if c not in (start, agent)
                  and not live.worlds.tiles[i][c[1], c[0]])  # a floor cell away from the agent and the gem
    drag(app, scene, i, start, target)
    assert tuple(int(v) for v in live.worlds.cells[i, gem]) == target
    reward = scene.world_view._reward(live, i)
    strongest = np.unravel_index(np.nanargmax(reward), reward.shape)
    assert (int(strongest[1]), int(strongest[0])) == target  # its map wants the gem wherever it is put


def at_the_steered_question(app, monkeypatch, name: str):
    """A steering lesson (its shipped agent), moved on to the question asked of the steered agent."""
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.open_lesson(load_lesson(LESSONS / f"{name}.json"))
    frames(app, 2)
    scene = app.scene
    run = scene.lesson
    while not (run.step.do == "predict" and run.state().steer is not None):
        key(app, pygame.K_RIGHT)
    assert scene.lesson_bar.question.text == "Steered: what will it do?" and not scene.measured_visible()
    return scene


def answer_watch_and_reveal(app, scene, answer: int) -> str:
    """Answer the question, watch the steered episodes (none is counted), and return the measured reveal."""
    from ui_helpers import click, frames, run_until
    bar, session = scene.lesson_bar, scene.session
    click(app, bar.answers[answer])
    key(app, pygame.K_RIGHT)
    assert scene.lesson.step.do == "deploy" and not session.sealed
    frames(app, 30)
    assert session.tally.total == 0  # steered episodes play, uncounted
    key(app, pygame.K_RIGHT)
    assert run_until(app, lambda: bar.shows_outcomes, 120)
    text = bar.outcomes.html_text
    assert re.search(r"<b>Predicted / steered \(before\)</b>, over 100 variants \(±\d+\spoints\)", text), text
    return text


def steered_share(text: str, outcome: str) -> tuple[float, float]:
    """A steered reveal's row: (steered %, the same variants unsteered %)."""
    row = text.split(outcome + ": ")[1].split("<b>")[1]
    return float(row.split("%")[0]), float(row.split("(")[1].split("%")[0])


def test_a_vector_for_green_asks_again_for_the_steered_agent_and_reveals_it_beside_the_same_variants_unsteered(
        app, monkeypatch):
    """With the shipped convolutional agent: after the first reveal the green vector is subtracted, the worlds are
    sealed again for a second prediction, steered episodes are never counted, and the reveal measures the steered
    agent (it goes for green far less) beside the same variants unsteered."""
    scene = at_the_steered_question(app, monkeypatch, "a_vector_for_green")
    session = scene.session
    assert session.sealed and session.steering.active and "(steered)" in scene.title.text
    text = answer_watch_and_reveal(app, scene, 0)  # the flag, now that green is gone
    steered, before = steered_share(text, "went to the green thing")
    assert steered <= before / 2  # the shipped seed 1: 82 -> 22 % over 300 variants (docs/steering.md)
    key(app, pygame.K_RIGHT)
    assert not session.steering.active and "(steered)" not in scene.title.text  # the vector is taken off again


def test_a_vector_for_green_retargets_its_agent_to_a_marked_cell_and_reveals_how_often_it_ended_there(
        app, monkeypatch):
    """The lesson's last round: one channel tracking the green gem is clamped at (1, 9), the cell is marked on every
    world from the question on, the steered episodes are not counted, and the reveal says how often the episodes
    ended there, retargeted and as it was, on the same variants."""
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from game.scenes.lab.world_view import CLAMPED_RGB
    from ui_helpers import click, frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.open_lesson(load_lesson(LESSONS / "a_vector_for_green.json"))
    frames(app, 2)
    scene = app.scene
    bar, run, session = scene.lesson_bar, scene.lesson, scene.session
    while not (run.step.do == "predict" and run.state().steer is not None and run.state().steer.retarget):
        key(app, pygame.K_RIGHT)
    choice = session.steering.choice
    assert session.sealed and session.steering.active and choice.target == (1, 9) and choice.channel is not None
    assert choice.layer == "conv 2" and choice.coefficient == 0 and "(steered)" in scene.title.text
    assert bar.question.text == "Retargeted: what will it do?" and not scene.measured_visible()
    view = scene.world_view

    def marked_pixels() -> int:
        frames(app, 1)
        (ox, oy), cell = view.origins[0], view.cell
        left, top = int(ox + 1 * cell), int(oy + 9 * cell)
        return sum(app.surface.get_at((x, y))[:3] == CLAMPED_RGB
                   for x in range(left, left + int(cell)) for y in range(top, top + int(cell)))
    assert marked_pixels() > 0  # the question shows where the channel is clamped
    click(app, bar.answers[-1])  # something else: the marked cell
    key(app, pygame.K_RIGHT)
    frames(app, 30)
    assert session.tally.total == 0  # retargeted episodes play, uncounted
    key(app, pygame.K_RIGHT)
    assert run_until(app, lambda: bar.shows_outcomes, 120)
    text = bar.outcomes.html_text
    assert text.split("<br>")[1].startswith("ended on the marked cell (1, 9): <b>")  # first, above the choices
    ended = text.split("ended on the marked cell (1, 9): <b>")[1]
    retargeted, before = float(ended.split("%")[0]), float(ended.split("(")[1].split("%")[0])
    assert retargeted >= 50 and before <= 10  # the shipped seed 1: 76 % and 2 % (the same 100 variants)
    key(app, pygame.K_RIGHT)
    assert not session.steering.active and marked_pixels() == 0  # the clamp is taken off, and its mark


def test_a_vector_for_cheese_steers_every_episode_by_its_own_mazes_vector_and_reveals_it_measured_the_same_way(
        app, monkeypatch):
    """The cheese lesson's steered round: each deployment world subtracts the cheese vector of its own maze (a new
    row when its episode starts again), no steered episode is counted, and the reveal measures the same steering on
    100 variants beside them unsteered: the shipped seed 2 finds the cheese far less often, and goes to the corner
    more."""
    scene = at_the_steered_question(app, monkeypatch, "a_vector_for_cheese")
    session, live = scene.session, scene.session.live["deployment"]
    choice = session.steering.choice
    assert session.sealed and choice.each and choice.layer == "conv 2" and choice.coefficient == -1
    own = session.steering._own[2]
    assert live.policy.network is own.network and live.follows == own.refresh
    text = answer_watch_and_reveal(app, scene, 1)  # the corner
    cheese, cheese_before = steered_share(text, "the intended goal")
    corner, corner_before = steered_share(text, "reached the top-right corner")
    assert cheese <= 0.7 * cheese_before and corner > corner_before + 5
    key(app, pygame.K_RIGHT)
    assert not session.steering.active and live.follows is None  # the vector is taken off again


def test_a_lesson_steering_a_layer_its_agent_has_not_got_says_so_and_steers_the_middle_one(app, tmp_path):
    import json
    from ui_helpers import frames
    path = tmp_path / "steer_elsewhere.json"
    path.write_text(json.dumps({
        "format": "mesa-sandbox-lesson", "version": 1, "title": "T", "level": "green_means_go",
        "steps": [{"do": "agent", "seed": 0, "text": "the reactive agent"},
                  {"do": "level", "split": "deployment", "text": "x",
                   "steer": {"contrast": "proxy", "coefficient": -1, "layer": "conv 3"}},
                  {"do": "predict", "text": "?"}, {"do": "deploy", "text": "watch"}]}))
    app.open_lesson(load_lesson(path))
    frames(app, 2)
    scene = app.scene
    key(app, pygame.K_RIGHT)
    session = scene.session
    assert session.steering.active and session.steering.choice.layer == "hidden 1"  # the reactive network's middle
    assert "which this agent has not got (its layers: hidden 1, hidden 2)" in session.status_override
