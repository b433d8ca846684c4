"""`python -m game.cli`: the same as the `mesa-sandbox` command."""
import sys

from game.cli import main

sys.exit(main())
