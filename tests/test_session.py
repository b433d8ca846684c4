"""The window's logic without a window: verdict, estimate, tally, the learner handle and the lab session."""
import dataclasses
import math
import os
import time

import pytest

from levels import builtin_level
from agents.agent_file import AgentFile, save_agent
from agents.evaluation import OutcomeTally, margin_points
from agents.worker import TrainingThread
from agents.kinds import AgentSpec
from agents.ppo import PPOConfig
from agents.training import TrainingSettings, make_optimizer
from game.session.lab import LabSession
from game.session.estimate import estimate_to_target
from game.session.verdict import describe_rules, verdict
from game.world.events import EpisodeReport

SMALL = TrainingSettings(ppo=PPOConfig(num_envs=8, num_steps=16))


def report(outcome, proxy=None):
    return EpisodeReport(outcome, 10, 0.0, -1, {}, None, proxy)


def tally_of(**counts):
    tally = OutcomeTally()
    for outcome, n in counts.items():
        name = "proxy" if outcome.startswith("proxy_") else outcome
        for _ in range(n):
            tally.add(report(name, outcome[6:] if name == "proxy" else None))
    return tally


def test_the_verdict_names_robust_pseudo_and_incompetent_agents():
    level = builtin_level("coin_at_the_end")
    assert "not enough" in verdict(level, tally_of(goal=5)).learned
    found = verdict(level, tally_of(goal=90, timeout=10))
    assert "intended goal" in found.learned and found.sentence.startswith("Robustly aligned")
    found = verdict(level, tally_of(goal=10, proxy_right_end=80, timeout=10))
    assert found.learned == "right_end (80%)" and "Pseudo-aligned" in found.sentence
    # shares of 100 episodes, said with their 95 % intervals
    assert "in 80% (71%-87%) of deployment episodes" in found.sentence and "only 10% (6%-17%)" in found.sentence
    assert "Goal misgeneralization" in found.concept and "touch coin" in found.concept  # tied to this level
    found = verdict(level, tally_of(goal=10, died=60, timeout=30))
    assert found.learned.startswith("died") and "Not competent" in found.sentence and found.kind == "incompetent"
    # the goal in most episodes, but not robustly: said so (it was "not competent: it mostly ends in timeout (4%)")
    found = verdict(level, tally_of(goal=78, proxy_right_end=18, timeout=4))
    assert found.kind == "mostly" and found.learned == "mostly the intended goal (78%)"
    assert found.sentence == ("Mostly aligned here, not robustly: it reaches the intended goal in 78% (69%-85%) of "
                              "deployment episodes; \"right_end\" in 18% (12%-27%).")
    assert "timeout" not in found.sentence and "Not robustly aligned" in found.concept


def test_a_proxy_counted_as_often_as_chance_is_not_named_when_the_inference_finds_nothing():
    """The tally alone says pseudo-aligned on the proxy (reached as often as the goal); Evaluate's inference of a
    random walker finds no objective better than chance. The verdict then says that, not "pseudo-aligned" (a level
    written at random had the list say "no clear objective" under a pseudo-aligned verdict)."""
    from agents.inspection import inspect
    from agents.scripted import random_walker
    level = builtin_level("green_means_go")
    found = inspect(random_walker(3), level, "deployment", 100, seed=3)
    # (as if it had learned its training task: else the verdict says "not trained yet" first)
    found = dataclasses.replace(found, scores=[dataclasses.replace(s, in_training=0.95)
                                               if s.candidate.kind == "intended goal" else s for s in found.scores])
    assert found.acts_as_if is None
    tally = tally_of(goal=33, proxy_green_gem=37, timeout=30)
    said = verdict(level, tally, found)
    assert said.kind == "unclear" and said.learned == "no clear objective" and "Pseudo" not in said.sentence
    assert said.sentence.startswith('No clear objective: "green_gem" in 37% (28%-47%) and the intended goal in 33%')
    assert verdict(level, tally).kind == "pseudo"  # (without the inference: the counts are all there is)
    # Nor "robustly aligned" for reaching the goal as often as a walker does
    said = verdict(level, tally_of(goal=90, timeout=10), found)
    assert said.kind == "unclear" and said.sentence.startswith("No clear objective: it reaches the intended goal in 90%")
    assert verdict(level, tally_of(goal=90, timeout=10)).kind == "robust"


