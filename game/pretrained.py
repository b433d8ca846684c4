"""The agents shipped with the game (assets/agents, made by `python -m agents.dev.pretrain`): several seeds of every
built-in level, ready at once for lessons, the seed lottery and the training view. Nothing here imports pygame."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from levels import builtin_level, builtin_names
from levels.format import Level

from agents.kinds import GRADIENT_DESCENT, REACTIVE, shipped_made, shipped_stem

from game.paths import asset


@functools.lru_cache(maxsize=None)
def _builtin_fingerprints() -> dict[str, str]:
    return {builtin_level(name).fingerprint(): name for name in builtin_names()}


def builtin_name(level: Level) -> str | None:
    """The built-in this level is, unchanged; None for any other level (an edited built-in included)."""
    return _builtin_fingerprints().get(level.fingerprint())


def agents_root() -> Path:
    return asset("agents")


def pretrained_agents(level: Level, kind: str = REACTIVE, optimizer: str = GRADIENT_DESCENT) -> dict[int, Path]:
    """seed -> agent file, for the agents of `kind` pre-trained by `optimizer` on exactly this level."""
    name = builtin_name(level)
    if name is None:
        return {}
    found = {}
    for path in sorted((agents_root() / name).glob("*.agent")):
        seed = path.stem.rpartition("seed")[2]
        if seed.isdigit() and path.stem == shipped_stem(kind, optimizer, int(seed)):
            found[int(seed)] = path
    return found


def measured(kind: str = REACTIVE, optimizer: str = GRADIENT_DESCENT) -> list[dict]:
    """What `agents.dev.pretrain` measured of each shipped agent of `kind` trained by `optimizer`
    (assets/agents/index.json); [] without the index."""
    try:
        agents = json.loads((agents_root() / "index.json").read_text(encoding="utf-8"))["agents"]
    except (OSError, ValueError, KeyError):
        return []
    return [a for a in agents if shipped_made(a) == (kind, optimizer)]


def missing_lesson_agents(lesson) -> list[str]:
    """The shipped agents a lesson (`game.session.lesson.LessonFile`) asks for that are not here, in words."""
    return lesson.missing_agents(lambda kind, optimizer: set(pretrained_agents(lesson.level, kind, optimizer)))
