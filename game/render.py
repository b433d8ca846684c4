"""Drawing worlds with pygame: tiles, regions and entities (each kind's own shape: `game.entity_drawings`).
Used by the window and by `mesa-sandbox level render` (headless).
"""
from __future__ import annotations

import io
import math
import os
import weakref

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

from levels.files import atomic_write_bytes
from levels.format import Level
from levels.vocabulary import COLORS, MOVING_KINDS, UNDERFOOT_KINDS

from game.entity_drawings import darker, draw_entity
from game.world import palette
from game.world.palette import AGENT_RGB, BACKGROUND_RGB, REGION_RGB, TILE_RGB
from game.world.variants import TILE_NAMES


def entity_rgb(kind: str, color_index: int) -> tuple[int, int, int]:
    return palette.entity_rgb(kind, COLORS[color_index] if color_index >= 0 else None)



def draw_tiles(surface: pygame.Surface, tiles: np.ndarray, origin: tuple[int, int], cell: float) -> None:
    ox, oy = origin
    for y in range(tiles.shape[0]):
        for x in range(tiles.shape[1]):
            name = TILE_NAMES[tiles[y, x]]
            rect = pygame.Rect(ox + x * cell, oy + y * cell, math.ceil(cell), math.ceil(cell))
            pygame.draw.rect(surface, TILE_RGB[name], rect)
            if name == "wall":
                pygame.draw.rect(surface, darker(TILE_RGB[name], 0.8), rect, max(1, int(cell / 16)))
            elif name == "lava":  # a wave so lava is not told by colour alone
                pts = [(rect.left + i * cell / 4, rect.centery + (cell / 8) * (-1) ** i) for i in range(5)]
                pygame.draw.lines(surface, (240, 140, 60), False, pts, max(1, int(cell / 12)))


def proxy_regions(level: Level) -> list[str]:
    """The regions the level's proxies are about: outlined wherever the level is drawn."""
    return [p.condition.what for p in level.proxies if p.condition.event == "entered_region"]


def draw_regions(surface: pygame.Surface, level: Level, origin, cell: float, names=None) -> None:
    ox, oy = origin
    overlay = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    for name, rects in level.regions.items():
        if names is not None and name not in names:
            continue
        for x, y, w, h in rects:
            rect = pygame.Rect(ox + x * cell, oy + y * cell, w * cell, h * cell)
            pygame.draw.rect(overlay, (*REGION_RGB, 28), rect)
            pygame.draw.rect(overlay, (*REGION_RGB, 110), rect, max(1, int(cell / 14)))
    surface.blit(overlay, (0, 0))


_LAYERS: dict[tuple, pygame.Surface] = {}


def static_layer(level: Level, tiles: np.ndarray, cell: float, regions: tuple[str, ...]) -> pygame.Surface:
    """The tiles and region outlines of a layout, drawn once and reused: a frame then costs one blit per world
    instead of a rectangle per tile (most of a frame's time when drawn per tile)."""
    key = (id(level), tiles.tobytes(), tiles.shape, round(cell, 3), regions)
    layer = _LAYERS.get(key)
    if layer is None:
        h, w = tiles.shape
        layer = pygame.Surface((math.ceil(w * cell), math.ceil(h * cell)))
        draw_tiles(layer, tiles, (0, 0), cell)
        if regions:
            draw_regions(layer, level, (0, 0), cell, regions)
        if len(_LAYERS) > 256:
            _LAYERS.clear()
        _LAYERS[key] = layer
    return layer


def draw_world(surface: pygame.Surface, worlds, i: int, origin=(0, 0), cell: float = 32,
               regions: list[str] | None = None, agent_pos=None, underlay=None, entity_cells=None) -> None:
    """World `i` of a batch (grid or physics). `agent_pos` and `entity_cells` ((E, 2) float cells) override where
    the agent and the other entities are drawn, for smooth motion; `underlay()` draws between the tiles and the
    entities (heatmaps, value maps)."""
    surface.blit(static_layer(worlds.level, worlds.tiles[i], cell, tuple(regions or ())), origin)
    if underlay is not None:
        underlay()
    ox, oy = origin
    for e, entity in drawing_order(worlds.table):
        if worlds.alive[i, e]:
            x, y = worlds.cells[i, e] if entity_cells is None else entity_cells[e]
            draw_entity(surface, entity.kind, entity_rgb(entity.kind, worlds.colors[i, e]),
                        (ox + (x + 0.5) * cell, oy + (y + 0.5) * cell), cell)
    ax, ay = (float(v) for v in (worlds.agent_pos[i] if agent_pos is None else agent_pos))
    draw_entity(surface, "agent", AGENT_RGB, (ox + ax * cell, oy + ay * cell), cell)


_DRAWING_ORDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def drawing_order(table) -> list:
    """(index, entity) in the order they are drawn: dishes under what lies on them, walkers over what they walk
    past. Worked out once per event table (one per level and batch), not every frame."""
    if table not in _DRAWING_ORDERS:
        _DRAWING_ORDERS[table] = sorted(enumerate(table.entities), key=lambda ie: (
            0 if ie[1].kind in UNDERFOOT_KINDS else 2 if ie[1].kind in MOVING_KINDS else 1))
    return _DRAWING_ORDERS[table]


