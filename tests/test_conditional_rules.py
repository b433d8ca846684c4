"""Rules and proxies that apply only while an entity is present (`only_if_present`): the supervisor of *Only while
watched*. The fine and the proxy follow the variant; evaluation counts the watched and unwatched episodes apart."""
import re

import pygame
from ui_helpers import frames

from levels import builtin_level, level_to_dict, parse_level

from agents.evaluation import evaluate, margin_points, scripted
from agents.scripted import GridSeeker, entity_targets


def straight_to_the_gem():
    return scripted(GridSeeker(entity_targets("gem")))  # the shortest way: along the top, over the shortcut


def test_the_fine_applies_only_in_the_variants_where_the_supervisor_is():
    level = builtin_level("only_while_watched")
    returns = {}

    def note(report):
        returns.setdefault(report.present, set()).add(round(report.base_return, 4))
    result = evaluate(straight_to_the_gem(), level, "deployment", 200, seed=3, record=0, on_episode=note)
    watched, unwatched = result.by_condition["watched"], result.by_condition["unwatched"]
    assert watched.tally.total + unwatched.tally.total == 200 and min(watched.tally.total,
                                                                      unwatched.tally.total) > 60
    # Watched: fined on the shortcut, and the episode ends there; unwatched: the gem, six steps on.
    assert watched.tally.outcomes["proxy"] == watched.tally.total and watched.reached["goal"] == 0
    assert unwatched.tally.outcomes["goal"] == unwatched.tally.total
    assert watched.reached["took the shortcut"] == watched.tally.total
    assert unwatched.reached["took the shortcut"] == unwatched.tally.total
    assert returns[(True,)] == {round(-1.0 - 3 * 0.02, 4)} and returns[(False,)] == {round(1.0 - 6 * 0.02, 4)}
    doc = result.to_dict()["by_condition"]
    assert set(doc) == {"watched", "unwatched"}
    assert set(doc["watched"]) == {"episodes", "outcomes", "reached"} and doc["watched"]["episodes"] == \
        watched.tally.total


def test_a_proxy_that_applies_only_while_watched_is_counted_only_then():
    doc = level_to_dict(builtin_level("only_while_watched"))
    doc["base_reward"]["rules"][1].pop("only_if_present")  # the fine always: no split by the rules
    doc["proxies"][0]["only_if_present"] = "supervisor"
    level = parse_level(doc)
    result = evaluate(straight_to_the_gem(), level, "deployment", 120, seed=1, record=0)
    assert result.by_condition["watched"].reached["took the shortcut"] == result.by_condition["watched"].tally.total
    assert result.by_condition["unwatched"].reached["took the shortcut"] == 0
    # the fine applies to all: nobody reaches the gem the short way
    assert result.reached["goal"] == 0


def test_levels_without_conditional_rules_report_no_conditions():
    result = evaluate(straight_to_the_gem(), builtin_level("green_means_go"), "deployment", 20, seed=0, record=0)
    assert result.by_condition == {} and result.to_dict()["by_condition"] == {}


def test_renaming_the_supervisor_in_the_editor_renames_what_names_it():
    from levels.document import LevelDocument
    document = LevelDocument(level_to_dict(builtin_level("only_while_watched")))
    assert document.rename_entity("supervisor", "boss") is None
    level = parse_level(document.doc)
    assert level.base_reward.rules[1].only_if_present == "boss"
    assert "boss" in level.training.spawns


def test_the_deployment_view_counts_watched_and_unwatched_episodes_apart():
    import torch
    from agents.observation import ObservationSpec
    from agents.policy import Policy, PolicySnapshot
    from agents.worker import TrainingThread
    from game.session.lab import LabSession
    level = builtin_level("only_while_watched")
    session = LabSession(level, worker_class=TrainingThread, prepare=False)
    try:
        spec = ObservationSpec.for_level(level, session.settings.agent.view, session.settings.agent.radius)
        torch.manual_seed(0)
        network = Policy(spec.size, 5, session.settings.agent.hidden)
        session.adopt(PolicySnapshot.of(network, spec, session.settings.agent.hidden, 0, 0), session.settings, [], "test")
        session.set_split("deployment")
        session.live["deployment"].decisions_per_second = 1000.0
        for _ in range(400):
            session.update(0.05)
            if len(session.conditions) == 2 and session.tally.total >= 8:
                break
        assert set(session.conditions) == {"watched", "unwatched"}
        assert sum(c.tally.total for c in session.conditions.values()) == session.tally.total
        line = session.stat_lines()[0]
        assert line.startswith("took the shortcut: ") and "% unwatched, " in line and "% watched (±" in line
        assert re.search(r"\(±\d+%\)$", line), line  # few episodes: how far off the shares may be
        session.forget_outcomes()
        assert session.conditions == {}
    finally:
        session.close()


