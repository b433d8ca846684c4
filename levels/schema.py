"""`levels/schema.json`, generated from the level model so the two can never disagree.

    python -m levels.schema          rewrite levels/schema.json
    python -m levels.schema --check  exit 1 if the committed file differs from the model

A test runs the check. The schema describes the shape of a level for editors and other tools; the game's own
loader also checks what a schema cannot say: that cells fit the grid, that the ids and regions named exist.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from levels.model import CURRENT_VERSION, Level

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.json"


def level_schema() -> dict:
    schema = Level.model_json_schema(mode="validation")
    head = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mesa-sandbox.example/level-v{CURRENT_VERSION}.schema.json",
        "title": f"Mesa Sandbox level, version {CURRENT_VERSION}",
        "description": ("A level: tiles, entities, the base reward, the intended goal, proxies and the training and "
                        "deployment distributions. See docs/level-format.md. Generated from levels/model.py by "
                        "`python -m levels.schema`. The game's loader (mesa-sandbox level validate) also checks what "
                        "a schema cannot: that cells fit the grid and that the ids and regions named exist."),
    }
    schema.pop("title", None)
    schema.pop("description", None)
    return {**head, **schema}


def schema_text() -> str:
    return json.dumps(level_schema(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        same = SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
        print("levels/schema.json is up to date" if same else "levels/schema.json differs: run python -m levels.schema")
        return 0 if same else 1
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
