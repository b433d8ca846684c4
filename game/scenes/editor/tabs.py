"""The editor's side panel, one class per tab. Each builds its own widgets, answers its own events and edits the
scene's `LevelDocument`; the scene shows the problems in the tab's `problems_box`.

Fields: a text box or menu bound to a place in the document (`fields[widget] = (path, key, convert)`); every
change is one undo step per field while the player types. Row buttons: `row_buttons[widget] = (action, index)`.
"""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UIHorizontalSlider, UILabel, UITextBox, UITextEntryLine

from levels.vocabulary import ENTITY_KINDS, EVENTS, TILE_KINDS, WORLD_KINDS


class Tab:
    def __init__(self, scene, rect: pygame.Rect):
        self.scene, self.rect = scene, rect
        self.ui, self.root, self.s = scene.ui, scene.root, scene.app.scale
        self.document = scene.document
        self.fields: dict = {}
        self.row_buttons: dict = {}
        self.problems_box: UITextBox | None = None
        self.y = rect.y

    # --- building helpers ----------------------------------------------------------------------------------
    def label(self, text: str, height: int | None = None, muted: bool = True) -> None:
        height = height or int(26 * self.s)
        UILabel(pygame.Rect(self.rect.x, self.y, self.rect.w, height), text, self.ui, container=self.root,
                object_id="#muted" if muted else None)
        self.y += height

    def problems(self) -> None:
        """The problems box fills what is left of the column."""
        self.problems_box = UITextBox("", pygame.Rect(self.rect.x, self.y, self.rect.w,
                                                      max(60, self.rect.bottom - self.y)), self.ui, container=self.root)

    # --- events --------------------------------------------------------------------------------------------
    def handle(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.row_buttons:
            action, index = self.row_buttons[event.ui_element]
            self.document.change()
            getattr(self.document, action)(*(() if index is None else (index,)))
            self.scene.rebuild()
            return True
        if event.type in (pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_DROP_DOWN_MENU_CHANGED) \
                and event.ui_element in self.fields:
            self.apply_field(event.ui_element, event.text)
            return True
        return False

    def apply_field(self, widget, text: str) -> None:
        path, key, convert = self.fields[widget]
        try:
            value = convert(text)
        except ValueError:
            self.scene.say(f"\"{text}\" is not a number.")
            return
        self.document.change(coalesce=f"{path}:{key}")
        self.document.set_value(path, key, value)
        self.scene.say("")

    def click_cell(self, cell: tuple[int, int]) -> bool:
        """A left click on the map; True when this tab used it (the map tab leaves it to the painting tools)."""
        return False

    def shown_cells(self) -> list[tuple[int, int]]:
        """Cells this tab shades on the map."""
        return []

    def refresh(self) -> None: ...


class MapTab(Tab):
    """Name, description, world kind, episode length; the tile and entity palette."""

    def __init__(self, scene, rect: pygame.Rect):
        super().__init__(scene, rect)
        s, r, doc, px, side = self.s, self.root, self.document.doc, rect.x, rect.w
        pad = int(12 * s)
        self.label("Name", int(28 * s))
        self.name_entry = UITextEntryLine(pygame.Rect(px, self.y, side, int(36 * s)), self.ui, container=r)
        self.name_entry.set_text(doc.get("name", ""))
        self.y += int(40 * s)
        self.description_entry = UITextEntryLine(pygame.Rect(px, self.y, side, int(36 * s)), self.ui, container=r,
                                                 placeholder_text="one or two sentences for players")
        self.description_entry.set_text(doc.get("description", ""))
        self.fields[self.description_entry] = ((), "description", str)
        self.y += int(40 * s)
        half = (side - pad) // 2
        self.world_menu = UIDropDownMenu(list(WORLD_KINDS), doc.get("world", "grid"),
                                         pygame.Rect(px, self.y, half, int(36 * s)), self.ui, container=r)
        self.length_entry = UITextEntryLine(pygame.Rect(px + half + pad, self.y, half, int(36 * s)), self.ui,
                                            container=r)
        self.length_entry.set_text(str(doc.get("episode_length", 200)))
        self.y += int(44 * s)
        self.palette: dict[UIButton, tuple[str, str]] = {}
        self.label("Tiles (Shift+drag fills a rectangle)", int(28 * s))
        self._palette_rows([("tile", kind) for kind in TILE_KINDS], lambda tool: tool[1].replace("_", " "))
        self.y += pad // 2
        self.label("Entities (right click erases)", int(28 * s))
        self._palette_rows([("entity", k) for k in ENTITY_KINDS] + [("select", "move")],
                           lambda tool: tool[1] if tool[0] == "entity" else "select/move")
        self.y += pad
        self.problems()

    def _palette_rows(self, tools: list[tuple[str, str]], text) -> None:
        cols, gap = 3, int(6 * self.s)
        bw = (self.rect.w - 2 * gap) // cols
        for k, tool in enumerate(tools):
            row, col = divmod(k, cols)
            button = UIButton(pygame.Rect(self.rect.x + col * (bw + gap), self.y + row * int(34 * self.s), bw,
                                          int(32 * self.s)), text(tool), self.ui, container=self.root)
            self.palette[button] = tool
        self.y += (len(tools) + cols - 1) // cols * int(34 * self.s)

    def refresh(self) -> None:
        for button, tool in self.palette.items():
            button.select() if tool == self.scene.tool else button.unselect()

    def handle(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.palette:
            self.scene.tool = self.palette[event.ui_element]
            self.scene.refresh()
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.world_menu:
            self.document.change()["world"] = event.text
            self.scene.refresh()
            return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.name_entry:
            self.document.change()["name"] = event.text
            self.scene.refresh()
            return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.length_entry:
            try:
                length = int(event.text)
            except ValueError:
                self.scene.say("The episode length is a whole number of steps.")
                return True
            self.document.change()["episode_length"] = length
            self.scene.refresh()
            return True
        return super().handle(event)


class RewardsTab(Tab):
    """The base reward's rules and step cost, the intended goal and the proxies to watch."""

    def __init__(self, scene, rect: pygame.Rect):
        super().__init__(scene, rect)
        s, r, doc, px, side = self.s, self.root, self.document.doc, rect.x, rect.w
        row_h, gap = int(34 * s), 4
        self.label("Base reward: event, what, reward")
        for i, rule in enumerate(doc["base_reward"]["rules"]):
            x = self._condition_row(("base_reward", "rules", i), rule)
            rest = px + side - x
            reward = UITextEntryLine(pygame.Rect(x, self.y, int(rest * 0.34), row_h), self.ui, container=r)
            reward.set_text(f"{rule.get('reward', 0):g}" if isinstance(rule.get("reward"), (int, float)) else "")
            self.fields[reward] = (("base_reward", "rules", i), "reward", float)
            ends = UIDropDownMenu(["ends", "on"], "ends" if rule.get("ends_episode") else "on",
                                  pygame.Rect(x + int(rest * 0.34) + gap, self.y, int(rest * 0.44), row_h), self.ui,
                                  container=r)
            self.fields[ends] = (("base_reward", "rules", i), "ends_episode", lambda t: t == "ends")
            self._row_button("x", ("remove_rule", i), px + side - int(rest * 0.18), int(rest * 0.18),
                             "remove this rule")
            self.y += row_h + gap
        self._row_button("+ rule", ("add_rule", None), px, side // 2 - gap)
        UILabel(pygame.Rect(px + side // 2, self.y, side // 4, row_h), "step cost", self.ui, container=r,
                object_id="#muted")
        cost = UITextEntryLine(pygame.Rect(px + side * 3 // 4, self.y, side // 4, row_h), self.ui, container=r)
        cost.set_text(f"{doc['base_reward'].get('step_cost', 0):g}")
        self.fields[cost] = (("base_reward",), "step_cost", float)
        self.y += row_h + 2 * gap
        self.label("Intended goal (never rewarded)")
        goal = doc.setdefault("intended_goal", {"event": "touched", "what": ""})
        x = self._condition_row(("intended_goal",), goal)
        count = UITextEntryLine(pygame.Rect(x, self.y, px + side - x, row_h), self.ui, container=r)
        count.set_text(str(goal.get("count", 1)))
        self.fields[count] = (("intended_goal",), "count", int)
        self.y += row_h + 2 * gap
        self.label("Proxies to watch (never rewarded)")
        for i, proxy in enumerate(doc.get("proxies", [])):
            x = self._condition_row(("proxies", i), proxy, name=proxy.get("name", ""))
            self._row_button("x", ("remove_proxy", i), x, px + side - x, "remove this proxy")
            self.y += row_h + gap
        self._row_button("+ proxy", ("add_proxy", None), px, side // 2 - gap)
        self.y += row_h + 2 * gap
        self.problems()

    def _row_button(self, text: str, action: tuple, x: int, width: int, tip: str | None = None) -> None:
        button = UIButton(pygame.Rect(x, self.y, width, int(34 * self.s)), text, self.ui, container=self.root,
                          tool_tip_text=tip)
        self.row_buttons[button] = action

    def _condition_row(self, path: tuple, cond: dict, name: str | None = None) -> int:
        """Event menu and `what` box (and a name box above, for a proxy); returns where the row continues."""
        px, side, row_h, gap = self.rect.x, self.rect.w, int(34 * self.s), 4
        events = list(EVENTS)
        if name is not None:
            entry = UITextEntryLine(pygame.Rect(px, self.y, side, row_h), self.ui, container=self.root)
            entry.set_text(name)
            self.fields[entry] = (path, "name", str)
            self.y += row_h + gap
        ev_w, what_w = int(side * 0.36), int(side * 0.30)
        menu = UIDropDownMenu(events, cond.get("event") if cond.get("event") in events else events[0],
                              pygame.Rect(px, self.y, ev_w, row_h), self.ui, container=self.root)
        self.fields[menu] = (path, "event", str)
        what = UITextEntryLine(pygame.Rect(px + ev_w + gap, self.y, what_w, row_h), self.ui, container=self.root,
                               placeholder_text="what")
        what.set_text(str(cond.get("what", "") or ""))
        self.fields[what] = (path, "what", str)
        return px + ev_w + what_w + 2 * gap


class SpawnsTab(Tab):
    """Where each entity may start in one split (cells clicked on the map, anywhere, where placed), whether it is
    there at all, and for training the share of variants drawn like deployment."""

    def __init__(self, scene, rect: pygame.Rect, split: str):
        super().__init__(scene, rect)
        self.split = split
        s, r, doc, px, side = self.s, self.root, self.document.doc, rect.x, rect.w
        row_h, gap = int(34 * s), 4
        ids = [e["id"] for e in doc["entities"]]
        if scene.spawn_entity not in ids:
            scene.spawn_entity = next((e["id"] for e in doc["entities"] if e["kind"] != "agent"),
                                      ids[0] if ids else None)
        self.entity = scene.spawn_entity
        self.entity_menu = self.share_slider = None
        self.label(f"Click cells where it may start in {split}", int(28 * s))
        if self.entity is None:
            self.label("Place an entity first.", muted=False)
            self.problems()
            return
        self.entity_menu = UIDropDownMenu(ids, self.entity, pygame.Rect(px, self.y, side, row_h), self.ui,
                                          container=r)
        self.y += row_h + gap
        spawn = doc.get(split, {}).get("spawns", {}).get(self.entity, {})
        where = ("anywhere" if spawn.get("anywhere") else f"region {spawn['region']}" if spawn.get("region")
                 else f"{len(spawn.get('cells', []))} cell(s)" if spawn.get("cells") else "where it was placed")
        self.label(f"now: {where}", int(28 * s), muted=False)
        half = (side - gap) // 2
        for k, (text, action) in enumerate([("anywhere", "spawn_anywhere"), ("where placed", "spawn_where_placed")]):
            button = UIButton(pygame.Rect(px + k * (half + gap), self.y, half, row_h), text, self.ui, container=r)
            self.row_buttons[button] = (action, None)
        self.y += row_h + gap
        UILabel(pygame.Rect(px, self.y, half, row_h), "present (0..1)", self.ui, container=r, object_id="#muted")
        present = UITextEntryLine(pygame.Rect(px + half + gap, self.y, half, row_h), self.ui, container=r)
        present.set_text(f"{spawn.get('present', 1.0):g}")
        self.fields[present] = ((split, "spawns", self.entity), "present", float)
        self.y += row_h + gap
        if split == "training":
            mixes = doc.get("training", {}).get("mixes", [])
            share = float(mixes[0]["share"]) if mixes else 0.0
            self.label(f"Variants drawn like deployment: {share:.0%}", int(28 * s))
            self.share_slider = UIHorizontalSlider(pygame.Rect(px, self.y, side, row_h), share, (0.0, 0.5), self.ui,
                                                   container=r, click_increment=0.01)
            self.y += row_h + gap
        self.problems()

    def handle(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in self.row_buttons:
            action, _ = self.row_buttons[event.ui_element]
            self.document.change()
            getattr(self.document, action)(self.split, self.entity)
            self.scene.rebuild()
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.entity_menu:
            self.scene.spawn_entity = event.text
            self.scene.rebuild()
            return True
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element is self.share_slider:
            self.document.change(coalesce="diversity")
            self.document.set_diversity(float(event.value))
            self.scene.rebuild()
            return True
        return super().handle(event)

    def click_cell(self, cell: tuple[int, int]) -> bool:
        if self.entity is None:
            return False
        self.document.change()
        self.document.toggle_spawn_cell(self.split, self.entity, cell)
        self.scene.rebuild()
        return True

    def shown_cells(self) -> list[tuple[int, int]]:
        """The cells where the chosen entity may start, to shade on the map."""
        doc = self.document.doc
        spawn = doc.get(self.split, {}).get("spawns", {}).get(self.entity, {}) if self.entity else {}
        cells = [tuple(c) for c in spawn.get("cells", []) if isinstance(c, list)]
        for rect in doc.get("regions", {}).get(spawn.get("region"), []) if spawn.get("region") else []:
            if isinstance(rect, list) and len(rect) == 4:
                cells += [(x, y) for y in range(rect[1], rect[1] + rect[3]) for x in range(rect[0], rect[0] + rect[2])]
        return cells
