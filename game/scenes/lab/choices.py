"""The training view's two choices: which kind of agent the next Train makes (a reactive network, a convolutional
one or a planner)
and which base optimizer shapes it (gradient descent or evolution). Each is a labelled drop-down menu."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UILabel

from agents.kinds import CONV, EVOLUTION, GRADIENT_DESCENT, PLANNER, REACTIVE

from game.widgets import DropDown

# menu text -> the setting it stands for
CHOICES = {
    "agent": ("Agent:", {"reactive network": REACTIVE, "convolutional (maps inside)": CONV,
                         "planner (reads its reward)": PLANNER}),
    "optimizer": ("Optimizer:", {"gradient descent (PPO)": GRADIENT_DESCENT, "evolution": EVOLUTION}),
}


class Choices:
    def __init__(self, scene, x: int, y: int, width: int, row: int, current: dict[str, str]):
        self.ui, self.root = scene.ui, scene.root
        label_w = int(96 * scene.app.scale)
        self.labels, self.menus, self.rects = {}, {}, {}
        for k, (name, (label, _)) in enumerate(CHOICES.items()):
            top = y + k * (row + 4)
            self.labels[name] = UILabel(pygame.Rect(x, top, label_w, row), label, self.ui, container=self.root,
                                        object_id="#muted")
            self.rects[name] = pygame.Rect(x + label_w, top, width - label_w, row)
            self.menus[name] = self._menu(name, current[name])
        self.height = len(CHOICES) * (row + 4)

    def _menu(self, name: str, value: str) -> DropDown:
        options = CHOICES[name][1]
        text = next(t for t, v in options.items() if v == value)
        return DropDown(list(options), text, self.rects[name], self.ui, container=self.root)

    def widgets(self) -> list:
        return [*self.labels.values(), *self.menus.values()]

    def chosen(self, event) -> tuple[str, str] | None:
        """(which choice, the value chosen) if the event is a menu of ours changing."""
        if event.type != pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            return None
        for name, menu in self.menus.items():
            if event.ui_element is menu:
                return name, CHOICES[name][1].get(event.text)
        return None

    def shown(self, name: str) -> str:
        return CHOICES[name][1][self.menus[name].selected_option[0]]

    def show(self, name: str, value: str) -> None:
        """Show the setting in use (after a load, or a switch refused or not confirmed): a drop-down menu cannot be
        set from outside, so it is made again."""
        if self.shown(name) != value:
            visible = self.menus[name].visible
            self.menus[name].kill()
            self.menus[name] = self._menu(name, value)
            if not visible:
                self.menus[name].hide()
