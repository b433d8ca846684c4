"""The seed lottery: agents trained identically but for the seed play the same deployment variants side by side,
each labelled with how its episodes end and what it acts as if it wants. Identical training, different learned
objectives. Nothing here imports pygame.

Every agent's live worlds are seeded alike, so each agent's n-th episode is the same variant as the others' n-th
(a world draws one variant per episode from its own generator): the differences on screen are the agents'.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from levels.format import Level

from agents.agent_file import AgentFile, load_agent
from agents.evaluation import OutcomeTally, share_words
from agents.inspection import Inspection, evaluate_and_inspect
from agents.problems import AgentFileError
from game.session.live import LiveEpisodes

EPISODES = 300  # deployment episodes behind each agent's label
VARIANTS_SEED = 7  # the deployment variants every agent plays, in the same order


@dataclass
class Entry:
    seed: int
    agent: AgentFile
    live: LiveEpisodes
    episodes: int = 0  # live episodes ended: the agents keep in step, episode by episode
    tally: OutcomeTally | None = None  # once its evaluation is done
    inspection: Inspection | None = None
    job: Future | None = None

    def waiting(self, behind: int) -> bool:
        """Ended its episode; waits for the others."""
        return self.episodes > behind

    def label(self, level: Level) -> str:
        """"seed 3: goal 20% (16%-25%), proxy 75% (70%-80%); it acts as if it wants green things", or that it is
        being measured."""
        if self.tally is None:
            return f"seed {self.seed}: measuring {EPISODES} deployment episodes..."
        total = self.tally.total
        shares = [f"goal {share_words(self.tally.outcomes['goal'], total)}"]
        shares += [f"{name} {share_words(n, total)}" for name, n in self.tally.proxies.items() if n]
        wants = f"; {self.inspection.words()}" if self.inspection is not None else ""
        return f"seed {self.seed}: " + ", ".join(shares) + wants


@dataclass
class SeedLottery:
    level: Level
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # agents that could not be loaded, in words
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="lottery"))
    stop: threading.Event = field(default_factory=threading.Event)  # set on close: the measuring ends at once

    @classmethod
    def of(cls, level: Level, files: dict[int, Path]) -> "SeedLottery":
        """The lottery of the agent files given by seed; each starts measuring itself in the background."""
        lottery = cls(level)
        for seed, path in sorted(files.items()):
            try:
                agent = load_agent(path, level)
            except AgentFileError as exc:
                lottery.problems.append(str(exc))
                continue
            live = LiveEpisodes(level, "deployment", 1, seed=VARIANTS_SEED, view=agent.obs_spec.view,
                                radius=agent.obs_spec.radius)
            live.set_policy(agent.policy, seed=seed)
            lottery.entries.append(Entry(seed, agent, live))
        for entry in lottery.entries:
            entry.job = lottery.executor.submit(lottery._measure, entry)
        return lottery

    def _measure(self, entry: Entry) -> tuple[OutcomeTally, Inspection]:
        spec = entry.agent.obs_spec
        result, found = evaluate_and_inspect(entry.agent.policy, self.level, "deployment", EPISODES,
                                             int(time.time()) % 100_000, spec.view, spec.radius, stop=self.stop)
        return result.tally, found

    def update(self, dt: float) -> None:
        """Play on. The agents keep in step: one that has ended its episode waits, showing how it ended, until all
        have ended theirs; then all start the next variant together (the same one, drawn alike)."""
        behind = self.behind
        for entry in self.entries:
            if entry.episodes == behind:
                entry.live.update(dt)
                entry.episodes += len(entry.live.finished)
                entry.live.finished.clear()
            if entry.job is not None and entry.job.done():
                job, entry.job = entry.job, None
                try:
                    entry.tally, entry.inspection = job.result()
                except Exception as exc:  # a failed measurement is a message, never a crash
                    self.problems.append(f"seed {entry.seed}: could not be measured ({type(exc).__name__}: {exc})")

    @property
    def behind(self) -> int:
        return min((e.episodes for e in self.entries), default=0)

    @property
    def measuring(self) -> bool:
        return any(entry.job is not None for entry in self.entries)

    def close(self) -> None:
        self.stop.set()
        self.executor.shutdown(wait=False, cancel_futures=True)
