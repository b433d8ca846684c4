"""The kinds of agent network, named in one place that imports nothing heavy (the command line lists them before
it loads torch): "reactive" (an MLP, `agents.policy.Policy`), "conv" (convolutions over the whole level,
`agents.conv.ConvNet`) and "planner" (`agents.planner.Planner`)."""

REACTIVE, CONV, PLANNER = "reactive", "conv", "planner"
AGENT_KINDS = (REACTIVE, CONV, PLANNER)  # the rest of the project names them by these constants (tests/test_layout.py)
# The base optimizers, likewise: gradient descent (PPO, `agents.ppo`) and evolution (`agents.evolution`, CMA-ES for
# the planner in `agents.evolution_cma`).
GRADIENT_DESCENT, EVOLUTION = "ppo", "evolution"
OPTIMIZERS = (GRADIENT_DESCENT, EVOLUTION)


def shipped_stem(kind: str, optimizer: str, seed: int) -> str:
    """The file name (without .agent) of a pre-trained agent in assets/agents/<level>/: "seed0" for the reactive
    network trained by PPO, "planner-seed0", "planner-evolution-seed0" for the others."""
    return "-".join([*([kind] if kind != REACTIVE else []), *([optimizer] if optimizer != GRADIENT_DESCENT else []),
                     f"seed{seed}"])


def shipped_made(entry: dict) -> tuple[str, str]:
    """The kind of network and the optimizer of an entry of assets/agents/index.json (entries written before they
    were noted there are of the reactive network, trained by PPO)."""
    return entry.get("agent", REACTIVE), entry.get("optimizer", GRADIENT_DESCENT)
