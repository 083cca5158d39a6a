"""Clues: what the failures themselves say about the fix, read once per heal and given to the
templates and the ranking: the exceptions the failing tests expect (expected.py), the texts they
compared (texts.py), whether a None shows in their messages, and whether two compared texts
differ only by one in one number. (Not ranking.Evidence, which is
what ranked a plausible patch.)"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...models import Failure
from .expected import expected_exceptions
from .texts import compared_texts

# A None the failure shows as a value: of a type error, or a side of what an assert compared,
# or what pytest says a call returned; not a None printed inside another object's repr
# (packaging's `<UpperBound None>`)
_NONE_SHOWN = re.compile(r"\bNoneType\b|(?:\bassert|[=!]=|\bis|\bnot|\bwhere|\bin)\s+None\b"
                         r"|\bNone\s+(?:[=!]=|is\b|in\b|=\s)")


@dataclass(frozen=True)
class Clues:
    expected_errors: tuple[str, ...] = ()  # as the tests write them: `errors.ParseError`
    compared_texts: tuple[tuple[str, str], ...] = ()  # (one side, the other) of a text diff
    none_shown: bool = False  # "'NoneType' object has no attribute ...", "None != 3"
    number_off_by_one: bool = False  # "bytes 0-5/12" compared with "bytes 0-4/12"

    @classmethod
    def of(cls, root: Path, failures: Iterable[Failure]) -> Clues:
        failures = tuple(failures)
        texts = compared_texts(failures)
        return cls(expected_exceptions(root, failures), texts, _shows_none(failures),
                   any(_off_by_one(one, other) for one, other in texts))


NO_CLUES = Clues()


def _shows_none(failures: Iterable[Failure]) -> bool:
    """Whether at least half of the failures show a None: 3 of packaging's 289 did (two of them
    expecting one), and the lift put a None filled in at its least suspect lines first."""
    shown = [bool(f.message and _NONE_SHOWN.search(f.message)) for f in failures]
    return bool(shown) and 2 * sum(shown) >= len(shown)


_NUMBERS = re.compile(r"(\d+)")


def _off_by_one(one: str, other: str) -> bool:
    """The texts are the same but for one whole number, one apart: a number a format string
    shows is off by one (starlette's `f"bytes {start}-{end}/{size}"` with `end` for `end - 1`)."""
    parts, others = _NUMBERS.split(one), _NUMBERS.split(other)
    if len(parts) != len(others):
        return False
    differing = [(a, b) for a, b in zip(parts, others, strict=True) if a != b]
    return (len(differing) == 1 and differing[0][0].isdigit() and differing[0][1].isdigit()
            and abs(int(differing[0][0]) - int(differing[0][1])) == 1)