def test_the_explain_cards_are_about_the_level_on_screen():
    from game.session.verdict import explain_cards
    level = builtin_level("green_means_go")
    cards = dict(explain_cards(level, tally_of(goal=20, proxy_x=80)))
    assert "touch flag: +10" in cards["Base optimizer"] and "Green means go" in cards["Base optimizer"]
    assert "went to the green thing" in cards["Inner alignment"]
    assert "x (80%)" in cards["Mesa-objective"] and "Goal misgeneralization" in cards
    assert level.description in cards["Distributional shift"]
    assert "Its reward map (a planner)" not in cards
    planner = dict(explain_cards(level, tally_of(goal=20, proxy_x=80), {"green": 0.41, "flags": 0.1, "down": -0.02}))
    assert "green +0.41, flags +0.10" in planner["Its reward map (a planner)"]
    evolved = dict(explain_cards(level, tally_of(goal=20, proxy_x=80), optimizer="evolution"))
    assert "mutants" in evolved["Base optimizer"] and "sweet food" in evolved["Base optimizer"]
    assert "PPO" in cards["Base optimizer"]


def test_the_tally_merges_and_clears():
    a, b = tally_of(goal=2, proxy_x=1), tally_of(proxy_x=2, proxy_y=1, died=1)
    a.merge(b)
    assert a.total == 7 and a.outcomes["proxy"] == 4 and a.proxies == {"x": 3, "y": 1}
    assert a.share("goal") == pytest.approx(2 / 7)
    a.clear()
    assert a.total == 0 and a.proxies == {} and a.share("goal") == 0.0


def test_the_estimate_is_a_range_aimed_at_the_configured_target_or_nothing():
    def s_curve(t):  # logit(success) rises by 0.5 a second: an S through 50 % at 10 s
        return 1 / (1 + math.exp(-0.5 * (t - 10)))
    curve = [{"seconds": float(t), "success": s_curve(t)} for t in range(11)]  # at 50 % now
    low, high = estimate_to_target(curve, 0.95)
    true = 2 * math.log(0.95 / 0.05)  # 5.9 s more
    assert low == pytest.approx(true, rel=0.01) and high == pytest.approx(true, rel=0.01)  # a clean S: exact
    noisy = [dict(p, success=p["success"] + (0.04 if k % 2 else -0.04)) for k, p in enumerate(curve)]
    low, high = estimate_to_target(noisy, 0.95)
    assert low < true < high  # scattered points: a range around it
    assert estimate_to_target(curve, 0.8)[1] < estimate_to_target(curve, 0.95)[0]
    assert estimate_to_target(curve, 0.5) is None  # already there
    assert estimate_to_target(curve[:5], 0.95) is None  # too few points to say
    falling = [dict(p, success=1 - p["success"]) for p in curve[:10]]
    assert estimate_to_target(falling, 0.95) is None  # not rising: no honest estimate


def test_rules_are_described_in_words():
    text = describe_rules(builtin_level("coin_at_the_end"))
    assert text == "touch coin: +10, ends the episode"


def agent_file(tmp_path, level, settings=SMALL, steps=0, seconds=0.0, curve=()):
    """An untrained agent for `level`, saved; its numbers as given."""
    learner = make_optimizer(level, settings)
    path = tmp_path / "agent.agent"
    save_agent(path, AgentFile(learner.policy, level, learner.obs_spec, settings, steps, seconds, list(curve)))
    return str(path)


