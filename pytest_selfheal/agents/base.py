"""The protocols between the heal and its agents: the Workbench an agent works against and the
Agent itself. Protocols only: no implementation is imported here (the registry is in
`agents/__init__.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..models import Candidate, Failure, Outcome, Spectrum, Suspect, TestRunResult


class EditPolicy(Protocol):
    """The heal's one edit policy, as an agent asks it before proposing an edit."""

    def refusal(self, path: str) -> str | None:
        """Why no agent may edit `path` ("<path> is ..."), or None when it may."""
        ...


class Workbench(Protocol):
    """What an agent sees of a heal, and the one way it can try a fix."""

    @property
    def root(self) -> Path: ...  # the sandbox worktree; read it, never write it directly
    @property
    def failures(self) -> tuple[Failure, ...]: ...
    @property
    def suspects(self) -> tuple[Suspect, ...]: ...
    @property
    def spectrum(self) -> Spectrum: ...

    def try_candidate(self, candidate: Candidate) -> Outcome:
        """Validate a candidate in the sandbox; the sandbox is restored afterwards."""
        ...

    def try_batch(self, candidates: Sequence[Candidate]) -> list[Outcome]:
        """try_candidate for each in order (stopping when stop_reason() says so), screened in
        parallel first; returns the outcomes of those tried."""
        ...

    def stop_reason(self) -> str | None:
        """Why the agent must stop now (healed, time budget, candidate budget), or None."""
        ...

    @property
    def healed(self) -> bool: ...  # a plausible fix makes every target pass (search may go on)

    @property
    def run_dir(self) -> Path | None: ...  # where the heal's output goes (transcripts)

    def base_text(self, path: str) -> str | None:
        """`path` as the base of the change had it (triage's: the last green commit, else HEAD
        under uncommitted work, else HEAD~1), where the change touched it; None elsewhere."""
        ...

    @property
    def change_base(self) -> str: ...  # the base as the report names it: "HEAD", "HEAD~1", ...
    @property
    def changed_paths(self) -> tuple[str, ...]: ...  # the files the change touched, sorted

    def change_diff(self) -> str:
        """`git diff` from the base of the change to the worktree; "" without a base."""
        ...

    def is_test_file(self, rel: str) -> bool:
        """True for a test module, conftest.py or a file a test nodeid names."""
        ...

    @property
    def policy(self) -> EditPolicy: ...

    def run(self, nodeids: Sequence[str]) -> TestRunResult:
        """Run tests on the unpatched worktree (the suite when `nodeids` is empty)."""
        ...


class Agent(Protocol):
    @property
    def name(self) -> str: ...

    def repair(self, bench: Workbench) -> str:
        """Propose and try candidates until told to stop; return why it stopped."""
        ...


@runtime_checkable
class Anticipating(Protocol):
    """An agent that starts reading the files the fault is likely in while the heal's first
    stages run (the probe takes seconds on a real suite), before the suspects are known: told
    before the probe (tracebacks, the change) and again after it (the best suspects' files)."""

    def anticipate(self, root: Path, paths: Sequence[str]) -> None:
        """Begin with `paths` (relative to `root`, most likely first), before any an earlier call
        named that are still waiting, and return at once."""
        ...


@runtime_checkable
class Reporting(Protocol):
    """An agent with more to say in report.json than its stop reason (spend, rationale)."""

    def agent_report(self) -> dict[str, Any]: ...


def report_of(agent: Agent) -> dict[str, Any]:
    return agent.agent_report() if isinstance(agent, Reporting) else {}
