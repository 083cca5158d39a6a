"""Which files the model may read and edit: files of the worktree, and for edits what the heal's
edit policy allows every agent (project source only, never tests or config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..base import EditPolicy

SCOPE_TEXT = "Python files of the project that are not tests, conftest.py, setup or config files"


class Rejected(Exception):
    """A tool call the model must correct; the message is written back to it."""


@dataclass(frozen=True)
class Scope:
    root: Path
    policy: EditPolicy

    def readable(self, raw: object) -> str:
        """A repository-relative POSIX path to an existing file inside the worktree."""
        if not isinstance(raw, str) or not raw.strip():
            raise Rejected("`path` must be a file path relative to the repository root")
        rel = PurePosixPath(raw.strip().replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts:
            raise Rejected(f"{raw}: use a path relative to the repository root, without '..'")
        text = rel.as_posix().removeprefix("./")
        if rel.parts and rel.parts[0] == ".git":
            raise Rejected(f"{raw}: git's own files are not part of the project")
        path = self.root / text
        if not path.is_file():
            raise Rejected(f"{raw}: no such file; use search_code to find the right path")
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise Rejected(f"{raw}: links outside the repository")
        return text

    def editable(self, raw: object) -> str:
        """`readable`, and allowed by the policy; the refusal says why, so the model can move on."""
        rel = self.readable(raw)
        refusal = self.policy.refusal(rel)
        if refusal:
            raise Rejected(
                f"{refusal}, so it may not be edited; fix the code under test instead "
                "(if the test itself is wrong, say so in finish)"
            )
        return rel
