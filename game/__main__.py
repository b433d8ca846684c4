"""`python -m game` and the bundle's entry point: the same as the `mesa-sandbox` command."""
import sys

from game.cli import main

if __name__ == "__main__":
    sys.exit(main())
