"""The lab's right-hand column: the status line and numbers, then the training curves (training view) or the
deployment counters, Evaluate, the overlay switches and the three objectives (deployment view)."""
from __future__ import annotations

import html

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox

from game.layout import Column
from game.scenes.lab.candidates import CandidateList
from game.scenes.lab.charts import draw_counters, draw_curves
from game.scenes.lab.choices import Choices
from game.session.lab import LabSession
from game.widgets import set_fitted_text

OVERLAYS = [("heatmap", "Heatmap (H)"), ("values", "Values (V)"), ("arrows", "Arrows (A)")]
WHERE_TIP = "Where the agent ends up from every start cell of each world, as it is now"
EXPORT_LABEL = "Export (X)"
EXPORT_TIP = "Save pictures for slides: a GIF of deployment episodes and a card of what it learned (Pictures folder)"
PAUSE_TIP = "Stop the live episodes; then drag the agent or anything else to another cell"
LINE = 28  # a line of the status and numbers, in design pixels (game.layout)


class SidePanel:
    def __init__(self, scene, rect: pygame.Rect):
        ui, r = scene.ui, scene.root
        self.rect = rect
        # Projector mode keeps what a room reads (status, numbers, curves or counters, Evaluate, the three
        # objectives) and drops the rest from the layout; its keys (H, V, A, W, P, X, U) still work.
        self.compact = compact = scene.app.projector
        self.dropped: set = set()  # widgets projector mode leaves out (the choices' menus are made again: not here)
        column = Column(rect, scene.app.scale, gap=0)
        air = column.px(6)
        if compact:  # the larger status wraps onto a second line rather than being cut
            self.status = UITextBox("", column.row(2 * LINE), ui, container=r, object_id="#status")
        else:
            self.status = UILabel(column.row(LINE), "", ui, container=r, object_id="#muted")
        self._status_text = ""
        below_status = column.y
        self.stats = [UILabel(column.row(LINE), "", ui, container=r) for _ in range(4)]
        # The training view: four lines of numbers, the agent and optimizer menus, the shipped agents, the curves.
        column.skip(air)
        session = scene.session
        self.choices = Choices(scene, rect.x, column.y, rect.w, column.px(LINE) + 6,
                               {"agent": session.agent_kind, "optimizer": session.optimizer})
        if not compact:
            column.skip(self.choices.height + air)
        # The agents shipped with the game for this level, at once (Train stays one click away).
        self.shipped = UIButton(column.row(36, after=air), "Use a pre-trained agent (U)", ui, container=r,
                                tool_tip_text="Load one of the agents shipped for this level, trained by the same "
                                              "PPO; press again for another seed")
        self.has_shipped = bool(scene.shipped_agents)
        rest = column.rest(0)
        self.curve_rect = pygame.Rect(rest.x, rest.y, rest.w, int(rest.h * 0.9))
        # The deployment view has one line of numbers: its counters start higher.
        column.y = below_status + column.px(LINE) + air
        self.counter_rect = column.row(5 * 30, after=2 * air)
        column.gap = air

        def row(height: float, *weights: float) -> list[pygame.Rect]:
            """A row projector mode drops: it takes no room there."""
            top = column.y
            cells = column.cells(height, *weights)
            column.y = top if compact else column.y
            return cells
        evaluate, export = [column.row(40), pygame.Rect(rect.right, 0, 1, 1)] if compact else column.cells(40, 2, 1)
        self.evaluate = UIButton(evaluate, f"Evaluate {session.evaluation.episodes} episodes (E)", ui, container=r,
                                 object_id="#primary")
        self.export = UIButton(export, EXPORT_LABEL, ui, container=r, tool_tip_text=EXPORT_TIP)
        self.overlay_buttons = {key: UIButton(cell, label, ui, container=r)
                                for cell, (key, label) in zip(row(36, 1, 1, 1), OVERLAYS)}
        pause, where = row(36, 1, 1)
        self.pause = UIButton(pause, "Pause (P)", ui, container=r, tool_tip_text=PAUSE_TIP)
        self.overlay_buttons["where"] = UIButton(where, "Where would it go? (W)", ui, container=r,
                                                 tool_tip_text=WHERE_TIP)
        self.candidates = CandidateList(scene, row(3 * 26 + 6, 1)[0], column.px(26))
        self.add_proxy = UIButton(row(36, 1)[0], "Add the chosen one to the level as a proxy", ui, container=r,
                                  tool_tip_text="Opens the editor with it added (Ctrl+Z undoes it)")
        self.objectives = UITextBox("", column.rest(80), ui, container=r)
        self.deployment_widgets = [self.evaluate, self.export, self.objectives, self.pause, self.candidates.list,
                                   *self.overlay_buttons.values()]
        if compact:
            self.dropped.update([self.export, self.pause, self.candidates.list, self.add_proxy,
                                 *self.overlay_buttons.values()])
        self._shown_change = None
        self._objectives_text = ""
        self._objectives_measured = False  # the objectives box shows what was measured at deployment
        self.drew_counts = False  # the last frame drew outcome counters with episodes in them

    def refresh(self, split: str, overlay: dict[str, bool], paused: bool) -> None:
        dropped = self.dropped | (set(self.choices.widgets()) if self.compact else set())
        for widget in self.deployment_widgets + self.stats[1:] + self.choices.widgets():
            shown = (split == "deployment") == (widget in self.deployment_widgets) and widget not in dropped
            widget.show() if shown else widget.hide()
        self.add_proxy.hide()  # shown by update() once there is something to add
        self.shipped.show() if split == "training" and self.has_shipped else self.shipped.hide()
        for key, button in self.overlay_buttons.items():
            button.select() if overlay[key] else button.unselect()
        self.pause.set_text("Resume (P)" if paused else "Pause (P)")
        self.pause.select() if paused else self.pause.unselect()
        self._shown_change = None

    def update(self, session: LabSession, exporting: bool = False) -> None:
        # Before a prediction nothing measured at deployment may show: Evaluate and Export wait for the reveal.
        for button in (self.evaluate, self.export):
            if button.is_enabled == session.sealed:
                button.disable() if session.sealed else button.enable()
        # Rich text and lists take 10-20 ms each to rebuild: when an evaluation ends, the list this frame and the
        # objectives the next, rather than one frame of about 90 ms.
        rebuilt = self.candidates.refresh(session.inspection, session.apparent_objective(), session.level)
        chosen = self.candidates.chosen()
        proposal = (session.split == "deployment" and chosen is not None and self.add_proxy not in self.dropped
                    and session.proposed_proxy(chosen) is not None)
        if proposal != self.add_proxy.visible:
            self.add_proxy.show() if proposal else self.add_proxy.hide()
        if self._status_text != session.status:
            self._status_text = session.status
            if self.compact:  # a text box: it wraps
                self.status.set_text(html.escape(session.status))
            else:
                set_fitted_text(self.status, session.status)
        for label, text in zip(self.stats, session.stat_lines()):
            set_fitted_text(label, text)  # (the shares by condition outgrew the panel in projector mode)
        progress = session.evaluation_progress
        episodes = session.evaluation.episodes
        label = (f"Evaluate {episodes} episodes (E)" if progress is None
                 else "Reading what it wants..." if session.evaluation.inspecting
                 else f"Evaluating... {session.evaluation.done} / {episodes}")
        set_fitted_text(self.evaluate, label)
        label = "Exporting..." if exporting else EXPORT_LABEL
        if self.export.text != label:
            self.export.set_text(label)
        # (Once sealed, what was measured goes at once: a class is about to predict again.)
        stale = session.sealed and self._objectives_measured
        if session.split == "deployment" and self._shown_change != session.changed and (not rebuilt or stale):
            o = {k: (v if k == "concept" else html.escape(v, quote=False)) for k, v in session.objectives().items()}
            text = (f"<b>You wanted:</b> {o['wanted']}<br><b>You rewarded:</b> {o['rewarded']}<br>"
                    f"<b>It learned:</b> {o['learned']}<br><br><b>{o['verdict']}</b><br><br>{o['concept']}")
            if text != self._objectives_text:  # a rebuild with its scroll bar takes 15-30 ms: a visible hitch
                self._objectives_text = text
                self.objectives.set_text(text)
            self._objectives_measured = session.tally.total > 0 or session.inspection is not None
            self._shown_change = session.changed

    def draw(self, surface: pygame.Surface, session: LabSession, font, small) -> None:
        self.drew_counts = False
        if session.split == "training":
            draw_curves(surface, self.curve_rect, session.training.curve, session.target, font)
        elif session.sealed:
            words = small.render("Outcomes: after your prediction", True, (200, 200, 200))
            surface.blit(words, (self.counter_rect.x, self.counter_rect.y + 6))
        else:
            draw_counters(surface, self.counter_rect, session.tally, font, small)
            self.drew_counts = session.tally.total > 0
            if session.evaluation_progress is not None:  # a progress bar along the button's bottom edge
                r = self.evaluate.rect
                pygame.draw.rect(surface, (240, 228, 66), (r.x, r.bottom + 2, int(r.w * session.evaluation_progress), 4))

    def shows_measured(self) -> bool:
        """Whether the panel shows anything measured at deployment: counts, what it learned and the verdict, the
        candidates, or an evaluation's result in the status line."""
        return (self.drew_counts or (self.objectives.visible and self._objectives_measured)
                or (self.candidates.list.visible and bool(self.candidates.by_text))
                or self._status_text.startswith("Evaluated"))

    def pressed(self, event) -> str | None:
        """"evaluate", "export", "add_proxy", "pause", an overlay's name, or None."""
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return None
        named = {self.evaluate: "evaluate", self.export: "export", self.shipped: "shipped",
                 self.add_proxy: "add_proxy", self.pause: "pause"}
        if event.ui_element in named:
            return named[event.ui_element]
        return next((key for key, button in self.overlay_buttons.items() if button is event.ui_element), None)
