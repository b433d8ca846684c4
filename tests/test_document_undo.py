"""Every change to the level being edited is an edit that makes its own undo step: screens cannot forget one."""
import ast
import copy
import inspect
from pathlib import Path

import pytest

from levels import builtin_level, level_to_dict
from levels.document import LevelDocument

QUERIES = {"check", "entity_at", "region_users", "route_cells", "what_choices", "undo", "redo", "dirty"}


def document():
    return LevelDocument(level_to_dict(builtin_level("keys_and_chests")))


def test_every_public_method_is_an_edit_or_a_query():
    """A new method that changes the document must be an `@edit` (or, if it only reads, listed here)."""
    public = {name for name, _ in inspect.getmembers(LevelDocument) if not name.startswith("_")}
    not_edits = {name for name in public if not getattr(getattr(LevelDocument, name), "is_edit", False)}
    assert not_edits == QUERIES


def test_an_edit_is_one_step_and_undo_brings_the_level_back():
    doc = document()
    before = copy.deepcopy(doc.doc)
    key = next(e["id"] for e in doc.doc["entities"] if e["kind"] == "key")
    doc.move(key, (5, 3))
    doc.set_colour(key, "blue")
    assert len(doc.undo_stack) == 2
    assert doc.undo() and doc.undo()
    assert doc.doc == before
    assert doc.redo() and doc.doc != before


def test_an_edit_that_changes_nothing_makes_no_step():
    doc = document()
    doc.set_value((), "name", doc.doc["name"])
    doc.rename_entity("no such entity", "x")  # refused: it says why and changes nothing
    assert doc.undo_stack == []


def test_an_edit_that_fails_halfway_leaves_the_level_as_it_was():
    doc = document()
    before = copy.deepcopy(doc.doc)
    with pytest.raises(IndexError):
        doc.remove_rule(99)
    doc.doc["base_reward"]["rules"].append("broken")  # a document being edited may hold anything
    doc.doc = copy.deepcopy(before)
    with pytest.raises((KeyError, TypeError)):
        doc.set_value(("nowhere", 3, "deeper"), "x", 1)
    assert doc.doc == before and doc.undo_stack == []


def test_edits_in_a_row_with_one_key_are_one_step_and_an_edit_inside_an_edit_is_part_of_its_step():
    doc = document()
    for letter in "abc":
        doc.set_value((), "name", "Keys " + letter, coalesce="name field")
    assert len(doc.undo_stack) == 1
    walker = {"id": "m", "kind": "monster", "at": [1, 1]}
    doc.doc["entities"].append(walker)
    doc.toggle_wander("training", "m")
    doc.extend_route("training", "m", (2, 1))
    steps = len(doc.undo_stack)
    doc.clear_route("training", "m")  # two changes of the spawn, one edit
    assert len(doc.undo_stack) == steps + 1


def test_a_wanderer_drops_its_route_in_the_document():
    doc = document()
    doc.doc["entities"].append({"id": "m", "kind": "monster", "at": [1, 1], "route": {"waypoints": [[1, 1], [2, 1]]}})
    doc.toggle_own_wander("m")
    entity = next(e for e in doc.doc["entities"] if e["id"] == "m")
    assert entity.get("wander") is True and "route" not in entity
    doc.toggle_own_wander("m")
    assert "wander" not in entity


def test_the_editor_screens_change_the_level_only_through_its_edits():
    """No assignment into, and no mutating call on, the document's dicts from a screen: those bypass undo."""
    mutating = {"append", "pop", "update", "setdefault", "clear", "remove", "insert", "extend"}
    found = []
    for path in sorted((Path(__file__).resolve().parent.parent / "game" / "scenes" / "editor").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                targets = [t.value for t in targets if isinstance(t, ast.Subscript)]
            elif isinstance(node, ast.Delete):
                targets = [t.value for t in node.targets if isinstance(t, ast.Subscript)]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in mutating:
                targets = [node.func.value]
            for target in targets:
                text = ast.unparse(target)
                if "doc" in text.split(".") or text in ("doc", "self.selected", "self.scene.selected") or \
                        text.startswith(("doc[", "self.document.doc", "self.selected[", "self.scene.selected[")):
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "\n".join(found)
