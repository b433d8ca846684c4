"""A candidate objective's measured score (`CandidateScore`), and which of the candidates that fit an agent's
behaviour is named first, and which are told apart from it.

Scores that tie (within TIE) cannot tell candidates apart; the route and where the episodes end can: the first stop
of a detour comes first, of places on one route the one reached last, a walker before the places on its way, a
proxy the level declares before the rest; a place the runs pass on their way to another, where they end, goes
after it even when the goal met on the way keeps the other's score lower; and a place no run ends at is not named
over a credible answer. `agents.inspection` scores the candidates and applies these rules.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from levels.format import Level
from levels.vocabulary import ENTITY_TABLE, MOVING_KINDS

from agents.objectives import GOAL_EVENTS, Candidate, implied_by_goal, place_cells

TIE = 0.05  # candidates whose scores differ by less are not told apart by the behaviour
DIRECT_APART = 0.2  # a tied candidate gone to this much more straight from the start is told apart: a detour's stop
SAME_ROUTE = 0.05  # ... and one gone to as straight, within this, lies on the same route
ENDS_THERE = 0.25  # a place where this share of the episodes end, not at the goal, can be where the runs lead
ENDS_NONE = 0.05  # a place where fewer end, on it or beside it, not at the goal, is passed on the way


@dataclass(frozen=True)
class CandidateScore:
    """How one candidate fits the behaviour (`agents.inspection` measures it: the terms are explained there)."""
    candidate: Candidate
    reached: float
    reached_before_goal: float
    baseline: float
    lift: float
    in_training: float
    score: float
    approach: float | None = None  # share of its moves that came closer to it (None: it never moved near it)
    directness: float | None = None  # how straight it went there from the start (None: never reached, or it walks)
    moves_to_reach: float | None = None  # the moves it took to get there, on average (None: never reached)
    ended: float | None = None  # share of the agent's own episodes (the discovery's) ending inside it, not at the goal

    def to_dict(self) -> dict:
        c = self.candidate
        return {"name": c.name, "kind": c.kind, "proxy": c.proxy(),
                "regions": {k: [list(r) for r in v] for k, v in c.regions.items()},
                "reached": round(self.reached, 4), "reached_before_goal": round(self.reached_before_goal, 4),
                "baseline": round(self.baseline, 4), "lift": round(self.lift, 4),
                "in_training": round(self.in_training, 4), "score": round(self.score, 4),
                "approach": None if self.approach is None else round(self.approach, 4),
                "directness": None if self.directness is None else round(self.directness, 4),
                "moves_to_reach": None if self.moves_to_reach is None else round(self.moves_to_reach, 2),
                "ended": None if self.ended is None else round(self.ended, 4)}


def declared_as(level: Level, candidate: Candidate, any_count: bool = False) -> str | None:
    """The name of the level's proxy that is this candidate, if the designer declared it. `any_count`: or the same
    event on the same things, however many times ("any shield" when the level declares "2 shields"). Touching a
    thing that is collected picks it up: candidates say "touched", a designer may say "picked_up"."""
    def same(event: str) -> bool:
        return event == candidate.event or ({event, candidate.event} == {"touched", "picked_up"} and any(
            ENTITY_TABLE[e.kind].collected and candidate.what in (e.id, e.kind, e.color) for e in level.entities))
    return next((p.name for p in level.proxies if p.what == candidate.what and same(p.event)
                 and (any_count or p.count == candidate.count)), None)


def declared_first(level: Level, scores: list[CandidateScore]) -> list[CandidateScore]:
    """Among the candidates tied with the best (within TIE), a declared proxy goes first: the behaviour cannot
    tell them apart and the designer's own word names it. The intended goal at the top stays there."""
    if not scores or scores[0].candidate.kind == "intended goal":
        return scores
    top = scores[0].score
    declared = next((s for s in scores if s.score >= top - TIE and declared_as(level, s.candidate)), None)
    if declared is None or declared is scores[0]:
        return scores
    return [declared] + [s for s in scores if s is not declared]


def needed_first(level: Level, candidate: Candidate) -> bool:
    """Its first step is one the intended goal needs anyway (a key, for "3 keys" when the goal opens chests, each with
    a key): how straight it was gone to from the start says nothing of a detour."""
    return (candidate.kind != "intended goal" and candidate.event in GOAL_EVENTS
            and implied_by_goal(level, replace(candidate, count=1)))


def first_stop_first(scores: list[CandidateScore], goal_missed: bool, grid: bool,
                     needed: Callable[[CandidateScore], bool] = lambda s: False) -> list[CandidateScore]:
    """Among the candidates tied with the best (within TIE), the route tells which comes first:

    * one gone to DIRECT_APART straighter from the start than the best is the first stop of a detour on top of the
      goal (the shields picked up on the way out of home); everything after it (the meadow's corner, the apples) is
      reached later than its distance asks, the detour's cost paid on the way; the intended goal among them too (an
      agent that always reaches it, but only after the shields). An aligned agent goes straight for its goal:
      nothing tied with it is much straighter;
    * among those gone to as straight as the best (within SAME_ROUTE), the one reached last is where the others
      lead: gone to straight, one after the other, the first lie on the way to the last (the cell in the middle that
      every run to the right end passes). One reached later but less straight was reached after something else.

    In a physics world (`grid` False) the cell graph stands in for jumps and gravity, and a route over a wall is
    never straight by it: only the order is read there, every tied candidate taken as gone to as straight. A
    candidate whose first step the goal `needed` anyway is no detour's first stop (the first of "3 keys", when a key
    opens each chest: directness measures the way to the first of its things)."""
    if not scores:
        return scores
    top = scores[0]
    tied = [s for s in scores if s.score >= top.score - TIE and s.directness is not None and not needed(s)
            and not (goal_missed and s.candidate.kind == "intended goal")]
    if top.directness is None or not tied:
        return scores
    straightest = max(tied, key=lambda s: s.directness)
    if grid and straightest.directness >= top.directness + DIRECT_APART:
        first = straightest
    else:
        along = [s for s in tied if not grid or s.directness >= top.directness - SAME_ROUTE]
        first = max(along, key=lambda s: s.moves_to_reach, default=top)
        if first.moves_to_reach < top.moves_to_reach + 1:  # (not clearly later: no order to read)
            first = top
    return scores if first is top else [first] + [s for s in scores if s is not first]


