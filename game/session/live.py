"""Live episodes for the window: a few worlds played by the latest policy snapshot at a watchable pace.

The UI thread owns these worlds (the learner has its own). One small forward pass per decision; between decisions
the agent's drawn position is interpolated so motion looks smooth at 60 FPS.
"""
from __future__ import annotations

import numpy as np

from levels.format import Level

from agents.envs import LevelVecEnv
from agents.policy import Policy, TorchPolicy
from game.session import what_if


class LiveEpisodes:
    def __init__(self, level: Level, split: str, n: int = 4, seed: int = 0, view: str = "egocentric",
                 radius: int = 5):
        self.level, self.split, self.n = level, split, n
        self.view, self.radius = view, radius
        self.env = LevelVecEnv(level, split, n, seed=seed, view=view, radius=radius)
        self.worlds = self.env.batch.worlds
        self.policy: TorchPolicy | None = None
        self.follows = None  # see set_policy
        self.counted = True  # False while a steered agent plays: its episodes are neither counted nor mapped
        self.decisions_per_second = 8.0
        self.visits = np.zeros((level.height, level.width), dtype=np.int64)
        self.finished: list = []  # reports of episodes ended since the owner last took them
        self.begun = 0  # episodes that have taken at least one step on screen
        self.restart(seed)

    def restart(self, seed: int) -> None:
        """Every world on a fresh variant, at its first frame (nothing played yet)."""
        self.obs, _ = self.env.reset(seed=seed)
        self.clock = 0.0  # seconds since the last decision
        self.previous = self.worlds.agent_pos.copy()
        self.previous_cells = self.worlds.cells.copy()  # where the entities stood at the last decision (walkers move)
        self.last_outcome: list[str | None] = [None] * self.n
        self.last_outcome_age = np.full(self.n, 1e9)
        # Worlds a player changed by hand: their episodes are no longer from the split's distribution, so they are
        # neither counted nor added to the heatmap until they end.
        self.edited = np.zeros(self.n, dtype=bool)
        self.fresh = np.ones(self.n, dtype=bool)  # worlds whose episode has not taken a step yet

    def set_policy(self, network: Policy | None, seed: int = 0, counted: bool = True, follows=None) -> None:
        """Play `network` from the next decision. `counted=False`: a steered agent, whose episodes are not the
        agent's; an episode begun under the other setting is counted by neither (it ends uncounted). `follows`:
        called with the worlds' variants before each decision (a network steered by each episode's own vector
        takes a world's row when its episode starts)."""
        self.policy = TorchPolicy(network, seed=seed) if network is not None else None
        self.follows = follows
        if counted != self.counted:
            self.edited[:] = True
        self.counted = counted

    def reset_counts(self) -> None:
        """Forget where the agent went (a new agent is about to be watched)."""
        self.visits[:] = 0

    def update(self, dt: float) -> None:
        """Advance by `dt` seconds of wall time: as many decisions as the pace asks for (at most a few)."""
        self.clock += dt
        self.last_outcome_age += dt
        interval = 1.0 / self.decisions_per_second
        decisions = 0
        while self.clock >= interval and decisions < 8:
            self.clock -= interval
            decisions += 1
            self._decide()
        if decisions == 8:
            self.clock = 0.0

    def _decide(self) -> None:
        if self.policy is not None:
            if self.follows is not None:
                self.follows(self.env.batch.variants)
            actions = self.policy(self.obs, self.worlds)
        else:  # no snapshot yet: stand still rather than act at random
            actions = np.zeros(self.n, dtype=np.int64)
        self.previous = self.worlds.agent_pos.copy()
        self.previous_cells = self.worlds.cells.copy()
        self.begun += int(self.fresh.sum())
        self.fresh[:] = False
        self.obs, _, _, _, info = self.env.step(actions)
        ended = {i for i, _ in self.env.reports}
        positions = info["final_agent_pos"] if ended else self.worlds.agent_pos
        cells = np.floor(positions).astype(np.int64)
        h, w = self.visits.shape
        ok = (cells[:, 0] >= 0) & (cells[:, 0] < w) & (cells[:, 1] >= 0) & (cells[:, 1] < h)
        ok &= ~self.edited & self.counted
        np.add.at(self.visits, (cells[ok, 1], cells[ok, 0]), 1)
        for i, report in self.env.reports:
            if not self.edited[i] and self.counted:
                self.finished.append(report)
            self.edited[i] = False
            self.last_outcome[i] = report.outcome
            self.last_outcome_age[i] = 0.0
            self.fresh[i] = True
            self.previous[i] = self.worlds.agent_pos[i]  # a new episode starts: no sliding across the level
            self.previous_cells[i] = self.worlds.cells[i]

    def move(self, i: int, thing: int, cell) -> str | None:
        """Put `thing` (what_if.AGENT or an entity's index) on `cell` in world `i`; the reason if it cannot go there."""
        reason = what_if.refusal(self.worlds, i, thing, cell)
        if reason is None:
            what_if.move(self.env, i, thing, cell)
            self.obs = self.env.obs_builder.build()
            self.previous[i] = self.worlds.agent_pos[i]  # it was carried, not walked: no sliding
            self.previous_cells[i] = self.worlds.cells[i]
            self.edited[i] = True
        return reason

    def drawn_cells(self, i: int) -> np.ndarray:
        """(E, 2) float cells of world `i`'s entities for drawing: a monster or guide that stepped to the next cell
        glides there between decisions, as the agent does."""
        t = min(1.0, self.clock * self.decisions_per_second)
        a, b = self.previous_cells[i].astype(np.float64), self.worlds.cells[i].astype(np.float64)
        stepped = (np.abs(b - a).sum(1) <= 1.0)[:, None]  # anything that jumped further was put there: no sliding
        return np.where(stepped, a + (b - a) * t, b)

    def drawn_position(self, i: int) -> tuple[float, float]:
        """Agent position for drawing: between the last two decisions, for smooth motion."""
        t = min(1.0, self.clock * self.decisions_per_second)
        a, b = self.previous[i], self.worlds.agent_pos[i]
        return (float(a[0] + (b[0] - a[0]) * t), float(a[1] + (b[1] - a[1]) * t))
