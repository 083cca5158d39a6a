"""The paths of a heal's sandbox and how its files are read and written.

Building the worktree takes git (sandbox.py); this module takes nothing heavy, so that a heal
can start its warm worker, which needs only the paths, before GitPython is even imported.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import SandboxError
from ..models import Edit
from ..source import PythonSource, encode_source, read_source

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

    def read(self, rel: str) -> PythonSource:
        """A source file as Python reads it, with the encoding `write` needs to give it back."""
        return read_source(self.root / rel)

    def write(self, rel: str, text: str, encoding: str = "utf-8") -> None:
        """Source text in the file's encoding, line endings as they are in `text`."""
        self.write_bytes(rel, encode_source(text, encoding))

    @contextmanager
    def applied(self, edits: Sequence[Edit]) -> Iterator[None]:
        """The edits written into the worktree while the block runs; afterwards, whatever
        happened, every file they touch holds its original bytes again."""
        for path in dict.fromkeys(e.path for e in edits):
            self.inside(path)
        originals = {path: (self.root / path).read_bytes() for path in dict.fromkeys(e.path for e in edits)}
        try:
            for edit in edits:
                self.write(edit.path, edit.after, edit.encoding)
            yield
        finally:
            for path, data in originals.items():
                self.write_bytes(path, data)

    def inside(self, rel: str) -> Path:
        """The worktree path of `rel`; SandboxError if it leads out of the worktree (a symbolic
        link to a directory outside it, say): nothing outside the sandbox is ever written."""
        path = self.root / rel
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise SandboxError(
                f"{rel} leads outside the sandbox (to {path.resolve()}), through a symbolic link "
                "in your checkout; nothing was written there. Replace the link with a copy of "
                "what it points to, or keep the fix out of that path (--selfheal-forbidden-paths)"
            )
        return path

    def write_bytes(self, rel: str, data: bytes) -> None:
        path = self.inside(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = next(_WRITE_STAMPS) * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))
