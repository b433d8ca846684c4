"""The kinds of agent network, named in one place that imports nothing heavy (the command line lists them before
it loads torch): "reactive" (an MLP, `agents.policy.Policy`), "conv" (convolutions over the whole level,
`agents.conv.ConvNet`) and "planner" (`agents.planner.Planner`)."""

AGENT_KINDS = ("reactive", "conv", "planner")
