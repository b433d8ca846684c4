"""Errors about agents that reach a person. Kept apart from `agents.agent_file` so that catching them does not
import torch (the level commands stay fast)."""


class AgentFileError(Exception):
    """An agent file that cannot be used, with a message a person can act on."""


class SteeringError(ValueError):
    """Steering asked of an agent or a level that cannot have it (a planner; a goal with no things to remove; a
    layer that is not a map), with a message that says why."""
