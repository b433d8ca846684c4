"""Adding an entity kind is one row of `levels.vocabulary.ENTITY_TABLE`: on a copy of the project with a "lantern"
row added (nothing else changed), a level with a lantern loads, both engines step it (the agent picks it up and the
rule pays), it is drawn, and the editor's palette offers it."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import json, os
os.environ["SDL_VIDEODRIVER"] = "dummy"
import numpy as np
import pygame
from levels import builtin_level, level_to_dict
from levels.format import parse_level
from game.world import WorldBatch
from helpers import play

found = {}
for template, actions in (("template_grid", "R" * 7), ("template_topdown", "R" * 60)):
    doc = level_to_dict(builtin_level(template))
    coin = next(e for e in doc["entities"] if e["kind"] == "coin")
    coin["kind"] = "lantern"
    doc["base_reward"]["rules"] = [{"event": "picked_up", "what": "lantern", "reward": 10.0, "ends_episode": True}]
    doc["intended_goal"] = {"event": "picked_up", "what": "lantern"}
    level = parse_level(doc, "lantern")
    steps, report, batch = play(level, "training", actions)
    found[template] = {"outcome": report.outcome if report else None, "reward": sum(s[0] for s in steps),
                       "events": [e for s in steps for e in s[1] if e["event"] == "picked_up"]}
pygame.init()
from game.render import draw_world
surface = pygame.Surface((320, 320))
batch = WorldBatch(level, "training", 1, 0)
batch.reset()
before = pygame.surfarray.array3d(surface).sum()
draw_world(surface, batch.worlds, 0, (0, 0), 32)
found["drawn"] = int(pygame.surfarray.array3d(surface).sum() != before)
from game.app import App
from game.scenes.editor import EditorScene
app = App((1280, 800))
app.switch(EditorScene(app, builtin_level("template_grid")))
app.step(may_sleep=False)
found["palette"] = sorted(tool[1] for tool in app.scene.panel.palette.values() if tool[0] == "entity")
print("RESULT " + json.dumps(found))
'''


def test_a_new_entity_kind_is_one_row_of_the_table(tmp_path):
    copy = tmp_path / "project"
    for package in ("levels", "game", "agents"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "assets", copy / "assets", ignore=shutil.ignore_patterns("agents"))
    shutil.copy(ROOT / "tests" / "helpers.py", copy / "helpers.py")
    vocabulary = copy / "levels" / "vocabulary.py"
    text = vocabulary.read_text()
    row = '    EntityKind("supervisor"),\n'
    assert text.count(row) == 1
    vocabulary.write_text(text.replace(row, row + '    EntityKind("lantern", collected=True),\n'))
    env = dict(os.environ, PYTHONPATH=str(copy), MESA_SANDBOX_DATA=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=copy, env=env, capture_output=True, text=True,
                          timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stderr[-3000:]
    found = json.loads(lines[0].removeprefix("RESULT "))
    for template in ("template_grid", "template_topdown"):  # both engines
        assert found[template]["outcome"] == "goal" and found[template]["reward"] == 10.0, found
        # (events name the thing by its id: the templates' "coin", now a lantern, picked up: a collected kind)
        assert {"event": "picked_up", "what": "coin"} in found[template]["events"], found
    assert found["drawn"]
    assert "lantern" in found["palette"] and "coin" in found["palette"]
