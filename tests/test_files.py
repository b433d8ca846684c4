"""Files a player shares: modes from the umask, dialogs that open where the player's files are, Enter that saves."""
import os
import stat

import pygame
import pygame_gui

from levels import builtin_level, save_level
from agents.agent_file import AgentFile, save_agent
from agents.ppo import PPOConfig, PPO
from agents.training import TrainingSettings
from ui_helpers import frames


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_saved_levels_and_agents_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save_level(builtin_level("template_grid"), tmp_path / "shared.json")
        learner = PPO(builtin_level("template_grid"), PPOConfig(num_envs=4, num_steps=8))
        save_agent(tmp_path / "shared.agent", AgentFile(learner.policy, builtin_level("template_grid"),
                                                        learner.obs_spec, TrainingSettings(ppo=learner.config)))
        assert mode(tmp_path / "shared.json") == 0o644 and mode(tmp_path / "shared.agent") == 0o644
        os.umask(0o077)
        save_level(builtin_level("template_grid"), tmp_path / "private.json")
        assert mode(tmp_path / "private.json") == 0o600
    finally:
        os.umask(old)


def test_the_open_dialog_starts_in_the_levels_folder_and_hides_dotfiles(app):
    from game.paths import levels_dir
    folder = levels_dir()
    save_level(builtin_level("template_grid"), folder / "mine.json")
    (folder / ".hidden.json").write_text("{}")
    (folder / ".cache").mkdir()
    (folder / "notes.txt").write_text("not a level")
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_o, mod=pygame.KMOD_CTRL, unicode="",
                                         scancode=0))
    frames(app, 2)
    dialog = app.scene.dialog
    names = [item[0] if isinstance(item, tuple) else item for item in dialog.current_file_list]
    assert os.path.samefile(dialog.current_directory_path, folder)
    assert names == ["mine.json"]


def test_enter_in_save_as_saves(app, tmp_path):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    scene.do_save_as()
    frames(app, 2)
    target = tmp_path / "typed.json"
    entry = scene.dialog.file_path_text_line
    entry.set_text(str(target))
    pygame.event.post(pygame.event.Event(pygame_gui.UI_TEXT_ENTRY_CHANGED, text=str(target), ui_element=entry))
    pygame.event.post(pygame.event.Event(pygame_gui.UI_TEXT_ENTRY_FINISHED, text=str(target), ui_element=entry))
    frames(app, 3)
    assert target.exists() and scene.path == str(target) and not scene.dialog.alive()


HOLD_A_SAVE = """
import fcntl, os, sys, tempfile
fd, tmp = tempfile.mkstemp(prefix=".level.json.", suffix=".mesa-sandbox.tmp", dir=sys.argv[1])
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"half a lev")
print(tmp, flush=True)
sys.stdin.read()  # a save still writing, until killed or told to end
"""


def test_a_save_killed_halfway_is_cleaned_up_by_the_next_save_in_its_folder(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from levels.files import STALE_SECONDS, atomic_write_text
    if sys.platform == "win32":
        return  # no kill -9 and no advisory locks: interrupted saves are known by their age there

    def saving():
        child = subprocess.Popen([sys.executable, "-c", HOLD_A_SAVE, str(tmp_path)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        return child, child.stdout.readline().strip()

    killed, killed_tmp = saving()
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    writing, writing_tmp = saving()
    young_killed, young_tmp = saving()
    young_killed.send_signal(signal.SIGKILL)
    young_killed.wait()
    old = time.time() - 2 * STALE_SECONDS
    for path in (killed_tmp, writing_tmp):
        os.utime(path, (old, old))
    try:
        atomic_write_text(tmp_path / "other.json", "{}")
        assert not os.path.exists(killed_tmp)  # its writer is dead: gone
        assert os.path.exists(writing_tmp)  # a save in progress keeps its file, however old
        assert os.path.exists(young_tmp)  # too young to tell from a save that has not locked it yet
        assert (tmp_path / "other.json").read_text() == "{}"
    finally:
        writing.kill()
        writing.wait()


def test_a_path_too_long_to_look_at_in_a_file_dialog_chooses_nothing(app):
    """A level code pasted into the open dialog's name is a path the system refuses to look at ("File name too
    long"): the dialog chooses nothing and stays, and the screen goes on (it used to fall back to the home screen)."""
    import pygame_gui
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_o, mod=pygame.KMOD_CTRL, unicode="",
                                         scancode=0))
    frames(app, 2)
    scene, dialog = app.scene, app.scene.dialog
    dialog.file_path_text_line.set_text(str(dialog.current_directory_path) + "/" + "MSL1." + "x" * 400)
    for kind in (pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_TEXT_ENTRY_FINISHED):
        pygame.event.post(pygame.event.Event(kind, text=dialog.file_path_text_line.get_text(),
                                             ui_element=dialog.file_path_text_line))
        frames(app, 2)
    assert app.scene is scene and dialog.alive() and dialog.current_file_path is None
    assert not app.message_windows
