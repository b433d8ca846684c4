"""What an agent's episodes did, read off every decision (`evaluate(..., on_step=...)`), with nothing from the level
file: where they passed, lingered and ended (`Footprints`), and how often a mindless device would have chosen
the same action (`Devices`). `agents.places_found` turns footprints into candidate places; `agents.inspection`
weighs devices against goals (Orseau et al. 2018, *Agents and Devices*: behaviour a device explains as well has no
goal to name).
"""
from __future__ import annotations

import numpy as np

from game.world import ACTIONS
from game.world.variants import TILE_SOLID

STAY, UP, DOWN, LEFT, RIGHT = (ACTIONS.index(a) for a in ("stay", "up", "down", "left", "right"))
MOVES = {UP: (0, -1), DOWN: (0, 1), LEFT: (-1, 0), RIGHT: (1, 0)}
TURN_LEFT = {UP: LEFT, LEFT: DOWN, DOWN: RIGHT, RIGHT: UP}
TURN_RIGHT = {v: k for k, v in TURN_LEFT.items()}
BACK = {UP: DOWN, DOWN: UP, LEFT: RIGHT, RIGHT: LEFT}


SETTLED = 4  # an episode the time limit cut ended where the agent was going if its last steps stayed near it


class Footprints:
    """Per cell, over the counted episodes: how many passed through it, how many ended on it, and the steps spent
    on it. `time_limit`: the split's episode length (None: every end counts as where the agent came to rest);
    `settle`: the last steps an agent at rest stayed near where it ended (enough for a walker to cross cells);
    `rise`: how far up or down an agent staying somewhere may move (a cell; in a side view, its jump's height)."""

    def __init__(self, height: int, width: int, time_limit: int | None = None, settle: int = SETTLED,
                 rise: int = 1):
        self.h, self.w, self.time_limit, self.settle, self.rise = height, width, time_limit, settle, rise
        self.passed = np.zeros((height, width), dtype=np.int64)
        self.ended = np.zeros((height, width), dtype=np.int64)
        # ... of which where the agent came to rest, not at the intended goal: an episode the goal ended says where
        # the goal was (the gem met in the row every run follows to the far wall), as one another thing ended says
        # where that thing was (a twin of the goal, beside the patch every run crosses to reach either), and one the
        # time limit cut while the agent was on its way says where the clock stopped (a patrol), not where the agent
        # was going
        self.stopped_off_goal = np.zeros((height, width), dtype=np.int64)
        self.wandering = 0  # ... the episodes the time limit cut on the way
        self.dwell = np.zeros((height, width), dtype=np.int64)
        self.episodes = 0
        self._seen: np.ndarray | None = None  # (worlds, H, W): the cells the current episode of each world passed
        self._recent: np.ndarray | None = None  # (worlds, settle, 2): each world's last cells, a ring
        self._steps: np.ndarray | None = None  # (worlds,): steps of its current episode

    def _inside(self, cells: np.ndarray) -> np.ndarray:
        return (cells[:, 0] >= 0) & (cells[:, 0] < self.w) & (cells[:, 1] >= 0) & (cells[:, 1] < self.h)

    def on_step(self, worlds, actions, before, after, ended, active) -> None:
        n = len(after)
        if self._seen is None:
            self._seen = np.zeros((n, self.h, self.w), dtype=bool)
            first = self._inside(before)
            self._seen[np.nonzero(first)[0], before[first, 1], before[first, 0]] = True
            self._recent, self._steps = np.zeros((n, self.settle, 2), dtype=np.int64), np.zeros(n, dtype=np.int64)
        self._recent[np.arange(n), self._steps % self.settle] = after
        self._steps += 1
        inside = self._inside(after) & active
        rows = np.nonzero(inside)[0]
        self._seen[rows, after[rows, 1], after[rows, 0]] = True
        np.add.at(self.dwell, (after[rows, 1], after[rows, 0]), 1)
        for i in ended:
            if active[i]:
                self.episodes += 1
                self.passed += self._seen[i]
                if inside[i]:
                    self.ended[after[i, 1], after[i, 0]] += 1
                    report = ended[i]
                    # (the goal, or another thing, ended it: where that was)
                    off_goal = report.goal_step != report.length and not report.ended_at_thing
                    if off_goal and self._came_to_rest(i, report.length, after[i]):
                        self.stopped_off_goal[after[i, 1], after[i, 0]] += 1
                    elif off_goal:
                        self.wandering += 1
            self._seen[i] = False
            self._steps[i] = 0
            # the next episode of this world starts where the worlds put it now
            x, y = np.floor(worlds.agent_pos[i]).astype(np.int64)
            if 0 <= x < self.w and 0 <= y < self.h:
                self._seen[i, y, x] = True

    def _came_to_rest(self, world: int, length: int, end: np.ndarray) -> bool:
        """Whether world's episode of `length` steps ended where the agent was going: something ended it before
        the time limit, or its last `settle` steps stayed within a cell of `end` across, and `rise` along (pushing
        at a wall, hovering, hopping)."""
        if self.time_limit is None or length < self.time_limit:
            return True
        apart = np.abs(self._recent[world] - end)
        return bool(self._steps[world] >= self.settle and apart[:, 0].max() <= 1 and apart[:, 1].max() <= self.rise)

    def shares(self) -> dict[str, np.ndarray]:
        """Per cell: the share of episodes passing it, ending on it, and the share of all steps spent on it."""
        n = max(self.episodes, 1)
        return {"passed": self.passed / n, "ended": self.ended / n, "dwell": self.dwell / max(self.dwell.sum(), 1)}


