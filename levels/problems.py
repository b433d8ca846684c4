"""Problems with a level, in the level's own words: where (a JSON path), what is wrong, and how to fix it.

`problems_from_errors` turns the errors pydantic reports for `levels.model` into `Problem`s a person can act on: no
validator jargon, no Python types, an unknown field answered with the field it was probably meant to be.
"""
from __future__ import annotations

import difflib
import json
import types
import typing
from dataclasses import dataclass
from typing import Any

from levels.words import counted

MAX_SHOWN = 50  # a file with thousands of problems is reported by its first ones and a count


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path such as "entities[2].at"
    message: str  # what is wrong
    fix: str  # how to fix it

    def __str__(self) -> str:
        end = "" if self.fix.endswith(("?", ".", "!")) else "."
        return f"{self.path or '(top level)'}: {self.message}. Fix: {self.fix}{end}"


class LevelRuleError(ValueError):
    """Broken rules of the format, raised by a validator: each `Problem`'s path is relative to the validated part."""

    def __init__(self, message: str = "", fix: str = "", problems: list[Problem] | None = None):
        self.problems = problems if problems is not None else [Problem("", message, fix)]
        super().__init__("; ".join(p.message for p in self.problems))


class LevelError(Exception):
    """Every problem found in one level file, reported at once."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems) or [Problem("", "the level is invalid", "check the file")]
        super().__init__(str(self))

    def __reduce__(self):
        # (raised in a worker process, it crosses back to the parent: rebuild it from both arguments)
        return (type(self), (self.source, self.problems))

    def __str__(self) -> str:
        shown = self.problems[:MAX_SHOWN]
        lines = [f"{self.source}: {counted(len(self.problems), 'problem')}"] + [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


def join_path(path: str, key: str | int) -> str:
    """The JSON path of a field: ("base_reward", "rules", 0) -> "base_reward.rules[0]"."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = str(key)[:40]
    return f"{path}.{key}" if path else key


def _under(path: str, relative: str) -> str:
    if not relative:
        return path
    return f"{path}{relative}" if not path or relative.startswith("[") else f"{path}.{relative}"


def describe_value(value: Any) -> str:
    """A short rendering of what was found, in JSON's words."""
    kind = {dict: "an object", list: "a list", tuple: "a list", bool: None, type(None): None}.get(type(value))
    if kind:
        return kind
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# What each kind of value is called, by the name of the field holding it.
NOUNS = {"world": "world kind", "kind": "entity kind", "color": "colour", "event": "event", "format": "format"}


def problems_from_errors(errors: list[dict], model: type, base: str = "") -> list[Problem]:
    """Translate pydantic's `ValidationError.errors()` for `model` into problems."""
    problems: list[Problem] = []
    failed_inside = [e["loc"] for e in errors if e["type"] not in ("too_short", "too_long")]
    for error in errors:
        if error["type"] == "too_short" and any(len(f) > len(error["loc"]) and f[:len(error["loc"])] == error["loc"]
                                                for f in failed_inside):
            continue  # pydantic counts the items that passed: a knock-on of the items' own problems
        loc = [k for k in error["loc"] if k != "[key]"]
        path = base
        for key in loc:
            path = join_path(path, key)
        problems.extend(_translate(error, path, loc, model))
    return problems


def _translate(error: dict, path: str, loc: list, model: type) -> list[Problem]:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    found = describe_value(value)
    field = str(loc[-1]) if loc else ""
    if kind == "value_error" and hasattr(ctx.get("error"), "problems"):  # our own rules (levels.model)
        return [Problem(_under(path, p.path), p.message, p.fix) for p in ctx["error"].problems]
    if kind == "missing":
        return [Problem(path, "this field is missing", f'add "{field}"')]
    if kind == "extra_forbidden" and field == "only_if_present":  # a goal that would apply only sometimes
        return [Problem(path, "the intended goal always applies: only base-reward rules and proxies can apply only "
                              "while an entity is present", "remove \"only_if_present\"")]
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
        fix = f"did you mean \"{close[0]}\"?" if close else f"remove it (fields here: {', '.join(known)})"
        return [Problem(path, f"unknown field \"{field}\"", fix)]
    if kind in ("shape",):
        return [Problem(path, error["msg"] + f", found {found}", ctx.get("fix", "check the value"))]
    if kind == "literal_error":
        noun = "tile kind" if len(loc) >= 2 and loc[-2] == "legend" else NOUNS.get(field, "value")
        return [Problem(path, f"unknown {noun} {found}", f"use one of {ctx.get('expected', '')}")]
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return [Problem(path, f"expected a whole number, found {found}", "write a whole number such as 3")]
    if kind in ("float_type", "float_parsing"):
        return [Problem(path, f"expected a number, found {found}", "write a number such as 1.5")]
    if kind == "finite_number":
        return [Problem(path, "the number is not finite", "use an ordinary number")]
    if kind in ("bool_type", "bool_parsing"):
        return [Problem(path, f"expected true or false, found {found}", "write true or false")]
    if kind in ("string_type", "string_unicode"):
        return [Problem(path, f"expected text, found {found}", "write it in double quotes")]
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return [Problem(path, f"expected an object, found {found}", "write it as { ... }")]
    if kind in ("list_type", "tuple_type"):
        return [Problem(path, f"expected a list, found {found}", "write it as [ ... ]")]
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        below = kind.startswith("greater")
        words = ("at least" if kind == "greater_than_equal" else "more than" if below else
                 "at most" if kind == "less_than_equal" else "less than")
        return [Problem(path, f"{found} is {'too small' if below else 'too large'}", f"use a value {words} {bound}")]
    if kind == "too_long":
        if field == "rows":
            return [Problem(path, f"the grid has {ctx.get('actual_length')} rows, over the limit of "
                                  f"{ctx.get('max_length')}", f"keep the grid at most {ctx.get('max_length')} rows")]
        return [Problem(path, f"{ctx.get('actual_length', 'too many')} {field or 'items'}, over the limit of "
                              f"{ctx.get('max_length')}", f"remove some {field or 'items'}")]
    if kind == "too_short":
        return [Problem(path, "this list is empty" if not ctx.get("actual_length") else "this list is too short",
                        f"give at least {counted(ctx.get('min_length', 1), 'item')}")]
    if kind == "string_too_long" and len(loc) >= 2 and loc[-2] == "rows":
        return [Problem(path, f"the row is {len(value)} tiles wide, over the limit of {ctx.get('max_length')}",
                        f"keep the grid at most {ctx.get('max_length')} tiles wide")]
    if kind == "string_too_long":
        return [Problem(path, f"the text is {len(value) if isinstance(value, str) else 'too'} characters, over "
                              f"{ctx.get('max_length')}", "shorten it")]
    if kind == "string_too_short":
        return [Problem(path, "the text is empty", "write something here")]
    return [Problem(path, f"this value is not allowed here ({found})", "check it against docs/level-format.md")]


def _fields_at(model: type, loc: list) -> list[str]:
    """The field names of the part at `loc` inside `model`, found by following the type annotations."""
    current: Any = model
    for key in loc:
        current = _element(current, key)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _element(tp: Any, key: Any) -> Any:
    """The type found at `key` inside type `tp` (a model's field, a list's item, a dict's value)."""
    tp = _unwrap(tp)
    fields = getattr(tp, "model_fields", None)
    if fields is not None:
        return _unwrap(fields[key].annotation) if key in fields else None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (tuple, list) and args:
        return _unwrap(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = options[0] if len(options) == 1 else tp
            if len(options) != 1:
                return tp
        else:
            return tp
