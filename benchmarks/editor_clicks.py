"""How long the editor takes to answer a click that changes its side panel: another tab, a rule added and removed,
a distribution's menu. Each is timed from the posted event to the end of the frame that shows it.

    SDL_VIDEODRIVER=dummy python benchmarks/editor_clicks.py [--level monster_world] [--repeats 20]

Prints one JSON line: the median and 90th percentile milliseconds of each kind of click.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-sandbox-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pygame  # noqa: E402
import pygame_gui  # noqa: E402


def timed(app, event) -> float:
    pygame.event.post(event)
    started = time.perf_counter()
    app.frame(1 / 60)
    return (time.perf_counter() - started) * 1000


def press(widget):
    return pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=widget, ui_object_id=widget.most_specific_combined_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="monster_world")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    from levels import builtin_level
    from game.app import App
    from game.scenes.editor import EditorScene
    app = App((1280, 800))
    app.switch(EditorScene(app, builtin_level(args.level)))
    scene = app.scene
    for _ in range(3):
        app.frame(1 / 60)
    times: dict[str, list[float]] = {"tab": [], "add and remove a rule": [], "distribution menu": []}
    for _ in range(args.repeats):
        for tab in ("rules", "training"):
            times["tab"].append(timed(app, press(next(b for b, t in scene.tabs.items() if t == tab))))
        times["distribution menu"].append(timed(app, press(next(w for w, (a, _) in scene.panel.widgets.items()
                                                                if a == "place"))))
        scene.tab = "rules"
        getattr(scene, "rebuild_panel", scene.rebuild)()  # (the whole screen, before the panel was its own)
        app.frame(1 / 60)
        add = next(b for b, a in scene.panel.row_buttons.items() if a[0] == "add_rule")
        ms = timed(app, press(add))
        remove = [b for b, a in scene.panel.row_buttons.items() if a[0] == "remove_rule"][-1]
        times["add and remove a rule"].append((ms + timed(app, press(remove))) / 2)
    print(json.dumps({k: {"median_ms": round(statistics.median(v), 1),
                          "p90_ms": round(sorted(v)[int(0.9 * (len(v) - 1))], 1)} for k, v in times.items()}))


if __name__ == "__main__":
    main()
