"""The level editor: paint tiles, place and move entities, undo and redo, validate as you go, save, play, train.

The screen is a bar of actions, the map (`Canvas`) and a side panel with one tab at a time (`tabs`). It edits a
`levels.document.LevelDocument` and shows its problems as the level format states them.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.core import UIContainer
from pygame_gui.elements import UIButton, UILabel

from levels import LevelError, level_from_code, level_to_code, level_to_dict
from levels.autosaves import Autosave, slot_for
from levels.document import LevelDocument, unfit_to_edit
from levels.files import atomic_write_text, output_problem, read_bounded
from levels.format import MAX_FILE_BYTES, Level, level_to_json
from levels.warnings import level_warnings
from levels.words import counted, sentence

from game.paths import RecentFiles, autosaves, levels_dir
from game.scenes.base import Scene
from game.scenes.editor.canvas import Canvas
from game.scenes.editor.regions import RegionsTab
from game.scenes.editor.rewards import RewardsTab
from game.scenes.editor.spawns import SpawnsTab
from game.scenes.editor.tabs import MapTab, esc
from game.widgets import file_dialog, set_fitted_text, text_width

BAR = [("home", "< Home", 90), ("save", "Save", 70), ("save_as", "Save as", 90), ("undo", "Undo", 70),
       ("redo", "Redo", 70), ("copy", "Copy code", 110), ("paste", "Paste code", 110), ("play", "Play", 70),
       ("preview", "Preview", 90), ("train", "Train >", 90)]
TABS = [("map", "Map"), ("rules", "Rewards"), ("regions", "Regions"), ("training", "Training"),
        ("deployment", "Deploy")]
AUTOSAVE_SECONDS = 10
# The editor's keys: (key, Ctrl, Shift) -> (the keys as F1 names them, what they do, the scene's method). One table
# decides what a key does and lists it in the F1 help.
KEYS = {
    (pygame.K_z, True, False): ("Ctrl+Z", "undo", "do_undo"),
    (pygame.K_z, True, True): ("Ctrl+Shift+Z", "redo", "do_redo"),
    (pygame.K_y, True, False): ("Ctrl+Y", "redo", "do_redo"),
    (pygame.K_s, True, False): ("Ctrl+S", "save (a new level: choose where)", "do_save"),
    (pygame.K_s, True, True): ("Ctrl+Shift+S", "save as", "do_save_as"),
    (pygame.K_ESCAPE, False, False): ("Esc", "back to the home screen (unsaved changes stay in the autosave)",
                                      "do_home"),
}
# What the mouse does on the map, listed in F1 beside the keys.
MOUSE = [("click, drag", "paint with the tool chosen in the Map tab (Shift+drag: a rectangle of tiles); select: "
                         "pick an entity and drag it"),
         ("right click", "erase: the entity under the pointer, else the tile (back to floor)"),
         ("drag (Regions tab, a maze)", "draw a rectangle (Shift: add one to the region)")]


class EditorScene(Scene):
    for_projector = False  # levels are built at a desk: the editor keeps its desktop size on a projector

    def __init__(self, app, level: Level | dict, path: str | None = None,
                 proposals: list[tuple[dict, dict]] = (), restored: Autosave | None = None):
        super().__init__(app)
        # A dict is a document that may not be valid yet (an autosave): the editor shows its problems.
        doc = copy.deepcopy(level) if isinstance(level, dict) else level_to_dict(level)
        self.path = path
        # This document's own autosave slot (levels.autosaves): another level's edits never overwrite it.
        self.slot = restored.slot if restored is not None else slot_for(path)
        if restored is not None:
            self.document, self.base = restored_document(restored)
        else:
            self.document, self.base = LevelDocument(doc), copy.deepcopy(doc)  # base: what the edits start from
        self.tool = ("tile", "wall")
        self.selected: dict | None = None
        self.level, self.problems = self.document.check()
        self.status = ""
        self.dialog = None
        self.last_autosave = time.monotonic()
        self.wrote_autosave = restored is not None  # an autosave of this editor's work is on disk
        self.tab = "map"
        self.spawn_entity: str | None = None  # the entity whose spawn cells a distribution tab paints
        self.clicks = "start"  # what the map sets on a distribution tab: "start", "route", "tiles" or "maze"
        self.change_tile = "lava"  # the tile a click makes there when painting tile changes
        self.region: str | None = None  # the region the Regions tab draws (None: a new one)
        self.mix: int | None = None  # the mix a distribution tab edits (None: the distribution itself)
        self.own_route = False  # clicks on the Map tab draw the selected walker's own route
        self.canvas = Canvas(self)
        self._warnings: str | None = None  # the level's warnings as last said (`problems_text`)
        self.panel_root: UIContainer | None = None  # the side panel's own container (`rebuild_panel`)
        for proxy, regions in proposals:  # proxies the deployment view added: an undo step each, on the Rewards tab
            self.document.add_proxy_with_regions(proxy, regions)
            self.level, self.problems = self.document.check()
            self.tab = "rules"
            self.status = f"Added the proxy \"{proxy['name']}\" (Ctrl+Z undoes it)."

    # --- layout ----------------------------------------------------------------------------------------------
    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        x = pad
        self.bar_buttons = {}
        for key, label, width in BAR:
            self.bar_buttons[key] = UIButton(pygame.Rect(x, pad, int(width * s), bar), label, self.ui,
                                             container=self.root, object_id="#primary" if key == "train" else None)
            x += int(width * s) + pad // 2
        self.status_label = UILabel(pygame.Rect(x + pad // 2, pad, max(60, w - x - 3 * pad // 2), bar), "", self.ui,
                                    container=self.root, object_id="#muted")
        side = int(360 * s)
        top = 2 * pad + bar
        self.canvas.rect = pygame.Rect(pad, top, w - side - 3 * pad, h - top - pad)
        px = w - side - pad
        self.tabs: dict[UIButton, str] = {}
        gap = pad // 2
        tab_w = (side - (len(TABS) - 1) * gap) // len(TABS)
        for k, (tab, label) in enumerate(TABS):
            button = UIButton(pygame.Rect(px + k * (tab_w + gap), top, tab_w, int(34 * s)), label, self.ui,
                              container=self.root)
            self.tabs[button] = tab
            button.select() if tab == self.tab else None
        # Each tab as wide as its word needs, the spare room shared out: "Rewards" was cut in a 1280x720 window.
        needs = [text_width(button.font, button.text) for button in self.tabs]
        spare = (side - (len(TABS) - 1) * gap - sum(needs)) / len(TABS)
        x = px
        for button, need in zip(self.tabs, needs):
            width = int(need + spare)
            button.set_relative_position((x, top))
            button.set_dimensions((width, int(34 * s)))
            x += width + gap
        self.panel_rect = pygame.Rect(px, top + int(40 * s), side, h - top - int(40 * s) - pad)
        self.rebuild_panel()

    def rebuild_panel(self) -> None:
        """The side panel built again from the document (an edit changed its rows, undo, another tab); the bar
        and the tabs stay (benchmarks/editor_clicks.py, monster world: a click 84-101 ms -> 63-80 ms)."""
        for button, tab in self.tabs.items():
            button.select() if tab == self.tab else button.unselect()
        if self.panel_root is not None:
            self.panel_root.kill()
        # The panel's own container, only as big as the panel (a container covers what lies below it), and beside
        # the screen's rather than inside it: pygame_gui builds each widget's theme ids with string joins that grow
        # with how deep it is nested, and one level deeper tripled the cost of every widget (0.26 -> 0.76 ms).
        self.panel_root = UIContainer(self.panel_rect, self.ui)
        rect = pygame.Rect((0, 0), self.panel_rect.size)  # the panel's widgets are placed inside its container
        if self.tab == "map":
            self.panel = MapTab(self, rect)
        elif self.tab == "rules":
            self.panel = RewardsTab(self, rect)
        elif self.tab == "regions":
            self.panel = RegionsTab(self, rect)
        else:
            self.panel = SpawnsTab(self, rect, self.tab)
        self.refresh()

    def say(self, status: str) -> None:
        self.status = status
        self.refresh()

    def refresh(self) -> None:
        self.level, self.problems = self.document.check()
        if self.wrote_autosave and not self.document.dirty:
            self.drop_autosave()  # back to what is on disk (undone, or saved): nothing to offer back
        self.panel.refresh()
        text = self.problems_text()
        if self.panel.problems_box.html_text != text:  # laying out the box again took 30 ms of every refresh
            self.panel.problems_box.set_text(text)
        dirty = " (unsaved)" if self.document.dirty else ""
        where = Path(self.path).name if self.path else "new level"
        set_fitted_text(self.status_label, f"{where}{dirty}  {self.status}")  # a long message: whole in its tooltip
        for key, usable in (("undo", bool(self.document.undo_stack)), ("redo", bool(self.document.redo_stack)),
                            ("train", self.level is not None)):
            self.bar_buttons[key].enable() if usable else self.bar_buttons[key].disable()

    def problems_text(self) -> str:
        if self.problems:
            return "<b>Problems</b> to fix before training:<br>" + "<br>".join(  # (one line: the box may be short)
                f"- <b>{esc(p.path or 'level')}</b>: {esc(p.message)}. {esc(sentence(p.fix))}" for p in self.problems)
        lvl = self.level
        if self.canvas.drag_start is None or self._warnings is None:
            self._warnings = "".join(f"<b>Warning</b>: {esc(w)}<br>" for w in level_warnings(lvl))
        warnings = self._warnings  # (while a stroke paints, those of its start: a flood fill per cell painted took
        # 40 ms of a 96 x 96 level's frame; the stroke's end says them again)
        return warnings + (
                f"<b>Valid level</b>: {lvl.world}, {lvl.width}x{lvl.height}, "
                f"{counted(len(lvl.entities), 'entity', 'entities')}.<br>"
                f"<b>Base reward</b>: {counted(len(lvl.base_reward.rules), 'rule')}. <b>Intended goal</b>: "
                f"{esc(lvl.intended_goal.describe())}. <b>Proxies</b>: "
                f"{esc(', '.join(p.name for p in lvl.proxies) or 'none')}.<br>"
                "Rules, goal and proxies: <b>Rewards</b>. Where things start, their colours, routes, mixes, tile "
                "changes and mazes: <b>Training</b> and <b>Deploy</b>. Named areas: <b>Regions</b>. An entity's id, "
                "colour and route: pick it with <b>select</b> on the <b>Map</b>.")

    def problem_cells(self) -> list[tuple[int, int]]:
        return self.canvas.problem_cells(self.problems)

    # --- events ----------------------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> bool:
        return any(answer(event) for answer in (self._tab_pressed, self.panel.handle, self._bar_pressed,
                                                self._dialog_answered, self.canvas.handle, self._key))

    def _tab_pressed(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.tabs:
            self.tab = self.tabs[event.ui_element]
            self.rebuild_panel()
            return True
        return False

    def _bar_pressed(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for key, button in self.bar_buttons.items():
                if event.ui_element is button:
                    getattr(self, f"do_{key}")()
                    return True
        return False

    def _dialog_answered(self, event) -> bool:
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.save_to(event.text)
            return True
        return False

    def _key(self, event) -> bool:
        if event.type != pygame.KEYDOWN:
            return False
        ctrl, shift = bool(event.mod & pygame.KMOD_CTRL), bool(event.mod & pygame.KMOD_SHIFT)
        binding = KEYS.get((event.key, ctrl, shift)) or KEYS.get((event.key, ctrl, False))
        if binding is None:
            return False
        getattr(self, binding[2])()
        return True

    @property
    def shortcuts(self) -> list[tuple[str, str]]:
        """This screen's keys for the F1 help (the table that decides what they do), then what the mouse does."""
        return [(label, words) for label, words, _ in KEYS.values()] + MOUSE

    # --- bar actions -----------------------------------------------------------------------------------------
    def do_undo(self) -> None:
        if self.document.undo():
            self.status = "Undone."
            self.rebuild_panel()  # every field shows the document again

    def do_redo(self) -> None:
        if self.document.redo():
            self.status = "Redone."
            self.rebuild_panel()

    def do_save(self) -> None:
        if self.path is None:
            self.do_save_as()
        else:
            self.save_to(self.path)

    def do_save_as(self) -> None:
        stem = "".join(c if c.isalnum() else "_" for c in self.document.doc.get("name", "level").lower()) or "level"
        start = self.path or str(levels_dir() / f"{stem}.json")
        self.dialog = file_dialog(self.app, "Save the level", start, existing_only=False, suffixes={".json"})

    def save_to(self, path: str) -> None:
        level, problems = self.document.check()
        text = level_to_json(level) if level else json.dumps(self.document.doc, indent=2) + "\n"
        problem = output_problem(path)
        if problem:
            self.app.message("The level was not saved", problem)
            return
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            self.app.message("The level was not saved", f"{path}: {exc.strerror or exc}")
            return
        self.path = path
        self.document.saved = json.dumps(self.document.doc, sort_keys=True)
        self.base = copy.deepcopy(self.document.doc)  # what later edits start from: the file as saved
        self.drop_autosave()  # the slot the work was kept in (a new level's, or the file's)
        self.slot = slot_for(path)  # the saved file's own slot from now on
        self.drop_autosave()  # older work kept for that file is saved over
        RecentFiles().add(path)
        self.say("Saved." + (" It still has problems; fix them to train." if problems else ""))

    def do_copy(self) -> None:
        if self.level is None:
            self.say("Fix the problems first: only a valid level has a code.")
            return
        code = level_to_code(self.level)
        try:
            pygame.scrap.put_text(code)
            self.say(f"Level code copied ({len(code)} characters).")
        except pygame.error:
            self.app.message("Level code", code)

    def do_paste(self) -> None:
        try:
            code = pygame.scrap.get_text() or ""
        except pygame.error:
            code = ""
        try:
            level = level_from_code(code, "the pasted level code")
        except LevelError as exc:
            self.app.message("That is not a level code", str(exc))
            return
        self.document.replace(level_to_dict(level))
        self.status = f"Pasted \"{level.name}\"."
        self.rebuild_panel()

    def do_play(self) -> None:
        self._open_with_level("play")

    def do_preview(self) -> None:
        self._open_with_level("preview")

    def _open_with_level(self, scene: str) -> None:
        """Open a screen that needs a valid level, coming back here afterwards."""
        if self.level is None:
            self.say("Fix the problems first.")
            return
        self.app.open(scene, ask=False, level=self.level, back=self)  # it comes back here: nothing is lost

    def do_train(self) -> None:
        if self.level is not None:
            self.app.open("lab", level=self.level, source=self.path)

    def do_home(self) -> None:
        self.app.open("home")

    def windows(self) -> list:
        return [self.dialog]

    def unsaved_work(self) -> str | None:
        if not self.document.dirty:
            return None
        return ("This level has unsaved changes (Ctrl+S saves them; they also stay in the autosave, offered back "
                "on the home screen).")

    def before_leaving(self) -> None:
        self.autosave()

    # --- per frame -------------------------------------------------------------------------------------------
    def autosave(self) -> None:
        if self.document.dirty:
            try:
                autosaves().write(self.slot, self.path, self.document.doc, self.base)
                self.wrote_autosave = True
            except OSError:
                pass
        elif self.wrote_autosave:
            self.drop_autosave()
        self.last_autosave = time.monotonic()

    def drop_autosave(self) -> None:
        autosaves().drop(self.slot)
        self.wrote_autosave = False

    def leave(self) -> None:
        if self.wrote_autosave and not self.document.dirty:
            self.drop_autosave()
        if self.panel_root is not None:
            self.panel_root.kill()
            self.panel_root = None
        super().leave()

    def update(self, dt: float) -> None:
        if time.monotonic() - self.last_autosave > AUTOSAVE_SECONDS:
            self.autosave()

    def draw(self, surface: pygame.Surface) -> None:
        self.canvas.draw(surface)


def restored_document(restored: Autosave) -> tuple[LevelDocument, dict | None]:
    """Work offered back after a crash, as one undo step over what it started from: the file as it is on disk now
    (or as it was when the work began), or the template of a new level. It is unsaved until saved."""
    base, on_disk = restored.base, False
    if restored.path is not None:
        try:
            found = json.loads(read_bounded(restored.path, MAX_FILE_BYTES).decode("utf-8-sig"))
            if isinstance(found, dict) and not unfit_to_edit(found):
                base, on_disk = found, True
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            pass  # the file is gone or damaged: the base kept in the slot (or none) stands in
    if base is None:
        document = LevelDocument(copy.deepcopy(restored.level))
        document.saved = ""  # nothing on disk matches it: unsaved whatever is undone
        return document, None
    document = LevelDocument(copy.deepcopy(base))
    if not on_disk:
        document.saved = ""  # no file holds the base (a new level's template): unsaved even when undone to it
    document.replace(restored.level)
    return document, base
