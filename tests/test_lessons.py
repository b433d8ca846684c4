"""Lessons: the files load (and hostile ones are refused in words), a lesson's steps put the screen in the same state
whether reached by Next, Back or resuming, a prediction is kept and shown beside the outcomes, and the shipped
lessons autoplay to their end headless without training anything."""
import json

import pygame
import pytest

from levels import builtin_level

from agents.evaluation import OutcomeTally
from game.paths import asset
from game.session.lesson import SOMETHING_ELSE, TOPICS, LessonError, LessonRun, lessons_in, load_lesson
from game.session.lesson_shares import outcome_shares
from game.session.lesson_record import LessonProgress
from game.world.events import EpisodeReport

LESSONS = asset("lessons")


def lesson_file(tmp_path, steps, **top):
    data = {"format": "mesa-sandbox-lesson", "version": 1, "title": "A test", "level": "green_means_go",
            "steps": steps, **top}
    path = tmp_path / "test_lesson.json"
    path.write_text(json.dumps(data))
    return path


def test_the_shipped_lessons_load_in_order_and_cover_the_published_cases_and_the_fix():
    found = lessons_in(LESSONS)
    assert [f.name for f in found] == ["coin_at_the_end", "cheese_in_the_corner", "green_means_go",
                                       "the_diversity_fix", "follow_the_leader", "the_optimizer_inside",
                                       "a_vector_for_green", "a_vector_for_cheese",
                                       "evolutions_sweet_tooth", "only_while_watched"]
    assert {f.lesson.topic for f in found} == set(TOPICS)  # a lesson for every idea of the course
    for lesson in found:
        kinds = [s.do for s in lesson.lesson.steps]
        assert "predict" in kinds and "reveal" in kinds and kinds.index("predict") < kinds.index("reveal")
        assert all(s.text for s in lesson.lesson.steps) and any(s.idea for s in lesson.lesson.steps)


