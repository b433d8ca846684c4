"""The editor says everything the format can: regions, routes, tile changes, mixes, mazes, the grid's size, an
entity's id and colour, menus of what a rule can name; all by posted events, all undoable, all valid as they go."""
import json

import pygame
import pytest

from levels import builtin_level, load_level

from ui_helpers import (choose, click, click_cell, drag_cells, finish_typing, frames, key, palette_button, tab,
                        type_into)


def editor(app, name="template_grid"):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level(name)))
    return app.scene


def widget(panel, action):
    """A distribution tab's menu or button by what it does."""
    return next(w for w, (a, _) in panel.widgets.items() if a == action)


def test_a_region_is_drawn_named_used_in_a_proxy_and_deleted_only_when_unused(app):
    scene = editor(app)
    tab(app, scene, "regions")
    drag_cells(app, scene, (4, 3), (2, 2))  # any corner to any corner
    assert scene.document.doc["regions"] == {"region 1": [[2, 2, 3, 2]]}
    drag_cells(app, scene, (6, 5), (6, 6), shift=True)  # Shift adds a rectangle to the same region
    finish_typing(app, scene.panel.name_entry, "the nook")
    assert scene.document.doc["regions"] == {"the nook": [[2, 2, 3, 2], [6, 5, 1, 2]]}
    tab(app, scene, "rules")
    click(app, next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_proxy"))
    menu = next(m for m, path in scene.panel.event_menus.items() if path == ("proxies", 0))
    choose(app, menu, "entered_region")
    assert scene.document.doc["proxies"][0] == {"name": "new proxy", "event": "entered_region", "what": "the nook"}
    assert not scene.problems
    tab(app, scene, "regions")
    click(app, scene.panel.delete_button)
    assert "the nook" in scene.document.doc["regions"] and "still used" in scene.status
    tab(app, scene, "rules")
    click(app, next(b for b, a in scene.panel.row_buttons.items() if a[0] == "remove_proxy"))
    tab(app, scene, "regions")
    click(app, scene.panel.delete_button)
    assert scene.document.doc["regions"] == {} and not scene.problems
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    assert "the nook" in scene.document.doc["regions"]


def test_a_route_is_clicked_cell_by_cell_with_corners_added(app, tmp_path):
    scene = editor(app)
    click(app, palette_button(scene, ("entity", "guide")))
    click_cell(app, scene, (3, 5))
    tab(app, scene, "deployment")
    choose(app, widget(scene.panel, "entity"), "guide1")
    choose(app, widget(scene.panel, "clicks"), "route")
    for cell in [(3, 2), (6, 2), (7, 4)]:  # the last is not in line: a corner at (7, 2) goes in first
        click_cell(app, scene, cell)
    route = scene.document.doc["deployment"]["spawns"]["guide1"]["route"]
    assert route["cells"] == [[3, 5], [3, 2], [6, 2], [7, 2], [7, 4]]
    click_cell(app, scene, (7, 4))  # the last waypoint again takes it back
    assert route["cells"][-1] == [7, 2]
    choose(app, widget(scene.panel, "then"), "stop")
    assert not scene.problems
    scene.save_to(str(tmp_path / "walk.json"))
    level = load_level(tmp_path / "walk.json")
    assert level.deployment.spawns["guide1"].route.cells == ((3, 5), (3, 2), (6, 2), (7, 2))
    assert level.deployment.spawns["guide1"].route.then == "stop"
    assert set(scene.panel.shown_cells()) >= {(3, 4), (5, 2), (7, 2)}  # the whole walk is shown on the map


def test_tile_changes_are_painted_shown_as_what_they_become_and_taken_back(app):
    scene = editor(app)
    tab(app, scene, "deployment")
    choose(app, widget(scene.panel, "clicks"), "tiles")
    choose(app, widget(scene.panel, "change_tile"), "lava")
    for cell in [(2, 2), (3, 2)]:
        click_cell(app, scene, cell)
    assert scene.document.doc["deployment"]["tiles"] == [{"tile": "lava", "cells": [[2, 2], [3, 2]]}]
    assert scene.panel.shown_tiles() == [((2, 2), "lava"), ((3, 2), "lava")]
    choose(app, widget(scene.panel, "change_tile"), "wall")
    click_cell(app, scene, (3, 2))  # another kind on a changed cell: it becomes that instead
    click_cell(app, scene, (2, 2))
    click_cell(app, scene, (2, 2))  # the same kind again: back to what the map says
    assert scene.document.doc["deployment"]["tiles"] == [{"tile": "wall", "cells": [[3, 2]]}]
    assert load_level_from(scene).deployment.tiles[0].cells == ((3, 2),)
    assert scene.document.doc["tiles"]["rows"][2][3] == "."  # the map itself is unchanged


def load_level_from(scene):
    level, problems = scene.document.check()
    assert not problems, problems
    return level


def test_rows_and_columns_are_added_and_removed_and_undone(app):
    scene = editor(app)
    buttons = {a: b for b, a in scene.panel.grid_buttons.items()}
    click(app, buttons[("add_line", "y")])
    assert len(scene.document.doc["tiles"]["rows"]) == 9 and not scene.problems
    buttons = {a: b for b, a in scene.panel.grid_buttons.items()}
    click(app, buttons[("remove_line", "x")])  # the coin stands on the last inner column
    assert "move it first" in scene.status and len(scene.document.doc["tiles"]["rows"][0]) == 10
    key(app, pygame.K_z, pygame.KMOD_CTRL)  # the refused edit made no undo step: this undoes the new row
    assert len(scene.document.doc["tiles"]["rows"]) == 8


def test_the_selected_entity_is_renamed_everywhere_and_recoloured(app):
    scene = editor(app)
    click(app, palette_button(scene, ("select", "move")))
    click_cell(app, scene, (8, 6))  # the coin
    assert scene.panel.id_entry is not None and scene.panel.id_entry.get_text() == "coin"
    finish_typing(app, scene.panel.id_entry, "treasure")
    doc = scene.document.doc
    assert doc["base_reward"]["rules"][0]["what"] == "treasure" and doc["intended_goal"]["what"] == "treasure"
    choose(app, scene.panel.colour_menu, "red")
    assert next(e for e in doc["entities"] if e["id"] == "treasure")["color"] == "red" and not scene.problems
    click(app, palette_button(scene, ("entity", "agent")))
    click_cell(app, scene, (3, 3))
    finish_typing(app, scene.panel.id_entry, "treasure")  # taken: refused, nothing changed
    assert "already" in scene.status and [e["id"] for e in doc["entities"]] == ["agent", "treasure"]


def test_the_map_tab_sets_the_world_kind_and_the_episode_length_and_refuses_words_for_a_length(app):
    scene = editor(app)
    choose(app, scene.panel.world_menu, "sideview")
    assert scene.document.doc["world"] == "sideview"
    finish_typing(app, scene.panel.length_entry, "many")
    assert "whole number" in scene.status and scene.document.doc["episode_length"] != "many"
    finish_typing(app, scene.panel.length_entry, "77")
    assert scene.document.doc["episode_length"] == 77
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    assert scene.document.doc["episode_length"] != 77  # one undo step per edit


def test_mixes_are_added_shared_edited_and_removed(app):
    scene = editor(app)
    tab(app, scene, "training")
    choose(app, widget(scene.panel, "mix"), "new")
    assert scene.document.doc["training"]["mixes"] == [{"share": 0.25, "spawns": {}}] and scene.mix == 0
    share = next(w for w, (path, key, _) in scene.panel.fields.items() if key == "share")
    type_into(app, share, "0.4")
    choose(app, widget(scene.panel, "entity"), "coin")
    click_cell(app, scene, (2, 1))  # in the mix, the coin starts there
    assert scene.document.doc["training"]["mixes"][0] == {"share": 0.4, "spawns": {"coin": {"cells": [[2, 1]]}}}
    assert "spawns" not in scene.document.doc["training"] or "coin" not in scene.document.doc["training"]["spawns"]
    level = load_level_from(scene)
    assert level.training.mixes[0].share == 0.4
    choose(app, widget(scene.panel, "mix"), "new")
    choose(app, widget(scene.panel, "mix"), "0")
    click(app, widget(scene.panel, "remove_mix"))
    assert [m["share"] for m in scene.document.doc["training"]["mixes"]] == [0.25]


def test_a_maze_is_dragged_trimmed_to_odd_sides_and_given_loops(app):
    scene = editor(app)
    tab(app, scene, "training")
    choose(app, widget(scene.panel, "clicks"), "maze")
    drag_cells(app, scene, (0, 0), (9, 7))
    assert scene.document.doc["training"]["maze"] == {"rect": [0, 0, 9, 7], "loops": 0.0}
    choose(app, widget(scene.panel, "loops"), "0.3")
    assert load_level_from(scene).training.maze.loops == 0.3
    click(app, widget(scene.panel, "no_maze"))
    assert "maze" not in scene.document.doc["training"]


def test_the_diversity_slider_redraws_the_sampled_training_variants(app):
    import pygame_gui
    scene = editor(app, "coin_at_the_end")
    tab(app, scene, "training")

    def pictures():
        return [pygame.image.tobytes(w.image, "RGB") for w in scene.panel.root.elements
                if isinstance(w, pygame_gui.elements.UIImage)]
    before = pictures()
    assert len(before) == 4
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=0.5,
                                         ui_element=scene.panel.share_slider))
    frames(app, 2)
    assert scene.document.doc["training"]["mixes"][0]["share"] == 0.5
    assert pictures() != before  # some of the four variants are now drawn like deployment


