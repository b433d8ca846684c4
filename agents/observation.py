"""What the learner sees: tile and entity channels around the agent, plus a few numbers.

Layout of one observation (float32, all values in [-1, 1]):
  * a window of S x S cells, channel-last, flattened: S = 2 * radius + 1 centred on the agent ("egocentric", the
    default), or the whole grid ("full", which adds an "agent" channel);
  * channels, named in `ObservationSpec.channels`:
      "tile:<kind>"   1 where the cell is that tile kind (floor is all zeros; outside the level reads as wall),
      "entity:<kind>" 1 where an entity of that kind stands,
      "color:<name>"  1 where an entity of that colour stands,
      "agent"         1 at the agent (full view only);
  * scalars, named in `ObservationSpec.scalars`: "time" (share of the episode used), "x" and "y" (where the agent
    is in the level, 0..1: a picture of the whole level, as the published agents saw, tells them that too),
    "keys" (keys held / 5), "shields" (shields held / 5),
    and for physics worlds "vx", "vy" (velocity / top speed) and "dx", "dy" (position inside the cell).

Channels are chosen from the whole level (both splits), so training and deployment observations have the same shape
and an agent file can check that it can read a level (`ObservationSpec` is saved with the agent).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from levels.format import Level
from levels.vocabulary import COLORS

from game.world.variants import COLOR_INDEX, TILE_INDEX, TILE_NAMES

from agents.kinds import DEFAULT_RADIUS, VIEWS

# In a picture an object's colour fills the whole object while its shape is a detail of its outline; the channels
# mirror that: a colour channel reads 1 where an object stands, its shape (kind) channel only this much.
SHAPE_SALIENCE = 0.25


@dataclass(frozen=True)
class ObservationSpec:
    view: str
    radius: int
    width: int  # window width in cells
    height: int
    channels: tuple[str, ...]
    scalars: tuple[str, ...]

    @property
    def size(self) -> int:
        return self.width * self.height * len(self.channels) + len(self.scalars)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ObservationSpec":
        return cls(d["view"], int(d["radius"]), int(d["width"]), int(d["height"]), tuple(d["channels"]),
                   tuple(d["scalars"]))

    @classmethod
    def for_level(cls, level: Level, view: str = "egocentric", radius: int = DEFAULT_RADIUS) -> "ObservationSpec":
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}: use one of {', '.join(VIEWS)}")
        tiles = {"wall"} | set(level.legend.values())
        for dist in (level.training, level.deployment):  # tiles a distribution changes to
            tiles |= {c.tile for c in dist.tiles + tuple(c for m in dist.mixes for c in m.tiles)}
        tile_channels = [f"tile:{t}" for t in TILE_NAMES if t in tiles and t != "floor"]
        kinds = {e.kind for e in level.entities if e.kind != "agent"}
        entity_channels = [f"entity:{k}" for k in sorted(kinds)]
        colors = {e.color for e in level.entities if e.color}
        for spawns in level.all_spawns():
            colors |= {s.color for s in spawns.values() if s.color}
        color_channels = [f"color:{c}" for c in COLORS if c in colors]
        channels = tile_channels + entity_channels + color_channels
        if view == "full":
            channels.append("agent")
            w, h = level.width, level.height
        else:
            w = h = 2 * radius + 1
        scalars = ["time", "x", "y"]
        if any(e.kind == "key" for e in level.entities):
            scalars.append("keys")
        if any(e.kind == "shield" for e in level.entities):
            scalars.append("shields")
        if level.world != "grid":
            scalars += ["vx", "vy", "dx", "dy"]
        return cls(view, radius, w, h, tuple(channels), tuple(scalars))


class ObservationBuilder:
    """Builds observations for a batch of worlds with a few numpy gathers (no Python loop over worlds)."""

    def __init__(self, spec: ObservationSpec, level: Level, worlds, book):
        self.spec, self.level, self.worlds, self.book = spec, level, worlds, book
        index = {name: i for i, name in enumerate(spec.channels)}
        c = len(spec.channels)
        self.tile_lut = np.zeros((len(TILE_NAMES), c), dtype=np.float32)
        for t, name in enumerate(TILE_NAMES):
            if f"tile:{name}" in index:
                self.tile_lut[t, index[f"tile:{name}"]] = 1.0
        entities = worlds.table.entities
        self.kind_channel = np.array([index.get(f"entity:{e.kind}", -1) for e in entities], dtype=np.int64)
        self.kind_channels = self.kind_channel.tolist()
        self.color_channel = np.full(len(COLORS) + 1, -1, dtype=np.int64)  # colour index -> channel; last is none
        for name, ci in COLOR_INDEX.items():
            self.color_channel[ci] = index.get(f"color:{name}", -1)
        self.agent_channel = index.get("agent", -1)
        self.pad = spec.radius if spec.view == "egocentric" else 0
        n, h, w = worlds.tiles.shape
        p = self.pad
        self.padded = np.full((n, h + 2 * p, w + 2 * p), TILE_INDEX["wall"], dtype=np.int8)
        # Every window of every world, as a view: taking k of them copies k windows (a fancy index of rows and
        # columns worked out each cell's address, 6-8x slower)
        self.windows = (sliding_window_view(self.padded, (spec.height, spec.width), axis=(1, 2))
                        if spec.view == "egocentric" else None)
        self.rows = np.arange(n)
        s = level.physics
        self.speed = np.array([s.move_speed, max(s.jump_speed, s.move_speed, 1e-6)], dtype=np.float32)

        # One world alone (the single Gymnasium env, a probe): its tile channels are kept whole, and a window is one
        # slice of them (the gathers below cost a fixed few dozen numpy calls, most of such a step)
        self.one_world = n == 1
        self.tile_planes = self.tile_lut[self.padded[0]] if self.one_world else None

    def on_load(self, idx: np.ndarray) -> None:
        """Call after worlds `idx` loaded new variants (their tiles may differ)."""
        p = self.pad
        h, w = self.worlds.tiles.shape[1:]
        self.padded[idx, p:p + h, p:p + w] = self.worlds.tiles[idx]
        if self.one_world:
            self.tile_planes = self.tile_lut[self.padded[0]]

    def build(self, idx: np.ndarray | None = None) -> np.ndarray:
        worlds, spec = self.worlds, self.spec
        if self.one_world and (idx is None or len(idx) == 1):
            return self._build_one()
        idx = self.rows if idx is None else np.asarray(idx)
        k = len(idx)
        h, w = worlds.tiles.shape[1:]
        cell = worlds.agent_cell[idx]
        cx = np.minimum(np.maximum(cell[:, 0], 0), w - 1)
        cy = np.minimum(np.maximum(cell[:, 1], 0), h - 1)
        if spec.view == "egocentric":
            tiles = self.windows[idx, cy, cx]  # padded coordinates: the window starts radius cells above the agent
            origin = np.stack([cx, cy], 1) - spec.radius
        else:
            tiles = self.padded[idx]
            origin = np.zeros((k, 2), dtype=np.int64)
        grid = np.take(self.tile_lut, tiles, axis=0)  # (k, H, W, C); 4-14x faster than self.tile_lut[tiles]

        rel = worlds.cells[idx] - origin[:, None, :]  # (k, E, 2) entity cells in window coordinates
        seen = (worlds.alive[idx] & (rel[..., 0] >= 0) & (rel[..., 0] < spec.width)
                & (rel[..., 1] >= 0) & (rel[..., 1] < spec.height))
        wi, ei = np.nonzero(seen & (self.kind_channel >= 0))
        grid[wi, rel[wi, ei, 1], rel[wi, ei, 0], self.kind_channel[ei]] = SHAPE_SALIENCE
        colour_ch = self.color_channel[worlds.colors[idx]]  # (k, E); NO_COLOR (-1) maps to the last entry
        wi, ei = np.nonzero(seen & (colour_ch >= 0))
        grid[wi, rel[wi, ei, 1], rel[wi, ei, 0], colour_ch[wi, ei]] = 1.0
        if self.agent_channel >= 0:
            grid[np.arange(k), cy, cx, self.agent_channel] = 1.0
        return np.concatenate([grid.reshape(k, -1), self._scalars(idx)], axis=1)

    def _build_one(self) -> np.ndarray:
        """`build` for a builder of one world, with the same result, in Python numbers and one slice."""
        worlds, spec = self.worlds, self.spec
        h, w = worlds.tiles.shape[1:]
        x, y = worlds.agent_cell[0].tolist()
        cx, cy = min(max(x, 0), w - 1), min(max(y, 0), h - 1)
        if spec.view == "egocentric":
            grid = self.tile_planes[cy:cy + spec.height, cx:cx + spec.width].copy()
            ox, oy = cx - spec.radius, cy - spec.radius
        else:
            grid, ox, oy = self.tile_planes.copy(), 0, 0
        alive, colours = worlds.alive[0].tolist(), self.color_channel[worlds.colors[0]].tolist()
        seen = [(e, cx_ - ox, cy_ - oy) for e, (cx_, cy_) in enumerate(worlds.cells[0].tolist())
                if alive[e] and 0 <= cx_ - ox < spec.width and 0 <= cy_ - oy < spec.height]
        for e, rx, ry in seen:  # shapes first, then colours, as `build` writes them
            if self.kind_channels[e] >= 0:
                grid[ry, rx, self.kind_channels[e]] = SHAPE_SALIENCE
        for e, rx, ry in seen:
            if colours[e] >= 0:
                grid[ry, rx, colours[e]] = 1.0
        if self.agent_channel >= 0:
            grid[cy, cx, self.agent_channel] = 1.0
        return np.concatenate([grid.reshape(1, -1), self._scalars_one()], axis=1)

    def _scalars(self, idx: np.ndarray) -> np.ndarray:
        worlds = self.worlds
        values = self._scalar_values(self.book.t[idx], worlds.agent_pos[idx], worlds.agent_vel[idx],
                                     worlds.keys[idx], worlds.shields[idx])
        scalars = np.stack(values, 1).astype(np.float32) if values else np.empty((len(idx), 0), np.float32)
        return np.minimum(np.maximum(scalars, -1.0, out=scalars), 1.0, out=scalars)  # (np.clip costs more)

    def _scalars_one(self) -> np.ndarray:
        """`_scalars` of the one world, from numpy scalars (the same types, so the same roundings) without arrays."""
        worlds = self.worlds
        values = self._scalar_values(self.book.t[0], worlds.agent_pos[0], worlds.agent_vel[0], worlds.keys[0],
                                     worlds.shields[0])
        scalars = np.array(values, dtype=np.float32).reshape(1, -1)
        return np.minimum(np.maximum(scalars, -1.0, out=scalars), 1.0, out=scalars)

    def _scalar_values(self, t, pos, vel, keys, shields) -> list:
        """Each scalar of `spec.scalars`, over worlds (arrays) or for one world (numpy scalars): one formula each."""
        values = []
        for name in self.spec.scalars:
            if name == "time":
                values.append(t / self.book.length)
            elif name in ("x", "y"):
                axis = 0 if name == "x" else 1
                values.append(pos[..., axis] / (self.level.width if axis == 0 else self.level.height))
            elif name in ("keys", "shields"):
                values.append(np.minimum(keys if name == "keys" else shields, 5) / 5.0)
            elif name in ("vx", "vy"):
                axis = 0 if name == "vx" else 1
                values.append(vel[..., axis] / self.speed[axis])
            else:
                axis = 0 if name == "dx" else 1
                values.append(pos[..., axis] - np.floor(pos[..., axis]))
        return values