@pytest.mark.parametrize("change, words", [
    ({"steps": [{"do": "dance"}]}, "steps[0].do"),
    ({"steps": []}, "steps"),
    ({"version": 7}, "version 7"),
    ({"format": "something"}, "not a lesson file"),
    ({"level": "../../etc/passwd"}, "neither a built-in level"),
    ({"level": "no_such_level"}, "neither a built-in level"),
    ({"steps": [{"do": "card", "text": "x", "colour": "red"}]}, "steps[0].colour"),
    ({"steps": [{"do": "agent", "seed": -1}]}, "steps[0].seed"),
    ({"steps": [{"do": "card", "text": "x", "seconds": True}]}, "steps[0].seconds"),  # true is not a number of seconds
    ({"steps": [{"do": "card", "text": "x", "seconds": "5"}]}, "steps[0].seconds"),
    ({"steps": [{"do": "agent", "kind": "brain"}]}, "steps[0].kind"),
    ({"steps": [{"do": "agent", "optimizer": "gradient ascent"}]}, "steps[0].optimizer"),
    ({"steps": [{"do": "predict", "question": "?" * 81}]}, "steps[0].question"),
    ({"steps": [{"do": "predict", "asks": "its dreams"}]}, "steps[0].asks"),
    ({"steps": [{"do": "card", "steer": {"contrast": "proxy"}}]}, "steps[0].steer.coefficient"),
    ({"topic": "astrology"}, "topic"),
    ({"steps": [{"do": "card", "text": "x", "when": "watched"}]}, '"when" belongs on a predict or reveal step'),
    ({"steps": [{"do": "agent"}, {"do": "predict", "when": "watched"}]}, "its rules apply whoever is present"),
    ({"level": "only_while_watched", "steps": [{"do": "agent"}, {"do": "predict", "when": "Watched"}]},
     "not a condition of this level (its conditions: unwatched, watched)"),
    ({"steps": [{"do": "agent"}, {"do": "predict", "asks": "its reward map"}]}, "is not a shipped planner"),
    ({"steps": [{"do": "agent", "kind": "planner"}, {"do": "predict"}, {"do": "reveal", "asks": "its reward map"}]},
     "steps[2] (reveal \"\"): no prediction before it asks the same"),
    ({"steps": [{"do": "agent"}, {"do": "level", "split": "deployment", "show": ["heatmap"]}, {"do": "predict"}]},
     "steps[1] (level \"\"): \"show\" turns on what the agent does at deployment, before the prediction"),
    ({"steps": [{"do": "predict", "show": ["x-ray"]}]}, "steps[0].show"),
    ({"steps": [{"do": "agent", "kind": "planner"}, {"do": "card", "steer": {"contrast": "proxy", "coefficient": -1}}]},
     "not a shipped reactive or conv agent"),
    ({"steps": [{"do": "agent"}, {"do": "card", "steer": {"contrast": "cheese", "coefficient": -1}}]},
     "steps[1].steer.contrast"),
    ({"steps": [{"do": "agent"}, {"do": "card", "steer": {"contrast": "proxy", "coefficient": -9}}]},
     "steps[1].steer.coefficient"),
    ({"level": "coin_at_the_end", "steps": [{"do": "agent"}, {"do": "card", "steer": {"contrast": "goal",
                                                                                       "coefficient": 1}}]},
     "steering works on grid levels"),
    ({"level": "template_grid", "steps": [{"do": "agent"}, {"do": "card", "steer": {"contrast": "goal",
                                                                                     "coefficient": 1}}]},
     "which name one proxy: this level has 0"),
    ({"steps": [{"do": "agent"}, {"do": "predict"}, {"do": "deploy", "steer": {"contrast": "proxy", "coefficient": -1}},
                {"do": "reveal"}]}, "steps[3] (reveal \"\"): no prediction before it asks the same"),
    ({"steps": [{"do": "agent"}, {"do": "card", "steer": {"coefficient": 0, "retarget": {"cell": [1, 9]}}}]},
     "the agent at this step must be of kind conv"),
    ({"steps": [{"do": "agent", "kind": "conv", "seed": 1},
                {"do": "card", "steer": {"coefficient": 0, "retarget": {"cell": [0, 9]}}}]},
     "the retarget cell [0, 9] is not an open cell of the level"),
    ({"steps": [{"do": "agent", "kind": "conv", "seed": 1},
                {"do": "card", "steer": {"coefficient": 0, "retarget": {"cell": [1, 99]}}}]},
     "the retarget cell [1, 99] is not an open cell of the level"),
    ({"steps": [{"do": "card", "steer": {"coefficient": 0, "retarget": {"cell": [1, "9"]}}}]},
     "steps[0].steer.retarget.cell"),
    ({"steps": [{"do": "card", "steer": {"coefficient": 0, "retarget": {"cell": [1, 9], "tracks": "cheese"}}}]},
     "steps[0].steer.retarget.tracks"),
    ({"steps": [{"do": "card", "steer": {"coefficient": -1, "each": "yes"}}]}, "steps[0].steer.each"),
    ({"steps": [{"do": "agent", "kind": "conv", "seed": 1},
                {"do": "card", "steer": {"contrast": "split", "coefficient": -1, "each": True}}]},
     "the contrast must be \"goal\" or \"proxy\", not \"split\""),
])
def test_a_bad_lesson_file_is_refused_with_where_and_what(tmp_path, change, words):
    data = {"format": "mesa-sandbox-lesson", "version": 1, "title": "T", "level": "green_means_go",
            "steps": [{"do": "card", "text": "hello"}], **change}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    assert words in str(refused.value)


def test_a_lesson_that_is_not_json_or_too_deep_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b"\xff\xfe garbage")
    with pytest.raises(LessonError, match="UTF-8"):
        load_lesson(path)
    path.write_text("[" * 100 + "]" * 100)
    with pytest.raises(LessonError, match="nests"):
        load_lesson(path)


