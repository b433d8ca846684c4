"""The lab's keys: one table that decides what a key does and lists it in the F1 help, so the two never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pygame

from game.session.predict_first import can_predict


def _always(scene) -> bool:
    return True


def _deployment(scene) -> bool:
    return scene.session.split == "deployment"


def _shipped(scene) -> bool:
    return bool(scene.shipped_agents)


@dataclass(frozen=True)
class Shortcut:
    keys: tuple[int, ...]
    label: str  # the keys as F1 names them
    words: str  # what they do, for F1
    command: str  # a `LabScene.command`
    when: Callable[[object], bool] = _always  # the key does nothing (and passes on) otherwise


SHORTCUTS = (
    Shortcut((pygame.K_ESCAPE,), "Esc", "back to the home screen (in a lesson's prediction: leave the prediction)",
             "escape"),
    Shortcut((pygame.K_SPACE,), "Space", "train, or pause or resume the learner", "train"),
    Shortcut((pygame.K_TAB,), "Tab", "switch the split you watch: training / deployment", "switch"),
    Shortcut((pygame.K_e,), "E", "deployment: evaluate 500 episodes", "evaluate", _deployment),
    Shortcut((pygame.K_x,), "X", "deployment: export pictures (a GIF of episodes, a card of what it learned)",
             "export", _deployment),
    Shortcut((pygame.K_k,), "K", "deployment: predict first (what will it do?), then watch, then the reveal",
             "predict", lambda scene: _deployment(scene) and scene.lesson is None and can_predict(scene.session.level)),
    Shortcut((pygame.K_h,), "H", "deployment: heatmap of where it goes", "heatmap", _deployment),
    Shortcut((pygame.K_v,), "V", "deployment: value map", "values", _deployment),
    Shortcut((pygame.K_a,), "A", "deployment: the move it prefers on each cell", "arrows", _deployment),
    Shortcut((pygame.K_w,), "W", "deployment: where would it go?", "where", _deployment),
    Shortcut((pygame.K_g,), "G", "deployment: steer it by its own activations (a slider adds a difference of them to "
             "one layer; a convolutional agent can be retargeted to a clicked cell)", "steer",
             lambda scene: _deployment(scene) and not scene.session.sealed),
    Shortcut((pygame.K_r,), "R", "a planner's reward map: what it plans for", "reward",
             lambda scene: scene.session.reward_map),
    Shortcut((pygame.K_p,), "P", "pause or resume the live episodes", "pause"),
    Shortcut((pygame.K_u,), "U", "use a pre-trained agent (again: another seed)", "shipped", _shipped),
    Shortcut((pygame.K_l,), "L", "seed lottery: the shipped agents of a built-in level side by side", "lottery",
             _shipped),
    Shortcut((pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS), "+", "live episodes faster", "faster"),
    Shortcut((pygame.K_MINUS, pygame.K_KP_MINUS), "-", "live episodes slower", "slower"),
)


def shortcut_for(scene, key: int) -> Shortcut | None:
    """What `key` does in `scene` now, or None."""
    return next((s for s in SHORTCUTS if key in s.keys and s.when(scene)), None)
