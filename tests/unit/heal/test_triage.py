"""Triage's pure parts: transient errors, the Poisson test against the history, and the causal
link between a failure and the changed lines."""

import pytest
from helpers import failure

from pytest_selfheal.heal import triage


@pytest.mark.parametrize(("exc_type", "message", "expected"), [
    ("ConnectionRefusedError", "[Errno 111] Connection refused", True),
    ("requests.exceptions.ReadTimeout", "read timed out", True),
    ("RuntimeError", "HTTP 429 Too Many Requests: rate limit exceeded", True),
    ("OSError", "Temporary failure in name resolution", True),
    ("AssertionError", "assert timeout == 5", False),
    ("ValueError", "bad input", False),
])
def test_transient_errors(exc_type, message, expected):
    assert triage.is_transient(failure(message, exc_type=exc_type)) is expected


def test_poisson_tail_and_history_verdicts():
    assert triage.poisson_tail(1, 0.0) == 0.0
    assert triage.poisson_tail(0, 2.0) == 1.0
    assert triage.poisson_tail(1, 1.0) == pytest.approx(0.6321, abs=1e-4)
    assert triage.poisson_tail(3, 1.0) == pytest.approx(0.0803, abs=1e-4)
    assert triage.history_verdict(1, 0, 0)[0] == "no baseline"
    assert triage.history_verdict(1, 0, 5)[0] == "new regression"
    assert triage.history_verdict(1, 5, 5)[0] == "chronic"
    assert triage.history_verdict(1, 1, 10)[0] == "chronic"  # p = 0.095: seen before, not significant
    assert triage.history_verdict(1, 1, 40)[0] == "new regression"  # p = 0.025


def _is_test(path: str) -> bool:
    return path.startswith("tests/")


def test_causal_link_verdicts():
    fail = failure("boom")
    changed = frozenset({("pkg/mod.py", 10), ("pkg/mod.py", 20), ("tests/test_a.py", 3)})
    link = triage.causal_link(fail, frozenset({("pkg/mod.py", 20)}), changed, frozenset(), _is_test)
    assert (link.causal_link, link.is_runtime_change, link.confidence) == (True, True, "high")
    assert link.evidence == ("pkg/mod.py:10", "tests/test_a.py:3", "pkg/mod.py:20")
    unrelated = triage.causal_link(failure("boom", frames=()), frozenset({("pkg/mod.py", 1)}),
                                   changed, frozenset(), _is_test)
    assert (unrelated.causal_link, unrelated.confidence, unrelated.evidence) == (False, "medium", ())
    shared = triage.causal_link(failure("boom", frames=()), frozenset({("pkg/mod.py", 20)}), changed,
                                frozenset({("pkg/mod.py", 20)}), _is_test)
    assert (shared.causal_link, shared.confidence) == (True, "medium")
    only_test = triage.causal_link(failure("boom", frames=()), frozenset({("tests/test_a.py", 3)}),
                                   changed, frozenset(), _is_test)
    assert (only_test.causal_link, only_test.is_runtime_change) == (True, False)
    nothing = triage.causal_link(fail, None, frozenset(), frozenset(), _is_test)
    assert (nothing.causal_link, nothing.confidence) == (False, "high")


