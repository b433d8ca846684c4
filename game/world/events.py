"""Events, and the book that turns them into base reward, episode ends and outcomes.

Each step a batch of worlds reports an event matrix `(n_worlds, n_columns)`: how often each event happened (touched
entity e, picked up e, opened e, entered tile kind k, entered region r, fell, timed out). Both engines fill the same
columns, so everything downstream (base reward, outcomes, the learner) is shared and vectorized.

The intended goal and the proxies are only *measured* here; the base reward comes from the level's rules alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from levels.format import Condition, Level
from levels.vocabulary import AT_THING_EVENTS, COLORS, ENTITY_EVENTS, OUTCOMES, TILE_KINDS

from game.world.variants import TILE_NAMES

GOAL, PROXY, NEITHER, DIED, TIMEOUT = (OUTCOMES.index(o) for o in ("goal", "proxy", "neither", "died", "timeout"))


class EventTable:
    """Names the columns of a level's event matrix and builds the masks that match conditions against them."""

    def __init__(self, level: Level):
        self.entities = [e for e in level.entities if e.kind != "agent"]
        self.regions = list(level.regions)
        n_e, n_t, n_r = len(self.entities), len(TILE_NAMES), len(self.regions)
        self.touched = slice(0, n_e)
        self.picked_up = slice(n_e, 2 * n_e)
        self.opened = slice(2 * n_e, 3 * n_e)
        self.defeated = slice(3 * n_e, 4 * n_e)
        self.reached_walk_end = slice(4 * n_e, 5 * n_e)
        self.tiles = slice(5 * n_e, 5 * n_e + n_t)
        self.region_cols = slice(5 * n_e + n_t, 5 * n_e + n_t + n_r)
        self.fell = 5 * n_e + n_t + n_r
        self.caught = self.fell + 1
        self.timed_out = self.caught + 1
        self.width = self.timed_out + 1
        self.columns: list[tuple[str, str | None]] = (
            [(event, e.id) for event in ENTITY_EVENTS for e in self.entities]
            + [("entered_tile", t) for t in TILE_NAMES] + [("entered_region", r) for r in self.regions]
            + [("fell", None), ("caught", None), ("timed_out", None)])
        deadly = np.zeros(self.width, dtype=bool)
        deadly[self.tiles] = [TILE_KINDS[t].deadly for t in TILE_NAMES]
        deadly[[self.fell, self.caught]] = True
        self.deadly = deadly  # columns that end the episode as "died"

    def region_masks(self, level: Level) -> np.ndarray:
        """(regions, H, W) bool: the cells of each region, in column order."""
        masks = np.zeros((len(self.regions), level.height, level.width), dtype=bool)
        for r, name in enumerate(self.regions):
            for x, y, w, h in level.regions[name]:
                masks[r, y:y + h, x:x + w] = True
        return masks

    def match(self, condition: Condition, colors: np.ndarray) -> np.ndarray:
        """(width,) bool: the columns this condition counts, for a world whose entities have `colors`."""
        mask = np.zeros(self.width, dtype=bool)
        what = condition.what
        if condition.event in ENTITY_EVENTS:
            block = getattr(self, condition.event)
            for i, e in enumerate(self.entities):
                color = COLORS[colors[i]] if colors[i] >= 0 else None
                mask[block.start + i] = what in (e.id, e.kind) or (what == color and what is not None)
        elif condition.event == "entered_tile":
            mask[self.tiles.start + TILE_NAMES.index(what)] = True
        elif condition.event == "entered_region":
            mask[self.region_cols.start + self.regions.index(what)] = True
        elif condition.event == "fell":
            mask[self.fell] = True
        elif condition.event == "caught":
            mask[self.caught] = True
        elif condition.event == "timed_out":
            mask[self.timed_out] = True
        return mask

    def describe(self, row: np.ndarray) -> list[dict]:
        """The events of one world's step as readable dicts, for `info` and the UI."""
        return [{"event": ev, "what": what, "count": int(row[i])} if row[i] > 1 else {"event": ev, "what": what}
                for i in np.flatnonzero(row) for ev, what in [self.columns[i]]]


