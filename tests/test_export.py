"""Pictures to take away: the GIF has one frame per decision of each episode and shows how each ended; the PNG card
is a picture of the right size; `mesa-sandbox export` writes both and refuses bad requests in one line."""
import io

import numpy as np
import pytest
from PIL import Image

from levels import builtin_level, builtin_names

from agents.evaluation import scripted
from agents.scripted import GridSeeker, entity_targets

from game.export import END_MS, FRAME_MS, card, film_episodes, gif_bytes, png_bytes


def test_a_film_has_a_frame_per_decision_and_holds_each_ending():
    level = builtin_level("green_means_go")
    film = film_episodes(scripted(GridSeeker(entity_targets("green"))), level, "deployment", episodes=3, seed=5)
    assert len(film.reports) == 3 and len(film.lengths) == 3
    assert len(film.frames) == sum(film.lengths) == sum(r.length for r in film.reports)
    ends = np.cumsum(film.lengths) - 1
    assert [film.durations[i] for i in ends] == [END_MS] * 3
    assert film.durations.count(FRAME_MS) == len(film.frames) - 3
    assert all(r.outcome == "proxy" for r in film.reports)  # it walked to the green gem every time

    gif = Image.open(io.BytesIO(gif_bytes(film)))
    assert gif.format == "GIF" and gif.n_frames == len(film.frames)
    durations = []
    for i in range(gif.n_frames):
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert durations == film.durations
    assert gif.info.get("loop") == 0  # plays in a loop on a slide


def test_a_film_too_large_to_hold_shows_every_nth_decision_of_whole_episodes(monkeypatch):
    """A 96 x 96 level's four long episodes took 2.5 GB as frames: past the bytes a film may hold, every n-th
    decision is filmed and shown n times as long, and every episode still ends on its ending (not cut in the first)."""
    from game import export
    from agents.scripted import random_walker
    level = builtin_level("green_means_go")
    whole = film_episodes(random_walker(2), level, "deployment", episodes=3, seed=5)
    frame_bytes = whole.frames[0].size[0] * whole.frames[0].size[1]
    monkeypatch.setattr(export, "MAX_FILM_BYTES", frame_bytes * -(-len(whole.frames) // 3))
    film = film_episodes(random_walker(2), level, "deployment", episodes=3, seed=5)
    assert [r.outcome for r in film.reports] == [r.outcome for r in whole.reports]
    assert len(film.frames) <= len(whole.frames) // 3 + 3 and len(film.frames) == sum(film.lengths)
    ends = np.cumsum(film.lengths) - 1
    assert [film.durations[i] for i in ends] == [END_MS] * 3
    assert set(film.durations) - {END_MS} == {FRAME_MS * 3}


def test_the_card_is_a_slide_sized_picture_of_the_outcomes():
    level = builtin_level("green_means_go")
    film = film_episodes(scripted(GridSeeker(entity_targets("flag"))), level, "deployment", episodes=2, seed=1)
    visits = np.zeros((level.height, level.width))
    visits[2, 3] = 5
    picture = Image.open(io.BytesIO(png_bytes(card(level, "deployment", film.tally, None, visits, "test"))))
    assert picture.size == (1600, 900)
    # The goal bar is drawn in the goal's colour: the seeker of the flag reached it in every episode.
    assert film.tally.share("goal") == 1.0
    assert (0, 158, 115) in {c for _, c in picture.convert("RGB").getcolors(1 << 20)}


def _agent_file(tmp_path):
    from agents.agent_file import AgentFile, save_agent
    from agents.ppo import PPOConfig, PPO
    from agents.training import TrainingSettings
    level = builtin_level("green_means_go")
    learner = PPO(level, PPOConfig(num_envs=4, num_steps=8))
    path = tmp_path / "green.agent"
    save_agent(path, AgentFile(learner.policy, level, learner.obs_spec, TrainingSettings(ppo=learner.config)))
    return path


def test_export_writes_the_gif_and_the_card(tmp_path, capsys):
    from game.cli import main
    agent = _agent_file(tmp_path)
    gif, png = tmp_path / "out.gif", tmp_path / "out.png"
    assert main(["export", str(agent), "--episodes", "2", "--gif", str(gif), "--png", str(png),
                 "--card-episodes", "30"]) == 0
    out = capsys.readouterr().out
    frames = Image.open(gif).n_frames
    assert f"{frames} frames, 2 episodes" in out
    assert Image.open(png).size == (1600, 900)


@pytest.mark.parametrize("args, words", [
    ([], "--gif OUT.gif, --png OUT.png, or both"),
    (["--gif", "{tmp}/no/such/folder/x.gif"], "does not exist"),
    (["--episodes", "0", "--gif", "{tmp}/x.gif"], "--episodes"),
    (["--card-episodes", "5", "--png", "{tmp}/x.png"], "--card-episodes"),
    (["--level", "coin_at_the_end", "--gif", "{tmp}/x.gif"], "cannot"),
])
def test_export_refuses_bad_requests_in_one_line(args, words, tmp_path, capsys):
    from game.cli import main
    agent = _agent_file(tmp_path)
    try:
        code = main(["export", str(agent)] + [a.replace("{tmp}", str(tmp_path)) for a in args])
    except SystemExit as exit:  # argparse refuses a bad value by exiting 2
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err, err
    assert not list(tmp_path.glob("x.*"))


def test_export_in_the_deployment_view_saves_both_pictures_and_says_where(app, tmp_path, monkeypatch):
    import re
    import pygame
    from agents.worker import TrainingThread
    import game.export as pictures
    from game.paths import pictures_dir
    from game.scenes.lab import LabScene
    from ui_helpers import click, frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    monkeypatch.setattr(pictures, "CARD_EPISODES", 30)  # a quick card: the worker gets the count from here
    app.switch(LabScene(app, builtin_level("green_means_go")))
    scene = app.scene
    scene.load_agent(str(_agent_file(tmp_path)))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_TAB, mod=0, unicode="\t"))
    frames(app, 2)
    assert scene.session.split == "deployment" and scene.side.export.visible
    click(app, scene.side.export)
    assert scene.pictures.running and scene.side.export.text == "Exporting..."
    assert run_until(app, lambda: not scene.pictures.running and app.message_windows, 180)
    gifs, pngs = list(pictures_dir().glob("green_means_go-*.gif")), list(pictures_dir().glob("green_means_go-*.png"))
    assert len(gifs) == 1 and len(pngs) == 1
    text = app.message_windows[-1].text_block.html_text
    frames_said = int(re.search(r"(\d+) frames of 4 deployment episodes", text).group(1))
    assert "among those the card counts" in text  # it evaluated for its card, and filmed the first of those
    assert Image.open(gifs[0]).n_frames == frames_said and Image.open(pngs[0]).size == (1600, 900)
    assert str(pictures_dir()) in text and "Exported" in scene.session.status
    frames(app, 2)
    assert scene.side.export.text == "Export (X)"


