"""The physics engine: pymunk worlds, top-down or side-view with gravity (run, jump, push crates).

One cell is one unit; y grows downwards like the level rows, so gravity is +y. Solid tiles are merged into as few
static boxes as possible. Each decision step runs `SUBSTEPS` fixed physics steps. The engine reports the same event
columns as the grid engine, so rewards and outcomes do not care which engine ran.
"""
from __future__ import annotations

import functools

import numpy as np
import pymunk

from levels.format import Level

from game.world.entities import REGISTRY
from game.world.events import EventTable
from game.world.grid import MOVES
from game.world.variants import TILE_SOLID, Variant

DT = 1.0 / 60.0
SUBSTEPS = 4  # 15 decisions per simulated second
AGENT_HALF = 0.38
ITEM_RADIUS = 0.35
FALL_MARGIN = 1.0  # cells below the grid at which a side-view agent has fallen out

_ALL = pymunk.ShapeFilter()

# Collision types, named by what they are.
AGENT, SOLID, ITEM, DOOR, CRATE = 1, 2, 3, 4, 5


@functools.lru_cache(maxsize=512)
def merged_solid_boxes(solid_bytes: bytes, h: int, w: int) -> tuple[tuple[int, int, int, int], ...]:
    """Cover the solid cells with few rectangles (x, y, w, h): runs along rows, then equal runs stacked."""
    solid = np.frombuffer(solid_bytes, dtype=bool).reshape(h, w)
    runs: dict[tuple[int, int], list[int]] = {}  # (x, width) -> open rect [y, height]
    boxes = []
    for y in range(h):
        row_runs, x = [], 0
        while x < w:
            if solid[y, x]:
                x0 = x
                while x < w and solid[y, x]:
                    x += 1
                row_runs.append((x0, x - x0))
            else:
                x += 1
        for key in list(runs):
            if key not in row_runs:
                y0, rh = runs.pop(key)
                boxes.append((key[0], y0, key[1], rh))
        for key in row_runs:
            if key in runs:
                runs[key][1] += 1
            else:
                runs[key] = [y, 1]
    boxes += [(x, y0, rw, rh) for (x, rw), (y0, rh) in runs.items()]
    return tuple(sorted(boxes))


def _box(body: pymunk.Body, x: float, y: float, w: float, h: float) -> pymunk.Poly:
    return pymunk.Poly(body, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)])


