"""The deployment overlays and their keys: where the agent went (heatmap), what its network expects from each cell
(value map), what it would do there (policy arrows), where it ends up from each start cell and, while the episodes
are paused, its next moves. Every layer has a legend with its scale."""
from __future__ import annotations

import numpy as np
import pygame

from game.render import HEAT_STOPS, blit_cells, ramp
from game.world.palette import OUTCOME_RGB
from game.session.maps import ARROWS
from game.session.what_if import Destinations

# Okabe-Ito reddish purple, unlike any tile or the proxy outlines: what it acts as if it wants, and its next moves.
HIGHLIGHT_RGB = (204, 121, 167)
VALUE_STOPS = [(0.0, (0, 114, 178, 150)), (0.5, (150, 150, 160, 120)), (1.0, (230, 159, 0, 170))]  # blue -> orange
ARROW_RGB, ARROW_EDGE = (250, 250, 250), (20, 22, 28)


def draw_values(surface, values: np.ndarray, lo: float, hi: float, origin, cell: float) -> None:
    known = np.isfinite(values)
    t = np.where(known, (np.nan_to_num(values) - lo) / max(hi - lo, 1e-9), 0.0)
    blit_cells(surface, ramp(VALUE_STOPS, np.clip(t, 0, 1)), known, origin, cell)


def arrow_layer(actions: np.ndarray, cell: float) -> pygame.Surface:
    """A transparent image of the arrows (`draw_arrows`), to draw again every frame without redrawing each one."""
    h, w = actions.shape
    layer = pygame.Surface((int(np.ceil(w * cell)), int(np.ceil(h * cell))), pygame.SRCALPHA)
    draw_arrows(layer, actions, (0, 0), cell)
    return layer


def draw_arrows(surface, actions: np.ndarray, origin, cell: float) -> None:
    """An arrow on each cell towards the move the policy likes most there; 'stay' shows nothing. Sized with the
    cell but never thinner than 2 pixels, outlined so it reads on any colour beneath."""
    ox, oy = origin
    half = cell * 0.36
    head = max(4.0, cell * 0.2)
    width = max(2, int(cell / 12))
    for y, x in zip(*np.nonzero(actions > 0)):
        dx, dy = ARROWS[int(actions[y, x])]
        cx, cy = ox + (x + 0.5) * cell, oy + (y + 0.5) * cell
        tail = (cx - dx * half, cy - dy * half)
        tip = (cx + dx * half, cy + dy * half)
        base = (tip[0] - dx * head, tip[1] - dy * head)
        wing = (-dy * head * 0.6, dx * head * 0.6)
        triangle = [tip, (base[0] + wing[0], base[1] + wing[1]), (base[0] - wing[0], base[1] - wing[1])]
        pygame.draw.line(surface, ARROW_EDGE, tail, base, width + 2)
        pygame.draw.line(surface, ARROW_RGB, tail, base, width)
        pygame.draw.polygon(surface, ARROW_RGB, triangle)
        pygame.draw.polygon(surface, ARROW_EDGE, triangle, 1)


def draw_destinations(surface, found: Destinations, shape: tuple[int, int], origin, cell: float) -> None:
    """Each start cell tinted by how the agent's episodes from there ended (fainter where they disagree), and a
    ring on each cell where many episodes ended, larger where more of them did."""
    if found.episodes == 0:
        return
    h, w = shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    mask = np.zeros((h, w), dtype=bool)
    for (x, y), outcome, agree in zip(found.starts, found.outcome, found.agreement):
        rgba[y, x] = (*OUTCOME_RGB[outcome], int(60 + 110 * agree))
        mask[y, x] = True
    blit_cells(surface, rgba, mask, origin, cell)
    inside = (found.ends[:, 0] >= 0) & (found.ends[:, 0] < w) & (found.ends[:, 1] >= 0) & (found.ends[:, 1] < h)
    if not inside.any():  # every episode fell out of a side-view level
        return
    cells, counts = np.unique(found.ends[inside], axis=0, return_counts=True)
    many = counts >= max(2, 0.02 * found.episodes)  # a ring where a few episodes ended is noise, not a place
    cells, counts = cells[many], counts[many]
    ox, oy = origin
    width = max(2, int(cell / 14))
    for (x, y), count in zip(cells, counts):
        radius = cell * (0.18 + 0.3 * np.sqrt(count / counts.max()))
        centre = (ox + (x + 0.5) * cell, oy + (y + 0.5) * cell)
        pygame.draw.circle(surface, ARROW_EDGE, centre, radius, width + 2)
        pygame.draw.circle(surface, ARROW_RGB, centre, radius, width)


