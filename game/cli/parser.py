"""The command line: the parser of every command, and `main`, which runs the one asked for and turns whatever goes
wrong into one line and an exit code (never a traceback)."""
from __future__ import annotations

import argparse
import os
import sys

from agents.kinds import AGENT_KINDS, GRADIENT_DESCENT, OPTIMIZERS

from game.cli.arguments import (EXIT_BAD_INPUT, EXIT_FAIL, SEED, TARGET, number, output_clash, output_file,
                                ray_address, shares, whole)
from game.cli.levels import cmd_level_code, cmd_level_from_code, cmd_level_render, cmd_level_validate
from game.cli.playing import cmd_evaluate, cmd_inspect
from game.cli.steer import cell
from game.cli.training import DEFAULT_TRAIN_SECONDS, cmd_experiment, cmd_train


class Parser(argparse.ArgumentParser):
    """Usage errors as one line that says what to do, exit 2 (argparse's default prints the whole usage)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def cmd_steer(args) -> int:
    from game.cli.steer import steer
    return steer(args)


def cmd_export(args) -> int:
    from game.cli.classroom import export
    return export(args)


def cmd_lesson(args) -> int:
    from game.cli.classroom import lesson
    return lesson(args)


def agent_command(sub, name: str, help_text: str, func, episodes, default_episodes: int, json: bool = True):
    """A command that plays an agent file on a split of a level (evaluate, inspect, export)."""
    p = sub.add_parser(name, help=help_text)
    p.add_argument("agent")
    p.add_argument("--level", help="level to play (default: the level the agent was trained on)")
    p.add_argument("--split", choices=["training", "deployment"], default="deployment")
    p.add_argument("--episodes", type=episodes, default=default_episodes)
    p.add_argument("--seed", type=SEED, default=0)
    if json:
        p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="mesa-sandbox", description="Watch goal misgeneralization happen.")
    parser.add_argument("--self-test", action="store_true", help="check this install works (headless), then exit")
    parser.add_argument("--projector", action="store_true",
                        help="start in projector mode: larger text, higher contrast (F10 switches)")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    level = sub.add_parser("level", help="check, draw and share level files").add_subparsers(
        dest="level_command", required=True, parser_class=Parser)
    p = level.add_parser("validate", help="check level files; exit 2 with the problems if any is invalid")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_level_validate)
    p = level.add_parser("render", help="draw a sampled variant of a level to a PNG (headless)")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True, type=output_file)
    p.add_argument("--split", choices=["training", "deployment"], default="training")
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--cell", type=whole(4, 128), default=32, help="pixels per cell (4-128)")
    p.set_defaults(func=cmd_level_render)
    p = level.add_parser("code", help="print the level as a compact level code")
    p.add_argument("file")
    p.set_defaults(func=cmd_level_code)
    p = level.add_parser("from-code", help="write a level file from a level code ('-' reads stdin)")
    p.add_argument("code")
    p.add_argument("-o", "--output", required=True, type=output_file)
    p.set_defaults(func=cmd_level_from_code)

    p = sub.add_parser("train", help="train an agent on a level's training distribution (headless)")
    p.add_argument("level")
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--target", type=TARGET, default=0.95, help="training success to stop at, in (0, 1] (default 0.95)")
    p.add_argument("--max-seconds", type=number(0.0, 7 * 86400.0, low_open=True), default=DEFAULT_TRAIN_SECONDS,
                   help=f"training time budget (default {DEFAULT_TRAIN_SECONDS:g})")
    p.add_argument("--max-steps", type=whole(1, 10**12), default=None, help="env step budget (default: none)")
    p.add_argument("--agent", choices=list(AGENT_KINDS), default="reactive",
                   help="the network: a reactive MLP (default), a convolutional network whose layers are maps of "
                        "the level (grid levels; it can be steered), or a planner whose reward map can be read")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=GRADIENT_DESCENT,
                   help="the base optimizer: gradient descent (PPO, default) or evolution (an evolution strategy)")
    p.add_argument("-o", "--output", required=True, type=output_file, help="agent file to write (.agent)")
    p.set_defaults(func=cmd_train)
    p = agent_command(sub, "evaluate", "play an agent for many episodes and count the outcomes", cmd_evaluate,
                      whole(1, 1_000_000), 1000)
    p = agent_command(sub, "inspect", "find what an agent acts as if it wants, from its behaviour", cmd_inspect,
                      whole(10, 100_000), 500)
    p.add_argument("--top", type=whole(1, 100), default=10, help="candidates listed (default 10)")
    p = sub.add_parser("steer", help="add an activation difference to an agent's layer (or clamp one channel at a "
                                     "cell) and measure what changes, on the same deployment episodes")
    p.add_argument("agent")
    p.add_argument("--level", help="level to play (default: the level the agent was trained on)")
    p.add_argument("--contrast", choices=["goal", "split", "proxy"], default="goal",
                   help="the two observations whose activations are subtracted: the intended goal there vs removed "
                        "(default), the level at training vs deployment, the proxy's things there vs removed")
    p.add_argument("--layer", type=whole(1, 10), default=None, help="which steerable layer, from 1 (default: middle)")
    p.add_argument("--coef", type=number(-5.0, 5.0), default=-1.0, help="coefficient, -5 to 5 (default -1)")
    p.add_argument("--random", action="store_true", help="the control: a random vector of the same norm")
    p.add_argument("--each", action="store_true",
                   help="each episode's own vector, from its own variant (as Turner et al. subtracted each maze's), "
                        "instead of one variant's for all")
    p.add_argument("--retarget", type=cell, metavar="X,Y", help="clamp a goal-tracking channel at this cell instead")
    p.add_argument("--track", choices=["goal", "proxy"], default="goal",
                   help="with --retarget: channels that track the intended goal (default) or the proxy's thing")
    p.add_argument("--channel", type=whole(0, 4096), default=None,
                   help="with --retarget: the channel (default: the one that tracks it best)")
    p.add_argument("--value", type=number(-1e3, 1e3), default=None,
                   help="with --retarget: the clamped value (default: 20 x the channel's usual value on it)")
    p.add_argument("--episodes", type=whole(10, 2000), default=300)
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_steer)
    p = agent_command(sub, "export", "draw an agent's episodes as an animated GIF, and what it learned as a PNG card",
                      cmd_export, whole(1, 50), 4, json=False)
    p.add_argument("--gif", type=output_file, help="animated GIF to write: a frame per decision of each episode")
    p.add_argument("--png", type=output_file, help="PNG card to write: the three objectives, outcomes and verdict")
    p.add_argument("--card-episodes", type=whole(30, 100_000), default=300,
                   help="episodes played for the card's counts and verdict (default 300)")
    p = sub.add_parser("lesson", help="list the lessons, or open one in the game (--autoplay: a kiosk)")
    p.add_argument("name", nargs="?", help="a lesson's name (see --list), or a lesson file")
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    p.add_argument("--autoplay", action="store_true", help="move on by itself, and start again at the end")
    p.add_argument("--once", action="store_true", help="with --autoplay: quit at the end (exit 0)")
    p.add_argument("--trace", metavar="FILE", type=output_file, help="write a JSON line per step: what the screen showed (deployment "
                   "episodes played, anything measured on screen, the prediction, the reveal's episodes)")
    p.add_argument("--projector", action="store_true", dest="lesson_projector",
                   help="in projector mode: larger text, higher contrast (F10 switches)")
    p.set_defaults(func=cmd_lesson)
    p = sub.add_parser("experiment", help="train several seeds in parallel and evaluate each at deployment")
    p.add_argument("level")
    p.add_argument("--seeds", type=whole(1, 10_000), default=10)
    p.add_argument("--diversity", type=shares,
                   help="shares of training variants drawn like deployment, e.g. 0,0.02,0.1,0.25")
    p.add_argument("--jobs", type=whole(1, 1024), default=max(1, (os.cpu_count() or 1)),
                   help="local worker processes (default: one per core)")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS", type=ray_address,
                   help="run the tasks on Ray instead: the cluster at ADDRESS, or RAY_ADDRESS, or else a new local "
                        "instance (needs the [cluster] extra)")
    p.add_argument("--target", type=TARGET, default=0.95)
    p.add_argument("--max-seconds", type=number(0.0, 7 * 86400.0, low_open=True), default=120.0,
                   help="training budget per seed")
    p.add_argument("--episodes", type=whole(1, 1_000_000), default=1000, help="evaluation episodes per split")
    p.add_argument("-o", "--output", required=True, type=output_file)
    p.set_defaults(func=cmd_experiment)
    return parser


def main(argv: list[str] | None = None) -> int:
    import multiprocessing
    multiprocessing.freeze_support()  # experiment workers in a frozen bundle
    for name in ("stdout", "stderr"):  # a windowed bundle has no console streams: write nowhere, not crash
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w"))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from game.selftest import self_test
        return self_test()
    if args.command is None:
        from game.app import run
        return run(projector=args.projector)
    clash = output_clash(args)
    if clash:
        print(f"mesa-sandbox {args.command}: {clash}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from levels import LevelError
    from agents.problems import AgentFileError, SteeringError
    try:
        return args.func(args)
    except (LevelError, AgentFileError, SteeringError) as exc:  # (said with the command, as every other refusal)
        print(f"mesa-sandbox {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mesa-sandbox: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("mesa-sandbox: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the person, never a traceback
        print(f"mesa-sandbox: unexpected error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return EXIT_FAIL
