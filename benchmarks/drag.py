"""How fast a drag answers "what if it were here?": for every built-in, the time from moving the intended goal's
object (or the first entity) one cell to having the value map and the arrows for that world again; the time of the whole window frame in which that happens
(drawn with the value map and arrows on, paused); how long after the drag the trail of next moves is ready (worked
out on a background thread); and how long *Where would it go?* takes for one world (also in the background).

    xvfb-run -s "-screen 0 1280x800x24" python benchmarks/drag.py [--drags 40]

Prints one JSON line per level: {"level", "update_ms_p50", "update_ms_max", "frame_ms_p50", "frame_ms_max",
"trail_ms_p50", "trail_ms_max", "where_seconds"} and the machine. A frame has 16.7 ms at 60 FPS. The agent is an
untrained network of the trained size: its greedy trail rarely ends early, so the trail is as long as it gets.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np


def untrained_lab(app, level):
    import torch
    from agents.worker import TrainingThread
    from agents.observation import ObservationSpec
    from agents.policy import Policy, PolicySnapshot
    from game.scenes.lab import LabScene
    LabScene.trainer_class = TrainingThread  # no worker process is needed to time a drag
    scene = LabScene(app, level)
    app.switch(scene)
    session = scene.session
    session.training.close()  # no learner is needed: its spare would prepare itself on a thread beside the drags
    spec = ObservationSpec.for_level(level, session.settings.agent.view, session.settings.agent.radius)
    torch.manual_seed(0)
    network = Policy(spec.size, 5, session.settings.agent.hidden)
    session.adopt(PolicySnapshot.of(network, spec, session.settings.agent.hidden, 0, 0), session.settings, [], "")
    scene.command("deployment")
    for overlay in ("values", "arrows"):
        scene.command(overlay)
    session.paused = True
    app.frame(1 / 60)
    return scene


def measure(level, drags: int) -> dict:
    import pygame
    from game.app import App
    from game.session import what_if
    app = App((1280, 800))
    scene = untrained_lab(app, level)
    session, view = scene.session, scene.world_view
    live = session.live["deployment"]
    goal = level.intended_goal.what
    alive = [e for e in range(live.worlds.alive.shape[1]) if live.worlds.alive[0, e]]
    thing = next((e for e in alive if goal in (live.worlds.table.entities[e].id, live.worlds.table.entities[e].kind)),
                 alive[0])
    cells = [tuple(int(v) for v in c) for c in what_if.start_cells(live.worlds, 0)]
    updates, frames, trails = [], [], []
    warmup = 3  # the first drags of a fresh process warm torch and the font cache up: not counted
    for k in range(drags + warmup):
        cell = cells[(k * 7) % len(cells)]
        if what_if.refusal(live.worlds, 0, thing, cell):
            continue
        t0 = time.perf_counter()
        session.move(0, thing, cell)
        session.what_if.maps(session.network, live.env, 0)
        updates.append(time.perf_counter() - t0)
        session.what_if.path(session.network, live.env, 0)
        session.what_if.wait()
        trails.append(time.perf_counter() - t0)
        # The same, as the window does it: a drag event, then one frame that draws everything.
        cell = cells[(k * 7 + 3) % len(cells)]
        if what_if.refusal(live.worlds, 0, thing, cell):
            continue
        ox, oy = view.origins[0]
        here = live.worlds.cells[0, thing]
        press = (int(ox + (here[0] + 0.5) * view.cell), int(oy + (here[1] + 0.5) * view.cell))
        to = (int(ox + (cell[0] + 0.5) * view.cell), int(oy + (cell[1] + 0.5) * view.cell))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=press, button=1))
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=to, rel=(0, 0), buttons=(1, 0, 0)))
        t0 = time.perf_counter()
        app.frame(1 / 60)
        frames.append(time.perf_counter() - t0)
        assert tuple(live.worlds.cells[0, thing]) == cell, "the drag did not move it"
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=to, button=1))
        app.frame(1 / 60)
        session.what_if.wait()  # the trail the frame asked for: finished before the next measurement
    updates, frames, trails = updates[warmup:], frames[warmup:], trails[warmup:]
    t0 = time.perf_counter()
    what_if.where_it_goes(session.network, what_if.WorldCopy.of(live.env, 0))
    where = time.perf_counter() - t0
    session.agent_saved = True
    scene.leave()
    pygame.quit()
    ms = lambda xs, f: round(1000 * float(f(xs)), 2)  # noqa: E731
    return {"level": level.name, "world": level.world, "update_ms_p50": ms(updates, np.median),
            "update_ms_max": ms(updates, np.max), "frame_ms_p50": ms(frames, np.median),
            "frame_ms_max": ms(frames, np.max), "trail_ms_p50": ms(trails, np.median),
            "trail_ms_max": ms(trails, np.max), "where_seconds": round(where, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drags", type=int, default=40)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    from levels import builtin_level, builtin_names
    print(json.dumps({"machine": platform.processor() or platform.machine(), "cores": os.cpu_count()}))
    for name in builtin_names():
        print(json.dumps(measure(builtin_level(name), args.drags)), flush=True)


if __name__ == "__main__":
    main()
