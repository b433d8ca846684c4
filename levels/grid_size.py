"""The grid's size, changed the way a level builder means it: a row or a column added or removed just inside the
bottom or right border, with everything beyond it (entities, spawn cells, routes, tile changes, regions, mazes)
moving with the border. Works on a level's JSON document (`levels.document` calls it)."""
from __future__ import annotations


def add_line(doc: dict, axis: str) -> None:
    """One more row (axis "y") or column ("x") just inside the bottom or right border: a copy of the last
    inner one, so walls around the edge stay walls; whatever lies beyond moves out with the border."""
    rows = doc["tiles"]["rows"]
    if axis == "y":
        at = max(len(rows) - 1, 0)
        rows.insert(at, rows[max(at - 1, 0)])
    else:
        at = max(len(rows[0]) - 1, 0)
        doc["tiles"]["rows"] = [r[:at] + r[max(at - 1, 0)] + r[at:] for r in rows]
    _shift(doc, axis, at, +1)


def remove_line(doc: dict, axis: str) -> str | None:
    """Removes the last inner row or column (the one just inside the border). Returns why not, or None."""
    rows = doc["tiles"]["rows"]
    size = len(rows) if axis == "y" else len(rows[0])
    if size <= 3:
        return "The grid is as small as it can be."
    at, k = size - 2, (1 if axis == "y" else 0)
    if any(c[k] == at for c in _cells(doc)):
        what = "row" if axis == "y" else "column"
        return f"Something stands on or names the last inner {what}: move it first."
    if any(r[k] == at and r[k + 2] == 1 for r in _rects(doc)):
        return "A region or maze lies only on that line: change it first."
    if axis == "y":
        del rows[at]
    else:
        doc["tiles"]["rows"] = [r[:at] + r[at + 1:] for r in rows]
    _shift(doc, axis, at, -1)
    return None


def _shift(doc: dict, axis: str, at: int, by: int) -> None:
    """Everything at or beyond line `at` moves by `by`; rectangles across it grow or shrink."""
    k = 1 if axis == "y" else 0
    for c in _cells(doc):
        if c[k] >= at + (by < 0):
            c[k] += by
    for r in _rects(doc):
        if r[k] >= at + (by < 0):
            r[k] += by
        elif r[k] + r[k + 2] >= at + (by < 0):  # across the line, or (a copied line) up to it: the copy joins
            r[k + 2] += by


def _places(doc: dict):
    """Every distribution and mix part of a document that holds spawns and tile changes."""
    for split in ("training", "deployment"):
        d = doc.get(split)
        if isinstance(d, dict):
            yield d
            yield from (m for m in d.get("mixes", []) if isinstance(m, dict))


def _is_cell(c) -> bool:
    return isinstance(c, list) and len(c) == 2 and all(isinstance(v, int) for v in c)


def _cells(doc: dict):
    """Every [x, y] a document holds (entities, spawns, routes, tile changes), as the lists themselves."""
    routes = []
    for e in doc.get("entities", []):
        if isinstance(e, dict):
            yield from [e["at"]] if _is_cell(e.get("at")) else []
            routes.append(e.get("route"))
    for part in _places(doc):
        for spawn in part.get("spawns", {}).values():
            if isinstance(spawn, dict):
                yield from (c for c in spawn.get("cells", []) if _is_cell(c))
                routes.append(spawn.get("route"))
        for change in part.get("tiles", []):
            if isinstance(change, dict):
                yield from (c for c in change.get("cells", []) if _is_cell(c))
    for route in routes:
        if isinstance(route, dict):
            yield from (c for c in route.get("cells", []) if _is_cell(c))


def _rects(doc: dict):
    """Every [x, y, w, h] a document holds (regions and mazes)."""
    def rect(r):
        return isinstance(r, list) and len(r) == 4 and all(isinstance(v, int) for v in r)
    for rects in doc.get("regions", {}).values():
        if rect(rects):
            yield rects
        elif isinstance(rects, list):
            yield from (r for r in rects if rect(r))
    for split in ("training", "deployment"):
        maze = doc.get(split, {}).get("maze") if isinstance(doc.get(split), dict) else None
        if isinstance(maze, dict) and rect(maze.get("rect")):
            yield maze["rect"]
