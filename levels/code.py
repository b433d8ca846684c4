"""Level codes: a level as compact, URL-safe text that survives a chat message.

`MSL1.` + base64url(zlib(compact JSON)). Decoding is capped so a tiny hostile code cannot inflate into gigabytes.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib

from levels.format import MAX_FILE_BYTES, Level, LevelError, Problem, level_to_dict, parse_level_bytes

PREFIX = "MSL1."
MAX_CODE_CHARS = 200_000


def level_to_code(level: Level) -> str:
    text = json.dumps(level_to_dict(level), separators=(",", ":"), ensure_ascii=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def level_from_code(code: str, source: str = "level code") -> Level:
    """Decode a level code. Raises `LevelError` for anything that is not a valid code of a valid level."""
    def refuse(message: str, fix: str) -> LevelError:
        return LevelError(source, [Problem("", message, fix)])

    if not isinstance(code, str):
        raise refuse("a level code is text", "paste the code as text")
    code = "".join(code.split())  # chats wrap long lines
    if len(code) > MAX_CODE_CHARS:
        raise refuse(f"the code is {len(code):,} characters, over {MAX_CODE_CHARS:,}", "check what was pasted")
    if not code.startswith(PREFIX):
        raise refuse(f"a level code starts with {PREFIX!r}", "copy the whole code, including its start")
    body = code[len(PREFIX):]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise refuse("the code has characters that are not part of a level code", "copy the code again") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_FILE_BYTES + 1)
    except zlib.error:
        raise refuse("the code is damaged (it does not decompress)", "copy the whole code again") from None
    if len(raw) > MAX_FILE_BYTES or inflater.unconsumed_tail:
        raise refuse(f"the code unpacks to more than {MAX_FILE_BYTES:,} bytes", "this is not a level code")
    if not inflater.eof:
        raise refuse("the code is cut short", "copy the whole code, including its end")
    if inflater.unused_data:  # a code is exactly one zlib stream: bytes after it are not part of any level
        raise refuse("the code has more after its end", "copy the code alone, without what follows it")
    return parse_level_bytes(raw, source)
