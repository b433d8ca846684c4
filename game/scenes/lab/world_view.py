"""Four live episodes of the split on screen, with the deployment overlays: where the agent went (heatmap), what
its network expects (value map), what it would do on each cell (policy arrows), where it ends up from each start
(destinations) and, while paused, the trail of its next moves."""
from __future__ import annotations

import numpy as np
import pygame

from agents.approach import target_masks
from game.render import draw_heat, draw_world, proxy_regions
from game.world.palette import OUTCOME_RGB
from game.scenes.lab.overlays import (HIGHLIGHT_RGB, arrow_layer, draw_destinations, draw_legend, draw_path,
                                      draw_values, legend_entries)
from game.session.lab import LabSession
from game.session.live import LiveEpisodes
from game.world.variants import TILE_SOLID

OUTCOME_LABEL_SECONDS = 1.2
REFUSED_RGB = (213, 94, 0)
CLAMPED_RGB = (240, 228, 66)  # (yellow: apart from the outcomes' and the highlight's colours)


MIN_CELL = 6.0  # pixels: four worlds of a 96 x 96 level drew cells of 3.5, an agent and its things a dot or less


def arrangement(area: pygame.Rect, width: int, height: int, gap: int, min_span: float = 0.0) -> tuple[int, int, float]:
    """(rows, columns, cell size) for the live worlds in `area`: four, two by two, in one row or in one column,
    whichever draws the cells largest (a wide, short view, as under a lesson or in projector mode, takes one row).
    When four cannot span `min_span` pixels across (projector mode asks for half the window, so that a room reads
    the map from the back), two worlds side by side; when their cells would be drawn smaller than MIN_CELL, two or
    one (the worlds not drawn still play and count)."""
    def best_of(layouts):
        best = None
        for rows, cols in layouts:
            cell = min((area.w - gap * (cols - 1)) / cols / width, (area.h - gap * (rows - 1)) / rows / height)
            if best is None or cell > best[2] + 1e-9:
                best = (rows, cols, cell)
        return best
    rows, cols, cell = best_of(((2, 2), (1, 4), (4, 1)))
    if cols * cell * width + (cols - 1) * gap < min_span:
        two = best_of(((1, 2),))
        if two[2] > cell:
            rows, cols, cell = two
    if cell < MIN_CELL:  # a large level: fewer worlds, each large enough to see the agent in
        for fewer in (((1, 2), (2, 1)), ((1, 1),)):
            rows, cols, cell = max((rows, cols, cell), best_of(fewer), key=lambda layout: layout[2])  # (ties: more)
            if cell >= MIN_CELL:
                break
    return rows, cols, cell


