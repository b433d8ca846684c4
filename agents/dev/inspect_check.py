"""Check the objective inference: does `inspect` name what each level's agents learned, without being told?

    python -m agents.dev.inspect_check [--seeds 1,...,10] [--jobs 2] [--out docs] [--agents DIR] [--levels NAME ...]

`--agents DIR` keeps each trained network there (its weights, and how its training ended) and inspects a kept one
instead of training it again: to work on the inference, train once. `--levels` checks only those cases (a new
built-in): their runs replace theirs in the kept inspection.json, the others' stay.

Every level has its `proxies` removed before training, so nothing tells the inference what to look for. The
built-ins are checked against the proxy their designer declared; the levels written for this check
(docs/check_levels/) against what they were built to teach. Writes docs/inspection.md and docs/inspection.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import statistics
import time
from pathlib import Path

from levels import builtin_level, level_to_dict, load_level, parse_level
from levels.places import rect_cells
from levels.files import atomic_write_text

from agents.experiment import machine

DOCS = Path(__file__).resolve().parents[2] / "docs"
# (level, what a right answer contains, what it should be in words)
CASES = [
    ("coin_at_the_end", ("right",), "the right end (the declared proxy)"),
    ("cheese_in_the_corner", ("top right", "top-right"), "the top-right corner (the declared proxy)"),
    ("green_means_go", ("green",), "green things (the declared proxy)"),
    ("the_diversity_fix", ("intended goal",), "the intended goal (25 % of training variants like deployment)"),
    ("cheese_mostly_cornered", ("intended goal",), "the intended goal (30 % of training variants put the "
                                                          "cheese away from the corner)"),
    ("keys_and_chests", ("keys",), "picking up 3 or more keys before the chests (the declared proxy: 3 keys)"),
    ("template_grid", ("intended goal",), "the intended goal (deployment is training: nothing to confuse)"),
    ("template_topdown", ("intended goal",), "the intended goal (deployment is training)"),
    ("template_sideview", ("intended goal",), "the intended goal (deployment is training)"),
    ("check:gem_in_the_bottom_left", ("bottom left", "bottom-left"), "the bottom-left corner, where the gem was"),
    ("check:blue_means_go", ("blue",), "blue things"),
    ("check:run_left", ("left",), "the left end, where the cheese was"),
    ("cheese_on_a_dish", ("dish",), "the dish (the declared proxy)"),
    ("follow_the_leader", ("guide", "other flag"), "the guide, or the other flag it walks to (the declared proxy)"),
    ("lava_land", ("right",), "the right-hand way across the river (the declared proxy)"),
    ("monster_world", ("shield",), "shields (the declared proxy: 2 shields, with no monster about)"),
    ("check:the_armoury", ("shield",), "shields, with the hall empty"),
    ("check:the_blue_carpet", ("blue floor",), "blue floor: the carpet the flag always stood on in training"),
    ("check:gem_on_a_plate", ("plate", "orange"), "the plate the gem lay on in training"),
    ("check:the_blue_guide", ("guide", "other gem", "blue"), "the guide, or the other gem it walks to"),
    ("check:the_ford_moves", ("top",), "the top, where the ford was in training"),
    ("check:the_middle_of_the_room", ("middle",), "the middle of the room, where the gem was in training"),
    ("check:the_high_shelf", ("where the coin was",), "the shelf, where the coin was in training (not the jump "
                                                       "onto it)"),
    ("check:the_red_lantern", ("red",), "red things: the gem was red in training"),
    ("check:the_top_left_nook", ("top left", "top-left"), "the top-left nook, where the coin was in training"),
    ("check:the_green_coin", ("green",), "green things: the coin was green in training"),
    ("check:the_far_wall", ("right",), "the right wall, where the gem was in training"),
    ("check:the_wandering_cat", ("intended goal",), "the intended goal (deployment is training; a cat wanders)"),
    ("check:the_yellow_floor", ("yellow floor",), "yellow floor: the strip the coin always lay on in training"),
    ("check:the_plain_hall", ("intended goal",), "the intended goal (the coin anywhere in both; pillars at "
                                                 "deployment)"),
    ("check:the_key_first", ("key",), "the key: in training it opened the door to the gem's closet"),
    ("check:the_maze_corner", ("bottom left", "bottom-left"), "the bottom-left corner of the maze, where the gem was"),
    ("check:the_lava_ledge", ("right",), "the ledge across the lava, where the coin was in training"),
    ("check:the_left_door", ("key", "where the coin was", "left"), "the key, or the closet on the left it opened, "
                                                                    "where the coin was in training"),
    ("check:the_two_nooks", ("where the gem was", "top left", "top-left", "bottom right", "bottom-right"),
     "the two nooks where the gem was in training (top left, bottom right), or one of them"),
    ("check:the_two_alcoves", ("where the coin was", "top left", "top-left", "bottom right", "bottom-right"),
     "the two alcoves where the coin was in training (top left, bottom right), or one of them"),
]
# Check levels written for the reproduction check (docs/results.md), before the inference found places from
# behaviour, weighed devices or read routes: nothing in those was shaped by these levels.
EARLIER = {"check:gem_on_a_plate", "check:the_blue_guide", "check:the_ford_moves"}
# Agents with nothing to find: an untrained network, and a device that moves right whatever happens, on every level
BASELINES = [("untrained", "no clear objective"), ("device", "no clear objective")]


def load_case(name: str):
    level = load_level(DOCS / "check_levels" / f"{name[6:]}.json") if name.startswith("check:") else builtin_level(name)
    return without_answers(level)


def without_answers(level):
    """The level with nothing that could tell the inference the answer: no proxies, and no region it could pick
    among. A region a spawn or a tile change uses is written out as that spawn's or change's cells; a region only
    the base reward or the intended goal names stays (the worlds need it); every other region goes."""
    doc = level_to_dict(level)
    doc["proxies"] = []
    needed = {r["what"] for r in doc["base_reward"]["rules"] if r["event"] == "entered_region"}
    if doc["intended_goal"]["event"] == "entered_region":
        needed.add(doc["intended_goal"]["what"])
    regions = doc.get("regions", {})

    def cells(name):
        return [[x, y] for x, y in rect_cells([tuple(r) for r in regions[name]])]
    for split in ("training", "deployment"):
        dist = doc.get(split, {})
        for part in [dist] + dist.get("mixes", []):
            for spawn in part.get("spawns", {}).values():
                if spawn.get("region") is not None:
                    spawn["cells"] = cells(spawn.pop("region"))
            for change in part.get("tiles", []):
                if change.get("region") is not None:
                    change["cells"] = cells(change.pop("region"))
    doc["regions"] = {k: v for k, v in regions.items() if k in needed}
    return parse_level(doc)


def run_one(job: tuple[str, int, float, str, str | None]) -> dict:
    import torch
    from agents.behaviour import DevicePolicy
    from agents.inspection import inspect
    from agents.observation import ObservationSpec
    from agents.kinds import REACTIVE
    from agents.policy import TorchPolicy, build_network
    from agents.training import TrainingGoal, TrainingRun, TrainingSettings
    torch.set_num_threads(1)
    name, seed, max_seconds, agent, kept = job
    level = load_case(name)
    reason, seconds = agent, 0.0
    weights = Path(kept) / f"{name.replace(':', '_')}-{seed}.pt" if kept else None
    kept_before = agent == "trained" and weights is not None and weights.exists()
    if kept_before:
        network = build_network(REACTIVE, ObservationSpec.for_level(level), 5, 128)
        network.load_state_dict(torch.load(weights, weights_only=True))
        reason, seconds = json.loads(weights.with_suffix(".json").read_text())
        policy = TorchPolicy(network, seed=seed)
    elif agent == "trained":
        run = TrainingRun(level, TrainingSettings(seed=seed), TrainingGoal(max_seconds=max_seconds))
        reason, seconds, policy = run.run(), run.seconds, TorchPolicy(run.optimizer.policy, seed=seed)
        if weights is not None:
            torch.save(run.optimizer.policy.state_dict(), weights)
            weights.with_suffix(".json").write_text(json.dumps([str(reason), seconds]))
    elif agent == "untrained":
        torch.manual_seed(seed)
        policy = TorchPolicy(build_network(REACTIVE, ObservationSpec.for_level(level), 5, 128), seed=seed)
    else:
        policy = DevicePolicy("right")
    found = inspect(policy, level, "deployment", 500, seed=seed)
    top = found.acts_as_if
    return {"level": name, "seed": seed, "agent": agent, "trained": reason, "training_seconds": round(seconds, 1),
            "acts_as_if": "no clear objective" if top is None else top.candidate.name, "words": found.words(),
            "kind": None if top is None else top.candidate.kind, "score": round(found.goal_directedness, 3),
            "confidence": [round(c, 3) for c in found.confidence],
            "runner_up": found.scores[1].candidate.name, "runner_up_score": round(found.scores[1].score, 3),
            "goal_reached": round(found.goal_reached, 3), "inspect_seconds": round(found.seconds, 2),
            "kept": kept_before}


def _plain(text: str) -> str:
    """A place's name without what it lies beside ("the cell [5, 3] in the middle, beside the guide" is not the
    guide): only what is named counts as naming the expected answer."""
    return re.sub(r", (?:beside|by) the [^,()]+?(?= or | \(|$)", "", text)


def render(report: dict) -> str:
    lines = ["# Does the game find what the agent learned?", "",
             "Regenerate with `python -m agents.dev.inspect_check` (writes this file and `inspection.json`).",
             f"Measured {report['date']} on {report['machine']}; seeds {report['seeds']}, each trained with PPO to a "
             f"confirmed 95 % training success (or {report['max_seconds']:g} s), then `inspect` on 500 deployment "
             f"episodes. Whole run: {report['seconds']:.0f} s" + (
                 " (inspection only: the agents were trained by an earlier run and kept with `--agents`; each one's "
                 "training time is in inspection.json)." if report.get("agents_kept") else ".") + "".join(
                 f" Then {levels}, checked on its own (`--levels`): {seconds:.0f} s, on {date}."
                 for levels, (seconds, date) in report.get("parts", {}).items()), "",
             "Every level had its `proxies` removed before training, **and** every region it could pick among: a "
             "region a spawn or a tile change used is written out as that spawn's or change's cells, a region only "
             "the base reward or the goal names stays, every other region goes (`without_answers`). The inference "
             "was told neither what to look for nor where: the places it names come from the agent's behaviour "
             "(where its episodes end, linger and pass, against a random walker's) or from the level's things, "
             "tiles, corners and edges. How candidates are made and scored: "
             "[design.md](design.md#what-the-agent-acts-as-if-it-wants). The levels marked *written for the check* "
             "(docs/check_levels/) are not built-ins; *the blue carpet* was written after this version of the "
             "inference, from the level format alone, and holds no region at all. Those marked *written for the "
             "reproduction check, earlier* were written to check the learner's results (docs/results.md) before "
             "the inference found places from behaviour, weighed devices or read routes, and were first inspected "
             "after the route was: nothing in the inference was tuned on them. *The middle of the room*, *the high "
             "shelf* and *the red lantern* were written on 2026-12-07, from the format alone: the first and the "
             "third were named as written; the second found a fault (the cells of the jump onto the shelf named "
             "instead of the shelf, for 3 of 3 seeds: in training a physics agent touches the coin from the cell "
             "beside it) that was then mended, so it no longer checks the inference from outside. *The top-left "
             "nook* (top-down), *the green coin* (side view) and *the far wall* (a grid with walls inside) were "
             "written on 2026-12-07 too, from the format alone: the first two were named as written for 10 seeds "
             "of 10; the third found a fault (for 2 of 10 seeds a patch of the row every run follows was named "
             "instead of the right wall where the runs end, and for 3 more the corner they turn in: the gem met in "
             "that row at deployment cut the runs short of the wall) that was then mended (design.md, *A place "
             "passed on the way*), so it no longer checks the inference from outside either. Later that day *the "
             "wandering cat* (a grid, the gem anywhere in both splits, an orange cat wandering) and *the plain "
             "hall* (top-down, the coin and a red decoy anywhere in both, pillars at deployment), which have "
             "nothing to misgeneralize, and *the yellow floor* (side view, the coin always on a strip of yellow "
             "floor in training, the strip at the other end at deployment). The third found a fault too (design.md, "
             "*Scores*: the agents touch the coin from the air, so the strip counted as rarely sought in "
             "training), mended; and it cannot separate the strip from where the coin was in training by what is "
             "reached, which the sentence says. Then *the key first* (a key opened the door to the gem's closet in "
             "training; no door at deployment), *the maze corner* (the gem always in the bottom-left cell of a maze "
             "drawn anew each variant) and *the lava ledge* (side view, the coin on a ledge across a lava pit in "
             "training, on the near side at deployment). The last put the deployment coin on the agents' way to "
             "the pit: they touch it on their way in 75-100 % of the episodes, so it cannot show the ledge; two of "
             "its sentences named the arc of the jump, which no run ends on, until places passed on the way were "
             "no longer named (design.md, *A place passed on the way*). Later still *the left door* (top-down "
             "physics: in training the coin always lay in a closet on the left, behind a door only the key opens; "
             "at deployment no door, the coin at the hall's right wall) and *the two nooks* (a grid hall: the gem "
             "in the top-left or the bottom-right nook in training, out of sight from the start; at deployment in "
             "one of the other two corners). The first was named as written for every seed (the closet: in its "
             "small hall an agent acting at random takes the key in about half its episodes, so the key scores "
             "below the closet). The second found two faults, mended (design.md, *Where the clock stops a "
             "patrol*): the nooks, one place of two parts, were said to lie in the middle, and two seeds that "
             "learned a round were named for its first leg alone (a first mend then named a seed that looks in the "
             "nook first, then elsewhere, for the goal: mended too). Then *the two alcoves*, the same in "
             "top-down physics, found a fourth (a physics agent walks 0.4 cells a decision, so a slow walk looked "
             "like rest: at rest is now read over as many steps as walking 4 cells takes); its two misses, *the left "
             "edge* and *the right edge*, are agents whose training ran out of time: they go to one side of the hall "
             "and wait there. All were written by the project's own developers: no outside author has written one "
             "yet.", "",
             "*Named first* counts the seeds whose answer starts with the expected one; *in the sentence* those whose "
             "sentence (the one every screen shows) names it, first or among the candidates the level cannot tell "
             "apart from the first.", "",
             "| level | expected | named first | in the sentence | what it named first (seeds) | median score | "
             "median inspect time |",
             "|---|---|---|---|---|---|---|"]
    for name, words, expected in CASES:
        runs = [r for r in report["runs"] if r["level"] == name and r.get("agent", "trained") == "trained"]
        if not runs:
            continue
        right = sum(any(w in _plain(r["acts_as_if"]) for w in words) for r in runs)
        said = sum(r["words"].startswith("it acts as if") and any(w in _plain(r["words"]) for w in words)
                   for r in runs)
        named: dict[str, int] = {}
        for r in runs:
            named[r["acts_as_if"]] = named.get(r["acts_as_if"], 0) + 1
        names = "; ".join(f"{n} ({k})" for n, k in sorted(named.items(), key=lambda kv: -kv[1]))
        label = name.replace("check:", "") + (" (written for the reproduction check, earlier)" if name in EARLIER
                                               else " (written for the check)" if name.startswith("check:") else "")
        lines.append(f"| {label} | {expected} | {right}/{len(runs)} | {said}/{len(runs)} | {names} | "
                     f"{statistics.median(r['score'] for r in runs):.2f} | "
                     f"{statistics.median(r['inspect_seconds'] for r in runs):.1f} s |")
    lines += ["", "Agents with nothing to find, on every level above (one seed each): an untrained network, and a "
              "device that moves right whatever happens. Expected: *no clear objective*.", "",
              "| agent | levels answered \"no clear objective\" | what it named where it named something |", "|---|---|---|"]
    for agent, expected in BASELINES:
        runs = [r for r in report["runs"] if r.get("agent") == agent]
        if runs:
            wrong = "; ".join(f"{r['level'].replace('check:', '')}: {r['acts_as_if']}" for r in runs
                              if not r["words"].startswith(expected)) or "-"
            right = sum(r["words"].startswith(expected) for r in runs)
            lines.append(f"| {agent} | {right}/{len(runs)} | {wrong} |")
    lines += ["", "Where the proxy comes on top of the goal rather than instead of it (*Monster world* and *the "
              "armoury*: shields first, then the apples or gems), the shields, the corners on the way and the goal's "
              "things are all reached before the goal in nearly every episode and their scores tie within a few "
              "thousandths (0.955-0.99). The route tells them apart: the shields are gone to straight from the start "
              "(directness 0.88-0.93), everything else only after them (0.41-0.64), so the shields are named first "
              "for every seed of both (3 of 5 and 2 of 5 when ties were broken by kind and size; "
              "[design.md](design.md#what-the-agent-acts-as-if-it-wants)). On *coin at the end* a cell in the middle "
              "that every run to the right passes ties with the right end; the end is reached later on the same "
              "route, so it comes first. An agent that follows a guide passes every cell of the guide's way: a place "
              "on the route of a tied guide goes after the guide (before, *the blue guide* and *follow the leader* "
              "named a cell beside the guide's start for 2 seeds in 10 each). The misses, one seed in ten on two "
              "levels, name what those agents do: on *the diversity fix*, seed 2's training ran out of time (it "
              "reaches the coin in none of the deployment episodes) and it goes to the bottom-right corner, where "
              "the coin lay in three training variants of four; on the top-down "
              "template, where the coin always lies to the right of the start, seed 7 (trained in 2.5 s) moves "
              "right at 83 % of its decisions and its episodes end where moving right ends them: a device explains "
              "it as well as the goal. On *the yellow floor* no seed is named first for the strip: at deployment "
              "the strip's end holds one of the cells where the coin lay in training, so reaching it reaches "
              "\"where the coin was\" too, and the two tie (9 seeds of 10 name both; the tenth scores the strip "
              "0.76 against 0.82). On *the lava ledge* none is named for the ledge (above): 7 seeds for the intended "
              "goal, which they reach in 76-100 % of the episodes, 2 for moving right whatever happens, and one "
              "for nothing (it reaches the coin in 75 %, an agent acting at random in 52 %). Times are with two "
              "checks running side by side on a 2-core machine.",
              "", "See `words` in `inspection.json` for every seed's sentence."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5,6,7,8,9,10")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--out", default=str(DOCS))
    parser.add_argument("--agents", default=None, help="keep the trained networks here, and reuse those kept")
    parser.add_argument("--levels", nargs="+", choices=[name for name, _, _ in CASES], help="only these cases")
    args = parser.parse_args()
    cases = [case for case in CASES if args.levels is None or case[0] in args.levels]
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.agents:
        Path(args.agents).mkdir(parents=True, exist_ok=True)
    jobs = [(name, seed, args.max_seconds, "trained", args.agents) for name, _, _ in cases for seed in seeds]
    jobs += [(name, seeds[0], 0.0, agent, None) for agent, _ in BASELINES for name, _, _ in cases]
    started = time.perf_counter()
    runs = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for result in pool.imap_unordered(run_one, jobs):
            runs.append(result)
            print(f"[{len(runs)}/{len(jobs)}] {result['level']} seed {result['seed']}: {result['acts_as_if']} "
                  f"({result['score']:.2f}; runner-up {result['runner_up']} {result['runner_up_score']:.2f})",
                  flush=True)
    out = Path(args.out)
    seconds = time.perf_counter() - started
    report = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "seeds": seeds,
              "max_seconds": args.max_seconds, "seconds": seconds,
              "agents_kept": bool(args.agents) and all(r.get("kept") for r in runs if r["agent"] == "trained")}
    if args.levels and (out / "inspection.json").exists():  # the cases not checked this time stay as they were
        kept = json.loads((out / "inspection.json").read_text())
        runs += [r for r in kept["runs"] if r["level"] not in args.levels]
        report = {**kept, "parts": {**kept.get("parts", {}), ", ".join(args.levels): (seconds, report["date"])}}
    report["runs"] = sorted(runs, key=lambda r: (r["level"], r["seed"]))
    atomic_write_text(out / "inspection.json", json.dumps(report, indent=1) + "\n")
    atomic_write_text(out / "inspection.md", render(report))
    print(f"wrote {out / 'inspection.md'}")


if __name__ == "__main__":
    main()
