"""What one part of a level says about another: the checks that need the whole level.

Run as validators of `levels.model.Tiles` and of the sections of `levels.model.Level`, each after the sections it
refers to have passed their own checks, so a problem here is never a knock-on of a broken field. The problems of
one section are collected, then raised together as one `LevelRuleError`.
"""
from __future__ import annotations

from levels.places import rect_cells
from levels.problems import LevelRuleError, Problem, join_path
from levels.vocabulary import COLORS, ENTITY_EVENTS, EVENTS, GRID_ONLY_KINDS, MOVING_KINDS, TILE_KINDS


def grid_problems(tiles) -> None:
    """Every row as wide as the first, every character in the legend."""
    problems = []
    width = len(tiles.rows[0])
    for i, row in enumerate(tiles.rows):
        if len(row) != width:
            problems.append(Problem(f"rows[{i}]", f"the row is {len(row)} tiles wide but row 0 is {width}",
                                    "make every row the same width"))
        unknown = sorted({c for c in row if c not in tiles.legend})
        if unknown:
            shown = "".join(unknown[:10])
            problems.append(Problem(f"rows[{i}]", f"characters {shown!r} are not in the legend",
                                    "add them to tiles.legend or replace them"))
    _raise(problems)


class _Grid:
    """The tiles, and the problems found about cells and rectangles placed on them."""

    def __init__(self, tiles):
        self.tiles, self.w, self.h = tiles, len(tiles.rows[0]), len(tiles.rows)
        self.problems: list[Problem] = []

    def cell(self, path: str, xy) -> bool:
        x, y = xy
        if 0 <= x < self.w and 0 <= y < self.h:
            return True
        self.problems.append(Problem(path, f"cell [{x}, {y}] is outside the {self.w}x{self.h} grid",
                                     f"use x in 0..{self.w - 1} and y in 0..{self.h - 1}"))
        return False

    def rect(self, path: str, r) -> None:
        x, y, rw, rh = r
        if rw < 1 or rh < 1 or x < 0 or y < 0 or x + rw > self.w or y + rh > self.h:
            self.problems.append(Problem(path, f"rectangle {list(r)} does not fit in the {self.w}x{self.h} grid",
                                         "keep x + width and y + height inside the grid, with width and height "
                                         "of at least 1"))

    def region_cells(self, rects) -> list[tuple[int, int]]:
        """A region's cells that lie inside the grid."""
        return [c for c in rect_cells(rects) if 0 <= c[0] < self.w and 0 <= c[1] < self.h]

    def solid(self, xy) -> bool:
        return TILE_KINDS[self.tiles.legend[self.tiles.rows[xy[1]][xy[0]]]].solid

    def route(self, path: str, route) -> None:
        """Every waypoint inside the grid, and no step of the walk in a wall."""
        inside = [self.cell(f"{path}.cells[{k}]", c) for k, c in enumerate(route.cells)]
        if all(inside):
            walls = [c for c in route.path() if self.solid(c)]
            if walls:
                self.problems.append(Problem(f"{path}.cells", f"the route walks through a wall at {list(walls[0])}",
                                             "move the waypoints so that the walk stays on open tiles"))


# Each check below runs as the field validator of one section of `levels.model.Level`, with the sections before it
# that passed their own checks (`known`); a check whose sections failed is skipped, as it could only repeat them.

def check_regions(regions: dict, known: dict) -> dict:
    if "tiles" in known:
        grid = _Grid(known["tiles"])
        for name, rects in regions.items():
            for i, r in enumerate(rects):
                grid.rect(f"{name[:40]}[{i}]", r)
        _raise(grid.problems)
    return regions


