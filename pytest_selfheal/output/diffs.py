"""Diffs of edits that `git apply` accepts: what fix.diff is made of.

A diff is bytes, made from the files' bytes: line endings (CRLF, mixed), the encoding, a BOM and
a missing final newline are in it exactly as in the file, so that it applies byte for byte and
changes nothing but the edited lines.
"""

from __future__ import annotations

import difflib

from ..models import Candidate
from ..source import encode_source

_NO_NEWLINE = b"\n\\ No newline at end of file\n"
# `git apply` as the heal runs it: a CR that ends a line is the file's line ending, not trailing
# whitespace to warn about or, under the user's `apply.whitespace=fix`, to strip.
GIT_APPLY = ("apply", "--whitespace=nowarn")


def unified_diff(path: str, before: bytes, after: bytes) -> bytes:
    """A git-style diff of one file's bytes, missing final newlines included."""
    return _git_diff(path, before, after, new_file=False)


def new_file_diff(path: str, text: str) -> bytes:
    """A git diff that creates `path` with `text` in UTF-8; `git apply` needs `new file mode`."""
    return _git_diff(path, b"", text.encode("utf-8"), new_file=True)


def _git_diff(path: str, before: bytes, after: bytes, new_file: bool) -> bytes:
    name = path.encode("utf-8", "surrogateescape")
    lines = list(difflib.diff_bytes(difflib.unified_diff, _lines(before), _lines(after),
                                    fromfile=b"/dev/null" if new_file else b"a/" + name,
                                    tofile=b"b/" + name, n=3))
    if not lines:
        return b""
    header = b"diff --git a/%s b/%s\n" % (name, name)
    return header + (b"new file mode 100644\n" if new_file else b"") + b"".join(lines)


def _lines(data: bytes) -> list[bytes]:
    """The lines as git counts them: each ends at b"\\n" (a CR is part of its line)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    last = lines.pop()[:-1]
    if last:
        lines.append(last + _NO_NEWLINE)
    return lines


def combined_diff(candidate: Candidate) -> bytes:
    """One diff for the whole candidate, a section per file in path order, each file in its own
    encoding."""
    changes, encodings = candidate.file_changes, candidate.encodings
    return b"".join(
        unified_diff(path, *(encode_source(text, encodings[path]) for text in changes[path]))
        for path in sorted(changes)
    )


def diff_text(diff: bytes) -> str:
    """A diff to show (terminal, report.md): bytes that are not UTF-8 shown as U+FFFD."""
    return diff.decode("utf-8", "replace")
