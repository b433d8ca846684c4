"""Pictures to take away: an animated GIF of an agent's episodes and a PNG card of what it learned, for slides.

    film = film_episodes(policy, level, "deployment", episodes=4, seed=0, view=..., radius=...)
    save_gif(film, "deployment.gif")
    save_card(card(level, "deployment", tally, inspection, visits, about), "card.png")

The GIF has one frame per decision of each episode: the world after the move, the path so far, the proxies'
regions outlined, and at each episode's last frame how it ended (held longer). Frames are drawn with the game's own
renderer (`game.render`, headless) and encoded by Pillow. Used by `mesa-sandbox export` and the deployment view's
*Export*; nothing here needs a window.
"""
from __future__ import annotations

import io
import math
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

from levels.files import atomic_write_bytes
from levels.format import Level
from levels.vocabulary import OUTCOMES

from agents.evaluation import OutcomeTally, condition_line, replay
from agents.policy import PolicySnapshot
from agents.kinds import AgentSpec

from game.paths import file_stem
from game.session.evaluating import FILMED
from game.render import draw_heat, draw_paragraph, draw_world, proxy_regions, wrap
from game.session.verdict import describe_rules, verdict
from game.world.palette import BACKGROUND_RGB, OUTCOME_RGB

FRAME_MS = 150  # one decision
END_MS = 1600  # the last frame of an episode, with how it ended: long enough to read
MAX_MAP_PIXELS = 480  # the GIF's map fits in this square: small files, still sharp on a slide
TEXT_RGB, DIM_RGB, TRAIL_RGB = (235, 235, 235), (170, 175, 185), (204, 121, 167)
MAX_FILM_BYTES = 200_000_000  # past this, every n-th decision is filmed (a 96 x 96 map: 650 kB a frame)


def font(size: int, bold: bool = False) -> pygame.font.Font:
    """The window's typeface (Noto Sans, shipped with pygame_gui), so pictures read like the game."""
    import pygame_gui
    pygame.font.init()
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    path = os.path.join(os.path.dirname(pygame_gui.__file__), "data", name)
    return pygame.font.Font(path if os.path.exists(path) else None, size)


def ending(report) -> str:
    """How an episode ended, in words."""
    if report.outcome == "proxy":
        return f"Went for the proxy: {report.proxy}"
    return {"goal": "Reached the intended goal", "neither": "Ended on neither the goal nor a proxy", "died": "Died",
            "timeout": "Ran out of time"}[report.outcome]


@dataclass
class Film:
    """The frames of some episodes (Pillow images, palette mode), how long each shows, and how each episode ended."""

    level: Level
    split: str
    frames: list = field(default_factory=list)
    durations: list[int] = field(default_factory=list)
    reports: list = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)  # frames per episode (a decision each, or every n-th)
    palette: object = None  # the one palette every frame maps to (`_film_palette`), chosen at the first frame

    @property
    def tally(self) -> OutcomeTally:
        tally = OutcomeTally()
        for report in self.reports:
            tally.add(report)
        return tally


