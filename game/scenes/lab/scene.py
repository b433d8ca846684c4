"""The lab screen: lays out the toolbar, the world view and the side panel, and turns clicks and keys into
commands on its `LabSession`."""
from __future__ import annotations

import copy
import time

import pygame
import pygame_gui
from pygame_gui.elements import UIWindow

from levels.format import Level

from agents.worker import TrainingProcess
from game.export import PictureExport, Shown
from game.paths import agents_dir, file_stem, pictures_dir
from game.pretrained import pretrained_agents
from game.scenes.base import Scene
from game.scenes.lab.charts import fitted
from game.scenes.lab.keys import SHORTCUTS, shortcut_for
from game.scenes.lab.lesson_bar import LessonBar
from game.scenes.lab.mover import Mover
from game.scenes.lab.side_panel import SidePanel
from game.scenes.lab.steer_panel import SteerPanel
from game.scenes.lab.toolbar import SPEED_RANGE, Toolbar
from game.scenes.lab.world_view import WorldView
from game.session.lab import LabSession
from game.session.lesson import LessonRun
from game.session.predict_first import can_predict, prediction_lesson
from game.session.verdict import explain_cards
from game.widgets import file_dialog, show_explain



class LabScene(Scene):
    # The learner runs in a worker process so that it never competes with the window for the GIL (see
    # agents.worker.TrainingProcess); tests may swap in a TrainingThread.
    trainer_class = TrainingProcess

    def __init__(self, app, level: Level, source: str | None = None, lesson: LessonRun | None = None,
                 autoplay: bool = False, once: bool = False, trace=None):
        super().__init__(app)
        self.level, self.source = level, source
        # A lesson drives this screen step by step (game.session.lesson); autoplay moves on by itself, for a kiosk.
        self.lesson, self.autoplay, self.once = lesson, autoplay, once
        self.trace = trace  # a `LessonTrace` (lesson --trace): a line per step as the class saw it
        self.lesson_bar: LessonBar | None = None
        self.pictures = PictureExport()
        self.session = LabSession(level, source, worker_class=self.trainer_class, prepare=not autoplay)
        self.shipped_agents = pretrained_agents(level)  # seed -> file, for an unchanged built-in
        self._shipped_next = 0
        self.world_view = WorldView(self.session)
        self.mover = Mover(self.session, self.world_view)
        self.steer_panel = SteerPanel(self)
        self.dialog = None
        self.dialog_purpose = ""
        self.explain_window: UIWindow | None = None
        self._fonts: dict[int, pygame.font.Font] = {}
        self._shown: tuple = ()  # (learner state, has an agent) the buttons were last set for

    # --- layout ----------------------------------------------------------------------------------------------
    def build(self) -> None:
        w, h = self.app.size
        s = self.app.scale
        pad = int(12 * s)
        self.toolbar = Toolbar(self, self.session.live["training"].decisions_per_second)
        if not self.shipped_agents:
            self.toolbar.buttons["lottery"].disable()  # only the shipped agents of an unchanged built-in take part
        top = self.toolbar.height
        side = int(w * 0.34)
        # (A room's larger text needs a taller bar: the worlds, in one row there, have room to spare.)
        bar = int((250 if self.app.projecting else 210) * s) if self.lesson is not None else 0
        self.world_view.rect = pygame.Rect(pad, top + int(34 * s), w - side - 3 * pad,
                                           h - top - int(34 * s) - pad - bar)
        self.world_view.min_span = w // 2 if self.app.projecting else 0  # a room reads the map from the back
        # The title row: the title, then the buttons shown for this view at its right end (see `_title_row`).
        self.title = pygame_gui.elements.UILabel(pygame.Rect(pad, top, 10, int(30 * s)), "",
                                                 self.ui, container=self.root, object_id="#heading")
        self.predict_button = pygame_gui.elements.UIButton(
            pygame.Rect(0, top, int(170 * s), int(30 * s)), "Predict first (K)", self.ui,
            container=self.root, tool_tip_text="Before you watch: what will it do at deployment? Then watch, then "
                                               "see your prediction beside what it did")
        self.reward_button = pygame_gui.elements.UIButton(
            pygame.Rect(0, top, int(150 * s), int(30 * s)), "Its reward (R)", self.ui,
            container=self.root, tool_tip_text="The planner's own reward on every cell, and the weights it gives "
                                               "each feature: its mesa-objective")
        self.side = SidePanel(self, pygame.Rect(w - side - pad, top, side, h - top - pad))
        if self.steer_panel.open:  # a new layout: the window again, at its scale
            self.steer_panel.window.kill()
            self.steer_panel.window = None
            self.steer_panel.toggle()
        if self.lesson is not None:
            view = self.world_view.rect
            self.lesson_bar = LessonBar(self, pygame.Rect(view.x, view.bottom + pad, view.w, bar - pad), self.lesson,
                                        self.lesson_bar, self.trace)
            self.lesson_bar.enter_step()
        self.refresh()

    def refresh(self) -> None:
        """Show the widgets of the current split and the right button labels."""
        session = self.session
        self._shown = self._state()
        self.toolbar.refresh(session.split, session.training.state, session.snapshot is not None)
        self.side.refresh(session.split, self.world_view.overlay, session.paused)
        self.reward_button.show() if session.reward_map else self.reward_button.hide()
        asks = (session.split == "deployment" and session.network is not None and self.lesson is None
                and can_predict(session.level))
        self.predict_button.show() if asks else self.predict_button.hide()
        self.reward_button.select() if self.world_view.overlay["reward"] else self.reward_button.unselect()
        self._title_row()
        state = ((" (paused)" if session.paused and session.network is not None else "")
                 + (" (steered)" if session.split == "deployment" and session.steering.active else ""))
        self.title.set_text(self._title_text(f": {session.split}", state))

    def _title_text(self, where: str, state: str) -> str:
        """The title that fits its row: " distribution" goes first (a projector's larger title never has room),
        then the level's name is shortened; "(steered)" and "(paused)" always show."""
        font, width, name = self.title.font, self.title.relative_rect.w - int(8 * self.app.scale), self.level.name

        def fits(text: str) -> bool:
            return font is None or font.size(text)[0] <= width
        if not self.app.projector and fits(f"{name}{where} distribution{state}"):
            return f"{name}{where} distribution{state}"
        if fits(f"{name}{where}{state}"):
            return f"{name}{where}{state}"
        return fitted(font, name, max(0, width - font.size(f"{where}{state}")[0])) + where + state

    def _title_row(self) -> None:
        """The buttons shown sit at the right end of the row above the worlds; the title has the rest."""
        pad = int(12 * self.app.scale)
        x = self.world_view.rect.right
        for button in (self.reward_button, self.predict_button):
            if button.visible:
                x -= button.rect.w
                button.set_relative_position((x, self.title.relative_rect.y))
                x -= pad
        self.title.set_dimensions((x - self.title.relative_rect.x, self.title.relative_rect.h))

    # --- commands --------------------------------------------------------------------------------------------
    def command(self, name: str) -> None:
        session = self.session
        actions = {
            "home": self.go_home,
            "training": lambda: session.set_split("training"),
            "deployment": lambda: session.set_split("deployment"),
            "train": session.toggle_training,
            "stop": session.stop_training,
            "evaluate": session.start_evaluation,
            "export": self.export,
            "save": lambda: self.open_dialog("save"),
            "load": lambda: self.open_dialog("load"),
            "explain": self.toggle_explain,
            "edit": self.edit,
            "add_proxy": self.add_proxy,
            "pause": session.toggle_pause,
            "lottery": self.open_lottery,
            "shipped": self.use_shipped,
            "predict": self.predict_first,
            "steer": self.steer_panel.toggle,
            "escape": self.escape,
            "switch": lambda: session.set_split("training" if session.split == "deployment" else "deployment"),
            "faster": lambda: self.set_speed(self.toolbar.speed.get_current_value() * 1.5),
            "slower": lambda: self.set_speed(self.toolbar.speed.get_current_value() / 1.5),
        }
        if name in self.world_view.overlay:
            self.world_view.toggle(name)
        else:
            actions[name]()
        if self.app.scene is self:
            self.refresh()

    def escape(self) -> None:
        """Esc leaves a lesson's prediction, not the screen; otherwise it goes home."""
        if self.lesson is not None and self.lesson.lesson.path is None:
            self.end_prediction()
        else:
            self.go_home()

    def add_proxy(self) -> None:
        """Count the chosen candidate (at first what the agent acts as if it wants) as a proxy of the level from now
        on, keeping the agent: a proxy changes only how episodes are counted. Edit writes it into the level."""
        chosen = self.side.candidates.chosen()
        proposal = self.session.proposed_proxy(chosen) if chosen is not None else None
        if proposal is None:
            return
        refused = self.session.add_proxy(proposal)
        if refused:
            self.app.message("This proxy cannot be added", refused)
            return
        self.session.status_override = (f"Added the proxy \"{proposal[0]['name']}\"; counting again. Edit puts it in "
                                        "the level file.")

    def edit(self) -> None:
        """The level in the editor, with the proxies added here as undo steps (the agent stays here only if the
        player agrees to leave it)."""
        self.app.open("editor", level=self.level, path=self.source, proposals=list(self.session.added_proxies))

    def choose(self, which: str, value: str) -> None:
        """Train another kind of agent, or with another optimizer, from now on, asking first if that throws away an
        agent or a run."""
        session = self.session
        self.side.choices.show(which, session.agent_kind if which == "agent" else session.optimizer)

        def switch() -> None:
            reason = session.set_agent(value) if which == "agent" else session.set_optimizer(value)
            if reason:
                self.app.message("This level cannot have that agent", reason)
            self.world_view.overlay["reward"] = session.reward_map  # a planner shows what it wants
            self.side.choices.show("agent", session.agent_kind)
            self.side.choices.show("optimizer", session.optimizer)
            self.refresh()
        work = session.unsaved_work()
        if work:
            self.app.confirm_leaving(work, switch, question="Switch anyway?", action="Switch")
        else:
            switch()

    def predict_first(self) -> None:
        """The deployment view asks "What will it do?" before it plays (a lesson of three steps on this agent): the
        worlds start again on fresh variants and wait at their first frame, and everything measured so far is
        forgotten, so that nothing on screen answers first (`LabSession.seal`, done by the lesson's first step)."""
        if self.session.network is None or self.lesson is not None or not can_predict(self.session.level):
            return
        self.lesson = LessonRun(prediction_lesson(self.session.level))
        self.rebuild()

    def end_prediction(self) -> None:
        """Back to the plain deployment view, the outcomes measured for the reveal kept."""
        self.lesson, self.lesson_bar = None, None
        if self.session.sealed:  # left before predicting: the plain deployment view plays again
            self.session.unseal()
        self.session.paused = False
        self.rebuild()

    def set_speed(self, value: float) -> None:
        value = min(SPEED_RANGE[1], max(SPEED_RANGE[0], value))
        self.toolbar.speed.set_current_value(value)
        for live in self.session.live.values():
            live.decisions_per_second = value

    def open_lottery(self) -> None:
        if self.session.sealed:  # the lottery shows deployment outcomes: not before the prediction
            self.session.status_override = "Predict first: the lottery shows what agents do at deployment."
            return
        self.app.open("lottery", level=self.level, source=self.source)

    def use_shipped(self) -> None:
        """Load the next of the agents shipped for this level (asking first if that drops an unsaved one)."""
        if not self.shipped_agents:
            return
        seeds = sorted(self.shipped_agents)
        seed = seeds[self._shipped_next % len(seeds)]

        def load() -> None:
            self._shipped_next += 1
            self.load_agent(str(self.shipped_agents[seed]))
        work = self.session.unsaved_work()
        if work:
            self.app.confirm_leaving(work, load, question="Load a pre-trained agent anyway?", action="Load")
        else:
            load()

    def export(self) -> None:
        """Pictures of the agent at deployment for slides (a GIF of episodes, a PNG card), in the Pictures folder."""
        session = self.session
        if session.snapshot is None:
            session.status_override = "Train or load an agent first."
        elif session.sealed:
            session.status_override = "Predict first: the pictures show the agent at deployment."
        elif self.pictures.start(session.snapshot, session.level, session.settings.agent, pictures_dir(),
                                 self._screen_figures()):
            session.status_override = "Exporting pictures (a GIF of deployment episodes and a card)..."

    def _screen_figures(self):
        """What the deployment view shows once an Evaluate is in: the card says the same (None: it evaluates)."""
        session = self.session
        if session.inspection is None:
            return None
        # Copies: the pool pickles them later, on a thread of its own, while live episodes go on adding to them.
        return Shown(copy.deepcopy(session.tally), session.inspection, session.live["deployment"].visits.copy(),
                     copy.deepcopy(session.conditions), list(session.filmed))

    def _exported(self) -> None:
        done = self.pictures.poll()
        if done is None:
            return
        if isinstance(done, Exception):
            self.session.status_override = "The pictures were not exported."
            self.app.message("The pictures were not exported", f"{type(done).__name__}: {done}")
            return
        self.session.status_override = f"Exported {done.gif.name} and {done.png.name}."
        self.app.message("Pictures exported", f"{done.gif.name}: {done.frames} frames of {len(done.endings)} "
                         f"deployment episodes, among those the card counts ({', '.join(done.endings)}).\n\n{done.png.name}: the three "
                         f"objectives, the outcomes and the verdict.\n\nBoth are in {done.gif.parent}")

    def toggle_explain(self) -> None:
        if self.explain_window is not None and self.explain_window.alive():
            self.explain_window.kill()
            self.explain_window = None
            return
        network = self.session.network
        weights = network.objective() if getattr(network, "readable_objective", False) else None
        cards = explain_cards(self.session.level, self.session.tally, weights, self.session.optimizer,
                              self.session.inspection, self.session.conditions)
        self.explain_window = show_explain(self.app, cards, f"What you are seeing in {self.level.name}")

    def open_dialog(self, purpose: str) -> None:
        folder = agents_dir()
        stem = file_stem(self.level.name)
        start = folder / (f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.agent" if purpose == "save" else "")
        self.dialog_purpose = purpose
        self.dialog = file_dialog(self.app, "Save the agent" if purpose == "save" else "Load an agent", str(start),
                                  existing_only=purpose == "load", suffixes={".agent"})

    def save_agent(self, path: str) -> None:
        self.session.save_agent(path)

    def load_agent(self, path: str) -> None:
        self.session.load_agent(path)
        self.world_view.overlay["reward"] = self.session.reward_map
        self.side.choices.show("agent", self.session.agent_kind)
        self.side.choices.show("optimizer", self.session.optimizer)
        self.refresh()

    def go_home(self) -> None:
        self.app.open("home")

    def unsaved_work(self) -> str | None:
        return self.session.unsaved_work()

    def windows(self) -> list:
        return [self.dialog, self.explain_window]

    def animating(self) -> bool:
        session = self.session
        return (session.network is not None or session.training.active or session.evaluating or self.pictures.running
                or self.autoplay)  # autoplay's line fills toward the next step

    def leave(self) -> None:
        if self.lesson_bar is not None and not self.lesson_bar.step_left:
            self.lesson_bar.leave_step()  # the trace's line for the step the lesson was left at
        self.session.close()
        self.pictures.close()
        super().leave()

    # --- events ----------------------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> bool:
        if self.lesson_bar is not None and self.lesson_bar.handle(event):
            return True
        if self.steer_panel.handle(event):
            return True
        if self.mover.handle(event):
            return True
        name = self.toolbar.pressed(event) or self.side.pressed(event)
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.reward_button:
            name = "reward"
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.predict_button:
            name = "predict"
        if name is not None:
            self.command(name)
            return True
        choice = self.side.choices.chosen(event)
        if choice is not None:
            self.choose(*choice)
            return True
        speed = self.toolbar.speed_changed(event)
        if speed is not None:
            self.set_speed(speed)
            return True
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            (self.save_agent if self.dialog_purpose == "save" else self.load_agent)(event.text)
            return True
        if event.type == pygame.KEYDOWN:
            return self.handle_key(event.key)
        return False

    def handle_key(self, key: int) -> bool:
        shortcut = shortcut_for(self, key)
        if shortcut is None:
            return False
        self.command(shortcut.command)
        return True

    @property
    def shortcuts(self) -> list[tuple[str, str]]:
        """This screen's keys for the F1 help: the same table that decides what they do."""
        return [(s.label, s.words) for s in SHORTCUTS]

    # --- per frame -------------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        session = self.session
        session.update(dt)
        for title, text in session.notices:
            self.app.message(title, text)
        session.notices.clear()
        if self.lesson_bar is not None:  # first: autoplay may move to a sealed step, which this frame must show
            self.lesson_bar.update()
        # The learner's state changes on its own thread or process: compare with what the buttons show.
        if self._state() != self._shown:
            self.refresh()
        self._exported()
        self.side.update(session, self.pictures.running)
        if self.steer_panel.open and (session.split != "deployment" or session.sealed):
            self.steer_panel.close()  # the training view, and the episodes a class predicts, play the agent itself
        self.steer_panel.refresh()
        # Pointing at a candidate, at the verdict, or at the button that adds the chosen one draws it on the map.
        highlight = None
        if session.split == "deployment":
            side = self.side
            found = session.apparent_objective() if side.objectives.hovered else None
            highlight = (side.candidates.hovered() or (side.candidates.chosen() if side.add_proxy.hovered else None)
                         or (found.candidate if found is not None else None))
        self.world_view.highlight = highlight

    def _state(self) -> tuple:
        """What the buttons and the title show: the learner's state, whether there is an agent, paused or not."""
        session = self.session
        return (session.training.state, session.snapshot is not None, session.paused, session.agent_kind,
                session.sealed, session.steering.active)

    def measured_visible(self) -> bool:
        """Whether the last frame showed anything measured at deployment: counters, the verdict or what it learned,
        candidates, a status about an evaluation, an overlay, a trail, an outlined candidate, an outcome label, or
        the lesson's reveal. Read off the widgets and the drawing, not off the session's flags."""
        bar = self.lesson_bar
        return (self.world_view.drew_measured or self.side.shows_measured()
                or (bar is not None and bar.shows_outcomes))

    def draw(self, surface: pygame.Surface) -> None:
        self.world_view.draw(surface, self.font(22))
        self.side.draw(surface, self.session, self.font(22 if self.session.split == "training" else 26),
                       self.font(20))
        if self.lesson_bar is not None:
            self.lesson_bar.draw(surface)

    def font(self, size: int) -> pygame.font.Font:
        """Fonts are loaded once per size and scale, not every frame."""
        key = max(16, int(size * self.app.scale))
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(None, key)
        return self._fonts[key]
