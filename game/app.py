"""The desktop app: one window, a pygame_gui manager, a current scene, a 60 FPS loop.

Scenes build their widgets in `build()` and rebuild them when the window's size (and so the font scale) changes.
F11 toggles desktop fullscreen (the display mode never changes), F1 shows every shortcut.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame
import pygame_gui
from pygame_gui.elements import UITextEntryBox, UITextEntryLine

from levels import LevelError, load_level

from game import gui_fix
from game.paths import RecentFiles, asset, user_data_dir
from game.scenes import scene_class
from game.scenes.base import Scene
from game.widgets import LIST_ROW, grown_to_its_words
from game.world.palette import BACKGROUND_RGB

gui_fix.apply()  # before the first widget is made

log = logging.getLogger("mesa_sandbox")

TEXT_FIELDS = (UITextEntryLine, UITextEntryBox)
# A still screen is drawn at once when an event comes, else four times a second for pygame_gui's own timers
# (tooltips), or ten while a text field blinks its cursor.
IDLE_WAKE_MS, TYPING_WAKE_MS = 250, 100
SCREEN_CTRL = (pygame.K_s, pygame.K_z, pygame.K_y)

MIN_SIZE = (960, 640)
BASE_SIZE = (1280, 800)  # fonts are designed for a 1280x800 window and scale with it (with its narrower side)
# Projector mode: the body text (16) becomes larger than a heading (22) is in a window of the same size.
PROJECTOR_SCALE = 1.4

# Keys that work on every screen (F1 adds the open screen's own: a screen's `shortcuts`, from the table its keys
# are dispatched by).
SHORTCUTS = [
    ("F1", "show or hide this help"),
    ("F11", "fullscreen on or off"),
    ("F10", "projector mode on or off: larger text, higher contrast"),
    ("Esc", "close the topmost dialog first (then it is the screen's)"),
    ("Left / Right, Page Up / Down", "lesson: back / next (a presenter's clicker)"),
    ("drag", "deployment: move the agent or any object (pauses)"),
    ("Ctrl+O", "home: open a level file"),
    ("drop a file", "open a level file dropped on the window"),
]


TITLE_BAR = 28  # pygame_gui's height of a window's title bar, enough for the body font at a laptop's scale
BODY_TEXT_WIDGETS = ("button", "label", "text_box", "text_entry_line", "text_entry_box", "drop_down_menu",
                     "selection_list", "tool_tip", "horizontal_slider", "window")


def scaled_theme(scale: float, projector: bool = False) -> dict:
    """The theme with every font size multiplied by `scale` (tidy on a laptop, larger on a big window); in projector
    mode with the high-contrast colours of theme_projector.json over it."""
    theme = json.loads(asset("theme.json").read_text(encoding="utf-8"))
    if projector:
        for name, block in json.loads(asset("theme_projector.json").read_text(encoding="utf-8")).items():
            for part, values in block.items():
                theme.setdefault(name, {}).setdefault(part, {}).update(values)
    # pygame_gui reads only the colours of "defaults": the body font goes to each kind of widget, or they would all
    # keep pygame_gui's own 14-pixel font whatever the scale.
    for kind in BODY_TEXT_WIDGETS:
        theme.setdefault(kind, {}).setdefault("font", dict(theme["defaults"]["font"]))
    for block in theme.values():
        font = block.get("font") if isinstance(block, dict) else None
        if font and "size" in font:
            font["size"] = str(max(10, round(int(font["size"]) * scale)))
    # A drop-down list's rows as tall as its words (pygame_gui's 20 px rows overlapped their words at 1920x1080).
    row = max(LIST_ROW, round(int(theme["drop_down_menu"]["font"]["size"]) * 1.3))
    for block in ("drop_down_menu", "#drop_down_options_list"):  # (the list's height, and its rows)
        theme.setdefault(block, {}).setdefault("misc", {})["list_item_height"] = str(row)
    # A window's title bar as tall as its words (pygame_gui's 28 px cut the title at 1920x1080 in projector mode).
    title = max(TITLE_BAR, round(int(theme["window"]["font"]["size"]) * 1.6))
    theme["window"].setdefault("misc", {})["title_bar_height"] = str(title)
    return theme


class App:
    def __init__(self, size: tuple[int, int] = (1280, 800), projector: bool = False):
        pygame.display.init()  # not pygame.init(): the game makes no sound, so the mixer stays closed
        pygame.font.init()
        pygame.display.set_caption("Mesa Sandbox")
        self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.size = self.surface.get_size()
        self.scene: Scene | None = None
        self.projector = projector  # everything larger and in higher contrast, read from the back of a room
        self.scale = self._scale_for(self.size)
        self.ui = self._manager()
        self.clock = pygame.time.Clock()
        self.running = True
        self.help_window: pygame_gui.elements.UIWindow | None = None
        self.message_windows: list = []
        self.frame_times: list[float] = []
        self.fullscreen = False
        self.leave_dialog = None  # "Leave anyway?" while a screen has unsaved work
        self._after_leaving = None
        self.open("home")

    def _manager(self) -> pygame_gui.UIManager:
        manager = pygame_gui.UIManager(self.size, scaled_theme(self.scale, self.projecting))
        size = max(10, round(16 * self.scale))  # the rich-text boxes use bold and italic at the body size
        fonts = {(size, "bold"), (size, "italic"), (14, "bold"), (14, "italic")}  # rich text at the body size; window titles
        manager.preload_fonts([{"name": "noto_sans", "point_size": p, "style": st} for p, st in sorted(fonts)])
        return manager

    @property
    def projecting(self) -> bool:
        """Projector mode is on and the screen has a layout for it."""
        return self.projector and (self.scene is None or self.scene.for_projector)

    def _scale_for(self, size: tuple[int, int]) -> float:
        # A 4:3 window (a 1024x768 projector) is as high as a laptop's but narrower: scaled by height alone, the
        # cards' names and the lesson menu were cut.
        fit = min(size[0] / BASE_SIZE[0], size[1] / BASE_SIZE[1])
        scale = round(max(0.8, min(2.0, fit)) * 10) / 10
        return round(scale * PROJECTOR_SCALE, 2) if self.projecting else scale

    def toggle_projector(self) -> None:
        """Projector mode on or off: every text and control larger, higher contrast; screens keep what matters."""
        self.projector = not self.projector
        self.scale = self._scale_for(self.size)
        self._new_manager()

    def switch(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.leave()
            self.scene = None
        self.scene = scene
        scale = self._scale_for(self.size)
        if scale != self.scale:  # into or out of a screen without a projector layout
            self.scale = scale
            self._new_manager()
        else:
            scene.rebuild()
        settle_memory()

    def open(self, name: str, ask: bool = True, **arguments) -> None:
        """Switch to the screen registered as `name` in `game.scenes.SCENES`. When the current screen has unsaved
        work, ask first (`ask=False`: the current screen is kept to come back to, or the player already agreed)."""
        if ask and self.scene is not None:
            work = self.scene.unsaved_work()
            if work:
                self.confirm_leaving(work, lambda: self.open(name, ask=False, **arguments))
                return
        self.switch(scene_class(name)(self, **arguments))

    def confirm_leaving(self, work: str, then, question: str = "Leave anyway?", action: str = "Leave") -> None:
        """Ask before `then()` throws away `work` (a sentence saying what would be lost)."""
        if self.leave_dialog is not None and self.leave_dialog.alive():
            return
        self.scene.before_leaving()
        self._after_leaving = then
        self.leave_dialog = pygame_gui.windows.UIConfirmationDialog(
            self.centered(560, 240), f"{work} {question}", self.ui, window_title="Unsaved work",
            action_short_name=action)

    def open_level_file(self, path: str | os.PathLike) -> None:
        """Open a level file in the training view; a bad file gets a message and changes nothing."""
        try:
            level = load_level(path)
        except LevelError as exc:
            self.message("This level cannot be opened", str(exc))
            return
        RecentFiles().add(path)
        self.open("lab", level=level, source=str(path))

    def open_lesson(self, lesson, autoplay: bool = False, once: bool = False, trace=None) -> None:
        """Open a lesson (a `game.session.lesson.LessonFile`) at the step where it was left, or from the start;
        `trace`, a `LessonTrace`, gets a line per step."""
        from game.paths import lessons_progress_path
        from game.pretrained import missing_lesson_agents
        from game.session.lesson import LessonRun
        from game.session.lesson_record import LessonProgress
        missing = missing_lesson_agents(lesson)
        if missing:
            self.message("This lesson cannot be opened", "\n".join(missing))
            return
        start = 0 if autoplay else LessonProgress(lessons_progress_path()).step(lesson.name)
        self.open("lab", level=lesson.level, lesson=LessonRun(lesson, index=start), autoplay=autoplay, once=once,
                  trace=trace)

    def centered(self, width: int, height: int) -> pygame.Rect:
        """A dialog's rectangle: width x height at the font scale of 1 (grown with the fonts), inside the window with
        a margin, centred."""
        w, h = self.size
        s = max(1.0, self.scale)
        rect = pygame.Rect(0, 0, min(int(width * s), w - 40), min(int(height * s), h - 40))
        rect.center = (w // 2, h // 2)
        return rect

    def message(self, title: str, text: str) -> None:
        """A message box that leaves the app running (bad files, learner failures)."""
        log.warning("%s: %s", title, text)
        self._show_message(title, text)

    def _show_message(self, title: str, text: str) -> None:
        rect = self.centered(640, 360)
        safe = text.replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
        box = pygame_gui.windows.UIMessageWindow(rect, safe, self.ui, window_title=title)
        grow = grown_to_its_words(box.dismiss_button)
        if grow:  # the message ends above the taller button
            box.text_block.set_dimensions((box.text_block.relative_rect.w, box.text_block.relative_rect.h - grow))
        box.said = (title, text)  # to show it again in a new manager (projector mode toggled, the window resized)
        self.message_windows.append(box)

    def toggle_help(self) -> None:
        if self.help_window is not None and self.help_window.alive():
            self.help_window.kill()
            self.help_window = None
            return
        rect = self.centered(620, 520)
        self.help_window = pygame_gui.elements.UIWindow(rect, self.ui, "Shortcuts (F1)", object_id="#help")
        here = list(getattr(self.scene, "shortcuts", []))
        rows = "".join(f"<b>{k}</b>  {v}<br>" for k, v in here)
        rows = (f"<b>On this screen</b><br>{rows}<br><b>Everywhere</b><br>" if here else "") + \
            "".join(f"<b>{k}</b>  {v}<br>" for k, v in SHORTCUTS)
        pygame_gui.elements.UITextBox(rows, pygame.Rect((0, 0), self.help_window.get_container().get_size()),
                                      self.ui, container=self.help_window)

    def toggle_fullscreen(self) -> None:
        """Desktop fullscreen: a borderless window the size of the desktop; the display mode is not changed."""
        window = pygame.Window.from_display_module()
        if self.fullscreen:
            window.set_windowed()
        else:
            window.set_fullscreen(desktop=True)
        self.fullscreen = not self.fullscreen
        self._resized(window.size)

    def _resized(self, size: tuple[int, int]) -> None:
        size = (max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1]))
        if size == self.size:
            return
        self.surface = pygame.display.get_surface()
        if self.surface.get_size() != size and not self.fullscreen:
            self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.size = self.surface.get_size()
        scale = self._scale_for(self.size)
        if scale != self.scale:  # fonts follow the window: a new manager with the scaled theme
            self.scale = scale
            self._new_manager()
        else:
            self.ui.set_window_resolution(self.size)
            if self.scene is not None:
                self.scene.rebuild()

    def _new_manager(self) -> None:
        """A new pygame_gui manager for a new scale or theme; the screen builds its widgets again in it (open
        dialogs belonged to the old one and close)."""
        unread = [box.said for box in self.message_windows if box.alive()]
        self.ui = self._manager()
        self.help_window = None
        self.message_windows = []
        if self.scene is not None:
            self.scene.rebuild()
        for title, text in unread:  # a message nobody has read yet is not lost
            self._show_message(title, text)

    # --- dialogs and the keyboard ----------------------------------------------------------------------------
    def dialogs(self) -> list:
        """The open windows (dialogs, messages, help, concept cards), the topmost last; not the tool windows that
        work beside a screen (the Steer window)."""
        return [w for w in self.ui.get_window_stack().get_full_stack() if w.alive() and not getattr(w, "tool", False)]

    def text_focused(self) -> bool:
        return any(isinstance(e, TEXT_FIELDS) for e in (self.ui.get_focus_set() or ()))

    def route_key(self, event: pygame.event.Event) -> None:
        """One keyboard rule for the whole app: an open dialog, then a focused text field, receives keys first and
        the screen beneath never sees them. Escape closes the topmost dialog, else leaves the text field, and only
        then reaches the screen (which may go back)."""
        dialogs = self.dialogs()
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE and (dialogs or self.text_focused()):
            if dialogs:
                dialogs[-1].kill()
            else:
                self.ui.set_focus_set(None)
            return
        if dialogs:
            self.ui.process_events(event)
            return
        if self.text_focused():
            used = self.ui.process_events(event)
            # Ctrl shortcuts a text field has no use for (save, undo, redo) still reach the screen.
            if not used and event.type == pygame.KEYDOWN and event.mod & pygame.KMOD_CTRL and event.key in SCREEN_CTRL:
                self.scene.handle(event)
            return
        if not self.ui.process_events(event):
            self.scene.handle(event)

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.request_quit()
            return
        if event.type == pygame.VIDEORESIZE:
            self._resized((event.w, event.h))
            return
        if event.type == pygame.DROPFILE:
            self.scene.on_file_dropped(event.file)
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F1:
            self.toggle_help()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F11:
            self.toggle_fullscreen()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F10:
            self.toggle_projector()
            return
        if event.type in (pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT):
            self.route_key(event)
            return
        if event.type == pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED and event.ui_element is self.leave_dialog:
            then, self._after_leaving = self._after_leaving, None
            if then is not None:
                then()
            return
        if self.ui.process_events(event):
            return
        self.scene.handle(event)

    def request_quit(self) -> None:
        work = self.scene.unsaved_work() if self.scene is not None else None
        if work:
            self.confirm_leaving(work, self.quit)
        else:
            self.quit()

    def quit(self) -> None:
        self.running = False

    def frame(self, dt: float, events: list | None = None) -> None:
        """One frame: events, update, draw. Tests call this directly with posted events."""
        try:
            for event in pygame.event.get() if events is None else events:
                self.handle(event)
                if not self.running:
                    return
            self.scene.update(dt)
            self.ui.update(dt)
            self.surface.fill(BACKGROUND_RGB)
            self.scene.draw(self.surface)
            self.ui.draw_ui(self.surface)
        except Exception as exc:  # a bug in a screen must not take the app (and the player's work) down
            self.recover(exc)
        pygame.display.flip()

    def recover(self, exc: Exception) -> None:
        """Leave the failing screen for the home screen and say what happened; the log keeps the traceback."""
        import traceback
        log.error("a screen failed:\n%s", traceback.format_exc())
        if isinstance(self.scene, scene_class("home")):
            raise exc  # nowhere safer to go
        autosave = getattr(self.scene, "autosave", None)
        if autosave is not None:
            try:
                autosave()  # the editor's work comes back from the home screen
            except Exception:
                pass
        self.open("home", ask=False)
        self.message("Something went wrong", f"{type(exc).__name__}: {exc}\n\nYou are back on the home screen; "
                     "unsaved editor work is kept in the autosave.")

    def step(self, may_sleep: bool = True) -> None:
        """Wait for the next frame, then draw it: 60 a second while something moves, else when an event comes."""
        events = None
        if may_sleep and self.scene is not None and not self.scene.animating():
            # Nothing moves: sleep until an event comes, waking a few times a second for the widgets' own timers
            # (tooltips, the text cursor). An idle window then costs almost nothing (a laptop on battery).
            first = pygame.event.wait(TYPING_WAKE_MS if self.text_focused() else IDLE_WAKE_MS)
            events = ([] if first.type == pygame.NOEVENT else [first]) + pygame.event.get()
            dt = self.clock.tick() / 1000.0
        else:
            dt = self.clock.tick(60) / 1000.0  # tick (not tick_busy_loop) sleeps, releasing the GIL
        self.frame(min(dt, 0.1), events)

    def run(self, max_frames: int | None = None) -> int:
        frames = 0
        first_frame_exit = os.environ.get("MESA_SANDBOX_FIRST_FRAME_EXIT") == "1"  # for benchmarks/startup.py
        while self.running and (max_frames is None or frames < max_frames):
            self.step(may_sleep=frames > 0)  # the first frame is drawn at once
            frames += 1
            if first_frame_exit:
                print(f"first-frame {time.time():.6f}", flush=True)
                break
        if self.scene is not None:
            self.scene.leave()
        return 0


def settle_memory() -> None:
    """On a new screen: free what the screens left behind, then freeze everything alive. A screen's widgets and
    session refer to each other, so only a full collection frees them; but with torch and pygame_gui loaded a full
    collection walks about 200,000 objects (93 ms, a visible hitch) and so runs rarely, and the reference cycles of
    widgets rebuilt on a screen (their surfaces with them) piled up for many minutes. Frozen objects are never
    walked again: collections while a screen is open only look at what it made since."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def screen_size() -> tuple[int, int]:
    """The size of the screen the window opens on: projector mode fills it (a 1920x1080 projector once got a
    1280x800 window)."""
    pygame.display.init()
    sizes = pygame.display.get_desktop_sizes()
    return tuple(sizes[0]) if sizes and min(sizes[0]) > 0 else (1280, 800)


def run(lesson=None, autoplay: bool = False, once: bool = False, projector: bool = False, trace=None) -> int:
    """The game; with `lesson` (a `game.session.lesson.LessonFile`), straight into it, where it was left (autoplay:
    from the start, moving on by itself; `once`: quit at its end; `trace`: a `LessonTrace`); `projector`: in
    projector mode."""
    logging.basicConfig(filename=user_data_dir() / "mesa-sandbox.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    app = App(screen_size() if projector else (1280, 800), projector=projector)
    if lesson is not None:
        app.open_lesson(lesson, autoplay, once, trace)
    try:
        return app.run()
    finally:
        pygame.quit()


if __name__ == "__main__":
    sys.exit(run())
