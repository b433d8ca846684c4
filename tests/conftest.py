import os

# Every test runs headless: pygame draws into memory, never to a screen or a sound card.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


import pygame  # noqa: E402
import pytest  # noqa: E402


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook, which marks each grouped test's id with its group
def pytest_collection_modifyitems(config, items):
    """The tests marked `xdist_group` must share a worker (the Ray tests share one Ray instance): pytest 9.2 made
    pytest-xdist 3.8's `--dist loadgroup` spread them like any other test without a word (pytest-xdist issue
    1386), and every worker started a Ray instance of its own: about 20 s more of the suite on 2 cores. A warning
    in the summary (a worker's error would reach the screen without its words)."""
    import warnings
    if not getattr(config.option, "loadgroup", False):  # not a pytest-xdist worker distributing by group
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        warnings.warn(pytest.PytestWarning(
            f"pytest-xdist's --dist loadgroup does not group {len(lost)} tests with pytest {pytest.__version__} "
            f"(pytest-xdist issue 1386), {lost[0]} among them: install the versions pyproject.toml's test extra "
            f"asks for."))


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MESA_SANDBOX_DATA", str(tmp_path / "data"))
    from game.app import App
    application = App((1280, 800))
    yield application
    if application.scene is not None:
        application.scene.leave()
    pygame.quit()


SHIPPED_SEEDS = 6


@pytest.fixture(scope="session")
def shipped_agent_files(tmp_path_factory):
    """Untrained stand-ins for the agents shipped with the game, for the lessons' levels (every seed of the reactive
    network, and the other kinds the lessons ask for): loading is what is tested. Made once per worker (half a
    second, which some forty tests paid each); no test writes into the folder."""
    from agents.agent_file import AgentFile, save_agent
    from agents.kinds import shipped_stem
    from agents.ppo import PPO
    from agents.training import TrainingSettings
    import game.pretrained as pretrained
    from game.paths import asset
    from game.session.lesson import lessons_in
    root = tmp_path_factory.mktemp("shipped") / "agents"
    wanted = set()
    for lesson in lessons_in(asset("lessons")):
        name = pretrained.builtin_name(lesson.level)
        wanted |= {(name, "reactive", "ppo", seed) for seed in range(SHIPPED_SEEDS)}
        wanted |= {(name, s.kind, s.optimizer, s.seed) for s in lesson.lesson.steps if s.do == "agent"}
    for name, kind, optimizer, seed in sorted(wanted):
        level = pretrained.builtin_level(name)
        settings = TrainingSettings.of(kind, optimizer, seed, num_envs=4, num_steps=8)
        learner = PPO(level, settings.ppo, settings.agent, seed)  # untrained, whatever optimizer it names
        (root / name).mkdir(parents=True, exist_ok=True)
        save_agent(root / name / f"{shipped_stem(kind, optimizer, seed)}.agent",
                   AgentFile(learner.policy, level, learner.obs_spec, settings), half=True)
    return root


@pytest.fixture
def shipped_agents(shipped_agent_files, monkeypatch):
    """The game finds its shipped agents among the stand-ins."""
    import game.pretrained as pretrained
    monkeypatch.setattr(pretrained, "agents_root", lambda: shipped_agent_files)