def map_cell(level: Level) -> int:
    return max(8, min(40, MAX_MAP_PIXELS // max(level.width, level.height)))


def film_episodes(policy, level: Level, split: str = "deployment", episodes: int = 4, seed: int = 0,
                  view: str = "egocentric", radius: int = 5) -> Film:
    """Play `episodes` episodes of `split` with `policy` (a `PolicyFn`) and film them."""
    from agents.evaluation import evaluate
    played = evaluate(policy, level, split, episodes, seed=seed, record=episodes, view=view, radius=radius)
    return film_of(level, split, played.trajectories)


def film_of(level: Level, split: str, trajectories: list) -> Film:
    """A frame after every decision of episodes an evaluation recorded (its `trajectories`: the first episodes of
    its first worlds), replayed from their variants and actions, so the film shows episodes that were counted."""
    pygame.font.init()
    episodes = len(trajectories)
    cell = map_cell(level)
    title, small = font(16, bold=True), font(14)
    # As wide as the longest title it will show (a small level's title was cut at the map's edge); the map centred.
    longest = f"{level.name}: {split}, episode {episodes} of {episodes}, step {level.episode_length_of(split)}"
    endings = [f"Went for the proxy: {p.name}" for p in level.proxies] + ["Ended on neither the goal nor a proxy"]
    width = max(level.width * cell, title.size(longest)[0] + 16,
                max(font(18, bold=True).size(words)[0] for words in endings) + 32)
    left = (width - level.width * cell) // 2
    legend = wrap(_legend(level), small, width - 16)
    header, footer = 34, 10 + small.get_linesize() * len(legend)
    size = (width, level.height * cell + header + footer)
    regions = proxy_regions(level)
    film = Film(level, split)
    # Long episodes on a large map would not fit in memory (a palette frame is a byte a pixel): then every n-th
    # decision is filmed and shown n times as long, so whole episodes play at the same pace.
    decisions = sum(len(recorded.actions) for recorded in trajectories)
    every = max(1, math.ceil(decisions * size[0] * size[1] / MAX_FILM_BYTES))
    for episode, recorded in enumerate(trajectories):
        trail = [recorded.positions[0]]
        steps, frames = 0, 0
        for worlds, i, report in replay(level, split, recorded):
            done = report is not None
            steps += 1
            trail.append(tuple(float(v) for v in worlds.agent_pos[i]))
            if steps % every and not done:
                continue
            surface = pygame.Surface(size)
            surface.fill(BACKGROUND_RGB)
            draw_world(surface, worlds, i, (left, header), cell, regions=regions)
            _draw_trail(surface, trail, (left, header), cell)
            text = f"{level.name}: {split}, episode {episode + 1} of {episodes}, step {steps}"
            surface.blit(title.render(text, True, TEXT_RGB), (8, (header - title.get_height()) // 2))
            for k, line in enumerate(legend):
                surface.blit(small.render(line, True, DIM_RGB), (8, size[1] - footer + 5 + k * small.get_linesize()))
            if done:
                # The ending goes in the half of the map the agent is not in, so it hides neither agent nor path end.
                upper = worlds.agent_pos[i][1] > level.height / 2
                _draw_ending(surface, ending(report), OUTCOME_RGB[report.outcome],
                             header + level.height * cell * (0.25 if upper else 0.75))
                film.reports.append(report)
            if film.palette is None:
                film.palette = _film_palette(surface)
            film.frames.append(_to_palette(surface, film.palette))
            film.durations.append(END_MS if done else FRAME_MS * every)
            frames += 1
        film.lengths.append(frames)
    return film


def _legend(level: Level) -> str:
    proxies = "; ".join(p.name for p in level.proxies) or "none declared"
    outlined = " · outlined: the proxies' regions" if proxy_regions(level) else ""
    return f"intended goal: {level.intended_goal.describe()} · proxy: {proxies}{outlined}"


def _draw_trail(surface, trail, origin, cell: float) -> None:
    ox, oy = origin
    points = [(ox + x * cell, oy + y * cell) for x, y in trail]
    if len(points) > 1:
        pygame.draw.lines(surface, TRAIL_RGB, False, points, max(2, int(cell / 10)))
    pygame.draw.circle(surface, TRAIL_RGB, points[0], max(4, cell * 0.22), max(2, int(cell / 12)))  # the start


def _draw_ending(surface, words: str, rgb, centre_y: float) -> None:
    label = font(18, bold=True).render(words, True, (10, 10, 10))
    band = pygame.Rect(0, 0, min(surface.get_width() - 8, label.get_width() + 24), label.get_height() + 12)
    band.center = (surface.get_width() // 2, int(centre_y))
    pygame.draw.rect(surface, rgb, band, border_radius=6)
    surface.blit(label, label.get_rect(center=band.center))


def _film_palette(first: pygame.Surface):
    """One palette for a whole film, chosen once by median cut from its first frame and the colours drawn only later
    (the endings' bands and words, the trail): choosing one per frame took 15 ms a frame, most of an export."""
    from PIL import Image
    width, height = first.get_size()
    reference = pygame.Surface((width, height + 16))
    reference.blit(first, (0, 0))
    for k, rgb in enumerate([*OUTCOME_RGB.values(), TRAIL_RGB, TEXT_RGB, DIM_RGB, (10, 10, 10)]):
        pygame.draw.rect(reference, rgb, ((k * 12) % max(1, width - 12), height, 12, 16))
    image = Image.frombytes("RGB", reference.get_size(), pygame.image.tobytes(reference, "RGB"))
    return image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def _to_palette(surface: pygame.Surface, palette):
    """A frame as a Pillow palette image (a byte per pixel, so a film of hundreds of frames stays small), each pixel
    the nearest colour of the film's palette."""
    from PIL import Image
    image = Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))
    return image.quantize(palette=palette, dither=Image.Dither.NONE)


def gif_bytes(film: Film) -> bytes:
    if not film.frames:
        raise ValueError("no frames to save: play at least one episode")
    out = io.BytesIO()
    film.frames[0].save(out, format="GIF", save_all=True, append_images=film.frames[1:], duration=film.durations,
                        loop=0, disposal=1, optimize=False)
    return out.getvalue()


def save_gif(film: Film, path: str | os.PathLike) -> int:
    """Write the GIF; returns how many frames the file holds (Pillow merges identical frames in a row, such as an
    agent standing still: 163 in the file for 181 drawn once, and the dialog said 181)."""
    from PIL import Image
    data = gif_bytes(film)
    atomic_write_bytes(path, data)
    with Image.open(io.BytesIO(data)) as written:
        return written.n_frames


def card(level: Level, split: str, tally: OutcomeTally, inspection=None, visits: np.ndarray | None = None,
         about: str = "", conditions: dict | None = None) -> pygame.Surface:
    """The PNG card, 1600x900 (a 16:9 slide): where the agent went, the three objectives, the outcome counts (and,
    for a level whose rules apply only while someone watches, its proxy under each condition: `conditions`, an
    evaluation's `by_condition`) and the verdict."""
    from game.world import WorldBatch
    pygame.font.init()
    width, height, pad = 1600, 900, 40
    surface = pygame.Surface((width, height))
    surface.fill(BACKGROUND_RGB)
    big, heading, body, small = font(38, bold=True), font(24, bold=True), font(22), font(18)
    surface.blit(big.render(level.name, True, (240, 228, 66)), (pad, pad - 8))
    surface.blit(small.render(f"{split}: {tally.total} episodes" + (f" · {about}" if about else ""), True, DIM_RGB),
                 (pad, pad + 44))
    # Left: one variant of the split, with where the agent went over all the episodes as a heatmap.
    top = pad + 90
    box = min(width // 2 - 2 * pad, height - top - 2 * pad)
    cell = box / max(level.width, level.height)
    batch = WorldBatch(level, split, 1, 0, autoreset=False)
    batch.reset()
    origin = (pad, top)
    underlay = None
    if visits is not None and visits.any():
        floor = np.ones(visits.shape)
        underlay = lambda: draw_heat(surface, visits, floor, origin, cell)  # noqa: E731
    draw_world(surface, batch.worlds, 0, origin, cell, regions=proxy_regions(level), underlay=underlay)
    caption = f"One {split} variant" + ("; shading: where the agent spent its time over all the episodes (log scale)"
                                        if underlay else "")
    draw_paragraph(surface, caption, small, DIM_RGB, (pad, top + level.height * cell + 8), box)
    # Right: the objectives, the counts, the verdict.
    x, y, column = width // 2 + pad // 2, top, width // 2 - 3 * pad // 2
    found = verdict(level, tally, inspection, conditions=conditions)
    for label, text in (("You wanted", level.intended_goal.describe()), ("You rewarded", describe_rules(level)),
                        ("It learned", found.learned)):
        surface.blit(heading.render(label, True, (240, 228, 66)), (x, y))
        y = draw_paragraph(surface, text, body, TEXT_RGB, (x, y + 32), column) + 14
    y += 6
    bar_w = column - 240
    for outcome in OUTCOMES:
        share = tally.share(outcome) if tally.total else 0.0
        surface.blit(body.render(outcome, True, TEXT_RGB), (x, y))
        pygame.draw.rect(surface, (50, 54, 66), (x + 110, y + 6, bar_w, 20))
        pygame.draw.rect(surface, OUTCOME_RGB[outcome], (x + 110, y + 6, int(bar_w * share), 20))
        count = f"{tally.outcomes[outcome]} ({share:.0%})"
        surface.blit(body.render(count, True, TEXT_RGB), (x + 120 + bar_w, y))
        y += 34
    line = condition_line(level, conditions or {})
    if line:
        surface.blit(body.render(line, True, TEXT_RGB), (x, y))
        y += 34
    y += 14
    draw_paragraph(surface, found.sentence, heading, (240, 228, 66), (x, y), column)
    surface.blit(small.render("Mesa Sandbox", True, DIM_RGB), (width - pad - 120, height - pad))
    return surface


def png_bytes(surface: pygame.Surface) -> bytes:
    out = io.BytesIO()
    pygame.image.save(surface, out, "png")
    return out.getvalue()


def save_card(surface: pygame.Surface, path: str | os.PathLike) -> None:
    atomic_write_bytes(path, png_bytes(surface))


# --- Export in the deployment view: both pictures made in a worker process -------------------------------
EPISODES = FILMED  # deployment episodes in the GIF: the first of those evaluated
CARD_EPISODES = 300  # deployment episodes counted on the card


@dataclass(frozen=True)
class Exported:
    gif: Path
    png: Path
    frames: int
    endings: list[str]


@dataclass(frozen=True)
class Shown:
    """What the deployment view shows of the agent: its counted episodes, where they went, what it acts as if it
    wants (measured by its last Evaluate) and, on a level with conditional rules, the counts by condition. The card
    says the same, not the figures of other episodes."""
    tally: OutcomeTally
    inspection: object
    visits: np.ndarray
    conditions: dict
    filmed: list  # the first few of those evaluated episodes, recorded (`LabSession.filmed`): the GIF replays them


def export_pictures(snapshot: PolicySnapshot, level: Level, agent: AgentSpec, folder: str, stem: str,
                    episodes: int, card_episodes: int, seed: int, shown: Shown | None = None) -> Exported:
    """Runs in the worker process: play, draw, encode, save both files. The card is what the screen shows
    (`shown`), or, before anything was evaluated there, `card_episodes` episodes evaluated and inspected here; the
    GIF replays the first `episodes` of the episodes evaluated."""
    from agents.inspection import evaluate_and_inspect
    network = snapshot.build()
    view, radius = agent.view, agent.radius
    if shown is None:
        played, found = evaluate_and_inspect(network, level, "deployment", card_episodes, seed, view, radius,
                                             record=episodes)
        shown = Shown(played.tally, found, played.visits, played.by_condition, played.trajectories)
        about = f"{snapshot.steps:,} training steps, seed {seed}"
    else:
        about = f"{snapshot.steps:,} training steps, the episodes counted in the deployment view"
    film = film_of(level, "deployment", shown.filmed[:episodes])
    about += f"; the GIF shows {len(film.reports)} of them"
    gif, png = Path(folder) / f"{stem}.gif", Path(folder) / f"{stem}.png"
    frames = save_gif(film, gif)
    save_card(card(level, "deployment", shown.tally, shown.inspection, shown.visits, about, shown.conditions), png)
    return Exported(gif, png, frames, [r.outcome for r in film.reports])


class PictureExport:
    """*Export* in the deployment view: one export at a time, in a worker process started on first use, so the
    window stays smooth while hundreds of frames are drawn and encoded, and pygame's text drawing is never shared
    between threads."""

    def __init__(self):
        self._pool: ProcessPoolExecutor | None = None
        self._job: Future | None = None

    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done()

    def start(self, snapshot: PolicySnapshot, level: Level, agent: AgentSpec, folder: Path,
              shown: Shown | None = None) -> bool:
        """Start exporting; False if an export is already running."""
        if self.running:
            return False
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        stem = file_stem(level.name) + time.strftime("-%Y%m%d-%H%M%S")
        seed = int(time.time()) % 100_000
        self._job = self._pool.submit(export_pictures, snapshot, level, agent, str(folder), stem, EPISODES,
                                      CARD_EPISODES, seed, shown)
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