@pytest.mark.parametrize("name", ["monster_world", "follow_the_leader", "lava_land", "cheese_in_the_corner"])
def test_every_field_of_every_tab_says_what_it_is(app, name):
    scene = editor(app, name)
    scene.selected = scene.document.doc["entities"][1]
    for tab_name in ("map", "rules", "regions", "training", "deployment"):
        for mix in (None, 0):
            scene.tab, scene.mix = tab_name, mix
            scene.rebuild()
            widgets = {w for _, w in scene.panel.handlers}  # every widget that answers an event
            assert widgets, (tab_name, mix)
            untold = [w for w in widgets if not w.tool_tip_text]
            assert not untold, (tab_name, mix, untold)


def test_every_field_the_editor_shows_round_trips_through_save_and_load(app, tmp_path):
    """Open each built-in, save it untouched: the file reads back as the same level."""
    from levels import builtin_names
    for name in builtin_names():
        scene = editor(app, name)
        for tab_name in ("map", "rules", "regions", "training", "deployment"):
            scene.tab = tab_name
            scene.rebuild()  # building the widgets must not change the document
        path = tmp_path / f"{name}.json"
        scene.save_to(str(path))
        assert load_level(path) == builtin_level(name), name
        assert json.loads(path.read_text()) == json.loads(json.dumps(scene.document.doc)), name


