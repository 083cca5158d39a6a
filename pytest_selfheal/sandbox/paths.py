"""The paths of a heal's sandbox and how its files are read and written.

Building the worktree takes git (sandbox.py); this module takes nothing heavy, so that a heal
can start its warm worker, which needs only the paths, before GitPython is even imported.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

# Python and pytest reuse a cached .pyc while the source's mtime (whole seconds) and size match,
# so two versions of a file written within one second could share one. Every write gets its own
# mtime, counted from 2001: no two writes share one, and git checkouts (dated now) never meet them.
_WRITE_STAMPS = itertools.count(1_000_000_000)


@dataclass(frozen=True)
class Sandbox:
    """Paths of one worktree; `tmp` is a scratch directory beside it, removed with it."""

    user_root: Path
    root: Path
    tmp: Path
    submodules: tuple[str, ...] = ()  # paths of submodules, relative to the repository root

    def map(self, user_path: Path) -> Path:
        """The worktree path of a path inside the user's checkout."""
        return self.root / user_path.resolve().relative_to(self.user_root)

    def read(self, rel: str) -> str:
        """Text of a file; bytes that are not UTF-8 survive a read/write round trip unchanged."""
        return (self.root / rel).read_text(encoding="utf-8", errors="surrogateescape")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        stamp = next(_WRITE_STAMPS) * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
