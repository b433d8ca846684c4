"""Candidate objectives: everything in a level an agent might have learned to pursue, generated from the level
itself, each a condition in the level format's own words (so it can be written into the level as a proxy).

Every entity (by id, by kind, by colour), collecting several of a kind ("3 keys"), every tile kind an agent can
step on (those a distribution lays down too), every declared region, the four corners and four edges of the level
(sized to it), *where the intended goal was in training* (when the goal object spawned in a small part of the level),
where each guide or monster goes (the end of its walk), and the intended goal itself; minus what the intended goal
implies (touching a chest, for "open 2 chests"). `agents.inspection` scores them from behaviour.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from levels.format import Condition, Level
from levels.places import rect_cells
from levels.reachability import may_appear, on_every_way_to_the_goal, places, standable_cells, walk_ends
from levels.vocabulary import ENTITY_TABLE, MOVING_KINDS, TILE_KINDS


GOAL_EVENTS = ("touched", "picked_up", "opened")  # a goal pursued by going to a thing (a monster is defeated, not sought)
# When scores tie, the level's own words win (its declared regions), then the more specific candidate (a small
# region over a whole edge), then this order.
KIND_ORDER = ("intended goal", "region", "goal in training", "place", "corner", "edge", "entity", "destination",
              "kind", "count", "colour", "tile")
MAX_COUNT = 5  # "3 keys" candidates go up to this many
VERBS = {"picked_up": "to pick up", "opened": "to open"}  # "it acts as if it wants to pick up 3 keys"
AUTO_REGION_PREFIX = "~"  # names of regions the inspection adds; a level's own region names never start so


@dataclass(frozen=True)
class Candidate:
    name: str  # in words: "the top-right corner", "green things"
    kind: str  # one of KIND_ORDER
    event: str
    what: str | None
    area: int  # cells it covers (an entity counts as one): smaller is more specific
    regions: dict[str, tuple[tuple[int, int, int, int], ...]] = field(default_factory=dict)  # regions it needs
    count: int = 1  # how many times it must happen ("3 keys")

    @property
    def wanted(self) -> str:
        """What follows "it acts as if it wants": a place is somewhere to get to, a tile kind to step on."""
        if self.kind == "intended goal":  # its name says it all: "the intended goal (pick up apple 2 times)"
            return self.name
        if self.event in ("entered_region", "reached_walk_end"):
            return f"to get to {self.name}"
        if self.event == "entered_tile":
            return f"to step on {self.name}"
        if self.count > 1 and self.event in VERBS:
            return f"{VERBS[self.event]} {self.name}"
        return self.name

    def proxy(self) -> dict:
        """This candidate as a proxy in the level format."""
        out = {"name": self.name, "event": self.event}
        if self.what is not None:
            out["what"] = self.what
        if self.count > 1:
            out["count"] = self.count
        return out


def place_cells(level: Level, candidate: Candidate) -> set:
    """The cells of a place: its own region, or the level's of that name (empty for any other candidate)."""
    if candidate.event != "entered_region":
        return set()
    return set(rect_cells(candidate.regions.get(candidate.what) or level.regions.get(candidate.what, ())))


def holds_the_start(level: Level, starts: set, candidate: Candidate) -> bool:
    """A region holding most of the agent's starting cells is entered by any wandering (leave it and come back),
    so reaching it says nothing about what the agent wants."""
    if candidate.event != "entered_region":
        return False
    return len(starts & place_cells(level, candidate)) * 2 >= len(starts)


