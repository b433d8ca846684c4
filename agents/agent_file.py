"""Agent files: a policy's weights as safetensors, its metadata as JSON inside the same file. Nothing is unpickled.

The metadata holds what is needed to trust and use the weights: the level it was trained on (its fingerprint and
the level itself, so `mesa-sandbox evaluate AGENT` needs nothing else), the observation spec, the network shape, the
hyperparameters, the seed and the training curve.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import torch
from safetensors.torch import load as safetensors_load, save as safetensors_bytes

from pydantic import ValidationError

from levels.files import atomic_write_bytes, read_bounded
from levels.format import Level, LevelError, level_to_dict, parse_level

from game.world import ACTIONS

from agents.agent_meta import AgentMeta, choice_problems, validation_words
from agents.network import Network
from agents.observation import ObservationSpec
from agents.problems import AgentFileError
from agents.policy import build_network
from agents.training import TrainingSettings

NETWORK_KINDS = {"mlp": "reactive", "conv": "conv", "planner": "planner"}  # the file's name for each agent kind

FORMAT_NAME = "mesa-sandbox-agent"
FORMAT_VERSION = 1
MAX_AGENT_BYTES = 64 * 1024 * 1024
META_KEY = "mesa_sandbox"
WEIGHT_DTYPES = (torch.float32, torch.float16)  # saved as 32-bit floats, or 16-bit for the shipped agents


@dataclass
class AgentFile:
    policy: Network
    level: Level
    obs_spec: ObservationSpec
    settings: TrainingSettings  # how it was made
    steps: int = 0
    seconds: float = 0.0
    curve: list[dict] = field(default_factory=list)  # training curve: steps, seconds, success, return
    created: str = ""

    def check_level(self, level: Level) -> None:
        """Raise AgentFileError unless this agent can read `level`'s observations."""
        needed = ObservationSpec.for_level(level, self.obs_spec.view, self.obs_spec.radius)
        if needed != self.obs_spec:
            missing = sorted(set(needed.channels) ^ set(self.obs_spec.channels))
            detail = f" (channels that differ: {', '.join(missing)})" if missing else ""
            raise AgentFileError(
                f"this agent was trained on \"{self.level.name}\" and cannot read the observations of "
                f"\"{level.name}\"{detail}; train an agent on this level instead")


def save_agent(path: str | os.PathLike, agent: AgentFile, half: bool = False) -> None:
    """Write an agent file atomically. `half` stores the weights as 16-bit floats (half the size, for the agents
    shipped with the game); loading turns them back into 32-bit ones."""
    meta = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION,
        "level_name": agent.level.name, "level_fingerprint": agent.level.fingerprint(),
        "level": level_to_dict(agent.level),
        "observation": agent.obs_spec.to_dict(),
        "network": {"kind": {v: k for k, v in NETWORK_KINDS.items()}[agent.policy.kind],
                    "obs_size": agent.obs_spec.size, "hidden": agent.settings.agent.hidden,
                    "actions": int(agent.policy.n_actions)},
        "optimizer": agent.settings.optimizer,
        "hyperparameters": agent.settings.flat(), "seed": agent.settings.seed,
        "steps": agent.steps, "seconds": agent.seconds, "training_curve": agent.curve,
        "created": agent.created or time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    state = agent.policy.state_dict()
    tensors = {k: (v.half() if half and v.is_floating_point() else v).detach().clone().contiguous()
               for k, v in state.items()}
    data = safetensors_bytes(tensors, metadata={META_KEY: json.dumps(meta)})
    atomic_write_bytes(path, data)


def _safetensors_metadata(data: bytes) -> dict:
    """The string metadata in a safetensors header: an 8-byte little-endian length, then that much JSON."""
    length = int.from_bytes(data[:8], "little")
    if len(data) < 8 or length > len(data) - 8:
        raise ValueError("the header is cut short")
    meta = json.loads(data[8:8 + length]).get("__metadata__") or {}
    return meta if isinstance(meta, dict) else {}


