"""What a valid level may still get wrong, said before anyone trains on it: an intended goal no start can reach
(`levels.reachability`), and a `what` that names more than its author probably meant."""
from __future__ import annotations

from levels.model import Level
from levels.reachability import goal_warnings
from levels.vocabulary import ENTITY_EVENTS


def level_warnings(level: Level) -> list[str]:
    return goal_warnings(level) + name_warnings(level)


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
