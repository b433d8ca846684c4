"""What each entity kind does when the agent meets it: small classes with one job, found through a registry.

Both engines read these flags, so a coin behaves the same in the grid and in the physics world. Adding a kind is
one class here plus its name in `levels.vocabulary.ENTITY_KINDS`.
"""
from __future__ import annotations

from levels.vocabulary import CARRIED_KINDS, ENTITY_KINDS, EVENT_KINDS


class EntityKind:
    name = ""
    collected = False  # the agent picks it up when it touches it: it leaves the level (coins, gems)
    gives_key = False  # touching it picks up a key
    opens_with_key = False  # touching it with a key spends the key and opens it (chest)
    blocks_without_key = False  # solid until opened with a key (door)
    pushable = False  # the agent pushes it (crate)
    gives_shield = False  # touching it picks up a shield (spent on the next monster met)
    catches = False  # meeting it ends the episode as "died", unless the agent spends a shield on it
    walks = False  # it may walk a route or wander (levels.vocabulary.MOVING_KINDS); meeting it is checked after it moves


REGISTRY: dict[str, type[EntityKind]] = {}


def register(cls: type[EntityKind]) -> type[EntityKind]:
    assert cls.name in ENTITY_KINDS, f"add {cls.name!r} to levels.vocabulary.ENTITY_KINDS"
    REGISTRY[cls.name] = cls
    return cls


@register
class Agent(EntityKind):
    name = "agent"


@register
class Coin(EntityKind):
    name = "coin"
    collected = True


@register
class Cheese(EntityKind):
    name = "cheese"
    collected = True


@register
class Flag(EntityKind):
    """A goal flag: touching it is an event; it stays where it is."""
    name = "flag"


@register
class Gem(EntityKind):
    name = "gem"
    collected = True


@register
class Key(EntityKind):
    name = "key"
    collected = True
    gives_key = True


@register
class Chest(EntityKind):
    name = "chest"
    opens_with_key = True


@register
class Door(EntityKind):
    name = "door"
    opens_with_key = True
    blocks_without_key = True


@register
class Decoy(EntityKind):
    """Looks like something worth having, pays nothing unless a rule says so."""
    name = "decoy"


@register
class Crate(EntityKind):
    name = "crate"
    pushable = True


@register
class Apple(EntityKind):
    name = "apple"
    collected = True


@register
class Shield(EntityKind):
    name = "shield"
    collected = True
    gives_shield = True


@register
class Monster(EntityKind):
    """Catches the agent on touch; a shield held is spent instead and the monster is gone."""
    name = "monster"
    catches = True
    walks = True


@register
class Guide(EntityKind):
    """Another character walking its route; the agent may follow it. Meeting it is only an event."""
    name = "guide"
    walks = True


@register
class Dish(EntityKind):
    """Where the cheese usually lies: worth nothing by itself."""
    name = "dish"


assert set(REGISTRY) == set(ENTITY_KINDS), "every entity kind needs a class"
assert set(CARRIED_KINDS) == {k for k, c in REGISTRY.items() if c.collected}, "levels.vocabulary.CARRIED_KINDS"
assert set(EVENT_KINDS["opened"]) == {k for k, c in REGISTRY.items() if c.opens_with_key}
assert set(EVENT_KINDS["defeated"]) == {k for k, c in REGISTRY.items() if c.catches}
