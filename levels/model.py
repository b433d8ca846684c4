"""The level model: one description of the level format, in pydantic v2.

These classes are the format. They validate a decoded JSON document (types, ranges, unknown fields, the rules that
need only one object), check what one part of a level says about another (`levels.references`, run as the level's
model validator), serialise back to the document (`Level.to_document`) and generate `levels/schema.json`
(`levels.schema`). Messages a person reads are made from their errors in `levels.problems`.

Types are strict on purpose: a count given as 1.5 or true, or a number given as "10", is refused rather than
silently turned into something else.
"""
from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt,
                      StrictStr, ValidationInfo, field_validator, model_validator)
from pydantic_core import PydanticCustomError

from levels import references
from levels.problems import LevelRuleError
from levels.vocabulary import COLORS, ENTITY_KINDS, EVENTS, MOVING_KINDS, TILE_KINDS, WORLD_KINDS

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
MAX_WAYPOINTS = 64
MAX_ROUTE_STEPS = 400  # the cells of one round of a route: keeps a shared file's walkers small in memory


# Characters that reorder how text is shown (so a name can read as another) and, in names and ids, characters that
# show nothing (so two names that look the same differ). Marks and joiners have uses in prose: text keeps them.
BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
INVISIBLE = {0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF}


def _no_control_characters(allowed: str, invisible_allowed: bool = False):
    def check(text: str) -> str:
        bad = sorted({f"U+{ord(c):04X}" for c in text if (ord(c) < 32 and c not in allowed) or 0x7F <= ord(c) < 0xA0
                      or ord(c) in BIDI_CONTROLS or (ord(c) in INVISIBLE and not invisible_allowed)})
        if bad:
            raise LevelRuleError(f"the text holds control or invisible characters ({', '.join(bad[:3])})",
                                 "remove them; they are invisible, can make the text read as something else, and "
                                 "mean nothing in a level")
        return text
    return check


def _shape(kind: str, length: int, example: str):
    """Before a cell or rectangle is parsed: a list of `length` whole numbers, or one clear message."""
    def check(value: Any) -> Any:
        if (isinstance(value, (list, tuple)) and len(value) == length
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            return value
        raise PydanticCustomError("shape", "expected {kind} {example}", {"kind": kind, "example": example,
                                                                         "fix": f"write it as {example}"})
    return check


def _number(lo: float, hi: float, doc: str = ""):
    return Annotated[float, Field(strict=True, allow_inf_nan=False, ge=lo, le=hi, description=doc or None)]


Name = Annotated[StrictStr, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_no_control_characters(""))]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT), AfterValidator(_no_control_characters("\n\t", True))]
Cell = Annotated[tuple[StrictInt, StrictInt], BeforeValidator(_shape("a cell", 2, "[x, y]")),
                 Field(description="a cell [x, y]; x counts columns from the left, y rows from the top")]
Rect = Annotated[tuple[StrictInt, StrictInt, StrictInt, StrictInt],
                 BeforeValidator(_shape("a rectangle", 4, "[x, y, width, height]")),
                 Field(description="a rectangle [x, y, width, height] of cells")]
Color = Literal[COLORS]
EventName = Literal[tuple(EVENTS)]


