"""A plain numpy picture of one world (for `MesaSandboxEnv.render`): no pygame in the learner's layer."""
from __future__ import annotations

import numpy as np

from levels.vocabulary import COLORS

from game.world.palette import AGENT_RGB, TILE_RGB, entity_rgb
from game.world.variants import TILE_NAMES

CELL = 12
_TILE_LUT = np.array([TILE_RGB[t] for t in TILE_NAMES], dtype=np.uint8)


def raster(worlds, i: int) -> np.ndarray:
    """(H * CELL, W * CELL, 3) uint8 image of world `i` of a batch."""
    img = np.repeat(np.repeat(_TILE_LUT[worlds.tiles[i]], CELL, 0), CELL, 1)
    m = CELL // 4
    for e, entity in enumerate(worlds.table.entities):
        if worlds.alive[i, e]:
            x, y = worlds.cells[i, e]
            c = worlds.colors[i, e]
            rgb = entity_rgb(entity.kind, COLORS[c] if c >= 0 else None)
            img[y * CELL + m:(y + 1) * CELL - m, x * CELL + m:(x + 1) * CELL - m] = rgb
    px, py = (worlds.agent_pos[i] * CELL).astype(int)
    h, w = img.shape[:2]
    img[max(py - m, 0):min(py + m, h), max(px - m, 0):min(px + m, w)] = AGENT_RGB
    return img
