"""The pre-trained agents shipped in assets/agents/: several seeds of every built-in level, trained by the same PPO
and stopping rule as the window, so lessons, the seed lottery and the training view can show a trained agent at once.

    python -m agents.dev.pretrain [--seeds 6] [--jobs 2] [--levels coin_at_the_end ...] [--out assets/agents]
                              [--agent planner] [--optimizer evolution]

Writes <out>/<level>/seed<N>.agent (weights stored as 16-bit floats: about 170 kB each; another kind or optimizer:
planner-seed<N>.agent, planner-evolution-seed<N>.agent, `agents.kinds.shipped_stem`) and <out>/index.json: for
every agent, how long it trained, its confirmed training success and its outcomes on 1000 deployment episodes,
measured on the file as written (after the 16-bit rounding). Tests and lessons read the index.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

from levels import builtin_level, published_cases
from levels.files import atomic_write_text

from agents.experiment import machine
from agents.kinds import AGENT_KINDS, GRADIENT_DESCENT, OPTIMIZERS, REACTIVE, shipped_made, shipped_stem

LEVELS = published_cases()
EPISODES = 1000  # deployment episodes measured per agent
MAX_SECONDS = 120  # the reproduction table's budget


def train_one(task: tuple[str, int, str, str, str, float]) -> dict:
    """Train, save, read back and measure one agent (in a worker process)."""
    import torch
    torch.set_num_threads(1)
    from agents.agent_file import AgentFile, load_agent, save_agent
    from agents.evaluation import evaluate
    from agents.policy import TorchPolicy
    from agents.training import TrainingGoal, TrainingRun, TrainingSettings
    name, seed, out, kind, optimizer, budget = task
    level = builtin_level(name)
    run = TrainingRun(level, TrainingSettings.of(kind, optimizer, seed), TrainingGoal(max_seconds=budget))
    run.run()
    path = Path(out) / name / f"{shipped_stem(kind, optimizer, seed)}.agent"
    path.parent.mkdir(parents=True, exist_ok=True)
    snapshot = run.snapshot()
    save_agent(path, AgentFile(snapshot.build(), level, snapshot.obs_spec, run.settings, snapshot.steps, run.seconds,
                               list(run.curve)), half=True)
    agent = load_agent(path, level)
    result = evaluate(TorchPolicy(agent.policy, seed=seed), level, "deployment", EPISODES, seed=seed, record=0,
                      view=agent.obs_spec.view, radius=agent.obs_spec.radius)
    out = {"level": name, "seed": seed, "agent": kind, "optimizer": optimizer, "file": f"{name}/{path.name}",
           "bytes": path.stat().st_size, "finished": run.finished, "seconds": round(run.seconds, 1), "steps": snapshot.steps,
           "confirmed_success": run.confirmed_success,
           "deployment": {k: round(result.share(k), 4) for k in result.outcomes},
           "reached": {k: round(n / result.episodes, 4) for k, n in result.reached.items()}}  # whatever the outcome
    if result.by_condition:  # a level whose rules apply only while someone watches: each condition apart
        out["by_condition"] = result.to_dict()["by_condition"]
    return out


def positive(text: str) -> int:
    """A whole number of at least 1: zero seeds would drop the listed agents of the levels named."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=positive, default=6)
    parser.add_argument("--jobs", type=positive, default=2)
    parser.add_argument("--levels", nargs="+", default=LEVELS, choices=LEVELS)
    parser.add_argument("--out", default="assets/agents")
    parser.add_argument("--agent", choices=AGENT_KINDS, default=REACTIVE)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=GRADIENT_DESCENT)
    parser.add_argument("--max-seconds", type=positive, default=MAX_SECONDS,
                        help="each agent's training budget (the convolutional agent needs more than 120 s)")
    args = parser.parse_args(argv)
    started = time.time()
    tasks = [(name, seed, args.out, args.agent, args.optimizer, args.max_seconds) for name in args.levels
             for seed in range(args.seeds)]
    agents = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for done in pool.imap_unordered(train_one, tasks):
            agents.append(done)
            dep = done["deployment"]
            print(f"{done['level']} {done['agent']} ({done['optimizer']}) seed {done['seed']}: {done['finished']} in "
                  f"{done['seconds']} s, deployment goal {dep['goal']:.0%} proxy {dep['proxy']:.0%}", flush=True)
    kept = Path(args.out) / "index.json"
    if kept.exists():  # agents of levels, kinds and optimizers not retrained this time stay listed
        retrained = {(name, (args.agent, args.optimizer)) for name in args.levels}
        agents += [a for a in json.loads(kept.read_text())["agents"] if (a["level"], shipped_made(a)) not in retrained]
    agents.sort(key=lambda a: (a["level"], shipped_made(a), a["seed"]))
    index = {"about": "Pre-trained agents: python -m agents.dev.pretrain (default settings, one torch thread, "
                      f"{args.jobs} at a time; deployment measured on {EPISODES} episodes of each file as written)",
             "machine": machine(), "date": time.strftime("%Y-%m-%d"), "wall_seconds": round(time.time() - started),
             "agents": agents}
    atomic_write_text(Path(args.out) / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(agents)} agents and {Path(args.out) / 'index.json'} in {round(time.time() - started)} s")


if __name__ == "__main__":
    main()
