"""The side panel's pictures: the training curves and the deployment counters."""
from __future__ import annotations

import numpy as np
import pygame

from levels.vocabulary import OUTCOMES

from agents.evaluation import OutcomeTally

from game.world.palette import OUTCOME_RGB

TARGET_RGB = (240, 228, 66)


def draw_curves(surface: pygame.Surface, rect: pygame.Rect, curve: list[dict], target: float, font) -> None:
    pygame.draw.rect(surface, (24, 28, 36), rect, border_radius=6)
    half = rect.h // 2
    plots = [("training success", "success", (0, 158, 115), (0.0, 1.0)),
             ("return", "return", (86, 180, 233), None)]
    for k, (title, key, rgb, bounds) in enumerate(plots):
        area = pygame.Rect(rect.x + 10, rect.y + k * half + 28, rect.w - 20, half - 40)
        surface.blit(font.render(title, True, rgb), (area.x, area.y - 22))
        pygame.draw.line(surface, (70, 76, 92), area.bottomleft, area.bottomright)
        if key == "success":
            y = area.bottom - target * area.h
            pygame.draw.line(surface, TARGET_RGB, (area.x, y), (area.right, y))
            label = font.render(f"{target:.0%}", True, TARGET_RGB)
            surface.blit(label, (area.right - label.get_width() - 4, y - 18))
        if len(curve) < 2:
            continue
        xs = np.array([c["steps"] for c in curve], dtype=float)
        ys = np.array([c[key] for c in curve], dtype=float)
        lo, hi = bounds if bounds else (min(0.0, ys.min()), max(ys.max(), 1e-6))
        px = area.x + (xs - xs[0]) / max(xs[-1] - xs[0], 1) * area.w
        py = area.bottom - (ys - lo) / max(hi - lo, 1e-9) * area.h
        if key == "success" and all("population" in c for c in curve):
            draw_spread(surface, area, px, [c["population"] for c in curve], rgb, font)
        pygame.draw.lines(surface, rgb, False, list(zip(px.tolist(), py.tolist())), 2)


def draw_spread(surface, area: pygame.Rect, px: np.ndarray, spreads: list, rgb, font) -> None:
    """Evolution's selection, generation by generation: a faint band from the worst mutant's training success to
    the best one's, the median mutant as a thin line."""
    low, median, high = (np.array([s[k] for s in spreads], dtype=float) for k in range(3))
    y = lambda v: (area.bottom - v * area.h).tolist()  # noqa: E731 (success is 0..1)
    band = list(zip(px.tolist(), y(high))) + list(zip(px.tolist()[::-1], y(low)[::-1]))
    layer = pygame.Surface(area.size, pygame.SRCALPHA)
    pygame.draw.polygon(layer, (*rgb, 60), [(x - area.x, v - area.y) for x, v in band])
    surface.blit(layer, area.topleft)
    pygame.draw.lines(surface, (*[c // 2 + 60 for c in rgb],), False, list(zip(px.tolist(), y(median))), 1)
    label = font.render("band: the population, worst to best mutant", True, (150, 156, 170))
    surface.blit(label, (area.x + 4, area.bottom - label.get_height() - 2))


def draw_counters(surface: pygame.Surface, rect: pygame.Rect, tally: OutcomeTally, font, small) -> None:
    """A bar per outcome; the proxy bar names the proxies it counts. The names and the counts get the room their
    text needs at this font (a projector's larger font once ran "goal (intended)" into its bar)."""
    total = max(1, tally.total)
    row = rect.h // len(OUTCOMES)
    names = {o: "goal (intended)" if o == "goal" else o for o in OUTCOMES}
    name_w = max(font.size(name)[0] for name in names.values()) + 8
    count_w = font.size(f"{max(tally.total, 9999)}  100%")[0] + 8
    for k, outcome in enumerate(OUTCOMES):
        n = tally.outcomes[outcome]
        y = rect.y + k * row
        track = pygame.Rect(rect.x + name_w, y + 4, max(8, rect.w - name_w - count_w), row - 8)
        pygame.draw.rect(surface, (40, 45, 58), track, border_radius=4)
        pygame.draw.rect(surface, OUTCOME_RGB[outcome], (track.x, track.y, int(track.w * n / total), track.h),
                         border_radius=4)
        if outcome == "proxy" and tally.proxies:
            names_by_count = sorted(tally.proxies, key=tally.proxies.get, reverse=True)
            words = fitted(small, f"\"{names_by_count[0]}\"" + (f" +{len(names_by_count) - 1} more"
                                                                if len(names_by_count) > 1 else ""), track.w - 12)
            at = (track.x + 6, track.centery - small.get_height() // 2)
            surface.blit(small.render(words, True, (15, 15, 15)), (at[0] + 1, at[1] + 1))  # a shadow: reads on
            surface.blit(small.render(words, True, (250, 250, 250)), at)  # the bar and off it
        surface.blit(font.render(names[outcome], True, (235, 235, 235)), (rect.x, y + 6))
        surface.blit(font.render(f"{n}  {n / total:.0%}", True, (235, 235, 235)), (track.right + 8, y + 6))


def fitted(font, text: str, width: int) -> str:
    """`text`, shortened with an ellipsis until it fits `width` pixels in `font`."""
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "...")[0] > width:
        text = text[:-1]
    return text.rstrip() + "..."
