"""Textual diffs of edits that `git apply` accepts: what fix.diff is made of."""

from __future__ import annotations

import difflib

from ..models import Candidate


def unified_diff(path: str, before: str, after: str) -> str:
    """A git-style diff of one file that `git apply` accepts, including missing final newlines."""
    lines = list(
        difflib.unified_diff(
            _lines(before), _lines(after), fromfile=f"a/{path}", tofile=f"b/{path}", n=3
        )
    )
    if not lines:
        return ""
    return f"diff --git a/{path} b/{path}\n" + "".join(lines)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def combined_diff(candidate: Candidate) -> str:
    """One diff for the whole candidate, a section per file in path order."""
    changes = candidate.file_changes
    return "".join(unified_diff(path, *changes[path]) for path in sorted(changes))


def new_file_diff(path: str, text: str) -> str:
    """A git diff that creates `path` with `text`; `git apply` needs `new file mode` for it."""
    lines = list(difflib.unified_diff([], _lines(text), fromfile="/dev/null", tofile=f"b/{path}"))
    if not lines:
        return ""
    return f"diff --git a/{path} b/{path}\nnew file mode 100644\n" + "".join(lines)
