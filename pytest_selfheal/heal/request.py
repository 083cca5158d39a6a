"""What the user's pytest session hands a heal, and what the heal hands back: the contract
between session.py (which imports pytest) and the stages (which never do)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..models import Failure, Outcome, Suspect
from ..output.decisions import Listener
from ..redaction import Redactor
from ..testfiles import DEFAULT_PYTHON_FILES, TestFiles
from .signature import FailureGroup, failure_groups

if TYPE_CHECKING:
    from ..agents.base import Agent
    from .fix_modes import ModeAction
    from .ranking import Evidence
    from .regression import Regression
    from .triage import Triage


@dataclass(frozen=True)
class AddedTest:
    """A test the heal adds to the sandbox and repairs: an incident's reproduction test, proven
    to fail at HEAD with the incident's exception. It is the fix's regression test; its only
    oracle is that the exception is gone."""

    path: str  # relative to the repository root
    source: str
    nodeid: str  # relative to the rootdir
    reproduces: str  # what it reproduces, for the report: "incident 5f0c... (KeyError: 'sku')"
    calls: str  # the project function it calls as production did


@dataclass(frozen=True)
class HealRequest:
    """Everything the pytest side observed; paths are absolute."""

    repo_root: Path | None
    rootdir: Path
    failures: tuple[Failure, ...]
    outcomes: dict[str, str]  # every test that ran in the user's session
    settings: Settings
    make_agent: Callable[[str], Agent]
    run_id: str
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    import_roots: tuple[Path, ...] = ()  # sys.path entries inside the checkout
    suite_seconds: float = 0.0
    suite_peak_bytes: int = 0  # the most memory the user's run held in one process (0: unknown)
    pytest_options: tuple[str, ...] = ()  # of the user's command line, for the sandbox's runs
    started: float = field(default_factory=time.monotonic)  # the session's end: heal seconds start here
    # the secrets of the user's environment, hidden in everything the heal writes or shows
    redactor: Redactor = field(default_factory=Redactor.from_environment, repr=False)
    # told every decision as the heal makes it: the progress line (output/progress.py)
    progress: Listener | None = field(default=None, repr=False, compare=False)
    added_test: AddedTest | None = None  # an incident's reproduction, among the failures
    # node id -> protocol.case_key of the parametrized tests whose ids may move between processes
    cases: Mapping[str, str] = field(default_factory=dict)

    @property
    def rootdir_in_repo(self) -> PurePosixPath:
        """pytest's rootdir (what node ids are relative to) relative to the repository root;
        "." without a repository or for a rootdir outside it."""
        rootdir = self.rootdir.resolve()
        if self.repo_root is None or not rootdir.is_relative_to(self.repo_root.resolve()):
            return PurePosixPath(".")
        return PurePosixPath(rootdir.relative_to(self.repo_root.resolve()).as_posix())

    def hiding_secrets(self) -> HealRequest:
        """The request with secrets hidden in the failures' messages and output, so that what
        the stages derive from them (a normalized signature, a prompt) holds no part of one."""
        hidden = self.redactor.hide_tree([[f.message, f.output] for f in self.failures])
        return replace(self, failures=tuple(replace(f, message=message, output=output)
                                            for f, (message, output) in zip(self.failures, hidden,
                                                                            strict=True)))


@dataclass(frozen=True)
class Alternative:
    """A plausible patch ranked below the fix, with the evidence that ranked it."""

    outcome: Outcome
    evidence: Evidence


@dataclass(frozen=True)
class HealResult:
    status: str  # "healed" | "partial" | "not-healed" | "skipped" | "error"
    reason: str
    request: HealRequest
    run_dir: Path | None = None
    targets: tuple[str, ...] = ()
    suspects: tuple[Suspect, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    fix: Outcome | None = None
    alternatives: tuple[Alternative, ...] = ()  # plausible patches after the fix, best first
    fix_evidence: Evidence | None = None  # what ranked the fix first
    why_first: str = ""  # why the fix ranks ahead of the first alternative (ranking.why_first)
    diff: bytes = b""  # fix.diff: the files' bytes, line endings and encodings as they are
    seconds: float = 0.0
    seconds_to_green: float | None = None  # from the start of the heal to its first complete fix
    agent: str = ""
    details: dict[str, str] = field(default_factory=dict)
    agent_report: dict[str, Any] = field(default_factory=dict)  # spend and stop of a model agent
    action: ModeAction | None = None  # what the mode (report/apply/branch) did with the fix
    triage: Triage | None = None
    regression: Regression | None = None

    @cached_property
    def failure_groups(self) -> tuple[FailureGroup, ...]:
        """The failures as a reader counts them: by exception type and the place that raised it."""
        request = self.request
        is_test_file = TestFiles.of_suite(request.python_files, [f.nodeid for f in request.failures],
                                          request.rootdir_in_repo)
        return failure_groups(request.failures, is_test_file)
