"""Sweeps: the local pool and Ray give the same results per seed; a failure is a row; Ray retries a killed worker's
task; without Ray the command says how to install it."""
import json
import os
import signal
import sys

import pytest

from levels import builtin_level

from agents.experiment import Task, failed, run_experiment, run_local, run_task
from agents.training import TrainingGoal

QUICK = TrainingGoal(target=0.95, max_steps=4096)  # a step budget: the same work whoever runs it


def outcomes(results):
    return {(r["diversity"], r["seed"]): (r["steps"], r["deployment"]["outcomes"]) for r in results["runs"]}


def test_a_failing_task_is_a_row_of_the_results_not_the_end_of_the_sweep():
    tasks = [Task({}, seed, None, QUICK, 10) for seed in range(3)]  # an empty level document cannot be parsed
    rows = list(run_local(tasks, 1))
    assert [r["seed"] for r in rows] == [0, 1, 2] and all("error" in r and r["attempts"] == 1 for r in rows)
    assert failed(tasks[0], "boom", 2) == {"seed": 0, "diversity": None, "error": "boom", "attempts": 2}


def test_without_ray_the_command_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    from game.cli import main
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    code = main(["experiment", "template_grid", "--seeds", "1", "--ray", "-o", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 2 and "pip install" in err and "[cluster]" in err and "Traceback" not in err
    assert not (tmp_path / "r.json").exists()


def test_a_ray_address_where_nothing_answers_is_refused_at_once_before_any_work(tmp_path, capsys):
    """Ray retries an address that never answers for minutes (it hung past 300 s): the address must answer first.
    Only this machine is asked: a port on the loopback that nobody listens on."""
    import socket
    import time
    from game.cli import main
    pytest.importorskip("ray")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # now nothing listens there
    started = time.monotonic()
    code = main(["experiment", "template_grid", "--seeds", "1", "--ray", f"127.0.0.1:{port}",
                 "-o", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 2 and "nothing answers" in err and "Traceback" not in err
    assert time.monotonic() - started < 30 and not (tmp_path / "r.json").exists()


# One Ray instance for every test that uses it: the `ray` group runs on one pytest-xdist worker (pyproject's
# --dist loadgroup), where starting a second instance would cost seconds of CPU the other tests need.
@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.mark.xdist_group("ray")
def test_the_same_seeds_give_the_same_results_on_ray_as_in_the_local_pool(ray_instance):
    level = builtin_level("template_grid")
    local = run_experiment(level, 2, [0.0, 0.5], jobs=2, goal=QUICK, episodes=40)
    on_ray = run_experiment(level, 2, [0.0, 0.5], goal=QUICK, episodes=40, ray="")
    assert on_ray["engine"] == "Ray" and not on_ray["interrupted"] and len(on_ray["runs"]) == 4
    assert outcomes(on_ray) == outcomes(local)


@pytest.mark.xdist_group("ray")
def test_a_killed_worker_loses_no_result(ray_instance, tmp_path):
    from agents.experiment_ray import run_on_ray
    marker = tmp_path / "killed"

    def dies_once(task):  # the first worker to run seed 1 is killed outright, as by the OOM killer or kill -9
        if task.seed == 1 and not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return run_task(task)
    from levels import level_to_dict
    doc = level_to_dict(builtin_level("template_grid"))
    tasks = [Task(doc, seed, None, QUICK, 20) for seed in range(3)]
    rows = list(run_on_ray(tasks, "", job=dies_once))
    assert marker.exists()  # a worker did die
    assert sorted(r["seed"] for r in rows) == [0, 1, 2] and not any("error" in r for r in rows)


@pytest.mark.xdist_group("ray")
def test_the_experiment_command_writes_results_and_a_summary_on_ray(ray_instance, tmp_path, capsys):
    from game.cli import main
    out = tmp_path / "r.json"
    assert main(["experiment", "template_grid", "--seeds", "2", "--max-seconds", "60", "--episodes", "20", "--ray",
                 "-o", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["engine"] == "Ray" and [r["seed"] for r in results["runs"]] == [0, 1]
    captured = capsys.readouterr()
    assert "2/2" in captured.err and "wrote" in captured.out


@pytest.mark.xdist_group("ray")
@pytest.mark.parametrize("engine", ["local", "ray"])
def test_ctrl_c_keeps_what_finished_and_stops_the_rest(engine, request, tmp_path):
    ray = request.getfixturevalue("ray_instance") if engine == "ray" else None

    def interrupt(result, done, total):  # Ctrl+C as the first result comes in
        raise KeyboardInterrupt
    results = run_experiment(builtin_level("template_grid"), 6, jobs=2, goal=QUICK, episodes=20, progress=interrupt,
                             ray="" if ray else None)
    assert results["interrupted"] and len(results["runs"]) == 1 and results["tasks"] == 6
    if ray:  # nothing is left running on the cluster
        import time
        deadline = time.monotonic() + 30
        while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ray.available_resources().get("CPU", 0) == 2