def _header(source: str, data: bytes) -> tuple[dict, dict]:
    """The metadata (a decoded JSON object) and the tensors, or AgentFileError."""
    try:
        header = _safetensors_metadata(data)
        tensors = safetensors_load(data)
    except Exception as exc:  # safetensors reports a damaged file with several exception types
        raise AgentFileError(f"{source}: not an agent file (the tensors cannot be read: {exc})") from None
    try:
        meta = json.loads(header[META_KEY])
    except (KeyError, TypeError, ValueError, RecursionError):
        raise AgentFileError(f"{source}: not a Mesa Sandbox agent file (no metadata of ours)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise AgentFileError(f"{source}: not a Mesa Sandbox agent file")
    if meta.get("version") != FORMAT_VERSION:
        raise AgentFileError(f"{source}: agent file version {meta.get('version')!r} is not supported "
                             f"(this Mesa Sandbox reads version {FORMAT_VERSION}); update Mesa Sandbox")
    return meta, tensors


def _check_weights(source: str, kind: str, spec: ObservationSpec, meta: AgentMeta, tensors: dict) -> None:
    """The tensors are the ones the metadata's network has, by name, shape and type: compared with the network built
    on torch's meta device (no memory, no initialisation), so nothing the file says is allocated before it is
    checked, and a file is as big as the network it makes."""
    with torch.device("meta"):
        expected = build_network(kind, spec, meta.network.actions, meta.network.hidden).state_dict()
    missing, extra = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or extra:
        words = [f"missing {', '.join(missing[:3])}" if missing else "", f"unknown {', '.join(extra[:3])}" if extra else ""]
        raise AgentFileError(f"{source}: the weights are not those of its network ({'; '.join(w for w in words if w)})")
    for name, want in expected.items():
        have = tensors[name]
        if tuple(have.shape) != tuple(want.shape):
            raise AgentFileError(f"{source}: the weight {name} has shape {list(have.shape)}, its network needs "
                                 f"{list(want.shape)}")
        if have.dtype not in WEIGHT_DTYPES:
            raise AgentFileError(f"{source}: the weight {name} is stored as {str(have.dtype).replace('torch.', '')}; "
                                 "weights are 32- or 16-bit floats")
        if not torch.isfinite(have).all():
            raise AgentFileError(f"{source}: the agent's weights are not finite numbers")


def _agrees(source: str, meta: AgentMeta, trained_on: Level) -> tuple[str, ObservationSpec]:
    """The network kind and the observation spec, once the metadata is seen to agree with itself, its level and the
    world's actions."""
    problems = choice_problems(meta)
    if problems:
        raise AgentFileError(f"{source}: the agent file says what this Mesa Sandbox does not know "
                             f"({'; '.join(problems)})")
    if meta.network.kind not in NETWORK_KINDS:
        raise AgentFileError(f"{source}: the agent's network is of a kind this Mesa Sandbox does not know "
                             f"({meta.network.kind!r}); update Mesa Sandbox")
    kind, o, settings = NETWORK_KINDS[meta.network.kind], meta.observation, meta.settings()
    try:
        spec = ObservationSpec.for_level(trained_on, o.view, o.radius)
    except ValueError as exc:
        raise AgentFileError(f"{source}: the observation spec is not one of its level's ({exc})") from None
    if spec != ObservationSpec.from_dict(o.model_dump()):
        raise AgentFileError(f"{source}: the observation spec does not match the level stored with the agent "
                             "(the file is damaged, or was edited by hand)")
    if meta.network.obs_size != spec.size:
        raise AgentFileError(f"{source}: the network reads {meta.network.obs_size} numbers, its observation spec "
                             f"gives {spec.size}")
    if meta.network.actions != len(ACTIONS):
        raise AgentFileError(f"{source}: the network chooses among {meta.network.actions} actions; the worlds have "
                             f"{len(ACTIONS)} ({', '.join(ACTIONS)})")
    a = settings.agent
    if (a.kind, a.view, a.radius, a.hidden) != (kind, o.view, o.radius, meta.network.hidden):
        raise AgentFileError(f"{source}: the training settings do not match the network and view stored with them")
    try:
        settings.check(trained_on)
    except ValueError as exc:
        raise AgentFileError(f"{source}: this agent could not have been trained on its level: {exc}") from None
    return kind, spec


def load_agent(path: str | os.PathLike, level: Level | None = None) -> AgentFile:
    """Read an agent file; with `level`, also check the agent can play it. Raises AgentFileError.

    Order matters for a hostile file: the metadata is validated (types, bounds), then compared with its own level,
    the world's actions and the tensors, and only then is a network built."""
    source = str(path)
    try:
        data = read_bounded(path, MAX_AGENT_BYTES)
    except OSError as exc:
        raise AgentFileError(f"{source}: cannot read the file ({exc.strerror or exc})") from None
    raw, tensors = _header(source, data)
    try:
        meta = AgentMeta.model_validate(raw)
    except ValidationError as exc:
        raise AgentFileError(f"{source}: the agent file's metadata is damaged: {validation_words(exc)}") from None
    try:
        trained_on = parse_level(meta.level, f"{source} (its level)")
    except LevelError as exc:
        raise AgentFileError(f"{source}: the level stored in the agent file is invalid:\n{exc}") from None
    kind, spec = _agrees(source, meta, trained_on)
    _check_weights(source, kind, spec, meta, tensors)
    policy = build_network(kind, spec, meta.network.actions, meta.network.hidden)
    policy.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    agent = AgentFile(policy, trained_on, spec, meta.settings(), meta.steps, meta.seconds, meta.curve(), meta.created)
    if level is not None:
        agent.check_level(level)
    return agent
