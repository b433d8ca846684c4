"""Small widgets shared by several screens: the concept cards, the file dialogs, the drop-down menus."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UIScrollingContainer, UITextBox, UIWindow
from pygame_gui.windows import UIFileDialog

def show_explain(app, cards: list[tuple[str, str]], title: str = "What you are seeing") -> UIWindow:
    """The concept cards (title, body in pygame_gui's HTML)."""
    rect = app.centered(760, 600)
    window = UIWindow(rect, app.ui, title)
    text = "".join(f"<b>{heading}</b><br>{body}<br><br>" for heading, body in cards)
    # The window's inside, whatever its title bar's height (a fixed margin left a blank strip in projector mode).
    UITextBox(text, pygame.Rect((0, 0), window.get_container().get_size()), app.ui, container=window)
    return window


def grown_to_its_words(button: UIButton, margin: int = 8) -> int:
    """Make a button of pygame_gui's own windows (24 or 30 px tall whatever the font: the words ran out of Dismiss,
    OK and Cancel in projector mode) as tall as its words, its bottom where it was; the pixels it grew."""
    grow = button.font.size(button.text)[1] + margin - button.relative_rect.h
    if grow > 0:
        button.set_dimensions((button.relative_rect.w, button.relative_rect.h + grow))
        button.set_relative_position((button.relative_rect.x, button.relative_rect.y - grow))
    return max(grow, 0)


class FileDialog(UIFileDialog):
    """pygame_gui's file dialog as a player expects one: hidden files stay hidden, only the files that can be
    opened here are listed, Enter on a file name picks it (the stock dialog only moves to its folder), and a path
    the system refuses to look at (a level code pasted into the name: "File name too long") chooses nothing."""

    def _setup_ui_elements(self):
        super()._setup_ui_elements()
        grow = max(grown_to_its_words(self.cancel_button), grown_to_its_words(self.ok_button))
        files = self.file_selection_list
        if grow:  # the list of files ends above the taller buttons
            files.set_dimensions((files.relative_rect.w, files.relative_rect.h - grow))

    def _create_list_of_directories_and_files_on_current_path(self):
        super()._create_list_of_directories_and_files_on_current_path()
        self.current_file_list = [item for item in self.current_file_list
                                  if not (item[0] if isinstance(item, tuple) else item).startswith(".")]

    def process_event(self, event: pygame.event.Event) -> bool:
        try:
            handled = super().process_event(event)
        except OSError:  # a typed or pasted path the system cannot look at (too long, say): no file chosen
            self._set_no_file_selected_state()
            return True
        if (event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.file_path_text_line
                and self.alive() and self.current_file_path is not None
                and self._validate_file_path(self.current_file_path) and not self.current_file_path.is_dir()):
            self.pick(str(self.current_file_path))
        return handled

    def pick(self, path: str) -> None:
        """What OK does: announce the path, close."""
        pygame.event.post(pygame.event.Event(pygame_gui.UI_FILE_DIALOG_PATH_PICKED, text=path, ui_element=self,
                                             ui_object_id=self.most_specific_combined_id))
        self.kill()


def file_dialog(app, title: str, start: str, existing_only: bool, suffixes: set[str]) -> FileDialog:
    return FileDialog(app.centered(720, 520), app.ui, title, allowed_suffixes=suffixes, initial_file_path=start,
                      allow_existing_files_only=existing_only)


TEXT_MARGIN = 6  # a button's or label's borders and shadow, and a pixel of air each side


def text_room(element) -> int:
    """How many pixels of text a button or label shows without cutting it."""
    return element.rect.w - TEXT_MARGIN


def text_width(font, text: str) -> int:
    """How wide a button or label must be to show `text` in `font` whole."""
    return font.size(text)[0] + TEXT_MARGIN


def text_fits(font, text: str, width: int) -> bool:
    """Whether `text` in `font` shows whole on a button or label `width` pixels wide."""
    return text_width(font, text) <= width


def fits(element, text: str) -> bool:
    return element.font is None or text_fits(element.font, text, element.rect.w)


def shortened(text: str, font, width: int) -> str:
    """`text`, ended with an ellipsis as early as it must be to show whole on a button or label `width` wide."""
    shown = text
    while not text_fits(font, shown, width) and len(shown) > 1:
        shown = shown[:-4].rstrip() + "..." if shown.endswith("...") else shown[:-1].rstrip() + "..."
    return shown


def set_fitted_text(element, text: str) -> None:
    """Show `text` on a button or label, shortened with an ellipsis when it does not fit (never cut mid-letter at
    the border, as pygame_gui does); the whole text is the element's tooltip then, unless it has one of its own."""
    shown = text if element.font is None else shortened(text, element.font, element.rect.w)
    if element.text != shown:
        element.set_text(shown)
    given = getattr(element, "whole_text_tip", None)  # the tooltip this function gave, if any
    tip = text if shown != text else None
    if element.tool_tip_text in (None, given) and tip != element.tool_tip_text:  # (the side panel's lines: each frame)
        element.whole_text_tip = tip
        element.set_tooltip(tip)


LIST_ROW = 20  # pygame_gui's height of a drop-down list's row, unless the theme says (`game.app.scaled_theme`)


class DropDown(UIDropDownMenu):
    """pygame_gui's drop-down menu, opening upward when its list does not fit below it in its container. pygame_gui
    squeezes the list into the room left below: near the bottom of a side panel eight colours got 48 pixels, a list
    too short to use, and one shorter than its scroll bar's two buttons divided by zero when it opened."""

    def __init__(self, options, chosen, rect: pygame.Rect, manager, container=None, **kwargs):
        super().__init__(options, chosen, rect, manager, container=container, **kwargs)
        # The closed menu shows its choice shortened with an ellipsis where it does not fit (a narrow side panel at
        # 1024x768 cut "cheese (a cheese)" mid-letter); the open list shows it whole.
        closed = self.menu_states["closed"]
        start = closed.start

        def fit() -> None:
            if closed.selected_option_button is not None:
                set_fitted_text(closed.selected_option_button, closed.selected_option[0])

        def start_fitted(should_rebuild: bool = True) -> None:
            start(should_rebuild)
            fit()
        closed.start = start_fitted
        if self.current_state is closed:
            fit()
        inside = self.ui_container.get_container().get_relative_rect().height  # pygame_gui's own limit below
        below, above = inside - self.relative_rect.bottom, self.relative_rect.top
        try:
            row = int(self.ui_manager.get_theme().get_misc_data("list_item_height", self.combined_element_ids))
        except LookupError:  # (a theme that does not say)
            row = LIST_ROW
        if below < row * len(self.options_list) + 8 and above > below:
            self.expand_direction = "up"
            for state in self.menu_states.values():
                state.expand_direction = "up"


SCROLL_BAR = 20  # pygame_gui's vertical scroll bar: the buttons beside it are this much narrower


def button_list(items: list[tuple[str, str | None]], rect: pygame.Rect, row: int, gap: int, manager,
                container=None) -> tuple[list[UIButton], int]:
    """A column of buttons (label, tooltip) in `rect`, one `row` high each; when they do not all fit, in a
    scrolling list of that height, so that none is left out (a small window, a projector). The buttons, and the y
    just below the last one shown."""
    needed = len(items) * (row + gap) - gap
    x, y, width = rect.x, rect.y, rect.w
    if needed > rect.h:
        container = UIScrollingContainer(rect, manager, container=container, allow_scroll_x=False)
        width -= SCROLL_BAR
        container.set_scrollable_area_dimensions((width, needed + 2))  # (a pixel short hid the last one's edge)
        x = y = 0
    buttons = []
    for k, (label, tip) in enumerate(items):
        button = UIButton(pygame.Rect(x, y + k * (row + gap), width, row), label, manager, container=container,
                          tool_tip_text=tip)
        set_fitted_text(button, label)
        buttons.append(button)
    return buttons, rect.y + min(needed, rect.h)
