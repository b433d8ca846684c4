"""Undo and redo for the level being edited, kept by the edits themselves.

Every method of `levels.document.LevelDocument` that changes the document is an `@edit`: it remembers the document
as it was and, when it changed something, makes that one undo step. A screen calls edits and nothing else, so no
screen can change the level without an undo step (forgetting to ask for one used to break undo silently). Undo and
redo keep whole documents: levels are a few kilobytes.
"""
from __future__ import annotations

import copy
import functools

HISTORY = 200  # undo steps kept


def edit(method):
    """A document method that changes the document. It makes one undo step when it changed something (an edit
    that refuses, or sets what was already there, makes none), an edit it calls is part of that step, and an edit
    that fails halfway leaves the document as it was. The caller may pass `coalesce=KEY`: edits in a row with the
    same key make one step (typing in one field, one stroke of the brush, one drag)."""
    @functools.wraps(method)
    def recorded(self, *args, coalesce: object = None, **kwargs):
        if self._editing:
            return method(self, *args, **kwargs)
        before = copy.deepcopy(self.doc)
        self._editing = True
        try:
            result = method(self, *args, **kwargs)
        except BaseException:
            self.doc = before
            raise
        finally:
            self._editing = False
        if self.doc != before:
            self._remember(before, coalesce)
        return result
    recorded.is_edit = True
    return recorded


class Undo:
    """The undo and redo stacks of a document (`doc`)."""

    doc: dict

    def __init__(self):
        self.undo_stack: list[dict] = []
        self.redo_stack: list[dict] = []
        self.last_key: object = None  # the `coalesce` key of the last step
        self._editing = False

    def _remember(self, before: dict, coalesce: object) -> None:
        if coalesce is None or coalesce != self.last_key or not self.undo_stack:
            self.undo_stack.append(before)
            del self.undo_stack[:-HISTORY]
        self.last_key = coalesce
        self.redo_stack.clear()

    def undo(self) -> bool:
        self.last_key = None
        if not self.undo_stack:
            return False
        self.redo_stack.append(self.doc)
        self.doc = self.undo_stack.pop()
        return True

    def redo(self) -> bool:
        self.last_key = None
        if not self.redo_stack:
            return False
        self.undo_stack.append(self.doc)
        self.doc = self.redo_stack.pop()
        return True

    @edit
    def replace(self, doc: dict) -> None:
        """The whole document becomes `doc` (a pasted level code, a restored autosave): one undo step."""
        self.doc = copy.deepcopy(doc)