class Part(BaseModel):
    """Every part of a level: frozen, and a field it does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Happening(Part):
    """An event, and for most events what it happened to (an entity id, kind or colour, a tile kind, a region)."""

    event: EventName
    what: Name | None = None

    @model_validator(mode="after")
    def _what_fits_the_event(self) -> "Condition":
        kind = EVENTS[self.event]
        if kind.needs_what and self.what is None:
            raise LevelRuleError(f"the event {self.event!r} needs \"what\"", f"say which {kind.what_is}")
        if not kind.needs_what and self.what is not None:
            raise LevelRuleError(f"the event {self.event!r} takes no \"what\"", "remove \"what\"")
        return self


class Condition(_Happening):
    """A count of matching events: the intended goal, and (with a name) each proxy."""

    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    def describe(self) -> str:
        thing = self.what.replace('_', ' ') if self.what else None  # "other flag", never the id "other_flag"
        times = f" {self.count} times" if self.count > 1 else ""
        return EVENTS[self.event].words(thing) + times


OnlyIfPresent = Annotated[Name | None, Field(description="the id of an entity: this applies only in the variants "
                                                         "where that entity is present")]


class Rule(_Happening):
    """A line of the base reward: pay `reward` when `event` happens to `what`, and maybe end the episode."""

    reward: _number(-MAX_ABS_REWARD, MAX_ABS_REWARD)
    ends_episode: StrictBool = False
    only_if_present: OnlyIfPresent = None


class BaseReward(Part):
    step_cost: _number(-1000, 1000, "paid every step (a positive cost lowers the return)") = 0.0
    rules: Annotated[tuple[Rule, ...], Field(max_length=MAX_RULES)]


class Proxy(Condition):
    """A behaviour to watch for at deployment, written as a condition with a name; with `only_if_present`, counted
    only in the variants where that entity is."""

    name: Name
    only_if_present: OnlyIfPresent = None

    @property
    def condition(self) -> Condition:
        return Condition(event=self.event, what=self.what, count=self.count)


class Route(Part):
    """A walk through waypoints, one cell per step, each leg straight along a row or a column. At the last waypoint
    the walker stops, walks back the way it came, or (its last waypoint in line with its first) goes round again."""

    cells: Annotated[tuple[Cell, ...], Field(min_length=2, max_length=MAX_WAYPOINTS,
                                             description="the waypoints, the first being where the walk starts")]
    then: Literal["stop", "back", "loop"] = "back"

    @model_validator(mode="after")
    def _straight_legs(self) -> "Route":
        legs = list(zip(self.cells, self.cells[1:]))
        if self.then == "loop":
            legs.append((self.cells[-1], self.cells[0]))
        for k, (a, b) in enumerate(legs):
            if a == b or (a[0] != b[0] and a[1] != b[1]):
                where = "the way back to the first waypoint" if k == len(self.cells) - 1 else f"leg {k + 1}"
                raise LevelRuleError(f"{where} ({list(a)} to {list(b)}) is not a straight line along a row or a "
                                     "column", "add a waypoint at the corner")
        steps = len(self.path())
        if steps > MAX_ROUTE_STEPS:
            raise LevelRuleError(f"one round of the route is {steps} steps, over {MAX_ROUTE_STEPS}",
                                 "use a shorter route")
        return self

    def walk(self) -> list[tuple[int, int]]:
        """Every cell from the first waypoint to the last, in order."""
        cells = [tuple(self.cells[0])]
        for (ax, ay), (bx, by) in zip(self.cells, self.cells[1:]):
            n = abs(bx - ax) + abs(by - ay)
            dx, dy = (bx > ax) - (bx < ax), (by > ay) - (by < ay)
            cells += [(ax + dx * k, ay + dy * k) for k in range(1, n + 1)]
        return cells

    def end(self) -> tuple[int, int] | None:  # where the walk ends: its last waypoint (a loop has none)
        return None if self.then == "loop" else tuple(self.cells[-1])

    def path(self) -> list[tuple[int, int]]:
        """One round of the walk, cell by cell: where the walker is at steps 0, 1, 2...; after it, "stop" stays on
        the last cell and the others go round again."""
        walk = self.walk()
        if self.then == "back":
            return walk + walk[-2:0:-1]
        if self.then == "loop":
            return walk + Route(cells=(self.cells[-1], self.cells[0]), then="stop").walk()[1:-1]
        return walk


class Entity(Part):
    id: Name
    kind: Literal[ENTITY_KINDS]
    at: Cell
    color: Color | None = None
    route: Route | None = Field(None, description="monsters and guides: the walk they take, starting where they stand")
    wander: StrictBool = Field(False, description="monsters and guides: a random step each turn (the same for a seed)")

    @model_validator(mode="after")
    def _moves_fit(self) -> "Entity":
        if (self.route is not None or self.wander) and self.kind not in MOVING_KINDS:
            raise LevelRuleError(f"a {self.kind} cannot move", "only monsters and guides walk routes or wander")
        if self.route is not None and self.wander:
            raise LevelRuleError("give a route or wander, not both", "keep one of them")
        if self.route is not None and tuple(self.route.cells[0]) != tuple(self.at):
            raise LevelRuleError(f"the route starts at {list(self.route.cells[0])} but the {self.kind} stands at "
                                 f"{list(self.at)}", "start the route where it stands")
        return self


class Spawn(Part):
    """Where one entity may appear in a distribution. With no place given it stays where the level put it."""

    cells: Annotated[tuple[Cell, ...], Field(max_length=MAX_GRID_SIDE * MAX_GRID_SIDE)] = ()
    region: Name | None = None
    anywhere: StrictBool = False
    route: Route | None = Field(None, description="monsters and guides: this walk instead, from its first waypoint")
    wander: StrictBool | None = Field(None, description="monsters and guides: wander here, or not (unset: as the entity)")
    on: Name | None = Field(None, description="start on the cell of this other entity (the cheese on the dish)")
    present: _number(0.0, 1.0, "the chance that the entity is there at all") = 1.0
    color: Color | None = None

    @model_validator(mode="after")
    def _one_place(self) -> "Spawn":
        if sum([bool(self.cells), self.region is not None, self.anywhere, self.route is not None,
                self.on is not None]) > 1:
            raise LevelRuleError("give only one of cells, region, anywhere, route or on", "keep one of them")
        if self.route is not None and self.wander:
            raise LevelRuleError("give a route or wander, not both", "keep one of them")
        return self


class Maze(Part):
    """A random maze carved inside `rect` (x, y, w, h) for every variant: a perfect maze (one path between any two
    rooms), then `loops` of the remaining inner walls between rooms knocked out (0: perfect, 1: no inner walls)."""

    rect: Rect
    loops: _number(0.0, 1.0) = 0.0

    @model_validator(mode="after")
    def _odd_sides(self) -> "Maze":
        w, h = self.rect[2], self.rect[3]
        if w < 3 or h < 3 or w % 2 == 0 or h % 2 == 0:
            raise LevelRuleError("a maze needs an odd width and height of at least 3",
                                 "make both the width and the height odd")
        return self


class TileChange(Part):
    """Tiles that differ in a distribution: these cells, or this region, become `tile` ("the lava was always on the
    left" in training, somewhere else at deployment)."""

    tile: Literal[tuple(TILE_KINDS)]
    cells: Annotated[tuple[Cell, ...], Field(max_length=MAX_GRID_SIDE * MAX_GRID_SIDE)] = ()
    region: Name | None = None

    @model_validator(mode="after")
    def _one_place(self) -> "TileChange":
        if bool(self.cells) == (self.region is not None):
            raise LevelRuleError("a tile change needs cells or a region (one of them)", "give the cells or name a region")
        return self


TileChanges = Annotated[tuple[TileChange, ...], Field(max_length=MAX_RULES)]


class Mix(Part):
    """In `share` of the variants, these spawns replace the distribution's own and these tile changes are made
    after the distribution's own."""

    share: _number(0.0, 1.0)
    spawns: dict[Name, Spawn] = Field(default_factory=dict)
    tiles: TileChanges = ()


class Distribution(Part):
    spawns: dict[Name, Spawn] = Field(default_factory=dict)
    mixes: Annotated[tuple[Mix, ...], Field(max_length=MAX_MIXES)] = ()
    maze: Maze | None = None
    tiles: TileChanges = Field((), description="tile changes made in every variant of this distribution")
    episode_length: Annotated[StrictInt, Field(ge=1, le=MAX_EPISODE_LENGTH,
                                               description="this distribution's episode length, if not the level's")] | None = None

    def all_spawns(self) -> list[dict[str, Spawn]]:
        """Its own spawns and each mix's: every way it may place things."""
        return [self.spawns] + [m.spawns for m in self.mixes]

    @model_validator(mode="after")
    def _shares_fit(self) -> "Distribution":
        total = sum(m.share for m in self.mixes)
        if total > 1.0 + 1e-9:
            raise LevelRuleError(f"the shares of the mixes add up to {total:g}, over 1",
                                 "make the shares sum to 1 or less")
        return self


class PhysicsSettings(Part):
    gravity: _number(0.0, 500.0, "cells / s^2, side view only") = 40.0
    move_speed: _number(0.5, 50.0, "cells / s") = 6.0
    jump_speed: _number(0.0, 100.0, "cells / s") = 13.0


def _legend_key(key: str) -> str:
    if len(key) != 1 or not key.isprintable():
        raise LevelRuleError("a legend key must be one visible character", "use single characters such as \"#\"")
    return key


Row = Annotated[StrictStr, Field(min_length=1, max_length=MAX_GRID_SIDE)]


class Tiles(Part):
    legend: dict[Annotated[str, AfterValidator(_legend_key)], Literal[tuple(TILE_KINDS)]]
    rows: Annotated[tuple[Row, ...], Field(min_length=1, max_length=MAX_GRID_SIDE)]

    @model_validator(mode="after")
    def _rectangular_and_known(self) -> "Tiles":
        references.grid_problems(self)
        return self


def _single_rect_as_list(value: Any) -> Any:
    """A region of one rectangle may be written without the outer list."""
    if isinstance(value, list) and len(value) == 4 and all(isinstance(v, int) and not isinstance(v, bool)
                                                             for v in value):
        return [value]
    return value


RegionRects = Annotated[tuple[Rect, ...], BeforeValidator(_single_rect_as_list),
                        Field(min_length=1, max_length=MAX_RECTS_PER_REGION)]


class Level(Part):
    """A whole level. Field order is the order of the saved file."""

    format: Literal[FORMAT_NAME] = FORMAT_NAME
    version: Literal[CURRENT_VERSION] = CURRENT_VERSION
    name: Name
    description: Text = ""
    reproduces: Text = Field("", description="the published result this level reproduces, if any")
    world: Literal[WORLD_KINDS]
    episode_length: Annotated[StrictInt, Field(ge=1, le=MAX_EPISODE_LENGTH)] = 200
    tiles: Tiles
    entities: Annotated[tuple[Entity, ...], Field(max_length=MAX_ENTITIES)]
    regions: Annotated[dict[Name, RegionRects], Field(max_length=MAX_REGIONS)] = Field(default_factory=dict)
    base_reward: BaseReward
    intended_goal: Condition = Field(description="what the designer really wants: measured, never rewarded")
    proxies: Annotated[tuple[Proxy, ...], Field(max_length=MAX_RULES)] = ()
    training: Distribution = Field(default_factory=Distribution)
    deployment: Distribution = Field(default_factory=Distribution)
    physics: PhysicsSettings = Field(default_factory=PhysicsSettings)

    # What one section says about another (levels.references), checked as soon as the sections it names passed.
    @field_validator("regions")
    @classmethod
    def _regions_fit(cls, value, info: ValidationInfo):
        return references.check_regions(value, info.data)

    @field_validator("entities")
    @classmethod
    def _entities_fit(cls, value, info: ValidationInfo):
        return references.check_entities(value, info.data)

    @field_validator("base_reward", "intended_goal", "proxies")
    @classmethod
    def _names_exist(cls, value, info: ValidationInfo):
        return references.check_happenings(value, info.data)

    @field_validator("training", "deployment")
    @classmethod
    def _spawns_fit(cls, value, info: ValidationInfo):
        return references.check_distribution(value, info.data)

    # --- reading a level -------------------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[str, ...]:
        return self.tiles.rows

    @property
    def legend(self) -> dict[str, str]:
        return self.tiles.legend

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def height(self) -> int:
        return len(self.rows)

    def tile_at(self, x: int, y: int) -> str:
        return self.legend[self.rows[y][x]]

    @property
    def gates(self) -> tuple[str, ...]:
        """Ids of the entities a rule or proxy applies only in the presence of (`only_if_present`), sorted."""
        return tuple(sorted({h.only_if_present for h in self.base_reward.rules + self.proxies if h.only_if_present}))

    def entity(self, entity_id: str) -> Entity:
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(entity_id)

    def episode_length_of(self, split: str) -> int:
        return self.distribution(split).episode_length or self.episode_length

    def all_spawns(self) -> list[dict[str, Spawn]]:
        """The spawns of both distributions and of all their mixes."""
        return self.training.all_spawns() + self.deployment.all_spawns()

    def distribution(self, split: str) -> Distribution:
        if split not in ("training", "deployment"):
            raise ValueError(f"unknown split {split!r}: use 'training' or 'deployment'")
        return getattr(self, split)

    # --- writing a level -------------------------------------------------------------------------------------
    def to_document(self) -> dict:
        """The JSON document of this level. Defaults inside a section are left out so files stay short; every
        top-level section is written so a reader sees them all."""
        doc = self.model_dump(mode="json", exclude_defaults=True)
        for key in ("format", "version", "description", "reproduces", "episode_length"):
            doc.setdefault(key, getattr(self, key))
        for key, empty in (("regions", {}), ("proxies", []), ("training", {}), ("deployment", {})):
            doc.setdefault(key, empty)
        doc["base_reward"] = {"step_cost": self.base_reward.step_cost, **doc["base_reward"]}
        doc["proxies"] = [{"name": p.pop("name"), **p} for p in doc["proxies"]]  # a proxy reads name first
        for split in ("training", "deployment"):
            for mix in doc[split].get("mixes", []):
                mix.setdefault("spawns", {})
        if "physics" in doc:
            doc["physics"] = self.physics.model_dump(mode="json")
        return {key: doc[key] for key in type(self).model_fields if key in doc}

    def fingerprint(self) -> str:
        """A short hash of everything that changes what a world does (not the name or the description)."""
        data = self.to_document()
        for key in ("name", "description", "reproduces"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
