"""`mesa-sandbox evaluate` and `mesa-sandbox inspect`: play an agent file on a split of a level and say what
happened, and what it acts as if it wants."""
from __future__ import annotations

from levels import named_level

from game.cli.arguments import EXIT_OK


def cmd_evaluate(args) -> int:
    import json
    from agents.agent_file import load_agent
    from agents.evaluation import evaluate, share_words
    from agents.policy import TorchPolicy
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    result = evaluate(TorchPolicy(agent.policy, seed=args.seed), level, args.split, args.episodes, seed=args.seed,
                      view=agent.obs_spec.view, radius=agent.obs_spec.radius, record=0)
    if args.json:
        print(json.dumps(result.to_dict()))
        return EXIT_OK
    print(f"{level.name}, {args.split}: {result.episodes} episodes in {result.seconds:.1f}s")
    for outcome, n in result.outcomes.items():
        lo, hi = result.intervals[outcome]
        print(f"  {outcome:8} {n:6}  {result.share(outcome):6.1%}  (95% CI {lo:.1%} - {hi:.1%})")
    for name, n in result.reached.items():
        print(f"  reached {name!r} at all: {share_words(n, result.episodes)}")
    for name, count in sorted(result.by_condition.items()):  # rules that apply only while someone is present
        n = count.tally.total
        shares = ", ".join(f"{k} {share_words(v, n)}" for k, v in count.tally.outcomes.items() if v)
        print(f"  {name}: {n} episodes: {shares}")
    return EXIT_OK


def cmd_inspect(args) -> int:
    import json
    from agents.agent_file import load_agent
    from agents.evaluation import fraction_words
    from agents.inspection import inspect
    from agents.policy import TorchPolicy
    agent = load_agent(args.agent)
    level = named_level(args.level) if args.level else agent.level
    agent.check_level(level)
    from agents.inspection import NAMED_MIN_SCORE
    found = inspect(TorchPolicy(agent.policy, seed=args.seed), level, args.split, args.episodes, seed=args.seed,
                    view=agent.obs_spec.view, radius=agent.obs_spec.radius)
    planner = agent.policy.readable_objective
    if args.json:
        out = found.to_dict()
        out["candidates"] = out["candidates"][:args.top]
        if planner:
            from agents.planner import mesa_objective
            out["mesa_objective"] = mesa_objective(agent.policy, level, args.split, args.seed)
        print(json.dumps(out))
        return EXIT_OK
    print(f"{level.name}, {args.split}: {found.episodes} episodes in {found.seconds:.1f}s; intended goal reached in "
          f"{fraction_words(found.goal_reached, found.episodes)}")
    low, high = found.confidence
    print(f"{found.words()[0].upper()}{found.words()[1:]} (goal-directedness {found.goal_directedness:.2f}, 95 % "
          f"interval {low:.2f}-{high:.2f}; a candidate is named when its interval starts at {NAMED_MIN_SCORE} or "
          f"above)")
    if planner:
        from agents.planner import describe_objective
        print(f"Its own reward (the planner's mesa-objective): {describe_objective(agent.policy)}")
    print(f"  {'candidate':48} {'score':>6} {'reached':>8} {'first':>6} {'chance':>7} {'training':>9} "
          f"{'approach':>9} {'ended':>6}")
    for s in found.scores[:args.top]:
        approach = "-" if s.approach is None else f"{s.approach:.0%}"
        ended = "-" if s.ended is None else f"{s.ended:.0%}"  # (its own episodes coming to rest there, not at the goal)
        name = s.candidate.name if len(s.candidate.name) <= 48 else s.candidate.name[:45] + "..."  # (cut: said so)
        print(f"  {name:48} {s.score:6.2f} {s.reached:8.0%} {s.reached_before_goal:6.0%} "
              f"{s.baseline:7.0%} {s.in_training:9.0%} {approach:>9} {ended:>6}")
    return EXIT_OK
