"""Random valid levels through the whole pipeline, headless: train a little (every kind of agent and base optimizer
the level allows), save and load the agent file, Evaluate with the inference, the verdict and the Explain cards, the
film and the card, the maps and *Where would it go?*, and where the agent can be steered each contrast of the Steer
window on a layer (its vector, the random control, each episode's own vector) and retargeting, each measured, and
`mesa-sandbox steer` for each contrast. Every exception is printed with the level that raised it (written next to
it as JSON). Like `random_input.py`, a tool to run, not a test: what it finds becomes a test.

    python benchmarks/random_levels.py [--seeds 0 200] [--out DIR]

Levels are 3x3 to 30x20 cells in every view, with up to 8 things of any kind and colour, lava and coloured floors,
a region, a proxy, things that start anywhere, walkers that wander or walk a route (a goal where one's walk ends).
The agents learn for 600 steps at most: what they do is not the point, that every step takes what they do without
failing is. Exits 1 if anything failed. Levels as large as the format allows are checked apart (README, *Speed*:
"The largest level the format allows").
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from levels.vocabulary import COLORS, ENTITY_KINDS, GRID_ONLY_KINDS, MOVING_KINDS  # noqa: E402

THINGS = [k for k in ENTITY_KINDS if k != "agent"]
LEGEND = {".": "floor", "#": "wall", "~": "lava", "g": "green_floor", "r": "red_floor", "b": "blue_floor",
          "y": "yellow_floor"}  # (a character each, weighted by `random_level`)


def random_level(rng: random.Random) -> dict | None:
    """A level document (valid or not: the format decides), or None when it has no room for two things."""
    world = rng.choice(["grid", "grid", "topdown", "sideview"])
    w, h = rng.randint(3, 30), rng.randint(3, 20)
    rows = []
    for y in range(h):
        row = ""
        for x in range(w):
            if x in (0, w - 1) or y in (0, h - 1):  # the edges: walls (a side view's floor sometimes open)
                row += "." if world == "sideview" and y == h - 1 and rng.random() < 0.1 else "#"
            else:
                row += rng.choices(list(LEGEND), [70, 10, 3, 4, 4, 4, 4])[0]
        rows.append(row)
    free = [(x, y) for y in range(h) for x in range(w) if rows[y][x] not in "#~"]
    if len(free) < 2:
        return None
    kinds = [k for k in THINGS if world == "grid" or k not in GRID_ONLY_KINDS]
    things = [{"id": "agent", "kind": "agent", "at": list(rng.choice(free))}]
    for i in range(rng.randint(1, 8)):
        kind = rng.choice(kinds)
        thing = {"id": f"{kind}{i}", "kind": kind, "at": list(rng.choice(free))}
        if rng.random() < 0.5:
            thing["color"] = rng.choice(COLORS)
        if kind in MOVING_KINDS:  # wanders, or walks along its row (the format refuses a walk through a wall)
            x, y = thing["at"]
            along = [c for c in free if c[1] == y and c[0] != x]
            if along and rng.random() < 0.5:
                thing["route"] = {"cells": [[x, y], list(rng.choice(along))],
                                  "then": rng.choice(["stop", "back", "loop"])}
            else:
                thing["wander"] = True
        things.append(thing)
    target = rng.choice(things[1:])
    event = ("opened" if target["kind"] in ("chest", "door") else
             rng.choice(["touched", "reached_walk_end"]) if target["kind"] in MOVING_KINDS else "touched")
    goal = {"event": event, "what": rng.choice([target["id"], target["kind"]])}
    rules = [{**goal, "reward": 10.0, "ends_episode": True}]
    regions = {}
    if rng.random() < 0.5:
        x, y = rng.choice(free)
        regions["spot"] = [[x, y, 1, 1]]
        rules.append({"event": "entered_region", "what": "spot", "reward": rng.choice([1.0, -1.0])})
    if rng.random() < 0.3:
        rules.append({"event": "entered_tile", "what": "lava", "reward": -5.0, "ends_episode": True})
    others = [t for t in things[1:] if t is not target]
    proxies = ([{"name": "the other thing", "event": "touched", "what": rng.choice(others)["id"]}]
               if others and rng.random() < 0.7 else [])

    def spawns() -> dict:  # (walkers wander instead)
        return {t["id"]: {"anywhere": True} for t in things
                if rng.random() < 0.4 and t["kind"] not in MOVING_KINDS}
    return {"format": "mesa-sandbox-level", "version": 1, "name": f"random {rng.random():.6f}", "world": world,
            "episode_length": rng.randint(5, 150), "tiles": {"legend": LEGEND, "rows": rows}, "entities": things,
            "regions": regions, "base_reward": {"step_cost": rng.choice([0.0, 0.01]), "rules": rules},
            "intended_goal": goal, "proxies": proxies, "training": {"spawns": spawns()},
            "deployment": {"spawns": spawns()}}


def pipeline(doc: dict, seed: int, folder: str) -> str:
    """Everything a player can do with the level, with a little-trained agent; what it said, in a line."""
    from agents.agent_file import AgentFile, load_agent, save_agent
    from agents.inspection import evaluate_and_inspect
    from agents.kinds import AGENT_KINDS, OPTIMIZERS
    from agents.policy import TorchPolicy
    from agents.training import TrainingGoal, TrainingRun, TrainingSettings
    from game.export import card, film_episodes, gif_bytes, png_bytes
    from game.session.verdict import explain_cards, verdict
    from levels.format import parse_level
    from levels.warnings import level_warnings
    level = parse_level(doc)
    level_warnings(level)
    choice = random.Random(seed * 7919 + 17)  # (not the level's generator: its first draw chose the view)
    kind, optimizer = choice.choice(AGENT_KINDS), choice.choice(OPTIMIZERS)
    settings = TrainingSettings.of(kind, optimizer, seed, num_envs=8, num_steps=16)
    try:
        settings.check(level)
    except ValueError:  # (refused in words: a planner on a physics level, say)
        settings = TrainingSettings.of("reactive", optimizer, seed, num_envs=8, num_steps=16)
    run = TrainingRun(level, settings, TrainingGoal(max_steps=600, max_seconds=20))
    run.run()
    path = os.path.join(folder, "agent.agent")
    save_agent(path, AgentFile(run.optimizer.policy, level, run.optimizer.obs_spec, settings,
                               run.optimizer.global_step, run.seconds, run.curve))
    agent = load_agent(path)
    view, radius = agent.obs_spec.view, agent.obs_spec.radius
    evaluation, found = evaluate_and_inspect(agent.policy, level, "deployment", 60, 0, view, radius)
    said = verdict(level, evaluation.tally, found)
    explain_cards(level, evaluation.tally, inspection=found)
    gif_bytes(film_episodes(TorchPolicy(agent.policy, seed=0), level, "deployment", 2, 0, view, radius))
    png_bytes(card(level, "deployment", evaluation.tally, found))
    what_if(agent, level)
    steered = steer(agent, level, path, seed)
    return f"{settings.agent.kind}/{settings.optimizer} {said.kind}: {found.words()}{steered}"


def what_if(agent, level) -> None:
    """The deployment view's maps of one world: values and arrows, the next moves, where it would go."""
    from agents.envs import LevelVecEnv
    from game.session.maps import value_and_policy_maps
    from game.session.what_if import WorldCopy, next_moves, where_it_goes
    view, radius = agent.obs_spec.view, agent.obs_spec.radius
    env = LevelVecEnv(level, "deployment", 2, seed=0, view=view, radius=radius)
    env.reset(seed=0)
    value_and_policy_maps(agent.policy, level, env.batch.worlds, 1, view, radius)
    world = WorldCopy.of(env, 1)
    next_moves(agent.policy, world, 20)
    where_it_goes(agent.policy, world, samples=2)