def test_each_step_has_one_screen_state_and_the_prediction_meets_the_outcomes(tmp_path):
    run = LessonRun(load_lesson(LESSONS / "green_means_go.json"))
    kinds = [s.do for s in run.steps]
    states = [run.state(k) for k in range(len(kinds))]
    predict, deploy, reveal = kinds.index("predict"), kinds.index("deploy"), kinds.index("reveal")
    assert states[0].agent is None and states[0].split == "training"
    assert states[predict].split == "deployment" and states[predict].paused and states[predict].agent
    assert not states[deploy].paused and states[reveal].evaluate
    assert run.choices[-1] == SOMETHING_ELSE and "went to the green thing" in run.choices
    run.index = predict
    run.predict(1)
    assert run.votes == [0, 1, 0]
    run.count(0, 12)
    run.count(1, 18)
    tally = OutcomeTally()
    for outcome, proxy in [("goal", None)] * 2 + [("proxy", "went to the green thing")] * 7 + [("timeout", None)]:
        tally.add(EpisodeReport(outcome, 5, 0.0, -1, {}, None, proxy))
    run.index = reveal  # the reveal answers that prediction
    rows = run.reveal(outcome_shares(run.lesson.level, tally))
    assert [round(r[2], 2) for r in rows] == [0.2, 0.7, 0.1]
    assert [round(r[1], 2) for r in rows] == [0.4, 0.6, 0.0]


@pytest.mark.parametrize("kinds, step", [
    (["agent", "deploy", "predict", "reveal"], "steps[1] (deploy"),
    (["agent", "reveal", "predict"], "steps[1] (reveal"),
    (["agent", "predict", "deploy", "agent", "deploy", "predict", "reveal"], "steps[4] (deploy"),
])
def test_a_lesson_that_shows_deployment_before_its_prediction_is_refused_naming_the_step(tmp_path, kinds, step):
    path = lesson_file(tmp_path, [{"do": kind, "title": kind.title(), "text": "."} for kind in kinds])
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    assert step in str(refused.value) and "before the prediction" in str(refused.value)


def test_a_deployment_level_before_the_prediction_is_sealed_and_after_it_is_not():
    run = LessonRun(load_lesson(LESSONS / "cheese_in_the_corner.json"))
    kinds = [s.do for s in run.steps]
    sealed = [run.state(k).sealed for k in range(len(kinds))]
    predict = kinds.index("predict")
    assert run.state(predict - 1).split == "deployment" and sealed[predict - 1]  # "The cheese moves": at the starts
    assert all(sealed[:predict + 1]) and not any(sealed[predict + 1:])


def test_progress_is_kept_per_lesson(tmp_path):
    progress = LessonProgress(tmp_path / "lessons.json")
    assert progress.step("green_means_go") == 0
    progress.save("green_means_go", 4)
    progress.save("coin_at_the_end", 2)
    progress.save("coin_at_the_end", 0)  # finished: forgotten
    assert LessonProgress(tmp_path / "lessons.json").load() == {"green_means_go": 4}
    (tmp_path / "lessons.json").write_text("not json")
    assert progress.step("green_means_go") == 0  # a damaged file is a fresh start, not a crash


def key(app, k):
    from ui_helpers import frames
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    frames(app, 2)


def test_a_lesson_steps_through_with_keys_keeps_the_prediction_and_resumes_where_it_was_left(app, shipped_agents,
                                                                                             monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import click, frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    lesson = load_lesson(LESSONS / "green_means_go.json")
    app.open_lesson(lesson)
    frames(app, 2)
    scene = app.scene
    bar, run, session = scene.lesson_bar, scene.lesson, scene.session
    assert run.index == 0 and session.network is None and not bar.back.is_enabled
    assert "Reach the flag" in bar.text.html_text and "step 1 of 7" in bar.counter.text
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_PAGEDOWN)  # a clicker
    assert run.step.do == "agent" and session.network is not None  # loaded at once, nothing trained
    assert bar.live.visible and not session.training.active
    key(app, pygame.K_RIGHT)
    assert run.step.do == "predict" and session.split == "deployment" and session.paused
    assert all(b.visible for b in bar.answers) and len(bar.answers) == 3
    assert session.sealed  # no trail of next moves, no overlay, no counts, before the prediction
    assert not scene.measured_visible() and session.deployment_shown == 0
    click(app, bar.answers[1])
    assert run.votes == [0, 1, 0] and bar.answers[1].is_selected
    key(app, pygame.K_RIGHT)
    assert run.step.do == "deploy" and not session.paused and not bar.answers[0].visible
    assert not session.sealed
    key(app, pygame.K_RIGHT)
    assert run.step.do == "reveal"
    assert run_until(app, lambda: bar.shows_outcomes, 90)  # the evaluation is in and on screen
    assert "went to the green thing: 100% / <b>" in bar.outcomes.html_text and bar.outcomes.visible
    key(app, pygame.K_PAGEUP)
    assert run.step.do == "deploy"
    app.open("home")  # left in the middle...
    frames(app, 2)
    app.open_lesson(lesson)  # ...and resumed there, with the screen as that step has it
    frames(app, 2)
    assert app.scene.lesson.step.do == "deploy" and app.scene.session.split == "deployment"
    assert app.scene.session.network is not None


