"""Home: the built-in levels as cards, the lessons, New level, Open..., recent files. A level file dropped on the
window opens."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pygame
import pygame_gui
from pygame_gui.elements import (UIButton, UIImage, UILabel, UIPanel, UIScrollingContainer,
                                 UITextBox)

from levels import builtin_level

from game.layout import Column
from game.scenes.base import Scene
from game.paths import RecentFiles, asset, autosaves, lessons_progress_path, levels_dir
from game.render import thumbnail
from game.session.lesson import TOPICS, LessonFile, lessons_in
from game.session.lesson_record import LessonProgress
from game.session.verdict import EXPLAIN
from game.widgets import (SCROLL_BAR, DropDown, button_list, file_dialog, set_fitted_text, show_explain,
                          text_fits)

SCENARIOS = ["coin_at_the_end", "cheese_in_the_corner", "keys_and_chests", "green_means_go", "the_diversity_fix",
             "cheese_on_a_dish", "follow_the_leader", "lava_land", "monster_world", "only_while_watched",
             "cheese_mostly_cornered"]
TAGLINES = {
    "coin_at_the_end": "The coin is always at the end... until it is not.",
    "cheese_in_the_corner": "Does the mouse want cheese, or the top-right corner?",
    "keys_and_chests": "Chests pay, keys do not. Who hoards the keys?",
    "green_means_go": "The goal was always green. Now a green gem appears.",
    "the_diversity_fix": "A little variety in training, and the coin wins.",
    "cheese_on_a_dish": "The cheese always lay on a dish. Now they are apart.",
    "follow_the_leader": "It always followed the guide to the prize. Now the guide goes elsewhere.",
    "lava_land": "The safe way was always on the right. Now the lava is.",
    "monster_world": "Shields kept monsters off. Now there are none: apples or shields?",
    "only_while_watched": "The shortcut is fined only when the supervisor is there. And when nobody is?",
    "cheese_mostly_cornered": "It learned to look for the cheese. Is the corner still inside?",
}
TEMPLATES = ["template_grid", "template_topdown", "template_sideview"]
MAX_RESTORE_BUTTONS = 3  # the newest kept works; older ones come up as these are restored and saved


class HomeScene(Scene):
    topic = TOPICS[0]  # the idea whose lessons the lessons card lists (kept while the game runs)

    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad = int(24 * s)
        UILabel(pygame.Rect(pad, pad // 2, w - 2 * pad, int(52 * s)), "Mesa Sandbox", self.ui, container=self.root,
                object_id="#title")
        UILabel(pygame.Rect(pad, pad // 2 + int(52 * s), w - 2 * pad, int(30 * s)),
                "Train an agent, then change the world: does it want what you wanted, or what you rewarded?",
                self.ui, container=self.root, object_id="#muted")
        top = pad // 2 + int(92 * s)
        self.cards: dict[UIButton, str] = {}
        self.templates: dict[UIButton, str] = {}
        self.recent: dict[UIButton, str] = {}
        self.lessons: dict[UIButton, LessonFile] = {}
        self.restore: dict[UIButton, str] = {}  # button -> autosave slot (work the editor kept, offered back)
        self.topics: DropDown | None = None
        self.dialog = None
        if self.app.projector:
            self._build_for_projector(top, pad)
            return
        side = int(250 * s)
        cols = 3
        # The cards and, beside them, the list's scroll bar (cards as wide as the whole area went under it).
        grid_w = w - 3 * pad - side - SCROLL_BAR
        card_w = (grid_w - (cols - 1) * pad // 2) // cols
        card_h = int(min((h - top - pad) / 2 - pad / 2, card_w * 0.95))
        # Two rows show at once; the rest of the levels scroll into view (the scroll bar says there are more).
        cells = SCENARIOS[:5] + [None] + SCENARIOS[5:]  # None: the lessons card, where a teacher finds it at once
        rows = -(-len(cells) // cols)
        area = pygame.Rect(pad, top, grid_w + SCROLL_BAR + pad // 2, h - top - pad // 2)
        self.grid = UIScrollingContainer(area, self.ui, container=self.root, allow_scroll_x=False)
        self.grid.set_scrollable_area_dimensions((grid_w, rows * (card_h + pad // 2)))
        taglines: list[list[tuple[UITextBox, Callable[[int], None]]]] = [[] for _ in range(rows)]
        for k, name in enumerate(cells):
            r, c = divmod(k, cols)
            rect = pygame.Rect(c * (card_w + pad // 2), r * (card_h + pad // 2), card_w, card_h)
            taglines[r].append(self._card(rect, name)) if name is not None else self._lessons_card(rect)
        # The taglines of a row as tall as its tallest (never scrolling inside their boxes), so that its cards'
        # names and buttons line up.
        for row in taglines:
            tallest = max((box.rect.h for box, _ in row), default=0)
            for _, lay_out in row:
                lay_out(tallest)
        self._your_levels(pygame.Rect(w - pad - side, top, side, h - top - pad // 2))

    def _your_levels(self, rect: pygame.Rect) -> None:
        """The right-hand column: open a file, new from a template, recent files, unsaved work kept."""
        column, ui, r = Column(rect, self.app.scale, gap=6), self.ui, self.root
        UILabel(column.row(36, after=column.px(4)), "Your levels", ui, container=r, object_id="#heading")
        self.open_button = UIButton(column.row(40, after=8), "Open...  (Ctrl+O)", ui, container=r,
                                    object_id="#primary")
        UILabel(column.row(30, after=0), "New level from a template", ui, container=r, object_id="#muted")
        for name in TEMPLATES:
            label = builtin_level(name).name.replace(" level", "")
            self.templates[UIButton(column.row(40), label, ui, container=r)] = name
        column.skip(12)
        UILabel(column.row(30, after=0), "Recent files", ui, container=r, object_id="#muted")
        for path in RecentFiles().load()[:5]:
            self.recent[UIButton(column.row(34, after=4), Path(path).name, ui, container=r, tool_tip_text=path)] = path
        if not self.recent:
            UILabel(column.row(30, after=0), "none yet: drop a level file here", ui, container=r, object_id="#muted")
        slots = autosaves().slots()  # work the editor kept (it did not close cleanly, or was left unsaved)
        if slots:
            column.skip(12)
            UILabel(column.row(30, after=0), "Unsaved work, kept: restore", ui, container=r, object_id="#muted")
            for slot in slots[:MAX_RESTORE_BUTTONS]:
                label, about = self._about_slot(slot)
                button = UIButton(column.row(40, after=4), label, ui, container=r, object_id="#primary",
                                  tool_tip_text=about)
                set_fitted_text(button, label)
                self.restore[button] = slot

    @staticmethod
    def _about_slot(slot: str) -> tuple[str, str]:
        """A restore button's words and its tooltip: which level's unsaved work it offers back, and when it was kept."""
        try:
            kept = autosaves().read(slot)
        except ValueError as exc:
            return "a damaged autosave", f"Kept work that {exc}"
        where = Path(kept.path).name if kept.path else "a new level, never saved"
        when = time.strftime("%d %b %H:%M", time.localtime(kept.saved_at)) if kept.saved_at else "earlier"
        return kept.name, f"Restore the unsaved work on \"{kept.name}\" ({where}), kept {when}"

    def _build_for_projector(self, top: int, pad: int) -> None:
        """Projector mode: two columns of large buttons, the lessons and the built-in levels; no thumbnails,
        templates or recent files (F10 brings them back)."""
        w, h = self.app.size
        s = self.app.scale
        col = (w - 3 * pad) // 2
        row = int(44 * s)
        left, right = pad, 2 * pad + col
        UILabel(pygame.Rect(left, top, col, int(36 * s)), "Lessons for a class", self.ui, container=self.root,
                object_id="#heading")
        below = h - pad - row - row // 2  # the room left above the last button of a column
        y = self._lesson_buttons(self.root, left, top + int(40 * s), col, row, below - 4)
        self.explain_button = UIButton(pygame.Rect(left, y + row // 2, col, row), "Explain the ideas", self.ui,
                                       container=self.root)
        UILabel(pygame.Rect(right, top, col, int(36 * s)), "Levels", self.ui, container=self.root,
                object_id="#heading")
        # Every built-in, scrolling when they do not all fit above Open...
        items = [(builtin_level(name).name, TAGLINES.get(name)) for name in SCENARIOS]
        area = pygame.Rect(right, top + int(40 * s), col, below - top - int(40 * s))
        buttons, y = button_list(items, area, row, 6, self.ui, self.root)
        self.cards.update(zip(buttons, SCENARIOS))
        self.open_button = UIButton(pygame.Rect(right, y + row // 2, col, row), "Open...  (Ctrl+O)", self.ui,
                                    container=self.root, object_id="#primary")

    def _lesson_buttons(self, container, x: int, y: int, width: int, row: int, bottom: int, gap: int = 4) -> int:
        """The idea to teach (a menu of the course's topics), then a button per lesson of it (each opens where it
        was left) from `y` down to `bottom`; the y below the last."""
        left = LessonProgress(lessons_progress_path()).load()
        lessons = lessons_in(asset("lessons"))
        counts = {t: sum(lesson.lesson.topic == t for lesson in lessons) for t in TOPICS}
        options = [(f"{t} ({counts[t]})", t) for t in TOPICS if counts[t]]
        if not options:
            return y
        chosen = next((o for o in options if o[1] == HomeScene.topic), options[0])
        menu_row = max(row, int(30 * self.app.scale))  # a menu's button has borders a plain one has not
        self.topics = DropDown(options, chosen, pygame.Rect(x, y, width, menu_row), self.ui, container=container)
        y += menu_row + 6
        shown = [lesson for lesson in lessons if lesson.lesson.topic == chosen[1]]
        items = []
        for lesson in shown:
            step = left.get(lesson.name, 0)
            items.append((f"{lesson.title}, {lesson.lesson.minutes} min" + (f" (step {step + 1})" if step else ""),
                          lesson.lesson.about + (f" Resumes at step {step + 1}." if step else "")))
        # Every lesson of the idea, scrolling when the window is too small to show them all.
        buttons, bottom = button_list(items, pygame.Rect(x, y, width, bottom - y), row, gap, self.ui, container)
        self.lessons.update(zip(buttons, shown))
        return bottom + gap

    def _card(self, rect: pygame.Rect, name: str) -> tuple[UITextBox, Callable[[int], None]]:
        """A built-in level's card: its tagline now, as tall as pygame_gui lays out its lines (a height of -1), and
        what lays out the rest once the row's tallest tagline is known (a line more takes the picture's height)."""
        level = builtin_level(name)
        s = self.app.scale
        panel = UIPanel(rect, container=self.grid, manager=self.ui, object_id="#card")
        inner = rect.w - 20
        tagline = UITextBox(TAGLINES.get(name, ""), pygame.Rect(8, 0, inner, -1), self.ui, container=panel,
                            object_id="#tagline")
        button = UIButton(pygame.Rect(8, rect.h - int(40 * s) - 12, inner, int(36 * s)), "Play this level",
                          self.ui, container=panel, object_id="#primary")
        self.cards[button] = name

        def lay_out(tallest: int) -> None:
            tagline_h = max(int(64 * s), tallest)
            image_h = rect.h - int(78 * s) - tagline_h - 28
            UIImage(pygame.Rect(8, 8, inner, image_h), thumbnail(level, (inner, image_h)), self.ui,
                    container=panel)
            # A long name on a narrow card (960x640, 1024x768): a size smaller, and shortened if even that is cut.
            name_rect = pygame.Rect(8, image_h + 10, inner, int(34 * s))
            small = not text_fits(self.ui.get_theme().get_font(["#heading"]), level.name, name_rect.w)
            label = UILabel(name_rect, level.name, self.ui, container=panel,
                            object_id="#heading_small" if small else "#heading")
            set_fitted_text(label, level.name)
            tagline.set_dimensions((inner, tagline_h))
            tagline.set_relative_position((8, image_h + 6 + int(34 * s)))
        return tagline, lay_out

    def _lessons_card(self, rect: pygame.Rect) -> None:
        """The lessons for a class (each opens where it was left), and the ideas explained."""
        s = self.app.scale
        panel = UIPanel(rect, container=self.grid, manager=self.ui, object_id="#card")
        inner, row = rect.w - 20, int(36 * s)
        UILabel(pygame.Rect(8, 8, inner, int(34 * s)), "Lessons for a class", self.ui, container=panel,
                object_id="#heading")
        self._lesson_buttons(panel, 8, 8 + int(38 * s), inner, int(28 * s), rect.h - row - 16, gap=3)
        self.explain_button = UIButton(pygame.Rect(8, rect.h - row - 12, inner, row), "Explain the ideas", self.ui,
                                       container=panel, tool_tip_text="You design a level and a base reward; a "
                                       "learner trains on the training distribution; at deployment the goal you "
                                       "intended and a proxy no longer coincide. Which one did it learn?")

    def windows(self) -> list:
        return [self.dialog]

    def open_dialog(self) -> None:
        self.dialog = file_dialog(self.app, "Open a level file", str(levels_dir()), existing_only=True,
                                  suffixes={".json"})

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element in self.cards:
                self.open_builtin(self.cards[event.ui_element])
            elif event.ui_element in self.templates:
                self.app.open("editor", level=builtin_level(self.templates[event.ui_element]))
            elif event.ui_element in self.restore:
                self.restore_autosave(self.restore[event.ui_element])
            elif event.ui_element in self.recent:
                self.app.open_level_file(self.recent[event.ui_element])
            elif event.ui_element is self.open_button:
                self.open_dialog()
            elif event.ui_element in self.lessons:
                self.app.open_lesson(self.lessons[event.ui_element])
            elif event.ui_element is self.explain_button:
                show_explain(self.app, EXPLAIN, "The ideas in this game")
            else:
                return False
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.topics:
            HomeScene.topic = getattr(event, "selected_option_id", None) or self.topics.selected_option[1]
            self.rebuild()
            return True
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.app.open_level_file(event.text)
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_o and event.mod & pygame.KMOD_CTRL:
            self.open_dialog()
            return True
        return False

    def restore_autosave(self, slot: str) -> None:
        """Open the work kept in an autosave slot in the editor, unsaved, the restore its first undo step."""
        kept = autosaves()
        try:
            restored = kept.read(slot)
        except ValueError as exc:
            self.app.message("The autosave cannot be restored", f"The kept work {exc}.")
            kept.drop(slot)
            self.rebuild()
            return
        self.app.open("editor", level=restored.level, path=restored.path, restored=restored)

    def open_builtin(self, name: str) -> None:
        self.app.open("lab", level=builtin_level(name))
