"""What meeting things does, for a batch of worlds at once: the one rule both engines apply (the grid worlds after
each move, the physics worlds after each substep in which the agent touched something).

Each entity kind's part is a flag of its row in `levels.vocabulary.ENTITY_TABLE`; here they are arrays over the
entities of one level, and meeting is a few numpy operations over (worlds, entities).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from levels.vocabulary import ENTITY_TABLE

from game.world.events import EventTable


@dataclass(frozen=True)
class KindFlags:
    """Per entity of a level (in the event table's order): what its kind does when the agent meets it."""
    collected: np.ndarray
    gives_key: np.ndarray
    opens_with_key: np.ndarray
    blocks_without_key: np.ndarray
    pushable: np.ndarray
    gives_shield: np.ndarray
    walks: np.ndarray
    catches: np.ndarray

    @classmethod
    def of(cls, table: EventTable) -> KindFlags:
        kinds = [ENTITY_TABLE[e.kind] for e in table.entities]
        return cls(**{f.name: np.array([getattr(k, f.name) for k in kinds], dtype=bool) for f in fields(cls)})


def meet(flags: KindFlags, met: np.ndarray, alive: np.ndarray, keys: np.ndarray, shields: np.ndarray,
         events: np.ndarray, table: EventTable) -> np.ndarray:
    """The agents meet the things `met` (worlds, entities): keys and shields are picked up, a key held opens a
    chest or a door (one key, one thing), what is picked up or opened leaves the level. Updates `alive`, `keys` and
    `shields` in place, adds the events to `events`; returns what was opened."""
    keys += (met & flags.gives_key).sum(1, dtype=keys.dtype)
    opened = met & flags.opens_with_key & (keys > 0)[:, None]
    opened &= np.cumsum(opened, 1) <= keys[:, None]
    keys -= opened.sum(1, dtype=keys.dtype)
    alive &= ~((met & flags.collected) | opened)
    shields += (met & flags.gives_shield).sum(1, dtype=shields.dtype)
    events[:, table.touched] += met
    events[:, table.picked_up] += met & flags.collected
    events[:, table.opened] += opened
    return opened