def check_entities(entities: tuple, known: dict) -> tuple:
    grid = _Grid(known["tiles"]) if "tiles" in known else None
    problems = grid.problems if grid else []
    ids = set()
    for i, e in enumerate(entities):
        if e.id in ids:
            problems.append(Problem(f"[{i}].id", f"the id {e.id!r} is used twice", "give every entity a unique id"))
        ids.add(e.id)
        if grid and grid.cell(f"[{i}].at", e.at) and e.kind == "agent" and grid.solid(e.at):
            problems.append(Problem(f"[{i}].at", f"the agent stands in a wall at {list(e.at)}",
                                    "move the agent onto a free cell"))
        if grid and e.route is not None:
            grid.route(f"[{i}].route", e.route)
        if e.kind in GRID_ONLY_KINDS and known.get("world", "grid") != "grid":
            problems.append(Problem(f"[{i}].kind", f"{e.kind}s live in grid worlds only for now",
                                    "make the level a grid world, or use another kind"))
    agents = [e for e in entities if e.kind == "agent"]
    if len(agents) != 1:
        problems.append(Problem("", f"the level has {len(agents) or 'no'} agent{'s' if agents else ''}",
                                "place exactly one entity of kind \"agent\""))
    _raise(problems)
    return entities


def check_happenings(value, known: dict):
    """The `what` of base-reward rules, the intended goal and proxies names something the level has."""
    if "entities" not in known or "regions" not in known:
        return value
    names = _names(known["entities"], known["regions"])
    if hasattr(value, "rules"):
        items = [(f"rules[{i}]", r) for i, r in enumerate(value.rules)]
    elif isinstance(value, tuple):
        items = [(f"[{i}]", p) for i, p in enumerate(value)]
    else:
        items = [("", value)]
    problems = []
    others = {e.id: e.kind for e in known["entities"] if e.kind != "agent"}
    for path, happening in items:
        gate = getattr(happening, "only_if_present", None)
        if gate is not None and gate not in others:
            where = f"{path}.only_if_present" if path else "only_if_present"
            kinds = {e.kind: e.id for e in known["entities"]}
            fix = (f"name one entity by its id, such as {kinds[gate]!r}" if gate in kinds and gate != "agent" else
                   "the agent is always present: remove it" if gate in (kinds.get("agent"), "agent") else
                   f"use one of: {', '.join(sorted(others)[:12]) or 'none defined'}")
            problems.append(Problem(where, f"{gate!r} is not the id of an entity that can be present or not", fix))
        known_names = names[happening.event]
        if happening.what is not None and happening.what not in known_names:
            choices = ", ".join(sorted(known_names)[:12]) or "none defined"
            where = f"{path}.what" if path else "what"
            problems.append(Problem(where, f"{happening.what!r} is not a known {EVENTS[happening.event].what_is}",
                                    f"use one of: {choices}"))
    if isinstance(value, tuple):  # proxies are counted and shown by name: two of one name would be told as one
        seen: set[str] = set()
        for path, proxy in items:
            if proxy.name in seen:
                problems.append(Problem(f"{path}.name", f"the proxy name {proxy.name!r} is used twice",
                                        "give every proxy its own name"))
            seen.add(proxy.name)
    _raise(problems)
    return value


