"""The frames of a Python traceback as text (`exception.stacktrace` of other instrumentation),
and which of them are the project's: a running program's paths are where it was deployed
(`/srv/app/shop/cart.py`), the repository's are relative (`shop/cart.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .occurrence import RawFrame

_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)\s*$')
_CHAIN = ("The above exception was the direct cause", "During handling of the above exception")
_INSTALLED = re.compile(r"/(?:site-packages|dist-packages|python\d\.\d+)/")


@dataclass(frozen=True)
class ProjectFiles:
    """The repository's tracked files, to tell a deployed path that is one of them."""

    tracked: frozenset[str]
    _by_name: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[str]] = {}
        for rel in self.tracked:
            by_name.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        object.__setattr__(self, "_by_name", {k: tuple(v) for k, v in by_name.items()})

    @classmethod
    def of(cls, paths: Iterable[str]) -> ProjectFiles:
        return cls(frozenset(paths))

    def relative(self, path: str) -> str | None:
        """The tracked file `path` is a deployed copy of (the longest matching tail), or None
        for installed code and files the repository does not hold."""
        path = path.replace("\\", "/")
        if path in self.tracked:
            return path
        if _INSTALLED.search(path):
            return None
        matches = [rel for rel in self._by_name.get(path.rsplit("/", 1)[-1], ())
                   if path.endswith("/" + rel)]
        return max(matches, key=len) if matches else None


def frames_of(stacktrace: str, project: ProjectFiles) -> tuple[RawFrame, ...]:
    """The raised exception's frames (the last traceback of a chain), outermost first, each with
    whether it is in the project (then its path is the repository's)."""
    block = stacktrace
    for marker in _CHAIN:
        block = block.rsplit(marker, 1)[-1]
    found: list[RawFrame] = []
    for text in block.splitlines():
        match = _FRAME.match(text)
        if match is None:
            continue
        rel = project.relative(match["path"])
        found.append(RawFrame(rel or match["path"], int(match["line"]), match["function"],
                              rel is not None))
    return tuple(found)
