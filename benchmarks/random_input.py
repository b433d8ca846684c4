"""Random clicks, drags, wheel turns and keys on every screen, headless: every exception a screen raises is printed
(the app recovers from them by going home with a message, but each one is a bug). Like `soak.py`, a tool to run,
not a test: what it finds becomes a test.

    python benchmarks/random_input.py [--seeds 1 2 3] [--frames 4000]

Every 400 frames it opens another screen (the training view of a built-in with a shipped agent loaded, the Steer
window of a shipped convolutional agent, the editor, the seed lottery, a lesson, play, preview, home; the training
view, the editor, play and preview of a random valid level, as `random_levels.py` writes them; a shipped lesson
with one value changed, deleted or moved that the loader still takes); the window is
1280x800, 1920x1080, 1024x768 (a 4:3 projector) or 960x640 (the smallest), one after the other by seed, and every
third seed is in projector mode. Exits 1 if anything failed. Found so far: a drop-down list squeezed below its scroll
bar (ZeroDivisionError in pygame_gui), a pasted level code as a file name ("File name too long"), a level edited to 32
or more entities (its tile events overflowed an int8), a Steer window measuring while the window played the same
network (a hook on it caught the other thread's pass).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import traceback
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-random-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCREENS = ["lab", "lab", "steer", "editor", "lottery", "home", "lesson", "play", "preview"]
EVERY = 400  # frames on one screen
SIZES = [(1280, 800), (1920, 1080), (1024, 768), (960, 640)]


def random_events(rng: random.Random, w: int, h: int, keys: list[int]) -> list:
    import pygame
    events = []
    for _ in range(rng.randint(0, 2)):
        r, pos = rng.random(), (rng.randrange(w), rng.randrange(h))
        if r < 0.45:
            button = 3 if rng.random() < 0.07 else 1
            events += [pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button),
                       pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button)]
        elif r < 0.55:
            events.append(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(1, 1), buttons=(1, 0, 0)))
        elif r < 0.6:
            turn = rng.choice([-1, 1])
            events.append(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=turn, flipped=False, precise_x=0.0,
                                             precise_y=float(turn)))
        else:
            key = rng.choice(keys)
            mod = pygame.KMOD_CTRL if rng.random() < 0.1 else 0
            if mod and key == pygame.K_q:  # quitting ends the run, not a bug
                continue
            name = pygame.key.name(key)
            text = name if len(name) == 1 and not mod else ""
            events += [pygame.event.Event(kind, key=key, mod=mod, unicode=text, scancode=0)
                       for kind in (pygame.KEYDOWN, pygame.KEYUP)]
    return events


def open_screen(app, kind: str, rng: random.Random) -> str:
    from levels import builtin_level, builtin_names
    from game.paths import asset
    from game.pretrained import pretrained_agents
    from game.session.lesson import load_lesson
    name = rng.choice(builtin_names())
    if kind == "lesson":
        path = rng.choice(sorted(asset("lessons").glob("*.json")))
        if rng.random() < 0.3:  # a teacher's edit of a shipped lesson that the loader takes
            app.open_lesson(mutated_lesson(path, rng), autoplay=rng.random() < 0.5)
            return f"a mutant of lesson {path.stem}"
        app.open_lesson(load_lesson(path))
        return f"lesson {path.stem}"
    if kind == "home":
        app.open("home", ask=False)
        return "home"
    if kind == "steer":  # the deployment view of a shipped conv agent, its Steer window open and steering
        level = builtin_level(rng.choice(["green_means_go", "cheese_mostly_cornered"]))
        app.open("lab", ask=False, level=level)
        app.scene.load_agent(str(rng.choice(list(pretrained_agents(level, "conv").values()))))
        app.scene.command("deployment")
        app.scene.command("steer")
        app.scene.session.steer(coefficient=rng.choice([-1.0, 1.0, -3.0]), each=rng.random() < 0.5)
        return f"steer {level.name}"
    level = builtin_level(name)
    if kind in ("lab", "editor", "play", "preview") and rng.random() < 0.4:  # a level nobody has seen: any view,
        level = random_valid_level(rng)  # size, things and colours
        app.open(kind, ask=False, level=level)
        return f"{kind} of a random level ({level.world} {level.width}x{level.height}, {len(level.entities)} things)"
    if kind == "lottery":
        level = builtin_level(rng.choice(["green_means_go", "cheese_in_the_corner", "the_diversity_fix"]))
    app.open(kind, ask=False, level=level)
    # (the convolutional agents too: the Steer window's menus, retargeting and each episode's own vector)
    agents = [*pretrained_agents(level).values(), *pretrained_agents(level, "conv").values()] if kind == "lab" else []
    if agents and rng.random() < 0.8:
        app.scene.load_agent(str(rng.choice(agents)))
    return f"{kind} {level.name}"


def mutated_lesson(path: Path, rng: random.Random):
    """A shipped lesson with one value changed, deleted or moved (as tests/test_fuzz_lessons.py does), drawn again
    until the loader takes it."""
    import json
    from game.session.lesson import LessonError, load_lesson
    values = [None, 0, 1, -1, 7, 99, 2.5, "", "x" * 90, "deployment", "reveal", "predict", "agent", "conv", "planner",
              "evolution", "proxy", "heatmap", ["arrows"], {}, [], True, {"coefficient": -1}]
    folder = Path(tempfile.mkdtemp(prefix="mesa-sandbox-lesson-"))
    while True:
        doc = json.loads(path.read_text())
        spots = [(doc, k) for k in doc if k not in ("format", "version")]
        spots += [(step, k) for step in doc["steps"] for k in step] + [(doc["steps"], i) for i in
                                                                       range(len(doc["steps"]))]
        where, key = rng.choice(spots)
        if isinstance(where, list) and rng.random() < 0.5:
            where.insert(rng.randrange(len(where)), where.pop(key))
        elif isinstance(where, dict) and rng.random() < 0.2:
            del where[key]
        else:
            where[key] = rng.choice(values)
        mutant = folder / path.name
        mutant.write_text(json.dumps(doc))
        try:
            return load_lesson(mutant)
        except LessonError:
            pass


def random_valid_level(rng: random.Random):
    """A random valid level as `random_levels.py` writes them (drawn again until the format takes one)."""
    from benchmarks.random_levels import random_level
    from levels.format import LevelError, parse_level
    while True:
        doc = random_level(random.Random(rng.random()))
        try:
            if doc is not None:
                return parse_level(doc)
        except LevelError:
            pass


def run(seed: int, frames: int, failures: list[tuple[str, str]], screens: list[str] = SCREENS) -> None:
    import pygame
    from game.app import App
    rng = random.Random(seed)
    w, h = SIZES[seed % len(SIZES)]
    app = App((w, h), projector=seed % 3 == 0)
    keys = [getattr(pygame, f"K_{c}") for c in "abcdefghijklmnopqrstuvwxyz0123456789"] + [
        pygame.K_TAB, pygame.K_SPACE, pygame.K_RETURN, pygame.K_ESCAPE, pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP,
        pygame.K_DOWN, pygame.K_BACKSPACE, pygame.K_DELETE, pygame.K_F1, pygame.K_PAGEUP, pygame.K_PAGEDOWN,
        pygame.K_HOME, pygame.K_END, pygame.K_PLUS, pygame.K_MINUS, pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET]
    opened, before = [], len(failures)
    for frame in range(frames):
        if frame % EVERY == 0:
            kind = rng.choice(screens)
            try:
                opened.append(open_screen(app, kind, rng))
            except Exception:
                failures.append((f"opening {kind}", traceback.format_exc()))
        for event in random_events(rng, w, h, keys):
            pygame.event.post(event)
        app.frame(1 / 60)
        if not app.running:
            failures.append(("the app stopped", f"at frame {frame}"))
            break
    print(f"seed {seed}: {len(failures) - before} failures in {frames} frames at {w}x{h}; screens: "
          f"{', '.join(opened)}", flush=True)
    try:
        app.scene.leave()
    except Exception:
        failures.append(("leaving the last screen", traceback.format_exc()))
    pygame.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--frames", type=int, default=4000)
    parser.add_argument("--screens", nargs="+", choices=sorted(set(SCREENS)), default=SCREENS,
                        help="only these screens (a run aimed at one)")
    args = parser.parse_args()
    from game.app import App
    failures: list[tuple[str, str]] = []
    recover = App.recover

    def recorded(self, exc):  # the app's own recovery, and a note of what it recovered from
        failures.append((type(self.scene).__name__, traceback.format_exc()))
        recover(self, exc)
    App.recover = recorded
    for seed in args.seeds:
        run(seed, args.frames, failures, args.screens)
    for where, text in failures:
        print("=" * 40, where)
        print(text[-3000:])
    # A screen's learner or lottery may still be running: leave without waiting for them.
    sys.stdout.flush()
    os._exit(1 if failures else 0)


if __name__ == "__main__":
    main()