def free_box(level: Level) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive: the smallest box holding every cell an agent can stand on (not solid, not
    deadly): the level as a player sees it, without its outer walls."""
    cells = standable_cells(level)
    if not cells:
        return (0, 0, level.width - 1, level.height - 1)
    xs, ys = [c[0] for c in cells], [c[1] for c in cells]
    return (min(xs), min(ys), max(xs), max(ys))


def where(level: Level, cells) -> str:
    """Where a set of cells lies in the level, in words: "top right", "left", "the middle"; a set lying in places
    apart, each said: "the top left and the bottom right" (the middle of two nooks is where neither lies)."""
    said = list(dict.fromkeys(_where_one(level, group) for group in _groups(cells)))
    if len(said) == 1:
        return said[0]
    named = [w if w == "the middle" else f"the {w}" for w in said]
    return ", ".join(named[:-1]) + " and " + named[-1]


def _groups(cells, apart: int = 2) -> list[list[tuple[int, int]]]:
    """The cells in groups lying apart: cells within `apart` cells of each other (across and along) are one group
    (keys along a wall every other cell are one place). Top groups first."""
    remaining, groups = set(map(tuple, cells)), []
    for start in sorted(remaining, key=lambda c: (c[1], c[0])):
        if start not in remaining:
            continue
        remaining.discard(start)
        group, frontier = [start], [start]
        while frontier:
            x, y = frontier.pop()
            for dx in range(-apart, apart + 1):
                for dy in range(-apart, apart + 1):
                    if (x + dx, y + dy) in remaining:
                        remaining.discard((x + dx, y + dy))
                        group.append((x + dx, y + dy))
                        frontier.append((x + dx, y + dy))
        groups.append(group)
    return groups


def _where_one(level: Level, cells) -> str:
    x0, y0, x1, y1 = free_box(level)
    cx = sum(c[0] for c in cells) / len(cells)
    cy = sum(c[1] for c in cells) / len(cells)
    fx = (cx - x0) / max(x1 - x0, 1)
    fy = (cy - y0) / max(y1 - y0, 1)
    horizontal = "left" if fx < 1 / 3 else "right" if fx > 2 / 3 else ""
    vertical = "top" if fy < 1 / 3 else "bottom" if fy > 2 / 3 else ""
    return " ".join(w for w in (vertical, horizontal) if w) or "the middle"


def _rects_of(cells) -> tuple[tuple[int, int, int, int], ...]:
    """Cells as rectangles: one run of cells per row."""
    rects, rows = [], {}
    for x, y in sorted(cells, key=lambda c: (c[1], c[0])):
        rows.setdefault(y, []).append(x)
    for y, xs in rows.items():
        start = prev = xs[0]
        for x in xs[1:] + [None]:
            if x is not None and x == prev + 1:
                prev = x
                continue
            rects.append((start, y, prev - start + 1, 1))
            if x is not None:
                start = prev = x
    return tuple(rects)


def _area(rects) -> int:
    return sum(w * h for _, _, w, h in rects)


def corners_and_edges(level: Level) -> list[Candidate]:
    x0, y0, x1, y1 = free_box(level)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    cw, ch = max(1, math.ceil(w / 4)), max(1, math.ceil(h / 4))
    ew, eh = max(1, math.ceil(w / 5)), max(1, math.ceil(h / 5))
    shapes = {
        ("corner", "top-left"): (x0, y0, cw, ch), ("corner", "top-right"): (x1 - cw + 1, y0, cw, ch),
        ("corner", "bottom-left"): (x0, y1 - ch + 1, cw, ch), ("corner", "bottom-right"): (x1 - cw + 1, y1 - ch + 1, cw, ch),
        ("edge", "left"): (x0, y0, ew, h), ("edge", "right"): (x1 - ew + 1, y0, ew, h),
        ("edge", "top"): (x0, y0, w, eh), ("edge", "bottom"): (x0, y1 - eh + 1, w, eh),
    }
    out = []
    for (kind, words), rect in shapes.items():
        region = f"{AUTO_REGION_PREFIX}{words} {kind}"
        out.append(Candidate(f"the {words} {kind}", kind, "entered_region", region, _area([rect]),
                             {region: (rect,)}))
    return out


def goal_objects(level: Level) -> list:
    """The entities the intended goal names (by id, kind or colour), the agent aside."""
    what = level.intended_goal.what
    return [e for e in level.entities if what in (e.id, e.kind, e.color) and e.kind != "agent"]


def goal_in_training(level: Level) -> list[Candidate]:
    """Where the intended goal's object started in training, when that is a small part of the level: the place
    an agent may have learned instead of the object."""
    goal = level.intended_goal
    if goal.event not in GOAL_EVENTS:
        return []
    objects = goal_objects(level)
    cells = set().union(*(places(level, "training", e.id) for e in objects)) if objects else set()
    x0, y0, x1, y1 = free_box(level)
    if not cells or len(cells) > (x1 - x0 + 1) * (y1 - y0 + 1) / 4:
        return []  # it could be anywhere: there is no place to have learned
    rects = _rects_of(cells)
    region = f"{AUTO_REGION_PREFIX}goal in training"
    thing = objects[0].kind if len(objects) == 1 else goal.what
    return [Candidate(f"where the {thing} was in training ({where(level, cells)})", "goal in training",
                      "entered_region", region, len(cells), {region: rects})]


def destinations(level: Level) -> list[Candidate]:
    """Where each thing that walks goes (the end of its walk in the episode's variant), when its walk ends somewhere:
    what an agent that learned to follow a guide pursues, whether or not it keeps up with the guide on the way."""
    return [Candidate(f"where the {e.id.replace('_', ' ')} goes", "destination", "reached_walk_end", e.id, 1)
            for e in level.entities if e.kind in MOVING_KINDS
            and any(walk_ends(level, split, e.id) for split in ("training", "deployment"))]


def region_words(level: Level, name: str, rects) -> str:
    """A region the designer drew, in their words and where it lies: 'the region you called "den" (bottom left)'.
    The where is left out when the name already says it ("top right")."""
    plain = name.replace("_", " ").strip()
    at = where(level, rect_cells(rects))
    return f'the region you called "{plain}"' + ("" if at in plain else f" ({at})")


def present(level: Level, split: str, kind: str) -> int:
    """How many entities of a kind may be present at once in a split (an upper bound)."""
    return sum(1 for e in level.entities if e.kind == kind and may_appear(level, split, e.id))


def counts(level: Level) -> list[Candidate]:
    """Collecting several of a kind ("3 keys", "2 chests"), up to how many deployment may hold: what a count-based
    proxy such as hoarding keys looks like."""
    out = []
    for kind in sorted({e.kind for e in level.entities if e.kind != "agent"}):
        flags = ENTITY_TABLE[kind]
        event = ("picked_up" if flags.gives_key else "opened" if flags.opens_with_key
                 else "touched" if flags.collected else None)
        if event is None:
            continue
        for k in range(2, min(present(level, "deployment", kind), MAX_COUNT) + 1):
            out.append(Candidate(f"{k} {kind}s", "count", event, kind, 1, count=k))
    return out


def as_in_training(level: Level, candidate: Candidate) -> Candidate:
    """The candidate as it can be reached in training: a count no larger than training holds ("3 keys" when
    training had 2 is "every key there was", 2)."""
    if candidate.kind != "count":
        return candidate
    return dataclasses.replace(candidate, count=max(1, min(candidate.count,
                                                           present(level, "training", candidate.what))))


def met_on_the_way(level: Level) -> set[str]:
    """The intended goal's things, when deployment holds just as many of them as the goal asks for (each one is then
    met on the way to the goal); else none. Counting stops at one too many: a hall of a hundred coins that spawn
    anywhere costs two looks, not a hundred."""
    goal, found = level.intended_goal, set()
    for e in level.entities:
        if e.kind != "agent" and goal.what in (e.id, e.kind, e.color) and may_appear(level, "deployment", e.id):
            found.add(e.id)
            if len(found) > goal.count:
                return set()
    return found if len(found) == goal.count else set()


def implied_by_goal(level: Level, candidate: Candidate, met: set[str] | None = None) -> bool:
    """Whether reaching the intended goal at deployment always reaches this candidate too (touching a chest, when
    the goal is to open two; touching any flag, when the goal is one of them; any key, when a chest is opened with
    one; the chest1, when deployment holds two chests and the goal opens two): such a step on the way scores at least
    as well as the goal and says nothing of its own. `met`: `met_on_the_way(level)`, if the caller has it."""
    goal = level.intended_goal
    if candidate.kind == "intended goal":
        return False
    if candidate.event == "entered_region":  # a place on every way to the goal (the meadow the apples lie in)
        return on_every_way_to_the_goal(level, "deployment", place_cells(level, candidate))
    if goal.event not in GOAL_EVENTS or candidate.event not in GOAL_EVENTS:
        return False
    if (goal.event == "opened" and candidate.event == "picked_up" and candidate.kind == "count"
            and ENTITY_TABLE[candidate.what].gives_key and candidate.count <= goal.count):
        return True  # each opening spends a key: opening two chests picks up two keys
    if candidate.event not in (goal.event, "touched") or candidate.count > goal.count:
        return False
    if candidate.kind == "colour" and any(s.color for spawns in level.all_spawns() for s in spawns.values()):
        return False  # colours change between distributions: not the same things
    things = [e for e in level.entities if e.kind != "agent"]

    def matched(what):
        return {e.id for e in things if what in (e.id, e.kind, e.color)}
    named, goal_things = matched(candidate.what), matched(goal.what)
    keys = {e.id for e in things if ENTITY_TABLE[e.kind].gives_key}
    if goal.event == "opened" and keys and named >= keys:
        return True  # each opening spends a key: any key (or the keys' colour) is touched on the way to every chest
    if named >= goal_things:
        return True  # "any flag" when the goal is one of the flags
    # deployment holds as many of the goal's things as it asks for: each one is met on the way
    return bool(named & goal_things) and bool(named & (met_on_the_way(level) if met is None else met))


def _tiles(level: Level) -> set[str]:
    """Every tile kind a variant may hold: the level's own, and those a distribution lays down (a blue carpet that
    the flag always stood on in training need not be in the level's rows)."""
    tiles = set(level.legend.values())
    for dist in (level.training, level.deployment):
        tiles |= {c.tile for c in dist.tiles + tuple(c for m in dist.mixes for c in m.tiles)}
    return tiles


