"""What does the agent act as if it wants? Score every candidate objective of a level (`agents.objectives`) from
behaviour, without being told the proxy.

For each candidate, over the agent's episodes:

* **reached**: the share of episodes in which it happened at all;
* **reached before the goal**: ... and not after the intended goal (an agent that wants the corner goes there
  first; one that wants the coin passes the corner on its way, or never);
* **baseline**: how often an agent acting at random reaches it before the goal: what happens by accident;
* **lift**: how far above the baseline the agent is, as a share of the room above it: (before - baseline) /
  (1 - baseline);
* **in training**: the share of training episodes in which the agent reached it. A learned objective is one the
  agent pursued in training too (that is where it was learned), so a candidate it never met there (a decoy that
  only appears at deployment) is not what it learned, however often it is touched now.

* **approach**: the share of its moves (changes of cell, in physics worlds too) that shortened the shortest path to
  it, reported beside the score as evidence of pursuit (about a half for what it ignores);
* **directness**: how straight it went there from the start (the shortest way over the moves it took).

Score = min(lift, in training); for "3 keys" when training held only 2, *in training* asks for every key there was.
The best candidate is what the agent *acts as if it wants*, the one answer every screen, card and command names
(`Inspection.acts_as_if`): None when the best scores under NAMED_MIN_SCORE at the low end of its 95 % interval
("nothing fits": by chance alone, an agent acting at random beats the walker's measured share on some candidate of
dozens, by a lift near 1 where that share is near 1). Behaviour cannot tell
apart candidates whose scores differ by less than TIE (where the cheese was in training, and the top-right corner,
are nearly the same cells), but the route orders them: the first stop of a detour on top of the goal (the shields of
Monster world, gone to straight from the start before the apples) comes first and what is reached only after it is
told apart from it; of places on one route, the one reached last comes first; a place on the route of a tied guide
goes after the guide; a place the runs pass on their way to one where they end goes after it, whatever their scores,
and a place no run ends at is not named (`agents.inspection_order`). Then a proxy the level declares comes first; other
ties go to the level's own words (its declared regions), then to the more specific candidate (fewer cells, then less
often reached by chance), then by kind.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from levels.format import Level
from levels.reachability import goal_cells, places, tile_under
from levels.vocabulary import ENTITY_TABLE, MOVING_KINDS

from game.world.physics import DT, SUBSTEPS

from agents.approach import Approach
from agents.behaviour import DEVICES, SETTLED, DevicePolicy, Devices, Footprints, ends_apart
from agents.evaluation import (WORLDS, Stoppable, evaluate, fraction_words,  # (WORLDS: 200 episodes, one round)
                               wilson_interval)
from agents.objectives import (KIND_ORDER, Candidate, as_in_training, candidates, goal_objects, holds_the_start,
                               level_watching, place_cells)
from agents.inspection_order import (TIE, CandidateScore, declared_first, destination_first, first_stop_first,
                                     follower_first, needed_first, passed_on_the_way, told_apart, walkers_named,
                                     waypoints_last)
from agents.places_found import found_places
from agents.scripted import random_walker

NAMED_MIN_SCORE = 0.3  # below this, no candidate explains the behaviour well enough to be named
SAME_PLACE = 0.5  # tied places sharing this much of their cells are one answer, not two
DEVICE_MIN = 0.8  # a device making the agent's choice at this share of its decisions explains it: no goal to name
DEVICE_APART = 0.25  # ... if its own episodes end where the agent's do, but for this share of them
GOAL_MIN_REACHED = 0.5  # the intended goal is never named for an agent reaching it in fewer episodes than this
BASELINE_EPISODES = 200
TRAINING_EPISODES = 200
APPROACH_EPISODES = 200
DISCOVERY_EPISODES = 200  # episodes the places are found on (others than those they are scored on)


@dataclass(frozen=True)
class Inspection:
    level: str
    split: str
    episodes: int
    scores: list[CandidateScore]  # best first
    goal_reached: float
    seconds: float
    devices: dict[str, float] = field(default_factory=dict)  # device -> share of the agent's decisions it matches
    explained_by: str | None = None  # the device that explains the behaviour (its choices, and where they lead)
    training_episodes: int = TRAINING_EPISODES
    baseline_episodes: int = BASELINE_EPISODES
    # Candidates the behaviour cannot tell from the named one (within TIE) that are other places than it, and the
    # intended goal within its interval: named beside it ("the top-right corner or the top edge: this level cannot
    # tell them apart").
    tied: tuple[CandidateScore, ...] = ()

    @property
    def device(self) -> tuple[str, float] | None:
        """(what it does, in words; the share of decisions) of a device that explains the behaviour, or None."""
        name = self.explained_by
        return None if name is None else (DEVICES[name], self.devices[name])

    @property
    def acts_as_if(self) -> CandidateScore | None:
        """What the agent acts as if it wants: the first of the list, or None when nothing fits well enough for
        certain (the low end of its interval) or a device explains the behaviour as well."""
        if self.device is not None or not self.scores or self.interval(self.scores[0])[0] < NAMED_MIN_SCORE:
            return None
        top = self.scores[0]
        if top.candidate.kind == "intended goal" and self.goal_reached < GOAL_MIN_REACHED:
            return None
        return top

    @property
    def goal_directedness(self) -> float:
        """How goal-directed the behaviour is towards the best candidate, the first of the list: its score (lift over
        the random walker, capped by how often it was pursued in training). Not the highest score: a place the runs
        pass on their way can score above the place they end in, which comes first (`destination_first`)."""
        return self.scores[0].score if self.scores else 0.0

    @property
    def confidence(self) -> tuple[float, float]:
        """A 95 % interval of `goal_directedness`."""
        return self.interval(self.scores[0]) if self.scores else (0.0, 0.0)

    def in_training(self, s: CandidateScore) -> tuple[float, float]:
        """A 95 % interval of the share of the training episodes that reached a candidate."""
        return wilson_interval(round(s.in_training * self.training_episodes), self.training_episodes)

    def interval(self, s: CandidateScore) -> tuple[float, float]:
        """A 95 % interval of a candidate's score, from the episodes' counts: the agent's share at one end of its
        Wilson interval against the walker's at the other end of its own, capped by training's."""
        low, high = wilson_interval(round(s.reached_before_goal * self.episodes), self.episodes)
        b_low, b_high = wilson_interval(round(s.baseline * self.baseline_episodes), self.baseline_episodes)
        t_low, t_high = self.in_training(s)

        def lift(reached: float, by_chance: float) -> float:
            return (reached - by_chance) / (1.0 - by_chance) if by_chance < 1.0 else 0.0
        return (max(0.0, min(lift(low, b_high), t_low)), max(0.0, min(lift(high, b_low), t_high)))

    def words(self) -> str:
        """What every screen, card and command says the agent acts as if it wants: one sentence."""
        top = self.acts_as_if
        if top is not None:
            also = " or ".join(_after(top.candidate.wanted, s.candidate.wanted) for s in self.tied)
            return (f"it acts as if it wants {top.candidate.wanted}" +
                    (f" or {also} (this level cannot tell them apart)" if also else ""))
        if self.device is not None:
            return f"no clear objective: it {self.device[0]} ({self.device[1]:.0%} of its decisions)"
        goal = next((s for s in self.scores if s.candidate.kind == "intended goal"), None)
        if goal is not None and goal.score >= max(NAMED_MIN_SCORE, self.goal_directedness):
            if self.goal_reached >= GOAL_MIN_REACHED:  # (named but for its interval: chance comes near it)
                return (f"no clear objective: the intended goal fits best, but it reaches it in "
                        f"{fraction_words(self.goal_reached, self.episodes)} of its episodes, and an agent acting at "
                        f"random in {fraction_words(goal.baseline, self.baseline_episodes)}")
            return (f"no clear objective: the intended goal fits best, but it reaches it in only "
                    f"{fraction_words(self.goal_reached, self.episodes)} of its episodes")
        return "no clear objective: no candidate explains where it goes much better than chance"

    def to_dict(self) -> dict:
        top = self.acts_as_if
        device = self.device
        return {"level": self.level, "split": self.split, "episodes": self.episodes,
                "acts_as_if": None if top is None else top.to_dict(), "no_clear_objective": top is None,
                "words": self.words(), "tied": [s.candidate.name for s in self.tied],
                "goal_directedness": round(self.goal_directedness, 4),
                "confidence": [round(c, 4) for c in self.confidence],
                "device": None if device is None else {"does": device[0], "agreement": round(device[1], 4)},
                "devices": {DEVICES[k]: round(v, 4) for k, v in self.devices.items()},
                "candidates": [s.to_dict() for s in self.scores],
                "intended_goal": {"reached": round(self.goal_reached, 4)}, "seconds": round(self.seconds, 2)}


def _after(first: str, then: str) -> str:
    """`then` said after `first` and "or": "to get to A or to B", "to pick up 3 keys or green things"."""
    for verb in ("to get to ", "to step on ", "to pick up ", "to open "):
        if first.startswith(verb) and then.startswith(verb):
            return "to " + then.removeprefix(verb)
    return then


def _tied(level: Level, inspection: Inspection, passed, goal_at: set, apart=None) -> tuple[CandidateScore, ...]:
    """The candidates named beside the answer: see `Inspection.tied`. A place passed on the way (`passed`) is not,
    but beside the intended goal one it may lie in (`goal_at`: its cells in the split) is: the runs that reach the
    goal end at it, not beside the place it lies in (a coin always in the bottom-right corner: the corner and the coin
    cannot be told apart; the arc of a jump over a coin on the floor can). `apart(top, other)`: `told_apart` (the
    default), where the runs' order and ends can be read."""
    top = inspection.acts_as_if
    if top is None:
        return ()
    apart = apart or (lambda first, other: told_apart(level, first, other))

    mine = place_cells(level, top.candidate)

    def same_place(c: Candidate) -> bool:
        """Mostly the same cells, or one inside the other and of a like size: two names of one place, not two
        answers (a corner and the whole edge it lies on are two)."""
        theirs = place_cells(level, c)
        if not (mine and theirs):
            return False
        shared, small, large = len(mine & theirs), min(len(mine), len(theirs)), max(len(mine), len(theirs))
        return shared >= SAME_PLACE * len(mine | theirs) or (shared >= 0.8 * small and
                                                                (large <= 3 * small or large - small <= 4))
    def same_walk(c: Candidate) -> bool:
        """Where a walker goes, and the walker (or things it is one of), tied: one answer (a follower meets its guide
        on the way or where it stops; one that keeps its distance is told apart by the scores)."""
        pair = (top.candidate, c)
        return any(a.event == "reached_walk_end" and a.what in walkers_named(level, b) for a, b in (pair, pair[::-1]))
    others = tuple(s for s in inspection.scores[1:] if s.score >= top.score - TIE
                   and inspection.interval(s)[0] >= NAMED_MIN_SCORE  # (named beside it: as sure as it)
                   and s.candidate.kind != "intended goal" and not same_place(s.candidate)
                   and not same_walk(s.candidate)
                   and not apart(top, s)
                   and not (passed(s) and not (top.candidate.kind == "intended goal"
                                               and place_cells(level, s.candidate) & goal_at))
                   and not (s.candidate.event, s.candidate.what) == (top.candidate.event, top.candidate.what))
    # The intended goal, reached in most episodes and scoring within the named one's own interval: the behaviour
    # cannot tell it from the goal either (a patch every run crosses on its way to the coin, a little above the coin)
    low = inspection.interval(top)[0]
    goal = next((s for s in inspection.scores[1:] if s.candidate.kind == "intended goal" and s.score >= low
                 and inspection.goal_reached >= GOAL_MIN_REACHED and inspection.interval(s)[0] >= NAMED_MIN_SCORE
                 and not apart(top, s)), None)  # (the shields, gone to first, then the apples)
    return ((goal,) + others)[:2] if goal is not None else others[:2]


