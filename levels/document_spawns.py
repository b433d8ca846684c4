"""The edits the editor's Training and Deploy tabs make to a level's JSON document: where each entity starts in a
distribution or one of its mixes, its colour and presence, a walker's route or wandering, the tiles a distribution
changes, its mixes and its maze. A part of `levels.document.LevelDocument`."""
from __future__ import annotations

import copy

from levels.document_undo import edit


class DistributionEdits:
    doc: dict

    def _part(self, where) -> dict:
        """What a distribution tab edits: a distribution (`where` is "training" or "deployment") or one of its mixes
        (`where` is (split, index)), each with its own spawns and tile changes."""
        if isinstance(where, str):
            return self.doc.setdefault(where, {})
        split, k = where
        return self.doc.setdefault(split, {}).setdefault("mixes", [])[k]

    def _spawn(self, where, entity_id: str) -> dict:
        """The spawn of an entity in a distribution or mix, created when missing."""
        return self._part(where).setdefault("spawns", {}).setdefault(entity_id, {})

    @edit
    def add_mix(self, split: str) -> int:
        """A new mix taking what share is left (at most a quarter); returns its index."""
        mixes = self.doc.setdefault(split, {}).setdefault("mixes", [])
        left = 1.0 - sum(share_of(m) for m in mixes)
        mixes.append({"share": round(max(0.0, min(0.25, left)), 3), "spawns": {}})
        return len(mixes) - 1

    @edit
    def remove_mix(self, split: str, index: int) -> None:
        mixes = self.doc.get(split, {}).get("mixes", [])
        del mixes[index]
        if not mixes:
            self.doc[split].pop("mixes", None)

    @edit
    def set_maze(self, split: str, rect: tuple[int, int, int, int] | None) -> None:
        """A maze carved in `rect` in every variant of the split (its sides trimmed to odd, as mazes need), or none."""
        d = self.doc.setdefault(split, {})
        if rect is None:
            d.pop("maze", None)
            return
        x, y, w, h = rect
        loops = d.get("maze", {}).get("loops", 0.0) if isinstance(d.get("maze"), dict) else 0.0
        d["maze"] = {"rect": [x, y, max(3, w - (w % 2 == 0)), max(3, h - (h % 2 == 0))], "loops": loops}

    @edit
    def set_maze_loops(self, split: str, loops: float) -> None:
        maze = self.doc.get(split, {}).get("maze")
        if isinstance(maze, dict):
            maze["loops"] = loops

    @edit
    def toggle_spawn_cell(self, where, entity_id: str, cell: tuple[int, int]) -> None:
        spawn = self._spawn(where, entity_id)
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

    @edit
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

    @edit
    def spawn_anywhere(self, where, entity_id: str) -> None:
        spawn = self._spawn(where, entity_id)
        _clear_place(spawn)
        spawn["anywhere"] = True

    @edit
    def spawn_where_placed(self, where, entity_id: str) -> None:
        _clear_place(self._spawn(where, entity_id))

    @edit
    def spawn_at(self, where, entity_id: str, key: str, value: str) -> None:
        """Start in a region (`key` "region") or on another entity (`key` "on"), instead of any other place."""
        spawn = self._spawn(where, entity_id)
        _clear_place(spawn)
        spawn[key] = value

    @edit
    def set_spawn_value(self, where, entity_id: str, key: str, value) -> None:
        """Set a spawn's `key` (colour, present, wander...); None removes it: as the entity is."""
        spawn = self._spawn(where, entity_id)
        if value is None:
            spawn.pop(key, None)
        else:
            spawn[key] = value

    @edit
    def clear_route(self, where, entity_id: str) -> None:
        """No route and no wandering of its own in this distribution: the walker does as the entity does."""
        self.set_spawn_value(where, entity_id, "route", None)
        self.set_spawn_value(where, entity_id, "wander", None)

    @edit
    def extend_route(self, where, entity_id: str, cell: tuple[int, int]) -> None:
        """A click on the map while drawing a walker's route in a distribution or mix (see `extended`); the route
        replaces any other place or wandering there."""
        spawn = self._spawn(where, entity_id)
        route = spawn.pop("route", None)
        _clear_place(spawn)
        spawn.pop("wander", None)
        route = extended(route, self._entity(entity_id).get("at"), cell)
        if route:
            spawn["route"] = route

    @edit
    def extend_own_route(self, entity_id: str, cell: tuple[int, int]) -> None:
        """The same for the walker's own route, walked in every distribution that gives it no other."""
        entity = self._entity(entity_id)
        route = extended(entity.pop("route", None), entity.get("at"), cell)
        entity.pop("wander", None)
        if route:
            entity["route"] = route

    def _entity(self, entity_id: str) -> dict:
        return next((e for e in self.doc["entities"] if e.get("id") == entity_id), {})

    @edit
    def set_route_end(self, where, entity_id: str, then: str) -> None:
        route = self._spawn(where, entity_id).get("route")
        if isinstance(route, dict):
            route["then"] = then

    @edit
    def toggle_wander(self, where, entity_id: str) -> None:
        """Wandering on or off in this distribution (a wanderer has no route here)."""
        spawn = self._spawn(where, entity_id)
        own = bool(self._entity(entity_id).get("wander", False))  # what the distribution does unless it says
        wanders = not (own if spawn.get("wander") is None else bool(spawn["wander"]))
        if wanders:
            spawn.pop("route", None)
        if wanders == own:
            spawn.pop("wander", None)
        else:
            spawn["wander"] = wanders

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

    @edit
    def toggle_tile_change(self, where, tile: str, cell: tuple[int, int]) -> None:
        """A click while painting a distribution's tile changes: the cell becomes `tile` in that distribution, or,
        when it already does, goes back to what the map says."""
        d = self._part(where)
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

    @edit
    def toggle_tile_region(self, where, tile: str, region: str) -> None:
        """The whole region becomes `tile` in the distribution, or, when it already does, no longer."""
        d = self._part(where)
        changes = [c for c in d.get("tiles", []) if isinstance(c, dict)]
        same = [c for c in changes if c.get("region") == region and c.get("tile") == tile]
        changes = [c for c in changes if c not in same] + ([] if same else [{"tile": tile, "region": region}])
        if changes:
            d["tiles"] = changes
        else:
            d.pop("tiles", None)


def share_of(mix) -> float:
    """A mix's share as a number (0 when the document holds something else there: the validator says so)."""
    share = mix.get("share") if isinstance(mix, dict) else None
    return float(share) if isinstance(share, (int, float)) and not isinstance(share, bool) else 0.0


def extended(route, start, cell: tuple[int, int]) -> dict | None:
    """A route with one more waypoint, the clicked cell (a corner is added when it is not in line with the last
    waypoint, so every leg stays straight); the last waypoint clicked again is taken back. A new route starts
    at `start` (where the walker was placed). None when no waypoint is left."""
    if not isinstance(route, dict) or not route.get("cells"):
        route = {"cells": [list(start or cell)], "then": "back"}
    cells = route["cells"]
    last = cells[-1]
    if list(cell) == last:
        cells.pop()
    else:
        if cell[0] != last[0] and cell[1] != last[1]:
            cells.append([cell[0], last[1]])
        cells.append(list(cell))
    return route if cells else None


def _clear_place(spawn: dict) -> None:
    """A spawn names one place at most (cells, a region, anywhere, a route or another entity to start on): before
    it gets a new one, the old one goes, so that the level stays valid."""
    for key in ("cells", "region", "anywhere", "route", "on"):
        spawn.pop(key, None)
