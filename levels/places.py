"""Where a level's JSON document (as the editor holds it, maybe not valid yet) keeps places: its distributions and
mixes, and every cell and rectangle in it, as the lists themselves so that an edit can move them."""
from __future__ import annotations

from numbers import Integral


def parts(doc: dict):
    """Every distribution and mix part of a document that holds spawns and tile changes."""
    for split in ("training", "deployment"):
        d = doc.get(split)
        if isinstance(d, dict):
            yield d
            yield from (m for m in d.get("mixes", []) if isinstance(m, dict))


def _is_cell(c) -> bool:
    return isinstance(c, list) and len(c) == 2 and all(isinstance(v, int) for v in c)


def _is_rect(r) -> bool:
    return isinstance(r, (list, tuple)) and len(r) == 4 and all(isinstance(v, Integral) for v in r)  # numpy's too


def cells(doc: dict):
    """Every [x, y] a document holds (entities, spawns, routes, tile changes), as the lists themselves."""
    routes = []
    for e in doc.get("entities", []):
        if isinstance(e, dict):
            yield from [e["at"]] if _is_cell(e.get("at")) else []
            routes.append(e.get("route"))
    for part in parts(doc):
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


def rects(doc: dict):
    """Every [x, y, w, h] a document holds (regions and mazes)."""
    for value in doc.get("regions", {}).values():
        if _is_rect(value):
            yield value
        elif isinstance(value, list):
            yield from (r for r in value if _is_rect(r))
    for split in ("training", "deployment"):
        maze = doc.get(split, {}).get("maze") if isinstance(doc.get(split), dict) else None
        if isinstance(maze, dict) and _is_rect(maze.get("rect")):
            yield maze["rect"]


def rect_cells(rects) -> list[tuple[int, int]]:
    """The cells of a region's rectangles ([x, y, w, h] each), each once, in order; malformed ones (a document
    being edited may hold them) are skipped."""
    out = []
    for r in rects if isinstance(rects, (list, tuple)) else []:
        if _is_rect(r):
            out += [(x, y) for y in range(r[1], r[1] + r[3]) for x in range(r[0], r[0] + r[2])]
    return list(dict.fromkeys(out))
