"""Apply a past run's fix.diff to the working tree, or say why not, changing nothing.

Shared by the `apply` command and the pre-commit hook's --apply, so both say the same thing in
the same words.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import Path

from ..git import find_repo_root, git_ok, run_git
from .diffs import GIT_APPLY
from .rundir import FIX_DIFF
from .runstore import Run


class ApplyOutcome(enum.Enum):
    """How applying ended; the console script and the hook each map it to an exit code."""

    APPLIED = "applied"
    ALREADY_APPLIED = "already-applied"
    NO_FIX = "no-fix"  # the run found no fix
    NO_REPOSITORY = "no-repository"  # fix.diff applies at the root of a git checkout
    CONFLICT = "conflict"  # the working tree changed since the run


@dataclass(frozen=True)
class ApplyResult:
    outcome: ApplyOutcome
    message: str

    @property
    def in_working_tree(self) -> bool:
        """The fix is in the working tree now, applied by this call or before it."""
        return self.outcome in (ApplyOutcome.APPLIED, ApplyOutcome.ALREADY_APPLIED)

    def announce(self) -> None:
        """The message on stdout when the fix is in, on stderr when it was refused."""
        print(self.message, file=sys.stdout if self.in_working_tree else sys.stderr)


def apply_fix(root: Path, run: Run) -> ApplyResult:
    """`git apply` the run's fix.diff in the checkout that holds `root`, all or nothing."""
    if not run.diff_path.is_file():
        return ApplyResult(ApplyOutcome.NO_FIX,
                           f"run {run.run_id} has no fix ({run.status}); nothing to apply")
    repo = find_repo_root(root.resolve())
    if repo is None:
        return ApplyResult(ApplyOutcome.NO_REPOSITORY,
                           f"no git repository at {root}: {FIX_DIFF} applies at the root of the "
                           "checkout it was made for; pass --root")
    diff = str(run.diff_path)
    check = run_git(repo, *GIT_APPLY, "--check", diff)
    if check.returncode != 0 and git_ok(repo, *GIT_APPLY, "--check", "--reverse", diff):
        return ApplyResult(ApplyOutcome.ALREADY_APPLIED,
                           f"the fix of run {run.run_id} is already in your working tree; "
                           "nothing to do")
    done = run_git(repo, *GIT_APPLY, diff) if check.returncode == 0 else check
    if done.returncode != 0:
        return ApplyResult(ApplyOutcome.CONFLICT,
                           f"the fix of run {run.run_id} does not apply to your working tree, "
                           f"which changed since the run:\n{done.stderr.strip()}\nnothing was "
                           "changed; rerun `pytest --selfheal` to heal the current code")
    fix = run.report.get("fix")
    files = fix.get("files", []) if fix else []
    return ApplyResult(ApplyOutcome.APPLIED, f"applied the fix of run {run.run_id}"
                       + (f" to {', '.join(files)}" if files else ""))
