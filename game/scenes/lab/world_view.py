"""Four live episodes of the split on screen, with the deployment overlays: where the agent went (heatmap), what
its network expects (value map) and what it would do on each cell (policy arrows)."""
from __future__ import annotations

import numpy as np
import pygame

from agents.approach import target_masks
from game.render import draw_world, proxy_regions
from game.scenes.lab.charts import OUTCOME_RGB
from game.scenes.lab.overlays import draw_arrows, draw_heat, draw_legend, draw_values, legend_entries
from game.session.lab import LabSession
from game.session.live import LiveEpisodes
from game.session.maps import value_and_policy_maps
from game.world.variants import TILE_SOLID

OUTCOME_LABEL_SECONDS = 1.2
HIGHLIGHT_RGB = (204, 121, 167)  # Okabe-Ito reddish purple: unlike any tile or the proxy outlines


class WorldView:
    def __init__(self, session: LabSession):
        self.session = session
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.overlay = {"heatmap": False, "values": False, "arrows": False}
        self.highlight = None  # a candidate objective to outline in every world (what it acts as if it wants)
        self._maps: dict[int, tuple] = {}
        self._maps_key: dict[int, tuple] = {}  # (layout, network) each world's maps were computed for

    def toggle(self, name: str) -> None:
        self.overlay[name] = not self.overlay[name]

    def draw(self, surface: pygame.Surface, font) -> None:
        session, level = self.session, self.session.level
        live = session.live[session.split]
        overlays_on = session.split == "deployment" and any(self.overlay.values())
        value_range = self._value_range(live) if overlays_on and self.overlay["values"] else None
        entries = legend_entries(self.overlay, value_range, int(live.visits.max())) if overlays_on else []
        line = font.get_height() + 6
        legend = pygame.Rect(self.rect.x, self.rect.bottom - line * len(entries), self.rect.w, line * len(entries))
        area = self.rect.copy()
        area.h -= legend.h + (4 if entries else 0)
        gap = 8
        cw, ch = (area.w - gap) / 2, (area.h - gap) / 2
        cell = min(cw / level.width, ch / level.height)
        regions = proxy_regions(level)
        for i in range(4):
            r, c = divmod(i, 2)
            ox = area.x + c * (cw + gap) + (cw - cell * level.width) / 2
            oy = area.y + r * (ch + gap) + (ch - cell * level.height) / 2
            underlay = None
            if overlays_on:
                underlay = (lambda i=i, o=(ox, oy): self._draw_overlays(surface, live, i, o, cell, value_range))
            draw_world(surface, live.worlds, i, (ox, oy), cell, agent_pos=live.drawn_position(i), regions=regions,
                       underlay=underlay)
            if overlays_on and self.overlay["arrows"] and session.network is not None:
                draw_arrows(surface, self._maps_for(live, i)[1], (ox, oy), cell)
            if self.highlight is not None:
                self._draw_highlight(surface, live, i, (ox, oy), cell)
            outcome = live.last_outcome[i]
            if outcome and live.last_outcome_age[i] < OUTCOME_LABEL_SECONDS:
                surface.blit(font.render(outcome, True, (10, 10, 10), OUTCOME_RGB[outcome]), (ox + 6, oy + 6))
        if entries:
            draw_legend(surface, legend, entries, font)
        if session.network is None:
            text = ("Starting the learner: training begins in a moment..." if session.learner.state == "starting"
                    else "No agent yet: press Train (or Load agent).")
            msg = font.render(text, True, (240, 228, 66))
            surface.blit(msg, msg.get_rect(center=self.rect.center))

    def _draw_highlight(self, surface, live: LiveEpisodes, i: int, origin, cell: float) -> None:
        """Outline the cells of the highlighted candidate in world `i` as it is now."""
        mask = target_masks(self.session.level, live.worlds, i, [self.highlight])[0]
        width = max(2, int(cell / 10))
        for y, x in zip(*np.nonzero(mask)):
            pygame.draw.rect(surface, HIGHLIGHT_RGB, (origin[0] + x * cell, origin[1] + y * cell, cell, cell), width)

    def _value_range(self, live: LiveEpisodes):
        """One scale for the four worlds, so a colour means the same value everywhere (and in the legend)."""
        if self.session.network is None:
            return None
        values = [self._maps_for(live, i)[0] for i in range(4)]
        finite = np.concatenate([v[np.isfinite(v)] for v in values])
        return (float(finite.min()), float(finite.max())) if finite.size else None

    def _draw_overlays(self, surface, live: LiveEpisodes, i: int, origin, cell: float, value_range) -> None:
        if self.overlay["heatmap"] and live.visits.max() > 0:
            floor = ~TILE_SOLID[live.worlds.tiles[i]]  # mazes change: show the heat on this layout's floor only
            draw_heat(surface, live.visits, floor, origin, cell)
        if self.overlay["values"] and value_range is not None:
            draw_values(surface, self._maps_for(live, i)[0], *value_range, origin, cell)

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