def test_train_it_live_instead_starts_the_learner(app, shipped_agents, monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import click, frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.open_lesson(load_lesson(LESSONS / "green_means_go.json"))
    frames(app, 2)
    scene = app.scene
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RIGHT)
    click(app, scene.lesson_bar.live)
    assert scene.session.training.active
    scene.session.stop_training()


# Each lesson autoplays in one of the tightest windows a class has, its layout checked at every step: the smallest
# window, and projector mode at 1280x720 and 1024x768 (the lesson bar's "step 10 of 17" and the candidates' "(your
# proxy)" were cut at 960x640, the shares by condition in projector mode).
WINDOWS = [((1280, 720), True), ((960, 640), False), ((1024, 768), True)]


@pytest.mark.parametrize("name", [f.name for f in lessons_in(LESSONS)])
def test_every_lesson_autoplays_to_its_end_and_quits_without_training(shipped_agents, monkeypatch, tmp_path, request,
                                                                      name):
    import io
    import time
    from game.app import App
    from game.session.lesson_record import LessonTrace
    from ui_helpers import check_layout
    quick_autoplay(monkeypatch)
    monkeypatch.setenv("MESA_SANDBOX_DATA", str(tmp_path / "data"))
    size, projector = WINDOWS[[f.name for f in lessons_in(LESSONS)].index(name) % len(WINDOWS)]
    app = App(size, projector=projector)
    request.addfinalizer(pygame.quit)
    trace = io.StringIO()
    app.open_lesson(load_lesson(LESSONS / f"{name}.json"), autoplay=True, once=True, trace=LessonTrace(trace))
    scene, seen, deadline, frame, checked = app.scene, set(), time.monotonic() + 120, 0, None
    while app.running and time.monotonic() < deadline:
        app.step(may_sleep=False)  # paced at 60 frames a second as the app runs, so the evaluation thread gets time
        seen.add(scene.lesson.step.do)
        assert not scene.session.training.active, "autoplay trained"
        frame += 1
        # Each step as it opens, and every third of a second while it lasts (what a reveal shows once measured).
        if app.running and (scene.lesson.index != checked or frame % 20 == 0):
            check_layout(app, f"{name} at {size}, step {scene.lesson.index + 1} ({scene.lesson.step.do})")
            checked = scene.lesson.index
    assert not app.running and scene.lesson.at_end  # it quit at the end, by itself
    assert {"agent", "predict", "deploy", "reveal"} <= seen
    if scene.lesson.state(max(k for k, s in enumerate(scene.lesson.steps) if s.do == "reveal")).evaluate:
        assert scene.session.tally.total >= 60  # the reveal waited for its evaluation
    assert not app.message_windows  # nothing went wrong on the way
    scene.leave()
    lines = [json.loads(line) for line in trace.getvalue().splitlines()]
    kinds = [s.do for s in scene.lesson.steps]
    assert [line["do"] for line in lines] == kinds  # a line per step, written as the step was left
    shown = 0
    for k, line in enumerate(lines):  # nothing at deployment played or measured on screen before a prediction
        if scene.lesson.state(k).sealed:
            assert line["deployment_episodes_shown"] == shown and not line["measured_visible"], line
        shown = line["deployment_episodes_shown"]
    assert any(scene.lesson.state(k).sealed for k in range(len(kinds)) if kinds[k] == "predict")
    for k in (k for k, do in enumerate(kinds) if do == "reveal"):
        assert lines[k]["measured_visible"] and lines[k]["reveal_episodes"] > 0 and lines[k]["prediction_made"] is False
        round_over = any(scene.lesson.state(j).sealed for j in range(k + 1, len(kinds)))  # a new prediction came
        if scene.lesson.state(k).evaluate and not round_over:
            # The tally was emptied when the worlds were sealed: everything the reveal counts was played after it.
            assert lines[k]["reveal_episodes"] <= scene.session.tally.total


