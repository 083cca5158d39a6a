"""The benchmarks' reading of a heal's regression test (report.json) and the share of healed bugs
that carry one, with the reasons for those that do not."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _regression_share import regression_outcome, share_lines


def test_a_written_test_is_replayed_when_it_calls_a_function_and_copied_otherwise() -> None:
    replayed = {"regression": {"path": "tests/test_regression_f.py", "calls": "f", "reason": "2 witness"}}
    copied = {"regression": {"path": "tests/test_regression_f.py", "calls": None, "reason": "a copy"}}
    missing = {"regression": {"path": None, "calls": None, "reason": "1 call(s) of f could not be written"}}
    assert regression_outcome(replayed) == ("replayed", "2 witness")
    assert regression_outcome(copied) == ("copied", "a copy")
    assert regression_outcome(missing) == ("", "1 call(s) of f could not be written")
    assert regression_outcome({"regression": None}) == ("", "no regression stage ran")


def test_the_share_counts_healed_bugs_with_a_test_and_lists_each_without_one_by_cause() -> None:
    lines = share_lines([("a", "replayed", "ok"), ("b", "copied", "ok"),
                         ("c", "", "no generated test failed on the original code; more"),
                         ("d", "", "no generated test failed on the original code; other")])
    assert lines[0] == "regression test with the fix: 2/4 healed (1 replayed, 1 copied)"
    assert lines[1] == "without one, by cause: 2x no generated test failed on the original code"
    assert lines[2:] == ["  c: no generated test failed on the original code; more",
                         "  d: no generated test failed on the original code; other"]
