"""The screens, by name: the one place that knows every screen class. Screens never import one another; they ask
the app to open a screen by its name here (`app.open("lab", level=...)`).

A screen's module is imported when it is first opened: the home screen starts without loading torch, which the
training screen needs (about a second of start-up).
"""
import importlib

SCENES = {"home": "game.scenes.home:HomeScene", "editor": "game.scenes.editor:EditorScene",
          "lab": "game.scenes.lab:LabScene", "play": "game.scenes.play:PlayScene",
          "preview": "game.scenes.preview:PreviewScene", "lottery": "game.scenes.lottery:LotteryScene"}


def scene_class(name: str) -> type:
    module, cls = SCENES[name].split(":")
    return getattr(importlib.import_module(module), cls)
