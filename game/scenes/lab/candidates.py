"""The best candidate objectives of the last evaluation, listed with their scores (each as its 95 % interval: a
score is estimated from episodes): pointing at one draws it on the map, choosing one picks what *Add to the level as
a proxy* writes (the apparent objective is chosen first)."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UISelectionList

from agents.inspection_order import declared_as

from game.widgets import SCROLL_BAR, shortened, text_fits

SHOWN = 5
WAITING = "Evaluate (E) to list what it may be after"


class CandidateList:
    def __init__(self, scene, rect: pygame.Rect, row: int):
        self.list = UISelectionList(rect, [WAITING], scene.ui, container=scene.root)
        # items as tall as a line of the window's text: pygame_gui's fixed 20 px cut larger fonts in half (the
        # attribute has no constructor argument in this version; setting the items again lays them out with it)
        self.list.list_item_height = row
        self.list.set_item_list([WAITING])
        self.list.disable()
        self.by_text: dict[str, object] = {}  # item text -> candidate
        self._shown_for = None  # the inspection the items were made from

    def refresh(self, inspection, apparent, level=None) -> bool:
        """New items when a new evaluation has scored the candidates; the apparent objective is chosen first. True
        when the list was rebuilt. A proxy the level declares says so: it comes first among candidates the behaviour
        cannot tell apart, even a hair below another's score."""
        if inspection is self._shown_for:
            return False
        self._shown_for = inspection
        if inspection is None:
            self.by_text = {}
            self.list.set_item_list([WAITING])
            self.list.disable()
            return True
        shown = inspection.scores[:SHOWN]
        if apparent is not None and apparent.candidate not in [s.candidate for s in shown]:
            shown = shown + [apparent]
        self.by_text = {}
        for s in shown:
            declared = level is not None and declared_as(level, s.candidate) is not None
            score = "{:.2f}-{:.2f}  ".format(*inspection.interval(s))  # a score is estimated: its 95 % interval
            text = self._fitted(score, s.candidate.name, "  (your proxy)" if declared else "")
            # (two names shortened alike: the second keeps its whole name, to stay its own item)
            self.by_text[text if text not in self.by_text else score + s.candidate.name] = s.candidate
        self.list.set_item_list(list(self.by_text))
        self.list.enable()
        for item in self.list.item_list:
            if apparent is not None and self.by_text[item["text"]] is apparent.candidate:
                item["selected"] = True
                if item["button_element"] is not None:
                    item["button_element"].select()
        return True

    def _fitted(self, score: str, name: str, mark: str) -> str:
        """An item's words, the candidate's name shortened where the whole line does not fit beside the list's
        scroll bar (a narrow window cut "(your proxy)" off); the score and the mark stay whole."""
        room = self.list.item_list_container.relative_rect.width - SCROLL_BAR
        font = self.list.ui_manager.get_theme().get_font(["selection_list.#item_list_item", "selection_list.button",
                                                           "button"])
        if text_fits(font, score + name + mark, room):
            return score + name + mark
        return score + shortened(name, font, room - font.size(score + mark)[0]) + mark

    def hovered(self):
        """The candidate under the pointer, if any."""
        for item in self.list.item_list:
            button = item["button_element"]
            if button is not None and button.hovered:
                return self.by_text.get(item["text"])
        return None

    def chosen(self):
        text = self.list.get_single_selection()
        return self.by_text.get(text) if text is not None else None

    def changed(self, event) -> bool:
        """Whether the event chose or dropped an item of this list."""
        kinds = (pygame_gui.UI_SELECTION_LIST_NEW_SELECTION, pygame_gui.UI_SELECTION_LIST_DROPPED_SELECTION)
        return event.type in kinds and event.ui_element is self.list
