"""The Training and Deploy tabs, for the distribution itself or any of its mixes (added, shared, removed): where
each entity starts (cells clicked on the map, a region, anywhere, where placed, on another entity), whether it is
there at all and its colour; a walker's route, clicked cell by cell, or its wandering; the tiles that change,
painted on the map; a maze dragged on it; the episode length; and on Training the share of variants drawn like
deployment, with sampled variants redrawn as the slider moves."""
from __future__ import annotations

import pygame
from pygame_gui.elements import (UIButton, UIHorizontalSlider, UIImage, UILabel, UITextBox,
                                 UITextEntryLine)

from levels.document_spawns import share_of
from levels.places import rect_cells
from levels.vocabulary import COLORS, MOVING_KINDS, TILE_KINDS
from levels.words import counted

from game.render import thumbnail
from game.layout import split
from game.scenes.editor.tabs import CHOSEN, CLICKED, ROW, SLID, THEN, Tab, esc, option
from game.widgets import DropDown

CLICKS = [("where it may start", "start"), ("its route", "route"), ("tiles that change", "tiles"),
          ("a maze (drag a rectangle)", "maze")]
LOOPS = [("a perfect maze", "0.0"), ("a few loops", "0.1"), ("some loops", "0.3"), ("many loops", "0.6"),
         ("no inner walls", "1.0")]
PREVIEWS = 4  # sampled training variants under the diversity slider


