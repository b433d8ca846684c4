"""Preview: a few sampled training and deployment variants of a level side by side, to check the distributions."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel

from levels.format import Level

from game.scenes.base import Scene
from game.render import draw_world, proxy_regions
from game.world import WorldBatch

PER_SPLIT = 3


class PreviewScene(Scene):
    def __init__(self, app, level: Level, back: Scene | None = None):
        super().__init__(app)
        self.level, self.back = level, back
        self.seed = 0
        self.sample()

    def sample(self) -> None:
        self.batches = {}
        for split in ("training", "deployment"):
            batch = WorldBatch(self.level, split, PER_SPLIT, seed=self.seed, autoreset=False)
            batch.reset()
            self.batches[split] = batch
        self.seed += 1

    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        self.back_button = UIButton(pygame.Rect(pad, pad, int(110 * s), bar), "< Back", self.ui, container=self.root)
        self.again_button = UIButton(pygame.Rect(pad + int(120 * s), pad, int(170 * s), bar), "New samples (N)",
                                     self.ui, container=self.root, object_id="#primary")
        UILabel(pygame.Rect(pad + int(300 * s), pad, w - int(320 * s), bar),
                f"{self.level.name}: sampled variants", self.ui, container=self.root, object_id="#heading")
        self.rows = {}
        top = 2 * pad + bar
        row_h = (h - top - pad) // 2
        for k, split in enumerate(("training", "deployment")):
            y = top + k * row_h
            UILabel(pygame.Rect(pad, y, w - 2 * pad, int(36 * s)), split.capitalize(), self.ui, container=self.root,
                    object_id="#heading")  # (30 px cut the heading's last pixel row at every size)
            self.rows[split] = pygame.Rect(pad, y + int(40 * s), w - 2 * pad, row_h - int(46 * s))

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.back_button:
            self.go_back()
            return True
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.again_button) or (
                event.type == pygame.KEYDOWN and event.key == pygame.K_n):
            self.sample()
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.go_back()
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        regions = proxy_regions(self.level)
        for split, rect in self.rows.items():
            gap = 12
            cw = (rect.w - gap * (PER_SPLIT - 1)) / PER_SPLIT
            cell = min(cw / self.level.width, rect.h / self.level.height)
            for i in range(PER_SPLIT):
                ox = rect.x + i * (cw + gap) + (cw - cell * self.level.width) / 2
                draw_world(surface, self.batches[split].worlds, i, (ox, rect.y), cell, regions=regions)
