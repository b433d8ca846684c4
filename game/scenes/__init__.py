"""The screens, by name: the one place that knows every screen class. Screens never import one another; they ask
the app to open a screen by its name here (`app.open("lab", level=...)`)."""
from game.scenes.editor import EditorScene
from game.scenes.home import HomeScene
from game.scenes.lab import LabScene
from game.scenes.play import PlayScene
from game.scenes.preview import PreviewScene

SCENES = {"home": HomeScene, "editor": EditorScene, "lab": LabScene, "play": PlayScene, "preview": PreviewScene}
