"""The Steer window of the deployment view (G): add coefficient x an activation difference to one layer of the
agent, or (a convolutional agent) clamp a goal-tracking channel at a clicked cell, and watch the arrows, the trail
and the live episodes follow. Steered episodes are never counted. The choices live in `game.session.steering`."""
from __future__ import annotations

import html

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIHorizontalSlider, UILabel, UITextBox, UIWindow

from agents.contrasts import contrasts_of
from agents.steering import CLAMP_MULTIPLE

from game.widgets import DropDown

COEFFICIENTS = (-5.0, 5.0)
WHOSE = {"one variant's, for every episode": False, "each episode's own": True}  # words -> SteerChoice.each
NOTE = ("Steered episodes are not counted. The random control pushes as hard in a random direction: an effect it "
        "has too is not the contrast's. With “each episode's own”, the vector is taken in each episode's level "
        "at its start, as Turner et al. took each maze's.")


class ToolWindow(UIWindow):
    """A window that works beside the screen, not over it: the screen's keys still reach the screen (the app's
    dialogs take every key; this is not one)."""

    tool = True


class SteerPanel:
    def __init__(self, scene):
        self.scene = scene
        self.window: UIWindow | None = None
        self.picking = False  # the next click on a world picks the retarget cell
        self._effect = None
        self._contrasts: dict[str, str] = {}  # words -> contrast
        self._channels: dict[str, int] = {}  # words -> channel

    @property
    def open(self) -> bool:
        return self.window is not None and self.window.alive()

    def toggle(self) -> None:
        if self.open:
            self.close()
            return
        session = self.scene.session
        refusal = session.steering.refusal(session.network)
        if refusal is not None:
            self.scene.app.message("Nothing to steer", refusal)
            return
        self._build()

    def close(self) -> None:
        """Closing the window stops the steering: nothing is steered out of sight."""
        if self.window is not None:
            self.window.kill()
        self.window, self.picking = None, False
        session = self.scene.session
        if session.steering.active:
            session.steer(coefficient=0.0, target=None)

    def _build(self) -> None:
        scene, session = self.scene, self.scene.session
        s, ui = scene.app.scale, scene.ui
        steering, network = session.steering, session.network
        steering.choose(network)
        w, h = int(460 * s), int(476 * s) if steering.can_retarget(network) else int(376 * s)
        right, bottom = scene.app.size[0] - int(12 * s), scene.app.size[1] - int(12 * s)
        self.window = ToolWindow(pygame.Rect(right - w, bottom - h, w, h), ui, "Steer it by its own activations",
                                 object_id="#steer")
        inner = w - int(32 * s)
        row, gap, label_w = int(30 * s), int(6 * s), int(110 * s)
        y = 0
        choice = steering.choice
        self._contrasts = {words: key for key, words in contrasts_of(session.level).items()}
        here = next(words for words, key in self._contrasts.items() if key == choice.contrast)
        UILabel(pygame.Rect(0, y, label_w, row), "Contrast:", ui, container=self.window, object_id="#muted")
        self.contrast = DropDown(list(self._contrasts), here, pygame.Rect(label_w, y, inner - label_w, row),
                                       ui, container=self.window)
        y += row + gap
        UILabel(pygame.Rect(0, y, label_w, row), "Vector:", ui, container=self.window, object_id="#muted")
        self.whose = DropDown(list(WHOSE), next(k for k, v in WHOSE.items() if v == choice.each),
                              pygame.Rect(label_w, y, inner - label_w, row), ui, container=self.window)
        y += row + gap
        layers = steering.layers(network)
        UILabel(pygame.Rect(0, y, label_w, row), "Layer:", ui, container=self.window, object_id="#muted")
        self.layer = DropDown(layers, choice.layer, pygame.Rect(label_w, y, inner - label_w, row), ui,
                                    container=self.window)
        y += row + gap
        self.coefficient_label = UILabel(pygame.Rect(0, y, label_w, row), "", ui, container=self.window,
                                         object_id="#muted")
        self.coefficient = UIHorizontalSlider(pygame.Rect(label_w, y, inner - label_w, row), choice.coefficient,
                                              COEFFICIENTS, ui, container=self.window, click_increment=0.5)
        y += row + gap
        half = (inner - gap) // 2
        self.random = UIButton(pygame.Rect(0, y, half, row), "Random control", ui, container=self.window,
                               tool_tip_text="Push with a random vector of the same norm instead")
        self.measure = UIButton(pygame.Rect(half + gap, y, half, row), "Measure the effect", ui,
                                container=self.window, tool_tip_text="Play the same variants steered and not")
        y += row + gap
        self.channel = self.pick = self.clear = None
        if steering.can_retarget(network):
            self._channels = {f"channel {c}: on the {'goal' if tracked == 'goal' else 'proxy'} in {share:.0%}":
                              (tracked, c) for tracked, c, share, _ in steering.channels(
                                  network, session.settings.agent.view, session.settings.agent.radius)}
            UILabel(pygame.Rect(0, y, inner, row), "Retarget: clamp a channel at a cell", ui, container=self.window,
                    object_id="#muted")
            y += row
            self.channel = DropDown(list(self._channels), next(iter(self._channels)),
                                          pygame.Rect(0, y, inner, row), ui, container=self.window)
            y += row + gap
            self.pick = UIButton(pygame.Rect(0, y, half, row), "Click a cell...", ui, container=self.window,
                                 tool_tip_text=f"Then click a cell of any world: the channel reads {CLAMP_MULTIPLE:g} x "
                                               "its usual value on the goal there")
            self.clear = UIButton(pygame.Rect(half + gap, y, half, row), "Clear the cell", ui, container=self.window)
            y += row + gap
        self.words = UITextBox("", pygame.Rect(0, y, inner, max(row, h - y - int(48 * s))), ui,
                               container=self.window)
        self._effect = None
        self.refresh()

    def refresh(self) -> None:
        """Labels and the words: the coefficient, the control, what was measured."""
        if self.window is not None and not self.window.alive():  # closed some other way: stop steering too
            self.window = None
            self.close()
        if not self.open:
            return
        steering = self.scene.session.steering
        c = steering.choice
        self.coefficient_label.set_text(f"x {c.coefficient:+.1f}")
        self.random.select() if c.random else self.random.unselect()
        if self.pick is not None:
            self.pick.select() if self.picking else self.pick.unselect()
        effect = ("Measuring..." if steering.measuring else steering.effect) or ""
        target = f"Clamped at {c.target}." if c.target is not None else ""
        if effect and target:
            effect += " " if effect.endswith(".") else ". "
        text = html.escape(effect + target) + ("<br><br>" if effect or target else "") + html.escape(NOTE)
        if text != self._effect:
            self._effect = text
            self.words.set_text(text)

    def handle(self, event: pygame.event.Event) -> bool:
        if not self.open:
            return False
        session = self.scene.session
        if event.type == pygame_gui.UI_WINDOW_CLOSE and event.ui_element is self.window:
            self.window = None
            self.close()
            return True
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element is self.coefficient:
            session.steer(coefficient=round(float(event.value) * 2) / 2 if abs(event.value) > 0.05 else 0.0)
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.contrast:
            session.steer(contrast=self._contrasts[event.text])
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.whose:
            session.steer(each=WHOSE[event.text])
            if session.steering.choice.each != WHOSE[event.text]:  # refused (the split has no "own" vector): the
                self.window.kill()  # menu shows the choice again, and the steering goes on as it was
                self._build()
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.layer:
            session.steer(layer=event.text, channel=None, target=None)
            self.close()
            self._build()  # another layer has other channels
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.channel:
            tracked, channel = self._channels[event.text]
            session.steer(tracked=tracked, channel=channel)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.random:
            session.steer(random=not session.steering.choice.random)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.measure:
            session.steering.measure(session.network, session.settings.agent.view, session.settings.agent.radius)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.pick:
            self.picking = not self.picking
        elif event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.clear:
            session.steer(target=None)
        elif (event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.picking
              and not self.window.rect.collidepoint(event.pos)):
            where = self.scene.world_view.cell_at(event.pos)
            if where is None:
                return False
            choice = session.steering.choice
            if choice.channel is None:  # the channel the menu shows: the best-tracking one
                tracked, channel = self._channels[_text(self.channel.selected_option)]
            else:
                tracked, channel = choice.tracked, choice.channel
            session.steer(target=where[1], channel=channel, tracked=tracked)
            self.picking = False
        else:
            return False
        self.refresh()
        return True


def _text(option) -> str:
    """A drop-down menu's selected option as its text (pygame_gui gives a (text, id) pair or the text)."""
    return option[0] if isinstance(option, tuple) else option
