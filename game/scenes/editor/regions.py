"""The Regions tab: draw, name, redraw and delete the level's regions (named sets of rectangles that spawns, tile
changes, rules, the goal and proxies can name)."""
from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton, UILabel, UITextBox, UITextEntryLine

from levels.places import rect_cells

from game.scenes.editor.tabs import CHOSEN, CLICKED, ENTERED, Tab, esc, option
from game.widgets import DropDown

NEW = ("(a new region)", "")


class RegionsTab(Tab):
    drags = True  # a drag on the map draws a rectangle for this tab

    def __init__(self, scene, rect: pygame.Rect):
        super().__init__(scene, rect)
        s, r, px, side = self.s, self.root, rect.x, rect.w
        row_h, gap = int(34 * s), 4
        regions = self.document.doc.get("regions", {})
        if scene.region not in regions:
            scene.region = None
        self.region = scene.region
        self.label("Drag on the map: Shift adds a rectangle", 28)
        options = [(name, name) for name in regions] + [NEW]
        current = (self.region, self.region) if self.region else NEW
        self.menu = DropDown(options, current, pygame.Rect(px, self.y, side, row_h), self.ui, container=r)
        self.menu.set_tooltip("the region a drag on the map draws (a new one, or one to redraw)")
        self.on(self.menu, CHOSEN, self._choose)
        self.y += row_h + gap
        self.name_entry = self.delete_button = None
        if self.region:
            self.label("Name (Enter renames it everywhere it is used)", 26)
            self.name_entry = UITextEntryLine(pygame.Rect(px, self.y, side, row_h), self.ui, container=r)
            self.name_entry.set_text(self.region)
            self.name_entry.set_tooltip("rules, proxies, spawns and tile changes naming it follow the new name")
            self.on(self.name_entry, ENTERED, self._rename)
            self.y += row_h + gap
            self.delete_button = UIButton(pygame.Rect(px, self.y, side // 2, row_h), "delete region", self.ui,
                                          container=r, tool_tip_text="only when nothing uses it")
            self.on(self.delete_button, CLICKED, self._delete)
            self.y += row_h + gap
            users = self.document.region_users(self.region)
            used = ", ".join(users) if users else "nothing yet"
            box = UITextBox(f"Used by: {esc(used)}.", pygame.Rect(px, self.y, side, int(64 * s)), self.ui,
                            container=r)
            box.set_tooltip("a region nothing uses can be deleted")
            self.y += int(64 * s) + gap
        else:
            UILabel(pygame.Rect(px, self.y, side, row_h), "Drag on the map to draw a new region.", self.ui,
                    container=r)
            self.y += row_h + gap
        self.problems()

    def _choose(self, event) -> None:
        self.scene.region = option(event) or None
        self.scene.rebuild_panel()

    def _rename(self, event) -> None:
        refused = self.document.rename_region(self.region, event.text)
        if refused is None:
            self.scene.region = event.text.strip()
        self.scene.status = refused or f"Renamed to \"{self.scene.region}\"."
        self.scene.rebuild_panel()

    def _delete(self, event) -> None:
        refused = self.document.delete_region(self.region)
        if refused is None:
            self.scene.region = None
        self.scene.status = refused or f"Deleted \"{self.region}\" (Ctrl+Z brings it back)."
        self.scene.rebuild_panel()

    def drag_rect(self, rect: tuple[int, int, int, int], add: bool) -> None:
        if self.region is None:
            self.scene.region = self.document.add_region(rect)
            self.scene.status = f"Drew \"{self.scene.region}\": name it here."
        else:
            rects = list(self.document.doc["regions"][self.region]) if add else []
            self.document.set_region(self.region, rects + [list(rect)])
        self.scene.rebuild_panel()

    def shown_cells(self) -> list[tuple[int, int]]:
        rects = self.document.doc.get("regions", {}).get(self.region, []) if self.region else []
        return rect_cells(rects)
