"""Take the README's screenshots: drive the real app as a player would and save what the window shows.

    xvfb-run -s "-screen 0 1920x1080x24" python docs/screenshots.py [--size 1280x800] [--out docs/img]
    xvfb-run -s "-screen 0 1920x1080x24" python docs/screenshots.py --classroom [--size 1920x1080]
    xvfb-run -s "-screen 0 1920x1080x24" python docs/screenshots.py --projector [--size 1280x720]

Trains *green means go* for real (a few seconds), so the training and deployment views show a real agent
(--projector: projector mode's screens, with a shipped agent instead).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pygame  # noqa: E402


def frames(app, n=3):
    for _ in range(n):
        app.frame(1 / 60)
        time.sleep(1 / 60)


def until(app, condition, seconds=120.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        frames(app, 1)
    return condition()


def save(app, out: Path, name: str) -> None:
    frames(app, 2)
    pygame.image.save(app.surface, str(out / name))
    print(f"wrote {out / name}")


def what_if(app, scene, out: Path, suffix: str) -> None:
    """Pause, carry the intended goal's object in the first world to the open cell farthest from it, and show the
    trail of next moves and where the agent ends up from every start."""
    from game.session.what_if import start_cells
    session = scene.session
    live = session.live["deployment"]
    goal = session.level.intended_goal.what
    table = live.worlds.table
    things = [e for e, entity in enumerate(table.entities) if goal in (entity.id, entity.kind) and live.worlds.alive[0, e]]
    if things:
        here = live.worlds.cells[0, things[0]]
        cells = start_cells(live.worlds, 0)
        far = cells[abs(cells - here).sum(1).argmax()]
        session.move(0, things[0], tuple(far))
    else:
        session.paused = True
    scene.refresh()
    scene.command("values")
    scene.command("where")
    until(app, lambda: all(session.what_if.destinations(session.network, live.env, i) is not None for i in range(4)))
    save(app, out, f"screen-what-if{suffix}.png")
    scene.command("where")
    scene.command("arrows")


def classroom(app, out: Path, suffix: str, level_name: str, lottery_level: str = "the_diversity_fix") -> None:
    """A lesson at its prediction (a show of hands typed in) and at its reveal, then the seed lottery (on the level
    whose seeds differ most: one of the six diversity-fix agents did not learn the fix)."""
    from levels import builtin_level
    from game.paths import asset
    from game.session.lesson import load_lesson
    app.open_lesson(load_lesson(asset("lessons") / f"{level_name}.json"))
    scene = app.scene
    while scene.lesson.step.do != "predict":
        scene.lesson_bar.command("next")
        frames(app, 3)
    for k, hands in enumerate((9, 14, 3)[:len(scene.lesson_bar.hands)]):
        scene.lesson_bar.hands[k].set_text(str(hands))
        scene.lesson.count(k, hands)
    scene.lesson_bar.counting = True
    save(app, out, f"screen-lesson-predict{suffix}.png")
    while scene.lesson.step.do != "reveal":
        scene.lesson_bar.command("next")
        frames(app, 30)
    until(app, lambda: not scene.session.evaluating and scene.session.tally.total >= 500, 120)
    frames(app, 20)
    save(app, out, f"screen-lesson-reveal{suffix}.png")
    app.open("lottery", level=builtin_level(lottery_level))
    until(app, lambda: not app.scene.lottery.measuring, 300)
    frames(app, 40)
    save(app, out, f"screen-lottery{suffix}.png")
    app.scene.leave()


def editor_screens(app, out: Path, suffix: str) -> None:
    """The editor's tabs, and the three things drawn on its map: a region (mid-drag), a guide's route, tiles that
    change at deployment."""
    from levels import builtin_level

    def cell_pos(scene, cell):
        ox, oy, size = scene.canvas.geometry()
        return int(ox + (cell[0] + 0.5) * size), int(oy + (cell[1] + 0.5) * size)

    def tab(scene, name):
        scene.tab = name
        scene.rebuild()
        frames(app, 3)

    app.open("editor", level=builtin_level("cheese_in_the_corner"))
    frames(app, 3)
    save(app, out, f"screen-editor{suffix}.png")
    tab(app.scene, "rules")
    save(app, out, f"screen-editor-rewards{suffix}.png")
    app.scene.clicks = "maze"
    tab(app.scene, "training")
    save(app, out, f"screen-editor-maze{suffix}.png")
    app.scene.document.saved = json.dumps(app.scene.document.doc, sort_keys=True)

    app.open("editor", level=builtin_level("monster_world"), ask=False)
    scene = app.scene
    tab(scene, "regions")
    for event in [pygame.event.Event(pygame.MOUSEMOTION, pos=cell_pos(scene, (1, 1)), rel=(0, 0), buttons=(0, 0, 0)),
                  pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=cell_pos(scene, (1, 1)), button=1),
                  pygame.event.Event(pygame.MOUSEMOTION, pos=cell_pos(scene, (3, 2)), rel=(0, 0), buttons=(1, 0, 0))]:
        pygame.event.post(event)
        frames(app, 1)
    save(app, out, f"screen-editor-region{suffix}.png")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=cell_pos(scene, (3, 2)), button=1))
    frames(app, 3)
    tab(scene, "training")
    save(app, out, f"screen-editor-training{suffix}.png")
    scene.document.saved = json.dumps(scene.document.doc, sort_keys=True)

    app.open("editor", level=builtin_level("follow_the_leader"), ask=False)
    scene = app.scene
    scene.selected = scene.document.doc["entities"][1]  # the guide, with its own route
    tab(scene, "map")
    save(app, out, f"screen-editor-walker{suffix}.png")
    scene.spawn_entity, scene.clicks, scene.mix = "guide", "route", 1
    tab(scene, "deployment")
    for cell in [(1, 1), (2, 1), (2, 3)]:  # the last waypoint taken back, then on to a new end
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=cell_pos(scene, cell), button=1))
        frames(app, 2)
    save(app, out, f"screen-editor-route{suffix}.png")
    scene.document.saved = json.dumps(scene.document.doc, sort_keys=True)

    app.open("editor", level=builtin_level("lava_land"), ask=False)
    scene = app.scene
    scene.clicks, scene.change_tile = "tiles", "lava"
    tab(scene, "deployment")
    for cell in [(1, 3), (2, 3), (3, 3)]:
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=cell_pos(scene, cell), button=1))
        frames(app, 2)
    save(app, out, f"screen-editor-tiles{suffix}.png")
    scene.document.saved = json.dumps(scene.document.doc, sort_keys=True)
    app.scene.leave()


def projector(w: int, h: int, out: Path, suffix: str) -> int:
    os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-screenshots-"))
    from levels import builtin_level
    from game.app import App
    app = App((w, h), projector=True)
    frames(app, 5)
    save(app, out, f"screen-home{suffix}.png")
    app.open("lab", level=builtin_level("green_means_go"))
    scene = app.scene
    scene.command("shipped")
    frames(app, 30)
    save(app, out, f"screen-training{suffix}.png")
    scene.command("deployment")
    scene.command("evaluate")
    until(app, lambda: not scene.session.evaluating and scene.session.tally.total >= 500, 120)
    scene.command("heatmap")
    save(app, out, f"screen-deployment{suffix}.png")
    classroom(app, out, suffix, "green_means_go")
    pygame.quit()
    return 0


def reveal(w: int, h: int, out: Path, projector_mode: bool) -> int:
    """The honest reveal (issue 22): every shipped lesson at its prediction (nothing at deployment played or shown),
    *Predict first* on cheese in the corner and keys and chests after some deployment episodes were watched (the
    worlds start again at their first frame), and the verdict beside its list of candidates."""
    os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-screenshots-"))
    from levels import builtin_level
    from game.app import App
    from game.paths import asset
    from game.session.lesson import lessons_in
    suffix = f"-projector-{w}x{h}" if projector_mode else f"-{w}x{h}"
    app = App((w, h), projector=projector_mode)
    for found in lessons_in(asset("lessons")):
        app.open_lesson(found)
        scene = app.scene
        while scene.lesson.step.do != "predict":
            scene.lesson_bar.command("next")
            frames(app, 60)  # a second on each step: a deployment step before the vote must still stand still
        save(app, out, f"reveal-predict-{found.name}{suffix}.png")
    if not projector_mode:
        for name in ("cheese_in_the_corner", "keys_and_chests"):
            app.open("lab", level=builtin_level(name))
            scene = app.scene
            scene.command("shipped")
            scene.command("deployment")
            scene.set_speed(30)
            until(app, lambda: scene.session.tally.total >= 12, 120)
            save(app, out, f"reveal-before-predict-first-{name}{suffix}.png")
            scene.command("predict")
            frames(app, 60)
            save(app, out, f"reveal-predict-first-{name}{suffix}.png")
        app.open("lab", level=builtin_level("cheese_in_the_corner"))
        scene = app.scene
        scene.command("shipped")
        scene.command("deployment")
        scene.command("evaluate")
        until(app, lambda: scene.session.evaluated, 180)
        frames(app, 20)
        save(app, out, f"reveal-verdict-and-list{suffix}.png")
    app.scene.leave()
    pygame.quit()
    return 0


def lessons(w: int, h: int, out: Path, projector_mode: bool, names: list[str]) -> int:
    """Each named lesson played through as a class would: every prediction (an answer clicked), every reveal once
    measured, and the step after the last reveal (The optimizer inside: the gem dragged, the map following)."""
    os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-screenshots-"))
    from game.app import App
    from game.paths import asset
    from game.session.lesson import load_lesson
    suffix = f"-projector-{w}x{h}" if projector_mode else f"-{w}x{h}"
    app = App((w, h), projector=projector_mode)
    for name in names:
        app.open_lesson(load_lesson(asset("lessons") / f"{name}.json"))
        scene = app.scene
        bar, run = scene.lesson_bar, scene.lesson
        while True:
            step, k = run.step, run.index + 1
            if step.do == "predict":
                bar.run.predict(1)
                bar.refresh(bar._reveal())
                frames(app, 10)
                save(app, out, f"lesson-{name}-{k}-predict{suffix}.png")
            elif step.do == "reveal":
                until(app, lambda: bar.shows_outcomes, 180)
                frames(app, 20)
                save(app, out, f"lesson-{name}-{k}-reveal{suffix}.png")
            elif step.do == "card" and any(s.do == "reveal" for s in run.steps[:run.index]) and step.show:
                live = scene.session.live["deployment"]
                gem = next(e for e, entity in enumerate(live.worlds.table.entities) if entity.id == "lookalike")
                i = next(i for i in range(live.env.num_envs) if live.worlds.alive[i, gem])
                scene.session.paused = True
                scene.session.move(i, gem, (2, 8) if tuple(live.worlds.agent_cell[i]) != (2, 8) else (8, 2))
                frames(app, 20)
                save(app, out, f"lesson-{name}-{k}-after{suffix}.png")
            if run.at_end:
                break
            bar.command("next")
            frames(app, 30)
        scene.session.agent_saved = True
    pygame.quit()
    return 0


def steer(w: int, h: int, out: Path, suffix: str, agent: str) -> int:
    """The Steer window on a convolutional agent (`--steer AGENT`: train one with `mesa-sandbox train
    green_means_go --agent conv --seed 1 -o conv.agent`): on green means go the green thing's vector subtracted at the
    last convolution; on a level whose proxy is no thing (cheese, mostly cornered) each episode's own goal
    vector at the middle one; the arrows following, and the effect measured."""
    from agents.agent_file import load_agent
    from agents.contrasts import contrasts_of
    from game.app import App
    level = load_agent(agent).level
    app = App((w, h))
    app.open("lab", level=level)
    scene = app.scene
    scene.load_agent(agent)
    scene.command("deployment")
    frames(app, 10)
    layers = list(scene.session.network.steerable())
    proxy = "proxy" in contrasts_of(level)
    scene.session.steer(contrast="proxy" if proxy else "goal", layer=layers[-1 if proxy else len(layers) // 2],
                        coefficient=-1.0, each=not proxy)
    scene.command("steer")
    scene.command("arrows")
    scene.session.steering.measure(scene.session.network, scene.session.settings.agent.view, scene.session.settings.agent.radius)
    until(app, lambda: scene.session.steering.effect is not None, 120)
    frames(app, 10)
    save(app, out, f"screen-steer{'' if proxy else '-goal'}{suffix}.png")
    scene.session.agent_saved = True
    pygame.quit()
    return 0


def planner(w: int, h: int, out: Path, suffix: str, agent: str) -> int:
    """The planner at deployment (`--planner AGENT`, a shipped planner: its reward map is on at once), after an
    evaluation, so the verdict and the list are there beside what it wants."""
    from agents.agent_file import load_agent
    from game.app import App
    app = App((w, h))
    app.open("lab", level=load_agent(agent).level)
    scene = app.scene
    scene.load_agent(agent)
    scene.command("deployment")
    scene.command("evaluate")
    until(app, lambda: not scene.session.evaluating and scene.session.tally.total >= 500, 120)
    frames(app, 30)
    save(app, out, f"screen-planner{suffix}.png")
    scene.session.agent_saved = True
    pygame.quit()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "img"))
    parser.add_argument("--level", default="green_means_go")
    parser.add_argument("--no-proxies", action="store_true", help="remove the level's proxies (the inference's case)")
    parser.add_argument("--agent", help="load this agent file instead of training one (quicker retakes)")
    parser.add_argument("--classroom", action="store_true",
                        help="only the classroom's screens: a lesson's prediction and reveal, the seed lottery")
    parser.add_argument("--editor", action="store_true",
                        help="only the editor: each tab, and a region, a route and a tile change being drawn")
    parser.add_argument("--projector", action="store_true",
                        help="projector mode: home, training and deployment views (a shipped agent), the classroom")
    parser.add_argument("--reveal", action="store_true",
                        help="every lesson at its prediction, Predict first, the verdict beside its list "
                             "(with --projector: the lessons only, in projector mode)")
    parser.add_argument("--steer", metavar="AGENT", help="only the Steer window, on this convolutional agent")
    parser.add_argument("--planner", metavar="AGENT", help="only the deployment view of this planner, evaluated")
    parser.add_argument("--lessons", nargs="+", metavar="NAME",
                        help="only these lessons, played through: predictions, reveals (with --projector: projector "
                             "mode)")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if (w, h) == (1280, 800) else f"-{w}x{h}"
    if args.lessons:
        return lessons(w, h, out, args.projector, args.lessons)
    if args.reveal:
        return reveal(w, h, out, args.projector)
    if args.steer:
        return steer(w, h, out, suffix, args.steer)
    if args.planner:
        return planner(w, h, out, suffix, args.planner)
    if args.projector:
        return projector(w, h, out, f"-projector-{w}x{h}")
    os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-screenshots-"))  # no recent files

    from levels import builtin_level
    from game.app import App
    app = App((w, h))
    if args.classroom or args.editor:
        (classroom(app, out, suffix, args.level) if args.classroom else editor_screens(app, out, suffix))
        pygame.quit()
        return 0
    frames(app, 5)
    save(app, out, f"screen-home{suffix}.png")

    level = builtin_level(args.level)
    if args.no_proxies:
        level = level.model_copy(update={"proxies": ()})
    app.open("lab", level=level)
    scene = app.scene
    if args.agent:
        scene.load_agent(args.agent)
    else:
        until(app, lambda: scene.session.training.spare.state == "ready", 60)
        scene.command("train")
        until(app, lambda: len(scene.session.training.curve) >= 8, 120)
        save(app, out, f"screen-training{suffix}.png")
        until(app, lambda: scene.session.training.finished is not None, 300)
    frames(app, 30)
    scene.command("deployment")
    scene.set_speed(30)
    until(app, lambda: scene.session.tally.total >= 20, 120)
    scene.command("evaluate")
    until(app, lambda: not scene.session.evaluating and scene.session.tally.total >= 500, 120)
    for overlay in ("heatmap", "arrows"):
        scene.command(overlay)
    save(app, out, f"screen-deployment{suffix}.png")
    scene.command("heatmap")
    scene.command("values")
    save(app, out, f"screen-values{suffix}.png")
    what_if(app, scene, out, suffix)
    scene.session.agent_saved = True  # leave without the question: this is a script

    editor_screens(app, out, suffix)
    pygame.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