def draw_sampled_variant(surface: pygame.Surface, level: Level, split: str, seed: int, origin, cell: float,
                         regions: list[str] | None = None) -> None:
    """Sample one variant of a split (deterministic from `seed`) and draw it."""
    from game.world import WorldBatch
    batch = WorldBatch(level, split, 1, seed, autoreset=False)
    batch.reset()
    draw_world(surface, batch.worlds, 0, origin, cell, regions=regions)
    draw_routes(surface, batch.variants[0], batch.table.entities, origin, cell)


def draw_routes(surface: pygame.Surface, variant, entities, origin, cell: float) -> None:
    """The walkers' routes as dotted lines in their colour; a route that ends has a ring where it stops. A still
    picture then shows where a guide or a monster is going to walk."""
    ox, oy = origin
    for k, (path, goes_round) in variant.routes.items():
        if not variant.present[k]:
            continue
        rgb = entity_rgb(entities[k].kind, variant.colors[k])
        centres = [(ox + (x + 0.5) * cell, oy + (y + 0.5) * cell) for x, y in path]
        for a, b in zip(centres, centres[1:]):
            for f in (0.25, 0.5, 0.75):
                pygame.draw.circle(surface, rgb, (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f),
                                   max(1.5, cell / 18))
        if not goes_round:
            pygame.draw.circle(surface, rgb, centres[-1], cell * 0.45, max(1, int(cell / 14)))


def render_variant_png(level: Level, split: str, seed: int, path: str | os.PathLike, cell: int = 32) -> None:
    """Draw one sampled variant of a split, with the proxies' regions outlined, and save it as a PNG."""
    pygame.font.init()
    font = pygame.font.Font(None, max(18, cell * 2 // 3))
    label = font.render(f"{level.name}: {split}, seed {seed}", True, (235, 235, 235))
    header = int(cell * 1.2)
    map_w = level.width * cell
    surface = pygame.Surface((max(map_w, label.get_width() + cell // 2), level.height * cell + header))
    surface.fill(BACKGROUND_RGB)
    draw_sampled_variant(surface, level, split, seed, ((surface.get_width() - map_w) // 2, header), cell,
                         proxy_regions(level))
    surface.blit(label, (cell // 4, (header - label.get_height()) // 2))
    png = io.BytesIO()
    pygame.image.save(surface, png, "png")
    atomic_write_bytes(path, png.getvalue())


# Where the agent went: each cell's visits on a log scale, dark -> orange -> yellow.
HEAT_DECADES = 3  # the heatmap spans three orders of magnitude: a cell visited 1/1000 as often as the top is faint
HEAT_STOPS = [(0.0, (60, 20, 90, 70)), (0.5, (213, 94, 0, 170)), (1.0, (250, 230, 90, 220))]  # dark -> orange -> yellow


def ramp(stops, t: np.ndarray) -> np.ndarray:
    """Colours (RGBA, uint8) for values `t` in [0, 1] along the colour stops."""
    xs = [s[0] for s in stops]
    return np.stack([np.interp(t, xs, [s[1][k] for s in stops]) for k in range(4)], -1).astype(np.uint8)


def heat_levels(visits: np.ndarray) -> np.ndarray:
    """Each cell's share of the most visited cell, on a log scale over `HEAT_DECADES` decades; 0 where unvisited."""
    top = visits.max()
    if top <= 0:
        return np.zeros(visits.shape)
    with np.errstate(divide="ignore"):
        t = (np.log10(np.maximum(visits, 1e-12)) - np.log10(top) + HEAT_DECADES) / HEAT_DECADES
    return np.where(visits > 0, np.clip(t, 0.05, 1.0), 0.0)


def blit_cells(surface: pygame.Surface, rgba: np.ndarray, mask: np.ndarray, origin, cell: float) -> None:
    """Paint each masked cell with its colour: one small image scaled to the map, not a rectangle per cell."""
    h, w = mask.shape
    layer = pygame.Surface((w, h), pygame.SRCALPHA)
    pixels = np.zeros((w, h, 4), dtype=np.uint8)
    pixels[mask.T] = rgba.transpose(1, 0, 2)[mask.T]
    pygame.surfarray.blit_array(layer, pixels[..., :3])
    alpha = pygame.surfarray.pixels_alpha(layer)
    alpha[:] = pixels[..., 3]
    del alpha
    surface.blit(pygame.transform.scale(layer, (int(w * cell), int(h * cell))), origin)


def draw_heat(surface, visits: np.ndarray, floor: np.ndarray, origin, cell: float) -> None:
    t = heat_levels(visits) * floor
    blit_cells(surface, ramp(HEAT_STOPS, t), t > 0, origin, cell)


def wrap(text: str, font: pygame.font.Font, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` pixels (a word longer than that keeps a line of its own)."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.size(trial)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def draw_paragraph(surface: pygame.Surface, text: str, font: pygame.font.Font, rgb, at, width: float) -> int:
    """Draw `text` wrapped to `width` pixels from `at`; returns the y under it."""
    x, y = at
    for line in wrap(text, font, width):
        surface.blit(font.render(line, True, rgb), (x, y))
        y += font.get_linesize()
    return y


def thumbnail(level: Level, size: tuple[int, int], split: str = "training", seed: int = 1) -> pygame.Surface:
    """A sampled variant of the level drawn to fit `size`."""
    cell = min(size[0] / level.width, size[1] / level.height)
    surface = pygame.Surface(size)
    surface.fill(BACKGROUND_RGB)
    origin = ((size[0] - cell * level.width) / 2, (size[1] - cell * level.height) / 2)
    draw_sampled_variant(surface, level, split, seed, origin, cell)
    return surface
