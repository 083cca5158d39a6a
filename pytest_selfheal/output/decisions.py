"""decisions.jsonl: an append-only record of every decision of a heal, one JSON object a line.

Enough to reconstruct why this patch and not another: the targets, the suspects, every
candidate (its edits, the policy verdict, the validation result and time), agent turns,
mode actions and errors. Each line is written and flushed as the decision is made, so a
killed run still leaves what it decided up to that point. Every string in it is cleaned of
secrets and terminal escapes (redaction.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..models import Outcome, Suspect
from ..redaction import Redactor
from .rundir import DECISIONS

Listener = Callable[[str, Mapping[str, Any]], None]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


class DecisionLog:
    """Appends decisions to `<run_dir>/decisions.jsonl`; a write error disables it, never the heal."""

    def __init__(self, run_dir: Path | None, redactor: Redactor | None = None,
                 listener: Listener | None = None) -> None:
        self.path = run_dir / DECISIONS if run_dir is not None else None
        self.redactor = redactor or Redactor.from_environment()
        self.listener = listener  # told every decision as it is made (progress.py)
        self.started = time.monotonic()
        self.seq = 0

    def record(self, kind: str, **fields: Any) -> None:
        if self.listener is not None:
            self.listener(kind, fields)
        if self.path is None:
            return
        self.seq += 1
        entry = {"seq": self.seq, "kind": kind, "t": round(time.monotonic() - self.started, 3),
                 "pid": os.getpid(), **fields}
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(self.redactor.clean_tree(entry), ensure_ascii=False) + "\n")
        except OSError:
            self.path = None  # the terminal section and report.json still say what happened

    def suspects(self, suspects: tuple[Suspect, ...]) -> None:
        self.record("suspects", suspects=[asdict(s) for s in suspects])

    def candidate(self, number: int, outcome: Outcome, policy: str | None) -> None:
        """One validated or rejected candidate; `policy` is the broken rule, or None if it passed."""
        candidate = outcome.candidate
        self.record(
            "candidate",
            number=number,
            agent=candidate.agent,
            description=candidate.description,
            score=candidate.score,
            edits=[
                {"path": e.path, "line": e.line, "template": e.template,
                 "before": text_hash(e.before), "after": text_hash(e.after)}
                for e in candidate.edits
            ],
            policy="rejected: " + policy if policy else "allowed",
            verdict=outcome.verdict.value,
            fixed=list(outcome.fixed),
            broken=list(outcome.broken),
            detail=outcome.detail,
            seconds=outcome.seconds,
        )

    def agent_turn(self, prompt: str, reply: str, input_tokens: int = 0,
                   output_tokens: int = 0) -> None:
        """A model exchange, by content hash: the log stays small and holds no source text."""
        self.record("agent-turn", prompt=text_hash(prompt), reply=text_hash(reply),
                    input_tokens=input_tokens, output_tokens=output_tokens)
