"""The console script's exit codes, shared by every command and printed in every --help."""

from __future__ import annotations

EXIT_OK = 0  # done: demo healed, fix applied, hook passed
EXIT_NOT_HEALED = 1  # not healed, or tests failed (the hook blocks the commit)
EXIT_USAGE = 2
EXIT_NOTHING = 3  # nothing there: no runs, no fix, no decision log
EXIT_CONFLICT = 4  # the fix does not apply to the working tree
EXIT_CODES_HELP = (
    "exit codes: 0 done, 1 not healed or tests failed, 2 usage error, "
    "3 nothing there (no run, fix or log), 4 the fix does not apply"
)
