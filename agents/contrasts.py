"""The contrasts a level offers for steering (`agents.steering`): two observations of one variant that differ in one
thing. Named here without torch, so that a lesson file that steers is checked without loading it."""
from __future__ import annotations

from levels.format import Condition, Level

from agents.objectives import GOAL_EVENTS

CONTRASTS = {"goal": "the intended goal there vs removed", "split": "the level at training vs at deployment",
             "proxy": "the proxy's things there vs removed"}


def removed_by(level: Level, contrast: str) -> Condition | None:
    """The condition whose things a "goal" or "proxy" contrast removes (the level's first proxy made of things), or
    None when there is none."""
    condition = level.intended_goal if contrast == "goal" else next(
        (p.condition for p in level.proxies if p.event in GOAL_EVENTS), None)
    return condition if condition is not None and condition.event in GOAL_EVENTS else None


def contrasts_of(level: Level) -> dict[str, str]:
    """The contrasts this level has, in words: the goal's or a proxy's things when it is made of things; always the
    split."""
    return {k: words for k, words in CONTRASTS.items() if k == "split" or removed_by(level, k) is not None}
