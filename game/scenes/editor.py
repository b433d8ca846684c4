"""The level editor: paint tiles, place and move entities, undo and redo, validate as you go, save, play, train.

The editor works on the level's JSON document (the same dict the file holds) and re-checks it with the level
format's own validator after every change, so what it shows as problems is exactly what `level validate` says.
Undo/redo keep whole documents: levels are a few kilobytes.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UITextBox, UITextEntryLine
from pygame_gui.windows import UIFileDialog

from levels import LevelError, level_from_code, level_to_code, level_to_dict, parse_level
from levels.format import Level, atomic_write_text, level_to_json
from levels.vocabulary import ENTITY_KINDS, TILE_KINDS, WORLD_KINDS

from game.app import Scene
from game.palette import AGENT_RGB, DEFAULT_ENTITY_RGB, ENTITY_RGB, TILE_RGB
from game.paths import user_data_dir
from game.render import draw_entity

TILE_CHARS = {"floor": ".", "wall": "#", "lava": "~", "green_floor": "g", "red_floor": "r", "blue_floor": "b",
              "yellow_floor": "y"}
AUTOSAVE_NAME = "autosave.json"


def autosave_path() -> Path:
    return user_data_dir() / AUTOSAVE_NAME


class LevelDocument:
    """The level being edited, as its JSON document, with undo and redo."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.undo_stack: list[dict] = []
        self.redo_stack: list[dict] = []
        self.saved = json.dumps(doc, sort_keys=True)

    @property
    def dirty(self) -> bool:
        return json.dumps(self.doc, sort_keys=True) != self.saved

    def change(self) -> dict:
        """Call before changing `doc`: remembers the current state for undo. Returns the doc to change."""
        self.undo_stack.append(copy.deepcopy(self.doc))
        del self.undo_stack[:-200]
        self.redo_stack.clear()
        return self.doc

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.redo_stack.append(self.doc)
        self.doc = self.undo_stack.pop()
        return True

    def redo(self) -> bool:
        if not self.redo_stack:
            return False
        self.undo_stack.append(self.doc)
        self.doc = self.redo_stack.pop()
        return True

    def check(self) -> tuple[Level | None, list]:
        try:
            return parse_level(copy.deepcopy(self.doc), "this level"), []
        except LevelError as exc:
            return None, exc.problems

    # --- edits -----------------------------------------------------------------------------------------------
    def tile_char(self, kind: str) -> str:
        legend = self.doc["tiles"]["legend"]
        for char, k in legend.items():
            if k == kind:
                return char
        char = TILE_CHARS[kind] if TILE_CHARS[kind] not in legend else next(
            c for c in "abcdefhijklmnopqstuvwxz0123456789" if c not in legend)
        legend[char] = kind
        return char

    def set_tiles(self, cells: list[tuple[int, int]], kind: str) -> None:
        rows = [list(r) for r in self.doc["tiles"]["rows"]]
        char = self.tile_char(kind)
        for x, y in cells:
            if 0 <= y < len(rows) and 0 <= x < len(rows[y]):
                rows[y][x] = char
        self.doc["tiles"]["rows"] = ["".join(r) for r in rows]

    def entity_at(self, cell: tuple[int, int]) -> dict | None:
        for e in reversed(self.doc["entities"]):
            if tuple(e.get("at", ())) == tuple(cell):
                return e
        return None

    def place(self, kind: str, cell: tuple[int, int]) -> dict:
        entities = self.doc["entities"]
        if kind == "agent":
            for e in entities:
                if e["kind"] == "agent":
                    e["at"] = list(cell)
                    return e
        ids = {e["id"] for e in entities}
        n = 1
        while f"{kind}{n}" in ids:
            n += 1
        entity = {"id": f"{kind}{n}", "kind": kind, "at": list(cell)}
        entities.append(entity)
        return entity

    def remove(self, entity: dict) -> None:
        self.doc["entities"] = [e for e in self.doc["entities"] if e is not entity]


