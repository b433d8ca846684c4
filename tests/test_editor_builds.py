"""Each level of the literature added with walkers, dishes and tiles that change is built from the empty template
through the editor's own widgets (posted events only), saved, and compared with the built-in: the editor can say
everything those levels say."""

from levels import builtin_level, level_to_dict, load_level

from ui_helpers import choose, click, click_cell, drag_cells, finish_typing, palette_button, tab, type_into


class Builder:
    """A level builder's hands on the editor, one widget at a time."""

    def __init__(self, app):
        from game.scenes.editor import EditorScene
        app.switch(EditorScene(app, builtin_level("template_grid")))
        self.app, self.scene = app, app.scene

    # --- the Map tab ---------------------------------------------------------------------------------------
    def map(self, name: str, length: int, width: int, height: int):
        app, scene = self.app, self.scene
        tab(app, scene, "map")
        finish_typing(app, scene.panel.name_entry, name)
        finish_typing(app, scene.panel.length_entry, str(length))
        for axis, want in (("x", width), ("y", height)):
            while True:
                rows = scene.document.doc["tiles"]["rows"]
                now = len(rows[0]) if axis == "x" else len(rows)
                if now == want:
                    break
                buttons = {a: b for b, a in scene.panel.grid_buttons.items()}
                click(app, buttons[("add_line" if now < want else "remove_line", axis)])
                assert not scene.status, scene.status
        return self

    def erase(self, cell):
        click_cell(self.app, self.scene, cell, button=3)
        return self

    def place(self, kind: str, cell, entity_id: str | None = None, colour: str | None = None, wander=False):
        app, scene = self.app, self.scene
        tab(app, scene, "map")
        click(app, palette_button(scene, ("entity", kind)))
        click_cell(app, scene, cell)
        if entity_id and scene.panel.id_entry.get_text() != entity_id:
            finish_typing(app, scene.panel.id_entry, entity_id)
        if colour:
            choose(app, scene.panel.colour_menu, colour)
        if wander:
            click(app, scene.panel.wander_button)
        return self

    def own_route(self, cell, waypoints, then: str):
        app, scene = self.app, self.scene
        click(app, palette_button(scene, ("select", "move")))
        click_cell(app, scene, cell)
        click(app, scene.panel.route_button)
        for waypoint in waypoints:
            click_cell(app, scene, waypoint)
        click(app, scene.panel.route_button)
        choose(app, scene.panel.then_menu, then)
        return self

    # --- the Regions tab -----------------------------------------------------------------------------------
    def region(self, name: str, x: int, y: int, w: int, h: int):
        app, scene = self.app, self.scene
        tab(app, scene, "regions")
        choose(app, scene.panel.menu, "")
        drag_cells(app, scene, (x, y), (x + w - 1, y + h - 1))
        finish_typing(app, scene.panel.name_entry, name)
        return self

    # --- the Rewards tab -----------------------------------------------------------------------------------
    def _row(self, path: tuple, event: str, what: str | None, **values):
        app, scene = self.app, self.scene
        menu = next(m for m, p in scene.panel.event_menus.items() if p == path)
        choose(app, menu, event)
        fields = {key: w for w, (p, key, _) in scene.panel.fields.items() if p == path}
        if what is not None:
            choose(app, fields["what"], what)
        for key, value in values.items():
            if key == "ends_episode":
                choose(app, fields[key], "ends" if value else "on")
            else:
                type_into(app, fields[key], str(value))

    def rule(self, index: int, event: str, what: str | None, reward: float, ends: bool):
        app, scene = self.app, self.scene
        tab(app, scene, "rules")
        while len(scene.document.doc["base_reward"]["rules"]) <= index:
            click(app, next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_rule"))
        self._row(("base_reward", "rules", index), event, what, reward=reward, ends_episode=ends)
        return self

    def goal(self, event: str, what: str, count: int = 1):
        tab(self.app, self.scene, "rules")
        self._row(("intended_goal",), event, what, count=count)
        return self

    def proxy(self, name: str, event: str, what: str, count: int = 1):
        app, scene = self.app, self.scene
        tab(app, scene, "rules")
        click(app, next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_proxy"))
        index = len(scene.document.doc["proxies"]) - 1
        name_entry = next(w for w, (p, key, _) in scene.panel.fields.items() if p == ("proxies", index) and key == "name")
        type_into(app, name_entry, name)
        self._row(("proxies", index), event, what, count=count)
        return self

    # --- the Training and Deploy tabs ----------------------------------------------------------------------
    def _tab(self, split: str, mix: str = "", clicks: str = "start", entity: str | None = None):
        app, scene = self.app, self.scene
        tab(app, scene, split)
        choose(app, self.widget("mix"), mix)
        if entity:
            choose(app, self.widget("clicks"), "start")  # the entity menu is with the starts
            choose(app, self.widget("entity"), entity)
        choose(app, self.widget("clicks"), clicks)  # "its route" is offered once a walker is chosen
        return scene.panel

    def widget(self, action: str, arg=None):
        return next(w for w, a in self.scene.panel.widgets.items() if a[0] == action and (arg is None or a[1] == arg))

    def new_mix(self, split: str, share: float) -> str:
        self._tab(split)
        choose(self.app, self.widget("mix"), "new")
        share_entry = next(w for w, (_, key, _) in self.scene.panel.fields.items() if key == "share")
        type_into(self.app, share_entry, str(share))
        return str(self.scene.mix)

    def spawn(self, split: str, entity: str, mix: str = "", anywhere=False, region=None, on=None, cells=(),
              present=None):
        panel = self._tab(split, mix, entity=entity)
        if anywhere:
            click(self.app, self.widget("place", "spawn_anywhere"))
        if region:
            choose(self.app, self.widget("region"), region)
        if on:
            choose(self.app, self.widget("on"), on)
        for cell in cells:
            click_cell(self.app, self.scene, cell)
        if present is not None:
            entry = next(w for w, (_, key, _) in self.scene.panel.fields.items() if key == "present")
            type_into(self.app, entry, str(present))
        return panel

    def route(self, split: str, entity: str, waypoints, then: str, mix: str = ""):
        self._tab(split, mix, clicks="route", entity=entity)
        for cell in waypoints:
            click_cell(self.app, self.scene, cell)
        choose(self.app, self.widget("then"), then)
        return self

    def tile_region(self, split: str, tile: str, region: str):
        self._tab(split, clicks="tiles")
        choose(self.app, self.widget("change_tile"), tile)
        choose(self.app, self.widget("tile_region"), region)
        return self

    def length(self, split: str, steps: int):
        self._tab(split)
        entry = next(w for w, (_, key, _) in self.scene.panel.fields.items() if key == "episode_length")
        type_into(self.app, entry, str(steps))
        return self

    def saved(self, tmp_path):
        assert not self.scene.problems, self.scene.problems
        path = tmp_path / "built.json"
        self.scene.save_to(str(path))
        return load_level(path)


def same_level(level) -> dict:
    """A level as data, ignoring its name, description and the order of things (and the characters its tiles are
    written with: only what each cell is counts)."""
    d = level_to_dict(level)
    for key in ("name", "description", "reproduces"):
        d.pop(key, None)
    d["tiles"] = [[level.tile_at(x, y) for x in range(level.width)] for y in range(level.height)]
    d["entities"] = sorted(d["entities"], key=lambda e: e["id"])
    d["proxies"] = sorted(d["proxies"], key=lambda p: p["name"])
    return d


def check(built, name: str) -> None:
    assert same_level(built) == same_level(builtin_level(name))


def test_cheese_on_a_dish_is_built_in_the_editor(app, tmp_path):
    b = Builder(app).map("Cheese on a dish", 50, 11, 11).erase((8, 6))
    b.place("agent", (1, 9), "mouse").place("dish", (7, 2), "dish", "blue").place("cheese", (7, 2), "cheese")
    b.rule(0, "touched", "cheese", 10, True).goal("touched", "cheese").proxy("went to the dish", "touched", "dish")
    for split in ("training", "deployment"):
        b.spawn(split, "mouse", anywhere=True)
        b.spawn(split, "dish", anywhere=True)
    b.spawn("training", "cheese", on="dish")
    b.spawn("deployment", "cheese", anywhere=True)
    check(b.saved(tmp_path), "cheese_on_a_dish")


def test_lava_land_is_built_in_the_editor(app, tmp_path):
    b = Builder(app).erase((8, 6)).map("Lava land", 40, 9, 9)
    b.place("agent", (4, 7)).place("flag", (4, 1), "flag", "green")
    for name, rect in [("below", (1, 5, 7, 3)), ("above", (1, 1, 7, 3)), ("left_of_the_river", (1, 4, 5, 1)),
                       ("right_of_the_river", (3, 4, 5, 1)), ("the_right_hand_way", (6, 4, 2, 1))]:
        b.region(name, *rect)
    b.rule(0, "touched", "flag", 10, True).goal("touched", "flag")
    b.proxy("took the right-hand way, as in training", "entered_region", "the_right_hand_way")
    for split, river in (("training", "left_of_the_river"), ("deployment", "right_of_the_river")):
        b.spawn(split, "agent", region="below")
        b.spawn(split, "flag", region="above")
        b.tile_region(split, "lava", river)
    check(b.saved(tmp_path), "lava_land")


def test_monster_world_is_built_in_the_editor(app, tmp_path):
    b = Builder(app).erase((8, 6)).place("agent", (3, 5)).map("Monster world", 40, 7, 7)
    for k, x in ((1, 2), (2, 4)):
        b.place("apple", (x, 1), f"apple_{k}")
    for k in range(1, 6):
        b.place("shield", (k, 4), f"shield_{k}")
    b.place("monster", (2, 2), "monster_1", wander=True).place("monster", (4, 3), "monster_2", wander=True)
    b.region("meadow", 1, 1, 5, 1).region("field", 1, 2, 5, 2).region("home", 1, 4, 5, 2)
    b.rule(0, "picked_up", "apple", 1, False).rule(1, "caught", None, -5, False).goal("picked_up", "apple", 2)
    b.proxy("collected shields with no monster about", "picked_up", "shield", 2)
    for split in ("training", "deployment"):
        b.spawn(split, "agent", region="home")
        for k in (1, 2):
            b.spawn(split, f"apple_{k}", region="meadow")
        for k in range(1, 6):
            b.spawn(split, f"shield_{k}", region="home", present=0.0 if split == "training" and k > 2 else None)
    for k in (1, 2):
        b.spawn("training", f"monster_{k}", region="field")
        b.spawn("deployment", f"monster_{k}", present=0.0)
    b.length("deployment", 60)
    check(b.saved(tmp_path), "monster_world")


def test_follow_the_leader_is_built_in_the_editor(app, tmp_path):
    b = Builder(app).erase((8, 6)).map("Follow the leader", 30, 9, 8)
    b.place("agent", (4, 6)).place("guide", (4, 5), "guide", "orange").own_route((4, 5), [(4, 1), (1, 1)], "stop")
    b.place("flag", (1, 1), "prize", "green").place("flag", (7, 1), "other_flag", "green")
    b.rule(0, "touched", "prize", 10, True).rule(1, "touched", "other_flag", 0, True).goal("touched", "prize")
    b.proxy("followed the guide to the other flag", "touched", "other_flag")
    for split, first in (("training", "prize"), ("deployment", "other_flag")):
        for prize_at, other_at in (((1, 1), (7, 1)), ((7, 1), (1, 1))):
            mix = b.new_mix(split, 0.5)
            b.spawn(split, "prize", mix, cells=[prize_at])
            b.spawn(split, "other_flag", mix, cells=[other_at])
            guide_to = prize_at if first == "prize" else other_at  # training: to the prize; deployment: elsewhere
            b.route(split, "guide", [(4, 1), guide_to], "stop", mix)
    check(b.saved(tmp_path), "follow_the_leader")
