"""The Rewards tab: the base reward's rules and step cost, the intended goal and the proxies to watch. Events and
what they name are picked from menus of what the level holds, in words (never typed as internal ids)."""
from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton, UILabel, UITextEntryLine

from levels.places import parts
from levels.vocabulary import EVENTS

from game.scenes.editor.tabs import CHOSEN, Tab, option
from game.widgets import DropDown

ENDS = [("goes on", "on"), ("ends it", "ends")]


class RewardsTab(Tab):
    def __init__(self, scene, rect: pygame.Rect):
        super().__init__(scene, rect)
        s, r, doc, px, side = self.s, self.root, self.document.doc, rect.x, rect.w
        row_h, gap = int(34 * s), 4
        self.event_menus: dict = {}
        self.label("Base reward: each rule pays when...")
        for i, rule in enumerate(doc["base_reward"]["rules"]):
            path = ("base_reward", "rules", i)
            self._condition_row(path, rule)
            reward = UITextEntryLine(pygame.Rect(px, self.y, int(side * 0.3), row_h), self.ui, container=r)
            reward.set_text(f"{rule.get('reward', 0):g}" if isinstance(rule.get("reward"), (int, float)) else "")
            self.field(reward, path, "reward", float, "what this rule pays each time (negative: a penalty)")
            ends = DropDown(ENDS, ENDS[1] if rule.get("ends_episode") else ENDS[0],
                                  pygame.Rect(px + int(side * 0.3) + gap, self.y, int(side * 0.45), row_h), self.ui,
                                  container=r)
            self.field(ends, path, "ends_episode", lambda t: t == "ends",
                       "whether the episode goes on after this, or ends here")
            self._row_button("remove", ("remove_rule", i), px + int(side * 0.75) + 2 * gap,
                             side - int(side * 0.75) - 2 * gap, "remove this rule")
            self.y += row_h + gap
            self._applies_row(path, rule)
            self.y += gap
        self._row_button("+ rule", ("add_rule", None), px, side // 2 - gap, "a new rule (it starts valid: edit it)")
        UILabel(pygame.Rect(px + side // 2, self.y, side // 4, row_h), "step cost", self.ui, container=r,
                object_id="#muted")
        cost = UITextEntryLine(pygame.Rect(px + side * 3 // 4, self.y, side // 4, row_h), self.ui, container=r)
        step_cost = doc["base_reward"].get("step_cost", 0)
        cost.set_text(f"{step_cost:g}" if isinstance(step_cost, (int, float)) else str(step_cost))
        self.field(cost, ("base_reward",), "step_cost", float, "paid every step (a positive cost hurries the agent)")
        self.y += row_h + 2 * gap
        self.label("Intended goal (what you meant; never paid)")
        goal = doc.get("intended_goal") if isinstance(doc.get("intended_goal"), dict) else {"event": "timed_out"}
        self._condition_row(("intended_goal",), goal, count=True)
        self.y += gap
        self.label("Proxies to watch at deployment (never paid)")
        for i, proxy in enumerate(doc.get("proxies", [])):
            entry = UITextEntryLine(pygame.Rect(px, self.y, side - int(side * 0.25) - gap, row_h), self.ui,
                                    container=r)
            entry.set_text(proxy.get("name", ""))
            self.field(entry, ("proxies", i), "name", str, "the proxy's name, as the deployment view shows it")
            self._row_button("remove", ("remove_proxy", i), px + side - int(side * 0.25), int(side * 0.25),
                             "remove this proxy")
            self.y += row_h + gap
            self._condition_row(("proxies", i), proxy, count=True)
            self._applies_row(("proxies", i), proxy)
            self.y += gap
        self._row_button("+ proxy", ("add_proxy", None), px, side // 2 - gap,
                         "a new proxy (it starts valid: something else than the goal)")
        self.y += row_h + 2 * gap
        self.problems()

    def _row_button(self, text: str, action: tuple, x: int, width: int, tip: str) -> None:
        button = UIButton(pygame.Rect(x, self.y, width, int(34 * self.s)), text, self.ui, container=self.root,
                          tool_tip_text=tip)
        self.row_button(button, *action)

    def _condition_row(self, path: tuple, cond: dict, count: bool = False) -> None:
        """The event menu, the menu of what it names, and for the goal and proxies how many times; one row."""
        px, side, row_h, gap = self.rect.x, self.rect.w, int(34 * self.s), 4
        ev_w = int(side * 0.36)
        count_w = int(side * 0.16) if count else 0
        what_w = side - ev_w - count_w - gap * (2 if count else 1)
        events = [(k.phrase, name) for name, k in EVENTS.items()]
        now = cond.get("event") if cond.get("event") in EVENTS else "touched"
        menu = DropDown(events, (EVENTS[now].phrase, now), pygame.Rect(px, self.y, ev_w, row_h), self.ui,
                              container=self.root)
        menu.set_tooltip("when: the event")
        self.event_menus[menu] = path
        self.on(menu, CHOSEN, lambda event: self._set_event(path, option(event)))
        choices = self.document.what_choices(now)
        what = None if cond.get("what") is None else str(cond["what"])  # menus hold text (a file may hold 3)
        if what is not None and what not in [v for _, v in choices]:
            choices.append((f"{what} (not in this level)", what))
        rect = pygame.Rect(px + ev_w + gap, self.y, what_w, row_h)
        if choices:
            current = next(c for c in choices if c[1] == what) if what is not None else choices[0]
            what_menu = DropDown(choices, current, rect, self.ui, container=self.root)
            self.field(what_menu, path, "what", str, f"what: {EVENTS[now].what_is}")
        elif EVENTS[now].needs_what:
            UILabel(rect, f"no {EVENTS[now].what_is} yet", self.ui, container=self.root, object_id="#muted")
        if count:
            entry = UITextEntryLine(pygame.Rect(px + side - count_w, self.y, count_w, row_h), self.ui,
                                    container=self.root)
            entry.set_text(str(cond.get("count", 1)))
            self.field(entry, path, "count", int, "how many times it must happen in an episode")
        self.y += row_h + 4

    def _applies_row(self, path: tuple, happening: dict) -> None:
        """Whether a rule or proxy applies always or only while one entity is present (a supervisor watching): a
        menu of the entities some distribution may leave out, shown where there are any (or one is already named)."""
        now = happening.get("only_if_present")
        absent = self._may_be_absent()
        if not absent and now is None:
            return
        choices = [("applies always", "always")] + [(f"only while {e} is present", e) for e in absent]
        if now is not None and now not in absent:
            choices.append((f"only while {now} is present", str(now)))
        current = next(c for c in choices if c[1] == (now or "always"))
        menu = DropDown(choices, current, pygame.Rect(self.rect.x, self.y, self.rect.w, int(34 * self.s)),
                              self.ui, container=self.root)
        self.field(menu, path, "only_if_present", lambda v: None if v == "always" else v,
                   "always, or only in the variants where this entity is (a supervisor watching)")
        self.y += int(34 * self.s) + 4

    def _may_be_absent(self) -> list[str]:
        """Ids of the entities a distribution (or one of its mixes) may leave out (`present` below 1)."""
        ids = []
        for part in parts(self.document.doc):
            spawns = part.get("spawns")
            for entity, spawn in (spawns.items() if isinstance(spawns, dict) else ()):
                present = spawn.get("present", 1) if isinstance(spawn, dict) else 1
                if isinstance(present, (int, float)) and present < 1 and entity not in ids:
                    ids.append(entity)
        return ids

    def _set_event(self, path: tuple, event: str) -> None:
        self.document.set_event(path, event)
        self.scene.rebuild_panel()  # the menu of what it names is another one now