class SpawnsTab(Tab):
    def __init__(self, scene, rect: pygame.Rect, split: str):
        super().__init__(scene, rect)
        self.split = split
        doc, column = self.document.doc, self.column
        ids = [e["id"] for e in doc["entities"]]
        if scene.spawn_entity not in ids:
            scene.spawn_entity = next((e["id"] for e in doc["entities"] if e["kind"] != "agent"),
                                      ids[0] if ids else None)
        self.entity = scene.spawn_entity
        kind = next((e["kind"] for e in doc["entities"] if e["id"] == self.entity), None)
        self.walker = kind in MOVING_KINDS
        mixes = doc.get(split, {}).get("mixes", [])
        if scene.mix is not None and scene.mix >= len(mixes):
            scene.mix = None
        self.mix = scene.mix
        self.where = split if self.mix is None else (split, self.mix)  # what the edits below change
        if (scene.clicks == "route" and not self.walker) or (scene.clicks == "maze" and self.mix is not None):
            scene.clicks = "start"
        self.drags = scene.clicks == "maze"
        self.widgets: dict = {}  # widget -> what it does
        self.share_slider = None
        variants = [(f"every {split} variant", "")] + [
            (f"mix {k + 1}: {share_of(m):.0%} of variants", str(k)) for k, m in enumerate(mixes)
            if isinstance(m, dict)] + [("+ a new mix", "new")]
        self._menu(variants, "" if self.mix is None else str(self.mix), column.row(ROW), "mix",
                   "edit the distribution itself, or a mix: a share of its variants drawn another way")
        if self.mix is not None:
            words, entry, remove = column.cells(ROW, 2, 1, 1)
            UILabel(words, "share of variants", self.ui, container=self.root, object_id="#muted")
            share = UITextEntryLine(entry, self.ui, container=self.root)
            share.set_text(str(mixes[self.mix].get("share", "")))
            self.field(share, (split, "mixes", self.mix), "share", float,
                       "0 to 1: the share of variants drawn this way (the mixes' shares add up to 1 at most)")
            self._bind(UIButton(remove, "remove", self.ui, container=self.root, tool_tip_text="remove this mix"),
                       "remove_mix")
        else:
            words, entry = column.cells(ROW, 1, 1)
            UILabel(words, "episode length here", self.ui, container=self.root, object_id="#muted")
            length = UITextEntryLine(entry, self.ui, container=self.root,
                                     placeholder_text=f"as the level: {doc.get('episode_length', '')}")
            length.set_text(str(doc.get(split, {}).get("episode_length", "")))
            self.field(length, (split,), "episode_length", _length,
                       f"steps in a {split} episode; empty: the level's length (the Map tab)")
        self.label("Clicks on the map set:")
        clicks = [c for c in CLICKS if (c[1] != "route" or self.walker) and (c[1] != "maze" or self.mix is None)]
        self._menu(clicks, scene.clicks, column.row(ROW), "clicks",
                   "what a click (or, for a maze, a drag) on the map changes here")
        if scene.clicks == "tiles":
            self._tiles_section()
        elif scene.clicks == "maze":
            self._maze_section()
        elif self.entity is None:
            self.label("Place an entity first.", muted=False)
        else:
            self._entity_section()
        if split == "training" and self.mix is None:
            self._diversity_section()
        self.problems()

    # --- sections --------------------------------------------------------------------------------------------
    def _entity_section(self) -> None:
        doc, column, r = self.document.doc, self.column, self.root
        ids = [e["id"] for e in doc["entities"]]
        self._menu([(i, i) for i in ids], self.entity, column.row(ROW), "entity",
                   "the entity whose start this tab edits")
        spawn = self.spawn()
        self.label(f"now: {describe(spawn)}", muted=False)
        for cell, (text, action, tip) in zip(column.cells(ROW, 1, 1), [
                ("anywhere", "spawn_anywhere", "any free cell of the level"),
                ("where placed", "spawn_where_placed", "where the Map tab put it")]):
            self._bind(UIButton(cell, text, self.ui, container=r, tool_tip_text=tip), "place", action)
        in_region, on_other = column.cells(ROW, 1, 1)
        regions = [(name, name) for name in doc.get("regions", {})]
        if regions:
            self._menu([("in a region...", "")] + regions, spawn.get("region") or "", in_region, "region",
                       "start anywhere inside this region")
        others = [(f"on {e['id']}", e["id"]) for e in doc["entities"]
                  if e["id"] != self.entity and e["kind"] != "agent"]
        if others:
            self._menu([("on another...", "")] + others, spawn.get("on") or "", on_other, "on",
                       "start on the cell of another entity (the cheese on the dish)")
        colour, words, chance = column.cells(ROW, 2, 1, 1)
        self._menu([("colour as placed", "")] + [(c, c) for c in COLORS], spawn.get("color") or "", colour, "color",
                   "its colour here (green means go: recolour at deployment)")
        UILabel(words, "present", self.ui, container=r, object_id="#muted")
        present = UITextEntryLine(chance, self.ui, container=r)
        present.set_text(str(spawn.get("present", 1.0)))
        self.field(present, self._path() + ("spawns", self.entity), "present", float,
                   "the chance it is there at all, 0 to 1 (0: never, as the monsters at deployment)")
        if self.walker:
            self._walker_section(spawn)

    def _walker_section(self, spawn: dict) -> None:
        route = spawn.get("route") if isinstance(spawn.get("route"), dict) else {}
        then, wanders = self.column.cells(ROW, 1, 1)
        self._menu(THEN, route.get("then", "back"), then, "then", "what it does at the route's last waypoint")
        wander = UIButton(wanders, "wanders", self.ui, container=self.root,
                          tool_tip_text="a random step every step (the same for a seed), instead of a route")
        wander.select() if spawn.get("wander") else None
        self._bind(wander, "wander")
        clear, _ = self.column.cells(ROW, 1, 1)
        self._bind(UIButton(clear, "clear route", self.ui, container=self.root,
                            tool_tip_text="walk as the level says (its own route, wandering, or standing)"),
                   "clear_route")

    def _tiles_section(self) -> None:
        doc, column = self.document.doc, self.column
        kinds = [(k.replace("_", " "), k) for k in TILE_KINDS]
        self._menu(kinds, self.scene.change_tile, column.row(ROW), "change_tile",
                   f"the tile a click makes in {self.split} (click again to take it back)")
        regions = [(name, name) for name in doc.get("regions", {})]
        if regions:
            self._menu([("a whole region...", "")] + regions, "", column.row(ROW), "tile_region",
                       f"make (or stop making) a whole region {self.scene.change_tile.replace('_', ' ')}")
        changes = [c for c in self._part().get("tiles", []) if isinstance(c, dict)]
        n = sum(len(c.get("cells", [])) for c in changes)
        named = [f"{c['region']} becomes {str(c.get('tile')).replace('_', ' ')}" for c in changes if c.get("region")]
        change = f"Here {counted(n, 'cell')} change{'s' if n == 1 else ''}"
        UITextBox(esc(change + "".join(f"; {t}" for t in named) + "."), column.row(56), self.ui, container=self.root)

    def _maze_section(self) -> None:
        maze = self.document.doc.get(self.split, {}).get("maze")
        if not isinstance(maze, dict):
            self.label("Drag a rectangle on the map for a maze", muted=False)
            return
        rect = maze.get("rect")
        if isinstance(rect, list) and len(rect) == 4:
            x, y, w, h = rect
            self.label(f"Maze: {w} x {h} cells at ({x}, {y}), new every variant", muted=False)
        else:
            self.label("Broken maze rectangle: drag a new one", muted=False)
        loops = str(maze.get("loops", 0.0))
        options = LOOPS + ([] if loops in [v for _, v in LOOPS] else [(f"{loops} of the walls out", loops)])
        knocked, remove = self.column.cells(ROW, 1, 1)
        self._menu(options, loops, knocked, "loops", "how many of the maze's inner walls are knocked out, making loops")
        self._bind(UIButton(remove, "no maze", self.ui, container=self.root, tool_tip_text="take the maze away"),
                   "no_maze")

    def drag_rect(self, rect: tuple[int, int, int, int], add: bool) -> None:
        self.document.set_maze(self.split, rect)
        self.scene.rebuild_panel()

    def _diversity_section(self) -> None:
        column = self.column
        mixes = self.document.doc.get("training", {}).get("mixes", [])
        share = min(0.5, share_of(mixes[0])) if mixes else 0.0
        column.skip(column.gap)
        self.label(f"Diversity: {share:.0%} drawn like deployment", muted=False)
        self.share_slider = UIHorizontalSlider(column.row(ROW), share, (0.0, 0.5), self.ui, container=self.root,
                                               click_increment=0.01)
        self.share_slider.set_tooltip("the share of training variants drawn like deployment (the diversity fix)")
        self.on(self.share_slider, SLID, self._set_diversity)
        level, _ = self.document.check()  # the scene's level is checked after the panel is built
        cells = split(pygame.Rect(column.rect.x, column.y, column.rect.w, 0), *[1] * PREVIEWS, gap=column.gap)
        size = cells[0].w
        if level is not None and size > 8:
            for k, cell in enumerate(cells):
                UIImage(pygame.Rect(cell.x, cell.y, size, size), thumbnail(level, (size, size), "training", seed=k + 1),
                        self.ui, container=self.root)
            column.skip(size + column.gap)

    # --- helpers ---------------------------------------------------------------------------------------------
    def _menu(self, options: list, current: str, rect: pygame.Rect, action: str, tip: str) -> None:
        chosen = next((o for o in options if o[1] == current), options[0])
        menu = DropDown(options, chosen, rect, self.ui, container=self.root)
        menu.set_tooltip(tip)
        self._bind(menu, action, None)

    def spawn(self) -> dict:
        return self._part().get("spawns", {}).get(self.entity, {})

    def _part(self) -> dict:
        """The distribution or mix this tab shows (read only: nothing is created)."""
        d = self.document.doc.get(self.split, {})
        return d if self.mix is None else d.get("mixes", [])[self.mix]

    def _path(self) -> tuple:
        return (self.split,) if self.mix is None else (self.split, "mixes", self.mix)

    # --- events ----------------------------------------------------------------------------------------------
    def _bind(self, widget, action: str, arg=None) -> None:
        """`widget` does `action` (`act`): a button with `arg`, a menu with the option chosen; the tab is built
        again after."""
        self.widgets[widget] = (action, arg)

        def answer(event) -> None:
            self.act(action, option(event) if event.type == CHOSEN else arg)
            self.scene.rebuild_panel()
        self.on(widget, CHOSEN if isinstance(widget, DropDown) else CLICKED, answer)

    def _set_diversity(self, event) -> None:
        self.document.set_diversity(float(event.value), coalesce="diversity")
        self.scene.rebuild_panel()

    def act(self, action: str, value) -> None:
        doc, split, entity = self.document, self.where, self.entity
        if action == "mix":
            if value == "new":
                value = str(doc.add_mix(self.split))
            self.scene.mix = int(value) if value else None
        elif action == "remove_mix":
            doc.remove_mix(self.split, self.mix)
            self.scene.mix = None
        elif action == "loops":
            doc.set_maze_loops(self.split, float(value))
        elif action == "clicks":
            self.scene.clicks = value
        elif action == "entity":
            self.scene.spawn_entity = value
        elif action == "change_tile":
            self.scene.change_tile = value
        elif action == "tile_region" and value:
            doc.toggle_tile_region(split, self.scene.change_tile, value)
        elif action == "place":
            getattr(doc, value)(split, entity)
        elif action in ("region", "on") and value:
            doc.spawn_at(split, entity, action, value)
        elif action == "color":
            doc.set_spawn_value(split, entity, "color", value or None)
        elif action == "then":
            doc.set_route_end(split, entity, value)
        elif action == "wander":
            doc.toggle_wander(split, entity)
        elif action == "no_maze":
            doc.set_maze(self.split, None)
        elif action == "clear_route":
            doc.clear_route(split, entity)

    def click_cell(self, cell: tuple[int, int]) -> bool:
        clicks = self.scene.clicks
        if clicks != "tiles" and self.entity is None:
            return False
        if clicks == "tiles":
            self.document.toggle_tile_change(self.where, self.scene.change_tile, cell)
        elif clicks == "route":
            self.document.extend_route(self.where, self.entity, cell)
        else:
            self.document.toggle_spawn_cell(self.where, self.entity, cell)
        self.scene.rebuild_panel()
        return True

    def shown_cells(self) -> list[tuple[int, int]]:
        """The cells this tab is about, shaded on the map: where the entity may start, or its route."""
        if self.scene.clicks == "tiles":
            return []
        doc = self.document.doc
        if self.scene.clicks == "maze":
            maze = doc.get(self.split, {}).get("maze")
            return rect_cells([maze.get("rect")]) if isinstance(maze, dict) else []
        spawn = self.spawn() if self.entity else {}
        if self.scene.clicks == "route":
            return self.document.route_cells(spawn.get("route"))
        cells = [tuple(c) for c in spawn.get("cells", []) if isinstance(c, list)]
        return cells + rect_cells(doc.get("regions", {}).get(spawn.get("region"), []) if spawn.get("region") else [])

    def shown_tiles(self) -> list[tuple[tuple[int, int], str]]:
        """The tiles this distribution changes, drawn on the map as what they become."""
        if self.scene.clicks != "tiles":
            return []
        doc, out = self.document.doc, []
        for change in self._part().get("tiles", []):
            if isinstance(change, dict) and change.get("tile") in TILE_KINDS:
                cells = [tuple(c) for c in change.get("cells", []) if isinstance(c, list)]
                cells += rect_cells(doc.get("regions", {}).get(change.get("region"), []))
                out += [(c, change["tile"]) for c in cells]
        return out


def _length(text: str) -> int | None:
    """A distribution's episode length as typed: a whole number, or nothing for the level's own."""
    return int(text) if text.strip() else None


def describe(spawn: dict) -> str:
    """Where an entity starts, in words (the document may hold anything while it is edited)."""
    route, present = spawn.get("route"), spawn.get("present", 1)
    if spawn.get("anywhere"):
        where = "anywhere"
    elif spawn.get("region"):
        where = f"in the region {spawn['region']}"
    elif spawn.get("on"):
        where = f"on {spawn['on']}"
    elif isinstance(route, dict) and isinstance(route.get("cells"), list):
        where = f"walking a route of {len(route['cells'])} waypoints"
    elif isinstance(spawn.get("cells"), list) and spawn["cells"]:
        where = f"on {counted(len(spawn['cells']), 'cell')}"
    else:
        where = "where it was placed"
    if spawn.get("wander"):
        where += ", wandering"
    if isinstance(present, (int, float)) and present != 1:
        where += f", there {present:.0%} of the time"
    return where
