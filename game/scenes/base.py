"""The base of every screen, and what a screen may ask of the app (`app.open`, `app.message`, `app.centered`).

Screens never import each other: they open one another by name through `app.open` (see `game.scenes`).
"""
from __future__ import annotations

import pygame
import pygame_gui


class Scene:
    """One screen. Widgets are created in `build` inside `self.root`, a full-window container."""

    # Whether the screen has a layout for projector mode (larger text, what matters kept); one that has not (the
    # editor) is shown at its desktop size while projector mode is on.
    for_projector = True

    def __init__(self, app):
        self.app = app
        self.root: pygame_gui.core.UIContainer | None = None

    @property
    def ui(self) -> pygame_gui.UIManager:
        return self.app.ui

    def rebuild(self) -> None:
        if self.root is not None:
            self.root.kill()
        w, h = self.app.size
        self.root = pygame_gui.core.UIContainer(pygame.Rect(0, 0, w, h), self.ui)
        self.build()

    def build(self) -> None: ...

    def handle(self, event: pygame.event.Event) -> bool:
        """Return True when the event was used."""
        return False

    def update(self, dt: float) -> None: ...

    def draw(self, surface: pygame.Surface) -> None: ...

    def leave(self) -> None:
        for window in self.windows():  # this screen's own windows do not outlive it
            if window is not None and window.alive():
                window.kill()
        if self.root is not None:
            self.root.kill()
            self.root = None

    def windows(self) -> list:
        """The windows this screen opened (dialogs, cards), closed when it is left."""
        return []

    def animating(self) -> bool:
        """True while something on this screen moves by itself; a still screen is redrawn only when events come."""
        return False

    def unsaved_work(self) -> str | None:
        """What leaving this screen would lose, as a sentence; None when nothing would be."""
        return None

    def before_leaving(self) -> None:
        """Called before the player is asked whether to leave (the editor autosaves here)."""

    def go_back(self) -> None:
        """To the screen this one was opened from (`self.back`), or home."""
        back = getattr(self, "back", None)
        if back is not None:
            self.app.switch(back)
        else:
            self.app.open("home")

    def on_file_dropped(self, path: str) -> None:
        self.app.open_level_file(path)
