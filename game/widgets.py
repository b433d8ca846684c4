"""Small windows shared by several screens: the concept cards and the file dialogs."""
from __future__ import annotations

import pygame
from pygame_gui.elements import UITextBox, UIWindow
from pygame_gui.windows import UIFileDialog

from game.session.verdict import EXPLAIN


def show_explain(app) -> UIWindow:
    """The concept cards, each tied to what is on screen."""
    rect = app.centered(760, 600)
    window = UIWindow(rect, app.ui, "What you are seeing")
    text = "".join(f"<b>{title}</b><br>{body}<br><br>" for title, body in EXPLAIN)
    UITextBox(text, pygame.Rect(0, 0, rect.w - 32, rect.h - 70), app.ui, container=window)
    return window


def file_dialog(app, title: str, start: str, existing_only: bool) -> UIFileDialog:
    return UIFileDialog(app.centered(720, 520), app.ui, title, initial_file_path=start,
                        allow_existing_files_only=existing_only)
