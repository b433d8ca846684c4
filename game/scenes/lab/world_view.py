"""Four live episodes of the split on screen, with the deployment overlays: where the agent went (heatmap), what
its network expects (value map) and what it would do on each cell (policy arrows)."""
from __future__ import annotations

import numpy as np
import pygame

from game.render import draw_world, proxy_regions
from game.scenes.lab.charts import OUTCOME_RGB
from game.session.lab import LabSession
from game.session.live import LiveEpisodes
from game.session.maps import ARROWS, value_and_policy_maps
from game.world.variants import TILE_SOLID

OUTCOME_LABEL_SECONDS = 1.2


class WorldView:
    def __init__(self, session: LabSession):
        self.session = session
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.overlay = {"heatmap": False, "values": False, "arrows": False}
        self._maps: dict[int, tuple] = {}
        self._maps_key: dict[int, tuple] = {}  # (layout, network) each world's maps were computed for

    def toggle(self, name: str) -> None:
        self.overlay[name] = not self.overlay[name]

    def draw(self, surface: pygame.Surface, font) -> None:
        session, level = self.session, self.session.level
        live = session.live[session.split]
        gap = 8
        cw, ch = (self.rect.w - gap) / 2, (self.rect.h - gap) / 2
        cell = min(cw / level.width, ch / level.height)
        regions = proxy_regions(level)
        for i in range(4):
            r, c = divmod(i, 2)
            ox = self.rect.x + c * (cw + gap) + (cw - cell * level.width) / 2
            oy = self.rect.y + r * (ch + gap) + (ch - cell * level.height) / 2
            underlay = None
            if session.split == "deployment":
                underlay = (lambda i=i, ox=ox, oy=oy: self._draw_overlays(surface, live, i, (ox, oy), cell))
            draw_world(surface, live.worlds, i, (ox, oy), cell, agent_pos=live.drawn_position(i), regions=regions,
                       underlay=underlay)
            outcome = live.last_outcome[i]
            if outcome and live.last_outcome_age[i] < OUTCOME_LABEL_SECONDS:
                surface.blit(font.render(outcome, True, (10, 10, 10), OUTCOME_RGB[outcome]), (ox + 6, oy + 6))
        if session.network is None:
            text = ("Starting the learner: training begins in a moment..." if session.learner.state == "starting"
                    else "No agent yet: press Train (or Load agent).")
            msg = font.render(text, True, (240, 228, 66))
            surface.blit(msg, msg.get_rect(center=self.rect.center))

    def _draw_overlays(self, surface, live: LiveEpisodes, i: int, origin, cell: float) -> None:
        ox, oy = origin
        level = self.session.level
        h, w = level.height, level.width
        if self.overlay["heatmap"] and live.visits.max() > 0:
            heat = np.log1p(live.visits) / np.log1p(live.visits.max())
            heat[TILE_SOLID[live.worlds.tiles[i]]] = 0  # mazes change: show the heat on this layout's floor only
            layer = pygame.Surface((w, h), pygame.SRCALPHA)
            for y, x in zip(*np.nonzero(heat)):
                layer.set_at((int(x), int(y)), (230, 159, 0, int(40 + 170 * heat[y, x])))
            surface.blit(pygame.transform.scale(layer, (int(w * cell), int(h * cell))), (ox, oy))
        if not (self.overlay["values"] or self.overlay["arrows"]) or self.session.network is None:
            return
        values, actions = self._maps_for(live, i)
        if self.overlay["values"] and np.isfinite(values).any():
            lo, hi = np.nanmin(values), np.nanmax(values)
            layer = pygame.Surface((w, h), pygame.SRCALPHA)
            for y, x in zip(*np.nonzero(np.isfinite(values))):
                t = (values[y, x] - lo) / (hi - lo + 1e-9)
                layer.set_at((int(x), int(y)), (int(255 * t), int(80 + 100 * t), int(255 * (1 - t)), 130))
            surface.blit(pygame.transform.scale(layer, (int(w * cell), int(h * cell))), (ox, oy))
        if self.overlay["arrows"]:
            for y, x in zip(*np.nonzero(actions > 0)):
                dx, dy = ARROWS[int(actions[y, x])]
                cx, cy = ox + (x + 0.5) * cell, oy + (y + 0.5) * cell
                tip = (cx + dx * cell * 0.35, cy + dy * cell * 0.35)
                pygame.draw.line(surface, (245, 245, 245), (cx - dx * cell * 0.25, cy - dy * cell * 0.25), tip,
                                 max(1, int(cell / 10)))
                pygame.draw.circle(surface, (245, 245, 245), tip, max(2, cell / 10))

    def _maps_for(self, live: LiveEpisodes, i: int):
        """Value and action maps of world `i`'s layout, computed again only when the layout or the agent changes."""
        session = self.session
        key = (live.worlds.tiles[i].tobytes(), live.worlds.alive[i].tobytes())
        known = self._maps_key.get(i)
        if known is None or known[0] != key or known[1] is not session.network:
            self._maps[i] = value_and_policy_maps(session.network, session.level, live.worlds, i,
                                                  session.config.view, session.config.radius)
            self._maps_key[i] = (key, session.network)
        return self._maps[i]