def candidates(level: Level) -> list[Candidate]:
    """Every candidate objective of a level, without duplicates (the first name of a condition is kept)."""
    goal = level.intended_goal
    out: list[Candidate] = [Candidate(f"the intended goal ({goal.describe()})", "intended goal", goal.event,
                                      goal.what, 1, count=goal.count)]
    for name, rects in level.regions.items():
        out.append(Candidate(region_words(level, name, rects), "region", "entered_region", name, _area(rects), {}))
    out += goal_in_training(level)
    out += corners_and_edges(level)
    things = [e for e in level.entities if e.kind != "agent"]
    for e in things:
        out.append(Candidate(f"the {e.id.replace('_', ' ')}", "entity", "touched", e.id, 1))
    out += destinations(level)
    for kind in sorted({e.kind for e in things}):
        out.append(Candidate(f"any {kind}", "kind", "touched", kind, 1))
    out += counts(level)
    colours = {e.color for e in things if e.color}
    for spawns in level.all_spawns():
        colours |= {s.color for s in spawns.values() if s.color}
    for colour in sorted(colours):
        out.append(Candidate(f"{colour} things", "colour", "touched", colour, 1))
    for tile in sorted(_tiles(level)):
        if tile != "floor" and not TILE_KINDS[tile].solid:
            out.append(Candidate(tile.replace("_", " "), "tile", "entered_tile", tile, 1))
    seen, unique, met = set(), [], met_on_the_way(level)
    for c in out:
        key = (c.event, c.what, c.count, tuple(sorted((k, v) for k, v in c.regions.items())))
        if key not in seen and not implied_by_goal(level, c, met) and len(unique) < 60:  # a level's proxies are capped at 64
            seen.add(key)
            unique.append(c)
    return unique