@pytest.mark.parametrize("damage, says", [
    (lambda d: d.update(training=[]), "training"),
    (lambda d: d.update(entities=[{"id": 3, "kind": "coin"}]), "entities"),
    (lambda d: d["tiles"].update(rows="#####"), "tiles"),
    (lambda d: d.update(deployment={"mixes": [{"spawns": []}]}), "deployment"),
    (lambda d: d.update(regions=[]), "regions"),
])
def test_a_damaged_autosave_is_refused_with_a_message_and_loses_nothing_else(app, damage, says):
    from game.paths import autosave_path
    from game.scenes.home import HomeScene
    from levels import level_to_dict
    doc = level_to_dict(builtin_level("monster_world"))
    damage(doc)
    autosave_path().parent.mkdir(parents=True, exist_ok=True)
    autosave_path().write_text(json.dumps({"path": None, "level": doc}))
    app.switch(HomeScene(app))
    frames(app, 2)
    click(app, next(iter(app.scene.restore)))  # an autosave of an earlier version, taken in as a slot
    assert isinstance(app.scene, HomeScene)
    title, text = app.message_windows[-1].said
    assert "cannot be restored" in title and says in text and "damaged" in text


@pytest.mark.parametrize("oddity", [
    lambda d: d["entities"][1].update(at="here"),
    lambda d: d["training"]["spawns"]["monster_1"].update(route=5, region=7),
    lambda d: d["training"]["spawns"]["monster_1"].update(route={"cells": 3}, present="often", color=4),
    lambda d: d.update(name=5, description=None, episode_length="long", world="space"),
    lambda d: d["base_reward"].update(step_cost="cheap", rules=[{"event": "touched", "what": 3, "reward": "lots"}]),
    lambda d: d["entities"][3].update(id="", color="plaid", wander="yes", route=[1, 2]),
    lambda d: d["deployment"].update(mixes=[{"share": "a lot", "spawns": {"ghost": {"cells": [[1, "x"]]}}}]),
    lambda d: d["regions"].update(meadow=[[1, 1], "x"]),
    lambda d: d["proxies"][0].update(event="sang", what=None, count="two"),
    lambda d: d["deployment"].update(tiles=[{"tile": "quicksand", "cells": "all"}], maze={"rect": "big"}),
])
def test_every_tab_opens_on_a_level_shaped_document_however_odd_its_values(app, oddity):
    """An autosave may hold a level whose values are wrong (that is what the editor is for): every tab still opens
    and lists the problems."""
    from game.scenes.editor import EditorScene
    from levels import level_to_dict
    doc = level_to_dict(builtin_level("monster_world"))
    oddity(doc)
    app.switch(EditorScene(app, doc))
    scene = app.scene
    # What the map's clicks set is shown on the distribution tabs alone: the other tabs once each.
    every = [(tab, "start") for tab in ("map", "rules", "regions")] + [
        (tab, clicks) for tab in ("training", "deployment") for clicks in ("start", "route", "tiles", "maze")]
    for tab_name, clicks in every:
        scene.tab, scene.clicks, scene.spawn_entity = tab_name, clicks, "monster_1"
        scene.rebuild()
        frames(app, 1)
        assert scene.problems  # shown, not thrown


def test_the_mouse_reaches_the_bar_the_tabs_and_the_side_panel(app):
    """The side panel has its own container (rebuilt alone on each edit): a real click still reaches a tab, a
    panel's button and the bar, none covered by another container."""
    scene = editor(app)

    def mouse_click(widget):
        pos = widget.rect.center
        for kind, extra in ((pygame.MOUSEMOTION, {"rel": (0, 0), "buttons": (0, 0, 0)}),
                            (pygame.MOUSEBUTTONDOWN, {"button": 1}), (pygame.MOUSEBUTTONUP, {"button": 1})):
            pygame.mouse.set_pos(pos)
            pygame.event.post(pygame.event.Event(kind, pos=pos, **extra))
            frames(app, 2)
    mouse_click(next(b for b, t in scene.tabs.items() if t == "rules"))
    assert scene.tab == "rules"
    rules = len(scene.document.doc["base_reward"]["rules"])
    mouse_click(next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_rule"))
    assert len(scene.document.doc["base_reward"]["rules"]) == rules + 1
    mouse_click(scene.bar_buttons["undo"])
    assert len(scene.document.doc["base_reward"]["rules"]) == rules
