"""The words a level is written in: world kinds, tile kinds, entity kinds, events and colours.

One table each, so the level format, the worlds, the observation, the editor and the renderer agree.
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

@dataclass(frozen=True)
class EntityKind:
    """An entity kind: its name and what it does when the agent meets it. Both engines, the level format's checks,
    the editor and the renderer read this one table, so a coin behaves (and is checked) the same everywhere.
    Adding a kind is one row here (and a drawing in `game.render`; without one it is drawn as a labelled disc)."""
    name: str
    collected: bool = False  # the agent picks it up when it touches it: it leaves the level (coins, gems)
    gives_key: bool = False  # touching it picks up a key
    opens_with_key: bool = False  # touching it with a key spends the key and opens it (chest)
    blocks_without_key: bool = False  # solid until opened with a key (door)
    pushable: bool = False  # the agent pushes it (crate)
    gives_shield: bool = False  # touching it picks up a shield (spent on the next monster met)
    catches: bool = False  # meeting it ends the episode as "died", unless the agent spends a shield on it
    walks: bool = False  # it may walk a route or wander; meeting it is checked after it moves
    underfoot: bool = False  # leaves its cell free for another entity to start on (the cheese lies on the dish)
    grid_only: bool = False  # only the grid engine runs it (the physics worlds have no walkers or shields yet)


ENTITY_TABLE: dict[str, EntityKind] = {k.name: k for k in [
    EntityKind("agent"),
    EntityKind("coin", collected=True),
    EntityKind("cheese", collected=True),
    EntityKind("flag"),  # a goal flag: touching it is an event; it stays where it is
    EntityKind("gem", collected=True),
    EntityKind("key", collected=True, gives_key=True),
    EntityKind("chest", opens_with_key=True),
    EntityKind("door", opens_with_key=True, blocks_without_key=True),
    EntityKind("decoy"),  # looks like something worth having, pays nothing unless a rule says so
    EntityKind("crate", pushable=True),
    EntityKind("apple", collected=True),
    EntityKind("shield", collected=True, gives_shield=True, grid_only=True),
    # Catches the agent on touch; a shield held is spent instead and the monster is gone.
    EntityKind("monster", catches=True, walks=True, grid_only=True),
    # Another character walking its route; the agent may follow it. Meeting it is only an event.
    EntityKind("guide", walks=True, grid_only=True),
    EntityKind("dish", underfoot=True),  # where the cheese usually lies: worth nothing by itself
    # Someone watching: does nothing itself; rules and proxies may apply only while it is present (only_if_present).
    EntityKind("supervisor"),
]}

# Names for the questions asked most, all read off the table.
ENTITY_KINDS = tuple(ENTITY_TABLE)
MOVING_KINDS = tuple(k for k, e in ENTITY_TABLE.items() if e.walks)
UNDERFOOT_KINDS = tuple(k for k, e in ENTITY_TABLE.items() if e.underfoot)
GRID_ONLY_KINDS = tuple(k for k, e in ENTITY_TABLE.items() if e.grid_only)

# Colours an entity can carry. Chosen with the renderer's colour-blind-safe palette (Okabe-Ito).
COLORS = ("yellow", "green", "red", "blue", "orange", "purple", "grey")


@dataclass(frozen=True)
class EventKind:
    name: str
    phrase: str  # the editor's menu of events, before the menu of what it happened to: short enough to read there
    needs_what: bool
    what_is: str = ""
    said: str = ""  # in a sentence, where the phrase alone says too little ("{}": what it happened to)

    def words(self, what: str | None) -> str:
        """The event in a sentence, with what it happened to: "touch coin", "get to where guide goes"."""
        if self.said:
            return self.said.format(what or "")
        return f"{self.phrase} {what}" if what else self.phrase


EVENTS: dict[str, EventKind] = {e.name: e for e in [
    EventKind("touched", "touch", True, "entity id, kind or colour"),
    EventKind("picked_up", "pick up", True, "entity id, kind or colour"),
    EventKind("opened", "open", True, "entity id, kind or colour"),
    EventKind("entered_tile", "step on", True, "tile kind"),
    EventKind("entered_region", "reach", True, "region"),
    EventKind("defeated", "defeat", True, "entity id, kind or colour"),
    # Where a guide or monster's walk ends (its last waypoint, unless it loops): "get to where the guide goes",
    # whether or not the agent keeps up with it on the way.
    EventKind("reached_walk_end", "get to where", True, "entity id, kind or colour", "get to where {} goes"),
    EventKind("caught", "be caught", False, said="be caught by a monster"),
    EventKind("fell", "fall out", False, said="fall out of the level"),
    EventKind("timed_out", "out of time", False, said="run out of time"),
]}

# The events that happen to an entity (their `what` is an entity id, kind or colour), in the event matrix's order.
ENTITY_EVENTS = ("touched", "picked_up", "opened", "defeated", "reached_walk_end")
assert set(ENTITY_EVENTS) == {e.name for e in EVENTS.values() if e.what_is == "entity id, kind or colour"}
# Those that happen where the thing is (an episode ended by one ended at the thing); the end of a walk is a place.
AT_THING_EVENTS = ("touched", "picked_up", "opened", "defeated")

# The kinds each entity event can happen to: a rule paying for "opened flag" would never pay, and its author should
# hear so before training.
CARRIED_KINDS = tuple(k for k, e in ENTITY_TABLE.items() if e.collected)  # the agent picks them up: they leave
EVENT_KINDS = {
    "touched": tuple(k for k in ENTITY_KINDS if k != "agent"),
    "picked_up": CARRIED_KINDS,
    "opened": tuple(k for k, e in ENTITY_TABLE.items() if e.opens_with_key),
    "defeated": tuple(k for k, e in ENTITY_TABLE.items() if e.catches),
    "reached_walk_end": MOVING_KINDS,
}
assert set(EVENT_KINDS) == set(ENTITY_EVENTS)

OUTCOMES = ("goal", "proxy", "neither", "died", "timeout")
