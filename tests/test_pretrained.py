"""The agents shipped in assets/agents behave as docs/results.md says of agents trained that way, and as their own
index (what `agents.dev.pretrain` measured) says."""
import pytest

from levels import builtin_level, published_cases

from agents.agent_file import load_agent
from agents.evaluation import evaluate
from agents.policy import TorchPolicy
from game.pretrained import agents_root, measured, pretrained_agents

LEVELS = published_cases()


def test_every_built_in_level_ships_six_agents_listed_in_the_index():
    index = measured()
    for name in LEVELS:
        files = pretrained_agents(builtin_level(name))
        assert sorted(files) == list(range(6)), name
        listed = {a["seed"] for a in index if a["level"] == name}
        assert listed == set(files), name
        assert all(path.stat().st_size < 250_000 for path in files.values())  # small files


@pytest.mark.parametrize("optimizer", ["ppo", "evolution"])
def test_the_lessons_planners_are_shipped_listed_and_follow_green(optimizer):
    """The planners of *The optimizer inside* and *Evolution's sweet tooth*: six seeds each, apart from the reactive
    agents of the same level, and each goes to the green gem at deployment as docs/results.md says."""
    level = builtin_level("green_means_go")
    files = pretrained_agents(level, "planner", optimizer)
    index = measured("planner", optimizer)
    assert sorted(files) == list(range(6)) and {a["seed"] for a in index} == set(files)
    assert all(path.name.startswith("planner-") for path in files.values())
    assert not set(files.values()) & set(pretrained_agents(level).values())
    assert all(a["deployment"]["proxy"] >= 0.6 for a in index)
    assert load_agent(files[0], level).settings.agent.kind == "planner"


def _median(name: str, outcome: str, key: str = "deployment") -> float:
    shares = sorted(a[key][outcome] for a in measured() if a["level"] == name)
    return shares[len(shares) // 2]


def test_the_index_describes_the_files_shipped_beside_it():
    """The figures below are the index's; each entry is of the very file shipped (same size, same kind)."""
    for kind, optimizer in [("reactive", "ppo"), ("planner", "ppo"), ("planner", "evolution"), ("conv", "ppo")]:
        for entry in measured(kind, optimizer):
            path = agents_root() / entry["file"]
            assert path.stat().st_size == entry["bytes"], entry["file"]
            assert load_agent(path, builtin_level(entry["level"])).settings.agent.kind == kind


def test_they_misgeneralize_as_the_reproduction_table_says():
    assert _median("coin_at_the_end", "proxy") >= 0.6  # runs to the end, not the coin
    assert _median("cheese_in_the_corner", "proxy") >= 0.5  # heads for the corner
    assert _median("green_means_go", "proxy") >= 0.6  # follows green
    assert _median("the_diversity_fix", "goal") >= 0.5  # the fix: goes back for the coin
    assert _median("cheese_mostly_cornered", "goal") >= 0.6  # looks for the cheese
    assert _median("cheese_on_a_dish", "proxy") >= 0.6  # goes to the dish
    assert _median("follow_the_leader", "proxy") >= 0.6  # follows the guide to the other flag
    assert _median("lava_land", "proxy") >= 0.6  # takes the training way, into the lava
    # picks up shields with no monster about, whether or not it then also picks up the apples
    assert _median("monster_world", "collected shields with no monster about", "reached") >= 0.6


@pytest.mark.parametrize("name", ["green_means_go", "coin_at_the_end", "follow_the_leader"])
def test_a_shipped_file_plays_as_its_index_says(name):
    level = builtin_level(name)
    agent = load_agent(pretrained_agents(level)[0], level)
    result = evaluate(TorchPolicy(agent.policy, seed=11), level, "deployment", 400, seed=11, record=0,
                      view=agent.obs_spec.view, radius=agent.obs_spec.radius)
    listed = next(a for a in measured() if a["level"] == name and a["seed"] == 0)["deployment"]
    assert abs(result.share("proxy") - listed["proxy"]) < 0.1 and abs(result.share("goal") - listed["goal"]) < 0.1
    assert agents_root().joinpath(name, "seed0.agent") == pretrained_agents(level)[0]


@pytest.mark.parametrize("args, words", [(["--seeds", "0"], "--seeds"), (["--jobs", "-2"], "--jobs"),
                                         (["--levels", "atlantis"], "--levels"), (["--agent", "brain"], "--agent"),
                                         (["--optimizer", "luck"], "--optimizer"),
                                         (["--max-seconds", "0"], "--max-seconds")])
def test_the_maker_refuses_arguments_that_would_drop_or_invent_agents(args, words, tmp_path, capsys):
    from agents.dev.pretrain import main
    with pytest.raises(SystemExit) as refused:
        main(args + ["--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert refused.value.code == 2 and words in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing trained, nothing written


@pytest.mark.parametrize("name, pursued, lesson_seed", [
    ("green_means_go", "proxy", 1),  # A vector for green: they go for green
    ("cheese_mostly_cornered", "goal", 2),  # A vector for cheese: they look for the cheese
])
def test_the_convolutional_agents_of_the_steering_lessons_are_shipped_and_reached_the_target(name, pursued,
                                                                                             lesson_seed):
    level = builtin_level(name)
    files = pretrained_agents(level, "conv")
    index = [a for a in measured("conv") if a["level"] == name]
    assert sorted(files) == list(range(4)) and {a["seed"] for a in index} == set(files)
    assert all(a["finished"] == "target" and a["deployment"][pursued] >= 0.6 for a in index)
    assert load_agent(files[lesson_seed], level).settings.agent.kind == "conv"
