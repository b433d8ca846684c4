"""The `mesa-sandbox` command: with no arguments it opens the game; subcommands work headless.

    mesa-sandbox [--projector]                     start the game (--projector: in projector mode)
    mesa-sandbox level validate FILE...            exit 0, or 2 with every problem on stderr
    mesa-sandbox level render FILE -o OUT.png [--split training|deployment] [--seed N]
    mesa-sandbox level code FILE                   print the level code
    mesa-sandbox level from-code CODE -o FILE      write a level file from a level code
    mesa-sandbox train LEVEL [--seed S] [--agent reactive|planner] [--optimizer ppo|evolution] [--target 0.95]
                       [--max-seconds 600] [--max-steps N] -o AGENT
    mesa-sandbox evaluate AGENT [--level LEVEL] [--split deployment] [--episodes 1000] [--json]
    mesa-sandbox inspect AGENT [--level LEVEL] [--split deployment] [--episodes 500] [--seed S] [--json]
    mesa-sandbox export AGENT [--level LEVEL] [--split deployment] [--episodes 4] [--gif OUT.gif] [--png OUT.png]
    mesa-sandbox lesson --list | NAME [--autoplay [--once]] [--trace FILE] [--projector]
                                                   list the lessons, or open one (a kiosk with --autoplay)
    mesa-sandbox experiment LEVEL --seeds 10 [--diversity 0,0.02,0.1,0.25] [--jobs N] -o RESULTS.json

FILE and LEVEL may also name a built-in level ("coin_at_the_end").
"""
from __future__ import annotations

import argparse
import os
import sys

from levels import named_level

from agents.kinds import AGENT_KINDS, GRADIENT_DESCENT, OPTIMIZERS

from game.cli_steer import cell
from game.cli_arguments import (EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK, SEED, TARGET, number, output_clash,
                                output_file, ray_address, shares, whole)

DEFAULT_TRAIN_SECONDS = 600.0  # `train` stops here unless told otherwise: no run goes on without bound


