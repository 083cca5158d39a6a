"""Splitting text into normalised words."""

import re

_WORD = re.compile(r"[A-Za-z']+")
STOPWORDS = frozenset({"a", "an", "and", "the", "of", "to", "in", "is", "it"})


def words(text: str, drop_stopwords: bool = False) -> list[str]:
    """Lower-cased words, apostrophes kept inside words but stripped at the ends."""
    found = [w.strip("'").lower() for w in _WORD.findall(text)]
    found = [w for w in found if w]
    if drop_stopwords:
        found = [w for w in found if w not in STOPWORDS]
    return found


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p]