class WorldView:
    def __init__(self, session: LabSession):
        self.session = session
        self.rect = pygame.Rect(0, 0, 0, 0)
        # The deployment overlays, and the planner's own reward ("reward"), which shows in both views.
        self.overlay = {"heatmap": False, "values": False, "arrows": False, "where": False, "reward": False}
        self.highlight = None  # a candidate objective to outline in every world (what it acts as if it wants)
        self.refused = None  # (world, cell, why) a drag could not go: outlined, with the reason
        self.origins: list[tuple[float, float]] = []  # each world's top-left corner on screen, as last drawn
        self.cell = 1.0  # the size of a cell on screen, as last drawn
        self._arrow_layers: dict[int, tuple] = {}  # world -> (actions, cell size, image): drawn once per map
        # Whether the last frame drew anything measured at deployment (an overlay, a trail, an outlined candidate,
        # an outcome label): before a prediction it must never have (a lesson's trace reads it).
        self.drew_measured = False
        self.min_span = 0  # pixels the worlds should span across, at least (projector mode: half the window)

    def toggle(self, name: str) -> None:
        self.overlay[name] = not self.overlay[name]

    def draw(self, surface: pygame.Surface, font) -> None:
        session, level = self.session, self.session.level
        live = session.live[session.split]
        deployment = session.split == "deployment"
        network = session.network
        shown = {k: on and deployment and network is not None for k, on in self.overlay.items()}
        shown["heatmap"] = self.overlay["heatmap"] and deployment
        shown["reward"] = self.overlay["reward"] and getattr(network, "readable_objective", False)
        sealed = session.sealed  # before a prediction nothing on the map may answer first (no trail, no overlays)
        if sealed:
            shown = dict.fromkeys(shown, False)
        overlays_on = any(shown.values())
        trail = deployment and session.paused and network is not None and not sealed
        highlight = None if sealed else self.highlight
        self.drew_measured = deployment and (overlays_on or trail or highlight is not None)
        value_range = self._range(live, self._values) if shown["values"] else None
        reward = (self._range(live, self._reward, around_zero=True), network.objective()) if shown["reward"] else None
        entries = (legend_entries(shown, value_range, int(live.visits.max()), paused=trail, reward=reward)
                   if overlays_on or trail else [])
        line = font.get_height() + 6
        legend = pygame.Rect(self.rect.x, self.rect.bottom - line * len(entries), self.rect.w, line * len(entries))
        area = self.rect.copy()
        area.h -= legend.h + (4 if entries else 0)
        gap = 8
        rows, cols, cell = arrangement(area, level.width, level.height, gap, self.min_span)
        ww, wh = cell * level.width, cell * level.height  # one world on screen
        left = area.x + (area.w - cols * ww - (cols - 1) * gap) / 2  # the four together, centred: no wide gutters
        top = area.y + (area.h - rows * wh - (rows - 1) * gap) / 2
        regions = proxy_regions(level)
        steering = session.steering
        # Where a channel is clamped (retargeting): part of the question, not of the answer, so shown when sealed too.
        clamped = steering.choice.target if steering.active and steering.choice.channel is not None else None
        self.cell, self.origins = cell, []
        for i in range(rows * cols):  # the worlds not drawn (two, in projector mode) still play and count
            r, c = divmod(i, cols)
            ox, oy = left + c * (ww + gap), top + r * (wh + gap)
            self.origins.append((ox, oy))
            underlay = None
            if overlays_on:
                underlay = (lambda i=i, o=(ox, oy): self._draw_overlays(surface, live, i, o, cell, shown, value_range,
                                                                        reward))
            draw_world(surface, live.worlds, i, (ox, oy), cell, agent_pos=live.drawn_position(i), regions=regions,
                       underlay=underlay, entity_cells=live.drawn_cells(i))
            if shown["arrows"]:
                surface.blit(self._arrows(live, i, cell), (ox, oy))
            path = session.what_if.path(session.shown_network(i), live.env, i) if trail else None
            if path:
                draw_path(surface, path, (ox, oy), cell)
            if shown["where"]:
                found = session.what_if.destinations(session.shown_network(i), live.env, i)
                if found is None:
                    note = font.render("Working out where it would go...", True, (240, 228, 66), (20, 22, 28))
                    surface.blit(note, (ox + 6, oy + 6))
            if self.refused is not None and self.refused[0] == i:
                self._draw_refused(surface, (ox, oy), cell, font)
            if highlight is not None:
                self._draw_highlight(surface, live, i, (ox, oy), cell)
            if clamped is not None:
                self._draw_clamped(surface, clamped, (ox, oy), cell)
            outcome = live.last_outcome[i]
            if outcome and live.last_outcome_age[i] < OUTCOME_LABEL_SECONDS and not (deployment and sealed):
                self.drew_measured = self.drew_measured or deployment
                surface.blit(font.render(outcome, True, (10, 10, 10), OUTCOME_RGB[outcome]), (ox + 6, oy + 6))
        if entries:
            draw_legend(surface, legend, entries, font)
        if session.network is None:
            text = ("Starting the learner: training begins in a moment..." if session.training.state == "starting"
                    else "No agent yet: press Train (or Load agent).")
            msg = font.render(text, True, (240, 228, 66))
            surface.blit(msg, msg.get_rect(center=self.rect.center))

    def _draw_highlight(self, surface, live: LiveEpisodes, i: int, origin, cell: float) -> None:
        """Outline the cells of the highlighted candidate in world `i` as it is now."""
        mask = target_masks(self.session.level, live.worlds, i, [self.highlight])[0]
        width = max(2, int(cell / 10))
        for y, x in zip(*np.nonzero(mask)):
            pygame.draw.rect(surface, HIGHLIGHT_RGB, (origin[0] + x * cell, origin[1] + y * cell, cell, cell), width)

    def _draw_clamped(self, surface, target: tuple[int, int], origin, cell: float) -> None:
        """A target's rings on the cell where the steered agent's channel is clamped."""
        centre = (origin[0] + (target[0] + 0.5) * cell, origin[1] + (target[1] + 0.5) * cell)
        width = max(2, int(cell / 12))
        for radius in (0.45 * cell, 0.22 * cell):
            pygame.draw.circle(surface, CLAMPED_RGB, centre, radius, width)

    def cell_at(self, pos, world: int | None = None) -> tuple[int, tuple[int, int]] | None:
        """(world, cell) under the screen position `pos` (in `world` only, if given), or None."""
        level = self.session.level
        for i, (ox, oy) in enumerate(self.origins):
            if world is not None and i != world:
                continue
            x, y = int((pos[0] - ox) // self.cell), int((pos[1] - oy) // self.cell)
            if 0 <= x < level.width and 0 <= y < level.height:
                return i, (x, y)
        return None

    def _draw_refused(self, surface, origin, cell: float, font) -> None:
        """Where a dragged thing could not go, and why."""
        _, (x, y), why = self.refused
        box = pygame.Rect(origin[0] + x * cell, origin[1] + y * cell, cell, cell)
        pygame.draw.rect(surface, REFUSED_RGB, box, max(2, int(cell / 10)))
        label = font.render(why, True, (10, 10, 10), REFUSED_RGB)
        spot = label.get_rect(midbottom=(box.centerx, box.y - 2)).clamp(self.rect)
        surface.blit(label, spot)

    def _values(self, live: LiveEpisodes, i: int) -> np.ndarray:
        return self._maps_for(live, i)[0]

    def _reward(self, live: LiveEpisodes, i: int) -> np.ndarray:
        return self.session.what_if.reward(self.session.network, live.env, i)

    def _range(self, live: LiveEpisodes, layer, around_zero: bool = False) -> tuple[float, float] | None:
        """One scale for the four worlds, so a colour means the same number everywhere (and in the legend); a
        reward's scale is centred on zero, so grey is nothing, orange wanted and blue avoided."""
        if self.session.network is None:
            return None
        finite = np.concatenate([v[np.isfinite(v)] for v in (layer(live, i) for i in range(4))])
        if not finite.size:
            return None
        if around_zero:
            top = max(float(np.abs(finite).max()), 1e-6)
            return (-top, top)
        return (float(finite.min()), float(finite.max()))

    def _draw_overlays(self, surface, live: LiveEpisodes, i: int, origin, cell: float, shown: dict, value_range,
                       reward) -> None:
        if shown["heatmap"] and live.visits.max() > 0:
            floor = ~TILE_SOLID[live.worlds.tiles[i]]  # mazes change: show the heat on this layout's floor only
            draw_heat(surface, live.visits, floor, origin, cell)
        if shown["values"] and value_range is not None:
            draw_values(surface, self._values(live, i), *value_range, origin, cell)
        if shown["reward"] and reward[0] is not None:
            draw_values(surface, self._reward(live, i), *reward[0], origin, cell)
        if shown["where"]:
            found = self.session.what_if.destinations(self.session.shown_network(i), live.env, i)
            if found is not None:
                draw_destinations(surface, found, live.worlds.tiles[i].shape, origin, cell)

    def _arrows(self, live: LiveEpisodes, i: int, cell: float) -> pygame.Surface:
        actions = self._maps_for(live, i)[1]
        known = self._arrow_layers.get(i)
        if known is None or known[0] is not actions or known[1] != cell:
            known = (actions, cell, arrow_layer(actions, cell))
            self._arrow_layers[i] = known
        return known[2]

    def _maps_for(self, live: LiveEpisodes, i: int):
        """Value and action maps of world `i` as it is now (computed again only when it or the agent changes)."""
        return self.session.what_if.maps(self.session.shown_network(i), live.env, i)