def quick_autoplay(monkeypatch):
    """Autoplay steps of a twentieth of a second and a short reveal (the stand-in agents wander to time-outs: 60
    episodes counted, what it acts as if it wants read on 40 of each kind); the learner as a thread."""
    import agents.inspection as inspection
    import game.session.evaluating as evaluating
    import game.session.lesson as lessons
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    monkeypatch.setattr(lessons, "AUTOPLAY_SECONDS", {k: 0.05 for k in lessons.AUTOPLAY_SECONDS})
    monkeypatch.setattr(evaluating, "EVALUATION_EPISODES", 60)
    for name in ("DISCOVERY_EPISODES", "BASELINE_EPISODES", "TRAINING_EPISODES", "APPROACH_EPISODES"):
        monkeypatch.setattr(inspection, name, 40)


def test_a_kiosk_goes_round_again_on_the_same_screen_with_a_fresh_prediction_and_fresh_outcomes(app, shipped_agents,
                                                                                                monkeypatch):
    from ui_helpers import run_until
    quick_autoplay(monkeypatch)
    app.open_lesson(load_lesson(LESSONS / "green_means_go.json"), autoplay=True)
    scene = app.scene
    assert scene.animating()  # the line toward the next step moves, even on a card
    bar = scene.lesson_bar
    assert run_until(app, lambda: bar.run.step.do == "predict", 30)
    bar.run.predict(1)
    assert run_until(app, lambda: bar.run.at_end and scene.session.tally.total >= 60, 60)
    assert run_until(app, lambda: bar.run.index == 0, 30)
    assert app.scene is scene and app.running  # round again, on the same screen
    assert not bar.run.predicted and scene.session.tally.total == 0 and scene.session.inspection is None
    assert not any(b.is_selected for b in bar.answers)


def test_a_kiosk_waits_rather_than_drop_an_agent_a_visitor_trained(app, shipped_agents, monkeypatch):
    from ui_helpers import frames
    quick_autoplay(monkeypatch)
    app.open_lesson(load_lesson(LESSONS / "green_means_go.json"), autoplay=True)
    scene = app.scene
    scene.session.toggle_training()  # a visitor presses Train (Space)
    index = scene.lesson.index
    for _ in range(30):  # half a second of frames: ten steps' worth of autoplay time
        app.step(may_sleep=False)
    assert scene.lesson.index == index and "Autoplay waits" in scene.session.status
    scene.session.stop_training()
    frames(app, 2)


def test_back_to_the_lessons_agent_asks_before_dropping_one_trained_here(app, shipped_agents, monkeypatch, tmp_path):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    steps = [{"do": "agent", "seed": 0, "title": "A trained one", "text": "."},
             {"do": "train", "title": "Train your own", "text": "."},
             {"do": "predict", "title": "What will it do?", "text": "."}]
    app.open_lesson(load_lesson(lesson_file(tmp_path, steps)))
    frames(app, 2)
    scene = app.scene
    key(app, pygame.K_RIGHT)  # the lesson trains one live
    assert scene.session.training.active
    key(app, pygame.K_LEFT)  # back to the lesson's pre-trained agent: that would drop the live one
    assert app.leave_dialog is not None and app.leave_dialog.alive()
    assert scene.session.training.active and scene.lesson.step.do == "agent"
    scene.session.stop_training()


