"""The agents shipped with the game (assets/agents, made by `python -m agents.pretrain`): several seeds of every
built-in level, ready at once for lessons, the seed lottery and the training view. Nothing here imports pygame."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from levels import builtin_level, builtin_names
from levels.format import Level

from game.paths import asset


@functools.lru_cache(maxsize=None)
def _builtin_fingerprints() -> dict[str, str]:
    return {builtin_level(name).fingerprint(): name for name in builtin_names()}


def builtin_name(level: Level) -> str | None:
    """The built-in this level is, unchanged; None for any other level (an edited built-in included)."""
    return _builtin_fingerprints().get(level.fingerprint())


def agents_root() -> Path:
    return asset("agents")


def pretrained_agents(level: Level) -> dict[int, Path]:
    """seed -> agent file, for the agents pre-trained on exactly this level."""
    name = builtin_name(level)
    if name is None:
        return {}
    folder = agents_root() / name
    found = {}
    for path in sorted(folder.glob("seed*.agent")):
        seed = path.stem.removeprefix("seed")
        if seed.isdigit():
            found[int(seed)] = path
    return found


def measured() -> list[dict]:
    """What `agents.pretrain` measured of each shipped agent (assets/agents/index.json); [] without the index."""
    try:
        return json.loads((agents_root() / "index.json").read_text(encoding="utf-8"))["agents"]
    except (OSError, ValueError, KeyError):
        return []
