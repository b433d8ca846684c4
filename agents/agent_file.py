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

from levels.files import atomic_write_bytes, read_bounded
from levels.format import Level, LevelError, level_to_dict, parse_level

from agents.network import Network
from agents.observation import ObservationSpec
from agents.problems import AgentFileError
from agents.policy import build_network
from agents.ppo import PPOConfig

NETWORK_KINDS = {"mlp": "reactive", "planner": "planner"}  # the file's name for each agent kind

FORMAT_NAME = "mesa-sandbox-agent"
FORMAT_VERSION = 1
MAX_AGENT_BYTES = 64 * 1024 * 1024
META_KEY = "mesa_sandbox"


@dataclass
class AgentFile:
    policy: Network
    level: Level
    obs_spec: ObservationSpec
    config: PPOConfig
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
                    "obs_size": agent.obs_spec.size, "hidden": agent.config.hidden,
                    "actions": int(agent.policy.n_actions)},
        "optimizer": agent.config.optimizer,
        "hyperparameters": agent.config.to_dict(), "seed": agent.config.seed,
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


def load_agent(path: str | os.PathLike, level: Level | None = None) -> AgentFile:
    """Read an agent file; with `level`, also check the agent can play it. Raises AgentFileError."""
    source = str(path)
    try:
        data = read_bounded(path, MAX_AGENT_BYTES)
    except OSError as exc:
        raise AgentFileError(f"{source}: cannot read the file ({exc.strerror or exc})") from None
    try:
        header = _safetensors_metadata(data)
        tensors = safetensors_load(data)
    except Exception as exc:  # safetensors reports a damaged file with several exception types
        raise AgentFileError(f"{source}: not an agent file (the tensors cannot be read: {exc})") from None
    try:
        meta = json.loads(header[META_KEY])
        if meta.get("format") != FORMAT_NAME:
            raise AgentFileError(f"{source}: not a Mesa Sandbox agent file")
        if meta.get("version") != FORMAT_VERSION:
            raise AgentFileError(f"{source}: agent file version {meta.get('version')} is not supported "
                                 f"(this Mesa Sandbox reads version {FORMAT_VERSION}); update Mesa Sandbox")
        trained_on = parse_level(meta["level"], f"{source} (its level)")
        spec = ObservationSpec.from_dict(meta["observation"])
        config = PPOConfig.from_dict(meta["hyperparameters"])
        net = meta["network"]
        if net.get("kind") not in NETWORK_KINDS:
            raise AgentFileError(f"{source}: the agent's network is of a kind this Mesa Sandbox does not know "
                                 f"({net.get('kind')!r}); update Mesa Sandbox")
        if net["obs_size"] != spec.size:
            raise AgentFileError(f"{source}: the network does not match its observation spec")
        policy = build_network(NETWORK_KINDS[net["kind"]], spec, int(net["actions"]), int(net["hidden"]))
        policy.load_state_dict(tensors, strict=True)
    except AgentFileError:
        raise
    except LevelError as exc:
        raise AgentFileError(f"{source}: the level stored in the agent file is invalid:\n{exc}") from None
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise AgentFileError(f"{source}: the agent file is damaged or incomplete ({type(exc).__name__}: {exc})") from None
    if not all(torch.isfinite(t).all() for t in tensors.values()):
        raise AgentFileError(f"{source}: the agent's weights are not finite numbers")
    agent = AgentFile(policy, trained_on, spec, config, int(meta.get("steps", 0)), float(meta.get("seconds", 0.0)),
                      list(meta.get("training_curve", [])), str(meta.get("created", "")))
    if level is not None:
        agent.check_level(level)
    return agent
