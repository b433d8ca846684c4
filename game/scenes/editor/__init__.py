"""The level editor screen: the map, a bar of actions and a side panel of tabs."""
from game.scenes.editor.scene import EditorScene

__all__ = ["EditorScene"]
