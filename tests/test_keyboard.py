"""One keyboard rule for the whole app: dialogs and text fields get keys first, Escape closes the topmost dialog
before it leaves a screen, and no key throws a trained agent or an edited level away without asking."""
import pygame
import pygame_gui

from levels import builtin_level
from agents.worker import TrainingThread
from agents.policy import PolicySnapshot
from agents.ppo import PPOConfig
from agents.training import TrainingSettings, make_optimizer
from ui_helpers import click, frames


def press(app, k, text="", mod=0):
    """A key as a keyboard sends it: the key, then the character it types."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=text, scancode=0))
    if text:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode=text, scancode=0))
    frames(app, 2)


def type_text(app, text):
    for ch in text:
        press(app, pygame.key.key_code(ch) if ch != " " else pygame.K_SPACE, ch)


def lab(app, monkeypatch, level="green_means_go"):
    from game.scenes.lab import LabScene
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)  # the prepared learner: a thread, cheap to stop
    app.switch(LabScene(app, builtin_level(level)))
    return app.scene


def give_trained_agent(scene, saved=False):
    settings = TrainingSettings(ppo=PPOConfig(num_envs=4, num_steps=8))
    learner = make_optimizer(scene.level, settings)
    snapshot = PolicySnapshot.of(learner.policy, learner.obs_spec, 128, 5000, 3)
    scene.session.training.adopt(snapshot, settings, [], "Trained.")
    scene.session.agent_saved = saved


def test_typing_a_file_name_in_the_agent_dialogs_fires_no_shortcut(app, monkeypatch):
    scene = lab(app, monkeypatch)
    give_trained_agent(scene, saved=True)
    for purpose in ("save", "load"):
        scene.open_dialog(purpose)
        frames(app, 2)
        split, overlays = scene.session.split, dict(scene.world_view.overlay)
        type_text(app, "my agent have")  # space would train, e evaluate, h/v/a toggle overlays, Tab switch
        press(app, pygame.K_TAB)
        assert scene.session.training.worker is None, purpose  # Space did not start a new run
        assert scene.session.split == split and scene.world_view.overlay == overlays
        assert not scene.session.evaluating
        assert scene.dialog.alive()
        press(app, pygame.K_ESCAPE)  # closes the dialog, and only the dialog
        assert not scene.dialog.alive() and app.scene is scene


def test_escape_closes_explain_and_help_before_it_leaves_the_screen(app, monkeypatch):
    scene = lab(app, monkeypatch)
    give_trained_agent(scene, saved=True)
    click(app, scene.toolbar.buttons["explain"])
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F1, mod=0, unicode="", scancode=0))
    frames(app, 2)
    assert app.help_window.alive() and scene.explain_window.alive()
    press(app, pygame.K_ESCAPE)
    assert app.scene is scene and len(app.dialogs()) == 1
    press(app, pygame.K_ESCAPE)
    assert app.scene is scene and not app.dialogs()
    press(app, pygame.K_ESCAPE)  # nothing open, the agent is saved: back home
    assert type(app.scene).__name__ == "HomeScene" and not app.dialogs()


def test_escape_never_throws_an_unsaved_agent_away(app, monkeypatch):
    scene = lab(app, monkeypatch)
    give_trained_agent(scene, saved=False)
    press(app, pygame.K_ESCAPE)
    assert app.scene is scene and app.leave_dialog.alive()  # asked first
    press(app, pygame.K_ESCAPE)  # Escape answers "stay"
    assert app.scene is scene and not app.leave_dialog.alive()
    press(app, pygame.K_ESCAPE)
    pygame.event.post(pygame.event.Event(pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED, ui_element=app.leave_dialog,
                                         ui_object_id="#confirmation_dialog"))
    frames(app, 2)
    assert type(app.scene).__name__ == "HomeScene"


def test_closing_the_window_while_training_asks_first(app, monkeypatch):
    scene = lab(app, monkeypatch)
    give_trained_agent(scene, saved=False)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    frames(app, 2)
    assert app.running and app.leave_dialog.alive() and "not saved" in app.leave_dialog.confirmation_text.html_text


def test_escape_closes_messages_the_open_dialog_and_the_unsaved_prompt(app):
    app.message("Something", "to read")
    press(app, pygame.K_ESCAPE)
    assert not app.dialogs() and type(app.scene).__name__ == "HomeScene"
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_o, mod=pygame.KMOD_CTRL, unicode="",
                                         scancode=0))
    frames(app, 2)
    assert app.scene.dialog.alive()
    type_text(app, "o")  # typing in the open dialog does not open another
    assert len(app.dialogs()) == 1
    press(app, pygame.K_ESCAPE)
    assert not app.dialogs()
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    app.scene.document.set_value((), "name", "Changed")
    press(app, pygame.K_ESCAPE)  # leaving with unsaved changes asks
    assert app.leave_dialog.alive() and isinstance(app.scene, EditorScene)
    press(app, pygame.K_ESCAPE)  # and Escape closes the question
    assert not app.dialogs() and isinstance(app.scene, EditorScene)


def test_typing_in_the_editors_name_field_does_not_reach_the_editor(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    click(app, scene.panel.name_entry)
    assert app.text_focused()
    press(app, pygame.K_ESCAPE)  # leaves the field, not the editor
    assert isinstance(app.scene, EditorScene) and not app.text_focused()


def test_typing_and_escape_in_the_editors_save_dialog(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    scene.document.set_value((), "name", "Changed")
    scene.do_save_as()
    frames(app, 2)
    type_text(app, "a level")
    press(app, pygame.K_ESCAPE)  # closes the dialog: no question about leaving, still in the editor
    assert not scene.dialog.alive() and app.scene is scene and app.leave_dialog is None
    assert scene.document.doc["name"] == "Changed"


def test_a_screens_own_windows_close_when_it_is_left(app, monkeypatch):
    scene = lab(app, monkeypatch)
    click(app, scene.toolbar.buttons["explain"])
    assert scene.explain_window.alive()
    click(app, scene.toolbar.buttons["home"])  # no agent: nothing to ask
    assert type(app.scene).__name__ == "HomeScene" and not scene.explain_window.alive() and not app.dialogs()


def test_every_lab_key_does_what_the_help_says_and_the_help_lists_every_key(app, monkeypatch):
    """The lab's keys are one table (game/scenes/lab/keys.py): F1 lists each, and each key, pressed where the table
    says it works, runs the command it names; elsewhere it does nothing."""
    from game.scenes.lab.keys import SHORTCUTS
    scene = lab(app, monkeypatch)
    give_trained_agent(scene, saved=True)
    scene.session.set_split("deployment")
    frames(app, 2)
    ran = []
    monkeypatch.setattr(scene, "command", ran.append)
    for shortcut in SHORTCUTS:
        ran.clear()
        press(app, shortcut.keys[0])
        assert ran == ([shortcut.command] if shortcut.when(scene) else []), shortcut.label
    monkeypatch.undo()
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F1, mod=0, unicode="", scancode=0))
    frames(app, 2)
    help_text = next(e for e in app.help_window.get_container().elements).html_text
    assert all(f"<b>{s.label}</b>  {s.words}" in help_text for s in SHORTCUTS)


def test_every_editor_key_does_what_the_help_says_and_the_help_lists_every_key(app, monkeypatch):
    """The editor's keys are one table too (game/scenes/editor/scene.py: KEYS): each key runs the method it names,
    and F1 lists each one and what the mouse does."""
    from game.scenes.editor import EditorScene
    from game.scenes.editor.scene import KEYS, MOUSE
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    frames(app, 2)
    for (k, ctrl, shift), (label, _, method) in KEYS.items():
        ran = []
        monkeypatch.setattr(scene, method, lambda ran=ran, method=method: ran.append(method))
        press(app, k, mod=(pygame.KMOD_CTRL if ctrl else 0) | (pygame.KMOD_SHIFT if shift else 0))
        assert ran == [method], label
        monkeypatch.undo()
    assert app.scene is scene
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F1, mod=0, unicode="", scancode=0))
    frames(app, 2)
    help_text = next(e for e in app.help_window.get_container().elements).html_text
    assert all(f"<b>{label}</b>  {words}" in help_text for label, words, _ in KEYS.values())
    assert all(f"<b>{label}</b>  {words}" in help_text for label, words in MOUSE)


def test_every_key_of_the_play_screen_does_what_the_help_says(app, monkeypatch):
    from game.scenes.play import COMMANDS, PlayScene
    app.switch(PlayScene(app, builtin_level("template_grid")))
    scene = app.scene
    frames(app, 2)
    for k, (label, _, method) in COMMANDS.items():
        ran = []
        monkeypatch.setattr(scene, method, lambda ran=ran, method=method: ran.append(method))
        press(app, k)
        assert ran == [method], label
        monkeypatch.undo()
    press(app, pygame.K_TAB)
    assert scene.split == "deployment"
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F1, mod=0, unicode="", scancode=0))
    frames(app, 2)
    help_text = next(e for e in app.help_window.get_container().elements).html_text
    assert all(f"<b>{label}</b>  {words}" in help_text for label, words in scene.shortcuts)
    assert "<b>R</b>" in help_text