def test_no_words_of_a_gif_are_cut_at_its_edges():
    """A small level's picture is as wide as its longest title and ending (the title was cut at the map's edge)."""
    from game.export import font
    level = builtin_level("cheese_in_the_corner")  # 9 cells wide
    film = film_episodes(scripted(GridSeeker(entity_targets("cheese"))), level, "deployment", 1, seed=0)
    width = film.frames[0].size[0]
    title = f"{level.name}: deployment, episode 1 of 1, step {level.episode_length_of('deployment')}"
    assert width >= font(16, bold=True).size(title)[0] + 16
    assert width >= font(18, bold=True).size(f"Went for the proxy: {level.proxies[0].name}")[0] + 24


def test_the_card_says_what_the_deployment_view_shows_once_it_has_evaluated(tmp_path, monkeypatch):
    """After an Evaluate the card is drawn from the screen's own figures (its counted episodes, where they went and
    its answer), carried to the worker process whole; before one, the export evaluates on its own."""
    import pickle
    import agents.inspection
    import game.export as pictures
    from agents.evaluation import OutcomeTally, evaluate
    from agents.inspection import inspect
    from agents.policy import PolicySnapshot
    from agents.agent_file import load_agent
    level = builtin_level("green_means_go")
    agent = load_agent(_agent_file(tmp_path))
    tally = OutcomeTally()
    tally.outcomes["proxy"] = 7
    found = inspect(scripted(GridSeeker(entity_targets("green"))), level, "deployment", 40)
    filmed = evaluate(scripted(GridSeeker(entity_targets("green"))), level, "deployment", 2, record=2).trajectories
    shown = pictures.Shown(tally, found, np.ones((level.height, level.width), dtype=np.int64), {}, filmed)
    shown = pickle.loads(pickle.dumps(shown))  # as it crosses to the worker process
    drawn = []
    monkeypatch.setattr(pictures, "card", lambda *args: drawn.append(args) or card(*args))

    def evaluates(*args, **kwargs):
        raise AssertionError("the card evaluated episodes of its own")
    monkeypatch.setattr(agents.inspection, "evaluate_and_inspect", evaluates)
    snapshot = PolicySnapshot.of(agent.policy, agent.obs_spec, 128, 0, 0)
    done = pictures.export_pictures(snapshot, level, agent.settings.agent, str(tmp_path), "shown", 1, 30, 0, shown)
    assert done.png.is_file() and Image.open(done.png).size == (1600, 900)
    assert done.endings == [filmed[0].outcome]  # the first of the handed episodes, replayed
    level_drawn, split, tally_drawn, inspection_drawn = drawn[0][:4]
    assert tally_drawn.outcomes["proxy"] == 7 and inspection_drawn.words() == found.words()


