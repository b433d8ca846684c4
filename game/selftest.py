"""`mesa-sandbox --self-test`: check an install (or a frozen bundle) works, headless, in a few seconds.

Loads every built-in level and steps its worlds, trains a few hundred steps, draws a frame without a screen, prints a
summary; exits 0, or 1 with the reason.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback


def self_test() -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    started = time.perf_counter()
    lines = []
    try:
        import numpy as np
        import torch

        from levels import builtin_level, builtin_names, level_from_code, level_to_code
        from agents.envs import LevelVecEnv
        from agents.ppo import PPOConfig, PPO
        torch.set_num_threads(1)
        names = builtin_names()
        for name in names:
            level = builtin_level(name)
            assert level_from_code(level_to_code(level)) == level, f"{name}: level code round trip"
            env = LevelVecEnv(level, "deployment", 4, seed=0)
            env.reset()
            for _ in range(20):
                env.step(np.random.default_rng(0).integers(0, 5, 4))
        lines.append(f"levels: {len(names)} built-ins load, round-trip and step")
        learner = PPO(builtin_level("template_grid"), PPOConfig(num_envs=16, num_steps=16))
        for _ in range(2):
            metrics = learner.update()
        lines.append(f"learner: {metrics['steps']} steps, torch {torch.__version__}, "
                     f"{metrics['steps_per_second']:,.0f} steps/s")
        from agents.kinds import EVOLUTION, PLANNER
        from agents.training import TrainingSettings, make_optimizer
        evolved = make_optimizer(builtin_level("template_grid"), TrainingSettings.of(PLANNER, EVOLUTION))
        metrics = evolved.update()  # CMA-ES for the planner: checks `cma` made it into the bundle
        lines.append(f"evolution: one generation of the planner ({type(evolved).__name__}, "
                     f"{metrics['episodes']} episodes)")
        # the window's learner runs in a worker process: check one can be spawned (from a bundle too)
        from agents.worker import Failed, Finished, TrainingProcess
        from agents.training import TrainingGoal
        small = TrainingSettings(ppo=PPOConfig(num_envs=16, num_steps=16))
        worker = TrainingProcess(builtin_level("template_grid"), small,
                                 TrainingGoal(max_steps=512))
        worker.start()
        message = None
        deadline = time.monotonic() + 90
        while not isinstance(message, (Finished, Failed)) and time.monotonic() < deadline:
            try:
                message = worker.messages.get(timeout=1)
            except Exception:
                pass
        worker.join(10)
        if not isinstance(message, Finished):
            detail = message.message if isinstance(message, Failed) else "no answer in 90 s"
            raise RuntimeError(f"the learner process did not finish: {detail}")
        lines.append(f"learner process: trained {message.steps} steps and stopped ({message.reason})")
        import pygame
        from game.render import render_variant_png
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "frame.png")
            render_variant_png(builtin_level("coin_at_the_end"), "deployment", 0, path, 16)
            image = pygame.image.load(path)
            assert image.get_width() > 0
        from game.app import App
        app = App((1024, 700))
        app.frame(1 / 60)
        assert app.surface.get_at((5, 5))[:3] is not None
        app.toggle_projector()  # the projector theme made it into the bundle
        app.frame(1 / 60)
        app.scene.leave()
        pygame.quit()
        lines.append(f"rendering: a frame drawn headless ({image.get_width()}x{image.get_height()} PNG, home screen, "
                     "also in projector mode)")
        from game.export import film_episodes, gif_bytes
        from game.paths import asset
        from game.pretrained import pretrained_agents
        from game.session.lesson import lessons_in
        film = film_episodes(lambda obs, worlds: np.random.default_rng(0).integers(0, 5, len(obs)),
                             builtin_level("template_grid"), "deployment", episodes=1)
        gif = gif_bytes(film)  # Pillow made it into the bundle
        lessons = lessons_in(asset("lessons"))
        shipped = sum(len(pretrained_agents(builtin_level(name))) for name in names)
        assert lessons and shipped, "the lessons or the shipped agents are missing"
        lines.append(f"classroom: a {len(film.frames)}-frame GIF ({len(gif):,} bytes), {len(lessons)} lessons, "
                     f"{shipped} shipped agents")
        from game.scenes import SCENES, scene_class
        screens = [scene_class(name).__name__ for name in SCENES]  # imported by name: present in a bundle too
        lines.append(f"screens: {', '.join(screens)}")
    except Exception as exc:  # the reason is the point of a self-test
        print("self-test FAILED:", f"{type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
        return 1
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(f"Mesa Sandbox self-test passed ({frozen}, {time.perf_counter() - started:.1f}s)")
    for line in lines:
        print("  " + line)
    return 0