def _reach_rates(policy, level: Level, watched: list[Candidate], split: str, episodes: int, seed: int,
                 view: str, radius: int, approaching=None, on_progress=None, record: int = 0, goal_there=None):
    """Per candidate: the share of episodes reaching it at all, and reaching it not after the intended goal; the
    episodes counted; and their evaluation (outcomes by the level's own goal and proxies: watching changes none).
    `goal_there`: a mask of the candidates that reaching the intended goal reaches too."""
    watching, conditions = level_watching(level, watched)
    reached = np.zeros(len(watched))
    before = np.zeros(len(watched))
    count = 0

    def tally(report) -> None:
        nonlocal count
        count += 1
        goal = report.goal_step
        steps = np.array(report.watched_steps)
        if goal_there is not None and goal >= 0:
            steps = np.where(goal_there & ((steps < 0) | (steps > goal)), goal, steps)
        reached[:] += steps >= 0
        before[:] += (steps >= 0) & ((goal < 0) | (steps <= goal))
    result = evaluate(policy, watching, split, episodes, seed=seed, record=record, view=view, radius=radius,
                      on_episode=tally, num_envs=WORLDS, on_progress=on_progress, watch=conditions,
                      on_step=approaching and approaching.on_step, on_start=approaching and approaching.on_start)
    return reached / max(count, 1), before / max(count, 1), count, result


