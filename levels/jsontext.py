"""Level JSON as text: a strict reader for files from anywhere, and the readable layout levels are saved in.

The reader refuses what `json.loads` would quietly accept: a key written twice (the second silently wins),
NaN and Infinity (not JSON), lone surrogate escapes (not text), and nesting deeper than a level ever needs
(checked before parsing, without recursion, so a hostile file cannot exhaust the stack).
"""
from __future__ import annotations

import json
from typing import Any


class JSONTextError(ValueError):
    """The text is not a JSON document we accept: what is wrong and how to fix it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


def read_json(text: str, max_depth: int) -> Any:
    depth = bracket_depth(text)
    if depth > max_depth:
        raise JSONTextError(f"the JSON nests {depth} levels deep, over the limit of {max_depth}",
                            "a level file is shallow; check the file is a Mesa Sandbox level")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_object_without_repeats)
    except JSONTextError:
        raise
    except ValueError as exc:
        raise JSONTextError(f"the file is not valid JSON ({exc})", "fix the JSON syntax at the position given") from None
    _refuse_broken_text(value)
    return value


def _refuse_constant(name: str) -> Any:
    raise JSONTextError(f"{name} is not a number JSON allows", "write an ordinary number")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise JSONTextError(f"the key {json.dumps(key[:40])} is written twice in one object",
                                "keep one of them: a reader would silently ignore the other")
        obj[key] = value
    return obj


def _refuse_broken_text(value: Any) -> None:
    """Lone surrogates (from escapes such as \\ud800) are not text: they cannot even be saved again."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise JSONTextError("the text holds an invalid Unicode escape (a lone surrogate such as \\ud800)",
                                    "remove the escape or write the character itself") from None


def bracket_depth(text: str) -> int:
    """Deepest [ or { nesting outside strings, found without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def pretty_json(value: Any) -> str:
    """Readable JSON: one grid row per line so a diff shows which tiles changed; small lists and objects inline."""
    return _pretty(value, "") + "\n"


def _pretty(value: Any, indent: str) -> str:
    flat = json.dumps(value, ensure_ascii=False)
    inner = indent + "  "
    if isinstance(value, dict) and value and len(flat) > 100:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value and len(flat) > 100:
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and len(value) > 1:
        return "[\n" + ",\n".join(inner + json.dumps(v, ensure_ascii=False) for v in value) + "\n" + indent + "]"
    return flat
