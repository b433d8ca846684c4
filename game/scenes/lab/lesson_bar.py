"""The lesson bar under the world view: the step's text and idea, Back and Next, and at a *predict* step the
answers to "What will it do?" (click one, or type a class's show of hands beside each); at a *reveal* step the
prediction next to what the agent did. What a step means lives in `game.session.lesson`."""
from __future__ import annotations

import html

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox, UITextEntryLine

from game.session.lesson import LessonRun

NEXT_KEYS = (pygame.K_RIGHT, pygame.K_PAGEDOWN)  # a presenter's clicker sends Page Down / Page Up
BACK_KEYS = (pygame.K_LEFT, pygame.K_PAGEUP)


class LessonBar:
    def __init__(self, scene, rect: pygame.Rect, run: LessonRun):
        ui, r, s = scene.ui, scene.root, scene.app.scale
        self.run, self.rect = run, rect
        pad, row = int(8 * s), int(34 * s)
        text_w = int(rect.w * 0.58)
        self.text = UITextBox("", pygame.Rect(rect.x, rect.y, text_w, rect.h), ui, container=r)
        x, w = rect.x + text_w + pad, rect.w - text_w - pad
        hands_w = int(70 * s)
        self.question = UILabel(pygame.Rect(x, rect.y, w, row), "What will it do?", ui, container=r,
                                object_id="#heading")
        self.answers: list[UIButton] = []
        self.hands: list[UITextEntryLine] = []
        for k, choice in enumerate(run.choices):
            y = rect.y + row + k * (row + pad // 2)
            self.answers.append(UIButton(pygame.Rect(x, y, w - hands_w - pad, row), choice, ui, container=r,
                                         tool_tip_text="Your prediction: click it"))
            entry = UITextEntryLine(pygame.Rect(x + w - hands_w, y, hands_w, row), ui, container=r,
                                    placeholder_text="hands")
            entry.set_allowed_characters("numbers")
            entry.set_text_length_limit(4)
            self.hands.append(entry)
        self.live = UIButton(pygame.Rect(x, rect.y + row, w, row), "Train it live instead", ui, container=r,
                             tool_tip_text="Train a new agent from scratch on the training distribution")
        third = (w - 2 * pad) // 3
        bottom = rect.bottom - row
        self.back = UIButton(pygame.Rect(x, bottom, third, row), "< Back", ui, container=r)
        self.counter = UILabel(pygame.Rect(x + third + pad, bottom, third, row), "", ui, container=r)
        self.next = UIButton(pygame.Rect(x + 2 * (third + pad), bottom, third, row), "Next >", ui, container=r,
                             object_id="#primary")
        self.shown: tuple = ()
        self.counting = False  # the prediction is a show of hands typed in, not one click

    def widgets(self) -> list:
        return [self.text, self.question, *self.answers, *self.hands, self.live, self.back, self.counter, self.next]

    def refresh(self, outcome_lines: str = "") -> None:
        """Show the current step: its text (and at a reveal, `outcome_lines`), and the controls it needs."""
        run, step = self.run, self.run.step
        shown = (run.index, outcome_lines, tuple(run.votes), self.counting)
        if shown == self.shown:
            return  # called every frame: widgets change only when what they show does
        self.shown = shown
        idea = f"<br><i>The idea: {html.escape(step.idea)}</i>" if step.idea else ""
        body = html.escape(step.text).replace("\n", "<br>")
        self.text.set_text(f"<b>{html.escape(step.title)}</b><br>{body}{idea}"
                           + (f"<br><br>{outcome_lines}" if outcome_lines else ""))
        self.counter.set_text(f"step {run.index + 1} of {len(run.steps)}")
        predicting = step.do == "predict"
        for widget in [self.question, *self.answers, *self.hands]:
            widget.show() if predicting else widget.hide()
        self.live.show() if step.do == "agent" else self.live.hide()
        self.back.enable() if run.index > 0 else self.back.disable()
        self.next.set_text("Finish" if run.at_end else "Next >")
        for k, button in enumerate(self.answers):
            button.select() if run.votes[k] and not self.counting else button.unselect()

    def handle(self, event) -> str | None:
        """"next", "back", "live", "predicted" (the prediction changed), or None."""
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            named = {self.next: "next", self.back: "back", self.live: "live"}
            if event.ui_element in named:
                return named[event.ui_element]
            if event.ui_element in self.answers:
                self.run.predict(self.answers.index(event.ui_element))
                self.counting = False
                for entry in self.hands:
                    entry.set_text("")
                return "predicted"
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element in self.hands:
            if not self.counting:  # counting hands replaces a single click
                self.run.votes = [0] * len(self.run.votes)
                self.counting = True
            text = event.ui_element.get_text()
            self.run.count(self.hands.index(event.ui_element), int(text) if text.isdigit() else 0)
            return "predicted"
        if event.type == pygame.KEYDOWN:
            if event.key in NEXT_KEYS:
                return "next"
            if event.key in BACK_KEYS:
                return "back"
        return None


def reveal_lines(run: LessonRun, tally, evaluating: bool) -> str:
    """The prediction beside what the agent did, as rich text, once there are outcomes to show."""
    if evaluating or tally.total == 0:
        return "<i>Evaluating the agent on deployment episodes...</i>"
    rows = []
    for name, predicted, did in run.reveal(tally):
        guess = "-" if predicted is None else f"{predicted:.0%}"
        rows.append(f"{html.escape(name)}: predicted <b>{guess}</b>, it did <b>{did:.0%}</b>")
    header = f"<b>Over {tally.total} deployment episodes</b>" + ("" if run.predicted else " (no prediction made)")
    return header + "<br>" + "<br>".join(rows)
