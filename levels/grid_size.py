"""The grid's size, changed the way a level builder means it: a row or a column added or removed just inside the
bottom or right border, with everything beyond it (entities, spawn cells, routes, tile changes, regions, mazes)
moving with the border. Works on a level's JSON document (`levels.document` calls it)."""
from __future__ import annotations

from levels.places import cells, rects


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
    if any(c[k] == at for c in cells(doc)):
        what = "row" if axis == "y" else "column"
        return f"Something stands on or names the last inner {what}: move it first."
    if any(r[k] == at and r[k + 2] == 1 for r in rects(doc)):
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
    for c in cells(doc):
        if c[k] >= at + (by < 0):
            c[k] += by
    for r in rects(doc):
        if r[k] >= at + (by < 0):
            r[k] += by
        elif r[k] + r[k + 2] >= at + (by < 0):  # across the line, or (a copied line) up to it: the copy joins
            r[k + 2] += by