class PhysicsWorld:
    """One level variant in a pymunk space."""

    def __init__(self, level: Level, table: EventTable):
        self.level, self.table = level, table
        self.side_view = level.world == "sideview"
        self.kinds = [REGISTRY[e.kind] for e in table.entities]
        s = level.physics
        self.move_speed, self.jump_speed, self.gravity = s.move_speed, s.jump_speed, s.gravity

    def load(self, v: Variant) -> None:
        s = self.level.physics
        self.tiles = v.tiles
        h, w = v.tiles.shape
        space = pymunk.Space()
        space.gravity = (0.0, s.gravity if self.side_view else 0.0)
        static = space.static_body
        shapes = [_box(static, *b) for b in merged_solid_boxes(TILE_SOLID[v.tiles].tobytes(), h, w)]
        # The level's edges are walls; a side-view level is open at the bottom so the agent can fall out.
        shapes += [_box(static, -1, -1, 1, h + 2), _box(static, w, -1, 1, h + 2), _box(static, -1, -1, w + 2, 1)]
        if not self.side_view:
            shapes.append(_box(static, -1, h, w + 2, 1))
        for shape in shapes:
            shape.collision_type = SOLID
            shape.friction = 0.0
        self.agent = pymunk.Body(1.0, float("inf"))
        self.agent.position = (v.agent[0] + 0.5, v.agent[1] + 0.5)
        a = AGENT_HALF
        if self.side_view:
            agent_shape = pymunk.Poly(self.agent, [(-a, -a), (a, -a), (a, a), (-a, a)], radius=0.02)
        else:
            agent_shape = pymunk.Circle(self.agent, a)
        self.agent.velocity_func = self._steer
        self.move, self.jump = MOVES[0], False
        agent_shape.collision_type = AGENT
        agent_shape.friction = 0.0
        space.add(self.agent, agent_shape, *shapes)

        self.alive = v.present.copy()
        self.cells = v.cells.copy()
        self.entity_shapes: list[pymunk.Shape | None] = []
        for i, kind in enumerate(self.kinds):
            if not self.alive[i]:
                self.entity_shapes.append(None)
                continue
            cx, cy = v.cells[i] + 0.5
            if kind.pushable:
                body = pymunk.Body(2.0, float("inf"))
                body.position = (cx, cy)
                shape = pymunk.Poly(body, [(-0.45, -0.45), (0.45, -0.45), (0.45, 0.45), (-0.45, 0.45)])
                shape.collision_type, shape.friction = CRATE, 0.6
                space.add(body, shape)
            elif kind.blocks_without_key:
                shape = _box(static, cx - 0.5, cy - 0.5, 1, 1)
                shape.collision_type = DOOR
                space.add(shape)
            else:
                shape = pymunk.Circle(static, ITEM_RADIUS, offset=(cx, cy))
                shape.sensor = True
                shape.collision_type = ITEM
                space.add(shape)
            shape.entity_index = i
            self.entity_shapes.append(shape)
        space.on_collision(AGENT, ITEM, begin=self._agent_touches_item)
        space.on_collision(AGENT, DOOR, begin=self._agent_meets_door)
        self.space = space
        self.keys = 0
        self.touches: list[int] = []
        self.cell = (int(v.agent[0]), int(v.agent[1]))

    def _steer(self, body: pymunk.Body, gravity, damping: float, dt: float) -> None:
        """The agent's controls act inside pymunk's velocity update, before contacts are solved; setting the
        velocity from outside the step would let the agent push into walls."""
        dx, dy = self.move
        if self.side_view:
            vx, vy = body.velocity
            vy = -self.jump_speed if self.jump else vy + self.gravity * dt
            # "up" and "down" keep the run going, so a running jump carries on; only "stay" stops.
            body.velocity = (vx if dx == 0 and dy != 0 else dx * self.move_speed, vy)
        else:
            body.velocity = (dx * self.move_speed, dy * self.move_speed)

    # Collision handlers record what happened; the effects are applied between steps, outside the solver.
    def _agent_touches_item(self, arbiter: pymunk.Arbiter, space, data) -> None:
        self.touches.append(arbiter.shapes[1].entity_index)

    def _agent_meets_door(self, arbiter: pymunk.Arbiter, space, data) -> None:
        if self.keys > 0:
            arbiter.process_collision = False
            self.touches.append(arbiter.shapes[1].entity_index)

    def _on_ground(self) -> bool:
        """Something solid right under the feet. The probe is narrower than the agent, so touching a wall's side
        (or a ledge's corner, within pymunk's collision slop) never counts as ground: no wall jumps."""
        x, y = self.agent.position
        a = AGENT_HALF
        probe = pymunk.BB(x - a + 0.15, y + a, x + a - 0.15, y + a + 0.08)
        return any(not shape.sensor and shape.body is not self.agent for shape in self.space.bb_query(probe, _ALL))

    def step(self, action: int, events: np.ndarray) -> None:
        """Advance one decision step and add its events to `events` (one row of the batch's matrix)."""
        table = self.table
        self.move = MOVES[action]
        for _ in range(SUBSTEPS):
            self.jump = self.side_view and self.move[1] < 0 and self._on_ground()
            self.space.step(DT)
            if self.touches:
                self._apply_touches(events)
        for i, kind in enumerate(self.kinds):
            if kind.pushable and self.alive[i]:
                x, y = self.entity_shapes[i].body.position
                self.cells[i] = (int(np.floor(x)), int(np.floor(y)))
        x, y = self.agent.position
        h, w = self.level.height, self.level.width
        cell = (int(np.floor(x)), int(np.floor(y)))
        if cell != self.cell and 0 <= cell[0] < w and 0 <= cell[1] < h:
            events[table.tiles.start + self.tiles[cell[1], cell[0]]] += 1
        self.cell = cell
        if y > h + FALL_MARGIN:
            events[table.fell] = 1

    def _apply_touches(self, events: np.ndarray) -> None:
        table = self.table
        for i in self.touches:
            shape = self.entity_shapes[i]
            if shape is None or not self.alive[i]:
                continue
            kind = self.kinds[i]
            events[table.touched.start + i] += 1
            gone = kind.collected
            if gone:
                events[table.picked_up.start + i] += 1
            if kind.gives_key:
                self.keys += 1
            elif kind.opens_with_key and self.keys > 0:
                self.keys -= 1
                events[table.opened.start + i] += 1
                gone = True
            if gone:
                self.alive[i] = False
                self.space.remove(shape)
                self.entity_shapes[i] = None
        self.touches.clear()


