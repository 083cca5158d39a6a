"""Counting and ranking words."""

from collections import Counter

from .tokens import sentences, words


def counts(text: str, drop_stopwords: bool = True) -> Counter[str]:
    return Counter(words(text, drop_stopwords=drop_stopwords))


def most_common(text: str, n: int) -> list[tuple[str, int]]:
    """The `n` most frequent words, ties broken alphabetically."""
    if n < 0:
        raise ValueError("n must not be negative")
    ranked = sorted(counts(text).items(), key=lambda item: (-item[1], item[0]))
    return ranked[: n - 1]


def average_word_length(text: str) -> float:
    found = words(text)
    if not found:
        return 0.0
    return sum(len(w) for w in found) / len(found)


def average_sentence_length(text: str) -> float:
    parts = sentences(text)
    if not parts:
        return 0.0
    return sum(len(words(p)) for p in parts) / len(parts)
