"""The level file: a JSON document people write, share and diff.

Load -> check the format and version -> migrate -> validate (`levels.model`) -> save. Every problem names the
file, the field path and how to fix it, and all problems of a file are reported together in one `LevelError`.
Hostile files are refused early: what is not an ordinary file, size limits on the file, nesting depth, repeated
keys, non-finite numbers, invalid Unicode; then the model's own limits on the grid, entities and text.
"""
from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from levels.files import FileTooLarge, atomic_write_text, read_bounded
from levels.jsontext import JSONTextError, pretty_json, read_json
from levels.model import (CURRENT_VERSION, FORMAT_NAME, MAX_DEPTH, MAX_ENTITIES, MAX_FILE_BYTES, MAX_GRID_SIDE,
                          BaseReward, Condition, Distribution, Entity, Level, Maze, Mix, PhysicsSettings, Proxy, Route,
                          Rule, Spawn, TileChange, Tiles)
from levels.problems import LevelError, Problem, describe_value, problems_from_errors

__all__ = ["CURRENT_VERSION", "FORMAT_NAME", "MAX_DEPTH", "MAX_ENTITIES", "MAX_FILE_BYTES", "MAX_GRID_SIDE",
           "BaseReward", "Condition", "Distribution", "Entity", "Level", "LevelError", "Maze", "Mix",
           "PhysicsSettings", "Problem", "Proxy", "Route", "Rule", "Spawn", "TileChange", "Tiles", "load_level",
           "level_to_dict", "level_to_json", "parse_level", "parse_level_bytes", "parse_level_text", "save_level"]


def load_level(path: str | os.PathLike) -> Level:
    """Read, check and migrate a level file. Raises `LevelError` (never anything else) on a bad file."""
    source = str(path)
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except FileTooLarge as exc:
        raise LevelError(source, [Problem("", exc.strerror, "a level is a few kilobytes; check you opened the "
                                                            "right file")]) from None
    except OSError as exc:
        raise LevelError(source, [Problem("", f"cannot read the file ({exc.strerror or exc})",
                                          "check the path and the file's permissions")]) from None
    return parse_level_bytes(raw, source)


def parse_level_bytes(raw: bytes, source: str = "<level>") -> Level:
    if len(raw) > MAX_FILE_BYTES:
        raise LevelError(source, [Problem("", f"the level is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,} limit",
                                          "make the level smaller")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LevelError(source, [Problem("", f"the file is not UTF-8 text (byte {exc.start})",
                                          "save the level as UTF-8 JSON")]) from None
    return parse_level_text(text, source)


def parse_level_text(text: str, source: str = "<level>") -> Level:
    try:
        data = read_json(text, MAX_DEPTH)
    except JSONTextError as exc:
        raise LevelError(source, [Problem("", exc.message, exc.fix)]) from None
    return parse_level(data, source)


def parse_level(data: Any, source: str = "<level>") -> Level:
    """Check a decoded JSON value, migrate it to the current version and build a `Level`."""
    if not isinstance(data, dict):
        raise LevelError(source, [Problem("", f"the top level is {describe_value(data)}, not an object",
                                          'a level file starts with { "format": "mesa-sandbox-level", ... }')])
    if data.get("format") != FORMAT_NAME:
        raise LevelError(source, [Problem("format", f"expected \"{FORMAT_NAME}\", found "
                                          f"{describe_value(data.get('format'))}",
                                          f'set "format": "{FORMAT_NAME}" (is this a Mesa Sandbox level?)')])
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise LevelError(source, [Problem("version", f"expected a whole number, found {describe_value(version)}",
                                          f'set "version": {CURRENT_VERSION}')])
    if version > CURRENT_VERSION:
        raise LevelError(source, [Problem("version", f"version {version} was made by a newer Mesa Sandbox "
                                          f"(this one reads up to {CURRENT_VERSION})",
                                          "update Mesa Sandbox to open this level")])
    if version < 1:
        raise LevelError(source, [Problem("version", f"unknown version {version}", f"use version {CURRENT_VERSION}")])
    try:
        return Level.model_validate(migrate(data))
    except ValidationError as exc:
        raise LevelError(source, problems_from_errors(exc.errors(), Level)) from None


# Each entry upgrades a document from version `v` to `v + 1`. Add one whenever the format changes so old files
# keep opening; the current version is 1, the first published one, so there is nothing to upgrade yet.
MIGRATIONS: dict[int, Any] = {}


def migrate(data: dict) -> dict:
    version = data["version"]
    while version < CURRENT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["version"] = version
    return data


def level_to_dict(level: Level) -> dict:
    return level.to_document()


def level_to_json(level: Level) -> str:
    return pretty_json(level.to_document())


def save_level(level: Level, path: str | os.PathLike) -> None:
    atomic_write_text(path, level_to_json(level))
