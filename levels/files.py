"""Files on disk: one atomic writer for everything the game saves, and one bounded reader for what it opens.

Saves are atomic (write a temporary file beside the target, then rename), so a crash or a full disk never leaves
half a file, and they get the permissions the user's umask gives any new file, so a level saved to a shared
folder can be read by the class. Reading refuses what is not a regular file (a FIFO would block, /dev/zero
never ends) and never reads more than the caller's limit.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class FileTooLarge(OSError):
    pass


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once (saves happen on the UI thread, one at a time).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a saved file is shared like any other
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Raises OSError (FileTooLarge over the limit)."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "it is a folder, not a file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise OSError(22, "it is not an ordinary file (a device, pipe or socket)", str(path))
    if st.st_size > limit:
        raise FileTooLarge(27, f"the file is {st.st_size:,} bytes, over the {limit:,} limit", str(path))
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew while we looked
        raise FileTooLarge(27, f"the file is over the {limit:,} limit", str(path))
    return data
