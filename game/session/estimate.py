"""A candidate estimate of the time left to the target, measured by `benchmarks/estimate.py` and NOT shown in the
window: on finished runs it was too often wrong to be shown (docs/design.md, "No estimate of the time left"). It stays
as the baseline the benchmark measures a better model against.

Training success rises along an S: slowly, then fast, then slowly near the top. A straight line through the recent
points overshoots badly in the slow start (it once said 289 s at 14 s into a run that ended at 73 s). In logit space
the S is close to a straight line, so the estimate fits one there, over two windows of the recent points (the last
half of the curve, and its last quarter), and reports the range of the two answers, widened by how far the points
scatter around each fit.
"""
from __future__ import annotations

import math

MIN_POINTS = 8  # fewer points than this say too little about the slope to estimate anything
MIN_WINDOW = 4
EDGE = 0.02  # success is clipped into [EDGE, 1 - EDGE] before its logit: 0 and 1 have none


def _logit(p: float) -> float:
    p = min(1.0 - EDGE, max(EDGE, p))
    return math.log(p / (1.0 - p))


def _fit(points: list[tuple[float, float]]) -> tuple[float, float, float] | None:
    """Least squares of logit(success) on seconds: (intercept, slope, residual standard deviation)."""
    n = len(points)
    ts = [t for t, _ in points]
    ys = [_logit(s) for _, s in points]
    mt, my = sum(ts) / n, sum(ys) / n
    var = sum((t - mt) ** 2 for t in ts)
    if var <= 0:
        return None
    slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var
    intercept = my - slope * mt
    residual = math.sqrt(sum((y - intercept - slope * t) ** 2 for t, y in zip(ts, ys)) / max(n - 2, 1))
    return intercept, slope, residual


def estimate_to_target(curve: list[dict], target: float) -> tuple[float, float] | None:
    """(fewest, most) seconds until training success reaches `target`, from the curve so far; None while it cannot
    be said (too few points, success not rising) or once it is there."""
    if len(curve) < MIN_POINTS or curve[-1]["success"] >= target:
        return None
    points = [(p["seconds"], p["success"]) for p in curve]
    now, goal = points[-1][0], _logit(target)
    answers = []
    for size in (len(points) // 2, len(points) // 4):
        fit = _fit(points[-max(size, MIN_WINDOW):])
        if fit is None:
            continue
        intercept, slope, residual = fit
        if slope <= 0:
            return None  # not rising over part of the recent curve: no honest estimate
        for shift in (-2 * residual, 2 * residual):  # where the curve is now, within its scatter
            answers.append(max(0.0, (goal - (intercept + slope * now + shift)) / slope))
    if not answers:
        return None
    return min(answers), max(answers)
