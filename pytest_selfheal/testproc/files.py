"""Where a code object's source is: the real path of its file, or none for code that has no file.

`co_filename` of frozen modules ("<frozen _collections_abc>"), of `exec`'d strings ("<string>")
and of the interactive prompt is not a path; made real, it would name a file in the current
directory, which in a sandbox's test process is the worktree: the project's own place.
"""

from __future__ import annotations

import os


def real_file(filename: str) -> str | None:
    """The real path of `filename` (a `co_filename`), or None when it names no file."""
    if filename.startswith("<"):
        return None
    return os.path.realpath(filename)
