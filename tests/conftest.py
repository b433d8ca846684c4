import os

# Every test runs headless: pygame draws into memory, never to a screen or a sound card.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
