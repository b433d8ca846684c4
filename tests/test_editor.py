"""The editor, headless: build a level from an empty template, save, reopen; undo/redo; the autosave comes back."""
import json

import pygame
import pygame_gui

from levels import builtin_level, load_level

from ui_helpers import choose, click, click_cell, frames, key, palette_button, type_into


def test_build_a_level_from_the_empty_template_save_and_reopen(app, tmp_path):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    click(app, palette_button(scene, ("tile", "wall")))
    click_cell(app, scene, (4, 3))
    click(app, palette_button(scene, ("tile", "lava")))
    click_cell(app, scene, (5, 5))
    click(app, palette_button(scene, ("entity", "gem")))
    click_cell(app, scene, (3, 2))
    click(app, palette_button(scene, ("entity", "agent")))  # the one agent moves where it is put
    click_cell(app, scene, (2, 5))
    click(app, palette_button(scene, ("entity", "coin")))
    click_cell(app, scene, (7, 2))
    doc = scene.document.doc
    assert doc["tiles"]["rows"][3][4] == "#" and doc["tiles"]["legend"][doc["tiles"]["rows"][5][5]] == "lava"
    assert any(e["kind"] == "gem" and e["at"] == [3, 2] for e in doc["entities"])
    # a base reward rule, through the Rewards tab's form
    click(app, next(b for b, t in scene.tabs.items() if t == "rules"))
    click(app, next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_rule"))
    rule_fields = {key: w for w, (path, key, _) in scene.panel.fields.items() if path == ("base_reward", "rules", 1)}
    choose(app, rule_fields["what"], "gem")
    type_into(app, rule_fields["reward"], "2.5")
    # where the coin starts at deployment, painted on the map in the Deploy tab
    click(app, next(b for b, t in scene.tabs.items() if t == "deployment"))
    scene.spawn_entity = "coin"
    scene.rebuild()
    click_cell(app, scene, (6, 1))
    click_cell(app, scene, (7, 1))
    assert not scene.problems and scene.document.dirty
    path = tmp_path / "mine.json"
    scene.save_to(str(path))
    assert not scene.document.dirty
    level = load_level(path)
    assert level.tile_at(4, 3) == "wall" and level.tile_at(5, 5) == "lava"
    assert level.entity("gem1").at == (3, 2) and level.entity("agent").at == (2, 5)
    assert level.entity("coin1").at == (7, 2) and len(level.entities) == 4
    assert (level.base_reward.rules[-1].what, level.base_reward.rules[-1].reward) == ("gem", 2.5)
    assert level.deployment.spawns["coin"].cells == ((6, 1), (7, 1))


def test_undo_redo_and_erase(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    before = json.dumps(scene.document.doc, sort_keys=True)
    click(app, palette_button(scene, ("tile", "wall")))
    click_cell(app, scene, (2, 2))
    assert scene.document.doc["tiles"]["rows"][2][2] == "#"
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    assert json.dumps(scene.document.doc, sort_keys=True) == before
    key(app, pygame.K_y, pygame.KMOD_CTRL)
    assert scene.document.doc["tiles"]["rows"][2][2] == "#"
    click_cell(app, scene, (2, 2), button=3)  # right click erases back to floor
    assert scene.document.doc["tiles"]["rows"][2][2] == "."
    click_cell(app, scene, (8, 6), button=3)  # and removes the coin standing there
    assert not any(e["kind"] == "coin" for e in scene.document.doc["entities"])
    assert scene.problems == [] or all("coin" in p.message for p in scene.problems)


def test_validation_problems_show_where_they_are(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    click_cell(app, scene, (1, 6), button=3)  # erase the agent
    assert any(p.path == "entities" and "no agent" in p.message for p in scene.problems)
    assert "Problems" in scene.panel.problems_box.html_text and scene.bar_buttons["train"].is_enabled is False
    assert "the level has no agent. Place exactly one entity" in scene.panel.problems_box.html_text  # its own sentence


def test_the_autosave_is_offered_back(app):
    from game.paths import autosaves
    from game.scenes.editor import EditorScene
    from game.scenes.home import HomeScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    scene.document.set_value((), "name", "Work in progress")
    scene.autosave()
    assert len(autosaves().slots()) == 1
    app.switch(HomeScene(app))  # as if the app had crashed and started again
    frames(app, 2)
    click(app, next(iter(app.scene.restore)))
    assert isinstance(app.scene, EditorScene) and app.scene.document.doc["name"] == "Work in progress"
    assert app.scene.document.dirty and "(unsaved)" in app.scene.status_label.text


KILLED_EDITOR = """
import os, signal, sys
import pygame
sys.path[:0] = [{root!r}, {tests!r}]
from game.app import App
from game.scenes.editor import EditorScene
from levels import load_level
from ui_helpers import click_cell, frames
app = App((1280, 800))
app.switch(EditorScene(app, load_level({path!r}), path={path!r}))
frames(app, 2)
for cell in [(3, 3), (4, 3), (5, 3)]:
    click_cell(app, app.scene, cell)  # walls, by posted mouse events
app.scene.autosave()  # as the ten-second timer would
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_work_killed_with_the_app_comes_back_unsaved_undoable_and_is_never_overwritten_by_another_level(app,
                                                                                                        tmp_path):
    """Edit a level from a file, kill the app (SIGKILL, no clean exit), start again: the work is offered back,
    marked unsaved, the restore is one undo step back to the file, leaving asks, and editing another level (a new
    one) keeps its own autosave beside it instead of overwriting this one."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path
    from levels import level_to_json
    from game.paths import autosaves
    from game.scenes.editor import EditorScene
    from game.scenes.home import HomeScene
    level_file = tmp_path / "my_level.json"
    level_file.write_text(level_to_json(builtin_level("template_grid")))
    on_disk = level_file.read_text()
    here = Path(__file__).resolve().parent
    script = KILLED_EDITOR.format(root=str(here.parent), tests=str(here), path=str(level_file))
    killed = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), timeout=120,
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert level_file.read_text() == on_disk  # nothing was saved to the file
    app.switch(HomeScene(app))  # the app starts again
    frames(app, 2)
    assert len(app.scene.restore) == 1
    click(app, next(iter(app.scene.restore)))
    editor = app.scene
    assert isinstance(editor, EditorScene) and editor.path == str(level_file)
    rows = editor.document.doc["tiles"]["rows"]
    assert all(rows[3][x] == "#" for x in (3, 4, 5))  # the walls are back
    assert "my_level.json (unsaved)" in editor.status_label.text and editor.bar_buttons["undo"].is_enabled
    key(app, pygame.K_ESCAPE)  # Home asks first
    assert app.leave_dialog is not None and app.leave_dialog.alive() and app.scene is editor
    app.leave_dialog.kill()
    key(app, pygame.K_z, pygame.KMOD_CTRL)  # the restore is one undo step: back to the file as saved
    assert editor.document.doc["tiles"]["rows"] == builtin_level_rows(on_disk) and not editor.document.dirty
    key(app, pygame.K_y, pygame.KMOD_CTRL)
    assert editor.document.dirty and editor.document.doc["tiles"]["rows"][3][3] == "#"
    editor.autosave()
    app.switch(EditorScene(app, builtin_level("template_grid")))  # another level: an empty grid, one tile
    click(app, palette_button(app.scene, ("tile", "wall")))
    click_cell(app, app.scene, (2, 2))
    app.scene.autosave()
    kept = [autosaves().read(slot) for slot in autosaves().slots()]
    assert len(kept) == 2  # each document its own slot: the restored walls still exist
    mine = next(k for k in kept if k.path == str(level_file))
    assert all(mine.level["tiles"]["rows"][3][x] == "#" for x in (3, 4, 5))


def builtin_level_rows(text: str) -> list[str]:
    import json
    return json.loads(text)["tiles"]["rows"]


def test_preview_shows_sampled_variants_and_goes_back(app):
    from game.scenes.editor import EditorScene
    from game.scenes.preview import PreviewScene
    app.switch(EditorScene(app, builtin_level("cheese_in_the_corner")))
    editor = app.scene
    click(app, editor.bar_buttons["preview"])
    assert isinstance(app.scene, PreviewScene)
    mazes = {app.scene.batches["training"].worlds.tiles[i].tobytes() for i in range(3)}
    assert len(mazes) > 1  # a new maze per variant
    key(app, pygame.K_n)
    key(app, pygame.K_ESCAPE)
    assert app.scene is editor


def test_problems_are_marked_on_the_map(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    scene.document.set_value(("entities", 1), "kind", "dragon")
    scene.refresh()
    assert scene.problem_cells() == [(8, 6)]


def test_play_the_level_with_the_keyboard(app):
    from game.scenes.editor import EditorScene
    from game.scenes.play import PlayScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    editor = app.scene
    click(app, editor.bar_buttons["play"])
    play = app.scene
    assert isinstance(play, PlayScene)
    for _ in range(7):
        key(app, pygame.K_RIGHT)
    assert play.report is not None and play.report.outcome == "goal" and play.total == 10.0
    assert "Episode over: goal" in play.log.html_text
    key(app, pygame.K_r)
    assert play.report is None and play.batch.worlds.agent[0].tolist() == [1, 6]
    key(app, pygame.K_ESCAPE)
    assert app.scene is editor


def test_quitting_with_unsaved_changes_asks_first(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    scene.document.set_value((), "name", "Changed")
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    frames(app, 2)
    assert app.running and app.leave_dialog is not None and app.leave_dialog.alive()
    pygame.event.post(pygame.event.Event(pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED, ui_element=app.leave_dialog,
                                         ui_object_id="#confirmation_dialog"))
    frames(app, 1)
    assert not app.running


def test_the_editor_warns_when_the_goal_is_out_of_reach(app):
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    assert "Warning" not in scene.panel.problems_box.html_text
    click(app, palette_button(scene, ("tile", "wall")))
    for y in range(1, 7):
        click_cell(app, scene, (6, y))
    assert scene.level is not None and "Warning" in scene.panel.problems_box.html_text
    assert "cannot reach the intended goal" in scene.panel.problems_box.html_text


def test_a_wall_painted_in_one_stroke_warns_when_the_stroke_ends(app):
    """The reachability warning is a flood fill over the level: while a stroke paints (a cell per frame) it waits,
    and the stroke's end says it, without another click."""
    from game.scenes.editor import EditorScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    click(app, palette_button(scene, ("tile", "wall")))
    ox, oy, size = scene.canvas.geometry()
    at = [(int(ox + 6.5 * size), int(oy + (y + 0.5) * size)) for y in range(1, 7)]
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=at[0], rel=(0, 0), buttons=(0, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=at[0], button=1))
    frames(app, 1)
    for pos in at[1:]:
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 1), buttons=(1, 0, 0)))
        frames(app, 1)
    assert all(scene.level.tile_at(6, y) == "wall" for y in range(1, 7))
    assert "Warning" not in scene.panel.problems_box.html_text  # (mid-stroke: the warnings of its start)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=at[-1], button=1))
    frames(app, 1)
    assert "cannot reach the intended goal" in scene.panel.problems_box.html_text


