"""Triage's pure parts: transient errors, the Poisson test against the history, and the causal
link between a failure and the changed lines; and what its reruns cost with many failures."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import failure

from pytest_selfheal.heal import triage
from pytest_selfheal.models import Failure, Frame, Spectrum, TestRunResult
from pytest_selfheal.sandbox.paths import Sandbox
from pytest_selfheal.sandbox.testruns import Job


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




@dataclass
class Reruns:
    """Reruns in the sandbox, by node id: `flaky` tests alternate, the rest fail every time."""

    flaky: frozenset[str] = frozenset()
    jobs: list[tuple[str, ...]] = field(default_factory=list)

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        results: list[TestRunResult | None] = []
        for job in jobs:
            self.jobs.append(job.nodeids)
            last = job.nodeids[-1]
            failed = last not in self.flaky or sum(last in j for j in self.jobs) % 2 == 1
            results.append(TestRunResult({last: "failed" if failed else "passed"}, int(failed), 0.01))
        return results


def two_bugs(count: int) -> list[Failure]:
    """`count` failures of each of two kinds: a wrong value asserted in many test functions, and
    one function of the project raising for every test that calls it."""
    wrong = [Failure(f"tests/test_{n % 7}.py::test_value_{n}", "call", "AssertionError",
                     f"assert {n + 5} == {n}\n +  where {n + 5} = discount({n}, 5)",
                     frames=(Frame(f"tests/test_{n % 7}.py", 3, f"test_value_{n}"),))
             for n in range(count)]
    raised = [Failure(f"tests/test_{n % 7}.py::test_checkout_{n}", "call", "ValueError",
                      f"discounted total {n + 5} exceeds the total {n}",
                      frames=(Frame(f"tests/test_{n % 7}.py", 8, f"test_checkout_{n}"),
                              Frame("shop/cart.py", 14, "checkout")))
              for n in range(count)]
    return [*wrong, *raised]


def classify(tmp_path: Path, failures: Sequence[Failure], runs: Reruns,
             probe: dict[str, str] | None = None, reruns: int = 3) -> triage.Triage:
    sandbox = Sandbox(user_root=tmp_path, root=tmp_path, tmp=tmp_path)
    outcomes = {f.nodeid: "failed" for f in failures}
    return triage.triage(triage.TriageInput(
        sandbox=sandbox, runs=runs, failures=tuple(failures), outcomes=outcomes,  # type: ignore[arg-type]
        spectrum=Spectrum(covered={}, outcomes={**outcomes, **(probe or {})}),
        is_test_file=_is_test, history_db=tmp_path / "history.db", run_id="run-1", reruns=reruns,
        require_causal_link=False, rerun_timeout=5, rerun_cpu=None, deadline=time.monotonic() + 60,
    ))


@pytest.fixture
def no_git(monkeypatch):
    def unavailable(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("git")

    monkeypatch.setattr("pytest_selfheal.git.run_git", unavailable)


@pytest.mark.usefixtures("no_git")
def test_reruns_grow_with_the_kinds_of_failure_not_their_number(tmp_path):
    failures = two_bugs(60)
    runs = Reruns()
    verdicts = classify(tmp_path, failures, runs)
    assert len(failures) == 120
    assert verdicts.reruns.runs == len(runs.jobs) == 2 * triage.SAMPLE_PER_GROUP * 3
    assert all(f.kind == "deterministic" and f.repair for f in verdicts.failures)
    groups = {g.alike: g for g in verdicts.reruns.groups}
    assert set(groups) == {
        "AssertionError: assert <n> == <n> + where <n> = discount(<n>, <n>) @ the test",
        "ValueError: discounted total <n> exceeds the total <n> @ shop/cart.py::checkout",
    }
    assert all(g.failures == 60 and g.inherited == "deterministic" for g in groups.values())
    sampled = {n for g in groups.values() for n in g.sampled}
    assert {job[0] for job in runs.jobs} == sampled
    assert {f.nodeid for f in verdicts.failures if not f.inherited} == sampled
    inherited = next(f for f in verdicts.failures if f.inherited)
    assert (dict(inherited.counts), inherited.as_json()["inherited"]) == ({}, True)
    assert verdicts.as_json()["reruns"]["runs"] == 18
    # the first of each group's sample stands for the group when candidates are screened
    targets = [f.nodeid for f in failures]
    assert verdicts.representatives(targets) == (failures[0].nodeid, failures[60].nodeid)
    # a target outside every group stands for itself; a group's first target when its sample
    # holds none
    unsampled = [n for n in targets[60:] if n not in sampled]
    assert verdicts.representatives(["collect.py", *unsampled]) == ("collect.py", unsampled[0])


@pytest.mark.usefixtures("no_git")
def test_a_group_whose_sample_disagrees_is_rerun_in_full(tmp_path):
    failures = two_bugs(10)
    # the middle of the first group's sample is flaky: every failure of that group is rerun
    middle = triage.spread_sample([f.nodeid for f in failures[:10]], triage.SAMPLE_PER_GROUP)[1]
    runs = Reruns(flaky=frozenset({middle}))
    verdicts = classify(tmp_path, failures, runs, reruns=2)
    kinds = {f.nodeid: f.kind for f in verdicts.failures}
    assert kinds[middle] == "flaky"
    assert sum(kind == "flaky" for kind in kinds.values()) == 1
    assert not any(f.inherited for f in verdicts.failures[:10])
    assert sum(f.inherited for f in verdicts.failures[10:]) == 10 - triage.SAMPLE_PER_GROUP
    assert verdicts.reruns.runs == 10 * 2 + triage.SAMPLE_PER_GROUP * 2


@pytest.mark.usefixtures("no_git")
def test_a_failure_that_passed_in_the_probe_is_rerun_itself(tmp_path):
    failures = two_bugs(10)
    odd = failures[4].nodeid
    runs = Reruns()
    verdicts = classify(tmp_path, failures, runs, probe={odd: "passed"})
    assert (odd,) in runs.jobs
    assert next(f for f in verdicts.failures if f.nodeid == odd).inherited is False
    assert verdicts.reruns.runs == (2 * triage.SAMPLE_PER_GROUP + 1) * 3


def test_a_sample_spreads_from_the_first_to_the_last():
    members = [str(n) for n in range(10)]
    assert triage.spread_sample(members, 3) == ["0", "4", "9"]  # round(4.5) is 4
    assert triage.spread_sample(members, 1) == ["0"]
    assert triage.spread_sample(members[:2], 3) == ["0", "1"]