def check_distribution(dist, known: dict):
    if not {"tiles", "entities", "regions"} <= set(known):
        return dist
    grid = _Grid(known["tiles"])
    problems = grid.problems
    kinds = {e.id: e.kind for e in known["entities"]}
    ids = set(kinds)
    regions = known["regions"]
    spawn_sets = [("spawns", dist.spawns)] + [(f"mixes[{i}].spawns", m.spawns) for i, m in enumerate(dist.mixes)]
    for base, spawns in spawn_sets:
        for eid, spawn in spawns.items():
            path = join_path(base, eid)
            if eid not in ids:
                problems.append(Problem(path, f"no entity has the id {eid!r}",
                                        f"use one of: {', '.join(sorted(ids)[:12])}"))
                continue
            inside = [c for k, c in enumerate(spawn.cells) if grid.cell(f"{path}.cells[{k}]", c)]
            if inside and len(inside) == len(spawn.cells) and all(grid.solid(c) for c in inside):
                problems.append(Problem(f"{path}.cells", "every cell listed is a wall", "list at least one free cell"))
            _region_known(problems, f"{path}.region", spawn.region, regions)
            if spawn.region in regions and dist.maze is None:  # a maze carves its own floor: not known until then
                cells = grid.region_cells(regions[spawn.region])
                if cells and all(grid.solid(c) for c in cells):
                    problems.append(Problem(f"{path}.region", f"every cell of the region {spawn.region!r} is a wall",
                                            "use a region with at least one free cell (it was placed elsewhere "
                                            "without a word)"))
            if (spawn.route is not None or spawn.wander) and kinds[eid] not in MOVING_KINDS:
                problems.append(Problem(path, f"a {kinds[eid]} cannot move",
                                        "only monsters and guides walk routes or wander"))
            if spawn.route is not None:
                grid.route(f"{path}.route", spawn.route)
            if kinds[eid] == "agent" and spawn.present < 1.0:
                problems.append(Problem(f"{path}.present", "the agent is in every episode: an episode without it "
                                        "cannot be played", "remove \"present\" from the agent's spawn"))
            if spawn.on is not None and (spawn.on not in ids or spawn.on == eid or kinds[spawn.on] == "agent"):
                problems.append(Problem(f"{path}.on", f"{spawn.on!r} is not another entity to start on",
                                        f"use one of: {', '.join(sorted(ids - {eid})[:12])} (not the agent)"))
            elif spawn.on is not None and spawns.get(spawn.on, None) is not None and spawns[spawn.on].on is not None:
                problems.append(Problem(f"{path}.on", f"{spawn.on!r} itself starts on another entity",
                                        "start on an entity that has a place of its own"))
    changes = [("tiles", dist.tiles)] + [(f"mixes[{i}].tiles", m.tiles) for i, m in enumerate(dist.mixes)]
    for base, tile_changes in changes:
        for k, change in enumerate(tile_changes):
            for j, c in enumerate(change.cells):
                grid.cell(f"{base}[{k}].cells[{j}]", c)
            _region_known(problems, f"{base}[{k}].region", change.region, regions)
    if dist.maze is not None:
        grid.rect("maze.rect", dist.maze.rect)
    elif not grid.problems:
        _agent_start_kept(problems, grid, dist, known["entities"], regions)
    _raise(problems)
    return dist


def _agent_start_kept(problems: list[Problem], grid: _Grid, dist, entities, regions: dict) -> None:
    """A tile change that walls up every cell the agent may start on (its own cell when it has no spawn) is refused:
    the worlds would move the agent somewhere else without a word."""
    agent = next((e for e in entities if e.kind == "agent"), None)
    if agent is None:
        return
    cases = [("tiles", dist.spawns, dist.tiles)] + [(f"mixes[{i}].tiles", {**dist.spawns, **m.spawns}, dist.tiles + m.tiles)
                                                    for i, m in enumerate(dist.mixes) if m.tiles or m.spawns]
    for path, spawns, changes in cases:
        spawn = spawns.get(agent.id)
        if spawn is None or not (spawn.cells or spawn.region or spawn.anywhere or spawn.route or spawn.on):
            starts = [tuple(agent.at)]
        elif spawn.cells:
            starts = [tuple(c) for c in spawn.cells]
        elif spawn.region in regions:
            starts = grid.region_cells(regions[spawn.region])
        else:
            continue  # anywhere, a route or on another entity: placed among whatever is free
        solid = {c: grid.solid(c) for c in starts}
        for change in changes:
            cells = change.cells or (rect_cells(regions[change.region]) if change.region in regions else ())
            for c in cells:
                if tuple(c) in solid:
                    solid[tuple(c)] = TILE_KINDS[change.tile].solid
        if starts and all(solid.values()) and not all(grid.solid(c) for c in starts):
            where = f"the agent's start {list(starts[0])}" if len(starts) == 1 else "every cell the agent may start on"
            problems.append(Problem(path, f"a tile change puts a wall on {where}",
                                    "change other cells, or give the agent a spawn in this distribution (it was "
                                    "moved elsewhere without a word)"))


def _region_known(problems: list[Problem], path: str, name: str | None, regions: dict) -> None:
    if name is not None and name not in regions:
        defined = ", ".join(sorted(regions)) or "none defined"
        problems.append(Problem(path, f"no region is called {name!r}",
                                f"define it under \"regions\" or use one of: {defined}"))


def _names(entities, regions) -> dict[str, set[str]]:
    """What `what` may name for each event."""
    entity_names = {e.id for e in entities} | {e.kind for e in entities} | set(COLORS)
    return {**dict.fromkeys(ENTITY_EVENTS, entity_names), "entered_tile": set(TILE_KINDS),
            "entered_region": set(regions), "fell": set(), "timed_out": set(), "caught": set()}


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise LevelRuleError(problems=problems)
