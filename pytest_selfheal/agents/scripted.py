"""Replays recorded candidates from a JSON file: for tests, examples and reproducible demos.

Format: {"candidates": [{"description": "...", "edits": [EDIT, ...]}, ...]} where EDIT is
{"path": "pkg/mod.py", "find": "old text", "replace": "new text"} (a unique span) or
{"path": "pkg/mod.py", "function": "Class.method", "source": "def method(...): ..."}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import AgentError, PatchError
from ..models import Candidate
from ..source import read_source
from .base import Agent, Workbench
from .patch import edits_from_specs


@dataclass(frozen=True)
class ScriptedAgent:
    script: tuple[dict[str, Any], ...]
    name: str = "scripted"

    @classmethod
    def from_file(cls, path: Path) -> ScriptedAgent:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            candidates = data["candidates"]
            if not isinstance(candidates, list):
                raise TypeError("'candidates' must be a list")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AgentError(
                f"cannot read the agent script {path}: {exc}; expected "
                '{"candidates": [{"edits": [{"path": ..., "find": ..., "replace": ...}]}]}'
            ) from None
        return cls(script=tuple(candidates))

    def repair(self, bench: Workbench) -> str:
        for number, entry in enumerate(self.script, 1):
            reason = bench.stop_reason()
            if reason:
                return reason
            try:
                candidate = self._candidate(bench.root, entry, number)
            except PatchError as exc:
                raise AgentError(f"scripted candidate #{number}: {exc}") from None
            bench.try_candidate(candidate)
        return bench.stop_reason() or "script exhausted"

    def _candidate(self, root: Path, entry: dict[str, Any], number: int) -> Candidate:
        edits = edits_from_specs(
            lambda path: read_source(root / path), entry.get("edits", ()),
            str(entry.get("description", f"scripted #{number}")), "scripted",
        )
        return Candidate(edits=edits, agent=self.name)


def create(settings: Settings, argument: str) -> Agent:
    return ScriptedAgent.from_file(Path(argument))
