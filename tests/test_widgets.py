"""Shared widgets: a drop-down menu near the bottom of its panel opens upward with every option in view (pygame_gui
squeezed the list into the room left below it: 17 pixels for eight colours, and at the bottom of the editor's side
panel a list shorter than its scroll bar's buttons divided by zero when it opened)."""
import pygame
import pygame_gui
import pytest
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UIPanel

from game.widgets import LIST_ROW, DropDown, fits, set_fitted_text

COLOURS = ["no colour", "yellow", "green", "red", "blue", "orange", "purple", "grey"]


def opened(menu):
    """Open the menu as a click on it does, and the list it shows."""
    menu.current_state.finish()
    menu.current_state = menu.menu_states["expanded"]
    menu.current_state.start(should_rebuild=True)
    return menu.current_state.options_selection_list


@pytest.fixture
def ui():
    """A window and a UI manager of its own, for widgets tried alone."""
    pygame.init()
    pygame.display.set_mode((800, 600))
    yield pygame_gui.UIManager((800, 600))
    pygame.quit()


def test_a_menu_near_the_bottom_of_its_panel_opens_upward_with_every_option_in_view(ui):
    panel = UIPanel(pygame.Rect(0, 0, 300, 400), manager=ui)
    stock = opened(UIDropDownMenu(COLOURS, "yellow", pygame.Rect(10, 340, 200, 40), ui, container=panel))
    assert stock.rect.height < LIST_ROW  # what pygame_gui does alone: a list no one can use
    menu = DropDown(COLOURS, "yellow", pygame.Rect(10, 340, 200, 40), ui, container=panel)
    shown = opened(menu)
    ui.update(0.01)
    assert shown.rect.centery < menu.rect.top and shown.rect.height >= LIST_ROW * len(COLOURS)  # above it, whole
    assert shown.scroll_bar is None  # every colour in view
    roomy = opened(DropDown(COLOURS, "yellow", pygame.Rect(10, 10, 200, 40), ui, container=panel))
    assert roomy.rect.top >= 50  # with room below, it opens downward as before


def test_a_menus_rows_are_as_tall_as_its_words_at_every_scale():
    """pygame_gui's list rows are 20 pixels whatever the font: at 1920x1080 (and on a projector) the words of
    neighbouring rows overlapped. The game's theme makes them as tall as the scaled font, and a menu near the bottom
    of its panel still opens upward whole."""
    from game.app import scaled_theme
    pygame.init()
    try:
        for scale in (1.0, 1.4, 2.8):
            theme = scaled_theme(scale)
            font = int(theme["drop_down_menu"]["font"]["size"])
            pygame.display.set_mode((800, 600))
            ui = pygame_gui.UIManager((800, 600), theme)
            panel = UIPanel(pygame.Rect(0, 0, 300, 590), manager=ui)
            menu = DropDown(COLOURS, "yellow", pygame.Rect(10, 520, 200, 40), ui, container=panel)
            shown = opened(menu)
            ui.update(0.01)
            assert shown.list_item_height >= max(LIST_ROW, font * 1.25), scale
            assert shown.rect.centery < menu.rect.top and shown.scroll_bar is None, scale  # above it, whole
    finally:
        pygame.quit()


def test_a_text_shortened_to_fit_is_whole_in_its_tooltip_and_a_tooltip_of_its_own_is_kept(ui):
    status = UILabel(pygame.Rect(0, 0, 120, 30), "", ui)
    long = "Could not save: the folder /home/someone/levels is read-only"
    set_fitted_text(status, long)
    assert status.text.endswith("...") and status.text[:-3] in long and status.tool_tip_text == long
    pygame.mouse.set_pos(status.rect.center)  # hovered long enough, the label shows it
    for _ in range(20):
        ui.update(0.1)
    assert status.tool_tip is not None and long in status.tool_tip.text_block.html_text
    set_fitted_text(status, "Saved.")  # fits: nothing more to read in a tooltip
    assert status.text == "Saved." and status.tool_tip_text is None
    restore = UIButton(pygame.Rect(0, 40, 80, 30), "", ui, tool_tip_text="Restore the unsaved work kept at 10:04")
    set_fitted_text(restore, "Cheese, mostly cornered")
    assert restore.text.endswith("...") and restore.tool_tip_text == "Restore the unsaved work kept at 10:04"


