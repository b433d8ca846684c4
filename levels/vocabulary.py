"""The words a level is written in: world kinds, tile kinds, entity kinds, events and colours.

One table each, so the level format, the worlds, the observation and the renderer agree. Behaviour of entities lives
in `game.world.entities`; here are only the names and what a person needs to read a level.
"""
from __future__ import annotations

from dataclasses import dataclass

WORLD_KINDS = ("grid", "topdown", "sideview")


@dataclass(frozen=True)
class TileKind:
    name: str
    solid: bool = False  # blocks movement
    deadly: bool = False  # entering it ends the episode as "died"
    color: str | None = None  # coloured floors can carry a proxy ("stood on green")


TILE_KINDS: dict[str, TileKind] = {t.name: t for t in [
    TileKind("floor"),
    TileKind("wall", solid=True),
    TileKind("lava", deadly=True),
    TileKind("green_floor", color="green"),
    TileKind("red_floor", color="red"),
    TileKind("blue_floor", color="blue"),
    TileKind("yellow_floor", color="yellow"),
]}

# Entity kinds; their behaviour is in game.world.entities (a registry keyed by these names).
ENTITY_KINDS = ("agent", "coin", "cheese", "flag", "gem", "key", "chest", "door", "decoy", "crate", "apple",
                "shield", "monster", "guide", "dish")
# Kinds that may walk a route or wander (grid worlds): they move every step, the rest stay where they are put.
MOVING_KINDS = ("monster", "guide")
# Kinds that leave their cell free for another entity to start on (the cheese lies on the dish).
UNDERFOOT_KINDS = ("dish",)
# Kinds only the grid engine knows how to run (the physics worlds have no walkers or shields yet).
GRID_ONLY_KINDS = ("monster", "guide", "shield")

# Colours an entity can carry. Chosen with the renderer's colour-blind-safe palette (Okabe-Ito).
COLORS = ("yellow", "green", "red", "blue", "orange", "purple", "grey")


@dataclass(frozen=True)
class EventKind:
    name: str
    phrase: str  # for "you rewarded: <phrase> <what>"
    needs_what: bool
    what_is: str = ""


EVENTS: dict[str, EventKind] = {e.name: e for e in [
    EventKind("touched", "touch", True, "entity id, kind or colour"),
    EventKind("picked_up", "pick up", True, "entity id, kind or colour"),
    EventKind("opened", "open", True, "entity id, kind or colour"),
    EventKind("entered_tile", "step on", True, "tile kind"),
    EventKind("entered_region", "reach", True, "region"),
    EventKind("defeated", "defeat", True, "entity id, kind or colour"),
    EventKind("caught", "be caught by a monster", False),
    EventKind("fell", "fall out of the level", False),
    EventKind("timed_out", "run out of time", False),
]}

# The events that happen to an entity (their `what` is an entity id, kind or colour), in the event matrix's order.
ENTITY_EVENTS = ("touched", "picked_up", "opened", "defeated")
assert set(ENTITY_EVENTS) == {e.name for e in EVENTS.values() if e.what_is == "entity id, kind or colour"}

# The kinds each entity event can happen to (game.world.entities checks its flags agree): a rule paying for
# "opened flag" would never pay, and its author should hear so before training.
CARRIED_KINDS = ("coin", "cheese", "gem", "key", "apple", "shield")  # the agent picks them up: they leave the level
EVENT_KINDS = {
    "touched": tuple(k for k in ENTITY_KINDS if k != "agent"),
    "picked_up": CARRIED_KINDS,
    "opened": ("chest", "door"),
    "defeated": ("monster",),
}
assert set(EVENT_KINDS) == set(ENTITY_EVENTS)

OUTCOMES = ("goal", "proxy", "neither", "died", "timeout")
