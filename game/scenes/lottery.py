"""The seed lottery: 6-9 agents trained identically but for the seed, side by side on the same deployment variants,
each labelled with its outcomes and what it acts as if it wants (`game.session.lottery`)."""
from __future__ import annotations

import math

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel

from levels.format import Level

from game.pretrained import pretrained_agents
from game.render import draw_paragraph, draw_world, proxy_regions
from game.scenes.base import Scene
from game.session.lottery import SeedLottery
from game.world.palette import OUTCOME_RGB

MAX_AGENTS = 9


class LotteryScene(Scene):
    def __init__(self, app, level: Level, source: str | None = None):
        super().__init__(app)
        self.level, self.source = level, source
        files = dict(list(pretrained_agents(level).items())[:MAX_AGENTS])
        self.lottery = SeedLottery.of(level, files)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._reported = 0

    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        self.back_button = UIButton(pygame.Rect(pad, pad, int(110 * s), bar), "< Back", self.ui, container=self.root,
                                    tool_tip_text="Back to the training and deployment views of this level")
        n = len(self.lottery.entries)
        title = (f"Seed lottery: {n} agents, the same but for the seed" if self.app.projector else
                 f"Seed lottery: {n} agents trained identically on {self.level.name}, but for the seed")
        UILabel(pygame.Rect(pad + int(120 * s), pad, w - int(140 * s), bar), title, self.ui, container=self.root,
                object_id="#heading")
        self.area = pygame.Rect(pad, 2 * pad + bar, w - 2 * pad, h - 3 * pad - bar)
        if not n:
            self.app.message("No agents for a seed lottery", "The seed lottery needs the agents shipped with the game "
                             "for this level (a built-in level, unchanged)." +
                             ("\n\n" + "\n".join(self.lottery.problems) if self.lottery.problems else ""))

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.back_button) or (
                event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
            self.app.open("lab", level=self.level, source=self.source)
            return True
        return False

    def update(self, dt: float) -> None:
        self.lottery.update(dt)
        for problem in self.lottery.problems[self._reported:]:
            self.app.message("A lottery agent had a problem", problem)
        self._reported = len(self.lottery.problems)

    def animating(self) -> bool:
        return bool(self.lottery.entries)

    def leave(self) -> None:
        self.lottery.close()
        super().leave()

    def font(self, size: int) -> pygame.font.Font:
        key = max(14, int(size * self.app.scale))
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(None, key)
        return self._fonts[key]

    def draw(self, surface: pygame.Surface) -> None:
        entries, level = self.lottery.entries, self.level
        if not entries:
            return
        cols = math.ceil(math.sqrt(len(entries))) if len(entries) != 6 else 3
        rows = math.ceil(len(entries) / cols)
        gap, font = int(10 * self.app.scale), self.font(22)
        label_h = 2 * font.get_linesize() + 6
        cw, ch = (self.area.w - gap * (cols - 1)) / cols, (self.area.h - gap * (rows - 1)) / rows
        cell = min(cw / level.width, (ch - label_h) / level.height)
        regions = proxy_regions(level)
        for k, entry in enumerate(entries):
            r, c = divmod(k, cols)
            x, y = self.area.x + c * (cw + gap), self.area.y + r * (ch + gap)
            ox = x + (cw - cell * level.width) / 2
            draw_world(surface, entry.live.worlds, 0, (ox, y), cell, agent_pos=entry.live.drawn_position(0),
                       regions=regions, entity_cells=entry.live.drawn_cells(0))
            outcome = entry.live.last_outcome[0]
            shown = entry.waiting(self.lottery.behind) or entry.live.last_outcome_age[0] < 1.0
            if outcome is not None and shown:  # how its episode ended, while it waits for the others
                surface.blit(font.render(outcome, True, (10, 10, 10), OUTCOME_RGB[outcome]), (ox + 6, y + 6))
            draw_paragraph(surface, entry.label(level), font, (230, 230, 230), (x, y + cell * level.height + 4), cw)
