"""How long `mesa-sandbox export` works, start-up excluded (as `inspect_speed.py` measures `inspect`): the GIF
alone, and the GIF with its card, for seed 0 of shipped agents. One JSON line per agent and kind of export.

    python benchmarks/export_speed.py [--rounds 3] [--agents coin_at_the_end cheese_in_the_corner ...]

The command runs in this process after a first export has imported everything it needs (torch, pygame, Pillow);
"startup_seconds" is that first export's time beyond its own work's, measured once. Rounds interleave the agents.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

SHIPPED = ["coin_at_the_end", "cheese_in_the_corner", "the_diversity_fix", "keys_and_chests"]


def export_seconds(main, agent: Path, out: Path, card: bool) -> float:
    args = ["export", str(agent), "--gif", str(out / "film.gif")] + (["--png", str(out / "card.png")] if card else [])
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    if code != 0:
        raise SystemExit(f"export failed ({code}): {' '.join(args)}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--agents", nargs="*", default=SHIPPED)
    args = parser.parse_args()
    started = time.perf_counter()
    from game.cli import main as cli
    from game.pretrained import agents_root
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    agents = {name: agents_root() / name / "seed0.agent" for name in args.agents}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        export_seconds(cli, agents[args.agents[0]], out, card=False)  # imports what an export needs
        again = export_seconds(cli, agents[args.agents[0]], out, card=False)
        # Everything so far is start-up and two exports' work: one is `again`.
        print(json.dumps({"startup_seconds": round(time.perf_counter() - started - 2 * again, 2),
                          "machine": machine}), flush=True)
        times: dict[tuple[str, bool], list[float]] = {}
        for _ in range(args.rounds):
            for name, agent in agents.items():
                for card in (False, True):
                    times.setdefault((name, card), []).append(export_seconds(cli, agent, out, card))
    for (name, card), seconds in times.items():
        print(json.dumps({"agent": f"{name}/seed0", "export": "gif + card" if card else "gif",
                          "seconds": [round(s, 2) for s in seconds], "machine": machine}), flush=True)


if __name__ == "__main__":
    main()
