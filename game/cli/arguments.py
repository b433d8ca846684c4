"""What a command line may say: argument types that refuse a bad value with one sentence (argparse adds which
argument it was), and the rule that an output is never one of the command's inputs or another output."""
from __future__ import annotations

import argparse
import os

from levels.files import output_problem

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2  # what every command answers: done, did not succeed, refused its input


def whole(lo: int, hi: int = 10**9):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo:,} to {hi:,}, not {value:,}")
        return value
    return parse


def number(lo: float, hi: float, low_open: bool = False):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
        if value != value or not (lo < value if low_open else lo <= value) or not value <= hi:
            raise argparse.ArgumentTypeError(f"must be {'over' if low_open else 'at least'} {lo:g} and at most "
                                             f"{hi:g}, not {text}")
        return value
    return parse


def output_file(text: str) -> str:
    """A file a command may write (`levels.files.output_problem`: the rule for every output)."""
    problem = output_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


OUTPUTS = ("output", "gif", "png", "trace")  # the arguments that name files a command writes...
INPUTS = {"level": "level", "agent": "agent file", "name": "lesson", "file": "level", "files": "level"}  # ...read


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist yet: the same path, once links and ".." are resolved
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def output_clash(args: argparse.Namespace) -> str | None:
    """An output that is one of the command's inputs, or two outputs that are one file, in words; else None.
    Checked before any work: `train my.json -o my.json` must not replace the level with the agent at the end."""
    outputs = [(name, getattr(args, name)) for name in OUTPUTS if getattr(args, name, None)]
    inputs = []
    for name in INPUTS:
        value = getattr(args, name, None)
        inputs += [(INPUTS[name], v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
    for k, (name, path) in enumerate(outputs):
        for source_name, source in inputs:
            if _same_file(path, source):
                return (f"--{name} {path} is also the {source_name} this command reads; writing it would destroy "
                        "it: name another file")
        for other_name, other in outputs[:k]:
            if _same_file(path, other):
                return f"--{other_name} and --{name} name the same file ({path}): one would overwrite the other"
    return None


def shares(text: str) -> list[float]:
    share = number(0.0, 1.0)
    try:
        return [share(x) for x in text.split(",")]
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"each share {exc}") from None


SEED = whole(0, 2**31 - 1)
TARGET = number(0.0, 1.0, low_open=True)


def ray_address(text: str) -> str:
    """A Ray address as people write them: "auto", "HOST:PORT" or "ray://HOST:PORT"."""
    if text in ("", "auto", "local"):
        return text
    body = text.removeprefix("ray://")
    host, _, port = body.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c.isspace() for c in host):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Ray address: use HOST:PORT, ray://HOST:PORT or auto")
    return text
