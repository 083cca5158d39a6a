"""The time budget as a wall: no test process that the heal waits for runs past it.

Every wait on a test process (a subprocess run, the warm worker's start-up and its replies) is
cut at the wall, the process group is killed, and what was killed is kept here for the report.
The heal sets the wall once it knows its budget; until then (the session's own tests are still
running while the first failure prepares the sandbox) it stands at infinity.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class Wall:
    at: float = math.inf  # time.monotonic() value
    budget: float = math.inf  # seconds, as the user set them
    killed: list[str] = field(default_factory=list)

    def set(self, at: float, budget: float) -> None:
        self.at, self.budget = at, budget

    def cap(self, seconds: float) -> float:
        """`seconds`, or the time left before the wall if that is less (never negative)."""
        return max(0.0, min(seconds, self.at - time.monotonic()))

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def hit(self, what: str) -> None:
        """Record a process killed because the wall came (`what` says which, doing what)."""
        self.killed.append(what)

    def summary(self) -> str | None:
        """What the wall ended, in a sentence for the report; None if it ended nothing."""
        if not self.killed:
            return None
        return (f"the time budget of {self.budget:g}s ran out, and what was still running was "
                f"killed: {'; '.join(self.killed)}. Raise --selfheal-time-budget to let the heal "
                "finish")
