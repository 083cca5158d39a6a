"""The conversation as sent and received (already redacted), rewritten to the run dir after every step."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Transcript:
    path: Path | None
    header: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        """Write atomically, so a crash or Ctrl-C leaves the last complete step readable."""
        if self.path is None:
            return
        data = {**self.header, "messages": self.messages, "calls": self.calls, "end": self.end}
        partial = self.path.with_suffix(".json.partial")
        try:
            partial.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
            os.replace(partial, self.path)
        except OSError:
            pass  # the report still records the spend; a full disk must not end the heal
