"""The lab's top row: home, the two splits, the learner's buttons, agent files, Explain, Edit, the seed lottery and
the speed."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIHorizontalSlider, UILabel

from game.widgets import text_width

SPEED_RANGE = (2.0, 60.0)  # decisions per second of the live episodes


# What projector mode keeps: the lesson's and the demonstration's buttons (the others' keys still work).
PROJECTOR_BUTTONS = ("home", "training", "deployment", "train", "stop", "lottery")
LATER_TEXTS = {"train": ("Pause", "Resume")}  # what `refresh` may write on a button


class Toolbar:
    def __init__(self, scene, speed: float):
        ui, r, s = scene.ui, scene.root, scene.app.scale
        pad, bar = int(12 * s), int(44 * s)
        self.height = pad * 2 + bar
        self.buttons: dict[str, UIButton] = {}
        projector = scene.app.projector
        shown: list[tuple[UIButton, int, int, int]] = []  # (button, its width, the gap before it, its words' width)
        for name, text, width, oid, tip in [
                ("home", "< Home", 90, None, "Back to the levels (Esc)"),
                ("training", "Training", 110, None, "Watch the training distribution (Tab)"),
                ("deployment", "Deployment", 130, None, "Watch the deployment distribution (Tab)"),
                ("train", "Train", 100, "#primary", "Start, pause or resume the learner (Space)"),
                ("stop", "Stop", 80, None, "Stop the learner"),
                ("save", "Save agent", 120, None, None),
                ("load", "Load agent", 120, None, None),
                ("explain", "Explain", 100, None, None),
                ("edit", "Edit", 70, None, "Open this level in the editor"),
                ("lottery", "Seeds", 80, None, "Seed lottery: the agents shipped for this level, trained alike but "
                                               "for the seed, side by side at deployment (L)")]:
            button = UIButton(pygame.Rect(0, pad, int(width * s), bar), text, ui, container=r, object_id=oid,
                              tool_tip_text=tip)
            self.buttons[name] = button
            if projector and name not in PROJECTOR_BUTTONS:
                button.hide()  # kept (the screen refreshes it) but out of the row
            else:
                words = max(text_width(button.font, t) for t in (text, *LATER_TEXTS.get(name, ())))
                shown.append((button, int(width * s), pad + pad // 2 if name == "train" else pad // 2, words))
        label_w, slider_min = int(70 * s), int(80 * s)
        # In a narrow window (960x640) the row ran past the edge: the buttons then share the room that is left, none
        # narrower than its words.
        room = scene.app.size[0] - 2 * pad - label_w - slider_min - sum(gap for _, _, gap, _ in shown)
        wanted = sum(width for _, width, _, _ in shown)
        x = pad - shown[0][2]
        for button, width, gap, words in shown:
            if wanted > room:
                width = max(words + 4, width * room // wanted)
            button.set_relative_position((x + gap, pad))
            button.set_dimensions((width, bar))
            x += gap + width
        x += pad // 2
        UILabel(pygame.Rect(x, pad, label_w, bar), "Speed", ui, container=r, object_id="#muted")
        x += label_w
        self.speed = UIHorizontalSlider(pygame.Rect(x, pad + bar // 4, max(slider_min, scene.app.size[0] - x - pad),
                                                    bar // 2), speed, SPEED_RANGE, ui, container=r)

    def refresh(self, split: str, learner_state: str, has_agent: bool) -> None:
        b = self.buttons
        (b["deployment"] if split == "deployment" else b["training"]).select()
        (b["training"] if split == "deployment" else b["deployment"]).unselect()
        b["train"].set_text({"running": "Pause", "paused": "Resume"}.get(learner_state, "Train"))
        b["stop"].enable() if learner_state in ("running", "paused") else b["stop"].disable()
        b["save"].enable() if has_agent else b["save"].disable()

    def pressed(self, event) -> str | None:
        """The name of the button an event pressed, if it is one of ours."""
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return None
        return next((name for name, button in self.buttons.items() if button is event.ui_element), None)

    def speed_changed(self, event) -> float | None:
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element is self.speed:
            return float(event.value)
        return None