def test_export_after_an_evaluate_hands_the_screens_figures_to_the_card(app, tmp_path, monkeypatch):
    import pygame
    from agents.worker import TrainingThread
    from game.scenes.lab import LabScene
    from ui_helpers import frames, run_until
    monkeypatch.setattr(LabScene, "trainer_class", TrainingThread)
    app.switch(LabScene(app, builtin_level("green_means_go")))
    scene = app.scene
    scene.load_agent(str(_agent_file(tmp_path)))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_TAB, mod=0, unicode="\t"))
    frames(app, 2)
    handed = []
    monkeypatch.setattr(scene.pictures, "start", lambda *args: handed.append(args) or True)
    scene.export()
    assert handed[-1][4] is None  # nothing evaluated yet: the export evaluates for its card
    scene.session.start_evaluation()
    assert run_until(app, lambda: scene.session.evaluated, 120)
    scene.export()
    shown = handed[-1][4]
    assert shown.inspection is scene.session.inspection
    assert shown.tally.outcomes == scene.session.tally.outcomes and shown.tally is not scene.session.tally
    # The GIF replays the first of the episodes that Evaluate counted.
    assert len(shown.filmed) == 4 and all(t.outcome and t.variant is not None for t in shown.filmed)


@pytest.mark.parametrize("name", builtin_names())
def test_every_recorded_episode_replays_as_it_was_played(name):
    """The GIF replays episodes an evaluation counted, from their variants and recorded actions: on every built-in
    (walkers, physics, keys, doors) a replayed episode passes the same positions and ends the same way, in every
    recorded world of the batch (a physics world's place in the space is part of its arithmetic), while the
    worlds beside it restart."""
    from agents.evaluation import evaluate, replay
    level = builtin_level(name)
    rng = np.random.default_rng(3)

    def wanders(obs, worlds):  # mostly one way, so episodes end in every way, not only by time
        return np.where(rng.random(len(obs)) < 0.6, rng.integers(0, 5), rng.integers(0, 5, len(obs)))
    played = evaluate(wanders, level, "deployment", episodes=12, num_envs=4, record=4, seed=1)
    assert len(played.trajectories) == 4
    for recorded in played.trajectories:
        positions = [tuple(float(v) for v in worlds.agent_pos[i]) for worlds, i, _ in replay(level, "deployment",
                                                                                              recorded)]
        assert positions == recorded.positions[1:]
    ends = [report.outcome for recorded in played.trajectories
            for _, _, report in replay(level, "deployment", recorded) if report is not None]
    assert ends == [t.outcome for t in played.trajectories]


def test_a_replay_that_goes_another_way_is_refused_in_words():
    from agents.evaluation import ReplayError, evaluate, replay
    level = builtin_level("green_means_go")
    played = evaluate(scripted(GridSeeker(entity_targets("green"))), level, "deployment", 1, record=1)
    recorded = played.trajectories[0]
    recorded.actions = recorded.actions[:-1]  # it stops one decision short of where it ended
    with pytest.raises(ReplayError, match="ended another way"):
        list(replay(level, "deployment", recorded))


def test_the_gif_replays_the_first_episodes_the_card_counts(tmp_path, capsys, monkeypatch):
    """`export --gif --png`: one evaluation; the GIF shows its first episodes, no episodes of its own."""
    import game.export as pictures
    from game.cli import main

    def plays(*args, **kwargs):
        raise AssertionError("the GIF played episodes the card does not count")
    monkeypatch.setattr(pictures, "film_episodes", plays)
    drawn = []
    monkeypatch.setattr(pictures, "card", lambda *args: drawn.append(args) or card(*args))
    agent = _agent_file(tmp_path)
    gif, png = tmp_path / "out.gif", tmp_path / "out.png"
    assert main(["export", str(agent), "--episodes", "3", "--gif", str(gif), "--png", str(png),
                 "--card-episodes", "30"]) == 0
    assert "3 episodes" in capsys.readouterr().out and Image.open(png).size == (1600, 900)
    tally, about = drawn[0][2], drawn[0][5]
    assert tally.total == 30 and about.endswith("the GIF shows 3 of them")
