"""How consistently an agent's moves approach each candidate objective: the share of its moves that shorten the
shortest-path distance to the candidate (an agent that wants the corner heads for it at every step: near 1; a
candidate it ignores: about a half, like a random walk).

Distances are shortest paths over the cells an agent can stand on, from every cell to the candidate's cells in the
world's own variant (where its entities stand, its tiles, its regions) as the episode starts; a candidate made of
things counts only those still there (walkers are taken where they stood at the start). A move is a change of the
agent's cell: one step in a grid world; in a physics world, the moment its body crosses into another cell (the cell
graph stands in for the continuous level, gravity and all).
"""
from __future__ import annotations

import hashlib

import numpy as np

from levels.format import Condition, Level

from agents.evaluation import evaluate
from agents.objectives import GOAL_EVENTS, Candidate
from levels.places import rect_cells
from game.world.variants import COLOR_INDEX, TILE_DEADLY, TILE_INDEX, TILE_SOLID


def things_named(entities, whats: list[str], colors: np.ndarray) -> np.ndarray:
    """(worlds, len(whats), E): the things each `what` names in each world (`colors`: (worlds, E)): by id or kind,
    or by the colour the thing has there."""
    named = np.array([[x.id == what or x.kind == what for x in entities] for what in whats],
                     dtype=bool).reshape(len(whats), len(entities))
    colour = np.array([COLOR_INDEX.get(what, -2) for what in whats], dtype=np.int64)
    return named[None] | (colors[:, None, :] == colour[None, :, None])


def condition_cells(level: Level, condition: Condition, worlds) -> np.ndarray | None:
    """(worlds, H, W) the cells of a condition (the intended goal, a proxy) made of things or of a region, in every
    world as it is now; None for another kind of condition, or where it has no cells."""
    if condition.event not in GOAL_EVENTS and condition.event not in ("entered_region", "reached_walk_end"):
        return None
    masks = event_cells(level, worlds, np.arange(len(worlds.tiles)), condition.event, condition.what)
    return masks if masks.any() else None


def target_masks(level: Level, worlds, i, watched: list[Candidate]) -> np.ndarray:
    """(C, H, W): the cells of each candidate in world `i` as it is now; for a list of worlds, (len(i), C, H, W)."""
    idx = np.atleast_1d(np.asarray(i, dtype=np.int64))
    goal = level.intended_goal
    masks = np.zeros((len(idx), len(watched), level.height, level.width), dtype=bool)
    for k, c in enumerate(watched):
        event, what = (goal.event, goal.what) if c.kind == "intended goal" else (c.event, c.what)
        masks[:, k] = event_cells(level, worlds, idx, event, what, c.regions)
    return masks if np.ndim(i) else masks[0]


def event_cells(level: Level, worlds, idx: np.ndarray, event: str, what: str, regions=None) -> np.ndarray:
    """(len(idx), H, W): the cells an event names in worlds `idx` as they are now: the live things whose id, kind or
    colour is `what`, where the walks of those things end, the tiles of that kind, or the region's cells (from
    `regions` first, then the level's)."""
    h, w = level.height, level.width
    masks = np.zeros((len(idx), h, w), dtype=bool)
    if event in GOAL_EVENTS:
        live = things_named(worlds.table.entities, [what], worlds.colors[idx])[:, 0] & worlds.alive[idx]
        world, thing = np.nonzero(live)
        cells = worlds.cells[idx[world], thing]
        inside = (cells[:, 0] >= 0) & (cells[:, 0] < w) & (cells[:, 1] >= 0) & (cells[:, 1] < h)
        masks[world[inside], cells[inside, 1], cells[inside, 0]] = True
    elif event == "reached_walk_end":
        ends = worlds.walk_ends[idx]
        named = things_named(worlds.table.entities, [what], worlds.colors[idx])[:, 0] & (ends[..., 0] >= 0)
        world, thing = np.nonzero(named)
        masks[world, ends[world, thing, 1], ends[world, thing, 0]] = True
    elif event == "entered_tile":
        masks[:] = worlds.tiles[idx] == TILE_INDEX[what]
    elif event == "entered_region":
        for x, y in rect_cells((regions or {}).get(what) or level.regions.get(what, ())):
            masks[:, y, x] = True
    return masks