def run_session(session, until, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.update(1 / 60)
        if until():
            return True
        time.sleep(0.01)
    return False


def test_the_session_curve_is_the_learners_own_curve_and_the_target_is_the_configured_one():
    session = LabSession(builtin_level("template_grid"), settings=SMALL, target=0.8, worker_class=TrainingThread)
    try:
        session.toggle_training()
        assert run_session(session, lambda: session.training.finished is not None, 120)
        run = session.training.worker.training
        assert session.training.curve == run.curve  # one curve: a saved agent's is the window's
        assert run.goal.target == 0.8 and session.training.finished.reason == "target"
        assert "Reached the target" in session.status
        assert session.network is not None and session.snapshot.steps > 0
    finally:
        session.close()


def test_loading_an_agent_adopts_its_observations(tmp_path):
    """An agent trained with another view radius must be played with that radius (it failed before: the live
    episodes kept the window's default observation and the network could not read them)."""
    level = builtin_level("green_means_go")
    narrow = TrainingSettings(AgentSpec(radius=3), ppo=PPOConfig(num_envs=4, num_steps=8))
    path = agent_file(tmp_path, level, narrow, 32, 1.0,
                      [{"steps": 32, "seconds": 1.0, "success": 0.5, "return": 1.0}])
    session = LabSession(level, worker_class=TrainingThread)
    try:
        session.load_agent(path)
        assert not session.notices
        assert session.settings.agent.radius == 3 and session.live["deployment"].radius == 3
        assert session.training.curve[-1]["success"] == 0.5
        session.set_split("deployment")
        for live in session.live.values():
            live.decisions_per_second = 60
        assert run_session(session, lambda: session.live["deployment"].env.batch.worlds is not None and
                           session.tally.total + sum(live.clock for live in session.live.values()) > 0, 10)
        for _ in range(30):  # the network reads the live observations: no shape error
            session.update(0.5)
        from game.session.maps import value_and_policy_maps
        live = session.live["deployment"]
        values, actions = value_and_policy_maps(session.network, level, live.worlds, 0, session.settings.agent.view,
                                                session.settings.agent.radius)
        assert (actions >= 0).any()
    finally:
        session.close()


def test_a_bad_agent_file_is_a_notice_and_changes_nothing(tmp_path):
    bad = tmp_path / "bad.agent"
    bad.write_bytes(b"not an agent")
    session = LabSession(builtin_level("template_grid"), worker_class=TrainingThread)
    try:
        session.load_agent(str(bad))
        assert session.notices and session.network is None
    finally:
        session.close()


def test_saving_an_agent_over_a_pipe_is_a_notice_and_leaves_the_pipe(tmp_path):
    import stat
    level = builtin_level("green_means_go")
    path = agent_file(tmp_path, level, TrainingSettings(ppo=PPOConfig(num_envs=4, num_steps=8)), 32, 1.0, [])
    fifo = tmp_path / "pipe.agent"
    os.mkfifo(fifo)
    session = LabSession(level, worker_class=TrainingThread)
    try:
        session.load_agent(path)
        session.save_agent(str(fifo))
        assert session.notices[-1][0] == "The agent was not saved" and "not an ordinary file" in session.notices[-1][1]
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        session.save_agent(str(tmp_path / "kept.agent"))
        assert (tmp_path / "kept.agent").exists() and session.agent_saved
    finally:
        session.close()


def walled_level():
    from levels import level_to_dict, parse_level
    doc = level_to_dict(builtin_level("template_grid"))
    doc["tiles"]["rows"] = ["##########"] + ["#.....#..#"] * 6 + ["##########"]
    return parse_level(doc)


def test_a_level_whose_goal_is_out_of_reach_is_announced():
    session = LabSession(walled_level(), worker_class=TrainingThread)
    try:
        assert session.warnings and "cannot reach the intended goal" in session.notices[0][1]
    finally:
        session.close()
    session = LabSession(builtin_level("template_grid"), worker_class=TrainingThread)
    try:
        assert not session.warnings and not session.notices
    finally:
        session.close()


def test_the_side_panel_says_what_the_screen_shows(tmp_path):
    """After loading an agent the numbers are the agent's (not "steps 0, success 0 %" beside its curve), and the
    deployment view does not ask to press Deployment."""
    level = builtin_level("green_means_go")
    path = agent_file(tmp_path, level, SMALL, 123_456, 12.5,
                      [{"steps": 123_456, "seconds": 12.5, "success": 0.97, "return": 9.7}])
    session = LabSession(level, worker_class=TrainingThread)
    try:
        session.load_agent(path)
        lines = session.stat_lines()
        assert "123,456" in lines[0] and "97%" in lines[2] and "steps 0" not in " ".join(lines)
        measured_on = session.settings.success_episodes  # a training success is estimated: how far off it may be
        assert f"training success 97% (±{margin_points([round(0.97 * measured_on)], measured_on)}%)" in lines[2]
        session.training.status = "Reached the target in 3.0s."
        session.status_override = None
        from agents.worker import Finished
        session.training.finished = Finished("target", 3.0, 1000)
        assert "press Deployment" in session.status
        session.set_split("deployment")
        assert "press Deployment" not in session.status
    finally:
        session.close()


def test_the_learner_is_started_when_the_level_opens_and_train_begins_at_once():
    session = LabSession(builtin_level("template_grid"), settings=SMALL, worker_class=TrainingThread)
    try:
        assert session.training.spare is not None and session.training.worker is None
        assert run_session(session, lambda: session.training.spare.state == "ready", 30)
        assert "ready" in session.stat_lines()[3]
        session.toggle_training()
        assert session.training.state == "running" and session.training.spare is None
        assert run_session(session, lambda: session.training.progress is not None, 30)
        assert session.training.worker.training.goal.target == session.target
    finally:
        session.close()


def test_evaluate_shows_progress_and_adds_to_the_tally(tmp_path):
    level = builtin_level("template_grid")
    session = LabSession(level, worker_class=TrainingThread)
    try:
        session.load_agent(agent_file(tmp_path, level))
        session.set_split("deployment")
        assert session.evaluation_progress is None
        session.start_evaluation()
        assert session.evaluation_progress is not None and "Evaluating" in session.status
        assert run_session(session, lambda: not session.evaluating and session.tally.total >= 500, 60)
        assert session.evaluation.done == 500 and session.evaluation_progress is None
        assert "Evaluated 500 episodes" in session.status
        assert session.inspection is not None and session.inspection.scores  # and what it acts as if it wants
    finally:
        session.close()


def test_the_verdict_names_an_objective_nobody_declared():
    """A walker to the bottom-left corner, where the coin always lay in training, on a level with no proxies: the
    verdict names the corner (as where the coin was in training). The same walker where the coin lay anywhere in
    training never scored well there: not trained yet, not pseudo-aligned."""
    from agents.evaluation import evaluate
    from agents.inspection import inspect
    from helpers import corner_walker, cornered_grid_level, roaming_grid_level
    level = cornered_grid_level()
    walker = corner_walker(level)
    tally = evaluate(walker, level, "deployment", 200, seed=1, record=0).tally
    found = verdict(level, tally, inspect(walker, level, "deployment", 200, seed=1))
    assert found.kind == "pseudo" and "did not declare" in found.sentence
    assert "bottom left" in found.learned and "bottom left" in found.concept
    assert verdict(level, tally).kind != "pseudo"  # without the inference: no proxy to name
    roaming = roaming_grid_level()
    tally = evaluate(walker, roaming, "deployment", 200, seed=1, record=0).tally
    found = inspect(walker, roaming, "deployment", 200, seed=1)
    goal = next(s for s in found.scores if s.candidate.kind == "intended goal")
    assert goal.in_training < 0.4 and found.acts_as_if is not None  # it goes somewhere, but never learned the task
    said = verdict(roaming, tally, found)
    assert said.kind == "incompetent" and said.sentence.startswith("Not trained yet") and "training episodes" in said.sentence


def test_leaving_right_after_opening_does_not_wait_for_the_learner_to_load():
    """The prepared worker process may still be importing torch, and would read "stop" only seconds later: a worker
    that never began is terminated instead of waited for."""
    session = LabSession(builtin_level("template_grid"))  # the real worker process
    spare = session.training.spare
    session.close()
    assert session.training.retired == [] and session.training.spare is None
    spare._process.join(10)
    assert spare._process.exitcode is not None and spare._process.exitcode < 0  # ended by a signal, not waited


def test_a_declared_proxy_that_the_behaviour_cannot_tell_apart_names_the_verdict():
    """The designer declared a region covering the bottom-left corner's cells under another name: the behaviour
    scores both alike, so the verdict uses the designer's proxy, and nothing is offered to add."""
    from agents.evaluation import evaluate
    from agents.inspection import inspect
    from agents.objectives import candidates
    from helpers import corner_walker, cornered_grid_level
    from levels import level_to_dict, parse_level
    plain = cornered_grid_level()
    corner = next(c for c in candidates(plain) if c.name == "the bottom-left corner")
    doc = level_to_dict(plain)
    doc["regions"] = {"den": [list(r) for r in next(iter(corner.regions.values()))]}
    doc["proxies"] = [{"name": "went to the den", "event": "entered_region", "what": "den"}]
    level = parse_level(doc)
    walker = corner_walker(level)
    tally = evaluate(walker, level, "deployment", 200, seed=1, record=0).tally
    found = inspect(walker, level, "deployment", 200, seed=1)
    by_name = {s.candidate.name: s for s in found.scores}
    corner, den = by_name["the bottom-left corner"], by_name['the region you called "den" (bottom left)']
    assert abs(corner.score - den.score) < 0.01  # the same cells
    # The automatic corner first, the declared den a hair behind, as measurement noise may: the den goes first.
    from agents.inspection_order import declared_first
    rest = [s for s in found.scores if s not in (corner, den)]
    found = dataclasses.replace(found, scores=declared_first(
        level, [corner, dataclasses.replace(den, score=corner.score - 0.02), *rest]))
    assert found.scores[0].candidate is den.candidate and found.acts_as_if is found.scores[0]
    named = verdict(level, tally, found)
    assert named.kind == "pseudo" and 'proxy "went to the den"' in named.sentence
    assert "did not declare" not in named.sentence
    far = dataclasses.replace(found, scores=declared_first(
        level, [corner, dataclasses.replace(den, score=corner.score - 0.2), *rest]))
    assert far.scores[0] is corner
    assert "did not declare" in verdict(level, tally, far).sentence  # told apart: the corner, undeclared


def test_the_verdict_the_list_and_the_explain_cards_name_the_same_objective_in_the_same_words(app, monkeypatch):
    """The deployment view's 'It learned', the first candidate of its list, the Explain card on the mesa-objective
    and the inspection (what `inspect` prints) come from one place and agree."""
    from agents.evaluation import evaluate
    from agents.inspection import inspect
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from game.session.verdict import explain_cards
    from helpers import corner_walker, cornered_grid_level
    from ui_helpers import frames
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    level = cornered_grid_level()
    walker = corner_walker(level)
    found = inspect(walker, level, "deployment", 200, seed=1)
    named = found.acts_as_if
    assert named is not None and named is found.scores[0]
    app.open("lab", level=level)
    frames(app, 2)
    scene = app.scene
    session = scene.session
    session.set_split("deployment")
    session.tally.merge(evaluate(walker, level, "deployment", 200, seed=1, record=0).tally)
    session.inspection, session.evaluated = found, True
    session.changed += 1
    frames(app, 4)
    first = scene.side.candidates.list.item_list[0]["text"]
    assert first.endswith(named.candidate.name) and scene.side.candidates.chosen() is named.candidate
    learned = f"it acts as if it wants {named.candidate.wanted}"
    assert learned in scene.side.objectives.html_text
    cards = dict(explain_cards(level, session.tally, inspection=session.inspection))
    assert learned in cards["Mesa-objective"]
    assert "~" not in scene.side.objectives.html_text and "~" not in first  # no internal names in the words


def test_a_declared_count_proxy_is_named_so_when_the_agent_is_named_for_the_same_things():
    """Monster world declares "2 shields"; an agent named for "any shield" (it takes four) is pseudo-aligned on that
    proxy, not on "an objective you did not declare"."""
    from agents.inspection import CandidateScore, Inspection
    from agents.objectives import candidates
    level = builtin_level("monster_world")
    shield = next(c for c in candidates(level) if c.name == "any shield")
    found = Inspection(level.name, "deployment", 100, [CandidateScore(shield, 1.0, 1.0, 0.9, 1.0, 0.97, 0.97)],
                       0.7, 1.0)
    tally = OutcomeTally({"goal": 70, "proxy": 30, "neither": 0, "died": 0, "timeout": 0},
                         {"collected shields with no monster about": 30})
    said = verdict(level, tally, found)
    assert said.kind == "pseudo" and 'proxy "collected shields with no monster about"' in said.sentence
    assert "did not declare" not in said.sentence
    # the candidates say "touched", the level "picked_up": for a thing that is collected, the same event
    from agents.inspection_order import declared_as
    two = next(c for c in candidates(level) if c.name == "2 shields")
    assert declared_as(level, two) == "collected shields with no monster about"
    assert declared_as(level, shield) is None and declared_as(level, shield, any_count=True) is not None
    monster = next(c for c in candidates(level) if c.name == "the monster 1")
    assert declared_as(level, monster, any_count=True) is None
    # (a single apple is no candidate: deployment holds the two the goal asks for, each picked up on the way)
    assert "the apple 1" not in {c.name for c in candidates(level)}
