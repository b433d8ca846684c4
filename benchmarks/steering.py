"""What steering does to trained agents: one JSON line per (agent, layer, contrast, coefficient), the contrast's
vector against a random vector of the same norm, and for convolutional agents retargeting to a cell.

    python benchmarks/steering.py AGENT.agent [...] [--episodes 200] [--seed 1] [--retarget X,Y] [--each]

Every measurement plays the same deployment variants and seeds before and after (`agents.steering.measure`). The
vector is taken from one deployment variant (the first of `--seed`), as Turner et al. took one maze; with `--each`,
every episode gets its own variant's (as their figures subtract each maze's own vector in that maze).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

from agents.agent_file import load_agent
from agents.problems import SteeringError
from agents.steering import (CLAMP_MULTIPLE, Steer, contrast_vector, contrast_vectors, goal_channels, measure,
                             random_like)
from game.cli.steer import cell

COEFFICIENTS = (-1.0, -3.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("agents", nargs="+")
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--retarget", type=cell, default=None, help="a cell to retarget conv agents to")
    parser.add_argument("--each", action="store_true", help="each episode's own variant's vector")
    args = parser.parse_args()
    torch.set_num_threads(1)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    for path in args.agents:
        agent = load_agent(path)
        level, net = agent.level, agent.policy
        view, radius = agent.obs_spec.view, agent.obs_spec.radius
        base = {"agent": os.path.basename(path), "kind": net.kind, "level": level.name, "machine": machine}

        def emit(**row):
            print(json.dumps({**base, **row}), flush=True)
        for layer in net.steerable():
            for contrast in ("goal", "proxy"):
                try:
                    vector = (contrast_vectors(net, level, contrast, layer, args.seed, args.episodes, view, radius)
                              if args.each else contrast_vector(net, level, contrast, layer, args.seed, view, radius))
                except SteeringError:
                    continue
                for coefficient in COEFFICIENTS:
                    for control in (False, True):
                        pushed = random_like(vector, args.seed + 1, each=args.each) if control else vector
                        started = time.perf_counter()
                        out = measure(net, level, Steer(layer, pushed, coefficient, each=args.each), args.episodes,
                                      args.seed, view, radius)
                        emit(layer=layer, contrast=contrast, coefficient=coefficient, random=control, each=args.each,
                             before=out["before"], after=out["after"],
                             seconds=round(time.perf_counter() - started, 2))
            if net.kind != "conv" or args.retarget is None:
                continue
            for tracked in ("goal", "proxy"):  # the best channel tracking each, clamped at the cell
                try:
                    channel, share, usual = goal_channels(net, level, layer, args.seed, view, radius,
                                                          tracked=tracked)[0]
                except (SteeringError, StopIteration):
                    continue
                x, y = args.retarget
                out = measure(net, level, Steer(layer, clamp=(channel, x, y, CLAMP_MULTIPLE * max(usual, 1e-3))),
                              args.episodes, args.seed, view, radius, target=(x, y))
                emit(layer=layer, retarget=[x, y], tracks=tracked, channel=channel, peaks_there=round(share, 3),
                     before=out["before"], after=out["after"], ended_at_target=out["ended_at_target"])


if __name__ == "__main__":
    main()
