"""The level being edited: its JSON document (the same dict the file holds), with undo and redo and the edits the
editor makes. No pygame: the editor's screen drives it, and tests drive it directly.

The document may be invalid while it is edited; `check()` runs the level format's own validator, so the problems
the editor shows are exactly what `mesa-sandbox level validate` says. Every method that changes the document is an
`@edit` and makes its own undo step (`levels.document_undo`).
"""
from __future__ import annotations

import copy
import json

from levels import grid_size
from levels.document_names import NameEdits
from levels.document_spawns import DistributionEdits
from levels.document_undo import Undo, edit
from levels.format import Level, LevelError, parse_level

# The character each tile kind is written with when the editor first paints it.
TILE_CHARS = {"floor": ".", "wall": "#", "lava": "~", "green_floor": "g", "red_floor": "r", "blue_floor": "b",
              "yellow_floor": "y"}


class LevelDocument(Undo, DistributionEdits, NameEdits):
    """The level being edited, as its JSON document, with undo and redo."""

    def __init__(self, doc: dict):
        super().__init__()
        self.doc = doc
        self.saved = json.dumps(doc, sort_keys=True)

    @property
    def dirty(self) -> bool:
        return json.dumps(self.doc, sort_keys=True) != self.saved

    def check(self) -> tuple[Level | None, list]:
        try:
            return parse_level(copy.deepcopy(self.doc), "this level"), []
        except LevelError as exc:
            return None, exc.problems

    # --- edits -----------------------------------------------------------------------------------------------
    def _tile_char(self, kind: str) -> str:
        legend = self.doc["tiles"]["legend"]
        for char, k in legend.items():
            if k == kind:
                return char
        char = TILE_CHARS[kind] if TILE_CHARS[kind] not in legend else next(
            c for c in "abcdefhijklmnopqstuvwxz0123456789" if c not in legend)
        legend[char] = kind
        return char

    @edit
    def set_tiles(self, cells: list[tuple[int, int]], kind: str) -> None:
        rows = [list(r) for r in self.doc["tiles"]["rows"]]
        char = self._tile_char(kind)
        for x, y in cells:
            if 0 <= y < len(rows) and 0 <= x < len(rows[y]):
                rows[y][x] = char
        self.doc["tiles"]["rows"] = ["".join(r) for r in rows]

    def entity_at(self, cell: tuple[int, int]) -> dict | None:
        for e in reversed(self.doc["entities"]):
            if tuple(e.get("at", ())) == tuple(cell):
                return e
        return None

    @edit
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

    @edit
    def remove(self, entity: dict) -> None:
        self.doc["entities"] = [e for e in self.doc["entities"] if e is not entity]

    @edit
    def move(self, entity_id: str, cell: tuple[int, int]) -> None:
        self._entity(entity_id)["at"] = list(cell)

    @edit
    def set_colour(self, entity_id: str, colour: str | None) -> None:
        """An entity's colour, or none."""
        entity = self._entity(entity_id)
        if colour:
            entity["color"] = colour
        else:
            entity.pop("color", None)

    @edit
    def set_own_route_end(self, entity_id: str, then: str) -> None:
        """What a walker does at its own route's last waypoint."""
        route = self._entity(entity_id).get("route")
        if isinstance(route, dict):
            route["then"] = then

    @edit
    def clear_own_route(self, entity_id: str) -> None:
        self._entity(entity_id).pop("route", None)

    @edit
    def toggle_own_wander(self, entity_id: str) -> None:
        """A walker wanders, or stops wandering; one that wanders has no route (it wanders or walks, not both)."""
        entity = self._entity(entity_id)
        if entity.pop("wander", False):
            return
        entity["wander"] = True
        entity.pop("route", None)

    @edit
    def set_value(self, path: tuple, key: str, value) -> None:
        """Set `key` of the object at `path` (keys and list indexes from the top), creating objects on the way.
        None, or an empty `what`, removes it (the event then names nothing; a length is then the level's)."""
        target = self.doc
        for part in path:
            target = target.setdefault(part, {}) if isinstance(part, str) and isinstance(target, dict) else target[part]
        if (key == "what" and value == "") or value is None:
            target.pop(key, None)
        else:
            target[key] = value

    def _happening(self, avoid: str | None = None) -> dict:
        """An event the level can already say: touching one of its things (not `avoid` when there is another),
        reaching one of its regions, or else running out of time. What a new rule or proxy starts from, so that
        adding one never leaves the level invalid."""
        things = [e["id"] for e in self.doc.get("entities", []) if e.get("kind") != "agent" and e.get("id")]
        other = [t for t in things if t != avoid]
        if other:
            return {"event": "touched", "what": other[0]}
        if self.doc.get("regions"):
            return {"event": "entered_region", "what": next(iter(self.doc["regions"]))}
        if things:
            return {"event": "touched", "what": things[0]}
        return {"event": "timed_out"}

    @edit
    def add_rule(self) -> None:
        self.doc["base_reward"]["rules"].append({**self._happening(), "reward": 1.0})

    @edit
    def remove_rule(self, index: int) -> None:
        del self.doc["base_reward"]["rules"][index]

    @edit
    def add_proxy(self) -> None:
        """A new proxy: something else than the intended goal the agent might go for, under a name not used yet."""
        proxies = self.doc.setdefault("proxies", [])
        names = {p.get("name") for p in proxies}
        name, k = "new proxy", 2
        while name in names:
            name, k = f"new proxy {k}", k + 1
        goal = self.doc.get("intended_goal", {}).get("what")
        proxies.append({"name": name, **self._happening(avoid=goal)})

    @edit
    def add_proxy_with_regions(self, proxy: dict, regions: dict) -> None:
        self.doc.setdefault("regions", {}).update(regions)
        self.doc.setdefault("proxies", []).append(dict(proxy))

    @edit
    def remove_proxy(self, index: int) -> None:
        del self.doc["proxies"][index]

    # --- the grid's size -------------------------------------------------------------------------------------
    @edit
    def add_line(self, axis: str) -> None:
        grid_size.add_line(self.doc, axis)

    @edit
    def remove_line(self, axis: str) -> str | None:
        return grid_size.remove_line(self.doc, axis)