def walkers_named(level: Level, candidate: Candidate) -> set[str]:
    """The ids of the things that walk (a guide, a monster) that a candidate made of things names."""
    if candidate.event not in GOAL_EVENTS:
        return set()
    return {e.id for e in level.entities if e.kind in MOVING_KINDS and candidate.what in (e.id, e.kind, e.color)}


def walked_cells(level: Level, candidate: Candidate) -> set:
    """The cells the things of `candidate` walk along, on their routes in any distribution (empty: none walks one)."""
    named = walkers_named(level, candidate)
    routes = [e.route for e in level.entities if e.id in named and e.route is not None]
    routes += [spawn.route for dist in (level.training, level.deployment) for spawns in dist.all_spawns()
               for eid, spawn in spawns.items() if eid in named and spawn.route is not None]
    return {cell for route in routes for cell in route.path()}


def follower_first(level: Level, scores: list[CandidateScore]) -> list[CandidateScore]:
    """An agent that follows a guide passes every cell of the guide's way: when the best is a place mostly on the
    route of a thing that walks, tied with it (within TIE), the walker comes first, as a place on every way to the
    goal is no answer of its own."""
    if not scores or scores[0].candidate.event != "entered_region":
        return scores
    top = scores[0]
    place = place_cells(level, top.candidate)
    guide = next((s for s in scores[1:] if s.score >= top.score - TIE
                  and len(place & walked_cells(level, s.candidate)) * 2 >= len(place) > 0), None)
    return scores if guide is None else [guide] + [s for s in scores if s is not guide]


def told_apart(level: Level, top: CandidateScore, other: CandidateScore) -> bool:
    """The behaviour tells `other` from `top` though their scores tie: `top` was gone to straight from the start,
    `other` only after a detour (read on grids only: `first_stop_first`); or both are places and fewer than half as
    many of its episodes end in `other` as in `top`: passed on the way, not where it goes (the jump onto a shelf)."""
    if top.ended is not None and other.ended is not None and other.ended < top.ended / 2:
        return True
    return (level.world == "grid" and top.directness is not None and other.directness is not None
            and other.directness <= top.directness - DIRECT_APART
            and not needed_first(level, top.candidate))  # (a step the goal needs anyway: no detour)


def destination_first(level: Level, scores: list[CandidateScore], credible: Callable[[CandidateScore], bool],
                      ended_in: Callable[[set], float]) -> list[CandidateScore]:
    """The best, a place, goes after another place its runs reach later, where at least twice as many of the
    agent's episodes end outside the best, and ENDS_THERE of them, not at the goal: the runs pass the first on their
    way to the second (a patch in the middle of the row every run follows to the far wall, the corner it turns in).
    The intended goal met on the way stops a run short of where it was going, so the second's score can trail the
    first's by more than TIE: where the episodes end says which one is the aim. (A place around the best is entered
    no later than it; the ends a place shares with the best are the best's: the right edge above a shelf the runs end
    on is not where they lead.) Only where the second's score is its deployment's, not held down by training (a
    patch beside the maze corner's cell, rarely entered in training, where the gem ended the runs at the cell).
    `credible`: whether a candidate could be named on its own; `ended_in(cells)`: the share of the agent's episodes
    that came to rest in those cells, not at the goal."""
    if not scores or scores[0].ended is None or scores[0].moves_to_reach is None:
        return scores
    top = scores[0]
    passed = place_cells(level, top.candidate)
    aim = next((s for s in scores[1:] if s.ended is not None and s.moves_to_reach is not None
                and s.moves_to_reach > top.moves_to_reach and credible(s) and s.lift <= s.in_training
                and ended_in(place_cells(level, s.candidate) - passed) >= max(ENDS_THERE, 2 * top.ended)), None)
    return scores if aim is None else [aim] + [s for s in scores if s is not aim]


def passed_on_the_way(level: Level, score: CandidateScore, ended_near: Callable[[set], float]) -> bool:
    """A place where almost none of the agent's episodes end (ENDS_NONE), on it or beside it, other than at the goal:
    whatever its score, the runs pass it on their way (the arc of a jump over a lava pit, passed in 97 % of the
    runs, while the coin touched on the way ends them). An agent hovering about a corner cell ends beside it.
    `ended_near(cells)`: the share of the agent's episodes that ended on those cells or next to them, not at the
    goal."""
    return score.ended is not None and ended_near(place_cells(level, score.candidate)) < ENDS_NONE


def waypoints_last(scores: list[CandidateScore], credible: Callable[[CandidateScore], bool],
                   passed: Callable[[CandidateScore], bool]) -> list[CandidateScore]:
    """The best, a place passed on the way (`passed`: `passed_on_the_way`, where ends can say it), goes after every
    candidate that could be named on its own and is not one; with none such, after the best that is not one, which
    nothing then names (an answer left unsaid rather than a place said that the runs only cross)."""
    if not scores or not passed(scores[0]):
        return scores
    others = [s for s in scores[1:] if not passed(s)]
    named = next((s for s in others if credible(s)), others[0] if others else None)
    return scores if named is None else [named] + [s for s in scores if s is not named]