class PhysicsWorlds:
    """A batch of physics worlds with the same arrays and `step` as `GridWorlds` (stepped one by one)."""

    engine = "physics"

    def __init__(self, level: Level, n: int):
        self.level, self.n = level, n
        self.table = EventTable(level)
        self.worlds = [PhysicsWorld(level, self.table) for _ in range(n)]
        h, w, e = level.height, level.width, len(self.table.entities)
        self.tiles = np.zeros((n, h, w), dtype=np.int8)
        self.agent_pos = np.zeros((n, 2), dtype=np.float32)
        self.agent_vel = np.zeros((n, 2), dtype=np.float32)
        self.cells = np.zeros((n, e, 2), dtype=np.int32)
        self.alive = np.zeros((n, e), dtype=bool)
        self.colors = np.zeros((n, e), dtype=np.int8)
        self.keys = np.zeros(n, dtype=np.int32)
        self.shields = np.zeros(n, dtype=np.int32)  # always 0: shields are grid-only (the same names as the grid's)
        self.region_masks = self.table.region_masks(level)
        self.in_region = np.zeros((n, len(self.table.regions)), dtype=bool)

    @property
    def agent_cell(self) -> np.ndarray:
        return np.floor(self.agent_pos).astype(np.int32)

    def load(self, idx: np.ndarray, variants: list[Variant]) -> None:
        """Worlds `idx` take these variants' layouts (and the keys the agent holds in them)."""
        for i, v in zip(idx, variants):
            world = self.worlds[i]
            world.load(v)
            world.keys = v.keys
            self.tiles[i] = v.tiles
            self.colors[i] = v.colors
            self._read(i)
        self.in_region[idx] = self._regions_at(self.agent_cell[idx])

    def walkers_now(self, i: int) -> tuple[dict, None, int]:
        """No walkers here: monsters and guides live in grid worlds (the level format says so)."""
        return {}, None, 0

    def _read(self, i: int) -> None:
        world = self.worlds[i]
        self.agent_pos[i] = world.agent.position
        self.agent_vel[i] = world.agent.velocity
        self.cells[i] = world.cells
        self.alive[i] = world.alive
        self.keys[i] = world.keys

    def _regions_at(self, cells: np.ndarray) -> np.ndarray:
        h, w = self.tiles.shape[1:]
        x = np.clip(cells[:, 0], 0, w - 1)
        y = np.clip(cells[:, 1], 0, h - 1)
        inside = (cells[:, 0] >= 0) & (cells[:, 0] < w) & (cells[:, 1] >= 0) & (cells[:, 1] < h)
        return self.region_masks[:, y, x].T & inside[:, None]

    def step(self, actions: np.ndarray) -> np.ndarray:
        table = self.table
        events = np.zeros((self.n, table.width), dtype=np.float32)
        for i, world in enumerate(self.worlds):
            world.step(int(actions[i]), events[i])
            self._read(i)
        in_now = self._regions_at(self.agent_cell)
        events[:, table.region_cols] = in_now & ~self.in_region
        self.in_region = in_now
        return events

