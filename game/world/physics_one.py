"""One physics world, stepped with Python numbers: what the single Gymnasium env, a what-if probe and an exported
film play.

The batch engine (`game.world.physics`) spends a fixed few dozen numpy calls on a decision whatever the number of
worlds (the forces of four substeps, the ground under a jumping agent, cells, regions): cheap per world at 64, and
for one world most of the step, where pymunk's own step is a tenth of it. Here the agent is steered and read through
the body's own attributes and the rest is Python comparisons; touching things goes through the batch's
`_apply_touches` (the one `meet()` of every engine). The same forces from the same numbers: tests/test_grid_one.py
plays both engines side by side on every physics level, and the recorded traces of tests/test_worlds.py (one world)
hold this one to the engine's history.
"""
from __future__ import annotations

import math

import numpy as np

from game.world.grid import MOVES
from game.world.physics import AGENT_HALF, DT, FALL_MARGIN, SUBSTEPS, PhysicsWorlds

_MOVES = MOVES.tolist()


class OnePhysicsWorld(PhysicsWorlds):
    """`PhysicsWorlds` with n = 1 and a `step` without the batch machinery's fixed cost."""

    def __init__(self, level, n: int = 1):
        if n != 1:
            raise ValueError("OnePhysicsWorld holds one world: use PhysicsWorlds for a batch")
        super().__init__(level, 1)

    def step(self, actions: np.ndarray) -> np.ndarray:
        table, body, space = self.table, self.agents[0], self.space
        events = np.zeros((1, table.width), dtype=np.float32)
        mx, my = _MOVES[int(actions[0])]
        wanted_x, wanted_y = mx * self.move_speed, my * self.move_speed
        keep_run, up = mx == 0 and my != 0, my < 0  # as the batch's `step` reads the controls
        for _ in range(SUBSTEPS):
            vx, vy = body.velocity
            if self.side_view:
                fx, fy = ((vx if keep_run else wanted_x) - vx) / DT, 0.0
                if up and self._on_ground_at(*body.position):
                    fy = (-self.jump_speed - vy) / DT - self.gravity
            else:
                fx, fy = (wanted_x - vx) / DT, (wanted_y - vy) / DT
            body.force = (fx, fy)
            space.step(DT)
            if self._touches:
                self._apply_touches(events)
        self._read()
        h, w = self.level.height, self.level.width
        x, y = self.agent_pos[0].tolist()
        cx, cy = math.floor(x), math.floor(y)  # (the float32 position's cell: `cells_at`)
        inside = 0 <= cx < w and 0 <= cy < h
        if inside and [cx, cy] != self.cell[0].tolist():
            events[0, table.tiles.start + int(self.tiles[0, cy, cx])] += 1
        self.cell = np.array([[cx, cy]], dtype=np.int32)
        if y > h + FALL_MARGIN:
            events[0, table.fell] = 1
        in_now = self.region_masks[:, min(max(cy, 0), h - 1), min(max(cx, 0), w - 1)] & inside
        events[0, table.region_cols] = in_now & ~self.in_region[0]
        self.in_region = in_now[None, :]
        return events

    def _read(self) -> None:
        """The batch's `_read` from the body's own attributes (the batch read costs more than the step for one)."""
        body = self.agents[0]
        x, y = body.position
        self.agent_pos[0] = (x - float(self.origin[0]), y)
        self.agent_vel[0] = tuple(body.velocity)
        self._read_crates()

    def _on_ground_at(self, x: float, y: float) -> bool:
        """The batch's `_on_ground` for the agent at (x, y), cell by cell: the same probe, the same inclusive
        bounding-box rule, the same numbers."""
        a, ox = AGENT_HALF, float(self.origin[0])
        left, right, top, bottom = x - a + 0.15, x + a - 0.15, y + a, y + a + 0.08
        solid = self._solid[0]
        h, w = solid.shape
        first_x, first_y = math.floor(left - ox), math.floor(top)
        for cy in range(first_y - 1, first_y + 2):
            if not (cy <= bottom and top <= cy + 1 and -1 <= cy < h - 1):
                continue
            for cx in range(first_x - 1, first_x + 3):
                cell_left = ox + cx
                if cell_left <= right and left <= cell_left + 1 and -1 <= cx < w - 1 and solid[cy + 1, cx + 1]:
                    return True
        for k in self._crates:  # a crate is ground too
            if self.alive[0, k]:
                kx, ky = self._crate_bodies[0][k].position
                if kx - 0.45 <= right and left <= kx + 0.45 and ky - 0.45 <= bottom and top <= ky + 0.45:
                    return True
        return False