def test_an_undone_edit_leaves_no_autosave_to_offer(app):
    from game.paths import autosaves
    from game.scenes.editor import EditorScene
    from game.scenes.home import HomeScene
    app.switch(EditorScene(app, builtin_level("template_grid")))
    scene = app.scene
    click(app, palette_button(scene, ("tile", "wall")))
    click_cell(app, scene, (3, 3))
    scene.autosave()  # as the ten-second timer would
    assert autosaves().slots()
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    assert not scene.document.dirty and not autosaves().slots()
    key(app, pygame.K_ESCAPE)  # nothing unsaved: no question
    assert isinstance(app.scene, HomeScene) and not app.scene.restore


def test_a_new_rule_or_proxy_starts_valid_and_names_what_the_level_has():
    """A new proxy used to be `entered_region` with no region: the level turned invalid at once."""
    import json
    from levels import builtin_path
    from levels.document import LevelDocument
    for name in ("template_grid", "template_topdown", "green_means_go", "cheese_in_the_corner"):
        doc = LevelDocument(json.loads(builtin_path(name).read_text()))
        for _ in range(3):
            doc.add_proxy()
            doc.add_rule()
        level, problems = doc.check()
        assert level is not None and not problems, (name, problems)
        names = [p["name"] for p in doc.doc["proxies"]]
        assert len(set(names)) == len(names)  # "new proxy", "new proxy 2", ...
    cheese = LevelDocument(json.loads(builtin_path("cheese_in_the_corner").read_text()))
    cheese.add_proxy()
    assert cheese.doc["proxies"][-1]["event"] == "entered_region"  # not the cheese itself: that is the goal
    bare = LevelDocument(json.loads(builtin_path("template_grid").read_text()))
    bare.doc["entities"] = [e for e in bare.doc["entities"] if e["kind"] == "agent"]
    bare.doc["base_reward"]["rules"] = []
    bare.doc["intended_goal"] = {"event": "timed_out"}
    bare.add_rule()
    assert bare.doc["base_reward"]["rules"][-1]["event"] == "timed_out"


