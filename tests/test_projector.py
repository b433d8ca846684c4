"""Projector mode: larger text than today's headings, high contrast, and every screen a class sees laid out inside
the window at 1280x720 and 1920x1080 with nothing on top of anything else and no text cut."""
import warnings

import pygame
import pytest

from game.paths import asset
from game.session.lesson import load_lesson
from ui_helpers import check_layout, frames, key

# (window, projector mode): projector mode at a small, a 4:3 (XGA) and a large projector; the laptop and desktop
# sizes as well (1440x900 found an editor label cut), since the body text grows with the window there too, down to
# the smallest window the game allows.
SCREENS = [((1280, 720), True), ((1024, 768), True), ((1920, 1080), True), ((960, 640), False), ((1024, 768), False),
           ((1280, 720), False), ((1280, 800), False), ((1440, 900), False), ((1920, 1080), False)]


@pytest.fixture
def projector(tmp_path, monkeypatch, request):
    monkeypatch.setenv("MESA_SANDBOX_DATA", str(tmp_path / "data"))
    from game.app import App
    size, projector_mode = request.param
    application = App(size, projector=projector_mode)
    yield application
    if application.scene is not None:
        application.scene.leave()
    pygame.quit()


def test_projector_text_is_larger_than_todays_headings_and_f10_switches(app):
    from game.app import scaled_theme
    normal_scale = app.scale
    heading = int(scaled_theme(normal_scale)["#heading"]["font"]["size"])
    key(app, pygame.K_F10)
    assert app.projector
    theme = scaled_theme(app.scale, projector=True)
    assert int(theme["defaults"]["font"]["size"]) >= heading  # the body text, in the same window
    assert theme["#muted"]["colours"]["normal_text"] == "#ffffff"  # no grey text on the dark background
    app.message("Something to read", "A message nobody has closed yet.")
    key(app, pygame.K_F10)  # off again: the unread message is still there
    assert not app.projector and app.scale == normal_scale
    assert [w.window_display_title for w in app.message_windows if w.alive()] == ["Something to read"]


@pytest.mark.parametrize("projector", SCREENS, indirect=True,
                         ids=lambda p: f"{p[0][0]}x{p[0][1]}" + ("-projector" if p[1] else ""))
def test_a_class_sees_every_screen_laid_out_inside_the_window(projector, shipped_agents):
    from levels import builtin_level
    from game.scenes.editor.scene import TABS
    app, projector_mode = projector, projector.projector
    caught = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.open("home", ask=False)
        frames(app, 2)
        check_layout(app, "home")
        # pygame_gui's own windows: their buttons were 24-30 px tall whatever the font (cut in projector mode)
        app.message("That is not a level file", "broken.json: line 3: expected a value.")
        frames(app, 2)
        check_layout(app, "a message")
        key(app, pygame.K_o, pygame.KMOD_CTRL)
        check_layout(app, "the Open dialog")
        for window in list(app.ui.get_window_stack().stack):
            window.kill()
        frames(app, 2)
        app.open("lab", level=builtin_level("green_means_go"))
        frames(app, 2)
        check_layout(app, "training view")
        app.scene.command("shipped")
        app.scene.command("deployment")
        frames(app, 2)
        check_layout(app, "deployment view")
        app.scene.command("explain")  # a window: its title bar grows with the font (28 px cut it at 1920x1080)
        frames(app, 2)
        check_layout(app, "the concept cards")
        for window in list(app.ui.get_window_stack().stack):
            window.kill()
        from agents.policy import PolicySnapshot
        from agents.ppo import PPOConfig
        from agents.training import TrainingSettings, make_optimizer
        keys = builtin_level("keys_and_chests")  # the longest intended goal of the built-ins
        app.open("lab", level=keys)
        settings = TrainingSettings(ppo=PPOConfig(num_envs=4, num_steps=8))
        stand_in = make_optimizer(keys, settings)
        app.scene.session.adopt(PolicySnapshot.of(stand_in.policy, stand_in.obs_spec, settings.agent.hidden, 0, 0),
                                settings, [], "a stand-in")
        app.scene.command("deployment")
        app.scene.command("predict")
        frames(app, 2)
        check_layout(app, "Predict first")
        app.open_lesson(load_lesson(asset("lessons") / "the_diversity_fix.json"))
        scene = app.scene
        while scene.lesson.step.do != "predict":
            key(app, pygame.K_RIGHT)
        check_layout(app, "a lesson's prediction")
        key(app, pygame.K_RIGHT)
        key(app, pygame.K_RIGHT)
        assert scene.lesson.step.do == "reveal"
        check_layout(app, "a lesson's reveal")
        app.open("lottery", level=builtin_level("the_diversity_fix"))
        frames(app, 2)
        check_layout(app, "the seed lottery")
        for kind in ("play", "preview"):
            app.open(kind, level=builtin_level("keys_and_chests"))
            frames(app, 2)
            check_layout(app, kind)
        app.open("editor", level=builtin_level("cheese_in_the_corner"))
        frames(app, 2)
        assert not app.projecting and app.projector == projector_mode  # the editor keeps its desktop size
        for tab, _ in TABS:
            app.scene.tab = tab
            app.scene.rebuild()
            frames(app, 2)
            check_layout(app, f"the editor's {tab} tab")
    cut = [str(w.message) for w in caught if "too small for text" in str(w.message)]
    assert not cut, cut


