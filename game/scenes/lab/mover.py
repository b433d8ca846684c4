"""Dragging things around a live world: press on the agent or any entity in the deployment view, move the mouse,
let go. The world pauses and the thing follows the cursor cell by cell wherever it may stand, so the value map,
the arrows and the trail of next moves answer "what if it were here?" as the mouse moves."""
from __future__ import annotations

import pygame

from game.session.what_if import thing_at


class Mover:
    def __init__(self, session, world_view):
        self.session, self.view = session, world_view
        self.held: tuple[int, int] | None = None  # (world, thing) being dragged

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            return self.press(event.pos)
        if event.type == pygame.MOUSEMOTION and self.held is not None:
            if not event.buttons[0]:  # the button came up over a widget, which kept that event
                self.held, self.view.refused = None, None
                return False
            self.drag_to(event.pos)
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.held is not None:
            self.held, self.view.refused = None, None
            return True
        return False

    def press(self, pos) -> bool:
        session = self.session
        where = self.view.cell_at(pos)
        if where is None or session.split != "deployment" or session.network is None:
            return False
        i, cell = where
        thing = thing_at(session.live[session.split].worlds, i, cell)
        if thing is None:
            return False
        session.paused = True
        self.held = (i, thing)
        return True

    def drag_to(self, pos) -> None:
        where = self.view.cell_at(pos, world=self.held[0])
        i, thing = self.held
        if where is None or self.at(i, thing) == where[1]:
            return
        reason = self.session.move(i, thing, where[1])
        self.view.refused = (i, where[1], reason) if reason else None

    def at(self, i: int, thing: int) -> tuple[int, int]:
        worlds = self.session.live[self.session.split].worlds
        cell = worlds.agent_cell[i] if thing < 0 else worlds.cells[i, thing]
        return int(cell[0]), int(cell[1])
