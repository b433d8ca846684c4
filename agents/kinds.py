"""The kinds of agent network and what an agent is, named in one place that imports nothing heavy (the command line
lists them before it loads torch): "reactive" (an MLP, `agents.policy.Policy`), "conv" (convolutions over the whole
level, `agents.conv.ConvNet`) and "planner" (`agents.planner.Planner`); `AgentSpec` says which kind an agent is and
what it sees, whatever base optimizer makes it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class AgentKind(StrEnum):
    """The kinds of agent network. Members are strings ("reactive" == REACTIVE): files, JSON and menus hold the
    words, the code the constants below."""
    REACTIVE = "reactive"
    CONV = "conv"
    PLANNER = "planner"


class BaseOptimizer(StrEnum):
    """The base optimizers: gradient descent (PPO, `agents.ppo`) and evolution (`agents.evolution`, CMA-ES for the
    planner in `agents.evolution_cma`)."""
    GRADIENT_DESCENT = "ppo"
    EVOLUTION = "evolution"


# The rest of the project names them by these constants (tests/test_layout.py refuses the bare words).
REACTIVE, CONV, PLANNER = AgentKind
AGENT_KINDS = tuple(AgentKind)
GRADIENT_DESCENT, EVOLUTION = BaseOptimizer
OPTIMIZERS = tuple(BaseOptimizer)
# What an agent sees: a window centred on it, or the whole level.
EGOCENTRIC, FULL = "egocentric", "full"
VIEWS = (EGOCENTRIC, FULL)
DEFAULT_RADIUS = 5  # half-width of the egocentric window, in cells
# The kinds that see the whole level and work on the grid's cells, as they are named in messages.
WHOLE_LEVEL = {PLANNER: "the planner", CONV: "the convolutional network"}


@dataclass(frozen=True)
class AgentSpec:
    """The agent, whatever optimizer makes it: its kind of network, what it sees, how wide its layers are.
    `AgentSpec.of(kind)` (or `spec.with_kind(kind)`) gives the view a kind needs."""

    kind: str = REACTIVE  # one of AGENT_KINDS
    view: str = EGOCENTRIC  # one of VIEWS
    radius: int = DEFAULT_RADIUS  # half-width of the egocentric window, in cells
    hidden: int = 128  # width of the hidden layers

    @classmethod
    def of(cls, kind: str) -> AgentSpec:
        return cls().with_kind(kind)

    def with_kind(self, kind: str) -> AgentSpec:
        """This agent as another kind: the whole-level kinds see the whole level, the reactive one its window."""
        return replace(self, kind=kind, view=FULL if kind in WHOLE_LEVEL else EGOCENTRIC)

    def problem(self, world: str) -> str | None:
        """Why this agent cannot play a level of this `world` ("grid" or a physics view), in words; None if it can."""
        if self.kind not in AGENT_KINDS:
            return f"unknown agent kind {self.kind!r}: use one of {', '.join(AGENT_KINDS)}"
        if self.view not in VIEWS:
            return f"unknown view {self.view!r}: use one of {', '.join(VIEWS)}"
        if self.kind in WHOLE_LEVEL:
            what = WHOLE_LEVEL[self.kind]
            if world != "grid":
                return (f"{what} works on the grid's cells: it plays grid levels only (this one is a {world} physics "
                        f"level); choose the reactive network")
            if self.view != FULL:
                return f"{what} sees the whole level: use view '{FULL}'"
        return None

    def check(self, level) -> None:
        """Refuse, in words (ValueError), an agent that cannot play this level."""
        problem = self.problem(level.world)
        if problem:
            raise ValueError(problem)


def shipped_stem(kind: str, optimizer: str, seed: int) -> str:
    """The file name (without .agent) of a pre-trained agent in assets/agents/<level>/: "seed0" for the reactive
    network trained by PPO, "planner-seed0", "planner-evolution-seed0" for the others."""
    return "-".join([*([kind] if kind != REACTIVE else []), *([optimizer] if optimizer != GRADIENT_DESCENT else []),
                     f"seed{seed}"])


def shipped_made(entry: dict) -> tuple[str, str]:
    """The kind of network and the optimizer of an entry of assets/agents/index.json (entries written before they
    were noted there are of the reactive network, trained by PPO)."""
    return entry.get("agent", REACTIVE), entry.get("optimizer", GRADIENT_DESCENT)
