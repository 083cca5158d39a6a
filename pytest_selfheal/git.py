"""Where the user's git repository is, found without running git: GitPython (a tenth of a
second to import) is needed only once a heal builds its sandbox."""

from __future__ import annotations

from pathlib import Path


def find_repo_root(start: Path) -> Path | None:
    """The enclosing git work tree, found by its `.git` directory or file."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
