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
from levels.files import atomic_write_text
from levels.format import Level, level_to_json
from levels.vocabulary import ENTITY_KINDS, TILE_KINDS, WORLD_KINDS

from game.scenes.base import Scene
from game.world.palette import AGENT_RGB, DEFAULT_ENTITY_RGB, ENTITY_RGB, TILE_RGB
from game.paths import RecentFiles, autosave_path, user_data_dir
from game.render import draw_entity

TILE_CHARS = {"floor": ".", "wall": "#", "lava": "~", "green_floor": "g", "red_floor": "r", "blue_floor": "b",
              "yellow_floor": "y"}
class LevelDocument:
    """The level being edited, as its JSON document, with undo and redo."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.undo_stack: list[dict] = []
        self.redo_stack: list[dict] = []
        self.last_key: str | None = None
        self.saved = json.dumps(doc, sort_keys=True)

    @property
    def dirty(self) -> bool:
        return json.dumps(self.doc, sort_keys=True) != self.saved

    def change(self, coalesce: str | None = None) -> dict:
        """Call before changing `doc`: remembers the current state for undo. Returns the doc to change.
        Changes with the same `coalesce` key in a row (typing in one field) make one undo step."""
        if coalesce is None or coalesce != self.last_key or not self.undo_stack:
            self.undo_stack.append(copy.deepcopy(self.doc))
            del self.undo_stack[:-200]
        self.last_key = coalesce
        self.redo_stack.clear()
        return self.doc

    def undo(self) -> bool:
        self.last_key = None
        if not self.undo_stack:
            return False
        self.redo_stack.append(self.doc)
        self.doc = self.undo_stack.pop()
        return True

    def redo(self) -> bool:
        self.last_key = None
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

    def spawn(self, split: str, entity_id: str) -> dict:
        """The spawn of an entity in a split, created when missing."""
        return self.doc.setdefault(split, {}).setdefault("spawns", {}).setdefault(entity_id, {})

    def toggle_spawn_cell(self, split: str, entity_id: str, cell: tuple[int, int]) -> None:
        spawn = self.spawn(split, entity_id)
        spawn.pop("region", None)
        spawn.pop("anywhere", None)
        cells = [list(c) for c in spawn.get("cells", [])]
        if list(cell) in cells:
            cells.remove(list(cell))
        else:
            cells.append(list(cell))
        if cells:
            spawn["cells"] = cells
        else:
            spawn.pop("cells", None)

    def set_diversity(self, share: float) -> None:
        """The share of training variants drawn like deployment (the first training mix)."""
        training = self.doc.setdefault("training", {})
        mixes = [m for m in training.get("mixes", [])]
        if share <= 0:
            training["mixes"] = mixes[1:] if mixes else []
        elif mixes:
            mixes[0]["share"] = round(share, 3)
            training["mixes"] = mixes
        else:
            spawns = copy.deepcopy(self.doc.get("deployment", {}).get("spawns", {}))
            training["mixes"] = [{"share": round(share, 3), "spawns": spawns}]
        if not training["mixes"]:
            training.pop("mixes")

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
        self.tab = "map"
        self.spawn_entity: str | None = None  # the entity whose spawn cells a distribution tab paints

    # --- layout ----------------------------------------------------------------------------------------------
    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        r = self.root
        x = pad
        self.bar_buttons = {}
        for key, label, width in [("home", "< Home", 90), ("save", "Save", 70), ("save_as", "Save as", 90),
                                  ("undo", "Undo", 70), ("redo", "Redo", 70), ("copy", "Copy code", 110),
                                  ("paste", "Paste code", 110), ("play", "Play", 70), ("preview", "Preview", 90),
                                  ("train", "Train >", 90)]:
            self.bar_buttons[key] = UIButton(pygame.Rect(x, pad, int(width * s), bar), label, self.ui, container=r,
                                             object_id="#primary" if key == "train" else None)
            x += int(width * s) + pad // 2
        side = int(360 * s)
        top = 2 * pad + bar
        self.canvas = pygame.Rect(pad, top, w - side - 3 * pad, h - top - pad)
        px = w - side - pad
        y = top
        self.tabs: dict[UIButton, str] = {}
        tab_w = (side - 3 * (pad // 2)) // 4
        for k, (tab, label) in enumerate([("map", "Map"), ("rules", "Rewards"), ("training", "Training"),
                                         ("deployment", "Deploy")]):
            b = UIButton(pygame.Rect(px + k * (tab_w + pad // 2), y, tab_w, int(34 * s)), label, self.ui,
                         container=r)
            self.tabs[b] = tab
            if tab == self.tab:
                b.select()
        y += int(40 * s)
        self.fields: dict = {}  # widget -> what it edits
        self.row_buttons: dict = {}  # widget -> action
        if self.tab == "rules":
            self.build_rules(px, y, side)
            return
        if self.tab in ("training", "deployment"):
            self.build_distribution(px, y, side)
            return
        UILabel(pygame.Rect(px, y, side, int(28 * s)), "Name", self.ui, container=r, object_id="#muted")
        y += int(28 * s)
        self.name_entry = UITextEntryLine(pygame.Rect(px, y, side, int(36 * s)), self.ui, container=r)
        self.name_entry.set_text(self.document.doc.get("name", ""))
        y += int(40 * s)
        self.description_entry = UITextEntryLine(pygame.Rect(px, y, side, int(36 * s)), self.ui, container=r,
                                                 placeholder_text="one or two sentences for players")
        self.description_entry.set_text(self.document.doc.get("description", ""))
        self.fields[self.description_entry] = ((), "description", str)
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
        self.finish_build()

    def finish_build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        x = max(b.rect.right for b in self.bar_buttons.values()) + pad
        r = self.root
        self.status_label = UILabel(pygame.Rect(x, pad, max(60, w - x - pad), bar), "", self.ui, container=r,
                                    object_id="#muted")
        self.refresh()

    # --- the rewards tab: base reward rules, intended goal, proxies --------------------------------------------
    def build_rules(self, px: int, y: int, side: int) -> None:
        from levels.vocabulary import EVENTS
        s, r, doc = self.app.scale, self.root, self.document.doc
        row_h, gap = int(34 * s), 4
        events = list(EVENTS)

        def label(text, height=int(26 * s)):
            nonlocal y
            UILabel(pygame.Rect(px, y, side, height), text, self.ui, container=r, object_id="#muted")
            y += height

        def condition_row(path, cond, with_remove=True, name=None):
            nonlocal y
            x = px
            if name is not None:
                entry = UITextEntryLine(pygame.Rect(x, y, side, row_h), self.ui, container=r)
                entry.set_text(name)
                self.fields[entry] = (path, "name", str)
                y += row_h + gap
            ev_w, what_w = int(side * 0.36), int(side * 0.30)
            menu = UIDropDownMenu(events, cond.get("event", "touched") if cond.get("event") in events else events[0],
                                  pygame.Rect(x, y, ev_w, row_h), self.ui, container=r)
            self.fields[menu] = (path, "event", str)
            what = UITextEntryLine(pygame.Rect(x + ev_w + gap, y, what_w, row_h), self.ui, container=r,
                                   placeholder_text="what")
            what.set_text(str(cond.get("what", "") or ""))
            self.fields[what] = (path, "what", str)
            return x + ev_w + what_w + 2 * gap

        label("Base reward: event, what, reward")
        for i, rule in enumerate(doc["base_reward"]["rules"]):
            x = condition_row(("base_reward", "rules", i), rule)
            rest = px + side - x
            reward = UITextEntryLine(pygame.Rect(x, y, int(rest * 0.34), row_h), self.ui, container=r)
            reward.set_text(f"{rule.get('reward', 0):g}" if isinstance(rule.get("reward"), (int, float)) else "")
            self.fields[reward] = (("base_reward", "rules", i), "reward", float)
            ends = UIDropDownMenu(["ends", "on"], "ends" if rule.get("ends_episode") else "on",
                                  pygame.Rect(x + int(rest * 0.34) + gap, y, int(rest * 0.44), row_h), self.ui,
                                  container=r)
            self.fields[ends] = (("base_reward", "rules", i), "ends_episode", lambda t: t == "ends")
            remove = UIButton(pygame.Rect(px + side - int(rest * 0.18), y, int(rest * 0.18), row_h), "x", self.ui,
                              container=r, tool_tip_text="remove this rule")
            self.row_buttons[remove] = ("remove_rule", i)
            y += row_h + gap
        add = UIButton(pygame.Rect(px, y, side // 2 - gap, row_h), "+ rule", self.ui, container=r)
        self.row_buttons[add] = ("add_rule", None)
        UILabel(pygame.Rect(px + side // 2, y, side // 4, row_h), "step cost", self.ui, container=r,
                object_id="#muted")
        cost = UITextEntryLine(pygame.Rect(px + side * 3 // 4, y, side // 4, row_h), self.ui, container=r)
        cost.set_text(f"{doc['base_reward'].get('step_cost', 0):g}")
        self.fields[cost] = (("base_reward",), "step_cost", float)
        y += row_h + 2 * gap
        label("Intended goal (never rewarded): event, what, times")
        goal = doc.setdefault("intended_goal", {"event": "touched", "what": ""})
        x = condition_row(("intended_goal",), goal)
        count = UITextEntryLine(pygame.Rect(x, y, px + side - x, row_h), self.ui, container=r)
        count.set_text(str(goal.get("count", 1)))
        self.fields[count] = (("intended_goal",), "count", int)
        y += row_h + 2 * gap
        label("Proxies to watch (never rewarded)")
        for i, proxy in enumerate(doc.get("proxies", [])):
            x = condition_row(("proxies", i), proxy, name=proxy.get("name", ""))
            remove = UIButton(pygame.Rect(x, y, px + side - x, row_h), "x", self.ui, container=r,
                              tool_tip_text="remove this proxy")
            self.row_buttons[remove] = ("remove_proxy", i)
            y += row_h + gap
        add = UIButton(pygame.Rect(px, y, side // 2 - gap, row_h), "+ proxy", self.ui, container=r)
        self.row_buttons[add] = ("add_proxy", None)
        y += row_h + 2 * gap
        self.side_problems = UITextBox("", pygame.Rect(px, y, side, max(60, self.app.size[1] - y - 12)), self.ui,
                                       container=r)
        self.finish_build()

    # --- the training and deployment tabs: where each entity may spawn -----------------------------------------
    def build_distribution(self, px: int, y: int, side: int) -> None:
        s, r, doc, split = self.app.scale, self.root, self.document.doc, self.tab
        row_h, gap = int(34 * s), 4
        ids = [e["id"] for e in doc["entities"]]
        if self.spawn_entity not in ids:
            self.spawn_entity = next((e["id"] for e in doc["entities"] if e["kind"] != "agent"), ids[0] if ids else None)
        UILabel(pygame.Rect(px, y, side, int(26 * s)), f"Click cells where it may start in {split}", self.ui,
                container=r, object_id="#muted")
        y += int(28 * s)
        if self.spawn_entity is None:
            self.side_problems = UITextBox("Place an entity first.", pygame.Rect(px, y, side, 80), self.ui,
                                           container=r)
            self.finish_build()
            return
        self.entity_menu = UIDropDownMenu(ids, self.spawn_entity, pygame.Rect(px, y, side, row_h), self.ui,
                                          container=r)
        y += row_h + gap
        spawn = doc.get(split, {}).get("spawns", {}).get(self.spawn_entity, {})
        where = ("anywhere" if spawn.get("anywhere") else f"region {spawn['region']}" if spawn.get("region")
                 else f"{len(spawn.get('cells', []))} cell(s)" if spawn.get("cells") else "where it was placed")
        UILabel(pygame.Rect(px, y, side, int(26 * s)), f"now: {where}", self.ui, container=r)
        y += int(28 * s)
        half = (side - gap) // 2
        b = UIButton(pygame.Rect(px, y, half, row_h), "anywhere", self.ui, container=r)
        self.row_buttons[b] = ("anywhere", None)
        b = UIButton(pygame.Rect(px + half + gap, y, half, row_h), "where placed", self.ui, container=r)
        self.row_buttons[b] = ("clear_spawn", None)
        y += row_h + gap
        UILabel(pygame.Rect(px, y, half, row_h), "present (0..1)", self.ui, container=r, object_id="#muted")
        present = UITextEntryLine(pygame.Rect(px + half + gap, y, half, row_h), self.ui, container=r)
        present.set_text(f"{spawn.get('present', 1.0):g}")
        self.fields[present] = ((split, "spawns", self.spawn_entity), "present", float)
        y += row_h + gap
        if split == "training":
            mixes = doc.get("training", {}).get("mixes", [])
            share = float(mixes[0]["share"]) if mixes else 0.0
            UILabel(pygame.Rect(px, y, side, int(26 * s)), f"Variants drawn like deployment: {share:.0%}",
                    self.ui, container=r, object_id="#muted")
            y += int(28 * s)
            from pygame_gui.elements import UIHorizontalSlider
            self.share_slider = UIHorizontalSlider(pygame.Rect(px, y, side, row_h), share, (0.0, 0.5), self.ui,
                                                   container=r, click_increment=0.01)
            y += row_h + gap
        self.side_problems = UITextBox("", pygame.Rect(px, y, side, max(60, self.app.size[1] - y - 12)), self.ui,
                                       container=r)
        self.finish_build()

    def apply_field(self, widget, text: str) -> None:
        path, key, convert = self.fields[widget]
        try:
            value = convert(text)
        except ValueError:
            self.status = f"\"{text}\" is not a number."
            self.refresh()
            return
        doc = self.document.change(coalesce=f"{path}:{key}")
        target = doc
        for part in path:
            target = target.setdefault(part, {}) if isinstance(part, str) and isinstance(target, dict) else target[part]
        if key == "what" and value == "":
            target.pop("what", None)
        else:
            target[key] = value
        self.status = ""
        self.refresh()

    def row_action(self, action: str, index) -> None:
        doc = self.document.change()
        if action == "add_rule":
            doc["base_reward"]["rules"].append({"event": "touched", "what": "coin", "reward": 1.0})
        elif action == "remove_rule":
            del doc["base_reward"]["rules"][index]
        elif action == "add_proxy":
            doc.setdefault("proxies", []).append({"name": "new proxy", "event": "entered_region", "what": ""})
        elif action == "remove_proxy":
            del doc["proxies"][index]
        elif action == "anywhere":
            spawn = self.document.spawn(self.tab, self.spawn_entity)
            spawn.pop("cells", None)
            spawn.pop("region", None)
            spawn["anywhere"] = True
        elif action == "clear_spawn":
            spawn = self.document.spawn(self.tab, self.spawn_entity)
            for key in ("cells", "region", "anywhere"):
                spawn.pop(key, None)
        self.rebuild()

    def refresh(self) -> None:
        self.level, self.problems = self.document.check()
        if self.tab != "map":
            self.problems_box = self.side_problems
        for button, tool in getattr(self, "palette", {}).items():
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
                    "Rules, goal and proxies: <b>Rewards</b>. Where things start: <b>Training</b> and "
                    "<b>Deploy</b> (click cells). Regions, mixes and mazes: the level file (docs/level-format.md).")
        self.problems_box.set_text(text)
        dirty = " (unsaved)" if self.document.dirty else ""
        where = Path(self.path).name if self.path else "new level"
        self.status_label.set_text(f"{where}{dirty}  {self.status}")
        self.bar_buttons["undo"].enable() if self.document.undo_stack else self.bar_buttons["undo"].disable()
        self.bar_buttons["redo"].enable() if self.document.redo_stack else self.bar_buttons["redo"].disable()
        (self.bar_buttons["train"].enable() if self.level and not self.problems else self.bar_buttons["train"].disable())

    # --- geometry --------------------------------------------------------------------------------------------
    def problem_cells(self) -> list[tuple[int, int]]:
        """Cells the validator's problems point at: an entity's cell, or a whole row of tiles."""
        import re
        cells = []
        doc = self.document.doc
        for p in self.problems:
            m = re.match(r"entities\[(\d+)\]", p.path)
            if m and int(m.group(1)) < len(doc["entities"]):
                at = doc["entities"][int(m.group(1))].get("at")
                if isinstance(at, list) and len(at) == 2 and all(isinstance(v, int) for v in at):
                    cells.append(tuple(at))
            m = re.match(r"tiles\.rows\[(\d+)\]", p.path)
            if m:
                y = int(m.group(1))
                cells += [(x, y) for x in range(len(doc["tiles"]["rows"][y]))]
        rows = doc["tiles"]["rows"]
        return [(x, y) for x, y in cells if 0 <= y < len(rows) and 0 <= x < len(rows[y])]

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
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.tabs:
            self.tab = self.tabs[event.ui_element]
            self.rebuild()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.row_buttons:
            self.row_action(*self.row_buttons[event.ui_element])
            return True
        if event.type in (pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_DROP_DOWN_MENU_CHANGED) \
                and event.ui_element in self.fields:
            self.apply_field(event.ui_element, event.text)
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is getattr(self, "entity_menu", None):
            self.spawn_entity = event.text
            self.rebuild()
            return True
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element is getattr(self, "share_slider", None):
            self.document.change(coalesce="diversity")
            self.document.set_diversity(float(event.value))
            self.rebuild()
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.tab in ("training", "deployment") \
                and self.spawn_entity is not None:
            cell = self.cell_at(event.pos)
            if cell is None:
                return False
            self.document.change()
            self.document.toggle_spawn_cell(self.tab, self.spawn_entity, cell)
            self.rebuild()
            return True
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
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is getattr(self, "world_menu", None):
            self.document.change()["world"] = event.text
            self.refresh()
            return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and self.tab == "map":
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
                self.app.open("home")
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
        self.rebuild()  # every field shows the document again

    def do_save(self) -> None:
        if self.path is None:
            self.do_save_as()
        else:
            self.save_to(self.path)

    def do_save_as(self) -> None:
        rect = self.app.centered(720, 520)
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
        self._open_with_level("play")

    def do_preview(self) -> None:
        self._open_with_level("preview")

    def _open_with_level(self, scene: str) -> None:
        """Open a screen that needs a valid level, coming back here afterwards."""
        if self.level is None:
            self.status = "Fix the problems first."
            self.refresh()
            return
        self.app.open(scene, level=self.level, back=self)

    def do_train(self) -> None:
        if self.level is None:
            return
        self.app.open("lab", level=self.level, source=self.path)

    def do_home(self) -> None:
        self.quit_action = "home"
        if self.document.dirty and not self.confirm_quit():
            return
        self.app.open("home")

    def confirm_quit(self) -> bool:
        """Unsaved changes are asked about once; the second request goes ahead (the autosave keeps them)."""
        if not self.document.dirty:
            return True
        if self.quit_dialog is not None and self.quit_dialog.alive():
            return False
        rect = self.app.centered(520, 220)
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
        for x, y in self.problem_cells():
            pygame.draw.rect(surface, (213, 94, 0), (ox + x * cell, oy + y * cell, cell, cell), max(2, int(cell / 12)))
        if self.tab in ("training", "deployment") and self.spawn_entity:
            spawn = doc.get(self.tab, {}).get("spawns", {}).get(self.spawn_entity, {})
            cells = [tuple(c) for c in spawn.get("cells", []) if isinstance(c, list)]
            for rect in doc.get("regions", {}).get(spawn.get("region"), []) if spawn.get("region") else []:
                if isinstance(rect, list) and len(rect) == 4:
                    cells += [(x, y) for y in range(rect[1], rect[1] + rect[3]) for x in range(rect[0], rect[0] + rect[2])]
            overlay = pygame.Surface((int(cell) + 1, int(cell) + 1), pygame.SRCALPHA)
            overlay.fill((86, 180, 233, 110))
            for x, y in cells:
                surface.blit(overlay, (ox + x * cell, oy + y * cell))
        if self.drag_start and self.tool[0] == "tile" and pygame.key.get_mods() & pygame.KMOD_SHIFT:
            cell_now = self.cell_at(pygame.mouse.get_pos())
            if cell_now:
                (x0, y0), (x1, y1) = self.drag_start, cell_now
                rect = pygame.Rect(ox + min(x0, x1) * cell, oy + min(y0, y1) * cell,
                                   (abs(x1 - x0) + 1) * cell, (abs(y1 - y0) + 1) * cell)
                pygame.draw.rect(surface, (240, 228, 66), rect, 2)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
