"""The metadata of an agent file, as a strict pydantic model: what a file may say about its agent, checked before any
of it is used, so that a damaged or hostile file gets a sentence rather than a crash, a hang or a silent cast.

Types are strict (a count given as 1.5, true or "10" is refused) and every number is bounded by what the game could
have written: the level format's own limits for the view, and the training settings' sensible ranges. How the
metadata agrees with the tensors and with the level stored beside it is checked in `agents.agent_file`.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, create_model

from levels.model import MAX_GRID_SIDE, MAX_NAME

from agents.evolution import EvolutionConfig
from agents.kinds import AGENT_KINDS, EVOLUTION, GRADIENT_DESCENT, OPTIMIZERS, VIEWS
from agents.training import TrainingSettings

MAX_RADIUS = MAX_GRID_SIDE  # a window wider than twice the largest level shows nothing more
MAX_WINDOW = 2 * MAX_RADIUS + 1
MAX_HIDDEN = 4096
MAX_CHANNELS = 256
MAX_CURVE_POINTS = 200_000


def _int(lo: int, hi: int):
    return Annotated[StrictInt, Field(ge=lo, le=hi)]


def _float(lo: float, hi: float):
    return Annotated[float, Field(strict=True, allow_inf_nan=False, ge=lo, le=hi)]


def _text(longest: int):
    return Annotated[StrictStr, Field(max_length=longest)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# The bounds of every training setting (`TrainingSettings.flat()`'s names): an agent file's settings outside them were
# not written by the game. A new setting must be given its bounds here (the models below fail to build without).
SETTING_TYPES: dict[str, Any] = {
    "seed": _int(0, 2**31 - 1), "num_envs": _int(1, 4096), "num_steps": _int(1, 4096),
    "learning_rate": _float(0.0, 1.0), "anneal_lr": StrictBool, "max_steps": _int(1, 10**12),
    "gamma": _float(0.0, 1.0), "gae_lambda": _float(0.0, 1.0), "num_minibatches": _int(1, 4096),
    "update_epochs": _int(1, 1000), "clip_coef": _float(0.0, 10.0), "ent_coef": _float(0.0, 10.0),
    "vf_coef": _float(0.0, 100.0), "max_grad_norm": _float(0.0, 1e6), "norm_adv": StrictBool,
    "hidden": _int(1, MAX_HIDDEN), "agent": StrictStr, "optimizer": StrictStr, "view": StrictStr,
    "radius": _int(1, MAX_RADIUS), "success_window": _int(1, 1_000_000),
}
EVOLUTION_TYPES: dict[str, Any] = {
    "population": _int(2, 100_000), "episodes": _int(1, 100_000), "sigma": _float(0.0, 100.0),
    "learning_rate": _float(0.0, 1.0) | None, "weight_decay": _float(0.0, 1.0),
}
CHOICES = {"agent": AGENT_KINDS, "optimizer": OPTIMIZERS, "view": VIEWS}

# Settings a file leaves out take the defaults (files of earlier versions had fewer, and none had evolution's);
# unknown ones are ignored as they always were.
_DEFAULTS = TrainingSettings().flat()
EvolutionSettings = create_model(
    "EvolutionSettings", __config__=ConfigDict(extra="ignore", strict=True),
    **{f.name: (EVOLUTION_TYPES[f.name], f.default) for f in fields(EvolutionConfig)})
Settings = create_model(
    "Settings", __config__=ConfigDict(extra="ignore", strict=True),
    **{EVOLUTION: (EvolutionSettings, EvolutionSettings())},
    **{name: (SETTING_TYPES[name], default) for name, default in _DEFAULTS.items() if name != EVOLUTION})


class ObservationMeta(_Strict):
    view: StrictStr
    radius: _int(1, MAX_RADIUS)
    width: _int(1, MAX_WINDOW)
    height: _int(1, MAX_WINDOW)
    channels: list[_text(64)] = Field(max_length=MAX_CHANNELS)
    scalars: list[_text(64)] = Field(max_length=32)


class NetworkMeta(_Strict):
    kind: _text(64)
    obs_size: _int(1, MAX_WINDOW * MAX_WINDOW * MAX_CHANNELS + 32)
    hidden: _int(1, MAX_HIDDEN)
    actions: _int(1, 1000)


class CurvePoint(_Strict):
    steps: _int(0, 10**15)
    seconds: _float(0.0, 1e9)
    success: _float(0.0, 1.0)
    # "return" is a Python keyword: the field is named return_ and read from the file's "return"
    return_: _float(-1e12, 1e12) = Field(alias="return")
    confirmed: _float(0.0, 1.0) | None = None
    population: list[_float(-1e12, 1e12)] | None = Field(None, max_length=3)


class AgentMeta(_Strict):
    # What reading an agent needs is required; what earlier versions of the game may not have written has defaults.
    format: StrictStr
    version: StrictInt
    level_name: _text(MAX_NAME) = ""
    level_fingerprint: _text(128) = ""
    level: dict
    observation: ObservationMeta
    network: NetworkMeta
    optimizer: StrictStr = GRADIENT_DESCENT
    hyperparameters: Settings  # type: ignore[valid-type]
    seed: _int(0, 2**31 - 1) = 0
    steps: _int(0, 10**15) = 0
    seconds: _float(0.0, 1e9) = 0.0
    training_curve: list[CurvePoint] = Field([], max_length=MAX_CURVE_POINTS)
    created: _text(64) = ""

    def settings(self) -> TrainingSettings:
        return TrainingSettings.from_flat(self.hyperparameters.model_dump())

    def curve(self) -> list[dict]:
        return [p.model_dump(by_alias=True, exclude_none=True) for p in self.training_curve]


def choice_problems(meta: AgentMeta) -> list[str]:
    """Words naming a value that is of the right type but not one the game knows."""
    found = []
    settings = meta.hyperparameters.model_dump()
    for name, allowed in CHOICES.items():
        if settings[name] not in allowed:
            found.append(f"hyperparameters.{name} is {settings[name]!r}, not one of {', '.join(allowed)}")
    if settings[EVOLUTION]["population"] % 2:
        found.append(f"hyperparameters.{EVOLUTION}.population is {settings[EVOLUTION]['population']}: mutants come "
                     "in pairs, so it is even")
    if meta.optimizer not in OPTIMIZERS:
        found.append(f"optimizer is {meta.optimizer!r}, not one of {', '.join(OPTIMIZERS)}")
    if meta.observation.view not in VIEWS:
        found.append(f"observation.view is {meta.observation.view!r}, not one of {', '.join(VIEWS)}")
    return found


def validation_words(error: ValidationError, most: int = 3) -> str:
    """A pydantic error as a few short lines: where in the metadata, and what is wrong there."""
    lines = []
    for e in error.errors()[:most]:
        where = ".".join(str(p) for p in e["loc"]) or "the metadata"
        lines.append(f"{where}: {e['msg'].lower()}")
    more = error.error_count() - most
    return "; ".join(lines) + (f" (and {more} more)" if more > 0 else "")
