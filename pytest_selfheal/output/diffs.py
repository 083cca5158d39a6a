"""Textual diffs of edits that `git apply` accepts: what fix.diff is made of."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from ..models import Edit


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


def combined_diff(edits: Sequence[Edit]) -> str:
    """One diff for several edits; edits of the same file are folded into before/after pairs."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for edit in edits:
        first.setdefault(edit.path, edit.before)
        last[edit.path] = edit.after
    return "".join(unified_diff(path, first[path], last[path]) for path in sorted(first))


def new_file_diff(path: str, text: str) -> str:
    """A git diff that creates `path` with `text`; `git apply` needs `new file mode` for it."""
    lines = list(difflib.unified_diff([], _lines(text), fromfile="/dev/null", tofile=f"b/{path}"))
    if not lines:
        return ""
    return f"diff --git a/{path} b/{path}\nnew file mode 100644\n" + "".join(lines)
