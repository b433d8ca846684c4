"""The physics engine: pymunk worlds, top-down or side-view with gravity (run, jump, push crates).

One cell is one unit; y grows downwards like the level rows, so gravity is +y. Solid tiles are merged into as few
static boxes as possible. Each decision step runs `SUBSTEPS` fixed physics steps. The engine reports the same event
columns as the grid engine, so rewards and outcomes do not care which engine ran.

Every world of a batch lives in **one** pymunk space, side by side (`GAP` empty cells apart, so nothing of one reaches
another), and the space is stepped once for all of them: stepping costs one call into Chipmunk, not one per world.
The controls are forces computed for all agents at once with numpy and written with `pymunk.batch` (a velocity
callback per body cost more than the physics itself). Episodes restart by moving the agent and swapping the
variant's shapes; a world's walls stay while its tiles do.
"""
from __future__ import annotations

import functools

import numpy as np
import pymunk
import pymunk.batch

from levels.format import Level
from levels.vocabulary import ENTITY_TABLE

from game.world.events import EventTable
from game.world.meeting import KindFlags, meet
from game.world.grid import MOVES
from game.world.variants import TILE_SOLID, Variant

DT = 1.0 / 60.0
SUBSTEPS = 4  # 15 decisions per simulated second
AGENT_HALF = 0.38
ITEM_RADIUS = 0.35
FALL_MARGIN = 1.0  # cells below the grid at which a side-view agent has fallen out
GAP = 8  # empty cells between two worlds of a batch: their edge walls never meet

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


def cells_at(positions: np.ndarray) -> np.ndarray:
    """The cells of positions, from the positions as float32 (as `agent_pos` holds them): an agent that walked
    exactly to a cell's edge is there whatever the last bits of the sum of its moves say, and every reader of
    `agent_pos` finds the cell the events were counted in."""
    return np.floor(np.asarray(positions, dtype=np.float32)).astype(np.int32)


def _box(body: pymunk.Body, x: float, y: float, w: float, h: float) -> pymunk.Poly:
    return pymunk.Poly(body, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)])


def _walls(static: pymunk.Body, tiles: np.ndarray, side_view: bool, ox: float) -> list[pymunk.Shape]:
    """The solid tiles and the level's edges of one world whose left edge is at x = `ox`. A side-view level is open
    at the bottom so the agent can fall out."""
    h, w = tiles.shape
    boxes = list(merged_solid_boxes(TILE_SOLID[tiles].tobytes(), h, w))
    boxes += [(-1, -1, 1, h + 2), (w, -1, 1, h + 2), (-1, -1, w + 2, 1)] + ([] if side_view else [(-1, h, w + 2, 1)])
    shapes = [_box(static, ox + x, y, bw, bh) for x, y, bw, bh in boxes]
    for shape in shapes:
        shape.collision_type = SOLID
        shape.friction = 0.0
    return shapes


def _solid_around(tiles: np.ndarray) -> np.ndarray:
    """The solid cells of a side-view level with a border of one cell: its left, right and top edges are walls
    down to one row below the level (as `_walls` builds them); the bottom is open."""
    h, w = tiles.shape
    solid = np.zeros((h + 2, w + 2), dtype=bool)
    solid[1:-1, 1:-1] = TILE_SOLID[tiles]
    solid[:, 0] = solid[:, -1] = solid[0, :] = True
    return solid


def _entity(static: pymunk.Body, kind, cx: float, cy: float) -> tuple[pymunk.Shape, pymunk.Body | None]:
    """One entity's shape at the centre (cx, cy): a crate is a body of its own, a door a solid box, the rest are
    sensors the agent touches."""
    if kind.pushable:
        body = pymunk.Body(2.0, float("inf"))
        body.position = (cx, cy)
        shape = pymunk.Poly(body, [(-0.45, -0.45), (0.45, -0.45), (0.45, 0.45), (-0.45, 0.45)])
        shape.collision_type, shape.friction = CRATE, 0.6
        return shape, body
    if kind.blocks_without_key:
        shape = _box(static, cx - 0.5, cy - 0.5, 1, 1)
        shape.collision_type = DOOR
        return shape, None
    shape = pymunk.Circle(static, ITEM_RADIUS, offset=(cx, cy))
    shape.sensor = True
    shape.collision_type = ITEM
    return shape, None