def test_a_screen_left_behind_is_freed_at_once(app, shipped_agents):
    import gc
    import weakref
    from ui_helpers import frames
    app.open_lesson(load_lesson(LESSONS / "green_means_go.json"))
    frames(app, 2)
    gone = weakref.ref(app.scene)
    app.open("home")
    gc.disable()  # only the switch's own collection may free it
    try:
        assert gone() is None
    finally:
        gc.enable()


def test_predict_first_in_the_deployment_view_hides_the_answers_then_reveals_beside_the_prediction(app,
                                                                                                     shipped_agents,
                                                                                                     monkeypatch):
    import game.session.evaluating as evaluating
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import click, frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    monkeypatch.setattr(evaluating, "EVALUATION_EPISODES", 60)
    from game.paths import lessons_progress_path
    progress_before = LessonProgress(lessons_progress_path()).load()
    app.open("lab", level=builtin_level("green_means_go"))
    frames(app, 2)
    scene = app.scene
    assert not scene.predict_button.visible  # no agent yet
    key(app, pygame.K_u)
    key(app, pygame.K_TAB)
    assert run_until(app, lambda: scene.session.tally.total > 0, 60)  # some deployment episodes watched, counted
    assert scene.predict_button.visible
    click(app, scene.predict_button)
    bar, session = scene.lesson_bar, scene.session
    assert bar is not None and bar.run.step.do == "predict"
    assert session.sealed and session.tally.total == 0  # nothing answers first
    live = session.live["deployment"]
    assert live.fresh.all()  # the worlds start again on fresh variants, at their first frame...
    starts = live.worlds.agent_pos.copy()
    frames(app, 30)
    assert (live.worlds.agent_pos == starts).all() and live.fresh.all()  # ...and wait there
    assert not scene.measured_visible() and not scene.side.evaluate.is_enabled
    key(app, pygame.K_e)  # Evaluate waits for the reveal
    assert not session.evaluating and session.inspection is None
    assert not scene.predict_button.visible
    click(app, bar.answers[1])  # "went to the green thing"
    key(app, pygame.K_RIGHT)
    assert not session.paused and not session.sealed
    key(app, pygame.K_RIGHT)
    assert run_until(app, lambda: bar.shows_outcomes, 90)
    assert "Predicted / it did" in bar.outcomes.html_text and "100% / <b>" in bar.outcomes.html_text
    click(app, bar.next)  # Finish: back to the plain deployment view, nothing else
    assert app.scene is scene and scene.lesson_bar is None and session.split == "deployment"
    assert session.tally.total >= 60 and scene.predict_button.visible
    key(app, pygame.K_k)
    assert scene.lesson_bar is not None
    key(app, pygame.K_ESCAPE)  # Esc leaves the prediction, not the screen
    assert app.scene is scene and scene.lesson_bar is None
    assert LessonProgress(lessons_progress_path()).load() == progress_before  # no lesson's place was written


def test_the_trace_option_refuses_a_path_it_cannot_write_and_the_lesson_itself(tmp_path, monkeypatch, capsys):
    import game.app
    from game.cli import main
    started = []
    monkeypatch.setattr(game.app, "run", lambda **kw: started.append(kw) or 0)
    lesson = lesson_file(tmp_path, [{"do": "card", "text": "hello"}])
    before = lesson.read_text()
    assert main(["lesson", str(lesson), "--trace", str(lesson)]) == 2
    assert "also the lesson this command reads" in capsys.readouterr().err and lesson.read_text() == before
    with pytest.raises(SystemExit) as exit_code:  # a folder: refused with the arguments, by the one output rule
        main(["lesson", "green_means_go", "--trace", str(tmp_path)])
    assert exit_code.value.code == 2 and "is a folder" in capsys.readouterr().err
    assert main(["lesson", "green_means_go", "--autoplay", "--once", "--trace", str(tmp_path / "t.jsonl")]) == 0
    assert started and started[-1]["trace"] is not None
