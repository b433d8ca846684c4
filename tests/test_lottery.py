"""The seed lottery: the shipped agents of a level play the same deployment variants side by side, each labelled
with its measured outcomes; only an unchanged built-in has a lottery."""
import time

import numpy as np
import pygame

from levels import builtin_level

from agents.evaluation import share_words
from game.pretrained import pretrained_agents
from game.session.lottery import SeedLottery
from conftest import SHIPPED_SEEDS


def test_every_agent_plays_the_same_variants_and_gets_a_label(shipped_agents):
    level = builtin_level("green_means_go")
    lottery = SeedLottery.of(level, pretrained_agents(level))
    try:
        assert [e.seed for e in lottery.entries] == list(range(SHIPPED_SEEDS)) and not lottery.problems
        starts = [e.live.worlds.cells[0].copy() for e in lottery.entries]
        assert all(np.array_equal(starts[0], s) for s in starts)  # the same first variant for every agent
        assert all("measuring" in e.label(level) for e in lottery.entries)
        for e in lottery.entries:
            e.job.result(timeout=120)
        lottery.update(0.1)
        assert not lottery.measuring
        for e in lottery.entries:
            label = e.label(level)
            assert label.startswith(f"seed {e.seed}: goal ") and e.tally.total == 300
            goal = e.tally.outcomes["goal"]  # each share an estimate from 300 episodes: with its interval
            assert label.startswith(f"seed {e.seed}: goal {share_words(goal, 300)}"), label
    finally:
        lottery.close()


def test_an_edited_built_in_has_no_shipped_agents(shipped_agents):
    level = builtin_level("green_means_go")
    edited = level.model_copy(update={"episode_length": level.episode_length + 1})
    assert pretrained_agents(level) and not pretrained_agents(edited)


def test_the_lottery_opens_from_the_lab_with_l_and_esc_goes_back(app, shipped_agents, monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from game.scenes.lottery import LotteryScene
    from ui_helpers import frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("green_means_go")))
    assert app.scene.toolbar.buttons["lottery"].is_enabled
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_l, mod=0, unicode="l"))
    frames(app, 3)
    assert isinstance(app.scene, LotteryScene) and len(app.scene.lottery.entries) == SHIPPED_SEEDS
    frames(app, 10)  # they play and are drawn
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode=""))
    frames(app, 3)
    assert isinstance(app.scene, LabScene)
    app.switch(LabScene(app, builtin_level("template_grid")))
    assert not app.scene.toolbar.buttons["lottery"].is_enabled


def test_the_training_view_uses_a_shipped_agent_at_once_and_u_again_takes_another_seed(app, shipped_agents,
                                                                                        monkeypatch):
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import click, frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("green_means_go")))
    scene = app.scene
    assert scene.side.shipped.visible and scene.session.network is None
    click(app, scene.side.shipped)
    assert scene.session.network is not None and "seed0.agent" in scene.session.status
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_u, mod=0, unicode="u"))
    frames(app, 2)
    assert "seed1.agent" in scene.session.status and not scene.session.training.active
    scene.command("deployment")
    assert not scene.side.shipped.visible


def test_the_agents_keep_in_step_episode_by_episode(shipped_agents):
    level = builtin_level("green_means_go")
    lottery = SeedLottery.of(level, pretrained_agents(level))
    try:
        for _ in range(600):  # 600 frames at 1/30 s: several episodes each
            lottery.update(1 / 30)
            counts = [e.episodes for e in lottery.entries]
            assert max(counts) - min(counts) <= 1  # nobody runs ahead by more than the episode it waits after
        assert min(e.episodes for e in lottery.entries) >= 1
    finally:
        lottery.close()


def test_leaving_the_lottery_stops_its_measuring_at_once(shipped_agents):
    """A measurement still running when the screen is left would go on using a core for many seconds and slow
    whatever screen comes next."""
    from concurrent.futures import wait
    from agents.evaluation import Stopped
    level = builtin_level("the_diversity_fix")
    lottery = SeedLottery.of(level, pretrained_agents(level))
    jobs = [e.job for e in lottery.entries]
    deadline = time.monotonic() + 30
    while not (jobs[0].running() or jobs[0].done()) and time.monotonic() < deadline:
        time.sleep(0.01)  # the first measurement under way
    lottery.close()
    started = [job for job in jobs if not job.cancelled()]  # the one already running (the rest never start)
    assert started and not wait(started, timeout=30).not_done
    assert all(isinstance(job.exception(), Stopped) for job in started)  # stopped, not left to finish


def test_leaving_the_lab_stops_a_running_evaluation(shipped_agents):
    from concurrent.futures import wait
    from agents.evaluation import Stopped
    from game.session.lab import LabSession
    level = builtin_level("green_means_go")
    session = LabSession(level, prepare=False)
    session.load_agent(str(pretrained_agents(level)[0]))
    session.start_evaluation()
    job = session.evaluation.job
    deadline = time.monotonic() + 30
    while not (job.running() or job.done()) and time.monotonic() < deadline:
        time.sleep(0.01)
    session.close()
    assert not wait([job], timeout=30).not_done and isinstance(job.exception(), Stopped)
