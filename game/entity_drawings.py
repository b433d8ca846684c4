"""What each entity kind looks like: one small drawing per kind (`DRAWINGS`), so adding a kind to the level
vocabulary is one row there and, here, one function; a kind without a drawing is shown as a disc with its initial.

Shapes tell entities apart as well as colours do (coin: circle, cheese: wedge, flag: pennant, gem: diamond, key: key,
chest: box, door: arch, decoy: hexagon, crate: crossed box, apple: round with a leaf, shield: heater shield, monster:
spiked body with eyes, guide: a figure with a staff, dish: flat ellipse, supervisor: an open eye, agent: round face),
so nothing depends on colour alone.
"""
from __future__ import annotations

import functools
import math
import os

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402


def darker(rgb, f=0.6):
    return tuple(int(c * f) for c in rgb)


def draw_entity(surface: pygame.Surface, kind: str, rgb, centre: tuple[float, float], cell: float) -> None:
    """One entity of `kind` centred at `centre` (pixels), sized for cells of `cell` pixels."""
    x, y = centre
    drawing = DRAWINGS.get(kind, _unknown(kind))
    drawing(surface, rgb, darker(rgb), x, y, cell * 0.36, cell, max(1, int(cell / 12)))


@functools.lru_cache(maxsize=None)
def _unknown(kind: str):
    """A kind with no drawing of its own: a disc with the kind's initial."""
    def draw(surface, rgb, dark, x, y, r, cell, line):
        pygame.draw.circle(surface, rgb, (x, y), r)
        pygame.draw.circle(surface, dark, (x, y), r, line)
        font = pygame.font.Font(None, max(8, int(cell * 0.6)))
        label = font.render(kind[:1].upper(), True, dark)
        surface.blit(label, label.get_rect(center=(int(x), int(y))))
    return draw


