"""The lesson bar under the world view: the step's text and idea, Back and Next, and at a *predict* step the
answers to "What will it do?" (click one, or type a class's show of hands beside each); at a *reveal* step the
prediction next to what the agent did. It drives the lab screen it sits in: each step puts the screen in that
step's state (`LessonRun.state`), and autoplay moves on by itself. What a step means lives in
`game.session.lesson`."""
from __future__ import annotations

import gc
import html
import time

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox, UITextEntryLine

from agents.evaluation import margin_points
from agents.kinds import GRADIENT_DESCENT, REACTIVE

from game.paths import lessons_progress_path
from game.world.palette import AGENT_RGB
from game.pretrained import pretrained_agents
from game.session.lesson import LessonRun
from game.session.lesson_shares import MAP_VARIANTS, did_shares, reward_map_shares, steered_shares
from game.session.steering import MEASURE_EPISODES
from game.session.lesson_record import LessonProgress, LessonTrace
from game.widgets import fits, set_fitted_text, text_width

NEXT_KEYS = (pygame.K_RIGHT, pygame.K_PAGEDOWN)  # a presenter's clicker sends Page Down / Page Up
BACK_KEYS = (pygame.K_LEFT, pygame.K_PAGEUP)


class LessonBar:
    def __init__(self, scene, rect: pygame.Rect, run: LessonRun, previous: "LessonBar | None" = None,
                 trace: LessonTrace | None = None):
        ui, r, s = scene.ui, scene.root, scene.app.scale
        self.scene, self.run, self.rect = scene, run, rect
        self.started = time.monotonic()  # when the current step began (autoplay moves on after its seconds)
        # The lesson's agent on screen; kept when the window is resized and the bar built again.
        self.agent: tuple[str, int] | None = previous.agent if previous is not None else None
        self.trace = previous.trace if previous is not None else trace
        # Whether anything measured at deployment was on screen during the current step (for the trace).
        self.step_measured = previous.step_measured if previous is not None else False
        self.reveal_episodes = 0  # the episodes the reveal on screen reports (0: it shows none yet)
        self.reveal_waiting = False  # the reveal on screen waits for its measurement
        self.step_left = False  # the current step's line of the trace is written
        self.waited = False  # autoplay waited on the current step in the last frame
        pad, row = int(8 * s), int(34 * s)
        text_w = int(rect.w * (0.45 if scene.app.projector else 0.58))  # larger answers need a wider column
        self.text = UITextBox("", pygame.Rect(rect.x, rect.y, text_w, rect.h), ui, container=r)
        x, w = rect.x + text_w + pad, rect.w - text_w - pad
        hands_w = int(56 * s)  # up to four digits
        self.question = UILabel(pygame.Rect(x, rect.y, w, row), run.question, ui, container=r,
                                object_id="#heading")
        self.answers: list[UIButton] = []
        self.hands: list[UITextEntryLine] = []
        for k, choice in enumerate(run.choices):
            y = rect.y + row + k * (row + pad // 2)
            answer = UIButton(pygame.Rect(x, y, w - hands_w - pad, row), choice, ui, container=r,
                              tool_tip_text=f"Your prediction: {choice} (click it)")
            if not fits(answer, choice) and "(" in choice:  # "the intended goal (open chest 2 times)" outgrew
                choice = choice[:choice.index("(")].rstrip()  # its button: the words before the brackets, whole
            set_fitted_text(answer, choice)
            self.answers.append(answer)
            entry = UITextEntryLine(pygame.Rect(x + w - hands_w, y, hands_w, row), ui, container=r,
                                    placeholder_text="hands")
            entry.set_allowed_characters("numbers")
            entry.set_text_length_limit(4)
            self.hands.append(entry)
        self.live = UIButton(pygame.Rect(x, rect.y + row, w, row), "Train it live instead", ui, container=r,
                             tool_tip_text="Train a new agent from scratch on the training distribution")
        # At the reveal: the prediction beside what the agent did, where the answers were.
        self.outcomes = UITextBox("", pygame.Rect(x, rect.y, w, rect.h - row - pad), ui, container=r)
        bottom = rect.bottom - row
        # The counter as wide as its longest words ("step 10 of 17" was cut in a third of a narrow bar), Back and
        # Next sharing the rest.
        self.counter = UILabel(pygame.Rect(x, bottom, 1, row), "", ui, container=r)
        longest = f"step {len(run.steps)} of {len(run.steps)}"
        middle = max((w - 2 * pad) // 3, text_width(self.counter.font, longest))
        side = (w - 2 * pad - middle) // 2
        self.counter.set_relative_position((x + side + pad, bottom))
        self.counter.set_dimensions((middle, row))
        self.back = UIButton(pygame.Rect(x, bottom, side, row), "< Back", ui, container=r)
        self.next = UIButton(pygame.Rect(x + side + middle + 2 * pad, bottom, side, row), "Next >", ui,
                             container=r, object_id="#primary")
        self.shown: tuple = ()
        self.counting = False  # the prediction is a show of hands typed in, not one click
        self.map_shares: tuple[object, list[float]] | None = None  # (network, `map_shares`): a planner's map, measured

    def widgets(self) -> list:
        return [self.text, self.question, *self.answers, *self.hands, self.live, self.outcomes, self.back, self.counter,
                self.next]

    def refresh(self, outcome_lines: str = "") -> None:
        """Show the current step: its text (and at a reveal, `outcome_lines`), and the controls it needs."""
        run, step = self.run, self.run.step
        shown = (run.index, outcome_lines, tuple(run.votes), self.counting)
        if shown == self.shown:
            return  # called every frame: widgets change only when what they show does
        self.shown = shown
        idea = f"<br><i>The idea: {html.escape(step.idea)}</i>" if step.idea else ""
        body = html.escape(step.text).replace("\n", "<br>")
        self.text.set_text(f"<b>{html.escape(step.title)}</b><br>{body}{idea}")
        if step.do == "reveal":
            self.outcomes.set_text(outcome_lines)
            self.outcomes.show()
        else:
            self.outcomes.hide()
        self.counter.set_text(f"step {run.index + 1} of {len(run.steps)}")
        predicting = step.do == "predict"
        if predicting:
            set_fitted_text(self.question, run.question)
        for widget in [self.question, *self.answers, *self.hands]:
            widget.show() if predicting else widget.hide()
        self.live.show() if step.do == "agent" else self.live.hide()
        self.back.enable() if run.index > 0 else self.back.disable()
        self.next.set_text("Finish" if run.at_end else "Next >")
        for k, button in enumerate(self.answers):
            button.select() if run.votes[k] and not self.counting else button.unselect()

    def handle(self, event) -> bool:
        """Whether the event was the lesson's (a button, a show of hands, a key that steps)."""
        said = self._said(event)
        if said is not None:
            self.command(said)
        return said is not None

    def _said(self, event) -> str | None:
        """"next", "back", "live", "predicted" (the prediction changed), or None."""
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            named = {self.next: "next", self.back: "back", self.live: "live"}
            if event.ui_element in named:
                return named[event.ui_element]
            if event.ui_element in self.answers:
                self.run.predict(self.answers.index(event.ui_element))
                self.counting = False
                for entry in self.hands:
                    entry.set_text("")
                return "predicted"
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element in self.hands:
            if not self.counting:  # counting hands replaces a single click
                self.run.clear_votes()
                self.counting = True
            text = event.ui_element.get_text()
            self.run.count(self.hands.index(event.ui_element), int(text) if text.isdigit() else 0)
            return "predicted"
        if event.type == pygame.KEYDOWN:
            if event.key in NEXT_KEYS:
                return "next"
            if event.key in BACK_KEYS:
                return "back"
        return None


    # --- driving the screen ------------------------------------------------------------------------------------
    def command(self, name: str) -> None:
        run, scene = self.run, self.scene
        if name == "next":
            self.leave_step()
            if run.at_end and run.lesson.path is None:
                scene.end_prediction()
            elif run.at_end:
                LessonProgress(lessons_progress_path()).save(run.lesson.name, 0)  # finished: next time from the start
                scene.command("home")
            else:
                run.next()
                self.enter_step()
        elif name == "back":
            if run.index > 0:
                self.leave_step()
            if run.back():
                self.enter_step()
        elif name == "live" and not scene.session.training.active:
            scene.session.toggle_training()
            scene.refresh()
        elif name == "predicted":
            self.refresh(self._reveal())

    def enter_step(self) -> None:
        """Put the screen in the state of the lesson's current step (the same whether reached by Next, Back or by
        resuming a lesson that was left), and remember the step."""
        run, scene, session = self.run, self.scene, self.scene.session
        state = run.state()
        if session.split != state.split:
            session.set_split(state.split)
        if state.agent is not None and state.agent != self.agent:
            self._use_agent(state.agent)
        for overlay in state.show:  # hidden while sealed (the world view draws none before the prediction)
            scene.world_view.overlay[overlay] = True
        if state.sealed and not session.sealed:
            session.seal()  # the agents at their starts, on fresh variants; everything measured forgotten
        elif not state.sealed and session.sealed:
            session.unseal()  # predicted: from here on the deployment episodes play and count
        self._steer(state.steer)
        session.paused = state.paused and session.network is not None
        if state.evaluate and not session.evaluated and not session.evaluating and session.network is not None:
            session.start_evaluation()
        if not scene.autoplay and run.lesson.path is not None:
            LessonProgress(lessons_progress_path()).save(run.lesson.name, run.index)
        self.started = time.monotonic()
        self.step_left = False
        self.refresh(self._reveal())
        scene.refresh()

    def _steer(self, steer) -> None:
        """Play the agent steered as the step says (a `LessonSteer`), or the agent itself (None); the title says
        "(steered)", and no steered episode is counted."""
        session = self.scene.session
        if steer is None:
            if session.steering.active:
                session.steer(coefficient=0.0, target=None)
            return
        if session.network is None:
            return
        layers = session.steering.layers(session.network)
        layer = steer.layer if steer.layer in layers else ""
        if steer.layer and not layer:  # a lesson written for another kind of network: say so, steer the middle one
            session.status_override = (f"The lesson steers layer \"{steer.layer}\", which this agent has not got "
                                       f"(its layers: {', '.join(layers)}): the middle one is steered instead.")
        clamp = dict(target=None)
        if steer.retarget is not None:  # the layer's best channel tracking that thing, clamped at the cell
            session.steering.choose(session.network, layer=layer)  # (channels are ranked on the chosen layer)
            agent = session.settings.agent
            tracking = [c for t, c, _, _ in session.steering.channels(session.network, agent.view, agent.radius)
                        if t == steer.retarget.tracks]
            if tracking:
                clamp = dict(channel=tracking[0], target=tuple(steer.retarget.cell), tracked=steer.retarget.tracks)
            else:
                session.status_override = f"No channel of {layer or 'this layer'} tracks the {steer.retarget.tracks}."
        session.steer(contrast=steer.contrast, layer=layer, coefficient=float(steer.coefficient), random=False,
                      each=steer.each, **clamp)

    def _use_agent(self, agent: tuple) -> None:
        """A pre-trained agent of this level, loaded at once (`agent`: ("pretrained", seed, kind, optimizer)); or
        live training (("live", 0); autoplay never waits on it and plays the shipped agent of seed 0 instead)."""
        scene = self.scene
        self.agent = agent
        if agent[0] == "live" and not scene.autoplay:
            if not scene.session.training.active:
                scene.session.toggle_training()
            return
        seed, kind, optimizer = agent[1:] if agent[0] == "pretrained" else (0, REACTIVE, GRADIENT_DESCENT)
        path = pretrained_agents(scene.level, kind, optimizer).get(seed)  # opening the lesson checked it is shipped
        if path is None:
            scene.app.message("No pre-trained agent", f"No agent is shipped for \"{scene.level.name}\"; train one "
                              "live instead (Train it live instead, or Space).")
            return
        work = scene.session.unsaved_work()
        if work:  # someone trained their own agent (Back to the lesson's agent, or a kiosk that was used)
            scene.app.confirm_leaving(work, lambda: scene.load_agent(str(path)),
                                      question="Load the lesson's agent anyway?", action="Load")
        else:
            scene.load_agent(str(path))

    def leave_step(self) -> None:
        """The current step is over (Next, Back, a kiosk's new round, the end): its line of the trace."""
        if self.trace is not None:
            session = self.scene.session
            self.trace.write(self.run.index, self.run.step, session.deployment_shown, self.step_measured,
                             self.run.predicted, self.reveal_episodes)
        self.step_measured = False
        self.step_left = True

    def _reveal(self) -> str:
        """The reveal's text for the current step ("" at any other step); notes whether it waits for a measurement
        (`reveal_waiting`) and how many episodes or variants it reports (`reveal_episodes`)."""
        text, self.reveal_waiting = self._reveal_text()
        if self.reveal_waiting:
            self.reveal_episodes = 0
            return "<i>Evaluating the agent on deployment episodes...</i>"
        return text

    def _reveal_text(self) -> tuple[str, bool]:
        """(the text, whether it waits for a measurement)."""
        session, step = self.scene.session, self.run.step
        self.reveal_episodes = 0
        if step.do != "reveal":
            return "", False
        if session.network is None:
            return "", True
        if step.asks == "its reward map":  # read off the planner on fresh variants: no episodes to wait for
            if self.map_shares is None or self.map_shares[0] is not session.network:
                self.map_shares = (session.network, reward_map_shares(session.network, session.level))
            self.reveal_episodes = MAP_VARIANTS
            return reveal_lines(self.run, self.map_shares[1], MAP_VARIANTS, of="fresh variants"), False
        if self.run.state().steer is not None:  # the steered agent, measured on variants of its own
            return self._steered_reveal()
        if not session.evaluated:
            return "", True
        did, episodes = did_shares(session.level, step.when, session.tally, session.conditions)
        if episodes == 0:  # a condition that did not come up (a variant never left it out)
            return f"<i>None of the {session.tally.total} deployment episodes evaluated was {step.when}.</i>", False
        self.reveal_episodes = episodes
        return reveal_lines(self.run, did, episodes, of=f"{step.when} episodes" if step.when else "episodes"), False

    def _steered_reveal(self) -> tuple[str, bool]:
        session = self.scene.session
        steering, network = session.steering, session.network
        if not steering.active:  # the Steer window was closed on it: steered again
            self._steer(self.run.state().steer)
        report = steering.measured(network)
        if report is None:
            if steering.active and not steering.measuring:
                steering.measure(network, session.settings.agent.view, session.settings.agent.radius)
            return "", True
        self.reveal_episodes = MEASURE_EPISODES
        targeted = (report["ended_at_target"], report["ended_at_target_before"])
        lines = reveal_lines(self.run, steered_shares(report["after"]["shares"]), MEASURE_EPISODES, of="variants",
                             unsteered=steered_shares(report["before"]["shares"]),
                             also=targeted if targeted[0] is not None else ())
        if report.get("ended_at_target") is not None:  # what a retargeting asks, first (a small box scrolls)
            header, rows = lines.split("<br>", 1)
            lines = (f"{header}<br>ended on the marked cell {tuple(steering.choice.target)}: "
                     f"<b>{report['ended_at_target']:.0%}</b> ({report['ended_at_target_before']:.0%})<br>{rows}")
        return lines, False

    def update(self) -> None:
        """Each frame: the reveal's outcomes as they come; in autoplay, the next step when this one's time is up."""
        scene, run = self.scene, self.run
        session = scene.session
        if (run.state().evaluate and not session.evaluated and not session.evaluating
                and session.network is not None):
            session.start_evaluation()  # its evaluation was dropped (a new agent, a proxy added): measure again
        self.refresh(self._reveal())
        if not scene.autoplay:
            return
        waits = self.autoplay_waits()
        if waits is not None or self.waited:
            # A step that waited gets its full time once free, counted from the first frame it is free (so that
            # frame is drawn before the step can end, whatever the previous frame took).
            self.started = time.monotonic()
            self.waited = waits is not None
            if waits is not None and scene.session.unsaved_work():
                scene.session.status_override = waits  # say why the kiosk stands still
            return
        if self.autoplay_share() < 1.0:
            return
        self.leave_step()
        if not run.at_end:
            run.next()
            self.enter_step()
        elif scene.once:
            scene.app.running = False
        else:
            self.restart()

    def autoplay_waits(self) -> str | None:
        """Why autoplay does not move on by itself now: someone's own agent would be dropped (a kiosk that a visitor
        trained in), or the reveal is still measuring. None when it is free to go on after the step's seconds."""
        session = self.scene.session
        work = session.unsaved_work()
        if work:
            return "Autoplay waits: an agent trained here is not saved (Save agent keeps it; Next goes on)."
        if self.run.step.do == "reveal" and self.reveal_waiting and session.network is not None:
            return "Autoplay waits for the evaluation."
        return None

    def autoplay_share(self) -> float:
        """How much of the current step's autoplay time has passed, 0..1 (1: move on now). While autoplay waits,
        `update` keeps restarting the step's clock, so the share stays at 0."""
        return min(1.0, (time.monotonic() - self.started) / max(self.run.seconds(), 1e-6))

    def restart(self) -> None:
        """A kiosk goes round again: the same screen from the first step, with a fresh prediction and fresh
        outcomes (a new screen every round would rebuild every widget and reload the agent)."""
        self.run = self.scene.lesson = LessonRun(self.run.lesson)
        self.scene.session.forget_outcomes()
        self.scene.session.deployment_shown = 0  # a new round is a lesson started again (its trace counts afresh)
        self.shown = ()
        self.counting = False
        for entry in self.hands:
            entry.set_text("")
        self.enter_step()
        gc.collect()  # the last round's rebuilt text boxes, at once (cheap: see game.app.settle_memory)

    @property
    def shows_outcomes(self) -> bool:
        """Whether the reveal on screen shows what the agent did (not the wait for its evaluation)."""
        return self.outcomes.visible and self.reveal_episodes > 0

    def draw(self, surface: pygame.Surface) -> None:
        """In autoplay, a thin line along the bar's top fills until the next step: a viewer sees when it comes.
        Drawn last, so the frame is complete: whether it showed anything measured is noted for the trace."""
        self.step_measured = self.step_measured or self.scene.measured_visible()
        if not self.scene.autoplay:
            return
        r = self.rect
        width = int(r.w * self.autoplay_share())
        pygame.draw.rect(surface, AGENT_RGB, pygame.Rect(r.x, r.y - 5, width, 3))


def reveal_lines(run: LessonRun, did: list[float], count: int, of: str = "episodes",
                 unsteered: list[float] | None = None, also: tuple[float, ...] = ()) -> str:
    """The prediction beside what the agent did (`did`, by the choices, over `count` `of`; a steered agent's beside
    what it did `unsteered` on the same variants), as rich text. `also`: other shares of the same `count` the
    caller shows with them (the header says how far off any of them may be)."""
    rows = []
    for k, (name, predicted, share) in enumerate(run.reveal(did)):
        short = "the intended goal" if k == 0 else name
        guess = "-" if predicted is None else f"{predicted:.0%}"
        was = f" ({unsteered[k]:.0%})" if unsteered is not None else ""
        rows.append(f"{html.escape(short)}: {guess} / <b>{share:.0%}</b>{was}")
    verb = ("its map" if run.step.asks == "its reward map" else "it did" if unsteered is None
            else "steered (before)")
    header = f"<b>Predicted / {verb}</b>, over {count} {html.escape(of)}"
    if run.step.asks != "its reward map":  # what it did is estimated from its episodes (a map's weights are read):
        shown = [*did, *(unsteered or []), *also]  # how far off any share may be, 95 % (room for one figure only)
        header += f" (±{margin_points([round(share * count) for share in shown], count)}\u00a0points)"  # (one piece)
    header += "" if run.predicted else " (no prediction made)"
    return header + "<br>" + "<br>".join(rows)
