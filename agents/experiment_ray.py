"""The experiment's tasks on Ray: a local Ray instance, or a cluster that is already running.

    mesa-sandbox experiment LEVEL --seeds 50 --diversity 0,0.02,0.1,0.25 --ray [ADDRESS] -o OUT.json

One Ray task per (share, seed), one CPU each. Results come back as tasks finish. Ray retries a task once when it
fails or its worker dies (a killed process, a lost node); a task that fails twice is a row with its error in the
results, never dropped. Closing the stream (Ctrl+C) cancels what has not finished. Ray is an optional extra
(`pip install -e ".[cluster]"`), never part of the desktop app.
"""
from __future__ import annotations

import socket
from typing import Callable, Iterator

from agents.experiment_task import Task, failed, run_task

INSTALL = 'pip install -e ".[cluster]" in the project folder (or pip install "ray>=2.9,<3")'
ANSWER_SECONDS = 10.0  # how long a cluster's address may take to answer before the sweep is refused


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached: a message for the person, not a traceback."""


def _ray():
    try:
        import ray
    except ImportError:
        raise RayUnavailable(f"--ray needs Ray, an optional extra that is not installed: {INSTALL}") from None
    return ray


def connect(address: str):
    """Join the cluster at `address` ("" for RAY_ADDRESS if set, else a new local instance); returns (ray, whether
    this call started the connection, so that it is also the one to end it)."""
    ray = _ray()
    if ray.is_initialized():
        return ray, False
    _answers(address)
    try:
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailable(f"cannot reach the Ray cluster at {address!r}: {exc}") from None
    return ray, True


def _answers(address: str) -> None:
    """A cluster's HOST:PORT must answer before Ray is asked to join it: Ray retries an address that never answers
    for minutes (`--ray 999.1.1.1:1` hung past 300 s)."""
    body = address.removeprefix("ray://")
    host, _, port = body.rpartition(":")
    if not host or not port.isdigit():
        return  # "", "auto", "local": no address to try
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=ANSWER_SECONDS).close()
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc) or type(exc).__name__)
        raise RayUnavailable(f"nothing answers at the Ray address {address!r} within {ANSWER_SECONDS:g} s "
                             f"({reason}): is the cluster running, and is the address right?") from None


def run_on_ray(tasks: list[Task], address: str = "", job: Callable[[Task], dict] = run_task) -> Iterator[dict]:
    """Results as the tasks finish on Ray (see the module's text)."""
    ray, started_here = connect(address)
    remote = ray.remote(job).options(num_cpus=1, max_retries=1, retry_exceptions=True)
    running = {remote.remote(task): task for task in tasks}
    try:
        while running:
            done, _ = ray.wait(list(running), num_returns=1)
            for ref in done:
                task = running.pop(ref)
                try:
                    yield ray.get(ref)
                except ray.exceptions.RayError as exc:  # failed on both attempts, or its node is gone
                    yield failed(task, f"{type(exc).__name__}: {str(exc).strip()[-2000:]}", 2)
    finally:
        for ref in running:  # stopped early (Ctrl+C): nothing left running on the cluster
            ray.cancel(ref, force=True)
        if started_here:
            ray.shutdown()
