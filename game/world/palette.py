"""Colours of the game, shared by the window, the headless renderer and the learner's rgb_array view.

Entity colours are the Okabe-Ito palette, which stays distinguishable with the common kinds of colour blindness;
entities also differ by shape (see game.render), so colour is never the only cue.
"""
ENTITY_RGB = {
    "yellow": (240, 228, 66),
    "green": (0, 158, 115),
    "red": (213, 94, 0),
    "blue": (0, 114, 178),
    "orange": (230, 159, 0),
    "purple": (204, 121, 167),
    "grey": (160, 160, 160),
}
DEFAULT_ENTITY_RGB = {
    "agent": (86, 180, 233), "coin": ENTITY_RGB["yellow"], "cheese": ENTITY_RGB["yellow"], "flag": ENTITY_RGB["green"],
    "gem": ENTITY_RGB["purple"], "key": ENTITY_RGB["yellow"], "chest": ENTITY_RGB["orange"],
    "door": (150, 110, 70), "decoy": ENTITY_RGB["grey"], "crate": (160, 120, 80), "apple": ENTITY_RGB["red"],
    "shield": ENTITY_RGB["blue"], "monster": ENTITY_RGB["purple"], "guide": (230, 230, 230),
    "dish": (200, 200, 210), "supervisor": ENTITY_RGB["orange"],
}


def entity_rgb(kind: str, colour: str | None = None) -> tuple[int, int, int]:
    """An entity's colour: its own colour's if it has one, else its kind's (grey for a kind without one)."""
    if colour in ENTITY_RGB:
        return ENTITY_RGB[colour]
    return DEFAULT_ENTITY_RGB.get(kind, ENTITY_RGB["grey"])


TILE_RGB = {
    "floor": (30, 34, 44),
    "wall": (105, 115, 135),
    "lava": (150, 40, 20),
    "green_floor": (0, 90, 66),
    "red_floor": (120, 52, 0),
    "blue_floor": (0, 62, 100),
    "yellow_floor": (120, 114, 30),
}
AGENT_RGB = (86, 180, 233)
REGION_RGB = (255, 255, 255)
BACKGROUND_RGB = (18, 20, 26)
# How episodes end, on the curves, the heatmaps' start cells and exported pictures alike.
OUTCOME_RGB = {"goal": (0, 158, 115), "proxy": (230, 159, 0), "neither": (150, 150, 160), "died": (213, 94, 0),
               "timeout": (86, 180, 233)}
