"""Developer scripts, not part of the game: `python -m agents.dev.pretrain` makes the shipped agents,
`python -m agents.dev.reproduce` regenerates the reproduction table (docs/results.md), `python -m
agents.dev.inspect_check` the inspection's check (docs/inspection.md). They train and measure with the rest of
`agents`, and nothing in the game imports them."""
