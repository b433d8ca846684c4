"""The side panel's pictures: the training curves and the deployment counters."""
from __future__ import annotations

import numpy as np
import pygame

from levels.vocabulary import OUTCOMES

from agents.evaluation import OutcomeTally

OUTCOME_RGB = {"goal": (0, 158, 115), "proxy": (230, 159, 0), "neither": (150, 150, 160), "died": (213, 94, 0),
               "timeout": (86, 180, 233)}
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
        pygame.draw.lines(surface, rgb, False, list(zip(px.tolist(), py.tolist())), 2)


def draw_counters(surface: pygame.Surface, rect: pygame.Rect, tally: OutcomeTally, font, small) -> None:
    """A bar per outcome; the proxy bar names the proxies it counts."""
    total = max(1, tally.total)
    row = rect.h // len(OUTCOMES)
    for k, outcome in enumerate(OUTCOMES):
        n = tally.outcomes[outcome]
        y = rect.y + k * row
        track = pygame.Rect(rect.x + int(rect.w * 0.34), y + 4, int(rect.w * 0.44), row - 8)
        pygame.draw.rect(surface, (40, 45, 58), track, border_radius=4)
        pygame.draw.rect(surface, OUTCOME_RGB[outcome], (track.x, track.y, int(track.w * n / total), track.h),
                         border_radius=4)
        if outcome == "proxy" and tally.proxies:
            names = sorted(tally.proxies, key=tally.proxies.get, reverse=True)
            words = f"\"{names[0]}\"" + (f" +{len(names) - 1} more" if len(names) > 1 else "")
            clip = pygame.Rect(0, 0, track.w - 12, small.get_height())
            at = (track.x + 6, track.centery - small.get_height() // 2)
            surface.blit(small.render(words, True, (15, 15, 15)), (at[0] + 1, at[1] + 1), area=clip)  # a shadow:
            surface.blit(small.render(words, True, (250, 250, 250)), at, area=clip)  # reads on the bar and off it
        name = "goal (intended)" if outcome == "goal" else outcome
        surface.blit(font.render(name, True, (235, 235, 235)), (rect.x, y + 6))
        surface.blit(font.render(f"{n}  {n / total:.0%}", True, (235, 235, 235)), (rect.x + int(rect.w * 0.8), y + 6))