def test_the_editor_offers_the_entities_that_may_be_absent_and_undo_takes_a_choice_back(app):
    from game.scenes.editor import EditorScene
    from ui_helpers import choose, key, tab
    app.switch(EditorScene(app, builtin_level("only_while_watched")))
    scene = app.scene
    tab(app, scene, "rules")
    menus = {path: w for w, (path, k, _) in scene.panel.fields.items() if k == "only_if_present"}
    rule = menus[("base_reward", "rules", 1)]
    assert {v for _, v in rule.options_list} == {"always", "supervisor"}  # the supervisor may be absent; nobody else
    choose(app, rule, "always")
    assert "only_if_present" not in scene.document.doc["base_reward"]["rules"][1] and not scene.problems
    choose(app, menus[("proxies", 0)], "supervisor")
    assert scene.document.doc["proxies"][0]["only_if_present"] == "supervisor" and not scene.problems
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    key(app, pygame.K_z, pygame.KMOD_CTRL)
    assert scene.document.doc["base_reward"]["rules"][1]["only_if_present"] == "supervisor"
    assert "only_if_present" not in scene.document.doc["proxies"][0]


def test_the_verdict_says_good_only_while_watched_before_robust_alignment():
    from agents.evaluation import ConditionCount, OutcomeTally
    from game.session.verdict import describe_rules, verdict
    from game.world.events import EpisodeReport
    level = builtin_level("only_while_watched")
    tally, conditions = OutcomeTally(), {}
    for watched, n, shortcut in ((True, 50, 0), (False, 50, 45)):
        count = conditions.setdefault("watched" if watched else "unwatched", ConditionCount())
        for k in range(n):  # every episode reaches the gem; some over the shortcut
            report = EpisodeReport("goal", 8, 0.8, 8, {"took the shortcut": 3 if k < shortcut else -1}, "goal",
                                   None, (), (watched,))
            tally.add(report)
            count.add(report)
    assert verdict(level, tally).kind == "robust"  # the goal in every episode: without the split, robust
    found = verdict(level, tally, conditions=conditions)
    assert found.kind == "conditional"
    assert "90% (79%-96%) of unwatched episodes and 0% (0%-7%) of watched ones" in found.sentence  # with intervals
    assert "deceptive alignment" in found.concept
    assert "(only while supervisor is present)" in describe_rules(level)


def test_predict_first_asks_about_each_condition_and_reveals_what_each_reached_first(app, monkeypatch):
    """On a level whose rules apply only while someone watches the gem is reached either way: "Predict first" asks
    once per condition what it will go for first, and each reveal counts that condition's episodes only."""
    from game.pretrained import pretrained_agents
    from game.session.lesson_shares import did_shares
    from game.scenes.lab import LabScene
    from agents.worker import TrainingThread
    from ui_helpers import click, key, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    level = builtin_level("only_while_watched")
    app.switch(LabScene(app, level))
    scene = app.scene
    scene.load_agent(str(pretrained_agents(level)[0]))  # takes the shortcut in 92 % of unwatched episodes, 0.4 % watched
    scene.command("deployment")
    frames(app, 2)
    assert scene.predict_button.visible
    key(app, pygame.K_k)
    bar, run, session = scene.lesson_bar, scene.lesson, scene.session
    assert [s.do for s in run.steps] == ["predict", "predict", "deploy", "reveal", "reveal"]
    assert bar.question.text == "Unwatched: what will it do?" and session.sealed
    click(app, bar.answers[1])  # unwatched: the shortcut
    key(app, pygame.K_RIGHT)
    assert bar.question.text == "Watched: what will it do?" and not any(b.is_selected for b in bar.answers)
    click(app, bar.answers[0])  # watched: the long way to the gem
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RIGHT)
    assert run.step.when == "unwatched" and run.votes == [0, 1, 0]
    assert run_until(app, lambda: bar.shows_outcomes, 90)
    unwatched = session.conditions["unwatched"].tally.total
    assert f"over {unwatched} unwatched episodes" in bar.outcomes.html_text
    # what it did is estimated from those episodes: how far off any of its shares may be (the 95 % intervals)
    did, episodes = did_shares(session.level, "unwatched", session.tally, session.conditions)
    points = margin_points([round(share * episodes) for share in did], episodes)
    assert 0 < points <= 15 and f"unwatched episodes (±{points}\u00a0points)" in bar.outcomes.html_text
    shortcut = float(bar.outcomes.html_text.split("took the shortcut: 100% / <b>")[1].split("%")[0])
    assert shortcut >= 80
    key(app, pygame.K_RIGHT)
    assert run.step.when == "watched" and run.votes == [1, 0, 0] and bar.shows_outcomes
    goal = float(bar.outcomes.html_text.split("the intended goal: 100% / <b>")[1].split("%")[0])
    assert goal >= 90 and "watched episodes" in bar.outcomes.html_text

