"""What changed between two deployed versions, and whether a signature's frames touch it: a
frame on a changed line is a causal link (high confidence), a frame in a function the deploy
changed is one too (medium), as triage links a failing test to the lines it raised from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..git import DIFF_OPTIONS, commit_of, file_at, git_output
from ..heal.changes import as_lines, changed_lines_in
from ..heal.triage import EVIDENCE_LIMIT, CausalLink, causal_link
from ..models import Line
from ..source import function_span_in
from ..testfiles import TestFiles
from .occurrence import Occurrence

NO_LINK = CausalLink(False, False, "low", ())


@dataclass
class Changes:
    """The lines `new` adds or modifies since `old` (in `new`'s files), or why they are unknown."""

    root: Path
    old: str
    new: str
    lines: frozenset[Line] = frozenset()
    problem: str = ""  # why no lines could be compared; "" when they were
    _files: dict[str, str | None] = field(default_factory=dict, repr=False)  # path -> text in `new`

    def link(self, found: Occurrence) -> tuple[CausalLink, str]:
        """The link of one incident's frames (recorded on `new`) to the changes, and a note."""
        if self.problem:
            return NO_LINK, self.problem
        if found.version != self.new:
            return NO_LINK, f"no incident of this signature on {self.new[:12]}"
        failure = found.failure()
        on_line = causal_link(failure, None, self.lines, frozenset(), TestFiles())
        if on_line.causal_link:
            return on_line, "a frame is on a line the deploy changed"
        hits = []
        for path, line in sorted(found.project_lines()):
            span = self._span(path, line)
            if span is not None:
                hits += [f"{p}:{n}" for p, n in sorted(self.lines) if p == path and span[0] <= n <= span[1]]
        if not hits:
            return NO_LINK, "no frame is in code the deploy changed"
        runtime = not TestFiles()(hits[0].rsplit(":", 1)[0])
        return (CausalLink(runtime, True, "medium", tuple(dict.fromkeys(hits))[:EVIDENCE_LIMIT]),
                "a frame is in a function the deploy changed")

    def _span(self, path: str, line: int) -> tuple[int, int] | None:
        """The def around `line` in `path` as deployed in `new` (read from git, not the checkout)."""
        if path not in self._files:
            inside = not path.startswith("/") and ".." not in path.split("/")  # a path from a file
            self._files[path] = file_at(self.root, self.new, path) if inside else None
        text = self._files[path]
        return function_span_in(text, line) if text is not None else None


def changes_between(root: Path, old: str, new: str) -> Changes:
    """The changed lines, or a problem naming what to do: a version that is not a commit here
    is said plainly."""
    if git_output(root, "rev-parse", "--git-dir") is None:
        return Changes(root, old, new, problem=f"no git repository at {root}: run the command in "
                       "the service's repository (or pass --root) to link signatures to changes")
    for version in (old, new):
        if commit_of(root, version) is None:
            return Changes(root, old, new, problem=(
                f"version {version} is not a commit of this repository: fetch it "
                f"(`git fetch origin {version}`) or name deployed commits with --version and "
                "--baseline-version"))
    diff = git_output(root, "diff", *DIFF_OPTIONS, old, new, "--") or ""
    return Changes(root, old, new, lines=as_lines(changed_lines_in(diff)))
