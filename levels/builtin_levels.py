"""The built-in levels shipped in levels/builtin/, found both from source and from a frozen bundle."""
from __future__ import annotations

import functools
import os
from pathlib import Path

from levels.format import Level, load_level

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_path(name: str) -> Path:
    """`name` is the file stem, e.g. "coin_at_the_end"."""
    path = BUILTIN_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no built-in level {name!r}; built-ins: {', '.join(builtin_names())}")
    return path


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.json"))


@functools.lru_cache(maxsize=None)
def builtin_level(name: str) -> Level:
    return load_level(builtin_path(name))


def named_level(spec: str) -> Level:
    """What a person names on a command line: a level file's path, or a built-in's name ("coin_at_the_end"). A file
    that exists is read even when its name is also a built-in's."""
    if not os.path.exists(spec) and spec in builtin_names():
        return builtin_level(spec)
    return load_level(spec)


def published_cases() -> list[str]:
    """The built-ins that reproduce a published result (the templates do not): the reproduction table's rows, and
    the levels that ship pre-trained agents."""
    return [name for name in builtin_names() if builtin_level(name).reproduces]
