"""The editor's map: where the level is drawn and painted with the mouse (tiles, entities, select and move,
Shift+drag rectangles, right click erases; a tab may take clicks, or drags for rectangles such as regions), with
problems and the tab's cells (spawn cells, a region, a route, tile changes) marked on it."""
from __future__ import annotations

import re

import pygame

from levels.vocabulary import ENTITY_KINDS

from game.render import draw_entity
from game.world.palette import AGENT_RGB, TILE_RGB, entity_rgb

GRID_RGB = (45, 50, 62)
SELECTION_RGB = (240, 228, 66)
PROBLEM_RGB = (213, 94, 0)


class Canvas:
    def __init__(self, scene):
        self.scene = scene
        self.rect = pygame.Rect(0, 0, 1, 1)
        self.drag_start: tuple[int, int] | None = None
        self.dragging = False
        self.strokes = 0  # presses of a mouse button so far: the undo step of each press's painting or dragging
        self.pointer = (0, 0)  # where the mouse last moved: the corner of a rectangle being dragged

    @property
    def document(self):
        return self.scene.document

    # --- geometry --------------------------------------------------------------------------------------------
    def geometry(self) -> tuple[float, float, float]:
        """(x, y) of the map's top-left corner and the size of a cell, in pixels."""
        rows = self.document.doc["tiles"]["rows"]
        h, w = len(rows), max(len(r) for r in rows)
        cell = min(self.rect.w / w, self.rect.h / h)
        return self.rect.x + (self.rect.w - cell * w) / 2, self.rect.y + (self.rect.h - cell * h) / 2, cell

    def cell_at(self, pos) -> tuple[int, int] | None:
        ox, oy, cell = self.geometry()
        rows = self.document.doc["tiles"]["rows"]
        x, y = int((pos[0] - ox) // cell), int((pos[1] - oy) // cell)
        return (x, y) if 0 <= y < len(rows) and 0 <= x < len(rows[y]) else None

    # --- painting --------------------------------------------------------------------------------------------
    def apply_at(self, cell: tuple[int, int], erase: bool = False) -> None:
        document, tool = self.document, self.scene.tool
        if erase:
            entity = document.entity_at(cell)
            if entity is not None:
                document.remove(entity)
            else:
                document.set_tiles([cell], "floor")
        elif tool[0] == "tile":
            document.set_tiles([cell], tool[1], coalesce=("stroke", self.strokes))
        elif tool[0] == "entity":
            self.scene.selected = document.place(tool[1], cell)
        self.scene.say("")

    def handle(self, event) -> bool:
        shift = bool(pygame.key.get_mods() & pygame.KMOD_SHIFT)
        if event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos
        tool = self.scene.tool
        if event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3):
            cell = self.cell_at(event.pos)
            if cell is None:
                return False
            if event.button == 1 and self.scene.panel.drags:
                self.drag_start = cell  # the rectangle is the tab's when the button comes up
                return True
            if event.button == 1 and self.scene.panel.click_cell(cell):
                return True
            self.drag_start = cell
            self.strokes += 1  # what the button paints or drags until it comes up is one undo step
            if event.button == 3:
                self.apply_at(cell, erase=True)
            elif tool[0] == "select":
                if self.document.entity_at(cell) is not None:
                    self.scene.selected = self.document.entity_at(cell)
                    self.dragging = True
                else:
                    self.scene.selected = None
                self.scene.refresh()  # the Map tab shows the picked entity's id and colour
            elif not (shift and tool[0] == "tile"):
                self.apply_at(cell)
            return True
        if event.type == pygame.MOUSEMOTION and self.drag_start is not None and event.buttons[0]:
            cell = self.cell_at(event.pos)
            if cell is None or self.scene.panel.drags:
                return True  # a tab's rectangle is drawn when the button comes up
            if self.dragging and self.scene.selected is not None:
                self.document.move(self.scene.selected["id"], cell, coalesce=("drag", self.strokes))
                self.scene.refresh()
            elif tool[0] == "tile" and not shift:
                self.document.set_tiles([cell], tool[1], coalesce=("stroke", self.strokes))  # the same stroke
                self.scene.refresh()
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.drag_start is not None:
            cell = self.cell_at(event.pos)
            if self.scene.panel.drags:
                if cell is not None:
                    (x0, y0), (x1, y1) = self.drag_start, cell
                    self.scene.panel.drag_rect((min(x0, x1), min(y0, y1), abs(x1 - x0) + 1, abs(y1 - y0) + 1), shift)
            elif tool[0] == "tile" and shift and cell is not None:
                (x0, y0), (x1, y1) = self.drag_start, cell
                cells = [(x, y) for y in range(min(y0, y1), max(y0, y1) + 1)
                         for x in range(min(x0, x1), max(x0, x1) + 1)]
                self.document.set_tiles(cells, tool[1])
            self.drag_start, self.dragging = None, False
            self.scene.refresh()  # (the warnings wait for the end of a stroke)
            return True
        return False

    # --- marks -----------------------------------------------------------------------------------------------
    def problem_cells(self, problems) -> list[tuple[int, int]]:
        """Cells the validator's problems point at: an entity's cell, or a whole row of tiles."""
        cells = []
        doc = self.document.doc
        for p in problems:
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

    # --- drawing ---------------------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        ox, oy, cell = self.geometry()
        doc = self.document.doc
        legend, rows = doc["tiles"]["legend"], doc["tiles"]["rows"]
        for y, row in enumerate(rows):
            for x, ch in enumerate(row):
                rgb = TILE_RGB.get(legend.get(ch), (255, 0, 255))
                pygame.draw.rect(surface, rgb, (ox + x * cell, oy + y * cell, cell + 1, cell + 1))
        for y in range(len(rows) + 1):  # a light grid helps placing things
            pygame.draw.line(surface, GRID_RGB, (ox, oy + y * cell), (ox + cell * len(rows[0]), oy + y * cell))
        for x in range(len(rows[0]) + 1):
            pygame.draw.line(surface, GRID_RGB, (ox + x * cell, oy), (ox + x * cell, oy + cell * len(rows)))
        for e in doc["entities"]:
            at, kind = e.get("at"), e.get("kind")
            if not (isinstance(at, list) and len(at) == 2) or kind not in ENTITY_KINDS:
                continue
            rgb = AGENT_RGB if kind == "agent" else entity_rgb(kind, e.get("color"))
            draw_entity(surface, kind, rgb, (ox + (at[0] + 0.5) * cell, oy + (at[1] + 0.5) * cell), cell)
            if e is self.scene.selected:
                pygame.draw.rect(surface, SELECTION_RGB, (ox + at[0] * cell, oy + at[1] * cell, cell, cell), 2)
        for x, y in self.problem_cells(self.scene.problems):
            pygame.draw.rect(surface, PROBLEM_RGB, (ox + x * cell, oy + y * cell, cell, cell), max(2, int(cell / 12)))
        changed = pygame.Surface((int(cell) + 1, int(cell) + 1), pygame.SRCALPHA)
        for (x, y), kind in self.scene.panel.shown_tiles():  # what a distribution's tile change makes them
            changed.fill((*TILE_RGB[kind], 215))
            surface.blit(changed, (ox + x * cell, oy + y * cell))
            pygame.draw.rect(surface, SELECTION_RGB, (ox + x * cell, oy + y * cell, cell, cell), 1)
        shade = pygame.Surface((int(cell) + 1, int(cell) + 1), pygame.SRCALPHA)
        shade.fill((86, 180, 233, 110))
        for x, y in self.scene.panel.shown_cells():
            surface.blit(shade, (ox + x * cell, oy + y * cell))
        if self.drag_start and (self.scene.panel.drags or self.scene.tool[0] == "tile"
                                and pygame.key.get_mods() & pygame.KMOD_SHIFT):
            now = self.cell_at(self.pointer)
            if now:
                (x0, y0), (x1, y1) = self.drag_start, now
                pygame.draw.rect(surface, SELECTION_RGB, (ox + min(x0, x1) * cell, oy + min(y0, y1) * cell,
                                                          (abs(x1 - x0) + 1) * cell, (abs(y1 - y0) + 1) * cell), 2)
