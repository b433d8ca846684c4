"""The `mesa-sandbox` command: with no arguments it opens the game; subcommands work headless.

    mesa-sandbox [--projector]                     start the game (--projector: in projector mode)
    mesa-sandbox level validate FILE...            exit 0, or 2 with every problem on stderr
    mesa-sandbox level render FILE -o OUT.png [--split training|deployment] [--seed N]
    mesa-sandbox level code FILE                   print the level code
    mesa-sandbox level from-code CODE -o FILE      write a level file from a level code
    mesa-sandbox train LEVEL [--seed S] [--agent reactive|conv|planner] [--optimizer ppo|evolution] [--target 0.95]
                       [--max-seconds 600] [--max-steps N] -o AGENT
    mesa-sandbox evaluate AGENT [--level LEVEL] [--split deployment] [--episodes 1000] [--json]
    mesa-sandbox inspect AGENT [--level LEVEL] [--split deployment] [--episodes 500] [--seed S] [--json]
    mesa-sandbox steer AGENT [--contrast goal|split|proxy] [--layer N] [--coef -1] [--random] [--retarget X,Y]
                       [--episodes 300] [--json]            steer an agent by its own activations, and measure it
    mesa-sandbox export AGENT [--level LEVEL] [--split deployment] [--episodes 4] [--gif OUT.gif] [--png OUT.png]
    mesa-sandbox lesson --list | NAME [--autoplay [--once]] [--trace FILE] [--projector]
                                                   list the lessons, or open one (a kiosk with --autoplay)
    mesa-sandbox experiment LEVEL --seeds 10 [--diversity 0,0.02,0.1,0.25] [--jobs N] -o RESULTS.json

FILE and LEVEL may also name a built-in level ("coin_at_the_end").

The package: `parser` reads the command line and hands each command to its module (`levels`, `training`, `playing`,
`classroom`, `steer`), which load what the command needs only when it runs; `arguments` holds the argument types and
exit codes they share.
"""
from game.cli.parser import build_parser, main  # noqa: F401 (the `mesa-sandbox` entry point: game.cli:main)
