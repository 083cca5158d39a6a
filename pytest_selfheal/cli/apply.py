"""`apply`: write a run's fix into the working tree, or refuse and change nothing."""

from __future__ import annotations

from pathlib import Path

from ..output import runstore
from ..output.apply import ApplyOutcome, apply_fix
from .exit_codes import EXIT_CONFLICT, EXIT_NOTHING, EXIT_OK, EXIT_USAGE

EXIT_CODES = {
    ApplyOutcome.APPLIED: EXIT_OK,
    ApplyOutcome.ALREADY_APPLIED: EXIT_OK,
    ApplyOutcome.NO_FIX: EXIT_NOTHING,
    ApplyOutcome.NO_REPOSITORY: EXIT_USAGE,
    ApplyOutcome.CONFLICT: EXIT_CONFLICT,
}


def apply_command(root: Path, wanted: str | None) -> int:
    """Apply the run's fix.diff; the latest run's unless `wanted` names one."""
    result = apply_fix(root, runstore.find_run(runstore.output_dir(root), wanted))
    result.announce()
    return EXIT_CODES[result.outcome]
