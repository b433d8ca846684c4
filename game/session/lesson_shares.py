"""What a lesson's reveal shows beside the prediction, by the same choices (the intended goal, each proxy,
something else): the outcomes of the deployment episodes played after it; on a level with conditions, what each
episode of one condition reached first; a steered agent's outcomes; a planner's reward map. Nothing here imports
pygame."""
from __future__ import annotations

from levels.format import Level

from agents.evaluation import ConditionCount, OutcomeTally

MAP_VARIANTS = 200  # fresh deployment variants a reward map's reveal is measured on


def outcome_shares(level: Level, tally: OutcomeTally) -> list[float]:
    """What the agent did, by the same choices: goal, each proxy, and everything else (neither, died, timeout)."""
    total = max(tally.total, 1)
    proxies = [tally.proxies.get(p.name, 0) / total for p in level.proxies]
    goal = tally.outcomes["goal"] / total
    return [goal] + proxies + [max(0.0, 1.0 - goal - sum(proxies))]


def steered_shares(shares: dict[str, float]) -> list[float]:
    """A steering measurement's outcome shares (`agents.steering.measure`) by the choices: goal, the one proxy (a
    lesson steers only on a level with one), the rest."""
    goal, proxy = shares.get("goal", 0.0), shares.get("proxy", 0.0)
    return [goal, proxy, max(0.0, 1.0 - goal - proxy)]


def did_shares(level: Level, when: str | None, tally: OutcomeTally,
               counts: dict[str, ConditionCount]) -> tuple[list[float], int]:
    """What the agent did by the choices, and over how many episodes: the outcomes; on a level with conditions,
    what each episode of the condition `when` (of all, for None) reached first."""
    if not level.gates:
        return outcome_shares(level, tally), tally.total
    chosen = [c for name, c in counts.items() if when in (None, name)]
    total = sum(c.tally.total for c in chosen)
    first = [sum(c.first.get(name, 0) for c in chosen) / max(total, 1) for name in ["goal"] + [p.name for p in
                                                                                             level.proxies]]
    return first + [max(0.0, 1.0 - sum(first))], total


def reward_map_shares(planner, level: Level) -> list[float]:
    """Where a planner's reward map is strongest on MAP_VARIANTS fresh deployment variants, by the choices
    (`agents.planner.map_shares`): what a reveal that `asks` "its reward map" shows."""
    from agents.planner import map_shares  # torch: only when a lesson reveals a map
    return map_shares(planner, level, seed=0, variants=MAP_VARIANTS)