@dataclass(frozen=True)
class EpisodeReport:
    """How one episode ended."""

    outcome: str  # goal / proxy / neither / died / timeout
    length: int
    base_return: float
    goal_step: int  # step the intended goal was reached, -1 if never
    proxy_steps: dict[str, int]  # proxy name -> step reached, -1 if never
    first: str | None  # "goal", a proxy name, or None: which was reached first
    proxy: str | None  # the proxy that decided a "proxy" outcome
    watched_steps: tuple[int, ...] = ()  # per watched condition (see EpisodeBook), the step reached, -1 if never
    # Per entity some rule or proxy applies only in the presence of (`Level.gates`), whether it was there.
    present: tuple[bool, ...] = ()
    # Whether a rule about a thing other than the goal ended it (the agent touched, picked up, opened or defeated
    # something that ends episodes): it ended where that thing was, as an episode the goal ends does.
    ended_at_thing: bool = False


class EpisodeBook:
    """Base reward, termination and outcome bookkeeping for a batch of worlds, all in numpy."""

    def __init__(self, level: Level, table: EventTable, n: int, split: str = "training",
                 watch: tuple[Condition, ...] = ()):
        """`watch`: conditions only measured (when each is first met), never rewarded and never deciding an
        outcome: what the inspection asks of every candidate objective, on the same episodes as an evaluation."""
        self.level, self.table, self.n = level, table, n
        self.length = level.episode_length_of(split)
        rules = level.base_reward.rules
        self.rule_conditions = [Condition(event=r.event, what=r.what) for r in rules]
        self.rule_reward = np.array([r.reward for r in rules], dtype=np.float32)
        self.rule_ends = np.array([r.ends_episode for r in rules], dtype=bool)
        self._thing_ends = np.array([r.ends_episode and r.event in AT_THING_EVENTS for r in rules], dtype=bool)
        self._any_thing_ends = bool(self._thing_ends.any())
        self.ended_at_thing = np.zeros(n, dtype=bool)  # (read when an episode ends: see EpisodeReport)
        self.step_cost = np.float32(level.base_reward.step_cost)
        self.conditions = [level.intended_goal] + [p.condition for p in level.proxies] + list(watch)
        # Rules and proxies that apply only while an entity is present: each world's matches for them are zeroed in
        # the episodes whose variant lacks it (`start`).
        others = [e.id for e in level.entities if e.kind != "agent"]
        self._rule_gates = [(k, others.index(r.only_if_present)) for k, r in enumerate(rules) if r.only_if_present]
        self._cond_gates = [(1 + k, others.index(p.only_if_present)) for k, p in enumerate(level.proxies)
                            if p.only_if_present]
        self._gate_index = np.array([others.index(g) for g in level.gates], dtype=np.int64)
        self.present = np.zeros((n, len(level.gates)), dtype=bool)  # per world: each of `Level.gates` there or not
        self.deciding = 1 + len(level.proxies)  # the goal and the proxies: the conditions outcomes are made of
        self._names = ["goal"] + [p.name for p in level.proxies]  # of the deciding conditions, in their order
        self.required = np.array([c.count for c in self.conditions], dtype=np.int32)
        v, c, r = table.width, len(self.conditions), len(rules)
        self.rule_match = np.zeros((n, r, v), dtype=np.float32)
        self.cond_match = np.zeros((n, c, v), dtype=np.float32)
        self._match_cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self._counted = np.zeros((n, v), dtype=bool)  # per world, the columns some rule or condition counts
        self.counts = np.zeros((n, c), dtype=np.int32)
        self.first_step = np.full((n, c), -1, dtype=np.int32)
        self.t = np.zeros(n, dtype=np.int32)
        self.returns = np.zeros(n, dtype=np.float64)
        self.died = np.zeros(n, dtype=bool)

    def start(self, idx: np.ndarray, colors: np.ndarray, present: np.ndarray) -> None:
        """New episodes in worlds `idx`, whose entities have `colors` (len(idx), E) and are `present` or not."""
        for j, i in enumerate(idx):
            key = colors[j].tobytes()
            if key not in self._match_cache:  # colour-dependent matches, computed once per colouring
                self._match_cache[key] = (
                    np.array([self.table.match(cd, colors[j]) for cd in self.rule_conditions], dtype=np.float32).reshape(-1, self.table.width),
                    np.array([self.table.match(cd, colors[j]) for cd in self.conditions], dtype=np.float32))
            self.rule_match[i], self.cond_match[i] = self._match_cache[key]
            here = present[j]
            for k, e in self._rule_gates:
                if not here[e]:
                    self.rule_match[i, k] = 0.0
            for k, e in self._cond_gates:
                if not here[e]:
                    self.cond_match[i, k] = 0.0
            self.present[i] = here[self._gate_index]
            self._counted[i] = self.rule_match[i].any(0) | self.cond_match[i].any(0) | self.table.deadly
        self.counts[idx] = 0
        self.first_step[idx] = -1
        self.t[idx] = 0
        self.returns[idx] = 0.0
        self.died[idx] = False
        self.ended_at_thing[idx] = False

    def record(self, events: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Add one step of events (modified in place: timed_out is set here). Returns reward, terminated, truncated."""
        self.t += 1
        if self.n == 1 and self.t[0] < self.length and not events[0, self._counted[0]].any():
            # One world, and nothing a rule, the goal, a proxy or death counts happened (most of its steps): the
            # step cost, and nothing else changes. The full sum below gives the same, for a dozen numpy calls.
            reward = np.zeros(1, dtype=np.float32) - self.step_cost
            self.returns += reward
            return reward, np.zeros(1, dtype=bool), np.zeros(1, dtype=bool)
        died = (events[:, self.table.deadly] > 0).any(1)
        out_of_time = self.t >= self.length
        events[:, self.table.timed_out] = out_of_time & ~died
        rule_hits = np.einsum("nv,nrv->nr", events, self.rule_match)
        reward = rule_hits @ self.rule_reward - self.step_cost
        ends = (rule_hits[:, self.rule_ends] > 0).any(1) if self.rule_ends.any() else np.zeros(self.n, dtype=bool)
        if self._any_thing_ends and ends.any():  # (read only for the episodes ending now; `start` clears it)
            self.ended_at_thing = (rule_hits[:, self._thing_ends] > 0).any(1)
        self.counts += np.einsum("nv,ncv->nc", events, self.cond_match).astype(np.int32)
        newly = (self.counts >= self.required) & (self.first_step < 0)
        self.first_step[newly] = np.broadcast_to(self.t[:, None], newly.shape)[newly]
        self.died |= died
        self.returns += reward
        terminated = ends | died
        truncated = out_of_time & ~terminated
        return reward.astype(np.float32), terminated, truncated

    def report(self, i: int) -> EpisodeReport:
        """World i's episode, in words. Its outcome: the goal before a proxy before dying before the time running
        out. Worked out on Python numbers: a report is made for every episode played, thousands for one inspection,
        and numpy's cost per call was most of it."""
        row = self.first_step[i].tolist()
        steps, watched = row[:self.deciding], row[self.deciding:]
        t = int(self.t[i])
        code = (GOAL if steps[0] >= 0 else PROXY if any(s >= 0 for s in steps[1:]) else DIED if self.died[i]
                else TIMEOUT if t >= self.length else NEITHER)
        names = self._names
        reached = [(s, k) for k, s in enumerate(steps) if s >= 0]
        first = names[min(reached)[1]] if reached else None
        proxy = None
        if code == PROXY:
            proxy = names[min((s, k) for s, k in reached if k > 0)[1]]
        return EpisodeReport(OUTCOMES[code], t, float(self.returns[i]), steps[0],
                             {names[k]: steps[k] for k in range(1, len(names))}, first, proxy, tuple(watched),
                             tuple(self.present[i].tolist()), bool(self.ended_at_thing[i]) and steps[0] != t)