class EditorScene(Scene):
    def __init__(self, app, level: Level | dict, path: str | None = None):
        super().__init__(app)
        # A dict is a document that may not be valid yet (an autosave): the editor shows its problems.
        self.document = LevelDocument(copy.deepcopy(level) if isinstance(level, dict) else level_to_dict(level))
        self.path = path
        self.tool = ("tile", "wall")
        self.selected: dict | None = None
        self.drag_start: tuple[int, int] | None = None
        self.dragging = False
        self.painted_this_stroke = False
        self.level, self.problems = self.document.check()
        self.status = ""
        self.dialog: UIFileDialog | None = None
        self.last_autosave = time.monotonic()
        self.quit_dialog = None
        self.quit_action = "home"

    # --- layout ----------------------------------------------------------------------------------------------
    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        r = self.root
        x = pad
        self.bar_buttons = {}
        for key, label, width in [("home", "< Home", 90), ("save", "Save", 80), ("save_as", "Save as", 100),
                                  ("undo", "Undo", 80), ("redo", "Redo", 80), ("copy", "Copy code", 120),
                                  ("paste", "Paste code", 120), ("play", "Play", 80), ("train", "Train >", 100)]:
            self.bar_buttons[key] = UIButton(pygame.Rect(x, pad, int(width * s), bar), label, self.ui, container=r,
                                             object_id="#primary" if key == "train" else None)
            x += int(width * s) + pad // 2
        side = int(300 * s)
        top = 2 * pad + bar
        self.canvas = pygame.Rect(pad, top, w - side - 3 * pad, h - top - pad)
        px = w - side - pad
        y = top
        UILabel(pygame.Rect(px, y, side, int(28 * s)), "Name", self.ui, container=r, object_id="#muted")
        y += int(28 * s)
        self.name_entry = UITextEntryLine(pygame.Rect(px, y, side, int(36 * s)), self.ui, container=r)
        self.name_entry.set_text(self.document.doc.get("name", ""))
        y += int(40 * s)
        half = (side - pad) // 2
        self.world_menu = UIDropDownMenu(list(WORLD_KINDS), self.document.doc.get("world", "grid"),
                                         pygame.Rect(px, y, half, int(36 * s)), self.ui, container=r)
        self.length_entry = UITextEntryLine(pygame.Rect(px + half + pad, y, half, int(36 * s)), self.ui, container=r)
        self.length_entry.set_text(str(self.document.doc.get("episode_length", 200)))
        y += int(44 * s)
        UILabel(pygame.Rect(px, y, side, int(28 * s)), "Tiles (Shift+drag fills a rectangle)", self.ui,
                container=r, object_id="#muted")
        y += int(28 * s)
        self.palette: dict[UIButton, tuple[str, str]] = {}
        cols, bw = 3, (side - 2 * pad // 2) // 3
        for k, kind in enumerate(TILE_KINDS):
            rr, cc = divmod(k, cols)
            b = UIButton(pygame.Rect(px + cc * (bw + pad // 2), y + rr * int(34 * s), bw, int(32 * s)),
                         kind.replace("_", " "), self.ui, container=r)
            self.palette[b] = ("tile", kind)
        y += (len(TILE_KINDS) + cols - 1) // cols * int(34 * s) + pad // 2
        UILabel(pygame.Rect(px, y, side, int(28 * s)), "Entities (right click erases)", self.ui, container=r,
                object_id="#muted")
        y += int(28 * s)
        tools = [("entity", k) for k in ENTITY_KINDS] + [("select", "move")]
        for k, tool in enumerate(tools):
            rr, cc = divmod(k, cols)
            b = UIButton(pygame.Rect(px + cc * (bw + pad // 2), y + rr * int(34 * s), bw, int(32 * s)),
                         tool[1] if tool[0] == "entity" else "select/move", self.ui, container=r)
            self.palette[b] = tool
        y += (len(tools) + cols - 1) // cols * int(34 * s) + pad
        self.problems_box = UITextBox("", pygame.Rect(px, y, side, max(60, h - y - pad)), self.ui, container=r)
        self.status_label = UILabel(pygame.Rect(x, pad, max(60, w - x - pad), bar), "", self.ui, container=r,
                                    object_id="#muted")
        self.refresh()

    def refresh(self) -> None:
        self.level, self.problems = self.document.check()
        for button, tool in self.palette.items():
            button.select() if tool == self.tool else button.unselect()
        if self.problems:
            text = "<b>Problems</b> (the level cannot be trained until they are fixed):<br>" + "<br>".join(
                f"- <b>{_esc(p.path or 'level')}</b>: {_esc(p.message)}. {_esc(p.fix)}." for p in self.problems)
        else:
            lvl = self.level
            text = (f"<b>Valid level</b>: {lvl.world}, {lvl.width}x{lvl.height}, {len(lvl.entities)} entities.<br>"
                    f"<b>Base reward</b>: {len(lvl.base_reward.rules)} rule(s). <b>Intended goal</b>: "
                    f"{_esc(lvl.intended_goal.describe())}. <b>Proxies</b>: "
                    f"{_esc(', '.join(p.name for p in lvl.proxies) or 'none')}.<br>"
                    "Rules, goal, proxies and distributions are edited in the level file for now "
                    "(docs/level-format.md).")
        self.problems_box.set_text(text)
        dirty = " (unsaved)" if self.document.dirty else ""
        where = Path(self.path).name if self.path else "new level"
        self.status_label.set_text(f"{where}{dirty}  {self.status}")
        self.bar_buttons["undo"].enable() if self.document.undo_stack else self.bar_buttons["undo"].disable()
        self.bar_buttons["redo"].enable() if self.document.redo_stack else self.bar_buttons["redo"].disable()
        (self.bar_buttons["train"].enable() if self.level and not self.problems else self.bar_buttons["train"].disable())

    # --- geometry --------------------------------------------------------------------------------------------
    def grid_geometry(self) -> tuple[float, float, float]:
        rows = self.document.doc["tiles"]["rows"]
        h, w = len(rows), max(len(r) for r in rows)
        cell = min(self.canvas.w / w, self.canvas.h / h)
        ox = self.canvas.x + (self.canvas.w - cell * w) / 2
        oy = self.canvas.y + (self.canvas.h - cell * h) / 2
        return ox, oy, cell

    def cell_at(self, pos) -> tuple[int, int] | None:
        ox, oy, cell = self.grid_geometry()
        rows = self.document.doc["tiles"]["rows"]
        x, y = int((pos[0] - ox) // cell), int((pos[1] - oy) // cell)
        if 0 <= y < len(rows) and 0 <= x < len(rows[y]):
            return (x, y)
        return None

    # --- editing ---------------------------------------------------------------------------------------------
    def apply_at(self, cell: tuple[int, int], erase: bool = False) -> None:
        doc = self.document
        if erase:
            entity = doc.entity_at(cell)
            doc.change()
            if entity is not None:
                doc.remove(doc.entity_at(cell))
            else:
                doc.set_tiles([cell], "floor")
        elif self.tool[0] == "tile":
            doc.change()
            doc.set_tiles([cell], self.tool[1])
        elif self.tool[0] == "entity":
            doc.change()
            self.selected = doc.place(self.tool[1], cell)
        self.status = ""
        self.refresh()

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element in self.palette:
                self.tool = self.palette[event.ui_element]
                self.refresh()
                return True
            for key, button in self.bar_buttons.items():
                if event.ui_element is button:
                    getattr(self, f"do_{key}")()
                    return True
            return False
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.world_menu:
            self.document.change()["world"] = event.text
            self.refresh()
            return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED:
            if event.ui_element is self.name_entry:
                self.document.change()["name"] = event.text
            elif event.ui_element is self.length_entry:
                try:
                    self.document.change()["episode_length"] = int(event.text)
                except ValueError:
                    self.document.undo()
                    self.status = "The episode length is a whole number of steps."
            self.refresh()
            return True
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.save_to(event.text)
            return True
        if event.type == pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED and event.ui_element is self.quit_dialog:
            if self.quit_action == "quit":
                self.app.running = False
            else:
                from game.scenes.home import HomeScene
                self.app.switch(HomeScene(self.app))
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3):
            cell = self.cell_at(event.pos)
            if cell is None:
                return False
            self.drag_start = cell
            if event.button == 3:
                self.apply_at(cell, erase=True)
            elif self.tool[0] == "select":
                self.selected = self.document.entity_at(cell)
                if self.selected is not None:
                    self.document.change()
                    self.selected = self.document.entity_at(cell)
                    self.dragging = True
            elif not (pygame.key.get_mods() & pygame.KMOD_SHIFT and self.tool[0] == "tile"):
                self.apply_at(cell)
            return True
        if event.type == pygame.MOUSEMOTION and self.drag_start is not None and event.buttons[0]:
            cell = self.cell_at(event.pos)
            if cell is None:
                return True
            if self.dragging and self.selected is not None:
                self.selected["at"] = list(cell)
                self.refresh()
            elif self.tool[0] == "tile" and not pygame.key.get_mods() & pygame.KMOD_SHIFT:
                self.document.set_tiles([cell], self.tool[1])  # part of the stroke begun on mouse down
                self.refresh()
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.drag_start is not None:
            cell = self.cell_at(event.pos)
            if self.tool[0] == "tile" and pygame.key.get_mods() & pygame.KMOD_SHIFT and cell is not None:
                (x0, y0), (x1, y1) = self.drag_start, cell
                cells = [(x, y) for y in range(min(y0, y1), max(y0, y1) + 1)
                         for x in range(min(x0, x1), max(x0, x1) + 1)]
                self.document.change()
                self.document.set_tiles(cells, self.tool[1])
                self.refresh()
            self.drag_start, self.dragging = None, False
            return True
        if event.type == pygame.KEYDOWN and event.mod & pygame.KMOD_CTRL:
            if event.key == pygame.K_z:
                self.do_redo() if event.mod & pygame.KMOD_SHIFT else self.do_undo()
            elif event.key == pygame.K_y:
                self.do_redo()
            elif event.key == pygame.K_s:
                self.do_save_as() if event.mod & pygame.KMOD_SHIFT else self.do_save()
            else:
                return False
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.do_home()
            return True
        return False

    # --- bar actions -----------------------------------------------------------------------------------------
    def do_undo(self) -> None:
        if self.document.undo():
            self.status = "Undone."
            self._sync_fields()
            self.refresh()

    def do_redo(self) -> None:
        if self.document.redo():
            self.status = "Redone."
            self._sync_fields()
            self.refresh()

    def _sync_fields(self) -> None:
        self.name_entry.set_text(self.document.doc.get("name", ""))
        self.length_entry.set_text(str(self.document.doc.get("episode_length", 200)))

    def do_save(self) -> None:
        if self.path is None:
            self.do_save_as()
        else:
            self.save_to(self.path)

    def do_save_as(self) -> None:
        w, h = self.app.size
        rect = pygame.Rect(0, 0, min(720, w - 40), min(520, h - 40))
        rect.center = (w // 2, h // 2)
        stem = "".join(c if c.isalnum() else "_" for c in self.document.doc.get("name", "level").lower()) or "level"
        start = self.path or str(user_data_dir() / "levels" / f"{stem}.json")
        Path(start).parent.mkdir(parents=True, exist_ok=True)
        self.dialog = UIFileDialog(rect, self.ui, "Save the level", initial_file_path=start,
                                   allow_existing_files_only=False)

    def save_to(self, path: str) -> None:
        level, problems = self.document.check()
        text = level_to_json(level) if level else json.dumps(self.document.doc, indent=2) + "\n"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            self.app.message("The level was not saved", f"{path}: {exc.strerror or exc}")
            return
        self.path = path
        self.document.saved = json.dumps(self.document.doc, sort_keys=True)
        autosave_path().unlink(missing_ok=True)
        from game.paths import RecentFiles
        RecentFiles().add(path)
        self.status = "Saved." + (" It still has problems; fix them to train." if problems else "")
        self.refresh()

    def do_copy(self) -> None:
        if self.level is None:
            self.status = "Fix the problems first: only a valid level has a code."
        else:
            code = level_to_code(self.level)
            try:
                pygame.scrap.put_text(code)
                self.status = f"Level code copied ({len(code)} characters)."
            except pygame.error:
                self.app.message("Level code", code)
        self.refresh()

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
        self.document.change()
        self.document.doc = level_to_dict(level)
        self._sync_fields()
        self.status = f"Pasted \"{level.name}\"."
        self.refresh()

    def do_play(self) -> None:
        if self.level is None:
            self.status = "Fix the problems first."
            self.refresh()
            return
        from game.scenes.play import PlayScene
        self.app.switch(PlayScene(self.app, self.level, back=self))

    def do_train(self) -> None:
        if self.level is None:
            return
        from game.scenes.lab import LabScene
        self.app.switch(LabScene(self.app, self.level, source=self.path))

    def do_home(self) -> None:
        self.quit_action = "home"
        if self.document.dirty and not self.confirm_quit():
            return
        from game.scenes.home import HomeScene
        self.app.switch(HomeScene(self.app))

    def confirm_quit(self) -> bool:
        """Unsaved changes are asked about once; the second request goes ahead (the autosave keeps them)."""
        if not self.document.dirty:
            return True
        if self.quit_dialog is not None and self.quit_dialog.alive():
            return False
        w, h = self.app.size
        rect = pygame.Rect(0, 0, min(520, w - 40), 220)
        rect.center = (w // 2, h // 2)
        self.autosave()
        self.quit_dialog = pygame_gui.windows.UIConfirmationDialog(
            rect, "This level has unsaved changes. Leave anyway? (They stay in the autosave, offered back next "
            "time.) Save first with Ctrl+S.", self.ui, window_title="Unsaved changes", action_short_name="Leave")
        return False

    # --- per frame -------------------------------------------------------------------------------------------
    def autosave(self) -> None:
        if self.document.dirty:
            try:
                atomic_write_text(autosave_path(), json.dumps({"path": self.path, "level": self.document.doc}))
            except OSError:
                pass
        self.last_autosave = time.monotonic()

    def update(self, dt: float) -> None:
        if time.monotonic() - self.last_autosave > 10:
            self.autosave()

    def draw(self, surface: pygame.Surface) -> None:
        ox, oy, cell = self.grid_geometry()
        doc = self.document.doc
        legend = doc["tiles"]["legend"]
        for y, row in enumerate(doc["tiles"]["rows"]):
            for x, ch in enumerate(row):
                kind = legend.get(ch)
                rgb = TILE_RGB.get(kind, (255, 0, 255))
                pygame.draw.rect(surface, rgb, (ox + x * cell, oy + y * cell, cell + 1, cell + 1))
        for y in range(len(doc["tiles"]["rows"]) + 1):  # a light grid helps placing things
            pygame.draw.line(surface, (45, 50, 62), (ox, oy + y * cell), (ox + cell * len(doc["tiles"]["rows"][0]), oy + y * cell))
        for x in range(len(doc["tiles"]["rows"][0]) + 1):
            pygame.draw.line(surface, (45, 50, 62), (ox + x * cell, oy), (ox + x * cell, oy + cell * len(doc["tiles"]["rows"])))
        for e in doc["entities"]:
            at = e.get("at")
            if not (isinstance(at, list) and len(at) == 2):
                continue
            kind = e.get("kind")
            if kind not in DEFAULT_ENTITY_RGB:
                continue
            rgb = AGENT_RGB if kind == "agent" else ENTITY_RGB.get(e.get("color"), DEFAULT_ENTITY_RGB[kind])
            centre = (ox + (at[0] + 0.5) * cell, oy + (at[1] + 0.5) * cell)
            draw_entity(surface, kind, rgb, centre, cell)
            if e is self.selected:
                pygame.draw.rect(surface, (240, 228, 66), (ox + at[0] * cell, oy + at[1] * cell, cell, cell), 2)
        if self.drag_start and self.tool[0] == "tile" and pygame.key.get_mods() & pygame.KMOD_SHIFT:
            cell_now = self.cell_at(pygame.mouse.get_pos())
            if cell_now:
                (x0, y0), (x1, y1) = self.drag_start, cell_now
                rect = pygame.Rect(ox + min(x0, x1) * cell, oy + min(y0, y1) * cell,
                                   (abs(x1 - x0) + 1) * cell, (abs(y1 - y0) + 1) * cell)
                pygame.draw.rect(surface, (240, 228, 66), rect, 2)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
