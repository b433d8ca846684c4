"""The training view and the deployment view of one level: one screen, one click (or Tab) switches the split.

The screen is a toolbar, a world view (four live episodes and their overlays) and a side panel (numbers, curves or
counters, the three objectives); what they show comes from `game.session.lab.LabSession`.
"""
from game.scenes.lab.scene import LabScene

__all__ = ["LabScene"]
