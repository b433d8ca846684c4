"""A lesson step's steering (`steer` in a lesson file): the model, and what makes it impossible on a lesson's level
and agent, in words. `game.session.lesson` reads it; the lesson bar plays it through `game.session.steering`."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from levels.format import Level

from game.world.variants import TILE_SOLID, level_tiles

from agents.contrasts import contrasts_of
from agents.kinds import CONV, PLANNER


class LessonRetarget(BaseModel):
    """Clamp the layer's best channel tracking the intended goal's thing ("goal") or the proxy's ("proxy") at `cell`
    (x, y)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    cell: tuple[StrictInt, StrictInt]
    tracks: Literal["goal", "proxy"] = "proxy"


class LessonSteer(BaseModel):
    """A step's steering: `coefficient` x the activation difference of a `contrast` added at `layer` (the middle
    one when empty), and/or a `retarget`; coefficient 0 and no retarget stops steering. `each`: every episode steered
    by its own variant's vector (a "goal" or "proxy" contrast), as Turner et al. steered each maze by its own."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    contrast: Literal["goal", "split", "proxy"] = "goal"
    coefficient: StrictFloat | StrictInt = Field(ge=-5, le=5)
    layer: StrictStr = Field("", max_length=40)
    each: StrictBool = False
    retarget: LessonRetarget | None = None

    @property
    def active(self) -> bool:
        return self.coefficient != 0 or self.retarget is not None


def steer_problems(where: str, steer: LessonSteer, agent, level: Level) -> list[str]:
    """Why `steer` cannot be played at this step (its `agent` step, the lesson's level), in words; [] if it can."""
    if agent is None or agent.do != "agent" or agent.kind == PLANNER:
        return [f"{where}: steers the agent, but the agent at this step is not a shipped reactive or conv agent"]
    if level.world != "grid":
        return [f"{where}: steering works on grid levels (this one is a physics level)"]
    if len(level.proxies) != 1:
        return [f"{where}: a steered reveal counts outcomes, which name one proxy: this level has "
                f"{len(level.proxies)}"]
    if steer.contrast not in contrasts_of(level):
        return [f"{where}: the contrast \"{steer.contrast}\" is not one of this level's "
                f"({', '.join(contrasts_of(level))})"]
    if steer.each and steer.contrast == "split":
        return [f"{where}: each episode's own vector takes something away from its level: the contrast must be "
                "\"goal\" or \"proxy\", not \"split\""]
    return _retarget_problems(where, steer.retarget, agent, level) if steer.retarget is not None else []


def _retarget_problems(where: str, retarget: LessonRetarget, agent, level: Level) -> list[str]:
    x, y = retarget.cell
    if agent.kind != CONV:
        return [f"{where}: retargeting clamps a channel of a map layer: the agent at this step must be of kind conv"]
    if not (0 <= x < level.width and 0 <= y < level.height) or TILE_SOLID[level_tiles(level)[y, x]]:
        return [f"{where}: the retarget cell {list(retarget.cell)} is not an open cell of the level"]
    if retarget.tracks not in contrasts_of(level):
        return [f"{where}: nothing on this level is \"{retarget.tracks}\" to track"]
    return []
