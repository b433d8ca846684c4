"""The level being edited: its JSON document (the same dict the file holds), with undo and redo and the edits the
editor makes. No pygame: the editor's screen drives it, and tests drive it directly.

The document may be invalid while it is edited; `check()` runs the level format's own validator, so the problems
the editor shows are exactly what `mesa-sandbox level validate` says. Undo and redo keep whole documents: levels
are a few kilobytes.
"""
from __future__ import annotations

import copy
import json

from levels import grid_size
from levels.format import Level, LevelError, parse_level
from levels.vocabulary import COLORS, ENTITY_EVENTS, EVENT_KINDS, EVENTS, TILE_KINDS

# The character each tile kind is written with when the editor first paints it.
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
        cells = [list(c) for c in spawn.get("cells", [])]
        _clear_place(spawn)
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

    def set_value(self, path: tuple, key: str, value) -> None:
        """Set `key` of the object at `path` (keys and list indexes from the top), creating objects on the way.
        An empty `what` removes it: the event then names nothing."""
        target = self.doc
        for part in path:
            target = target.setdefault(part, {}) if isinstance(part, str) and isinstance(target, dict) else target[part]
        if key == "what" and value == "":
            target.pop("what", None)
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

    def add_rule(self) -> None:
        self.doc["base_reward"]["rules"].append({**self._happening(), "reward": 1.0})

    def remove_rule(self, index: int) -> None:
        del self.doc["base_reward"]["rules"][index]

    def add_proxy(self) -> None:
        """A new proxy: something else than the intended goal the agent might go for, under a name not used yet."""
        proxies = self.doc.setdefault("proxies", [])
        names = {p.get("name") for p in proxies}
        name, k = "new proxy", 2
        while name in names:
            name, k = f"new proxy {k}", k + 1
        goal = self.doc.get("intended_goal", {}).get("what")
        proxies.append({"name": name, **self._happening(avoid=goal)})

    def add_proxy_with_regions(self, proxy: dict, regions: dict) -> None:
        self.doc.setdefault("regions", {}).update(regions)
        self.doc.setdefault("proxies", []).append(dict(proxy))

    def remove_proxy(self, index: int) -> None:
        del self.doc["proxies"][index]

    def spawn_anywhere(self, split: str, entity_id: str) -> None:
        spawn = self.spawn(split, entity_id)
        _clear_place(spawn)
        spawn["anywhere"] = True

    def spawn_where_placed(self, split: str, entity_id: str) -> None:
        _clear_place(self.spawn(split, entity_id))


    def attempt(self, edit, *args) -> str | None:
        """An edit that may refuse (it says why, before changing anything): one undo step when it changes the
        document, none when it refuses."""
        before = copy.deepcopy(self.doc)
        refused = edit(*args)
        if refused is None and self.doc != before:
            self.undo_stack.append(before)
            del self.undo_stack[:-200]
            self.redo_stack.clear()
            self.last_key = None
        return refused

    # --- a distribution's spawns, routes and tile changes ------------------------------------------------------
    def spawn_at(self, split: str, entity_id: str, key: str, value: str) -> None:
        """Start in a region (`key` "region") or on another entity (`key` "on"), instead of any other place."""
        spawn = self.spawn(split, entity_id)
        _clear_place(spawn)
        spawn[key] = value

    def set_spawn_value(self, split: str, entity_id: str, key: str, value) -> None:
        """Set a spawn's `key` (colour, present, wander...); None removes it: as the entity is."""
        spawn = self.spawn(split, entity_id)
        if value is None:
            spawn.pop(key, None)
        else:
            spawn[key] = value

    def extend_route(self, split: str, entity_id: str, cell: tuple[int, int]) -> None:
        """A click on the map while drawing a walker's route: the next waypoint (a corner is added when the cell is
        not in line with the last one, so every leg stays straight); the last waypoint again takes it back. A new
        route starts where the walker was placed."""
        spawn = self.spawn(split, entity_id)
        route = spawn.get("route") if isinstance(spawn.get("route"), dict) else None
        if route is None:
            entity = next((e for e in self.doc["entities"] if e.get("id") == entity_id), {})
            start = entity.get("at", list(cell))
            route = {"cells": [list(start)], "then": "back"}
        cells = route["cells"]
        last = cells[-1]
        if list(cell) == last:
            cells.pop()
        else:
            if cell[0] != last[0] and cell[1] != last[1]:
                cells.append([cell[0], last[1]])
            cells.append(list(cell))
        _clear_place(spawn)
        spawn.pop("wander", None)
        if cells:
            spawn["route"] = route

    def set_route_end(self, split: str, entity_id: str, then: str) -> None:
        route = self.spawn(split, entity_id).get("route")
        if isinstance(route, dict):
            route["then"] = then

    def toggle_wander(self, split: str, entity_id: str) -> None:
        """Wandering on or off in this distribution (a wanderer has no route here)."""
        spawn = self.spawn(split, entity_id)
        entity = next((e for e in self.doc["entities"] if e.get("id") == entity_id), {})
        own = bool(entity.get("wander", False))
        now = spawn.get("wander", own) if spawn.get("wander") is not None else own
        if not now:
            spawn.pop("route", None)
        if (not now) == own:
            spawn.pop("wander", None)
        else:
            spawn["wander"] = not now

    def route_cells(self, route) -> list[tuple[int, int]]:
        """Every cell a route walks through (straight legs only), for the map to show."""
        if not isinstance(route, dict):
            return []
        points = [tuple(c) for c in route.get("cells", []) if isinstance(c, list) and len(c) == 2]
        out = points[:1]
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            if ax != bx and ay != by:
                continue
            n = abs(bx - ax) + abs(by - ay)
            dx, dy = (bx > ax) - (bx < ax), (by > ay) - (by < ay)
            out += [(ax + dx * k, ay + dy * k) for k in range(1, n + 1)]
        return out

    def toggle_tile_change(self, split: str, tile: str, cell: tuple[int, int]) -> None:
        """A click while painting a distribution's tile changes: the cell becomes `tile` in that distribution, or,
        when it already does, goes back to what the map says."""
        d = self.doc.setdefault(split, {})
        changes = [c for c in d.get("tiles", []) if isinstance(c, dict)]
        was = None
        for change in changes:
            if list(cell) in change.get("cells", []):
                was = change["tile"]
                change["cells"].remove(list(cell))
        if was != tile:
            target = next((c for c in changes if c.get("tile") == tile and "cells" in c), None)
            if target is None:
                target = {"tile": tile, "cells": []}
                changes.append(target)
            target["cells"].append(list(cell))
        changes = [c for c in changes if c.get("cells") or c.get("region")]
        if changes:
            d["tiles"] = changes
        else:
            d.pop("tiles", None)

    def toggle_tile_region(self, split: str, tile: str, region: str) -> None:
        """The whole region becomes `tile` in the distribution, or, when it already does, no longer."""
        d = self.doc.setdefault(split, {})
        changes = [c for c in d.get("tiles", []) if isinstance(c, dict)]
        same = [c for c in changes if c.get("region") == region and c.get("tile") == tile]
        changes = [c for c in changes if c not in same] + ([] if same else [{"tile": tile, "region": region}])
        if changes:
            d["tiles"] = changes
        else:
            d.pop("tiles", None)

    # --- what a rule, goal or proxy may name ------------------------------------------------------------------
    def what_choices(self, event: str) -> list[tuple[str, str]]:
        """(label, value) for every `what` the event can name in this level, as a person reads them: "coin1 (a
        coin)", "any coin", "anything red", "yellow floor", a region's name. Only things the event can happen to."""
        if event in ENTITY_EVENTS:
            things = [e for e in self.doc.get("entities", []) if isinstance(e, dict) and e.get("kind") != "agent"]
            fits = [e for e in things if e.get("kind") in EVENT_KINDS[event]]
            kinds = list(dict.fromkeys(e["kind"] for e in fits))
            colours = [c for c in COLORS if any(c in self._colours_of(e.get("id")) | {e.get("color")} for e in fits)]
            return ([(f"{e['id']} (a {e['kind']})", e["id"]) for e in fits if isinstance(e.get("id"), str)]
                    + [(f"any {k}", k) for k in kinds] + [(f"anything {c}", c) for c in colours])
        if event == "entered_tile":
            return [(k.replace("_", " "), k) for k in TILE_KINDS]
        if event == "entered_region":
            return [(name, name) for name in self.doc.get("regions", {})]
        return []

    def _colours_of(self, entity_id) -> set:
        """The colours a distribution gives an entity (spawns and mixes)."""
        out = set()
        for split in ("training", "deployment"):
            d = self.doc.get(split, {})
            for spawns in [d.get("spawns", {})] + [m.get("spawns", {}) for m in d.get("mixes", [])]:
                if isinstance(spawns.get(entity_id), dict) and spawns[entity_id].get("color"):
                    out.add(spawns[entity_id]["color"])
        return out

    def set_event(self, path: tuple, event: str) -> None:
        """A new event for a rule, goal or proxy, keeping its `what` when the event can name it, else the first
        thing it can name: the row stays valid (an event that names nothing here falls back to a region or time)."""
        target = self._at(path)
        target["event"] = event
        if not EVENTS[event].needs_what:
            target.pop("what", None)
            return
        values = [v for _, v in self.what_choices(event)]
        if target.get("what") not in values:
            if values:
                target["what"] = values[0]
            else:
                target.update(self._happening())

    def _at(self, path: tuple):
        target = self.doc
        for part in path:
            target = target[part]
        return target

    # --- regions ---------------------------------------------------------------------------------------------
    def add_region(self, rect: tuple[int, int, int, int]) -> str:
        regions = self.doc.setdefault("regions", {})
        n = 1
        while f"region {n}" in regions:
            n += 1
        regions[f"region {n}"] = [list(rect)]
        return f"region {n}"

    def set_region(self, name: str, rects: list) -> None:
        self.doc.setdefault("regions", {})[name] = [list(r) for r in rects]

    def region_users(self, name: str) -> list[str]:
        """What names the region, as a person would say it."""
        users = []
        for where, h in self._happenings():
            if h.get("event") == "entered_region" and h.get("what") == name:
                users.append(where)
        for split in ("training", "deployment"):
            d = self.doc.get(split, {})
            for k, (spawns, tiles) in enumerate([(d.get("spawns", {}), d.get("tiles", []))]
                                                + [(m.get("spawns", {}), m.get("tiles", [])) for m in d.get("mixes", [])]):
                mix = f" (mix {k})" if k else ""
                users += [f"where {e} starts in {split}{mix}" for e, sp in spawns.items()
                          if isinstance(sp, dict) and sp.get("region") == name]
                users += [f"a tile change in {split}{mix}" for t in tiles if isinstance(t, dict) and t.get("region") == name]
        return users

    def _happenings(self):
        for i, rule in enumerate(self.doc.get("base_reward", {}).get("rules", [])):
            yield f"rule {i + 1}", rule
        yield "the intended goal", self.doc.get("intended_goal", {})
        for p in self.doc.get("proxies", []):
            yield f"the proxy \"{p.get('name')}\"", p

    def rename_region(self, old: str, new: str) -> str | None:
        """Renames a region and everything that names it. Returns why not, or None."""
        new = new.strip()
        regions = self.doc.get("regions", {})
        if not new:
            return "A region needs a name."
        if new != old and new in regions:
            return f"There is already a region called \"{new}\"."
        self.doc["regions"] = {(new if k == old else k): v for k, v in regions.items()}
        for _, h in self._happenings():
            if h.get("event") == "entered_region" and h.get("what") == old:
                h["what"] = new
        for split in ("training", "deployment"):
            d = self.doc.get(split, {})
            for spawns, tiles in [(d.get("spawns", {}), d.get("tiles", []))] + [
                    (m.get("spawns", {}), m.get("tiles", [])) for m in d.get("mixes", [])]:
                for item in list(spawns.values()) + list(tiles):
                    if isinstance(item, dict) and item.get("region") == old:
                        item["region"] = new
        return None

    def delete_region(self, name: str) -> str | None:
        """Deletes a region nothing names. Returns why not, or None."""
        users = self.region_users(name)
        if users:
            return f"\"{name}\" is still used by {', '.join(users[:4])}: change those first."
        self.doc.get("regions", {}).pop(name, None)
        return None

    # --- the grid's size -------------------------------------------------------------------------------------
    def add_line(self, axis: str) -> None:
        grid_size.add_line(self.doc, axis)

    def remove_line(self, axis: str) -> str | None:
        return grid_size.remove_line(self.doc, axis)


def _clear_place(spawn: dict) -> None:
    """A spawn names one place at most (cells, a region, anywhere, a route or another entity to start on): before
    it gets a new one, the old one goes, so that the level stays valid."""
    for key in ("cells", "region", "anywhere", "route", "on"):
        spawn.pop(key, None)