def test_the_projector_flag_reaches_the_game_and_a_lesson(monkeypatch):
    import game.app
    from game.cli import main
    started = []
    monkeypatch.setattr(game.app, "run", lambda **kw: started.append(kw) or 0)
    assert main(["--projector"]) == 0
    assert main(["lesson", "green_means_go", "--projector"]) == 0
    assert main(["--projector", "lesson", "green_means_go"]) == 0
    assert main(["lesson", "green_means_go"]) == 0
    assert [kw["projector"] for kw in started] == [True, True, True, False]


@pytest.mark.parametrize("projector", [((1280, 720), True), ((1920, 1080), True)], indirect=True,
                         ids=lambda p: f"{p[0][0]}x{p[0][1]}-projector")
def test_in_projector_mode_the_worlds_span_at_least_half_the_window_in_every_lesson(projector, shipped_agents,
                                                                                      monkeypatch):
    """A class reads the map from the back: the worlds once were the smallest thing on a 1920x1080 screen."""
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from game.session.lesson import lessons_in
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app = projector
    for found in lessons_in(asset("lessons")):
        app.open_lesson(found)
        scene = app.scene
        while scene.lesson.step.do != "predict":
            key(app, pygame.K_RIGHT)
        frames(app, 2)
        view, width = scene.world_view, scene.session.level.width
        xs = [x for x, _ in view.origins]
        assert max(xs) + view.cell * width - min(xs) >= app.size[0] / 2, found.name


@pytest.mark.parametrize("projector", [((1024, 768), True), ((1920, 1080), True), ((960, 640), False)],
                         indirect=True, ids=lambda p: f"{p[0][0]}x{p[0][1]}" + ("-projector" if p[1] else ""))
def test_every_level_and_every_lesson_has_a_button_on_home_and_the_last_level_opens(projector, monkeypatch):
    """What does not fit scrolls: projector mode at 1920x1080 showed 7 of the 11 built-ins and no way to the rest,
    the smallest window 4 of an idea's 5 lessons."""
    from game.scenes.home import SCENARIOS, HomeScene
    from game.scenes.lab import LabScene
    from game.session.lesson import TOPICS, lessons_in
    from ui_helpers import choose, click, scroll_into_view
    monkeypatch.setattr(HomeScene, "topic", HomeScene.topic)  # the idea chosen here is not the next test's
    app = projector
    app.open("home", ask=False)
    frames(app, 2)
    scene = app.scene
    assert sorted(scene.cards.values()) == sorted(SCENARIOS)
    every = lessons_in(asset("lessons"))
    for topic in (t for t in TOPICS if any(lesson.lesson.topic == t for lesson in every)):
        choose(app, scene.topics, topic)
        assert sorted(lesson.name for lesson in scene.lessons.values()) == sorted(
            lesson.name for lesson in every if lesson.lesson.topic == topic), topic
    last = next(button for button, name in scene.cards.items() if name == SCENARIOS[-1])
    assert scroll_into_view(app, last)
    click(app, last)
    assert isinstance(app.scene, LabScene) and app.scene.level.name == "Cheese, mostly cornered"


@pytest.mark.parametrize("projector", [((960, 640), False), ((1024, 768), False), ((1280, 720), False),
                                       ((1366, 768), False), ((1920, 1080), False)], indirect=True,
                         ids=lambda p: f"{p[0][0]}x{p[0][1]}")
def test_every_home_card_shows_its_whole_tagline(projector):
    """Three lines of a tagline scrolled inside a box of two on the narrow cards (960x640, 1024x768)."""
    from pygame_gui.elements import UITextBox
    app = projector
    app.open("home", ask=False)
    frames(app, 2)
    taglines = [e for e in app.ui.get_sprite_group().sprites()
                if isinstance(e, UITextBox) and "#tagline" in e.get_object_ids()]
    assert len(taglines) == len(app.scene.cards)
    scrolled = [e.html_text for e in taglines if e.scroll_bar is not None]
    assert not scrolled, scrolled
