"""Files on disk: one atomic writer for everything the game saves, and one bounded reader for what it opens.

Saves are atomic (write a temporary file beside the target, then rename), so a crash or a full disk never leaves
half a file, and they get the permissions the user's umask gives any new file, so a level saved to a shared
folder can be read by the class. A save killed halfway leaves its temporary file; the next save in that folder
removes it (a save in progress holds a lock on its own, so only the dead ones go). `output_problem` is the one
rule for where a command may write, checked before any work. Reading refuses what is not a regular file (a FIFO would block, /dev/zero
never ends) and never reads more than the caller's limit.
"""
from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; an interrupted save's file is known by its age alone
    fcntl = None

TEMP_SUFFIX = ".mesa-sandbox.tmp"  # names every temporary file a save makes, so that cleaning up takes only ours
STALE_SECONDS = 10.0 if fcntl else 3600.0  # a younger temporary file may be a save that has not locked it yet


class FileTooLarge(OSError):
    pass


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once (saves happen on the UI thread, one at a time).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _lock(f) -> None:
    if fcntl:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_interrupted_saves(folder: str | os.PathLike) -> list[str]:
    """Remove the temporary files that saves killed halfway left in `folder`; the names removed. Never raises."""
    removed = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".") and n.endswith(TEMP_SUFFIX)]
    except OSError:
        return removed
    for name in names:
        path = os.path.join(folder, name)
        try:
            found = os.lstat(path)
            if time.time() - found.st_mtime < STALE_SECONDS or not stat.S_ISREG(found.st_mode):
                continue
            with open(path, "rb") as f:
                _lock(f)  # held by a save still writing: OSError, and the file stays
                os.unlink(path)
            removed.append(name)
        except OSError:
            continue
    return removed


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_interrupted_saves(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            _lock(f)  # until the rename: another save's clean-up must not take this file for an interrupted one
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a saved file is shared like any other
            if fcntl:  # POSIX renames an open file; Windows cannot, and has no lock to keep
                os.replace(tmp, path)
        if not fcntl:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def output_problem(path: str | os.PathLike) -> str | None:
    """Why a command may not write its output to `path`, in words; None when it may. The rule for every output:
    not a folder, a device, a pipe or a symbolic link (a save replaces the file, which would silently turn any of
    those into an ordinary file), in a folder that exists and can be written in (tried, not guessed from the
    permissions: root, read-only disks and network folders all differ)."""
    text = os.fspath(path)
    if not text:
        return "the output path is empty"
    if os.path.islink(text):
        return (f"{text} is a symbolic link (to {os.readlink(text)}); saving would replace the link, not its target: "
                "name the file itself")
    if os.path.isdir(text):
        return f"{text} is a folder; give a file name"
    if os.path.exists(text) and not stat.S_ISREG(os.stat(text).st_mode):
        return f"{text} is not an ordinary file (a device, pipe or socket); saving would replace it: name a file"
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        return f"the folder {folder} does not exist"
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=TEMP_SUFFIX, dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"cannot write in the folder {folder} ({exc.strerror or exc})"
    return None


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
