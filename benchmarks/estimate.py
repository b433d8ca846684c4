"""How honest is the training view's estimate of the time to the target?

    python benchmarks/estimate.py [--seeds 2] [--curves /tmp/curves.json] [--levels NAME ...]

Trains each level to a confirmed 95 % (PPO, the default settings, one torch thread, as the window's learner does),
keeps every point of the training curve, then replays the estimate (`game.session.estimate.estimate_to_target`)
at each point as the training view would have shown it, and compares it with the time the run really took from
there. Prints, per level: the run's length, how often an estimate was shown, and, at the points after a quarter of
the run, the largest ratio of the estimate's upper bound to the true remaining time and how often the true time
fell inside the range. Curves are cached in --curves, so the estimator can be changed and measured again at once.
Built-ins and the check levels (docs/check_levels/, written for checks, never tuned on) are reported apart.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUILTINS = ["green_means_go", "cheese_in_the_corner", "the_diversity_fix", "follow_the_leader", "lava_land",
            "cheese_on_a_dish", "monster_world", "keys_and_chests", "coin_at_the_end"]
CHECKS = ["blue_means_go", "gem_in_the_bottom_left", "the_blue_guide", "the_ford_moves", "the_armoury", "run_left"]


def load(name: str):
    from levels import builtin_level, builtin_names, load_level
    return builtin_level(name) if name in builtin_names() else load_level(ROOT / "docs" / "check_levels" / f"{name}.json")


def train_curve(name: str, seed: int) -> dict:
    import torch
    from agents.training import TrainingGoal, TrainingRun, TrainingSettings
    torch.set_num_threads(1)
    run = TrainingRun(load(name), TrainingSettings(seed=seed), TrainingGoal(max_seconds=300))
    reason = run.run()
    return {"level": name, "seed": seed, "reason": reason, "seconds": run.seconds, "curve": run.curve}


def rising_part(curve: list[dict], target: float, window: int = 6, near: float = 0.05) -> tuple[float, float] | None:
    """The range for the rising part only (design.md's last row): a logit fit over the last `window` points, shown
    only while its slope's 2-standard-error lower bound is positive and the last 3 points average more than `near`
    under the target; the upper bound capped at the time so far."""
    from game.session.estimate import _logit
    if len(curve) < window:
        return None
    points = [(p["seconds"], p["success"]) for p in curve]
    now = points[-1][0]
    if sum(s for _, s in points[-3:]) / 3 >= target - near:
        return None
    ts, ys = [t for t, _ in points[-window:]], [_logit(s) for _, s in points[-window:]]
    mt, my = sum(ts) / window, sum(ys) / window
    var = sum((t - mt) ** 2 for t in ts)
    if var <= 0:
        return None
    slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var
    intercept = my - slope * mt
    residual = (sum((y - intercept - slope * t) ** 2 for t, y in zip(ts, ys)) / max(window - 2, 1)) ** 0.5
    error = residual / var ** 0.5
    if slope - 2 * error <= 0:
        return None
    gap = _logit(target) - (intercept + slope * now)
    return max(0.0, gap / (slope + 2 * error)), min(gap / (slope - 2 * error), now)


def replay(record: dict, target: float = 0.95, rule: str = "window") -> dict:
    """The estimate at every point of a finished run, against the time the run really took from there."""
    from game.session.estimate import estimate_to_target
    if rule == "rising":
        estimate_to_target = rising_part  # noqa: F811 (the rule measured instead)
    end = record["seconds"]
    shown = ratios = inside = after_quarter = 0
    worst = 0.0
    for k in range(1, len(record["curve"]) + 1):
        curve = record["curve"][:k]
        now = curve[-1]["seconds"]
        found = estimate_to_target(curve, target)
        if found is None:
            continue
        shown += 1
        remaining = end - now
        if now < end / 4 or remaining < 1.0:
            continue  # the claim is for the points after a quarter of the run, with a second or more to go
        after_quarter += 1
        low, high = found
        worst = max(worst, high / remaining)
        ratios += high <= 2 * remaining
        inside += low <= remaining <= high
    return {"level": record["level"], "seed": record["seed"], "reason": record["reason"], "seconds": end,
            "points": len(record["curve"]), "shown": shown, "after_quarter": after_quarter,
            "worst_upper_ratio": worst, "within_twice": ratios, "inside": inside}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--curves", default="/tmp/mesa-sandbox-curves.json")
    parser.add_argument("--levels", nargs="*", default=BUILTINS + CHECKS)
    parser.add_argument("--rule", choices=["window", "rising"], default="window",
                        help="window: game.session.estimate (default); rising: the rising part only")
    args = parser.parse_args()
    cached = json.loads(Path(args.curves).read_text()) if os.path.exists(args.curves) else []
    have = {(r["level"], r["seed"]) for r in cached}
    for name in args.levels:
        for seed in range(args.seeds):
            if (name, seed) not in have:
                print(f"training {name} seed {seed}...", flush=True)
                cached.append(train_curve(name, seed))
                Path(args.curves).write_text(json.dumps(cached))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for group, names in (("built-ins", BUILTINS), ("check levels", CHECKS)):
        rows = [replay(r, rule=args.rule) for r in cached if r["level"] in names and r["level"] in args.levels
                and r["reason"] == "target"]
        if not rows:
            continue
        print(f"\n{group}: level, seed, run s, estimates shown / points, after 1/4: upper <= 2x true, true inside "
              "range, worst upper / true")
        for r in rows:
            print(f"  {r['level']:24} {r['seed']}  {r['seconds']:6.1f}  {r['shown']:3}/{r['points']:<3}  "
                  f"{r['within_twice']:3}/{r['after_quarter']:<3} {r['inside']:3}/{r['after_quarter']:<3} "
                  f"{r['worst_upper_ratio']:5.2f}")
        total = sum(r["after_quarter"] for r in rows)
        print(f"  all: upper <= 2x true at {sum(r['within_twice'] for r in rows)}/{total} points, true time inside "
              f"the range at {sum(r['inside'] for r in rows)}/{total}; worst ratio "
              f"{max(r['worst_upper_ratio'] for r in rows):.2f}")


if __name__ == "__main__":
    main()
