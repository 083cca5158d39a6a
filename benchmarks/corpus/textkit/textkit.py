"""String helpers for a small publishing tool: slugs, case conversion, wrapping, truncation."""

from __future__ import annotations

import re

SMALL_WORDS = {"a", "an", "and", "of", "the", "in", "on", "to"}


def slugify(title: str, separator: str = "-") -> str:
    """Lowercase words of letters and digits joined by `separator`."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return separator.join(words)


def title_case(text: str) -> str:
    """Capitalize words except small ones, but always the first and the last word."""
    words = text.split()
    result = []
    for index, word in enumerate(words):
        if index == 0 or index == len(words) - 1 or word.lower() not in SMALL_WORDS:
            result.append(word[:1].upper() + word[1:].lower())
        else:
            result.append(word.lower())
    return " ".join(result)


def snake_to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def camel_to_snake(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index > 0:
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def truncate(text: str, width: int, ellipsis: str = "...") -> str:
    """At most `width` characters; cut text ends with the ellipsis."""
    if len(text) <= width:
        return text
    return text[: width - len(ellipsis)] + ellipsis


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap; a word longer than `width` gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def strip_comment(line: str, marker: str = "#") -> str:
    """Drop a trailing comment and the spaces before it."""
    position = line.find(marker)
    if position == -1:
        return line.rstrip()
    return line[:position].rstrip()


def initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.split() if part)


def count_vowels(text: str) -> int:
    return sum(1 for char in text.lower() if char in "aeiou")


def pad_table(rows: list[list[str]]) -> list[str]:
    """Left-align every column to its widest cell, two spaces between columns."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
