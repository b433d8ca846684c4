"""The `mesa-sandbox` command: with no arguments it opens the game; subcommands work headless.

    mesa-sandbox                                   start the game
    mesa-sandbox level validate FILE...            exit 0, or 2 with every problem on stderr
    mesa-sandbox level render FILE -o OUT.png [--split training|deployment] [--seed N]
    mesa-sandbox level code FILE                   print the level code
    mesa-sandbox level from-code CODE -o FILE      write a level file from a level code

FILE may also name a built-in level ("coin_at_the_end").
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


def _load(spec: str):
    from levels import builtin_level, builtin_names, load_level
    if not os.path.exists(spec) and spec in builtin_names():
        return builtin_level(spec)
    return load_level(spec)


def cmd_level_validate(args) -> int:
    from levels import LevelError
    status = EXIT_OK
    for path in args.files:
        try:
            level = _load(path)
        except LevelError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{path}: ok ({level.name}, {level.world}, {level.width}x{level.height}, "
                  f"{len(level.entities)} entities)")
    return status


def cmd_level_render(args) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from game.render import render_variant_png
    render_variant_png(_load(args.file), args.split, args.seed, args.output, args.cell)
    print(f"wrote {args.output}")
    return EXIT_OK


def cmd_level_code(args) -> int:
    from levels import level_to_code
    print(level_to_code(_load(args.file)))
    return EXIT_OK


def cmd_level_from_code(args) -> int:
    from levels import level_from_code, save_level
    code = sys.stdin.read() if args.code == "-" else args.code
    level = level_from_code(code)
    save_level(level, args.output)
    print(f"wrote {args.output} ({level.name})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesa-sandbox", description="Watch goal misgeneralization happen.")
    sub = parser.add_subparsers(dest="command")

    level = sub.add_parser("level", help="check, draw and share level files").add_subparsers(dest="level_command",
                                                                                           required=True)
    p = level.add_parser("validate", help="check level files; exit 2 with the problems if any is invalid")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_level_validate)
    p = level.add_parser("render", help="draw a sampled variant of a level to a PNG (headless)")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--split", choices=["training", "deployment"], default="training")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cell", type=int, default=32, help="pixels per cell")
    p.set_defaults(func=cmd_level_render)
    p = level.add_parser("code", help="print the level as a compact level code")
    p.add_argument("file")
    p.set_defaults(func=cmd_level_code)
    p = level.add_parser("from-code", help="write a level file from a level code ('-' reads stdin)")
    p.add_argument("code")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_level_from_code)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from game.app import run
        return run()
    from levels import LevelError
    try:
        return args.func(args)
    except LevelError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"mesa-sandbox: {exc}", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