def draw_path(surface, path: list[tuple[float, float]], origin, cell: float) -> None:
    """The agent's most likely next moves: a dotted trail from where it stands, brightest nearest."""
    ox, oy = origin
    points = [(ox + x * cell, oy + y * cell) for x, y in path]
    width = max(3, int(cell / 8))
    if len(points) > 1:
        pygame.draw.lines(surface, ARROW_EDGE, False, points, width + 2)
        pygame.draw.lines(surface, HIGHLIGHT_RGB, False, points, width)
    if points:
        pygame.draw.circle(surface, HIGHLIGHT_RGB, points[-1], max(4.0, cell * 0.16))
        pygame.draw.circle(surface, ARROW_EDGE, points[-1], max(4.0, cell * 0.16), 1)


def legend_entries(overlay: dict, value_range, most_visits: int, paused: bool = False, reward=None) -> list[tuple]:
    """(title, colour stops, named swatches, weights or None, low end, high end) for each overlay that is on.
    `reward`: (its range, the planner's feature weights) when its reward map is shown."""
    entries = []
    if overlay["heatmap"]:
        entries.append(("Heatmap, time spent:", HEAT_STOPS, "rarely", f"most ({most_visits:,} steps); log scale"))
    if overlay["values"] and value_range is not None:
        lo, hi = value_range
        # The critic is a learned guess, fitted only where training went: off it, nothing holds it below the most
        # the level can pay (a cheese level paying +10 showed 12-13), so the legend says it is a guess.
        entries.append(("Value, the critic's guess at its return (not measured; can exceed any real return):",
                        VALUE_STOPS, f"{lo:.2f}", f"{hi:.2f}"))
    if overlay["arrows"]:
        entries.append(("Arrows: the move it prefers on each cell (no arrow: stay)", None, "", ""))
    if overlay.get("reward") and reward is not None:
        (lo, hi), weights = reward if reward[0] is not None else ((0.0, 0.0), reward[1])
        entries.append(("Its own reward (the planner's mesa-objective):", VALUE_STOPS, f"{lo:+.2f}", f"{hi:+.2f}"))
        strongest = sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:5]
        entries.append(("Weights:", strongest, "", ""))
    if overlay["where"]:
        swatches = [(name, OUTCOME_RGB[name]) for name in ("goal", "proxy", "timeout", "died", "neither")]
        entries.append(("From each start it ends in:", swatches, "", "rings: where many episodes end"))
    if paused:
        entries.append(("Paused. Drag the agent or anything else; the trail shows its next moves (P resumes)",
                        None, "", ""))
    return entries


def draw_legend(surface, rect: pygame.Rect, entries: list[tuple], font) -> None:
    """One line per overlay that is on: a colour bar with what its two ends mean."""
    line = rect.h // max(1, len(entries))
    for k, (title, stops, low, high) in enumerate(entries):
        x, middle = rect.x, rect.y + k * line + line // 2
        for text, colour_bar in ((title, False), (low, False), (None, True), (high, False)):
            if colour_bar and stops and isinstance(stops[0][1], float):  # the planner's weights: a bar before each
                biggest = max(abs(w) for _, w in stops) or 1.0
                for name, weight in stops:
                    bar = max(2, int(line * 1.5 * abs(weight) / biggest))
                    rgb = VALUE_STOPS[-1][1][:3] if weight >= 0 else VALUE_STOPS[0][1][:3]
                    label = font.render(f"{name} {weight:+.2f}", True, (225, 225, 225))
                    if x + bar + 4 + label.get_width() > rect.right:
                        break
                    pygame.draw.rect(surface, rgb, (x, middle - line // 4, bar, line // 2))
                    surface.blit(label, (x + bar + 4, middle - label.get_height() // 2))
                    x += bar + label.get_width() + 18
            elif colour_bar and stops and isinstance(stops[0][0], str):  # named colours: a swatch before each name
                for name, rgb in stops:
                    pygame.draw.rect(surface, rgb, (x, middle - line // 4, line // 2, line // 2))
                    label = font.render(name, True, (225, 225, 225))
                    surface.blit(label, (x + line // 2 + 4, middle - label.get_height() // 2))
                    x += line // 2 + label.get_width() + 14
            elif colour_bar and stops is not None:
                bar = pygame.Rect(x, middle - line // 4, max(60, line * 4), line // 2)
                colours = ramp(stops, np.linspace(0, 1, bar.w))
                for i in range(bar.w):
                    pygame.draw.line(surface, tuple(int(c) for c in colours[i][:3]), (bar.x + i, bar.y),
                                     (bar.x + i, bar.bottom))
                x = bar.right + 8
            elif text:
                label = font.render(text, True, (225, 225, 225))
                surface.blit(label, (x, middle - label.get_height() // 2))
                x += label.get_width() + 8
