"""The level file: a JSON document people write, share and diff.

Load -> validate -> migrate -> save. Every problem names the file, the field path and how to fix it, and all
problems of a file are reported together in one `LevelError`. Hostile files are refused early: size limits on the
file, the grid, the entity count and the nesting depth; non-finite numbers are not JSON and are refused too.

The vocabulary (tile kinds, entity kinds, event names, colours) lives in `levels.vocabulary` so the format, the
worlds and the renderer all agree on one list.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from levels.vocabulary import COLORS, ENTITY_KINDS, EVENTS, TILE_KINDS, WORLD_KINDS

FORMAT_NAME = "mesa-sandbox-level"
CURRENT_VERSION = 1

# Limits that keep a shared file from taking the app down.
MAX_FILE_BYTES = 1_000_000
MAX_GRID_SIDE = 96
MAX_ENTITIES = 128
MAX_RULES = 64
MAX_REGIONS = 64
MAX_RECTS_PER_REGION = 64
MAX_MIXES = 16
MAX_DEPTH = 12
MAX_TEXT = 2000
MAX_NAME = 80
MAX_EPISODE_LENGTH = 5000
MAX_ABS_REWARD = 1e6


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path such as "entities[2].at"
    message: str  # what is wrong
    fix: str  # how to fix it

    def __str__(self) -> str:
        return f"{self.path or '(top level)'}: {self.message}. Fix: {self.fix}."


class LevelError(Exception):
    """Every problem found in one level file, reported at once."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems) or [Problem("", "the level is invalid", "check the file")]
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# The level model


@dataclass(frozen=True)
class Condition:
    """A count of matching events. `what` names an entity id, an entity kind, a colour, a tile kind or a region."""

    event: str
    what: str | None = None
    count: int = 1

    def describe(self) -> str:
        verb = EVENTS[self.event].phrase
        thing = f" {self.what}" if self.what else ""
        times = f" {self.count} times" if self.count > 1 else ""
        return f"{verb}{thing}{times}"


@dataclass(frozen=True)
class Rule:
    """One line of the base reward: when `event` happens to `what`, pay `reward`, maybe end the episode."""

    event: str
    what: str | None
    reward: float
    ends_episode: bool = False


@dataclass(frozen=True)
class BaseReward:
    rules: tuple[Rule, ...]
    step_cost: float = 0.0


@dataclass(frozen=True)
class Proxy:
    name: str
    condition: Condition


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    at: tuple[int, int]
    color: str | None = None


@dataclass(frozen=True)
class Spawn:
    """Where one entity may appear in a distribution. With no place given it stays where the level put it."""

    cells: tuple[tuple[int, int], ...] = ()
    region: str | None = None
    anywhere: bool = False
    present: float = 1.0
    color: str | None = None


@dataclass(frozen=True)
class Maze:
    """A random maze carved inside `rect` (x, y, w, h) for every variant: a perfect maze (one path between any two
    rooms), then `loops` of the remaining inner walls between rooms knocked out (0: perfect, 1: no inner walls)."""

    rect: tuple[int, int, int, int]
    loops: float = 0.0


@dataclass(frozen=True)
class Mix:
    """In `share` of the variants, these spawns replace the distribution's own."""

    share: float
    spawns: dict[str, Spawn]


@dataclass(frozen=True)
class Distribution:
    spawns: dict[str, Spawn] = field(default_factory=dict)
    mixes: tuple[Mix, ...] = ()
    maze: Maze | None = None


@dataclass(frozen=True)
class PhysicsSettings:
    gravity: float = 40.0  # cells / s^2, side view only
    move_speed: float = 6.0  # cells / s
    jump_speed: float = 13.0  # cells / s


