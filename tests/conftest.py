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
