"""`mesa-sandbox train` and `mesa-sandbox experiment`: train one agent, or many seeds of a level (locally or on
Ray), with a progress line on the terminal."""
from __future__ import annotations

import sys

from levels import named_level

from game.cli.arguments import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK

DEFAULT_TRAIN_SECONDS = 600.0  # `train` stops here unless told otherwise: no run goes on without bound


def _progress_bar(fraction: float, width: int = 30) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def cmd_train(args) -> int:
    from agents.agent_file import AgentFile, save_agent
    from agents.training import StopReason, TrainingGoal, TrainingRun, TrainingSettings
    import torch
    torch.set_num_threads(1)
    level = named_level(args.level)
    settings = TrainingSettings.of(args.agent, args.optimizer, args.seed)
    try:
        settings.check(level)
    except ValueError as exc:
        print(f"mesa-sandbox: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    goal = TrainingGoal(target=args.target, max_steps=args.max_steps, max_seconds=args.max_seconds)
    run = TrainingRun(level, settings, goal)
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
    agent = AgentFile(run.optimizer.policy, level, run.optimizer.obs_spec, settings, run.optimizer.global_step,
                      run.seconds, run.curve)
    save_agent(args.output, agent)
    confirmed = (f", training success on fresh episodes after stopping {run.confirmed_success:.1%} "
                 f"({run.confirmed_interval[0]:.1%}-{run.confirmed_interval[1]:.1%})"
                 if run.confirmed_success is not None else "")
    print(f"stopped: {reason} after {run.optimizer.global_step:,} steps and {run.seconds:.1f}s{confirmed}; "
          f"wrote {args.output}")
    return EXIT_OK if reason == StopReason.TARGET else EXIT_FAIL


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