class Parser(argparse.ArgumentParser):
    """Usage errors as one line that says what to do, exit 2 (argparse's default prints the whole usage)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


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
                  f"{len(level.entities)} entities)")
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


def _progress_bar(fraction: float, width: int = 30) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def cmd_train(args) -> int:
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig, check_agent, for_agent
    from agents.training import StopReason, TrainingGoal, TrainingRun
    import torch
    torch.set_num_threads(1)
    level = named_level(args.level)
    config = for_agent(PPOConfig(seed=args.seed, optimizer=args.optimizer), args.agent)
    try:
        check_agent(level, config)
    except ValueError as exc:
        print(f"mesa-sandbox: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    goal = TrainingGoal(target=args.target, max_steps=args.max_steps, max_seconds=args.max_seconds)
    run = TrainingRun(level, config, goal)
    budget = f"{args.max_seconds:g} s" + (f" or {args.max_steps:,} steps" if args.max_steps else "")
    print(f"training {level.name!r} until {args.target:.0%} training success, at most {budget} "
          "(--max-seconds, --max-steps change it)", file=sys.stderr)

    def show(m: dict) -> None:
        success = m["training_success"]
        shown = "  -   " if success is None else f"{success:5.1%}"  # not measured yet: too few whole episodes
        line = (f"\r{_progress_bar((success or 0.0) / args.target)} success {shown} "
                f"steps {m['steps']:>9,} {m['seconds']:6.1f}s {m['steps_per_second']:>7,.0f} steps/s")
        sys.stderr.write(line)
        sys.stderr.flush()
    reason = run.run(show)
    sys.stderr.write("\n")
    agent = AgentFile(run.optimizer.policy, level, run.optimizer.obs_spec, config, run.optimizer.global_step,
                      run.seconds, run.curve)
    save_agent(args.output, agent)
    confirmed = (f", training success on fresh episodes after stopping {run.confirmed_success:.1%} "
                 f"({run.confirmed_interval[0]:.1%}-{run.confirmed_interval[1]:.1%})"
                 if run.confirmed_success is not None else "")
    print(f"stopped: {reason} after {run.optimizer.global_step:,} steps and {run.seconds:.1f}s{confirmed}; "
          f"wrote {args.output}")
    return EXIT_OK if reason == StopReason.TARGET else EXIT_FAIL


def cmd_evaluate(args) -> int:
    import json
    from agents.agent_file import load_agent
    from agents.evaluation import evaluate
    from agents.policy import TorchPolicy
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    result = evaluate(TorchPolicy(agent.policy, seed=args.seed), level, args.split, args.episodes, seed=args.seed,
                      view=agent.obs_spec.view, radius=agent.obs_spec.radius, record=0)
    if args.json:
        print(json.dumps(result.to_dict()))
        return EXIT_OK
    print(f"{level.name}, {args.split}: {result.episodes} episodes in {result.seconds:.1f}s")
    for outcome, n in result.outcomes.items():
        lo, hi = result.intervals[outcome]
        print(f"  {outcome:8} {n:6}  {result.share(outcome):6.1%}  (95% CI {lo:.1%} - {hi:.1%})")
    for name, n in result.reached.items():
        print(f"  reached {name!r} at all: {n / max(result.episodes, 1):.1%}")
    for name, count in sorted(result.by_condition.items()):  # rules that apply only while someone is present
        n = count.tally.total
        shares = ", ".join(f"{k} {v / n:.0%}" for k, v in count.tally.outcomes.items() if v)
        print(f"  {name}: {n} episodes: {shares}")
    return EXIT_OK


def cmd_inspect(args) -> int:
    import json
    from agents.agent_file import load_agent
    from agents.inspection import inspect
    from agents.policy import TorchPolicy
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    from agents.inspection import NAMED_MIN_SCORE
    found = inspect(TorchPolicy(agent.policy, seed=args.seed), level, args.split, args.episodes, seed=args.seed,
                    view=agent.obs_spec.view, radius=agent.obs_spec.radius)
    planner = agent.policy.readable_objective
    if args.json:
        out = found.to_dict()
        out["candidates"] = out["candidates"][:args.top]
        if planner:
            from agents.planner import mesa_objective
            out["mesa_objective"] = mesa_objective(agent.policy, level, args.split, args.seed)
        print(json.dumps(out))
        return EXIT_OK
    print(f"{level.name}, {args.split}: {found.episodes} episodes in {found.seconds:.1f}s; intended goal reached in "
          f"{found.goal_reached:.0%}")
    low, high = found.confidence
    print(f"{found.words()[0].upper()}{found.words()[1:]} (goal-directedness {found.goal_directedness:.2f}, 95 % "
          f"interval {low:.2f}-{high:.2f}; a candidate is named from {NAMED_MIN_SCORE})")
    if planner:
        from agents.planner import describe_objective
        print(f"Its own reward (the planner's mesa-objective): {describe_objective(agent.policy)}")
    print(f"  {'candidate':48} {'score':>6} {'reached':>8} {'first':>6} {'chance':>7} {'training':>9} "
          f"{'approach':>9}")
    for s in found.scores[:args.top]:
        approach = "-" if s.approach is None else f"{s.approach:.0%}"
        print(f"  {s.candidate.name[:48]:48} {s.score:6.2f} {s.reached:8.0%} {s.reached_before_goal:6.0%} "
              f"{s.baseline:7.0%} {s.in_training:9.0%} {approach:>9}")
    return EXIT_OK


def cmd_steer(args) -> int:
    from game.cli_steer import steer
    return steer(args)


def cmd_export(args) -> int:
    from game.cli_classroom import export
    return export(args)


def cmd_lesson(args) -> int:
    from game.cli_classroom import lesson
    return lesson(args)


def cmd_experiment(args) -> int:
    import json
    from agents.experiment import format_summary, progress_line, run_experiment
    from agents.training import TrainingGoal
    from levels.files import atomic_write_text
    goal = TrainingGoal(target=args.target, max_seconds=args.max_seconds)
    tty = sys.stderr.isatty()

    def progress(result, done, total):  # one line redrawn on a terminal, a line per task in a log
        end = "\n" if not tty or done == total else ""
        print(("\r\x1b[K" if tty else "") + progress_line(result, done, total), end=end, file=sys.stderr, flush=True)
    level = named_level(args.level)
    if args.ray is not None:
        from agents.experiment_ray import RayUnavailable
        try:
            results = run_experiment(level, args.seeds, args.diversity, args.jobs, goal, args.episodes, progress,
                                     ray=args.ray)
        except RayUnavailable as exc:
            print(f"mesa-sandbox: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    else:
        results = run_experiment(level, args.seeds, args.diversity, args.jobs, goal, args.episodes, progress)
    if tty and results["interrupted"]:
        print(file=sys.stderr)
    atomic_write_text(args.output, json.dumps(results, indent=1) + "\n")
    print(format_summary(results))
    print(f"wrote {args.output}")
    if results["interrupted"]:
        return 130
    return EXIT_FAIL if any("error" in r for r in results["runs"]) else EXIT_OK


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
    except (LevelError, AgentFileError, SteeringError) as exc:
        print(exc, file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
