"""Export from the deployment view: the agent's episodes as an animated GIF and what it learned as a PNG card
(`game.export`), made in a worker process so the window stays smooth while hundreds of frames are drawn and
encoded, and so pygame's text drawing is never shared between threads. Nothing here imports pygame."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from levels.format import Level

from agents.policy import PolicySnapshot
from agents.ppo import PPOConfig

EPISODES = 4  # deployment episodes in the GIF
CARD_EPISODES = 300  # deployment episodes counted on the card


@dataclass(frozen=True)
class Exported:
    gif: Path
    png: Path
    frames: int
    endings: list[str]


def export_pictures(snapshot: PolicySnapshot, level: Level, config: PPOConfig, folder: str, stem: str,
                    episodes: int, card_episodes: int, seed: int) -> Exported:
    """Runs in the worker process: play, draw, encode, save both files."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from agents.evaluation import evaluate
    from agents.inspection import inspect
    from agents.policy import TorchPolicy
    from game.export import card, film_episodes, save_card, save_gif
    network = snapshot.build()
    view, radius = config.view, config.radius
    film = film_episodes(TorchPolicy(network, seed=seed), level, "deployment", episodes, seed, view, radius)
    gif, png = Path(folder) / f"{stem}.gif", Path(folder) / f"{stem}.png"
    save_gif(film, gif)
    played = evaluate(TorchPolicy(network, seed=seed), level, "deployment", card_episodes, seed=seed, view=view,
                      radius=radius, record=0)
    found = inspect(TorchPolicy(network, seed=seed), level, "deployment", card_episodes, seed=seed, view=view,
                    radius=radius)
    about = f"{snapshot.steps:,} training steps, seed {seed}"
    save_card(card(level, "deployment", played.tally, found, played.visits, about), png)
    return Exported(gif, png, len(film.frames), [r.outcome for r in film.reports])


class PictureExport:
    """One export at a time, in a worker process started on first use."""

    def __init__(self):
        self._pool: ProcessPoolExecutor | None = None
        self._job: Future | None = None

    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done()

    def start(self, snapshot: PolicySnapshot, level: Level, config: PPOConfig, folder: Path) -> bool:
        """Start exporting; False if an export is already running."""
        if self.running:
            return False
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        stem = "".join(c if c.isalnum() else "_" for c in level.name.lower()) + time.strftime("-%Y%m%d-%H%M%S")
        seed = int(time.time()) % 100_000
        self._job = self._pool.submit(export_pictures, snapshot, level, config, str(folder), stem, EPISODES,
                                      CARD_EPISODES, seed)
        return True

    def poll(self) -> Exported | Exception | None:
        """The finished export (or what went wrong) once, then None until the next one finishes."""
        if self._job is None or not self._job.done():
            return None
        job, self._job = self._job, None
        try:
            return job.result()
        except Exception as exc:  # a failed export (or a worker that died) is a message, never a crash
            return exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