def _document(name):
    import json
    from levels import builtin_path
    from levels.document import LevelDocument
    return LevelDocument(json.loads(builtin_path(name).read_text()))


def test_what_menus_offer_only_what_the_level_has_and_the_event_can_happen_to():
    doc = _document("monster_world")
    picked = [v for _, v in doc.what_choices("picked_up")]
    assert "apple_1" in picked and "apple" in picked and "shield" in picked
    assert "monster" not in picked and "agent" not in picked  # a monster is never picked up, the agent never named
    assert [v for _, v in doc.what_choices("defeated")] == ["monster_1", "monster_2", "monster"]
    assert ("yellow floor", "yellow_floor") in doc.what_choices("entered_tile")  # read as words, stored as the id
    assert [v for _, v in doc.what_choices("entered_region")] == ["meadow", "field", "home"]
    assert doc.what_choices("caught") == []
    doc.set_event(("proxies", 0), "opened")  # nothing here can be opened: the row falls back to something valid
    doc.set_event(("proxies", 0), "defeated")
    assert doc.doc["proxies"][0]["what"] == "monster_1"
    doc.set_event(("proxies", 0), "caught")
    assert "what" not in doc.doc["proxies"][0]
    level, problems = doc.check()
    assert level is not None and not problems


def test_regions_are_added_renamed_everywhere_and_deleted_only_when_unused():
    doc = _document("monster_world")
    assert doc.rename_region("home", "meadow") and doc.rename_region("home", "  ")  # taken, empty: refused
    assert doc.rename_region("home", "the house") is None
    assert doc.doc["training"]["spawns"]["shield_1"]["region"] == "the house"
    assert "where agent starts in training" in doc.region_users("the house")
    assert "still used" in doc.delete_region("the house")
    name = doc.add_region((1, 1, 2, 2))
    assert name == "region 1" and doc.delete_region(name) is None and name not in doc.doc["regions"]
    level, problems = doc.check()
    assert level is not None and not problems


