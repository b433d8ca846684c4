"""Where widgets go: a column filled top to bottom, rows cut into cells side by side. Sizes are given in design
pixels (a window 800 pixels high) and scaled with the window, so a panel says "a row 34 high, cut 1:1" instead of
summing `int(34 * s)` and `px + half + gap` by hand.

    column = Column(rect, app.scale)
    title = column.row(28)                    # the next row, the whole width
    left, right = column.cells(34, 1, 1)      # the next row, cut in two equal cells
    box = column.rest()                       # what is left of the column
"""
from __future__ import annotations

import pygame


def split(rect: pygame.Rect, *weights: float, gap: int = 4) -> list[pygame.Rect]:
    """`rect` cut into cells side by side, as wide as their `weights` say, `gap` pixels apart; the last cell takes
    what rounding leaves, so the cells end where `rect` does."""
    room = rect.w - gap * (len(weights) - 1)
    total = sum(weights)
    cells, x = [], rect.x
    for k, weight in enumerate(weights):
        width = rect.right - x if k == len(weights) - 1 else int(room * weight / total)
        cells.append(pygame.Rect(x, rect.y, max(width, 1), rect.h))
        x += width + gap
    return cells


class Column:
    """A column of `rect` filled from the top; `y` is where the next row goes."""

    def __init__(self, rect: pygame.Rect, scale: float, gap: int = 4):
        self.rect, self.scale, self.gap = pygame.Rect(rect), scale, gap
        self.y = self.rect.y

    def px(self, design: float) -> int:
        """A length in design pixels, at this window's scale."""
        return int(design * self.scale)

    def row(self, height: float, after: int | None = None) -> pygame.Rect:
        """The next row (`height` design pixels, the column's width); the column moves past it and `after` pixels
        more (the gap by default)."""
        rect = pygame.Rect(self.rect.x, self.y, self.rect.w, self.px(height))
        self.y += rect.h + (self.gap if after is None else after)
        return rect

    def cells(self, height: float, *weights: float, after: int | None = None) -> list[pygame.Rect]:
        """The next row, cut into cells side by side as wide as their `weights` say."""
        return split(self.row(height, after), *weights, gap=self.gap)

    def skip(self, pixels: int) -> None:
        """Leave `pixels` of air (already scaled)."""
        self.y += pixels

    def rest(self, least: int = 60) -> pygame.Rect:
        """What is left of the column, at least `least` pixels high."""
        return pygame.Rect(self.rect.x, self.y, self.rect.w, max(least, self.rect.bottom - self.y))
