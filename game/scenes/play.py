"""Play a level yourself with the keyboard: arrows (or WASD) move, Up jumps in a side view, R restarts, Esc leaves.

One world of the training distribution (Tab switches to deployment); the events of each step and the outcome of the
episode are shown, with the base reward collected so far.
"""
from __future__ import annotations

import numpy as np
import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox

from levels.format import Level

from game.scenes.base import Scene
from game.render import draw_world
from game.widgets import set_fitted_text
from game.world import WorldBatch

KEYS = {pygame.K_UP: 1, pygame.K_w: 1, pygame.K_DOWN: 2, pygame.K_s: 2, pygame.K_LEFT: 3, pygame.K_a: 3,
        pygame.K_RIGHT: 4, pygame.K_d: 4}  # a key -> the action it takes
# The screen's own keys -> (the keys as F1 names them, what they do, the method); the moves above are listed too.
COMMANDS = {pygame.K_ESCAPE: ("Esc", "back to where you came from", "go_back"),
            pygame.K_r: ("R", "play again (a new variant)", "play_again"),
            pygame.K_TAB: ("Tab", "switch the split you play: training / deployment", "switch_split")}
HINT = ("<i>Arrows (or WASD) move (Up jumps in a side view), R restarts, Tab switches training / deployment, Esc goes "
        "back.</i>")


class PlayScene(Scene):
    def __init__(self, app, level: Level, back: Scene | None = None):
        super().__init__(app)
        self.level, self.back = level, back
        self.split = "training"
        self.seed = 0
        self.lines: list[str] = []
        self.restart()

    def restart(self) -> None:
        self.batch = WorldBatch(self.level, self.split, 1, seed=self.seed, autoreset=False)
        self.batch.reset()
        self.seed += 1
        self.total = 0.0
        self.report = None
        self.lines = [f"New {self.split} episode."]
        self.step_clock = 0.0

    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad, bar = int(12 * s), int(44 * s)
        self.back_button = UIButton(pygame.Rect(pad, pad, int(110 * s), bar), "< Back", self.ui, container=self.root)
        self.title = UILabel(pygame.Rect(pad + int(120 * s), pad, w - int(140 * s), bar), "", self.ui,
                             container=self.root, object_id="#heading")
        side = int(w * 0.3)
        self.log = UITextBox("", pygame.Rect(w - side - pad, 2 * pad + bar, side, h - 3 * pad - bar), self.ui,
                             container=self.root)
        self.view = pygame.Rect(pad, 2 * pad + bar, w - side - 3 * pad, h - 3 * pad - bar)
        self.refresh()

    def refresh(self) -> None:
        # The keys head the log: on the title's line they ran past the window in projector mode.
        set_fitted_text(self.title, f"Playing {self.level.name} ({self.split})")
        self.log.set_text("<br>".join([HINT] + self.lines[-40:]))

    def act(self, action: int) -> None:
        if self.report is not None:
            return
        result = self.batch.step(np.array([action]))
        self.total += float(result.reward[0])
        # walking on plain floor happens every step: only the events worth reading are logged
        events = [e for e in self.batch.table.describe(result.events[0])
                  if (e["event"], e["what"]) != ("entered_tile", "floor")]
        if events or result.reward[0]:
            text = ", ".join(f"{e['event']} {e['what'] or ''}".strip() for e in events)
            self.lines.append(f"{text} (reward {result.reward[0]:+g})")
        if result.finished:
            self.report = result.finished[0][1]
            self.lines.append(f"<b>Episode over: {self.report.outcome}</b>, base reward {self.total:+g}. "
                              "Press R to play again.")
        self.refresh()

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.back_button:
            self.go_back()
            return True
        if event.type == pygame.KEYDOWN:
            if event.key in COMMANDS:
                getattr(self, COMMANDS[event.key][2])()
            elif event.key in KEYS and self.level.world == "grid":
                self.act(KEYS[event.key])
            else:
                return False
            return True
        return False

    @property
    def shortcuts(self) -> list[tuple[str, str]]:
        """This screen's keys for the F1 help, from the tables that decide what they do."""
        moves = [("arrows, WASD", "move (in a physics level: while held; Up jumps in a side view)")]
        return moves + [(label, words) for label, words, _ in COMMANDS.values()]

    def play_again(self) -> None:
        self.restart()
        self.refresh()

    def switch_split(self) -> None:
        self.split = "deployment" if self.split == "training" else "training"
        self.restart()
        self.refresh()

    def animating(self) -> bool:
        return self.level.world != "grid"  # physics worlds run in time

    def update(self, dt: float) -> None:
        if self.level.world == "grid":
            return
        # physics worlds run in time: 15 decisions a second from the keys held down
        self.step_clock += dt
        while self.step_clock >= 1 / 15:
            self.step_clock -= 1 / 15
            held = pygame.key.get_pressed()
            pressed = [a for key, a in KEYS.items() if held[key]]
            # a jump wins (it keeps the run going); otherwise the last direction held
            self.act(1 if 1 in pressed else (pressed[-1] if pressed else 0))

    def draw(self, surface: pygame.Surface) -> None:
        cell = min(self.view.w / self.level.width, self.view.h / self.level.height)
        origin = (self.view.x + (self.view.w - cell * self.level.width) / 2,
                  self.view.y + (self.view.h - cell * self.level.height) / 2)
        draw_world(surface, self.batch.worlds, 0, origin, cell)