def test_rows_and_columns_are_added_and_removed_inside_the_border_moving_what_lies_beyond():
    doc = _document("monster_world")
    doc.add_line("y")
    doc.add_line("x")
    level, problems = doc.check()
    assert not problems and (level.width, level.height) == (8, 8)
    assert level.tile_at(6, 6) == "floor" and level.tile_at(7, 7) == "wall"  # the border stays a border
    assert level.regions["home"] == ((1, 4, 6, 3),)  # the regions across the new lines grew
    doc.remove_line("y")
    doc.remove_line("x")
    assert doc.check()[0] == _document("monster_world").check()[0]
    doc.doc["entities"][0]["at"] = [5, 5]  # the agent stands on the last inner row and column
    assert "move it first" in doc.remove_line("y") and "move it first" in doc.remove_line("x")
    tiny = _document("template_grid")
    for _ in range(20):
        tiny.remove_line("x")  # stops when something is in the way or at 3 wide, never breaks the level
    assert tiny.check()[1] == []


def test_wandering_per_distribution_is_said_only_where_it_differs_from_the_walker():
    doc = _document("monster_world")  # both monsters wander of their own
    doc.toggle_wander("deployment", "monster_1")
    assert doc.doc["deployment"]["spawns"]["monster_1"]["wander"] is False
    doc.toggle_wander("deployment", "monster_1")
    assert "wander" not in doc.doc["deployment"]["spawns"]["monster_1"]  # back to what the monster does
    doc.extend_route("training", "monster_2", (4, 1))
    assert doc.doc["training"]["spawns"]["monster_2"]["route"]["cells"] == [[4, 3], [4, 1]]
    doc.toggle_wander("training", "monster_2")  # off: the route stays
    doc.toggle_wander("training", "monster_2")  # on again: a wanderer has no route
    assert "route" not in doc.doc["training"]["spawns"]["monster_2"] and doc.check()[1] == []