DEVICES = {  # name -> what it does, in words
    "right": "moves right whatever happens", "left": "moves left whatever happens",
    "up": "moves up whatever happens", "down": "moves down whatever happens",
    "left wall": "follows the wall on its left", "right wall": "follows the wall on its right",
    "still": "stands still",
}
FIXED = {"right": RIGHT, "left": LEFT, "up": UP, "down": DOWN, "still": STAY}


class Devices:
    """For each device, the share of the agent's decisions that the device would have made the same: a fixed
    direction, standing still, or keeping a hand on a wall (grid levels: the wall followers read the world's
    walls and the agent's last move)."""

    def __init__(self, grid: bool):
        self.names = [n for n in DEVICES if grid or n in FIXED]
        self.same = dict.fromkeys(self.names, 0)
        self.decisions = 0
        self._heading: np.ndarray | None = None

    def on_step(self, worlds, actions, before, after, ended, active) -> None:
        counted = np.nonzero(active)[0]
        self.decisions += len(counted)
        chosen = actions[counted]
        for name, action in FIXED.items():
            if name in self.same:
                self.same[name] += int((chosen == action).sum())
        if "left wall" in self.same:
            if self._heading is None:
                self._heading = np.full(len(actions), -1, dtype=np.int64)
            for i in counted:
                heading = int(self._heading[i])
                if heading >= 0:
                    for name, turn in (("left wall", TURN_LEFT), ("right wall", TURN_RIGHT)):
                        self.same[name] += int(actions[i] == _follow(worlds, i, before[i], heading, turn))
            moved = np.any(after != before, axis=1)
            self._heading[moved] = actions[moved]
            self._heading[list(ended)] = -1

    def agreement(self) -> dict[str, float]:
        return {n: self.same[n] / max(self.decisions, 1) for n in self.names}


class DevicePolicy:
    """A device played as a policy, to see where it goes: a fixed action, or a hand on a wall."""

    reads_observations = False

    def __init__(self, name: str):
        self.name = name
        self.heading: np.ndarray | None = None

    def __call__(self, obs, worlds) -> np.ndarray:
        n = len(obs)
        if self.name in FIXED:
            return np.full(n, FIXED[self.name], dtype=np.int64)
        cells = np.floor(worlds.agent_pos).astype(np.int64)
        if self.heading is None:
            self.heading = np.full(n, UP, dtype=np.int64)
        turn = TURN_LEFT if self.name == "left wall" else TURN_RIGHT
        actions = np.array([_follow(worlds, i, cells[i], int(self.heading[i]), turn) for i in range(n)])
        self.heading = np.where(actions != STAY, actions, self.heading)
        return actions


def ends_apart(a: Footprints, b: Footprints) -> float:
    """How differently two players' episodes end: the total variation distance between where they end (0: the
    same cells as often, 1: never the same)."""
    pa, pb = a.ended / max(a.ended.sum(), 1), b.ended / max(b.ended.sum(), 1)
    return float(np.abs(pa - pb).sum() / 2)


def _follow(worlds, i: int, cell, heading: int, turn: dict) -> int:
    """The move a wall follower makes from `cell` heading `heading`: towards its wall side if open, else ahead,
    else away from it, else back."""
    h, w = worlds.tiles.shape[1:]
    for move in (turn[heading], heading, BACK[turn[heading]], BACK[heading]):
        dx, dy = MOVES[move]
        x, y = int(cell[0]) + dx, int(cell[1]) + dy
        if 0 <= x < w and 0 <= y < h and not TILE_SOLID[worlds.tiles[i, y, x]]:
            return move
    return STAY