def steer(agent, level, path: str, seed: int) -> str:
    """The Steer window's choices on this agent (where it can be steered), made through its session object: each
    contrast on one of its layers (its vector, the random control, each episode's own vector) and retargeting any
    cell, walls included, each measured; then `mesa-sandbox steer --json` for each contrast. Returns what was
    steered, in a few words."""
    import contextlib
    import io
    import torch
    from agents.contrasts import contrasts_of
    from agents.envs import LevelVecEnv
    from game.cli import main as cli
    from game.session.steering import Steering
    network, view, radius = agent.policy, agent.obs_spec.view, agent.obs_spec.radius
    steering = Steering(level, seed)
    if steering.refusal(network) is not None:
        return ""
    choice = random.Random(seed)
    env = LevelVecEnv(level, "deployment", 4, seed=0, view=view, radius=radius)
    obs = torch.as_tensor(env.reset(seed=0)[0])
    variants = env.batch.variants
    contrasts = list(contrasts_of(level))
    for contrast in contrasts:
        for layer in choice.sample(steering.layers(network), 1):  # (a measurement takes seconds on a large level)
            for random_vector, each in ((False, False), (True, False), (False, True)):
                steering.choose(network, contrast=contrast, layer=layer, coefficient=choice.choice([-1.0, 2.5]),
                                random=random_vector, each=each, channel=None, target=None)
                steering.network(network, view, radius, variants[1])(obs)
                live, follow = steering.live(network, view, radius, variants)
                if follow is not None:
                    follow(variants)
                live(obs)
                _measured(steering, network, view, radius)
    if steering.can_retarget(network):
        free = [(x, y) for y in range(level.height) for x in range(level.width)]
        for tracked, channel, _, _ in steering.channels(network, view, radius)[:2]:
            steering.choose(network, coefficient=0.0, each=False, tracked=tracked, channel=channel,
                            target=choice.choice(free))
            steering.network(network, view, radius, variants[0])(obs)
            _measured(steering, network, view, radius)
    steering.close()
    for contrast in contrasts:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli(["steer", path, "--contrast", contrast, "--episodes", "20", "--json"])
        refused = code == 2 and err.getvalue().startswith("mesa-sandbox steer: ") and "Traceback" not in err.getvalue()
        if not refused and (code != 0 or "after" not in json.loads(out.getvalue())):  # (refused in words: fine)
            raise RuntimeError(f"steer --contrast {contrast} exited {code}: {out.getvalue()!r} {err.getvalue()!r}")
    return f" (steered: {', '.join(contrasts)})"