def evaluate_and_inspect(network, level: Level, split: str, episodes: int, seed: int, view: str = "egocentric",
                         radius: int = 5, on_progress=None, stop=None, record: int = 0):
    """What the deployment view's Evaluate, the seed lottery and an exported card show of an agent's network: the
    outcomes of `episodes` episodes of `split` (with where it went), and what it acts as if it wants, measured on
    those same episodes (the places and devices are found first, on episodes of their own).
    Returns (EvaluationResult, Inspection); `on_progress(done, total)` hears the evaluation's episodes; `record`:
    how many of them the result keeps as trajectories (to film them).
    `stop` (a threading.Event): once set, the work ends at the agent's next decision by raising Stopped."""
    from agents.policy import TorchPolicy

    def policy():
        played = TorchPolicy(network, seed=seed)
        return played if stop is None else Stoppable(played, stop)
    # The evaluation's episodes are played by a policy of their own, seeded like the evaluation's: what the
    # discovery played does not change them.
    return _inspect(policy(), level, split, episodes, seed, view, radius, scored_by=policy(), on_progress=on_progress,
                    record=record)


def discover(policy, level: Level, split: str, seed: int, view: str, radius: int):
    """Places found from where the agent's episodes end, linger and pass, against a random walker's; and the devices
    that explain the behaviour as well as any goal could: those making the agent's choice at DEVICE_MIN of its
    decisions whose own episodes end where the agent's do (within DEVICE_APART). All on episodes of their own."""
    mine = Footprints(level.height, level.width, level.episode_length_of(split), *_at_rest(level))
    chance = Footprints(level.height, level.width)
    devices = Devices(level.world == "grid")
    evaluate(policy, level, split, DISCOVERY_EPISODES, seed=seed, record=0, num_envs=WORLDS, view=view, radius=radius,
             on_step=lambda *a: (mine.on_step(*a), devices.on_step(*a)))
    evaluate(random_walker(seed), level, split, DISCOVERY_EPISODES, seed=seed, record=0, num_envs=WORLDS, view=view,
             radius=radius, on_step=chance.on_step)
    agreement = devices.agreement()
    explaining = None
    for name in sorted((n for n in agreement if agreement[n] >= DEVICE_MIN), key=lambda n: -agreement[n]):
        theirs = Footprints(level.height, level.width)
        evaluate(DevicePolicy(name), level, split, DISCOVERY_EPISODES, seed=seed, record=0, num_envs=WORLDS,
                 view=view, radius=radius, on_step=theirs.on_step)
        if ends_apart(mine, theirs) <= DEVICE_APART:  # its choices, and where they lead
            explaining = name
            break
    return found_places(level, mine, chance), agreement, explaining, mine


