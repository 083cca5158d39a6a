"""Clues: what the failures themselves say about the fix, read once per heal and given to the
templates and the ranking: the exceptions the failing tests expect (expected.py), the texts they
compared (texts.py), and whether a None shows in their messages. (Not ranking.Evidence, which is
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

    @classmethod
    def of(cls, root: Path, failures: Iterable[Failure]) -> Clues:
        failures = tuple(failures)
        return cls(expected_exceptions(root, failures), compared_texts(failures),
                   _shows_none(failures))


NO_CLUES = Clues()


def _shows_none(failures: Iterable[Failure]) -> bool:
    """Whether at least half of the failures show a None: 3 of packaging's 289 did (two of them
    expecting one), and the lift put a None filled in at its least suspect lines first."""
    shown = [bool(f.message and _NONE_SHOWN.search(f.message)) for f in failures]
    return bool(shown) and 2 * sum(shown) >= len(shown)
