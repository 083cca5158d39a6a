"""Keep secrets out of everything sent to the API: the key itself and secret-looking env values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
MIN_SECRET_LENGTH = 4  # shorter values ("1", "yes") would redact ordinary text
MASK = "[REDACTED]"


@dataclass(frozen=True)
class Redactor:
    secrets: tuple[str, ...]

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ, extra: tuple[str, ...] = ()) -> Redactor:
        values = [v for k, v in env.items() if SECRET_NAME.search(k)] + list(extra)
        unique = {v for v in values if len(v) >= MIN_SECRET_LENGTH}
        return cls(tuple(sorted(unique, key=len, reverse=True)))  # longest first: no partial leaks

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def tree(self, value: Any) -> Any:
        """The same JSON-like structure with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.tree(v) for v in value]
        return value