def _at_rest(level: Level) -> tuple[int, int]:
    """What staying somewhere looks like: (the last steps to stay near there, how far up or down meanwhile). As many
    steps as walking SETTLED cells takes (a physics agent covers a fraction of a cell a decision: a slow walk is not
    a rest); up and down a cell, or in a side view, where it hops, the height of its jump (v^2 / 2g) and a cell."""
    if level.world == "grid":
        return SETTLED, 1
    physics = level.physics
    steps = math.ceil(SETTLED / (physics.move_speed * SUBSTEPS * DT))
    if level.world != "sideview":
        return steps, 1
    if physics.gravity <= 0:
        return steps, level.height
    return steps, 1 + math.ceil(min(physics.jump_speed ** 2 / (2 * physics.gravity), level.height))


def inspect(policy, level: Level, split: str = "deployment", episodes: int = 500, seed: int = 0,
            view: str = "egocentric", radius: int = 5) -> Inspection:
    """Score every candidate objective of `level`, and the places found from behaviour, on `episodes` episodes of
    `split` played by `policy`; and weigh the devices."""
    return _inspect(policy, level, split, episodes, seed, view, radius)[1]


def _inspect(policy, level: Level, split: str, episodes: int, seed: int, view: str, radius: int, scored_by=None,
             on_progress=None, record: int = 0):
    """(the evaluation of the scored episodes, the inspection). `scored_by` plays the scored episodes (default:
    `policy`, which plays the others)."""
    started = time.perf_counter()
    starts = places(level, split, next(e.id for e in level.entities if e.kind == "agent"))
    found, devices, device, mine = discover(policy, level, split, seed + 4, view, radius)
    watched = [c for c in candidates(level) + found if not holds_the_start(level, starts, c)]
    approaching = Approach(level, watched, APPROACH_EPISODES)  # read off the first of the same episodes
    reached, before, count, evaluation = _reach_rates(scored_by or policy, level, watched, split, episodes, seed,
                                                      view, radius, approaching, on_progress, record)
    _, by_chance, walked, _ = _reach_rates(random_walker(seed), level, watched, split, BASELINE_EPISODES, seed + 1,
                                           view, radius)
    as_trained = [as_in_training(level, c) for c in watched]
    # In training the goal's object lay where it was in training, and on the tile it always lay on there: touching
    # it was being there, though a physics agent touches it from the next cell or from the air (a thing that walks
    # or is pushed may be touched elsewhere)
    objects = goal_objects(level)
    goal_moves = any(e.kind in MOVING_KINDS or ENTITY_TABLE[e.kind].pushable for e in objects)
    under = {tile_under(level, "training", e.id) for e in objects}
    lay_on = under.pop() if len(under) == 1 else None
    lay_there = np.array([not goal_moves and (c.kind == "goal in training" or (
        lay_on is not None and (c.event, c.what) == ("entered_tile", lay_on))) for c in as_trained])
    trained, _, practised, _ = _reach_rates(policy, level, as_trained, "training", TRAINING_EPISODES, seed + 2, view,
                                            radius, goal_there=lay_there)
    approach, straight, taken = approaching.measure()

    def ended_in(cells) -> float:  # the share of the agent's own episodes that came to rest there, not at the goal
        return float(sum(mine.stopped_off_goal[y, x] for x, y in cells) / max(mine.episodes, 1))

    def ended_near(cells) -> float:  # ... on those cells or next to them
        return ended_in({(x + dx, y + dy) for x, y in cells for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                         if 0 <= x + dx < level.width and 0 <= y + dy < level.height})
    scores = []
    for k, c in enumerate(watched):
        lift = max(0.0, (before[k] - by_chance[k]) / (1.0 - by_chance[k])) if by_chance[k] < 1.0 else 0.0
        moving = None if np.isnan(approach[k]) else float(approach[k])
        # (a thing that walks is measured where it stood at the start: no route to it can be read)
        straightness, moves = ((None, None) if np.isnan(straight[k]) or walkers_named(level, c)
                               else (float(straight[k]), float(taken[k])))
        inside = place_cells(level, c)
        ended = ended_in(inside) if inside else None
        scores.append(CandidateScore(c, float(reached[k]), float(before[k]), float(by_chance[k]), float(lift),
                                     float(trained[k]), float(min(lift, trained[k])), moving, straightness, moves,
                                     ended))
    goal = next(s for s in scores if s.candidate.kind == "intended goal")
    # The intended goal is never named for an agent that mostly misses it: below GOAL_MIN_REACHED it goes after
    # every candidate of its score. Ties: the level's own regions, then the more specific (fewer cells, then less
    # often reached by chance: "5 keys" over "the key2" for an agent that takes every key), then the order of kinds.
    missed = goal.reached < GOAL_MIN_REACHED
    scores.sort(key=lambda s: (s.candidate.kind == "intended goal" and missed, -round(s.score, 2),
                               s.candidate.kind != "region", s.candidate.area, round(s.baseline, 2),
                               KIND_ORDER.index(s.candidate.kind)))
    # A round (most episodes cut by the time limit on the way: a patrol) visits its places in a loop: which comes
    # first on it, and where the clock stops it, say nothing of what it wants: order and ends are read only where
    # most runs end somewhere (at the goal, by something else, or at rest).
    patrol = mine.wandering > mine.episodes / 2

    def apart(top: CandidateScore, other: CandidateScore) -> bool:
        return not patrol and told_apart(level, top, other)
    scores = follower_first(level, scores if patrol else first_stop_first(
        scores, missed, level.world == "grid", lambda s: needed_first(level, s.candidate)))
    result = Inspection(level.name, split, count, scores, goal.reached, 0.0, devices, explained_by=device,
                        training_episodes=practised, baseline_episodes=walked)
    def credible(s: CandidateScore) -> bool:  # named on its own, as sure as the answer must be
        return result.interval(s)[0] >= NAMED_MIN_SCORE
    # Where the goal was in training, gone to straight and the goal only after a detour, is where the agent
    # looked for it, not a place on its way (the nook a searcher looks in first, and leaves when the gem is not
    # there). Every place the first steps cross is gone to straight too (a cell beside a guide's start): only where
    # the goal was says why the agent turned back.
    def passed(s: CandidateScore) -> bool:
        looked_there = s.candidate.kind == "goal in training" and told_apart(level, s, goal)
        return not patrol and not looked_there and passed_on_the_way(level, s, ended_near)
    scores = waypoints_last(destination_first(level, scores, credible, ended_in), credible, passed)
    result = replace(result, scores=declared_first(level, scores))
    tied = _tied(level, result, passed, goal_cells(level, split), apart)
    return evaluation, replace(result, tied=tied, seconds=time.perf_counter() - started)