def unfit_to_edit(doc) -> str | None:
    """Why a document (an autosave: it may have been damaged) cannot be edited, or None. The editor edits invalid
    levels, but only ones shaped like a level: every part it walks is the kind of JSON value the format says."""
    def shaped(value, kind, items=None) -> bool:
        return isinstance(value, kind) and (items is None or all(isinstance(v, items) for v in
                                                                 (value.values() if kind is dict else value)))
    if not shaped(doc, dict):
        return "it is not a JSON object"
    tiles = doc.get("tiles")
    checks = [
        ("tiles", shaped(tiles, dict) and shaped(tiles.get("rows"), list, str) and bool(tiles.get("rows"))
         and shaped(tiles.get("legend", {}), dict, str)),
        ("entities", shaped(doc.get("entities", []), list, dict)
         and all(isinstance(e.get("id"), str) and isinstance(e.get("kind"), str) for e in doc.get("entities", []))),
        ("regions", shaped(doc.get("regions", {}), dict, list)),
        ("base_reward", shaped(doc.get("base_reward"), dict)
         and shaped(doc["base_reward"].get("rules", []), list, dict)),
        ("intended_goal", shaped(doc.get("intended_goal", {}), dict)),
        ("proxies", shaped(doc.get("proxies", []), list, dict)),
    ]
    for split in ("training", "deployment"):
        d = doc.get(split, {})
        ok = shaped(d, dict) and shaped(d.get("mixes", []), list, dict)
        for part in ([d] + d.get("mixes", [])) if ok else []:
            ok = ok and shaped(part.get("spawns", {}), dict, dict) and shaped(part.get("tiles", []), list, dict)
        checks.append((split, ok))
    broken = [name for name, ok in checks if not ok]
    if not broken:
        return None
    return f"its {', '.join(broken)} {'is' if len(broken) == 1 else 'are'} not shaped like a level's"
