"""Frame times of the training view while the learner trains at full speed, and the learner's speed beside it;
the CPU an idle home screen uses; how long Evaluate takes on every built-in.

    xvfb-run -s "-screen 0 1280x800x24" python benchmarks/ui_frames.py [--level coin_at_the_end] [--seconds 20]
        [--agent reactive|planner] [--optimizer ppo|evolution] [--frames-only]

Prints one JSON line: {"p50_ms", "p95_ms", "p99_ms", "learner_sps_with_ui", "learner_sps_headless",
"idle_home_cpu_percent", "evaluate_500_seconds": {level: s}, ...}. Frame time is the time between the starts of
consecutive frames (the loop targets 60 FPS: 16.7 ms). Evaluate is timed as the deployment view runs it (500
deployment episodes, 64 worlds at a time) with an untrained agent, whose episodes mostly run to the time limit:
an upper bound for a trained one.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np


def learner_headless(level, seconds: float, settings) -> float:
    """The same learner (a worker process) with no window: steps per second from its metrics."""
    from agents.worker import Progress, TrainingProcess
    from agents.training import TrainingGoal
    learner = TrainingProcess(level, settings, goal=TrainingGoal(target=1.01))
    learner.start()
    first = last = None
    deadline = None
    while True:
        message = learner.messages.get(timeout=120)
        if not isinstance(message, Progress):
            continue
        now = time.perf_counter()
        if first is None:
            if deadline is None:
                deadline = now + 1.0  # warm up, as the UI run does
            if now >= deadline:
                first = (now, message.steps)
            continue
        last = (now, message.steps)
        if now - first[0] >= seconds:
            break
    learner.stop()
    learner.join(20)
    return (last[1] - first[1]) / (last[0] - first[0])


def with_ui(level, seconds: float, agent: str, optimizer: str) -> tuple[list[float], float]:
    import pygame
    from game.app import App
    from game.scenes.lab import LabScene
    app = App((1280, 800))
    scene = LabScene(app, level)
    app.switch(scene)
    assert scene.session.set_agent(agent) is None and scene.session.set_optimizer(optimizer) is None
    scene.session.training.target = 1.01  # keep the learner at full speed for the whole measurement
    scene.session.toggle_training()
    frames: list[float] = []
    first = last = None
    warm_until = None
    previous = time.perf_counter()
    while True:
        dt = app.clock.tick(60) / 1000.0
        now = time.perf_counter()
        progress = scene.session.training.progress
        steps = progress.steps if progress is not None else None
        if steps is not None:
            if warm_until is None:
                warm_until = now + 1.0
            if first is None and now >= warm_until:
                first = (now, steps)
            elif first is not None:
                frames.append((now - previous) * 1000.0)
                if last is None or steps != last[1]:
                    last = (now, steps)
                if now - first[0] >= seconds:
                    break
        previous = now
        app.frame(min(dt, 0.1))
    sps = (last[1] - first[1]) / (last[0] - first[0])
    scene.leave()
    pygame.quit()
    return frames, sps


def idle_home_cpu(seconds: float) -> float:
    """Share of one core the app uses showing the home screen with nothing happening (the real loop, app.run)."""
    import pygame
    from game.app import App
    app = App((1280, 800))
    for _ in range(5):  # settle: first draws, thumbnails
        app.step()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started_wall < seconds:
        app.step()
    cpu = (time.process_time() - started_cpu) / (time.perf_counter() - started_wall)
    pygame.quit()
    return 100.0 * cpu


def evaluate_times() -> dict[str, float]:
    import torch
    from levels import builtin_level, builtin_names
    from agents.evaluation import evaluate
    from agents.policy import TorchPolicy
    from agents.ppo import PPO
    from game.session.evaluating import EVALUATION_EPISODES
    torch.set_num_threads(1)
    times = {}
    for name in builtin_names():
        level = builtin_level(name)
        policy = PPO(level).policy
        result = evaluate(TorchPolicy(policy, seed=0), level, "deployment", EVALUATION_EPISODES, seed=0, record=0)
        times[name] = round(result.seconds, 2)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="coin_at_the_end")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--agent", choices=["reactive", "conv", "planner"], default="reactive")
    parser.add_argument("--optimizer", choices=["ppo", "evolution"], default="ppo")
    parser.add_argument("--frames-only", action="store_true", help="skip the idle and Evaluate measurements")
    args = parser.parse_args()
    from agents.envs import resolve_level
    from agents.training import TrainingSettings
    level = resolve_level(args.level)
    settings = TrainingSettings.of(args.agent, args.optimizer)
    idle = None if args.frames_only else idle_home_cpu(5.0)
    frames, sps_ui = with_ui(level, args.seconds, args.agent, args.optimizer)
    sps_headless = learner_headless(level, args.seconds, settings)
    evaluations = None if args.frames_only else evaluate_times()
    f = np.array(frames)
    print(json.dumps({
        "p50_ms": round(float(np.percentile(f, 50)), 2), "p95_ms": round(float(np.percentile(f, 95)), 2),
        "p99_ms": round(float(np.percentile(f, 99)), 2), "frames": len(frames),
        "learner_sps_with_ui": round(sps_ui), "learner_sps_headless": round(sps_headless),
        "ratio": round(sps_ui / sps_headless, 3), "level": args.level, "agent": args.agent,
        "optimizer": args.optimizer,
        "video_driver": os.environ.get("SDL_VIDEODRIVER", "default"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "learner": "worker process", "idle_home_cpu_percent": None if idle is None else round(idle, 1),
        "evaluate_500_seconds": evaluations}))


if __name__ == "__main__":
    main()
