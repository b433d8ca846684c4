"""What a valid level may still get wrong, said before anyone trains on it: an intended goal no start can reach
(`levels.reachability`), a `what` that names more than its author probably meant, an event that cannot happen to
what it names, and more things than cells to start on."""
from __future__ import annotations

from levels.model import Level
from levels.reachability import goal_warnings, standable_cells, walk_ends
from levels.vocabulary import ENTITY_EVENTS, EVENT_KINDS, UNDERFOOT_KINDS
from levels.words import counted


def level_warnings(level: Level) -> list[str]:
    return goal_warnings(level) + name_warnings(level) + event_warnings(level) + crowding_warnings(level)


def crowding_warnings(level: Level) -> list[str]:
    """More things to place than cells to stand on: some start on top of each other, the agent on one it can then
    touch only by stepping off and back (where it cannot step off, never: training runs to its budget at 0 %)."""
    warnings = []
    things = sum(1 for e in level.entities if e.kind not in UNDERFOOT_KINDS)  # (a dish leaves its cell free)
    for split in ("training", "deployment"):
        if level.distribution(split).maze is not None:
            continue  # (a maze's open cells vary)
        free = len(standable_cells(level, split))
        if things > free:
            warnings.append(f"In the {split} distribution {things} things (the agent included) share "
                            f"{counted(free, 'cell')} "
                            "one can stand on: some start on top of each other, and the agent cannot touch one it "
                            "starts on without stepping off and back.")
    return warnings


def name_warnings(level: Level) -> list[str]:
    """A rule, goal or proxy whose `what` is one entity's id and also the kind or colour of others counts them all:
    `touched flag` pays for `other_flag` too when both are flags."""
    warnings, ids = [], {e.id for e in level.entities}
    happenings = [*level.base_reward.rules, level.intended_goal, *level.proxies]
    for what in dict.fromkeys(h.what for h in happenings if h.event in ENTITY_EVENTS):
        if what not in ids:
            continue
        others = [e.id for e in level.entities if e.id != what and what in (e.kind, e.color)]
        if others:
            warnings.append(f"\"{what}\" is an entity's id and also the kind or colour of {', '.join(others[:5])}: "
                            f"rules, the goal and proxies naming \"{what}\" count those too. Give the entity an id "
                            "that is not a kind or a colour.")
    return warnings


def event_warnings(level: Level) -> list[str]:
    """A rule, goal or proxy whose event cannot happen to anything it names never pays or counts: "opened flag",
    "defeated apple" ("picked_up" happens to what the agent carries off, "touched" to every entity)."""
    colours = {e.id: {e.color} for e in level.entities}
    for spawns in level.all_spawns():  # a distribution may recolour an entity
        for entity_id, spawn in spawns.items():
            if spawn.color and entity_id in colours:
                colours[entity_id].add(spawn.color)
    warnings = []
    happenings = [*level.base_reward.rules, level.intended_goal, *level.proxies]
    for event, what in dict.fromkeys((h.event, h.what) for h in happenings if h.event in ENTITY_EVENTS):
        named = [e for e in level.entities if what == e.id or what == e.kind or what in colours[e.id]]
        if named and not any(e.kind in EVENT_KINDS[event] for e in named):
            kinds = [k + "s" for k in EVENT_KINDS[event]]
            can = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
            does = "walk" if event == "reached_walk_end" else f"be {event.replace('_', ' ')}"
            warnings.append(f"\"{event} {what}\" can never happen: only {can} can {does}.")
        elif named and event == "reached_walk_end" and not any(
                walk_ends(level, split, e.id) for e in named for split in ("training", "deployment")):
            warnings.append(f"\"{event} {what}\" can never happen: no walk of {what.replace('_', ' ')} ends anywhere "
                            "(give it a route that stops or turns back; a loop, a wanderer and a walker standing "
                            "still have no end).")
    return warnings
