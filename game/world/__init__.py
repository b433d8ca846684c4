"""The headless simulation of a level: variants, two engines with one interface, events and outcomes.

No pygame drawing and no torch here, so the learner, the tests and the window all drive the same code.
"""
from game.world.batch import StepResult, WorldBatch, make_worlds
from game.world.events import EpisodeBook, EpisodeReport, EventTable
from game.world.grid import ACTIONS, GridWorlds
from game.world.physics import PhysicsWorlds
from game.world.variants import Variant, VariantSampler

__all__ = ["ACTIONS", "EpisodeBook", "EpisodeReport", "EventTable", "GridWorlds", "PhysicsWorlds", "StepResult",
           "Variant", "VariantSampler", "WorldBatch", "make_worlds"]