class PhysicsWorlds:
    """A batch of physics worlds in one pymunk space, with the same arrays and `step` as `GridWorlds`."""

    engine = "physics"

    def __init__(self, level: Level, n: int):
        self.level, self.n = level, n
        self.table = EventTable(level)
        self.kinds = [ENTITY_TABLE[e.kind] for e in self.table.entities]
        self.flags = KindFlags.of(self.table)
        s = level.physics
        self.side_view = level.world == "sideview"
        self.move_speed, self.jump_speed, self.gravity = s.move_speed, s.jump_speed, s.gravity
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
        self.origin = np.arange(n, dtype=np.float64) * (w + GAP)  # world i's x = 0 in the space
        self._build_space(n)
        self.cell = np.zeros((n, 2), dtype=np.int32)  # the cell the agent was last seen in (for entered_tile)
        self._walls: list[list[pymunk.Shape]] = [[] for _ in range(n)]
        self._walls_of: list[bytes | None] = [None] * n  # the tiles a world's walls were built from
        self._entity_shapes: list[list[pymunk.Shape | None]] = [[None] * e for _ in range(n)]
        self._crate_bodies: list[list[pymunk.Body | None]] = [[None] * e for _ in range(n)]
        # Each world's sensor of each thing, kept out of the space between episodes and moved: making a pymunk shape
        # cost more than the rest of loading an episode. (Static, so it carries nothing from one episode to the next.)
        self._sensors: list[list[pymunk.Shape | None]] = [[None] * e for _ in range(n)]
        self._crates = np.flatnonzero(self.flags.pushable)
        self._doors = np.flatnonzero(self.flags.blocks_without_key)
        # Side view: what an agent can stand on, cell by cell, with a border of one cell (the level's edges).
        self._solid = np.zeros((n, h + 2, w + 2), dtype=bool) if self.side_view else None
        self._touches: list[tuple[int, int]] = []  # (world, entity) touched during the current substep

    def _build_space(self, n: int) -> None:
        space = pymunk.Space()
        space.gravity = (0.0, self.gravity if self.side_view else 0.0)
        space.on_collision(AGENT, ITEM, begin=self._agent_touches_item)
        space.on_collision(AGENT, DOOR, begin=self._agent_meets_door)
        self.space = space
        self.agents: list[pymunk.Body] = []
        self._agent_ids = np.zeros(n, dtype=np.uintp)
        for i in range(n):
            self.agents.append(self._new_agent(i, (float(self.origin[i]) + 0.5, 0.5)))
        self._read_buffer, self._force_buffer = pymunk.batch.Buffer(), pymunk.batch.Buffer()
        self._agent_rows: np.ndarray | None = None  # where each agent is in the batch reads (None: to be found)

    def _new_agent(self, i: int, position: tuple[float, float]) -> pymunk.Body:
        """World i's agent, new (`_restart_agent` starts its later episodes)."""
        a = AGENT_HALF
        body = pymunk.Body(1.0, float("inf"))
        body.position = position
        shape = (pymunk.Poly(body, [(-a, -a), (a, -a), (a, a), (-a, a)], radius=0.02) if self.side_view
                 else pymunk.Circle(body, a))
        shape.collision_type, shape.friction, shape.world = AGENT, 0.0, i
        self.space.add(body, shape)
        self._agent_ids[i] = body.id
        self._agent_rows = None
        return body

    def _restart_agent(self, i: int, position: tuple[float, float]) -> None:
        """World i's agent at the start of an episode, as a new body would be (making one cost more than the rest
        of loading an episode). Out of the space it forgets its contacts; at rest, one position update spends the
        position correction its last contacts left for its next step; then it is put where the episode starts."""
        body = self.agents[i]
        self.space.remove(body, *body.shapes)
        body.velocity, body.force = (0.0, 0.0), (0.0, 0.0)
        pymunk.Body.update_position(body, DT)
        body.position = position
        self.space.add(body, *body.shapes)
        self._agent_rows = None  # (it went to the end of the space's bodies)

    @property
    def agent_cell(self) -> np.ndarray:
        return cells_at(self.agent_pos)

    @property
    def walk_ends(self) -> np.ndarray:
        """(n, E, 2): no walk ends anywhere (-1), there being no walkers."""
        return np.full(self.cells.shape, -1, dtype=np.int32)

    def walkers_now(self, i: int) -> tuple[dict, None, int, dict]:
        """No walkers here: monsters and guides live in grid worlds (the level format says so)."""
        return {}, None, 0, {}

    # --- episodes ---------------------------------------------------------------------------------------------

    def load(self, idx: np.ndarray, variants: list[Variant]) -> None:
        """Worlds `idx` take these variants' layouts (and the keys the agent holds in them)."""
        for i, v in zip(idx, variants):
            self._load(int(i), v)
        self._read()
        self.cell[idx] = self.agent_cell[idx]
        self.in_region[idx] = self._regions_at(self.agent_cell[idx])

    def _load(self, i: int, v: Variant) -> None:
        space, static, ox = self.space, self.space.static_body, float(self.origin[i])
        shapes, bodies, sensors = self._entity_shapes[i], self._crate_bodies[i], self._sensors[i]
        # A thing the agent touches, still in the space and there again, stays (moved if it must): taking out and
        # adding back 127 coins cost 90 % of an inspection of a level where one touch ends the episode.
        staying = {k for k, shape in enumerate(shapes) if shape is not None and shape.sensor and v.present[k]}
        removed = [shape for k, shape in enumerate(shapes) if shape is not None and k not in staying]
        removed += [b for b in bodies if b is not None]
        tiles = v.tiles.tobytes()
        if tiles != self._walls_of[i]:
            removed += self._walls[i]
            self._walls[i] = _walls(static, v.tiles, self.side_view, ox)
            space.add(*self._walls[i])
            self._walls_of[i] = tiles
        if removed:
            space.remove(*removed)  # (crates gone: the agent restarted below finds the rows again)
        for k, kind in enumerate(self.kinds):
            centre = (ox + v.cells[k][0] + 0.5, v.cells[k][1] + 0.5)
            if k in staying:
                if shapes[k].offset != centre:
                    shapes[k].unsafe_set_offset(centre)
                    space.reindex_shape(shapes[k])
                continue
            shapes[k] = bodies[k] = None
            if not v.present[k]:
                continue
            if sensors[k] is not None:  # a thing the agent touches, moved: out of the space, its place is new
                shape, body = sensors[k], None
                shape.unsafe_set_offset(centre)
            else:
                shape, body = _entity(static, kind, *centre)
                shape.entity = k
                if shape.sensor:
                    sensors[k] = shape
            space.add(*([body] if body is not None else []), shape)
            shapes[k], bodies[k] = shape, body
        self._restart_agent(i, (ox + v.agent[0] + 0.5, v.agent[1] + 0.5))
        if self.side_view:
            self._solid[i] = _solid_around(v.tiles)
            for k in self._doors:
                if v.present[k]:
                    self._solid[i, v.cells[k][1] + 1, v.cells[k][0] + 1] = True
        self.tiles[i] = v.tiles
        self.colors[i] = v.colors
        self.alive[i] = v.present
        self.cells[i] = v.cells
        self.keys[i] = v.keys

    # --- stepping ---------------------------------------------------------------------------------------------

    def step(self, actions: np.ndarray) -> np.ndarray:
        """Advance every world one decision step; the events of each (one row per world)."""
        table = self.table
        events = np.zeros((self.n, table.width), dtype=np.float32)
        moves = MOVES[np.asarray(actions, dtype=np.int64)]
        # What the controls ask does not change between the substeps of a decision.
        self._wanted = moves * self.move_speed
        # "up" and "down" keep a side-view run going, so a running jump carries on; only "stay" stops.
        self._keep_run = (moves[:, 0] == 0) & (moves[:, 1] != 0)
        self._up = np.flatnonzero(moves[:, 1] < 0)
        for _ in range(SUBSTEPS):
            self._steer()
            self.space.step(DT)
            if self._touches:
                self._apply_touches(events)
        self._read()
        h, w = self.level.height, self.level.width
        cell = self.agent_cell
        moved = np.flatnonzero(np.any(cell != self.cell, axis=1) & (cell[:, 0] >= 0) & (cell[:, 0] < w)
                               & (cell[:, 1] >= 0) & (cell[:, 1] < h))
        tile_now = self.tiles[moved, cell[moved, 1], cell[moved, 0]].astype(np.intp)  # (int8 overflowed past 127)
        np.add.at(events, (moved, table.tiles.start + tile_now), 1)
        self.cell = cell
        events[self.agent_pos[:, 1] > h + FALL_MARGIN, table.fell] = 1
        in_now = self._regions_at(cell)
        events[:, table.region_cols] = in_now & ~self.in_region
        self.in_region = in_now
        return events

    def _steer(self) -> None:
        """The agents' controls, as the forces that bring each to its wanted velocity in one substep. Pymunk adds
        them in its velocity update, before contacts are solved (setting velocities from outside the step would let
        an agent push into walls)."""
        rows = self._rows()
        every = self._bodies(pymunk.batch.BodyFields.POSITION | pymunk.batch.BodyFields.VELOCITY).reshape(-1, 4)
        velocity = every[rows, 2:]
        forces = np.empty_like(velocity)
        if self.side_view:
            wanted_x = np.where(self._keep_run, velocity[:, 0], self._wanted[:, 0])
            forces[:, 0] = (wanted_x - velocity[:, 0]) / DT
            # Falling needs no force (the space adds gravity); a jump sets the upward speed.
            forces[:, 1] = 0.0
            jumping = self._up[self._on_ground(self._up, every[rows[self._up], :2])]
            forces[jumping, 1] = (-self.jump_speed - velocity[jumping, 1]) / DT - self.gravity
        else:
            forces[:] = (self._wanted - velocity) / DT
        values = np.zeros((len(every), 2))  # crates: no force of their own
        values[rows] = forces
        self._force_buffer.set_float_buf(values.reshape(-1))
        pymunk.batch.set_space_bodies(self.space, pymunk.batch.BodyFields.FORCE, self._force_buffer)

    def _rows(self) -> np.ndarray:
        """The row of each world's agent in the batch reads and writes, found again after bodies came or went."""
        if self._agent_rows is None:
            self._read_buffer.clear()
            pymunk.batch.get_space_bodies(self.space, pymunk.batch.BodyFields.BODY_ID, self._read_buffer)
            ids = np.frombuffer(self._read_buffer.int_buf(), dtype=np.uintp)
            order = np.argsort(ids)
            self._agent_rows = order[np.searchsorted(ids[order], self._agent_ids)]
        return self._agent_rows

    def _bodies(self, fields) -> np.ndarray:
        """One field pair (x, y) of every body of the space, in the space's order (`_rows` finds the agents)."""
        self._read_buffer.clear()
        pymunk.batch.get_space_bodies(self.space, fields, self._read_buffer)
        return np.frombuffer(self._read_buffer.float_buf(), dtype=np.float64).reshape(-1, 2)

    def _on_ground(self, idx: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Whether something solid is right under the feet of the agents of worlds `idx` (at `position`, in the
        space). The probe is narrower than the agent, so touching a wall's side (or a ledge's corner, within
        pymunk's collision slop) never counts as ground: no wall jumps. Pymunk's bounding-box query, done with
        numpy on the cells: boxes touching the probe's edge count, as they do for pymunk."""
        if not len(idx):
            return np.zeros(0, dtype=bool)
        a = AGENT_HALF
        x, y = position[:, 0], position[:, 1]
        left, right, top, bottom = x - a + 0.15, x + a - 0.15, y + a, y + a + 0.08
        ox = self.origin[idx][:, None]
        h, w = self._solid.shape[1:]
        # The 4 x 3 cells around the probe's top-left, as columns of one array per world.
        cx = np.floor(left[:, None] - ox).astype(np.int64) + np.array([-1, 0, 1, 2] * 3)
        cy = np.floor(top)[:, None].astype(np.int64) + np.repeat([-1, 0, 1], 4)
        cell_left = ox + cx
        touches = ((cell_left <= right[:, None]) & (left[:, None] <= cell_left + 1) & (cy <= bottom[:, None])
                   & (top[:, None] <= cy + 1))
        inside = (cx >= -1) & (cx < w - 1) & (cy >= -1) & (cy < h - 1)
        rows, columns = np.minimum(np.maximum(cy + 1, 0), h - 1), np.minimum(np.maximum(cx + 1, 0), w - 1)
        solid = self._solid[idx[:, None], rows, columns] & inside
        grounded = np.any(touches & solid, axis=1)
        for k in self._crates:  # a crate is ground too
            for j in np.flatnonzero(~grounded & self.alive[idx, k]):
                cx, cy = self._crate_bodies[idx[j]][k].position
                grounded[j] = (cx - 0.45 <= right[j]) & (left[j] <= cx + 0.45) & (cy - 0.45 <= bottom[j]) & (
                    top[j] <= cy + 0.45)
        return grounded

    def _read(self) -> None:
        """The agents' positions and velocities in their own worlds' coordinates, and the crates' cells."""
        both = self._bodies(pymunk.batch.BodyFields.POSITION | pymunk.batch.BodyFields.VELOCITY)
        both = both.reshape(-1, 4)[self._rows()]
        self.agent_pos[:, 0] = both[:, 0] - self.origin
        self.agent_pos[:, 1] = both[:, 1]
        self.agent_vel[:] = both[:, 2:]
        self._read_crates()

    def _read_crates(self) -> None:
        """The crates' cells, in their own worlds' coordinates."""
        for k in self._crates:
            for i in np.flatnonzero(self.alive[:, k]):
                x, y = self._crate_bodies[i][k].position
                self.cells[i, k] = cells_at(np.array([x - self.origin[i], y]))

    # Collision handlers record what happened; the effects are applied between steps, outside the solver.
    def _agent_touches_item(self, arbiter: pymunk.Arbiter, space, data) -> None:
        agent, item = arbiter.shapes
        self._touches.append((agent.world, item.entity))

    def _agent_meets_door(self, arbiter: pymunk.Arbiter, space, data) -> None:
        agent, door = arbiter.shapes
        if self.keys[agent.world] > 0:
            arbiter.process_collision = False
            self._touches.append((agent.world, door.entity))

    def _apply_touches(self, events: np.ndarray) -> None:
        """What the agents touched in this substep does what meeting does in every engine (`game.world.meeting`);
        what left the level leaves the space."""
        met = np.zeros(self.alive.shape, dtype=bool)
        for i, k in self._touches:
            met[i, k] = self._entity_shapes[i][k] is not None and self.alive[i, k]
        self._touches.clear()
        was_alive = self.alive.copy()
        meet(self.flags, met, self.alive, self.keys, self.shields, events, self.table)
        for i, k in zip(*np.nonzero(was_alive & ~self.alive)):
            self.space.remove(self._entity_shapes[i][k])
            self._entity_shapes[i][k] = None
            if self.flags.blocks_without_key[k] and self._solid is not None:
                self._solid[i, self.cells[i, k, 1] + 1, self.cells[i, k, 0] + 1] = False

    def _regions_at(self, cells: np.ndarray) -> np.ndarray:
        h, w = self.tiles.shape[1:]
        x = np.minimum(np.maximum(cells[:, 0], 0), w - 1)
        y = np.minimum(np.maximum(cells[:, 1], 0), h - 1)
        inside = (cells[:, 0] >= 0) & (cells[:, 0] < w) & (cells[:, 1] >= 0) & (cells[:, 1] < h)
        return self.region_masks[:, y, x].T & inside[:, None]
