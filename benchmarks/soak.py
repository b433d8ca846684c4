"""Kiosk soak: a lesson autoplaying in a loop for a long time, as on a classroom or museum screen.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/soak.py [--lesson green_means_go] [--minutes 30]
                                                                     [--size 1920x1080]

Drives the real app (`App.step`, 60 frames a second at most, as `mesa-sandbox lesson NAME --autoplay` does) and
prints: the process's resident memory after the first minute and at the end (and its growth), the frame-time
percentiles after the first minute (the time from one frame on screen to the next, what a viewer sees), the longest
frame after the first minute, how many times the lesson went round, and the machine. The first minute is left out:
fonts, the lesson's agents and the first evaluation warm up there.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="green_means_go")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--log", help="also write one line per round (memory, threads, live objects) and one per "
                        "frame over 50 ms (which step, what happened) to this file, to find growth and stalls")
    args = parser.parse_args()
    os.environ.setdefault("MESA_SANDBOX_DATA", tempfile.mkdtemp(prefix="mesa-soak-"))
    import numpy as np
    from game.app import App
    from game.paths import asset
    from game.session.lesson import load_lesson
    lesson = load_lesson(asset("lessons") / f"{args.lesson}.json")
    app = App(tuple(int(v) for v in args.size.split("x")))
    app.open_lesson(lesson, autoplay=True)
    started = last = time.perf_counter()
    warm = started + 60.0
    end = started + args.minutes * 60.0
    rss_warm, gaps, rounds, step = None, [], 0, 0
    log = open(args.log, "w") if args.log else None
    while app.running and time.perf_counter() < end:
        app.step()
        now = time.perf_counter()
        if now >= warm:
            if rss_warm is None:
                rss_warm = rss_mb()
            else:
                gaps.append(now - last)
        if log and now - last > 0.05:
            print(f"{now - started:8.1f} s  frame {1000 * (now - last):6.1f} ms  step {step} "
                  f"({app.scene.lesson.step.do})  evaluating {app.scene.session.evaluating}", file=log, flush=True)
        last = now
        now_at = app.scene.lesson.index
        if now_at < step:  # back to the first step: one more time round
            rounds += 1
            if log:
                print(f"{now - started:8.1f} s  round {rounds}  rss {rss_mb():.1f} MB  threads "
                      f"{threading.active_count()}  objects {len(gc.get_objects())}", file=log, flush=True)
        step = now_at
    rss_end = rss_mb()
    gaps_ms = np.array(gaps) * 1000
    print(json.dumps({
        "lesson": args.lesson, "minutes": args.minutes, "size": args.size, "rounds": rounds,
        "rss_mb_after_first_minute": round(rss_warm or float("nan"), 1), "rss_mb_end": round(rss_end, 1),
        "rss_growth_percent": round(100 * (rss_end / rss_warm - 1), 2) if rss_warm else None,
        "frames_after_first_minute": len(gaps),
        "frame_ms_p50": round(float(np.percentile(gaps_ms, 50)), 1) if len(gaps) else None,
        "frame_ms_p95": round(float(np.percentile(gaps_ms, 95)), 1) if len(gaps) else None,
        "frame_ms_p99": round(float(np.percentile(gaps_ms, 99)), 1) if len(gaps) else None,
        "longest_frame_ms": round(float(gaps_ms.max()), 1) if len(gaps) else None,
        "frames_over_100_ms": int((gaps_ms > 100).sum()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }))
    app.scene.leave()
    return 0


if __name__ == "__main__":
    sys.exit(main())
