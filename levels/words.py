"""How the game writes counts and sentences, in every layer: "1 rule", "3 rules" (never "rule(s)"); a message made
for the middle of a line ("in none of 32 variants ...") said as a sentence of its own in a window."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 rule", "3 rules", "2 entities" (with `plural`)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def sentence(words: str) -> str:
    """Words that begin a sentence and end it: "no layer" -> "No layer."."""
    if not words:
        return words
    return words[0].upper() + words[1:] + ("" if words.endswith((".", "?", "!")) else ".")
