"""Frame times of the training view while the learner trains at full speed, and the learner's speed beside it.

    xvfb-run -s "-screen 0 1280x800x24" python benchmarks/ui_frames.py [--level coin_at_the_end] [--seconds 20]

Prints one JSON line: {"p50_ms", "p95_ms", "p99_ms", "learner_sps_with_ui", "learner_sps_headless", ...}.
Frame time is the time between the starts of consecutive frames (the loop targets 60 FPS: 16.7 ms).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np


def learner_headless(level, seconds: float) -> float:
    from agents.training import TrainingGoal, TrainingThread
    thread = TrainingThread(level, goal=TrainingGoal(target=1.01))
    thread.start()
    time.sleep(1.0)  # warm up, as the UI run does
    start_steps, start = thread.training.learner.global_step, time.perf_counter()
    time.sleep(seconds)
    sps = (thread.training.learner.global_step - start_steps) / (time.perf_counter() - start)
    thread.stop()
    thread.join(10)
    return sps


def with_ui(level, seconds: float) -> tuple[list[float], float]:
    import pygame
    from agents.training import TrainingGoal
    from game.app import App
    from game.scenes.lab import LabScene
    app = App((1280, 800))
    scene = LabScene(app, level)
    app.switch(scene)
    scene.toggle_training()
    scene.thread.goal = TrainingGoal(target=1.01)  # never stop at the target during the measurement
    frames: list[float] = []
    warm_until = time.perf_counter() + 1.0
    start_steps = None
    last = time.perf_counter()
    while True:
        dt = app.clock.tick(60) / 1000.0
        now = time.perf_counter()
        if now >= warm_until:
            if start_steps is None:
                start_steps, start = scene.thread.training.learner.global_step, now
            else:
                frames.append((now - last) * 1000.0)
            if now - start >= seconds:
                break
        last = now
        app.frame(min(dt, 0.1))
    sps = (scene.thread.training.learner.global_step - start_steps) / (time.perf_counter() - start)
    scene.leave()
    pygame.quit()
    return frames, sps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="coin_at_the_end")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from agents.envs import resolve_level
    level = resolve_level(args.level)
    frames, sps_ui = with_ui(level, args.seconds)
    sps_headless = learner_headless(level, args.seconds)
    f = np.array(frames)
    print(json.dumps({
        "p50_ms": round(float(np.percentile(f, 50)), 2), "p95_ms": round(float(np.percentile(f, 95)), 2),
        "p99_ms": round(float(np.percentile(f, 99)), 2), "frames": len(frames),
        "learner_sps_with_ui": round(sps_ui), "learner_sps_headless": round(sps_headless),
        "ratio": round(sps_ui / sps_headless, 3), "level": args.level,
        "video_driver": os.environ.get("SDL_VIDEODRIVER", "default"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "threads": threading.active_count()}))


if __name__ == "__main__":
    main()