def level_watching(level: Level, watched: list[Candidate]) -> tuple[Level, tuple[Condition, ...]]:
    """The level with the regions these candidates need (its proxies unchanged), and the conditions to watch, one
    per candidate (the intended goal's own for it): the worlds then record when each is first met
    (`EpisodeReport.watched_steps`). Watched conditions are only measured, never rewarded, and decide no outcome,
    so the episodes and their outcomes are exactly those of the level."""
    regions = dict(level.regions)
    for c in watched:
        regions.update(c.regions)
    conditions = tuple(level.intended_goal if c.kind == "intended goal" else
                       Condition(event=c.event, what=c.what, count=c.count) for c in watched)
    return level.model_copy(update={"regions": regions}), conditions


def proposal(level: Level, candidate: Candidate) -> tuple[dict, dict]:
    """The candidate as (proxy, the regions it needs) in the level format, to be written into `level`: a region the
    inspection made gets a plain name the level does not use yet."""
    proxy, regions = candidate.proxy(), {}
    for name, rects in candidate.regions.items():
        plain = base = name.lstrip(AUTO_REGION_PREFIX).replace(" ", "_")
        k = 2
        while plain in level.regions:
            plain, k = f"{base}_{k}", k + 1
        regions[plain] = [list(r) for r in rects]
        if proxy.get("what") == name:
            proxy["what"] = plain
    return proxy, regions