def test_the_theme_ids_of_every_widget_of_the_editor_and_the_deployment_view_are_pygame_guis_own(app, monkeypatch):
    """game.gui_fix memoizes pygame_gui's theme ids under a tuple instead of a key of megabytes: for every widget
    the editor and the deployment view make, the ids are those pygame_gui's own method gives."""
    from pygame_gui.core.ui_appearance_theme import UIAppearanceTheme
    from levels import builtin_level
    from game import gui_fix
    from game.scenes.lab import LabScene
    from ui_helpers import frames
    assert UIAppearanceTheme.build_all_combined_ids is gui_fix.build_all_combined_ids
    asked = []

    def recording(self, *ids):
        asked.append((self, ids))
        return gui_fix.build_all_combined_ids(self, *ids)
    monkeypatch.setattr(UIAppearanceTheme, "build_all_combined_ids", recording)
    app.open("editor", level=builtin_level("monster_world"))
    for tab in ("rules", "regions", "training"):
        app.scene.tab = tab
        app.scene.rebuild_panel()
    app.switch(LabScene(app, builtin_level("green_means_go")))
    frames(app, 2)
    unique = {repr(ids): (theme, ids) for theme, ids in asked}
    assert len(unique) > 30  # many kinds of widget, nested in many ways
    for theme, ids in unique.values():
        assert gui_fix.build_all_combined_ids(theme, *ids) == gui_fix.ORIGINAL(theme, *ids), ids


def test_a_candidate_with_a_long_name_keeps_its_score_and_your_proxy_in_a_narrow_list(ui):
    """At 960x640 "0.97  the region you called "right end"  (your proxy)" ran past its list item."""
    from types import SimpleNamespace
    from levels import builtin_level
    from agents.objectives import Candidate
    from game.scenes.lab.candidates import CandidateList
    level = builtin_level("coin_at_the_end")  # declares the proxy "reached the right end"
    proxy = level.proxies[0]
    long = Candidate('the region you called "right end", where the level ends', "region", proxy.event, proxy.what, 3)
    other = Candidate("the top-left corner of the level, a long way from the coin", "corner", "entered_region",
                      "nowhere", 1)
    scores = [SimpleNamespace(score=0.97, candidate=long), SimpleNamespace(score=0.05, candidate=other)]
    intervals = {id(scores[0]): (0.94, 0.99), id(scores[1]): (0.0, 0.12)}  # (made up: the list shows what it is given)
    found = SimpleNamespace(scores=scores, interval=lambda s: intervals[id(s)])
    listed = CandidateList(SimpleNamespace(ui=ui, root=None), pygame.Rect(0, 0, 300, 200), 30)
    listed.refresh(found, found.scores[0], level)
    items = listed.list.item_list  # each score as its 95 % interval: a score is estimated
    assert items[0]["text"].startswith("0.94-0.99  the region") and items[0]["text"].endswith("...  (your proxy)")
    assert items[1]["text"].startswith("0.00-0.12  the top-left") and "(your proxy)" not in items[1]["text"]
    for item in items:
        button = item["button_element"]
        assert fits(button, item["text"]), item["text"]
        assert listed.by_text[item["text"]] in (long, other)
    assert listed.chosen() is long  # the apparent objective, chosen first


def test_the_concept_cards_fill_their_window_in_projector_mode(tmp_path, monkeypatch):
    """A fixed margin for the title bar left a blank strip under the text in projector mode (its title bar is
    taller)."""
    from pygame_gui.elements import UITextBox
    from game.app import App
    from game.widgets import show_explain
    monkeypatch.setenv("MESA_SANDBOX_DATA", str(tmp_path / "data"))
    app = App((1280, 720), projector=True)
    window = show_explain(app, [("Base optimizer", "PPO.")])
    box = next(e for e in window.get_container().elements if isinstance(e, UITextBox))
    assert box.rect == window.get_container().rect
    pygame.quit()
