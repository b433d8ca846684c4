"""Rooms someone else designed: the walls and lava of MiniGrid's environments (Chevalier-Boisvert et al.), drawn by
MiniGrid's own generators, for the planted check (`planted_check --layouts minigrid`). Only the layout is taken: its
doors are left open (a doorway), its keys, balls, boxes and goal squares are left out; the check plants its own
things. Needs `minigrid` (`pip install minigrid`), which the game does not.
"""
from __future__ import annotations

import random

# Small ones (the check trains a reactive network within a minute or two): crossings of walls and of lava, rooms
# joined by a door, MiniGrid's own distribution shift. Larger ones (FourRooms, 19 x 19) train too slowly here.
ENVS = ("MiniGrid-DistShift1-v0", "MiniGrid-DistShift2-v0", "MiniGrid-LavaGapS6-v0", "MiniGrid-LavaGapS7-v0",
        "MiniGrid-SimpleCrossingS9N1-v0", "MiniGrid-SimpleCrossingS9N2-v0", "MiniGrid-SimpleCrossingS9N3-v0",
        "MiniGrid-SimpleCrossingS11N5-v0", "MiniGrid-LavaCrossingS9N1-v0", "MiniGrid-LavaCrossingS9N2-v0",
        "MiniGrid-DoorKey-6x6-v0", "MiniGrid-DoorKey-8x8-v0", "MiniGrid-Unlock-v0", "MiniGrid-RedBlueDoors-6x6-v0",
        "MiniGrid-MultiRoom-N2-S4-v0")
TILES = {"wall": "#", "lava": "~"}  # MiniGrid's object types kept, as the level's legend writes them
LEGEND = {".": "floor", "#": "wall", "~": "lava"}


def minigrid_layout(rng: random.Random) -> tuple[str, list[str]]:
    """(which environment and seed, its rows): one MiniGrid layout, cut to what can be got to from where MiniGrid
    starts its agent (a MultiRoom's rooms take a corner of a 25 x 25 grid of nothing)."""
    import gymnasium
    import minigrid  # noqa: F401 (registers its environments)
    env_id, seed = rng.choice(ENVS), rng.randrange(2 ** 31)
    env = gymnasium.make(env_id)
    try:
        env.reset(seed=seed)
        grid, start = env.unwrapped.grid, tuple(int(v) for v in env.unwrapped.agent_pos)
        rows = ["".join(TILES.get(getattr(grid.get(x, y), "type", None), ".") for x in range(grid.width))
                for y in range(grid.height)]
    finally:
        env.close()
    return f"{env_id} seed {seed}", _cut(rows, start)


def _cut(rows: list[str], start: tuple[int, int]) -> list[str]:
    """Every cell that cannot be got to from `start` (over floor and lava) walled, and the rows cut to the walls
    around the rest: floor outside MultiRoom's rooms is nowhere, and a level's border must be wall."""
    seen, todo = {start}, [start]
    while todo:
        x, y = todo.pop()
        for nxt in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if (nxt not in seen and 0 <= nxt[1] < len(rows) and 0 <= nxt[0] < len(rows[0])
                    and rows[nxt[1]][nxt[0]] != "#"):
                seen.add(nxt)
                todo.append(nxt)
    x0, x1 = min(x for x, _ in seen) - 1, max(x for x, _ in seen) + 1
    y0, y1 = min(y for _, y in seen) - 1, max(y for _, y in seen) + 1
    return ["".join(rows[y][x] if (x, y) in seen else "#" for x in range(x0, x1 + 1)) for y in range(y0, y1 + 1)]