@dataclass(frozen=True)
class Level:
    name: str
    world: str
    rows: tuple[str, ...]
    legend: dict[str, str]
    entities: tuple[Entity, ...]
    base_reward: BaseReward
    intended_goal: Condition
    proxies: tuple[Proxy, ...] = ()
    regions: dict[str, tuple[tuple[int, int, int, int], ...]] = field(default_factory=dict)
    training: Distribution = field(default_factory=Distribution)
    deployment: Distribution = field(default_factory=Distribution)
    episode_length: int = 200
    description: str = ""
    reproduces: str = ""
    physics: PhysicsSettings = field(default_factory=PhysicsSettings)

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def height(self) -> int:
        return len(self.rows)

    def tile_at(self, x: int, y: int) -> str:
        return self.legend[self.rows[y][x]]

    def entity(self, entity_id: str) -> Entity:
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(entity_id)

    def distribution(self, split: str) -> Distribution:
        if split == "training":
            return self.training
        if split == "deployment":
            return self.deployment
        raise ValueError(f"unknown split {split!r}: use 'training' or 'deployment'")

    def fingerprint(self) -> str:
        """A short hash of everything that changes what a world does (not the name or the description)."""
        data = level_to_dict(self)
        for key in ("name", "description", "reproduces"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------------------------
# Loading


def load_level(path: str | os.PathLike) -> Level:
    """Read, check and migrate a level file. Raises `LevelError` (never anything else) on a bad file."""
    source = str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise LevelError(source, [Problem("", f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit",
                                              "a level should be a few kilobytes; check you opened the right file")])
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LevelError(source, [Problem("", f"cannot read the file ({exc.strerror or exc})",
                                          "check the path and the file's permissions")]) from None
    return parse_level_bytes(raw, source)


def parse_level_bytes(raw: bytes, source: str = "<level>") -> Level:
    if len(raw) > MAX_FILE_BYTES:
        raise LevelError(source, [Problem("", f"the level is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,} limit",
                                          "make the level smaller")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LevelError(source, [Problem("", f"the file is not UTF-8 text (byte {exc.start})",
                                          "save the level as UTF-8 JSON")]) from None
    return parse_level_text(text, source)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_level_text(text: str, source: str = "<level>") -> Level:
    depth = _bracket_depth(text)
    if depth > MAX_DEPTH:
        raise LevelError(source, [Problem("", f"the JSON nests {depth} levels deep, over the limit of {MAX_DEPTH}",
                                          "a level file is shallow; check the file is a Mesa Sandbox level")])
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise LevelError(source, [Problem("", f"the file is not valid JSON ({exc})",
                                          "fix the JSON syntax at the position given")]) from None
    return parse_level(data, source)


def _bracket_depth(text: str) -> int:
    """Deepest [ or { nesting outside strings, found without recursion so a hostile file cannot blow the stack."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_level(data: Any, source: str = "<level>") -> Level:
    """Check a decoded JSON value, migrate it to the current version and build a `Level`."""
    if not isinstance(data, dict):
        raise LevelError(source, [Problem("", f"the top level is {_json_type(data)}, not an object",
                                          'a level file starts with { "format": "mesa-sandbox-level", ... }')])
    if data.get("format") != FORMAT_NAME:
        raise LevelError(source, [Problem("format", f"expected \"{FORMAT_NAME}\", found {_short(data.get('format'))}",
                                          f'set "format": "{FORMAT_NAME}" (is this a Mesa Sandbox level?)')])
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise LevelError(source, [Problem("version", f"expected a whole number, found {_short(version)}",
                                          f'set "version": {CURRENT_VERSION}')])
    if version > CURRENT_VERSION:
        raise LevelError(source, [Problem("version", f"version {version} was made by a newer Mesa Sandbox "
                                          f"(this one reads up to {CURRENT_VERSION})",
                                          "update Mesa Sandbox to open this level")])
    if version < 1 or version not in range(1, CURRENT_VERSION + 1):
        raise LevelError(source, [Problem("version", f"unknown version {version}",
                                          f"use version {CURRENT_VERSION}")])
    data = migrate(data)
    return _Checker(source).level(data)


# Each entry upgrades a document from version `v` to `v + 1`. Add one whenever the format changes so old files
# keep opening; the current version is 1, the first published one, so there is nothing to upgrade yet.
MIGRATIONS: dict[int, Any] = {}


def migrate(data: dict) -> dict:
    version = data["version"]
    while version < CURRENT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["version"] = version
    return data


def _join(path: str, key: str) -> str:
    """The JSON path of a field: "base_reward" + "rules" -> "base_reward.rules"."""
    return f"{path}.{key}" if path else key


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else _json_type(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Checker:
    """Walks the document, collecting every problem instead of stopping at the first."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, fix: str) -> None:
        self.problems.append(Problem(path, message, fix))

    # --- typed field access --------------------------------------------------------------------------------
    def get(self, obj: dict, key: str, path: str, kind: type | tuple, default: Any = ..., fix: str = "") -> Any:
        full = _join(path, key)
        if key not in obj:
            if default is ...:
                self.problem(full, "this field is missing", fix or f"add \"{key}\"")
            return None if default is ... else default
        value = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        elif float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        else:
            ok = isinstance(value, kinds)
        if not ok:
            names = " or ".join(_json_type(k()) if k is not type(None) else "null" for k in kinds)
            self.problem(full, f"expected {names}, found {_short(value)}", fix or f"give \"{key}\" {names}")
            return None if default is ... else default
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(full, "the number is not finite", "use an ordinary number")
            return None if default is ... else default
        return value

    def text(self, obj: dict, key: str, path: str, default: Any = ..., limit: int = MAX_NAME) -> str | None:
        value = self.get(obj, key, path, str, default)
        if isinstance(value, str) and len(value) > limit:
            self.problem(_join(path, key), f"the text is {len(value)} characters, over {limit}",
                         "shorten it")
            return value[:limit]
        return value

    def number(self, obj: dict, key: str, path: str, default: Any = ..., lo: float = -MAX_ABS_REWARD,
               hi: float = MAX_ABS_REWARD) -> float | None:
        value = self.get(obj, key, path, float, default)
        if value is None:
            return None
        if not lo <= value <= hi:
            self.problem(_join(path, key), f"{value} is outside {lo:g}..{hi:g}",
                         f"use a number from {lo:g} to {hi:g}")
            return min(max(value, lo), hi)
        return float(value)

    def integer(self, obj: dict, key: str, path: str, default: Any = ..., lo: int = 0, hi: int = 10**9) -> int | None:
        value = self.get(obj, key, path, int, default)
        if value is None:
            return None
        if not lo <= value <= hi:
            self.problem(_join(path, key), f"{value} is outside {lo}..{hi}",
                         f"use a whole number from {lo} to {hi}")
            return min(max(value, lo), hi)
        return value

    def point(self, value: Any, path: str) -> tuple[int, int] | None:
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            self.problem(path, f"expected a cell [x, y], found {_short(value)}", "write the cell as [x, y]")
            return None
        x, y = value
        if not (0 <= x < self.width and 0 <= y < self.height):
            self.problem(path, f"cell [{x}, {y}] is outside the {self.width}x{self.height} grid",
                         f"use x in 0..{self.width - 1} and y in 0..{self.height - 1}")
            return None
        return (x, y)

    def rect(self, value: Any, path: str) -> tuple[int, int, int, int] | None:
        if (not isinstance(value, list) or len(value) != 4
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            self.problem(path, f"expected a rectangle [x, y, w, h], found {_short(value)}",
                         "write the rectangle as [x, y, width, height]")
            return None
        x, y, w, h = value
        if w < 1 or h < 1 or x < 0 or y < 0 or x + w > self.width or y + h > self.height:
            self.problem(path, f"rectangle {value} does not fit in the {self.width}x{self.height} grid",
                         "keep x + width and y + height inside the grid, with width and height of at least 1")
            return None
        return (x, y, w, h)

    # --- sections ------------------------------------------------------------------------------------------
    def level(self, data: dict) -> Level:
        known = {"format", "version", "name", "description", "reproduces", "world", "tiles", "entities",
                 "base_reward", "intended_goal", "proxies", "regions", "training", "deployment", "episode_length",
                 "physics"}
        for key in data:
            if key not in known:
                self.problem(str(key)[:40], "unknown field", f"remove it or check its spelling (fields: {', '.join(sorted(known))})")
        name = self.text(data, "name", "") or "Untitled"
        description = self.text(data, "description", "", "", MAX_TEXT)
        reproduces = self.text(data, "reproduces", "", "", MAX_TEXT)
        world = self.text(data, "world", "")
        if world is not None and world not in WORLD_KINDS:
            self.problem("world", f"unknown world kind {_short(world)}", f"use one of {', '.join(WORLD_KINDS)}")
            world = None
        rows, legend = self.tiles(data)
        if rows is None:
            raise LevelError(self.source, self.problems)  # nothing else can be checked without a grid
        self.width, self.height = len(rows[0]), len(rows)
        regions = self.regions(data)
        entities = self.entities(data)
        ids = {e.id for e in entities}
        names = self._names(entities, legend, regions)
        base_reward = self.base_reward(data, names)
        goal_raw = self.get(data, "intended_goal", "", dict, fix='add "intended_goal": {"event": "touched", "what": "coin"}')
        goal = self.condition(goal_raw, "intended_goal", names) if goal_raw is not None else None
        proxies = self.proxies(data, names)
        training = self.distribution(data, "training", ids, regions)
        deployment = self.distribution(data, "deployment", ids, regions)
        episode_length = self.integer(data, "episode_length", "", 200, 1, MAX_EPISODE_LENGTH)
        physics = self.physics(data)
        agents = [e for e in entities if e.kind == "agent"]
        if len(agents) != 1:
            self.problem("entities", f"the level has {len(agents)} agents", "place exactly one entity of kind \"agent\"")
        if self.problems:
            raise LevelError(self.source, self.problems)
        return Level(name=name, world=world, rows=rows, legend=legend, entities=entities, base_reward=base_reward,
                     intended_goal=goal, proxies=proxies, regions=regions, training=training,
                     deployment=deployment, episode_length=episode_length, description=description,
                     reproduces=reproduces, physics=physics)

    def tiles(self, data: dict) -> tuple[tuple[str, ...] | None, dict[str, str]]:
        tiles = self.get(data, "tiles", "", dict, fix='add "tiles": {"legend": {".": "floor", "#": "wall"}, "rows": [...]}')
        if tiles is None:
            return None, {}
        legend_raw = self.get(tiles, "legend", "tiles", dict)
        rows_raw = self.get(tiles, "rows", "tiles", list)
        if legend_raw is None or rows_raw is None:
            return None, {}
        legend: dict[str, str] = {}
        for char, kind in legend_raw.items():
            path = f"tiles.legend.{char[:10]}"
            if len(char) != 1:
                self.problem(path, "a legend key must be one character", "use single characters such as \"#\"")
            elif not isinstance(kind, str) or kind not in TILE_KINDS:
                self.problem(path, f"unknown tile kind {_short(kind)}", f"use one of {', '.join(TILE_KINDS)}")
            else:
                legend[char] = kind
        if not rows_raw:
            self.problem("tiles.rows", "the grid has no rows", "add rows of tile characters")
            return None, legend
        if len(rows_raw) > MAX_GRID_SIDE:
            self.problem("tiles.rows", f"the grid has {len(rows_raw)} rows, over the limit of {MAX_GRID_SIDE}",
                         f"keep the grid at most {MAX_GRID_SIDE}x{MAX_GRID_SIDE}")
            return None, legend
        rows = []
        width = None
        for i, row in enumerate(rows_raw):
            path = f"tiles.rows[{i}]"
            if not isinstance(row, str):
                self.problem(path, f"expected a string, found {_short(row)}", "write each row as a string of tile characters")
                return None, legend
            if len(row) > MAX_GRID_SIDE or len(row) == 0:
                self.problem(path, f"the row is {len(row)} tiles wide; rows must be 1..{MAX_GRID_SIDE}",
                             f"keep the grid at most {MAX_GRID_SIDE}x{MAX_GRID_SIDE}")
                return None, legend
            width = len(row) if width is None else width
            if len(row) != width:
                self.problem(path, f"the row is {len(row)} tiles wide but row 0 is {width}", "make every row the same width")
            unknown = sorted({c for c in row if c not in legend_raw})
            if unknown:
                self.problem(path, f"characters {''.join(unknown)!r} are not in the legend",
                             "add them to tiles.legend or replace them")
            rows.append(row)
        if self.problems and any(p.path.startswith("tiles") for p in self.problems):
            return None, legend
        return tuple(rows), legend

    def regions(self, data: dict) -> dict[str, tuple[tuple[int, int, int, int], ...]]:
        raw = self.get(data, "regions", "", dict, {})
        if len(raw) > MAX_REGIONS:
            self.problem("regions", f"{len(raw)} regions, over the limit of {MAX_REGIONS}", "merge or remove regions")
            return {}
        regions = {}
        for name, rects in raw.items():
            path = f"regions.{name[:40]}"
            if not name or len(name) > MAX_NAME:
                self.problem(path, "a region name must be 1..80 characters", "rename the region")
                continue
            if isinstance(rects, list) and rects and all(isinstance(v, int) for v in rects):
                rects = [rects]  # a single rectangle written without the outer list
            if not isinstance(rects, list) or not rects:
                self.problem(path, "expected a list of rectangles [x, y, w, h]", "write [[x, y, w, h], ...]")
                continue
            if len(rects) > MAX_RECTS_PER_REGION:
                self.problem(path, f"{len(rects)} rectangles, over {MAX_RECTS_PER_REGION}", "merge rectangles")
                continue
            checked = [self.rect(r, f"{path}[{i}]") for i, r in enumerate(rects)]
            if all(checked):
                regions[name] = tuple(checked)
        return regions

    def entities(self, data: dict) -> tuple[Entity, ...]:
        raw = self.get(data, "entities", "", list, fix='add "entities": [{"id": "agent", "kind": "agent", "at": [1, 1]}]')
        if raw is None:
            return ()
        if len(raw) > MAX_ENTITIES:
            self.problem("entities", f"{len(raw)} entities, over the limit of {MAX_ENTITIES}", "remove entities")
            return ()
        out, seen = [], set()
        for i, item in enumerate(raw):
            path = f"entities[{i}]"
            if not isinstance(item, dict):
                self.problem(path, f"expected an object, found {_short(item)}", 'write {"id": ..., "kind": ..., "at": [x, y]}')
                continue
            eid = self.text(item, "id", path)
            kind = self.text(item, "kind", path)
            at = self.point(item.get("at"), f"{path}.at") if "at" in item else self.get(item, "at", path, list)
            color = self.text(item, "color", path, None)
            if kind is not None and kind not in ENTITY_KINDS:
                self.problem(f"{path}.kind", f"unknown entity kind {_short(kind)}", f"use one of {', '.join(ENTITY_KINDS)}")
                kind = None
            if color is not None and color not in COLORS:
                self.problem(f"{path}.color", f"unknown colour {_short(color)}", f"use one of {', '.join(COLORS)}")
                color = None
            if eid is not None:
                if not eid:
                    self.problem(f"{path}.id", "the id is empty", "give every entity a short unique id")
                elif eid in seen:
                    self.problem(f"{path}.id", f"the id {eid!r} is used twice", "give every entity a unique id")
                seen.add(eid)
            if eid and kind and at:
                out.append(Entity(eid, kind, at, color))
        return tuple(out)

    def _names(self, entities, legend, regions) -> dict[str, set[str]]:
        """What `what` may name for each event."""
        entity_names = {e.id for e in entities} | {e.kind for e in entities} | set(COLORS)
        return {"touched": entity_names, "picked_up": entity_names, "opened": entity_names,
                "entered_tile": set(TILE_KINDS), "entered_region": set(regions), "fell": set(), "timed_out": set()}

    def _event_and_what(self, obj: dict, path: str, names: dict[str, set[str]]) -> tuple[str | None, str | None]:
        event = self.text(obj, "event", path)
        what = self.text(obj, "what", path, None)
        if event is None:
            return None, None
        if event not in EVENTS:
            self.problem(f"{path}.event", f"unknown event {_short(event)}", f"use one of {', '.join(EVENTS)}")
            return None, None
        if EVENTS[event].needs_what:
            if what is None:
                self.problem(f"{path}.what", f"the event {event!r} needs \"what\"", f"say which {EVENTS[event].what_is}")
            elif what not in names[event]:
                choices = ", ".join(sorted(names[event])[:12]) or "none defined"
                self.problem(f"{path}.what", f"{what!r} is not a known {EVENTS[event].what_is}", f"use one of: {choices}")
        elif what is not None:
            self.problem(f"{path}.what", f"the event {event!r} takes no \"what\"", "remove \"what\"")
            what = None
        return event, what

    def condition(self, obj: Any, path: str, names) -> Condition | None:
        if not isinstance(obj, dict):
            self.problem(path, f"expected an object, found {_short(obj)}", 'write {"event": ..., "what": ...}')
            return None
        event, what = self._event_and_what(obj, path, names)
        count = self.integer(obj, "count", path, 1, 1, 1000)
        return Condition(event, what, count) if event else None

    def base_reward(self, data: dict, names) -> BaseReward:
        raw = self.get(data, "base_reward", "", dict, fix='add "base_reward": {"rules": [...]}')
        if raw is None:
            return BaseReward(())
        step_cost = self.number(raw, "step_cost", "base_reward", 0.0, -1000, 1000)
        rules_raw = self.get(raw, "rules", "base_reward", list)
        rules = []
        if rules_raw is not None:
            if len(rules_raw) > MAX_RULES:
                self.problem("base_reward.rules", f"{len(rules_raw)} rules, over {MAX_RULES}", "remove rules")
                rules_raw = []
            for i, r in enumerate(rules_raw):
                path = f"base_reward.rules[{i}]"
                if not isinstance(r, dict):
                    self.problem(path, f"expected an object, found {_short(r)}", 'write {"event": ..., "what": ..., "reward": 1}')
                    continue
                event, what = self._event_and_what(r, path, names)
                reward = self.number(r, "reward", path)
                ends = self.get(r, "ends_episode", path, bool, False)
                if event is not None and reward is not None:
                    rules.append(Rule(event, what, reward, ends))
        return BaseReward(tuple(rules), step_cost if step_cost is not None else 0.0)

    def proxies(self, data: dict, names) -> tuple[Proxy, ...]:
        raw = self.get(data, "proxies", "", list, [])
        if len(raw) > MAX_RULES:
            self.problem("proxies", f"{len(raw)} proxies, over {MAX_RULES}", "remove proxies")
            return ()
        out = []
        for i, p in enumerate(raw):
            path = f"proxies[{i}]"
            if not isinstance(p, dict):
                self.problem(path, f"expected an object, found {_short(p)}", 'write {"name": ..., "event": ..., "what": ...}')
                continue
            name = self.text(p, "name", path)
            cond = self.condition(p, path, names)
            if name and cond:
                out.append(Proxy(name, cond))
        return tuple(out)

    def spawns(self, raw: Any, path: str, ids: set[str], regions: dict) -> dict[str, Spawn]:
        if not isinstance(raw, dict):
            self.problem(path, f"expected an object, found {_short(raw)}", 'write {"<entity id>": {"region": ...}}')
            return {}
        out = {}
        for eid, s in raw.items():
            p = f"{path}.{eid[:40]}"
            if eid not in ids:
                self.problem(p, f"no entity has the id {eid!r}", f"use one of: {', '.join(sorted(ids)[:12])}")
                continue
            if not isinstance(s, dict):
                self.problem(p, f"expected an object, found {_short(s)}", 'write {"region": ...} or {"cells": [[x, y]]}')
                continue
            cells_raw = self.get(s, "cells", p, list, [])
            if len(cells_raw) > self.width * self.height:
                self.problem(f"{p}.cells", "more cells than the grid has", "list each cell once")
                cells_raw = []
            cells = tuple(c for c in (self.point(c, f"{p}.cells[{i}]") for i, c in enumerate(cells_raw)) if c)
            region = self.text(s, "region", p, None)
            if region is not None and region not in regions:
                self.problem(f"{p}.region", f"no region is called {region!r}",
                             f"define it under \"regions\" or use one of: {', '.join(sorted(regions)) or 'none defined'}")
                region = None
            anywhere = self.get(s, "anywhere", p, bool, False)
            if sum([bool(cells_raw), region is not None, anywhere]) > 1:
                self.problem(p, "give only one of cells, region or anywhere", "keep one of them")
            present = self.number(s, "present", p, 1.0, 0.0, 1.0)
            color = self.text(s, "color", p, None)
            if color is not None and color not in COLORS:
                self.problem(f"{p}.color", f"unknown colour {_short(color)}", f"use one of {', '.join(COLORS)}")
                color = None
            for key in s:
                if key not in {"cells", "region", "anywhere", "present", "color"}:
                    self.problem(f"{p}.{key[:40]}", "unknown field", "use cells, region, anywhere, present or color")
            out[eid] = Spawn(cells, region, anywhere, present if present is not None else 1.0, color)
        return out

    def distribution(self, data: dict, split: str, ids: set[str], regions: dict) -> Distribution:
        raw = self.get(data, split, "", dict, {})
        spawns = self.spawns(raw.get("spawns", {}), f"{split}.spawns", ids, regions)
        maze = None
        if "maze" in raw:
            m = raw["maze"]
            if not isinstance(m, dict):
                self.problem(f"{split}.maze", f"expected an object, found {_short(m)}",
                             'write {"rect": [x, y, w, h]} or remove "maze"')
                m = {}
            rect = self.rect(m.get("rect"), f"{split}.maze.rect")
            if rect:
                if rect[2] < 3 or rect[3] < 3 or rect[2] % 2 == 0 or rect[3] % 2 == 0:
                    self.problem(f"{split}.maze.rect", "a maze needs an odd width and height of at least 3",
                                 "make both the width and the height odd")
                else:
                    loops = self.number(m, "loops", f"{split}.maze", 0.0, 0.0, 1.0)
                    maze = Maze(rect, loops if loops is not None else 0.0)
            for key in m:
                if key not in {"rect", "loops"}:
                    self.problem(f"{split}.maze.{str(key)[:40]}", "unknown field", "use rect or loops")
        mixes = []
        mixes_raw = self.get(raw, "mixes", split, list, [])
        if len(mixes_raw) > MAX_MIXES:
            self.problem(f"{split}.mixes", f"{len(mixes_raw)} mixes, over {MAX_MIXES}", "remove mixes")
            mixes_raw = []
        total = 0.0
        for i, m in enumerate(mixes_raw):
            p = f"{split}.mixes[{i}]"
            if not isinstance(m, dict):
                self.problem(p, f"expected an object, found {_short(m)}", 'write {"share": 0.1, "spawns": {...}}')
                continue
            share = self.number(m, "share", p, lo=0.0, hi=1.0)
            mspawns = self.spawns(m.get("spawns", {}), f"{p}.spawns", ids, regions)
            if share is not None:
                total += share
                mixes.append(Mix(share, mspawns))
        if total > 1.0 + 1e-9:
            self.problem(f"{split}.mixes", f"the shares add up to {total:g}, over 1", "make the shares sum to 1 or less")
        for key in raw:
            if key not in {"spawns", "mixes", "maze"}:
                self.problem(f"{split}.{key[:40]}", "unknown field", "use spawns, mixes or maze")
        return Distribution(spawns, tuple(mixes), maze)

    def physics(self, data: dict) -> PhysicsSettings:
        raw = self.get(data, "physics", "", dict, {})
        d = PhysicsSettings()
        return PhysicsSettings(
            gravity=self.number(raw, "gravity", "physics", d.gravity, 0.0, 500.0) or 0.0,
            move_speed=self.number(raw, "move_speed", "physics", d.move_speed, 0.5, 50.0) or d.move_speed,
            jump_speed=self.number(raw, "jump_speed", "physics", d.jump_speed, 0.0, 100.0) or 0.0,
        )


# ---------------------------------------------------------------------------------------------------------------
# Saving


def _condition_dict(c: Condition) -> dict:
    d: dict[str, Any] = {"event": c.event}
    if c.what is not None:
        d["what"] = c.what
    if c.count != 1:
        d["count"] = c.count
    return d


def _spawns_dict(spawns: dict[str, Spawn]) -> dict:
    out = {}
    for eid, s in spawns.items():
        d: dict[str, Any] = {}
        if s.cells:
            d["cells"] = [list(c) for c in s.cells]
        if s.region is not None:
            d["region"] = s.region
        if s.anywhere:
            d["anywhere"] = True
        if s.present != 1.0:
            d["present"] = s.present
        if s.color is not None:
            d["color"] = s.color
        out[eid] = d
    return out


def _distribution_dict(dist: Distribution) -> dict:
    d: dict[str, Any] = {}
    if dist.spawns:
        d["spawns"] = _spawns_dict(dist.spawns)
    if dist.mixes:
        d["mixes"] = [{"share": m.share, "spawns": _spawns_dict(m.spawns)} for m in dist.mixes]
    if dist.maze:
        d["maze"] = {"rect": list(dist.maze.rect)}
        if dist.maze.loops:
            d["maze"]["loops"] = dist.maze.loops
    return d


def level_to_dict(level: Level) -> dict:
    rules = []
    for r in level.base_reward.rules:
        d = {"event": r.event}
        if r.what is not None:
            d["what"] = r.what
        d["reward"] = r.reward
        if r.ends_episode:
            d["ends_episode"] = True
        rules.append(d)
    entities = []
    for e in level.entities:
        d = {"id": e.id, "kind": e.kind, "at": list(e.at)}
        if e.color:
            d["color"] = e.color
        entities.append(d)
    out = {
        "format": FORMAT_NAME,
        "version": CURRENT_VERSION,
        "name": level.name,
        "description": level.description,
        "reproduces": level.reproduces,
        "world": level.world,
        "episode_length": level.episode_length,
        "tiles": {"legend": dict(level.legend), "rows": list(level.rows)},
        "entities": entities,
        "regions": {k: [list(r) for r in v] for k, v in level.regions.items()},
        "base_reward": {"step_cost": level.base_reward.step_cost, "rules": rules},
        "intended_goal": _condition_dict(level.intended_goal),
        "proxies": [{"name": p.name, **_condition_dict(p.condition)} for p in level.proxies],
        "training": _distribution_dict(level.training),
        "deployment": _distribution_dict(level.deployment),
    }
    if level.physics != PhysicsSettings():
        out["physics"] = {"gravity": level.physics.gravity, "move_speed": level.physics.move_speed,
                          "jump_speed": level.physics.jump_speed}
    return out


def level_to_json(level: Level) -> str:
    """Readable JSON: one grid row per line so a diff shows which tiles changed; small lists and objects inline."""
    return _pretty(level_to_dict(level), "") + "\n"


def _pretty(value: Any, indent: str) -> str:
    flat = json.dumps(value, ensure_ascii=False)
    inner = indent + "  "
    if isinstance(value, dict) and value and len(flat) > 100:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and len(flat) > 100:
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and len(value) > 1:
        return "[\n" + ",\n".join(inner + json.dumps(v, ensure_ascii=False) for v in value) + "\n" + indent + "]"
    return flat


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write to a temporary file beside the target, then rename: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save_level(level: Level, path: str | os.PathLike) -> None:
    atomic_write_text(path, level_to_json(level))
