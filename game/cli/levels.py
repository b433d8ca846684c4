"""`mesa-sandbox level ...`: check a level file, draw one of its variants, turn it into a level code and back."""
from __future__ import annotations

import os
import sys

from levels import named_level
from levels.words import counted

from game.cli.arguments import EXIT_BAD_INPUT, EXIT_OK


def cmd_level_validate(args) -> int:
    from levels import LevelError
    from levels.warnings import level_warnings
    status = EXIT_OK
    for path in args.files:
        try:
            level = named_level(path)
        except LevelError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{path}: ok ({level.name}, {level.world}, {level.width}x{level.height}, "
                  f"{counted(len(level.entities), 'entity', 'entities')})")
            for warning in level_warnings(level):
                print(f"{path}: warning: {warning}", file=sys.stderr)
    return status


def cmd_level_render(args) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from game.render import render_variant_png
    render_variant_png(named_level(args.file), args.split, args.seed, args.output, args.cell)
    print(f"wrote {args.output}")
    return EXIT_OK


def cmd_level_code(args) -> int:
    from levels import level_to_code
    print(level_to_code(named_level(args.file)))
    return EXIT_OK


def _read_stdin_code() -> str:
    """A level code from standard input, read no further than the longest code there can be (`yes MSL1AAAA |`
    once grew until memory ran out)."""
    from levels.code import MAX_CODE_CHARS
    from levels.format import LevelError, Problem
    text = sys.stdin.read(MAX_CODE_CHARS * 2 + 1)  # room for the line breaks a chat puts into a long code
    if len(text) > MAX_CODE_CHARS * 2:
        raise LevelError("standard input", [Problem("", f"more than {MAX_CODE_CHARS * 2:,} characters came in, "
                                                        "longer than any level code", "pipe in one level code")])
    return text


def cmd_level_from_code(args) -> int:
    from levels import level_from_code, save_level
    code = _read_stdin_code() if args.code == "-" else args.code
    level = level_from_code(code)
    save_level(level, args.output)
    print(f"wrote {args.output} ({level.name})")
    return EXIT_OK
