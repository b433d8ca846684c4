import os

# Every test runs headless: pygame draws into memory, never to a screen or a sound card.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


import pygame  # noqa: E402
import pytest  # noqa: E402


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


@pytest.fixture
def shipped_agents(tmp_path, monkeypatch):
    """Untrained stand-ins for the agents shipped with the game, for the lessons' levels: loading is what is tested."""
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig, PPO
    import game.pretrained as pretrained
    from levels import builtin_level
    for name in ("coin_at_the_end", "cheese_in_the_corner", "green_means_go", "the_diversity_fix", "follow_the_leader"):
        level = builtin_level(name)
        for seed in range(SHIPPED_SEEDS):
            learner = PPO(level, PPOConfig(seed=seed, num_envs=4, num_steps=8))
            (tmp_path / "agents" / name).mkdir(parents=True, exist_ok=True)
            save_agent(tmp_path / "agents" / name / f"seed{seed}.agent",
                       AgentFile(learner.policy, level, learner.obs_spec, learner.config), half=True)
    monkeypatch.setattr(pretrained, "agents_root", lambda: tmp_path / "agents")