def distances(free: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(..., C, H, W) shortest-path steps from each cell to each candidate's cells (inf where unreachable), for
    `free` (..., H, W) cells one can stand on: any number of layouts at once, so the iterations are paid once."""
    d = np.where(targets, np.float32(0), np.float32(np.inf))
    passable = free[..., None, :, :] | targets
    while True:
        n = d.copy()
        n[..., 1:, :] = np.minimum(n[..., 1:, :], d[..., :-1, :] + 1)
        n[..., :-1, :] = np.minimum(n[..., :-1, :], d[..., 1:, :] + 1)
        n[..., :, 1:] = np.minimum(n[..., :, 1:], d[..., :, :-1] + 1)
        n[..., :, :-1] = np.minimum(n[..., :, :-1], d[..., :, 1:] + 1)
        n = np.where(passable, n, np.inf)
        if np.array_equal(n, d):
            return d
        d = n


class DistanceMaps:
    """`distances`, each distinct map computed once: the layouts an inspection notes share most of theirs (the same
    walls around a place that does not move, a thing where it stood in another episode), and on a large level the
    relaxation of every layout's every candidate anew cost seconds per chunk. Kept up to `LIMIT` bytes of maps."""

    LIMIT = 1 << 27

    def __init__(self):
        self._maps: dict[bytes, np.ndarray] = {}
        self._bytes = 0

    def of(self, free: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N, C, H, W), as `distances(free, targets)` gives for `free` (N, H, W) and `targets` (N, C, H, W)."""
        n, c = targets.shape[:2]
        keys, missing = [], {}
        for i in range(n):
            ground = _digest(free[i])
            row = [ground + _digest(targets[i, k]) for k in range(c)]
            for k, key in enumerate(row):
                if key not in self._maps and key not in missing:
                    missing[key] = (i, k)
            keys.append(row)
        found = dict(self._maps)
        if missing:
            layouts, columns = map(np.array, zip(*missing.values()))
            new = distances(free[layouts], targets[layouts, columns][:, None])[:, 0]
            found.update(zip(missing, new))
            if self._bytes + new.nbytes <= self.LIMIT:
                self._maps.update(zip(missing, new))
                self._bytes += new.nbytes
        return np.stack([np.stack([found[key] for key in row]) for row in keys])


def _digest(cells: np.ndarray) -> bytes:
    return hashlib.blake2b(np.packbits(cells).tobytes() + bytes(str(cells.shape), "ascii"), digest_size=16).digest()


class Approach:
    """Reads every decision of an evaluation (`evaluate(..., on_step=...)`): per candidate, the agent's moves near it
    and those that came closer. A candidate made of things ("any gem", "the key1") is measured against the things
    still there when the move was made (after one of two gems is taken, the way to "any gem" is the way to the one
    left); places and tiles against the layout the episode started from.

    Each episode's layout is noted when it starts (where one can stand; the distances to each thing's cell and to
    each place or tile candidate) with the moves queued beside what was still there; the distances are computed in
    `rates` for every noted layout at once: one relaxation for hundreds of layouts costs little more than for one."""

    CHUNK = 64  # layouts whose distances are computed together, at most
    CHUNK_BYTES = 64 << 20  # and fewer where their maps would pass this (a 96 x 96 level of 190 candidates: 9)

    def __init__(self, level: Level, watched: list[Candidate], episodes: int | None = None):
        self.level, self.watched, self.episodes, self.ended = level, watched, episodes, 0
        goal = level.intended_goal
        events = [(goal.event, goal.what) if c.kind == "intended goal" else (c.event, c.what) for c in watched]
        self._things = [k for k, (event, _) in enumerate(events) if event in GOAL_EVENTS]  # made of things
        self._places = [k for k, (event, _) in enumerate(events) if event not in GOAL_EVENTS]
        self._whats = [events[k][1] for k in self._things]
        self._free: list[np.ndarray] = []  # per noted layout: (H, W) the cells one can stand on
        # per noted layout: (E + P, H, W) each thing's cell, each place, packed 8 cells a byte along W (a large level's
        # hundreds of layouts of 190 candidates took 700 MB as booleans)
        self._targets: list[np.ndarray] = []
        self._matches: list[np.ndarray] = []  # per noted layout: (T, E) the things each thing-candidate names
        self._layout: np.ndarray | None = None  # per world: the layout of its current episode
        self._alive: np.ndarray | None = None  # per world: the things there before this step
        self._moves: list[np.ndarray] = []  # (m, 5) layout, x0, y0, x1, y1
        self._there: list[np.ndarray] = []  # (m, E) the things there when each move was made

    def _note(self, worlds, idx) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        for first in range(0, len(idx), 16):  # (a few worlds at a time: hundreds of worlds' masks at once, 0.6 GB)
            self._note_some(worlds, idx[first:first + 16])

    def _note_some(self, worlds, idx: np.ndarray) -> None:
        self._layout[idx] = len(self._free) + np.arange(len(idx))
        tiles = worlds.tiles[idx]
        self._free.extend(~(TILE_SOLID[tiles] | TILE_DEADLY[tiles]))
        h, w = self.level.height, self.level.width
        n, e = len(idx), worlds.cells.shape[1]
        things = np.zeros((n, e, h, w), dtype=bool)
        cells = worlds.cells[idx]  # (n, E, 2)
        inside = (cells[..., 0] >= 0) & (cells[..., 0] < w) & (cells[..., 1] >= 0) & (cells[..., 1] < h)
        world, thing = np.nonzero(inside)
        things[world, thing, cells[world, thing, 1], cells[world, thing, 0]] = True
        places = target_masks(self.level, worlds, idx, [self.watched[k] for k in self._places])
        self._targets.extend(np.packbits(np.concatenate([things, places], axis=1), axis=-1))
        self._matches.extend(things_named(worlds.table.entities, self._whats, worlds.colors[idx]))

    def on_start(self, worlds) -> None:
        """The first episodes' worlds, before their first step (`evaluate(..., on_start=...)`): what is there when
        the first move is made (a thing picked up by the first step was there before it)."""
        self._layout = np.zeros(len(worlds.alive), dtype=np.int64)
        self._alive = worlds.alive.copy()
        self._note(worlds, range(len(worlds.alive)))

    def on_step(self, worlds, actions, before, after, ended, active) -> None:
        if self.episodes is not None and self.ended >= self.episodes:
            return  # enough episodes read
        h, w = self.level.height, self.level.width
        moved = ((after != before).any(1) & active & (before[:, 0] >= 0) & (before[:, 0] < w) & (before[:, 1] >= 0)
                 & (before[:, 1] < h) & (after[:, 0] >= 0) & (after[:, 0] < w) & (after[:, 1] >= 0) & (after[:, 1] < h))
        rows = np.nonzero(moved)[0]
        if len(rows):
            self._moves.append(np.column_stack([self._layout[rows], before[rows], after[rows]]))
            self._there.append(self._alive[rows].copy())
        self._alive[:] = worlds.alive  # (an ended world's: its next episode's)
        self.ended += sum(bool(active[i]) for i in ended)
        # (a world idle after the episodes counted replays its variant, none of it read: where short episodes ended
        # in thousands while the last counted one went on, noting each took gigabytes)
        self._note(worlds, [i for i in ended if active[i]])

    def rates(self) -> np.ndarray:
        """Per candidate, the share of the agent's moves near it that came closer (NaN: no move near it)."""
        return self.measure()[0]

    def measure(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate: the share of the agent's moves near it that came closer (NaN: no move near it); how
        straight it went there: over the episodes that reached it, the shortest way from the start over the moves
        it made to get there (1: straight there from the start; the first stop of a detour scores 1, what comes
        after it less, the cost of the detour paid on the way); and the moves it took to get there, on average over
        the same episodes (NaN, both: never reached)."""
        closer, near_moves = np.zeros(len(self.watched)), np.zeros(len(self.watched))
        straight, arrivals = np.zeros(len(self.watched)), np.zeros(len(self.watched))
        taken = np.zeros(len(self.watched))
        moves = np.concatenate(self._moves) if self._moves else np.zeros((0, 5), dtype=np.int64)
        there = np.concatenate(self._there) if self._there else np.zeros((0, 0), dtype=bool)
        order = self._things + self._places
        maps = DistanceMaps()
        h, w = self.level.height, self.level.width
        per_layout = 4 * h * w * (self._targets[0].shape[0] if self._targets else 1)  # (float32 distances)
        chunk = max(1, min(self.CHUNK, self.CHUNK_BYTES // per_layout))
        for first in range(0, len(self._free), chunk):
            last = min(first + chunk, len(self._free))
            mine = (moves[:, 0] >= first) & (moves[:, 0] < last)
            if not mine.any():
                continue
            m, present = moves[mine], there[mine]
            targets = np.unpackbits(np.stack(self._targets[first:last]), axis=-1, count=w).astype(bool)
            d = maps.of(np.stack(self._free[first:last]), targets)
            layout = m[:, 0] - first
            e = present.shape[1]
            d0, d1 = d[layout, :, m[:, 2], m[:, 1]], d[layout, :, m[:, 4], m[:, 3]]  # (moves, E + P)
            # a thing-candidate's distance: to the nearest of the things it names that were still there
            named = np.stack(self._matches[first:last])[layout] & present[:, None, :]  # (moves, T, E)
            # (initial: a level may hold no thing at all)
            d0 = np.concatenate([np.where(named, d0[:, None, :e], np.inf).min(2, initial=np.inf), d0[:, e:]], axis=1)
            d1 = np.concatenate([np.where(named, d1[:, None, :e], np.inf).min(2, initial=np.inf), d1[:, e:]], axis=1)
            near = np.isfinite(d0) & (d0 > 0)  # a move inside the target neither approaches nor leaves it
            near_moves[order] += near.sum(0)
            closer[order] += (near & (d1 < d0)).sum(0)
            # each layout's moves are in the order they were made: number them within their layout
            by_layout = np.argsort(layout, kind="stable")
            count = np.bincount(layout, minlength=last - first)
            nth = np.empty(len(m), dtype=np.int64)
            nth[by_layout] = np.arange(len(m)) - np.repeat(np.cumsum(count) - count, count)
            start = np.full((last - first, d0.shape[1]), np.nan)  # the way from the start (the first move's cell)
            start[layout[nth == 0]] = d0[nth == 0]
            arrived = np.full((last - first, d0.shape[1]), np.inf)  # the move that first got there
            row, col = np.nonzero(d1 == 0)
            np.minimum.at(arrived, (layout[row], col), nth[row] + 1)
            ok = np.isfinite(arrived) & (start > 0)
            straight[order] += np.where(ok, np.minimum(start / np.where(ok, arrived, 1), 1.0), 0.0).sum(0)
            taken[order] += np.where(ok, arrived, 0.0).sum(0)
            arrivals[order] += ok.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            reached = np.maximum(arrivals, 1)
            return (np.where(near_moves > 0, closer / np.maximum(near_moves, 1), np.nan),
                    np.where(arrivals > 0, straight / reached, np.nan), np.where(arrivals > 0, taken / reached, np.nan))


def approach_rates(policy, level: Level, watched: list[Candidate], split: str, episodes: int, seed: int,
                   view: str, radius: int) -> np.ndarray:
    """Per candidate, the share of the agent's moves (changes of cell) that brought it closer (NaN: no move near
    it)."""
    watching = Approach(level, watched)
    evaluate(policy, level, split, episodes, seed=seed, record=0, view=view, radius=radius, on_step=watching.on_step,
             on_start=watching.on_start)
    return watching.rates()
