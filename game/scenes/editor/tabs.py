"""The editor's side panel, one class per tab (the base class and the Map tab here; Rewards, Regions and the
distributions in their own modules). Each builds its own widgets, answers its own events and edits the scene's
`LevelDocument`; the scene shows the problems in the tab's `problems_box`.

Events have one style: a tab says, as it builds a widget, what answers it (`on(widget, CLICKED, handler)`), and
`handle` looks the event up in that one table. Fields: a text box or menu bound to a place in the document
(`fields[widget] = (path, key, convert)`), each with a tooltip; every change is one undo step per field while the
player types. Row buttons: a document edit by name (`row_buttons[widget] = (action, index)`). Those two tables say
what a widget is bound to (tests find widgets by them); the handlers are in `handlers`.
"""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox, UITextEntryLine

from levels.vocabulary import COLORS, ENTITY_KINDS, MOVING_KINDS, TILE_KINDS, WORLD_KINDS

from game.layout import Column
from game.widgets import DropDown, set_fitted_text


THEN = [("then walks back", "back"), ("then goes round", "loop"), ("then stops", "stop")]  # a route's end
ROW = 34  # a row of widgets, in design pixels (game.layout)
# What a widget reports, in the words the tabs use.
CLICKED, CHOSEN = pygame_gui.UI_BUTTON_PRESSED, pygame_gui.UI_DROP_DOWN_MENU_CHANGED
TYPED, ENTERED = pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_TEXT_ENTRY_FINISHED
SLID = pygame_gui.UI_HORIZONTAL_SLIDER_MOVED


def option(event) -> str:
    """The value behind a menu's chosen option (menus show words and hold ids)."""
    return getattr(event, "selected_option_id", event.text)


def _text(value) -> str:
    """What a text field shows for a document's value (which may be anything while the level is invalid)."""
    return "" if value is None else str(value)


def esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Tab:
    drags = False  # True: a drag on the map draws a rectangle for this tab (`drag_rect`)

    def __init__(self, scene, rect: pygame.Rect):
        self.scene, self.rect = scene, rect
        self.ui, self.root, self.s = scene.ui, scene.panel_root, scene.app.scale
        self.document = scene.document
        self.handlers: dict = {}  # (what happened, widget) -> handler(event): every event a tab answers
        self.fields: dict = {}
        self.row_buttons: dict = {}
        self.problems_box: UITextBox | None = None
        self.column = Column(rect, self.s)  # where the next widget goes (`y`: its top)

    @property
    def y(self) -> int:
        return self.column.y

    @y.setter
    def y(self, value: int) -> None:
        self.column.y = value

    # --- building helpers ----------------------------------------------------------------------------------
    def label(self, text: str, height: float = 26, muted: bool = True) -> None:
        """A line of words across the column, `height` design pixels high."""
        label = UILabel(self.column.row(height, after=0), "", self.ui, container=self.root,
                        object_id="#muted" if muted else None)
        set_fitted_text(label, text)  # never cut mid-letter in a narrow panel: whole in its tooltip

    def on(self, widget, happening, handler):
        """When `widget` reports `happening` (CLICKED, CHOSEN, TYPED, ENTERED, SLID), `handler(event)` answers."""
        self.handlers[(happening, widget)] = handler
        return widget

    def field(self, widget, path: tuple, key: str, convert, tip: str) -> None:
        """Bind a text box or menu to `key` of the object at `path`, with a tooltip saying what it is."""
        self.fields[widget] = (path, key, convert)
        widget.set_tooltip(tip)
        self.on(widget, TYPED, lambda event: self.apply_field(widget, event.text))
        self.on(widget, CHOSEN, lambda event: self.apply_field(widget, option(event)))

    def row_button(self, button, action: str, index: int | None = None):
        """A button that makes the document edit named `action` (of the row `index`), then builds the tab again."""
        self.row_buttons[button] = (action, index)

        def press(event) -> None:
            getattr(self.document, action)(*(() if index is None else (index,)))
            self.scene.rebuild_panel()
        return self.on(button, CLICKED, press)

    def problems(self) -> None:
        """The problems box fills what is left of the column."""
        self.problems_box = UITextBox("", self.column.rest(), self.ui, container=self.root)

    # --- events --------------------------------------------------------------------------------------------
    def handle(self, event) -> bool:
        """Answer the event if a widget of this tab reported it; True if so."""
        handler = self.handlers.get((event.type, getattr(event, "ui_element", None)))
        if handler is None:
            return False
        handler(event)
        return True

    def apply_field(self, widget, text: str) -> None:
        path, key, convert = self.fields[widget]
        try:
            value = convert(text)
        except ValueError:
            self.scene.say(f"\"{text}\" is not a number.")
            return
        self.document.set_value(path, key, value, coalesce=f"{path}:{key}")  # typing in one field: one step
        self.scene.say("")

    def click_cell(self, cell: tuple[int, int]) -> bool:
        """A left click on the map; True when this tab used it (the map tab leaves it to the painting tools)."""
        return False

    def drag_rect(self, rect: tuple[int, int, int, int], add: bool) -> None:
        """A rectangle dragged on the map (x, y, w, h); `add`: Shift was held."""

    def shown_cells(self) -> list[tuple[int, int]]:
        """Cells this tab shades on the map."""
        return []

    def shown_tiles(self) -> list[tuple[tuple[int, int], str]]:
        """Cells this tab draws as another tile kind (a distribution's tile changes)."""
        return []

    def refresh(self) -> None: ...


