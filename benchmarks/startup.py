"""Seconds from launch to the first drawn frame, from source and from the bundle; the bundle's size.

    xvfb-run -s "-screen 0 1280x800x24" python benchmarks/startup.py [--runs 5] [--bundle dist/mesa-sandbox]

Prints one JSON line per measurement. The app, started with MESA_SANDBOX_FIRST_FRAME_EXIT=1, prints the wall time
of its first `display.flip` and exits.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def first_frame_seconds(command: list[str]) -> float:
    env = dict(os.environ, MESA_SANDBOX_FIRST_FRAME_EXIT="1")
    launched = time.time()
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("first-frame "):
            return float(line.split()[1]) - launched
    raise RuntimeError(f"no first frame from {command}: {out.stderr[-2000:]}")


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", default="dist/mesa-sandbox")
    args = parser.parse_args()
    targets = {"source": [sys.executable, "-m", "game"]}
    bundle = Path(args.bundle)
    exe = bundle / ("mesa-sandbox.exe" if os.name == "nt" else "mesa-sandbox")
    if exe.exists():
        targets["bundle"] = [str(exe)]
    for name, command in targets.items():
        first_frame_seconds(command)  # warm the file cache: the figure is for a second launch
        runs = [first_frame_seconds(command) for _ in range(args.runs)]
        print(json.dumps({"from": name, "median_seconds_to_first_frame": round(statistics.median(runs), 3),
                          "runs": [round(r, 3) for r in runs]}), flush=True)
    if exe.exists():
        with tempfile.TemporaryDirectory() as tmp:
            archive = shutil.make_archive(os.path.join(tmp, "mesa-sandbox"), "zip", bundle.parent, bundle.name)
            zipped = os.path.getsize(archive)
        print(json.dumps({"bundle": str(bundle), "unpacked_mb": round(folder_bytes(bundle) / 2**20, 1),
                          "zipped_mb": round(zipped / 2**20, 1)}), flush=True)


if __name__ == "__main__":
    main()