def _coin(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.circle(surface, rgb, (x, y), r)
    pygame.draw.circle(surface, dark, (x, y), r * 0.55, line)


def _cheese(surface, rgb, dark, x, y, r, cell, line):
    pts = [(x - r, y + r * 0.7), (x + r, y + r * 0.7), (x + r, y - r * 0.7)]
    pygame.draw.polygon(surface, rgb, pts)
    pygame.draw.circle(surface, dark, (x + r * 0.45, y + r * 0.25), r * 0.18)


def _flag(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.line(surface, (230, 230, 230), (x - r * 0.7, y - r), (x - r * 0.7, y + r), max(2, line))
    pygame.draw.polygon(surface, rgb, [(x - r * 0.6, y - r), (x + r, y - r * 0.5), (x - r * 0.6, y)])


def _gem(surface, rgb, dark, x, y, r, cell, line):
    pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    pygame.draw.polygon(surface, rgb, pts)
    pygame.draw.polygon(surface, dark, pts, line)


def _key(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.circle(surface, rgb, (x - r * 0.45, y), r * 0.45, max(2, line * 2))
    pygame.draw.line(surface, rgb, (x, y), (x + r, y), max(2, line * 2))
    pygame.draw.line(surface, rgb, (x + r * 0.7, y), (x + r * 0.7, y + r * 0.4), max(2, line * 2))


def _chest(surface, rgb, dark, x, y, r, cell, line):
    box = pygame.Rect(0, 0, r * 2, r * 1.5)
    box.center = (x, y)
    pygame.draw.rect(surface, rgb, box, border_radius=max(1, int(r / 4)))
    lid = box.top + box.height * 0.4
    pygame.draw.line(surface, dark, (box.left, lid), (box.right, lid), line)
    pygame.draw.rect(surface, dark, pygame.Rect(x - r * 0.15, box.top + box.height * 0.3, r * 0.3, r * 0.4))


def _door(surface, rgb, dark, x, y, r, cell, line):
    box = pygame.Rect(0, 0, cell * 0.8, cell * 0.95)
    box.center = (x, y)
    pygame.draw.rect(surface, rgb, box, border_top_left_radius=int(cell * 0.4), border_top_right_radius=int(cell * 0.4))
    pygame.draw.circle(surface, dark, (x + cell * 0.2, y + cell * 0.1), max(2, cell * 0.06))


def _decoy(surface, rgb, dark, x, y, r, cell, line):
    pts = [(x + r * math.cos(a), y + r * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 7)[:-1]]
    pygame.draw.polygon(surface, rgb, pts)
    pygame.draw.polygon(surface, dark, pts, line)


def _crate(surface, rgb, dark, x, y, r, cell, line):
    box = pygame.Rect(0, 0, cell * 0.9, cell * 0.9)
    box.center = (x, y)
    pygame.draw.rect(surface, rgb, box)
    pygame.draw.rect(surface, dark, box, line)
    pygame.draw.line(surface, dark, box.topleft, box.bottomright, line)
    pygame.draw.line(surface, dark, box.topright, box.bottomleft, line)


def _apple(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.circle(surface, rgb, (x, y + r * 0.1), r * 0.85)
    pygame.draw.line(surface, (120, 80, 40), (x, y - r * 0.6), (x + r * 0.15, y - r), max(2, line))
    pygame.draw.ellipse(surface, (0, 158, 115), pygame.Rect(x + r * 0.1, y - r, r * 0.55, r * 0.3))


def _shield(surface, rgb, dark, x, y, r, cell, line):
    pts = [(x - r * 0.8, y - r * 0.8), (x + r * 0.8, y - r * 0.8), (x + r * 0.8, y), (x, y + r), (x - r * 0.8, y)]
    pygame.draw.polygon(surface, rgb, pts)
    pygame.draw.polygon(surface, dark, pts, line)
    pygame.draw.line(surface, dark, (x, y - r * 0.8), (x, y + r * 0.9), line)


def _monster(surface, rgb, dark, x, y, r, cell, line):
    spikes = [(x + (r if k % 2 == 0 else r * 0.7) * math.cos(a), y + (r if k % 2 == 0 else r * 0.7) * math.sin(a))
              for k, a in enumerate(np.linspace(0, 2 * math.pi, 17)[:-1])]
    pygame.draw.polygon(surface, rgb, spikes)
    for side in (-1, 1):  # angry eyes: never mistaken for the agent's round face
        pygame.draw.circle(surface, (250, 250, 250), (x + side * r * 0.32, y - r * 0.1), r * 0.22)
        pygame.draw.circle(surface, (10, 10, 20), (x + side * r * 0.3, y - r * 0.05), r * 0.1)
    pygame.draw.line(surface, dark, (x - r * 0.35, y + r * 0.4), (x + r * 0.35, y + r * 0.4), line)


def _guide(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.circle(surface, rgb, (x - r * 0.15, y - r * 0.55), r * 0.32)
    pygame.draw.polygon(surface, rgb, [(x - r * 0.15, y - r * 0.25), (x - r * 0.7, y + r), (x + r * 0.4, y + r)])
    pygame.draw.line(surface, (200, 160, 90), (x + r * 0.65, y - r), (x + r * 0.65, y + r), max(2, line))


def _dish(surface, rgb, dark, x, y, r, cell, line):
    plate = pygame.Rect(0, 0, cell * 0.92, cell * 0.5)  # wider than anything that lies on it
    plate.center = (x, y + cell * 0.2)
    pygame.draw.ellipse(surface, rgb, plate)
    pygame.draw.ellipse(surface, dark, plate.inflate(-cell * 0.25, -cell * 0.15), line)


def _agent(surface, rgb, dark, x, y, r, cell, line):
    pygame.draw.circle(surface, rgb, (x, y), cell * 0.4)
    eye = cell * 0.07
    pygame.draw.circle(surface, (10, 10, 20), (x - cell * 0.13, y - cell * 0.08), eye)
    pygame.draw.circle(surface, (10, 10, 20), (x + cell * 0.13, y - cell * 0.08), eye)


def _supervisor(surface, rgb, dark, x, y, r, cell, line):
    """Someone watching: a large open eye, its pupil looking out."""
    eye = pygame.Rect(0, 0, int(r * 2.1), int(r * 1.25))
    eye.center = (int(x), int(y))
    pygame.draw.ellipse(surface, (235, 235, 235), eye)
    pygame.draw.ellipse(surface, rgb, eye, max(2, line + 1))
    pygame.draw.circle(surface, rgb, (x, y), r * 0.48)
    pygame.draw.circle(surface, (10, 10, 10), (x, y), r * 0.22)
    for k in (-1, 0, 1):  # lashes: it reads as an eye, not a coin
        pygame.draw.line(surface, rgb, (x + k * r * 0.6, y - r * 0.62), (x + k * r * 0.8, y - r * 0.95), line)


DRAWINGS = {"coin": _coin, "cheese": _cheese, "flag": _flag, "gem": _gem, "key": _key, "chest": _chest, "door": _door,
            "decoy": _decoy, "crate": _crate, "apple": _apple, "shield": _shield, "monster": _monster,
            "guide": _guide, "dish": _dish, "supervisor": _supervisor, "agent": _agent}
