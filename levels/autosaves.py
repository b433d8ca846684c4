"""Unsaved work kept on disk: one slot per document, so that one level's autosave never overwrites another's.

A document opened from a file has the slot of that file (the same file, the same slot, whichever editor opens it);
a new level, or a built-in opened in the editor, gets a slot of its own when the editor opens it. A slot holds the
document as it was edited (`level`), what it started from (`base`: the file as saved, or the template), and the
file it belongs to (`path`). Restoring puts the base back under the edits, so the restore is one undo step and the
document is unsaved until it is saved.

Slots are data read back after a crash: a damaged one is reported (`damaged`), never trusted.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from levels.document import unfit_to_edit
from levels.files import atomic_write_text, read_bounded

FORMAT_NAME = "mesa-sandbox-autosave"
MAX_AUTOSAVE_BYTES = 4_000_000  # two documents of a level; a level file is capped at 1 MB


@dataclass(frozen=True)
class Autosave:
    slot: str
    path: str | None  # the level file the work belongs to; None for a new level
    level: dict  # the document as it was last edited
    base: dict | None  # what the edits started from (the file as saved, or the template); None if unknown
    saved_at: float  # seconds since the epoch

    @property
    def name(self) -> str:
        name = self.level.get("name")
        return name if isinstance(name, str) and name.strip() else "a level without a name"


def slot_for(path: str | os.PathLike | None) -> str:
    """The slot of a level file (the same for every way of writing its path), or a new slot for a new level."""
    if path is None:
        return "new-" + uuid.uuid4().hex[:12]
    return "file-" + hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


class Autosaves:
    """The slots in a folder (the user's data folder's `autosaves`)."""

    def __init__(self, folder: Path, legacy: Path | None = None):
        self.folder = folder
        self.legacy = legacy  # the single autosave.json of earlier versions, taken in as a slot of its own

    def _file(self, slot: str) -> Path:
        return self.folder / f"{slot}.json"

    def write(self, slot: str, path: str | None, level: dict, base: dict | None) -> None:
        """Keep this document's unsaved work (atomic; an OSError if the disk refuses)."""
        record = {"format": FORMAT_NAME, "path": path, "level": level, "base": base, "saved_at": time.time()}
        atomic_write_text(self._file(slot), json.dumps(record))

    def drop(self, slot: str) -> None:
        try:
            self._file(slot).unlink(missing_ok=True)
        except OSError:
            pass  # a read-only folder keeps it; it is offered back, never lost

    def read(self, slot: str) -> Autosave:
        """One slot; ValueError (in words) if it is damaged or is not an autosave."""
        try:
            data = json.loads(read_bounded(self._file(slot), MAX_AUTOSAVE_BYTES).decode("utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot be read ({exc.strerror or exc})") from None
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ValueError("is not readable JSON (the file is damaged)") from None
        if not isinstance(data, dict) or not isinstance(data.get("level"), dict):
            raise ValueError("holds no level (the file is damaged)")
        unfit = unfit_to_edit(data["level"])
        if unfit:
            raise ValueError(f"{unfit} (the file is damaged)")
        path = data.get("path")
        base = data.get("base")
        saved_at = data.get("saved_at")
        return Autosave(slot, path if isinstance(path, str) and path else None, data["level"],
                        base if isinstance(base, dict) and not unfit_to_edit(base) else None,
                        float(saved_at) if isinstance(saved_at, (int, float)) and saved_at == saved_at else 0.0)

    def slots(self) -> list[str]:
        """Every slot on disk, newest first (an old single autosave taken in first)."""
        self._take_in_legacy()
        def when(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:  # gone since it was listed (another window saved its level)
                return 0.0
        try:
            files = [p for p in self.folder.glob("*.json") if p.is_file()]
        except OSError:
            return []
        files.sort(key=when, reverse=True)
        return [p.stem for p in files]

    def _take_in_legacy(self) -> None:
        if self.legacy is None or not self.legacy.is_file():
            return
        try:
            old = json.loads(read_bounded(self.legacy, MAX_AUTOSAVE_BYTES).decode("utf-8"))
            path = old.get("path") if isinstance(old, dict) else None
            slot = slot_for(path if isinstance(path, str) and path else None)
            self.folder.mkdir(parents=True, exist_ok=True)
            os.replace(self.legacy, self._file(slot))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            try:  # damaged: still offered (and reported) as a slot of its own rather than dropped unseen
                self.folder.mkdir(parents=True, exist_ok=True)
                os.replace(self.legacy, self._file("new-damaged"))
            except OSError:
                pass