def _measured(steering, network, view: str, radius: int) -> None:
    """The window's measurement of the current choice, waited for; a measurement that failed raises."""
    steering.measure(network, view, radius)
    while steering.measuring:
        time.sleep(0.01)
        steering.poll()
    if steering.problem is not None and steering.problem.startswith("Could not"):
        raise RuntimeError(steering.problem)
    steering.problem = None
    if steering.active and steering.measured(network) is not None:
        steering.effect  # (the words the window shows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 100], metavar=("FROM", "TO"))
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="mesa-sandbox-random-levels-"))
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    from levels.format import LevelError, parse_level
    failed = invalid = played = 0
    for seed in range(*args.seeds):
        doc = random_level(random.Random(seed))
        try:
            if doc is None:
                continue
            parse_level(doc)
        except LevelError:
            invalid += 1  # (the format's answer: the loader's own fuzz tests cover what it refuses)
            continue
        started = time.perf_counter()
        try:
            line = pipeline(doc, seed, args.out)
            played += 1
            rows = doc["tiles"]["rows"]
            print(f"{seed} {doc['world']} {len(rows[0])}x{len(rows)} {time.perf_counter() - started:.1f}s {line}",
                  flush=True)
        except Exception:
            failed += 1
            where = Path(args.out) / f"failed-{seed}.json"
            where.write_text(json.dumps(doc))
            print(f"{seed} FAILED ({where}):\n{traceback.format_exc()}", flush=True)
    print(f"{played} levels played through, {invalid} refused by the format, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
