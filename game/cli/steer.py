"""`mesa-sandbox steer`: the agent before and after adding an activation difference (or clamping one channel at a
cell), on the same deployment variants and seeds. The work is `agents.steering`'s; this prints it."""
from __future__ import annotations

import json
import sys

from levels import named_level

from game.cli.arguments import EXIT_BAD_INPUT, EXIT_OK


def cell(text: str) -> tuple[int, int]:
    """"X,Y" -> (x, y)."""
    import argparse
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a cell as X,Y (two whole numbers), not {text!r}") from None
    return x, y


def steer(args) -> int:
    import torch
    from agents.agent_file import load_agent
    from agents.evaluation import fraction_words
    from agents.steering import (CLAMP_MULTIPLE, CONTRASTS, Steer, contrast_vector, contrast_vectors, goal_channels,
                                 measure, middle_layer, random_like, refusal)
    torch.set_num_threads(1)
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    network, view, radius = agent.policy, agent.obs_spec.view, agent.obs_spec.radius
    refused = refusal(network, level)
    if refused:
        print(f"mesa-sandbox steer: {refused}", file=sys.stderr)
        return EXIT_BAD_INPUT
    layers = list(network.steerable())
    if args.layer is not None and not 1 <= args.layer <= len(layers):
        print(f"mesa-sandbox steer: --layer must be 1-{len(layers)} for this agent ({', '.join(layers)})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    layer = layers[args.layer - 1] if args.layer is not None else middle_layer(network)
    target, clamp, vector = None, None, None
    if args.each and args.retarget is not None:
        print("mesa-sandbox steer: --each goes with a contrast's vector, not with --retarget", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.retarget is not None:
        x, y = args.retarget
        if not (0 <= x < level.width and 0 <= y < level.height):
            print(f"mesa-sandbox steer: --retarget {x},{y} is outside the level ({level.width}x{level.height})",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        ranked = goal_channels(network, level, layer, args.seed, view, radius, tracked=args.track)
        channel = ranked[0][0] if args.channel is None else args.channel
        usual = {c: v for c, _, v in ranked}.get(channel)
        if usual is None:
            print(f"mesa-sandbox steer: --channel must be 0-{len(ranked) - 1} at {layer}", file=sys.stderr)
            return EXIT_BAD_INPUT
        value = args.value if args.value is not None else CLAMP_MULTIPLE * max(usual, 1e-3)
        target, clamp = (x, y), (channel, x, y, value)
    elif args.each:
        vector = contrast_vectors(network, level, args.contrast, layer, args.seed, args.episodes, view, radius)
    else:
        vector = contrast_vector(network, level, args.contrast, layer, args.seed, view, radius)
    if args.random and vector is not None:
        vector = random_like(vector, args.seed + 1, each=args.each)
    report = measure(network, level, Steer(layer, vector, args.coef, clamp, each=args.each), args.episodes, args.seed,
                     view, radius, target)
    report.update({"layer": layer, "contrast": None if clamp else args.contrast, "random": bool(args.random),
                   "each_variant": bool(args.each),
                   "coefficient": args.coef, "episodes": args.episodes,
                   "retarget": None if clamp is None else {"cell": list(target), "channel": clamp[0],
                                                             "tracks": args.track, "value": round(clamp[3], 4)}})
    if args.json:
        print(json.dumps(report))
        return EXIT_OK
    if clamp is None:
        what = "a random vector of the same norm" if args.random else f"the vector of {CONTRASTS[args.contrast]}"
        what += ", each episode its own variant's" if args.each else ""
        print(f"{level.name}: {what} x {args.coef:+g}, added at {layer}; {args.episodes} deployment episodes")
    else:
        print(f"{level.name}: channel {clamp[0]} of {layer} clamped to {clamp[3]:.2f} at {target}; "
              f"{args.episodes} deployment episodes")
    def said(share: float) -> str:  # a share of the episodes, with its 95 % interval
        return fraction_words(share, args.episodes)
    for name in ("before", "after"):
        shares = ", ".join(f"{k} {said(v)}" for k, v in report[name]["shares"].items() if v)
        p = report[name]["decision_prob"]
        toward = "-" if p is None else f"{p:.2f}"
        print(f"  {name:6}  {shares}; toward the goal at the decision cell {toward}")
    if report["ended_at_target"] is not None:
        print(f"  ended on {target}: {said(report['ended_at_target'])} of episodes "
              f"(unsteered: {said(report['ended_at_target_before'])})")
    return EXIT_OK
