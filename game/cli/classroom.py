"""The classroom's commands: `lesson` (list the lessons, or open one, as a kiosk with --autoplay) and `export` (an
agent's deployment episodes as a GIF and what it learned as a PNG card). Parsed in `game.cli`, which imports this
module only when one of them runs."""
from __future__ import annotations

import sys

from levels import named_level

from game.cli.arguments import EXIT_BAD_INPUT, EXIT_OK


def export(args) -> int:
    if not args.gif and not args.png:
        print("mesa-sandbox export: say what to write: --gif OUT.gif, --png OUT.png, or both", file=sys.stderr)
        return EXIT_BAD_INPUT
    from pathlib import Path
    from agents.agent_file import load_agent
    from agents.inspection import evaluate_and_inspect
    from agents.policy import TorchPolicy
    from game.export import card, film_episodes, film_of, save_card, save_gif
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    view, radius = agent.obs_spec.view, agent.obs_spec.radius
    if args.png:  # the GIF replays the first of the episodes the card counts
        played, found = evaluate_and_inspect(agent.policy, level, args.split, args.card_episodes, args.seed, view,
                                             radius, record=args.episodes if args.gif else 0)
    if args.gif:
        film = (film_of(level, args.split, played.trajectories) if args.png else
                film_episodes(TorchPolicy(agent.policy, seed=args.seed), level, args.split, args.episodes, args.seed,
                              view, radius))
        frames = save_gif(film, args.gif)
        endings = ", ".join(report.outcome for report in film.reports)
        print(f"wrote {args.gif}: {frames} frames, {len(film.reports)} episodes ({endings})")
    if args.png:
        about = f"agent {Path(args.agent).name}, seed {args.seed}" + (
            f"; the GIF shows {len(film.reports)} of them" if args.gif else "")
        save_card(card(level, args.split, played.tally, found, played.visits, about, played.by_condition), args.png)
        print(f"wrote {args.png}")
    return EXIT_OK


def lesson(args) -> int:
    from pathlib import Path
    from game.paths import asset
    from game.session.lesson import LessonError, lessons_in, load_lesson
    folder = asset("lessons")
    if args.list:
        for found in lessons_in(folder):
            print(f"{found.name:24} {found.title} ({found.lesson.minutes} min, level {found.lesson.level})")
        return EXIT_OK
    if args.name is None:
        print("mesa-sandbox lesson: name a lesson (mesa-sandbox lesson --list shows them) or a lesson file",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.once and not args.autoplay:
        print("mesa-sandbox lesson: --once goes with --autoplay (it quits at the end of an autoplayed lesson)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    builtin = folder / f"{args.name}.json"
    path = builtin if builtin.is_file() else Path(args.name)
    if not path.exists() and path is not builtin:
        names = ", ".join(found.name for found in lessons_in(folder))
        print(f"mesa-sandbox lesson: no lesson called {args.name!r} (the lessons: {names})", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    from game.pretrained import missing_lesson_agents
    missing = missing_lesson_agents(lesson)
    if missing:
        print(f"mesa-sandbox lesson: {path}: " + "; ".join(missing), file=sys.stderr)
        return EXIT_BAD_INPUT
    from game.app import run
    from game.session.lesson_record import LessonTrace
    if args.trace is None:
        return run(lesson=lesson, autoplay=args.autoplay, once=args.once,
                   projector=args.lesson_projector or args.projector)
    if Path(args.trace).resolve() == path.resolve():
        print(f"mesa-sandbox lesson: the trace would overwrite the lesson itself ({args.trace}): name another file",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        stream = open(args.trace, "w", encoding="utf-8")
    except OSError as exc:
        print(f"mesa-sandbox lesson: cannot write the trace {args.trace}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with stream:
        return run(lesson=lesson, autoplay=args.autoplay, once=args.once,
                   projector=args.lesson_projector or args.projector, trace=LessonTrace(stream))