class MapTab(Tab):
    """Name, description, world kind, episode length; the tile and entity palette."""

    def __init__(self, scene, rect: pygame.Rect):
        super().__init__(scene, rect)
        s, r, doc, px, side = self.s, self.root, self.document.doc, rect.x, rect.w
        pad = int(12 * s)
        self.label("Name", 28)
        self.name_entry = UITextEntryLine(pygame.Rect(px, self.y, side, int(36 * s)), self.ui, container=r)
        self.name_entry.set_text(_text(doc.get("name")))
        self.name_entry.set_tooltip("the level's name (Enter sets it)")
        self.on(self.name_entry, ENTERED, lambda event: self._set((), "name", event.text))
        self.y += int(40 * s)
        self.description_entry = UITextEntryLine(pygame.Rect(px, self.y, side, int(36 * s)), self.ui, container=r,
                                                 placeholder_text="one or two sentences for players")
        self.description_entry.set_text(_text(doc.get("description")))
        self.field(self.description_entry, (), "description", str, "what players read about the level")
        self.y += int(40 * s)
        half = (side - pad) // 2
        world = doc.get("world") if doc.get("world") in WORLD_KINDS else WORLD_KINDS[0]  # else the problems say so
        self.world_menu = DropDown(list(WORLD_KINDS), world,
                                         pygame.Rect(px, self.y, half, int(36 * s)), self.ui, container=r)
        self.length_entry = UITextEntryLine(pygame.Rect(px + half + pad, self.y, half, int(36 * s)), self.ui,
                                            container=r)
        self.length_entry.set_text(str(doc.get("episode_length", 200)))
        self.world_menu.set_tooltip("grid: steps from cell to cell; topdown and sideview: physics")
        self.length_entry.set_tooltip("steps in an episode (Enter sets it; a distribution may set its own)")
        self.on(self.world_menu, CHOSEN, lambda event: self._set((), "world", event.text))
        self.on(self.length_entry, ENTERED, self._set_length)
        self.y += int(44 * s)
        rows = doc["tiles"]["rows"]
        self.label(f"Grid: {len(rows[0]) if rows else 0} x {len(rows)} cells, the border included", 26)
        self.grid_buttons: dict[UIButton, tuple[str, str]] = {}
        quarter = (side - 3 * (pad // 2)) // 4
        for k, (text, action, axis, tip) in enumerate([
                ("- column", "remove_line", "x", "remove the last column inside the right border"),
                ("+ column", "add_line", "x", "add a column inside the right border (a copy of the last one)"),
                ("- row", "remove_line", "y", "remove the last row inside the bottom border"),
                ("+ row", "add_line", "y", "add a row inside the bottom border (a copy of the last one)")]):
            button = UIButton(pygame.Rect(px + k * (quarter + pad // 2), self.y, quarter, int(32 * s)), text, self.ui,
                              container=r, tool_tip_text=tip)
            self.grid_buttons[button] = (action, axis)
            self.on(button, CLICKED, lambda event, action=action, axis=axis: self._resize(action, axis))
        self.y += int(36 * s) + pad // 2
        self.palette: dict[UIButton, tuple[str, str]] = {}
        self.label("Tiles (Shift+drag fills a rectangle)", 28)
        self._palette_rows([("tile", kind) for kind in TILE_KINDS], lambda tool: tool[1].replace("_", " "),
                           lambda tool: f"paint {tool[1].replace('_', ' ')}", cols=3)
        self.y += pad // 2
        self.label("Entities (right click erases)", 28)
        self._palette_rows([("entity", k) for k in ENTITY_KINDS] + [("select", "move")],
                           lambda tool: tool[1] if tool[0] == "entity" else "select",
                           lambda tool: f"place a {tool[1]}" if tool[0] == "entity" else "pick an entity, move it",
                           cols=3)  # the longest kind ("supervisor") fits a third of the column
        self.y += pad // 2
        self.selected = self._selected_entity()
        self.id_entry = self.colour_menu = self.wander_button = None
        self.route_button = self.then_menu = self.clear_route_button = None
        if self.selected is not None:
            self._entity_row(self.selected, int(34 * s), pad // 2)
        self.problems()

    def _selected_entity(self) -> dict | None:
        """The entity last placed or picked, while it is still in the document (undo replaces the document)."""
        chosen = self.scene.selected
        if chosen is not None and not any(e is chosen for e in self.document.doc["entities"]):
            self.scene.selected = chosen = None
        return chosen

    def _entity_row(self, entity: dict, row_h: int, gap: int) -> None:
        """The selected entity's id, colour and (for monsters and guides) wandering."""
        px, side, r = self.rect.x, self.rect.w, self.root
        walker = entity.get("kind") in MOVING_KINDS
        id_w = side * (4 if walker else 6) // 10
        colour_w = (side - id_w - gap) if not walker else side * 3 // 10
        self.id_entry = UITextEntryLine(pygame.Rect(px, self.y, id_w, row_h), self.ui, container=r)
        self.id_entry.set_text(str(entity.get("id", "")))
        self.id_entry.set_tooltip(f"this {entity.get('kind')}'s id (Enter renames it everywhere it is named)")
        colours = [("no colour", "")] + [(c, c) for c in COLORS]
        now = next((o for o in colours if o[1] == (entity.get("color") or "")), colours[0])
        self.colour_menu = DropDown(colours, now, pygame.Rect(px + id_w + gap, self.y, colour_w, row_h), self.ui,
                                          container=r)
        self.colour_menu.set_tooltip("its colour in every distribution (a distribution may recolour it)")
        self.on(self.id_entry, ENTERED, self._rename)
        self.on(self.colour_menu, CHOSEN, lambda event: self._edit(self.document.set_colour, option(event)))
        if walker:
            x = px + id_w + colour_w + 2 * gap
            self.wander_button = UIButton(pygame.Rect(x, self.y, px + side - x, row_h), "wanders", self.ui,
                                          container=r, tool_tip_text="a random step every step, in every distribution")
            self.wander_button.select() if entity.get("wander") else None
            self.on(self.wander_button, CLICKED,
                    lambda event: self._edit(self.document.toggle_own_wander, rebuild=True))
            self.y += row_h + gap
            self._route_row(entity, row_h, gap)
            return
        self.y += row_h + gap

    def _route_row(self, entity: dict, row_h: int, gap: int) -> None:
        """A walker's own route (walked wherever a distribution gives it no other): drawn by clicks on the map."""
        px, side, r = self.rect.x, self.rect.w, self.root
        third = (side - 2 * gap) // 3
        self.route_button = UIButton(pygame.Rect(px, self.y, third, row_h), "draw route", self.ui, container=r,
                                     tool_tip_text="clicks on the map add waypoints to its route; the last one "
                                                   "clicked again is taken back (press again to stop)")
        self.route_button.select() if self.scene.own_route else None
        route = entity.get("route") if isinstance(entity.get("route"), dict) else {}
        now = next((t for t in THEN if t[1] == route.get("then", "back")), THEN[0])
        self.then_menu = DropDown(THEN, now, pygame.Rect(px + third + gap, self.y, third, row_h), self.ui,
                                        container=r)
        self.then_menu.set_tooltip("what it does at the route's last waypoint")
        self.clear_route_button = UIButton(pygame.Rect(px + 2 * (third + gap), self.y, third, row_h), "no route",
                                           self.ui, container=r, tool_tip_text="it stands where it was placed")
        self.on(self.route_button, CLICKED, self._toggle_drawing_route)
        self.on(self.then_menu, CHOSEN, self._set_route_end)
        self.on(self.clear_route_button, CLICKED,
                lambda event: self._edit(self.document.clear_own_route, rebuild=True))
        self.y += row_h + gap

    def click_cell(self, cell: tuple[int, int]) -> bool:
        if not (self.scene.own_route and self.selected is not None and self.selected.get("kind") in MOVING_KINDS):
            return False
        self.document.extend_own_route(self.selected["id"], cell)
        self.scene.rebuild_panel()
        return True

    def shown_cells(self) -> list[tuple[int, int]]:
        if self.selected is not None and self.selected.get("kind") in MOVING_KINDS:
            return self.document.route_cells(self.selected.get("route"))
        return []

    def _palette_rows(self, tools: list[tuple[str, str]], text, tip, cols: int) -> None:
        gap = int(6 * self.s)
        bw = (self.rect.w - (cols - 1) * gap) // cols
        for k, tool in enumerate(tools):
            row, col = divmod(k, cols)
            button = UIButton(pygame.Rect(self.rect.x + col * (bw + gap), self.y + row * int(34 * self.s), bw,
                                          int(32 * self.s)), text(tool), self.ui, container=self.root,
                              tool_tip_text=tip(tool))
            self.palette[button] = tool
            self.on(button, CLICKED, lambda event, tool=tool: self._pick_tool(tool))
        self.y += (len(tools) + cols - 1) // cols * int(34 * self.s)

    # --- what the widgets do ------------------------------------------------------------------------------------
    def _set(self, path: tuple, key: str, value) -> None:
        self.document.set_value(path, key, value)
        self.scene.refresh()

    def _set_length(self, event) -> None:
        try:
            length = int(event.text)
        except ValueError:
            self.scene.say("The episode length is a whole number of steps.")
            return
        self._set((), "episode_length", length)

    def _resize(self, action: str, axis: str) -> None:
        self.scene.status = getattr(self.document, action)(axis) or ""
        self.scene.rebuild_panel()  # the grid's size label changes

    def _pick_tool(self, tool: tuple[str, str]) -> None:
        self.scene.tool = tool
        self.scene.refresh()

    def _edit(self, edit, *args, rebuild: bool = False) -> None:
        """One of the document's edits of the selected entity; the tab is built again when its rows change."""
        edit(self.selected["id"], *args)
        self.scene.rebuild_panel() if rebuild else self.scene.refresh()

    def _rename(self, event) -> None:
        refused = self.document.rename_entity(self.selected.get("id"), event.text)
        self.scene.status = refused or f"Renamed to \"{event.text.strip()}\"."
        self.scene.rebuild_panel()

    def _toggle_drawing_route(self, event) -> None:
        self.scene.own_route = not self.scene.own_route
        self.scene.rebuild_panel()

    def _set_route_end(self, event) -> None:
        if isinstance(self.selected.get("route"), dict):
            self._edit(self.document.set_own_route_end, option(event))

    def refresh(self) -> None:
        for button, tool in self.palette.items():
            button.select() if tool == self.scene.tool else button.unselect()
        if self.scene.selected is not self.selected:
            self.scene.rebuild_panel()  # another entity picked: its row
