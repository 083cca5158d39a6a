"""One of many records named by its id or by the start of it, as git names a commit: a run, an
incident, a deployed version. Each caller says in its own words what was not found."""

from __future__ import annotations

from collections.abc import Iterable


def named_by(wanted: str, ids: Iterable[str]) -> list[str]:
    """The ids `wanted` names: itself when it is one of them, else each that starts with it, in
    order and once each. One is the answer; several, a prefix too short; none, no such id."""
    known = list(dict.fromkeys(ids))
    return [wanted] if wanted in known else [found for found in known if found.startswith(wanted)]
