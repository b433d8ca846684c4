"""Where things live: bundled resources (from source or a frozen bundle) and the user's data folder.

Saves, autosaves, recent files and settings go in the user's data folder, never inside the install or the bundle.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "mesa-sandbox"


def resource_root() -> Path:
    """The folder holding assets/ and levels/: the project from source, the unpacked bundle when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parent.parent


def asset(*parts: str) -> Path:
    return resource_root().joinpath("assets", *parts)


def user_data_dir() -> Path:
    """The user's data folder for the game (platformdirs knows each platform's place); MESA_SANDBOX_DATA moves it."""
    override = os.environ.get("MESA_SANDBOX_DATA")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def file_stem(name: str) -> str:
    """A level's name as the start of a file name: "Green means go" -> "green_means_go"."""
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def levels_dir() -> Path:
    """Where the player's levels are saved and where Open starts: made on first use."""
    folder = user_data_dir() / "levels"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def agents_dir() -> Path:
    folder = user_data_dir() / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pictures_dir() -> Path:
    """Where exported pictures go: the user's Pictures folder (made on first use), or the data folder when
    MESA_SANDBOX_DATA moves everything (tests, a classroom machine)."""
    if os.environ.get("MESA_SANDBOX_DATA"):
        folder = user_data_dir() / "pictures"
    else:
        folder = Path(platformdirs.user_pictures_dir()) / "Mesa Sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def lessons_progress_path() -> Path:
    """Where each lesson was left, to resume it."""
    return user_data_dir() / "lessons.json"


def autosave_path() -> Path:
    """Where earlier versions kept the editor's one autosave (taken in as a slot by `autosaves`)."""
    return user_data_dir() / "autosave.json"


def autosaves():
    """Where the editor keeps unsaved work, a slot per document, offered back by the home screen."""
    from levels.autosaves import Autosaves
    return Autosaves(user_data_dir() / "autosaves", legacy=autosave_path())


class RecentFiles:
    """The last few level files opened, kept in the user's data folder."""

    def __init__(self, limit: int = 8):
        self.path = user_data_dir() / "recent.json"
        self.limit = limit

    def load(self) -> list[str]:
        try:
            items = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [p for p in items if isinstance(p, str) and os.path.isfile(p)][:self.limit] if isinstance(items, list) else []

    def add(self, path: str | os.PathLike) -> None:
        from levels.files import atomic_write_text
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.load() if p != path]
        try:
            atomic_write_text(self.path, json.dumps(items[:self.limit], indent=1))
        except OSError:
            pass  # a read-only home must not stop the game
