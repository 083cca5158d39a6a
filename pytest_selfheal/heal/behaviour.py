"""How much each plausible patch changes what the program does where the tests already passed.

Every plausible patch makes the failing tests pass and keeps the passing ones passing, yet a
passing test checks only some of what it runs: a patch that also changes the results of many
calls those tests make (unasserted) changes behaviour nobody asked to change, and is the less
likely fix (Xiong et al., "Identifying patch correctness in test-based program repair", ICSE
2018: a correct patch keeps passing tests' behaviour alike). The recorder the regression test
uses logs each call of the patched function while the passing tests that run the patched lines
run, with the patch and without it; the count of distinct calls (inputs) whose result, raised
error or object state differs is the patch's behaviour change. The ranking prefers the smaller.

Only the best few plausible patches are weighed, with a few of those tests each, for as long as
the search for alternatives could go on, and never in the regression test's reserve.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from ..linediff import edited_lines
from ..models import Candidate, Outcome, Spectrum
from .regression import NoRegression, changed_calls, patched_function, record_calls
from .workbench import SandboxWorkbench

MAX_WEIGHED = 5  # plausible patches whose behaviour change is measured, best first
MAX_TESTS = 40  # passing tests recorded for each
# The weighing takes as long as the search for alternatives could go on, and at least this,
# however fast the fix came.
MIN_WEIGHING_SECONDS = 2.0


def behaviour_changes(bench: SandboxWorkbench, plausible: Sequence[Outcome]) -> Mapping[Candidate, int]:
    """Candidate -> how many distinct calls of its patched function, made by passing tests that
    run its edited lines, it changes the outcome of. `plausible` is best first; they are weighed
    in that order and the weighing stops at the first that cannot be (no function patched, a
    recording that did not finish) or when its time is up, so every patch weighed ranked ahead
    of every one not weighed and the ranking stays a total order. Empty when there is no choice."""
    if len(plausible) < 2:
        return {}
    weighing = max(MIN_WEIGHING_SECONDS, bench.alternatives_seconds())
    until = min(bench.search_deadline(), time.monotonic() + weighing)
    measured: dict[Candidate, int] = {}
    for outcome in plausible[:MAX_WEIGHED]:
        count = _changed(bench, outcome.candidate, until)
        if count is None:
            break
        measured[outcome.candidate] = count
    return measured


def _changed(bench: SandboxWorkbench, candidate: Candidate, until: float) -> int | None:
    tests = passing_tests_through(bench.spectrum, candidate, set(bench.task.targets))
    if not tests:
        return 0  # no passing test reaches the patch: it changes nothing they do
    if time.monotonic() >= until:
        return None
    try:
        patched = patched_function(candidate.edits)
        fixed, original = record_calls(bench, candidate.edits, patched, tests, until=until)
    except NoRegression:
        return None
    except Exception as exc:  # a fault here must not cost the user the validated fix
        bench.log.record("behaviour", error=f"{type(exc).__name__}: {exc}")
        return None
    return changed_calls(fixed, original)


def passing_tests_through(spectrum: Spectrum, candidate: Candidate, targets: set[str]) -> tuple[str, ...]:
    """The first MAX_TESTS tests that passed in the probe and ran a line the candidate edits."""
    # The lines of the file before the edit that the edit changes (edited_lines reads the
    # second text's lines): coverage was measured on that file.
    edited = {(edit.path, line) for edit in candidate.edits
              for line in edited_lines(edit.after, edit.before)}
    through = [test for test in spectrum.passing
               if test not in targets and edited & spectrum.covered[test]]
    return tuple(through[:MAX_TESTS])
