"""Hard limits on the model loop: checked before every call, charged from the usage the API reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .pricing import ModelInfo


@dataclass(frozen=True)
class SpendLimits:
    calls: int
    tokens: int
    dollars: float
    seconds: float


@dataclass
class Budget:
    limits: SpendLimits
    prices: ModelInfo
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    dollars: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_write_tokens + self.cache_read_tokens

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def exhausted(self) -> str | None:
        """Which limit forbids the next call, in words, or None."""
        limits = self.limits
        if self.calls >= limits.calls:
            return f"budget: {self.calls} of {limits.calls} model calls made"
        if self.tokens >= limits.tokens:
            return f"budget: {self.tokens} of {limits.tokens} tokens used"
        if self.dollars >= limits.dollars:
            return f"budget: ${self.dollars:.4f} of ${limits.dollars:g} spent"
        if self.seconds >= limits.seconds:
            return f"budget: {self.seconds:.0f} of {limits.seconds:g} seconds used"
        return None

    def remaining_tokens(self) -> int:
        return max(0, self.limits.tokens - self.tokens)

    def remaining_seconds(self) -> float:
        return max(0.0, self.limits.seconds - self.seconds)

    def charge_call(self) -> None:
        """A call counts when it is made, whether or not it succeeds."""
        self.calls += 1

    def charge_usage(self, usage: Any) -> None:
        """Add a response's `usage` (SDK object or dict); missing fields count as zero."""
        def get(name: str) -> int:
            value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, 0)
            return int(value or 0)

        prices = self.prices
        spent = {
            "input": get("input_tokens"),
            "output": get("output_tokens"),
            "write": get("cache_creation_input_tokens"),
            "read": get("cache_read_input_tokens"),
        }
        self.input_tokens += spent["input"]
        self.output_tokens += spent["output"]
        self.cache_write_tokens += spent["write"]
        self.cache_read_tokens += spent["read"]
        self.dollars += (
            spent["input"] * prices.input + spent["output"] * prices.output
            + spent["write"] * prices.cache_write + spent["read"] * prices.cache_read
        ) / 1_000_000

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "dollars": round(self.dollars, 6),
            "seconds": round(self.seconds, 2),
            "limits": {"calls": self.limits.calls, "tokens": self.limits.tokens,
                       "dollars": self.limits.dollars, "seconds": self.limits.seconds},
        }

    def describe(self) -> str:
        return (f"{self.calls} call(s), {self.tokens} tokens, ${self.dollars:.4f}, "
                f"{self.seconds:.1f}s")
