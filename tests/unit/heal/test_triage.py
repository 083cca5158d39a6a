"""Triage's pure parts: which errors are transient (the network's, not the code's), the Poisson
test against the history, and the causal link between a failure and the changed lines; and what
its reruns cost with many failures."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import failure, make_repo

from pytest_selfheal.heal import triage
from pytest_selfheal.heal.signature import spread_sample
from pytest_selfheal.models import Failure, Frame, Spectrum, TestRunResult
from pytest_selfheal.sandbox.paths import Sandbox
from pytest_selfheal.sandbox.testruns import Job

PROJECT = (Frame("tests/test_a.py", 3, "test_a"), Frame("pkg/mod.py", 10, "load"))
STDLIB = "/usr/lib/python3.11"
SITE = "/home/u/.venv/lib/python3.11/site-packages"


def in_(*paths: str) -> tuple[Frame, ...]:
    """The project's frames, then frames in `paths` (the innermost last)."""
    return (*PROJECT, *(Frame(path, 1, "f") for path in paths))


@pytest.mark.parametrize(("exc_type", "message", "frames", "cause"), [
    # errors only networking raises, wherever they are raised
    ("ConnectionRefusedError", "[Errno 111] Connection refused", PROJECT,
     "ConnectionRefusedError is a network error"),
    ("socket.gaierror", "[Errno -2] Name or service not known", PROJECT, "gaierror is a network error"),
    ("requests.exceptions.ReadTimeout", "read timed out", PROJECT, "ReadTimeout is a network error"),
    # what a service or the resolver says, in any exception but an assertion
    ("RuntimeError", "HTTP 429 Too Many Requests: rate limit exceeded", PROJECT,
     "RuntimeError says 'HTTP 429'"),
    ("urllib.error.HTTPError", "HTTP Error 503: Service Unavailable", PROJECT,
     "HTTPError says 'HTTP Error 503'"),
    ("OSError", "Temporary failure in name resolution", PROJECT,
     "OSError says 'Temporary failure in name resolution'"),
    # a timeout is the network's when raised inside networking code, of the standard library or
    # of a client
    ("TimeoutError", "timed out", in_(f"{STDLIB}/http/client.py", f"{STDLIB}/socket.py"),
     "timed out inside networking code (socket)"),
    ("httpx.TimeoutException", "", in_(f"{SITE}/httpcore/_backends/sync.py"),
     "timed out inside networking code (httpcore._backends.sync)"),
    ("TimeoutError", "", in_(f"{STDLIB}/asyncio/streams.py"), "timed out inside networking code (asyncio.streams)"),
    ("Failed", "Timeout (>2.0s) from pytest-timeout.", in_(f"{STDLIB}/ssl.py"),
     "timed out inside networking code (ssl)"),
    # or when a socket's own C code says so (a recv the project called leaves no frame of its own)
    ("TimeoutError", "timed out", PROJECT, "TimeoutError: timed out, a socket's timeout"),
    ("TimeoutError", "The read operation timed out", PROJECT,
     "TimeoutError: The read operation timed out, a socket's timeout"),
    ("TimeoutError", "[Errno 110] Connection timed out", PROJECT,
     "TimeoutError: [Errno 110] Connection timed out, a socket's timeout"),
    ("urllib.error.URLError", "<urlopen error timed out>", PROJECT, "URLError says 'urlopen error timed out'"),
])
def test_transient_causes(exc_type, message, frames, cause):
    assert triage.transient_cause(failure(message, exc_type=exc_type, frames=frames)) == cause


@pytest.mark.parametrize(("exc_type", "message", "frames"), [
    # a test that hangs in the project's code, stopped by pytest-timeout or by its own wait
    ("Failed", "Timeout (>2.0s) from pytest-timeout.", PROJECT),
    ("TimeoutError", "the job did not finish in 5 s", PROJECT),
    ("TimeoutError", "", in_(f"{STDLIB}/asyncio/tasks.py")),  # asyncio.wait_for on the project's code
    ("TimeoutError", "", in_(f"{STDLIB}/concurrent/futures/_base.py")),  # the project's work in a pool
    ("subprocess.TimeoutExpired", "Command 'make' timed out after 5 seconds", PROJECT),
    ("RecursionError", "maximum recursion depth exceeded", PROJECT),
    ("BrokenPipeError", "[Errno 32] Broken pipe", PROJECT),  # a pipe to the project's own child
    # a network word in an assertion, or a status code that is no HTTP status
    ("AssertionError", "assert 'connection refused' == 'ok'", PROJECT),
    ("KeyError", "503", PROJECT),
    ("ValueError", "bad input", PROJECT),
    # a module that is not networking, though installed beside it
    ("TimeoutError", "", in_(f"{SITE}/sockets_helper/wait.py")),
    ("TimeoutError", "", in_(f"{SITE}/mypkg/http.py")),
])
def test_failures_the_reruns_must_tell(exc_type, message, frames):
    assert triage.transient_cause(failure(message, exc_type=exc_type, frames=frames)) is None


def test_poisson_tail_and_history_verdicts():
    assert triage.poisson_tail(1, 0.0) == 0.0
    assert triage.poisson_tail(0, 2.0) == 1.0
    assert triage.poisson_tail(1, 1.0) == pytest.approx(0.6321, abs=1e-4)
    assert triage.poisson_tail(3, 1.0) == pytest.approx(0.0803, abs=1e-4)
    assert triage.history_verdict(1, 0, 0, 0)[0] == "no baseline"
    assert triage.history_verdict(1, 0, 5, 0)[0] == "new regression"
    assert triage.history_verdict(1, 5, 5, 5)[0] == "chronic"
    assert triage.history_verdict(1, 3, 3, 3)[0] == "chronic"
    assert triage.history_verdict(1, 1, 10, 1)[0] == "recurring"  # p = 0.095: seen before, not significant
    assert triage.history_verdict(1, 1, 40, 1)[0] == "new regression"  # p = 0.025


def test_a_failure_seen_in_fewer_than_three_earlier_runs_is_recurring_not_chronic():
    """One earlier run that failed the same way, then a fix nobody ran the suite on: the history
    cannot tell it from a test failing all along, and says only what it saw."""
    verdict, p_value, note = triage.history_verdict(1, 1, 1, 1)
    assert (verdict, p_value) == ("recurring", pytest.approx(0.6321, abs=1e-4))
    assert note == "1 occurrence(s) in 1 of the last 1 run(s), 1 now; Poisson p=0.632"
    # 34 tests of one signature in one earlier run: many occurrences, one run
    assert triage.history_verdict(34, 34, 1, 1)[0] == "recurring"
    assert triage.history_verdict(34, 102, 3, 3)[0] == "chronic"


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
    """Reruns in the sandbox, by node id: `flaky` tests alternate, `passing` ones pass, the rest
    fail every time."""

    flaky: frozenset[str] = frozenset()
    passing: frozenset[str] = frozenset()
    hung: frozenset[str] = frozenset()  # pytest-timeout's thread method ends their process
    jobs: list[tuple[str, ...]] = field(default_factory=list)
    limits: list[tuple[float, float | None]] = field(default_factory=list)  # of each job

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        results: list[TestRunResult | None] = []
        for job in jobs:
            self.jobs.append(job.nodeids)
            self.limits.append((job.timeout, job.cpu_seconds))
            last = job.nodeids[-1]
            failed = last not in self.passing and (
                last not in self.flaky or sum(last in j for j in self.jobs) % 2 == 1)
            if last in self.hung:
                results.append(TestRunResult({}, 1, 1.0, output_tail="+++++ Timeout +++++\n"))
                continue
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
             probe: dict[str, str] | None = None, reruns: int = 3,
             limits: Callable[[Sequence[str]], tuple[float, float | None]] = lambda nodeids: (5, None),
             covered: dict[str, frozenset[tuple[str, int]]] | None = None,
             ) -> triage.Triage:
    sandbox = Sandbox(user_root=tmp_path, root=tmp_path, tmp=tmp_path)
    outcomes = {f.nodeid: "failed" for f in failures}
    return triage.triage(triage.TriageInput(
        sandbox=sandbox, runs=runs, failures=tuple(failures), outcomes=outcomes,  # type: ignore[arg-type]
        spectrum=Spectrum(covered=covered or {}, outcomes={**outcomes, **(probe or {})}),
        is_test_file=_is_test, past=triage.Past.read(sandbox, tmp_path / "history.db"),
        history_db=tmp_path / "history.db", run_id="run-1", reruns=reruns,
        require_causal_link=False, rerun_limits=limits, deadline=time.monotonic() + 60,
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
def test_failures_a_shared_helper_asserts_are_rerun_as_one_kind_whatever_their_messages(tmp_path):
    """pyflakes: every test checks its own source through `self.flakes`, whose message quotes it;
    34 failures were 34 kinds, 102 reruns."""
    failures = [Failure(f"tests/test_{n % 3}.py::Test::test_{n}", "call", "AssertionError",
                        f"expected outputs: [] but got: 1:{n}: for input: x{'+1' * n}",
                        frames=(Frame(f"tests/test_{n % 3}.py", 10 + n, f"Test.test_{n}"),
                                Frame("tests/harness.py", 34, "TestCase.flakes")))
                for n in range(30)]
    runs = Reruns()
    verdicts = classify(tmp_path, failures, runs)
    assert verdicts.reruns.runs == len(runs.jobs) == triage.SAMPLE_PER_GROUP * 3
    [group] = verdicts.reruns.groups
    assert (group.alike, group.failures, group.inherited) == (
        "AssertionError at tests/harness.py:34", 30, "deterministic")
    assert all(f.kind == "deterministic" and f.repair for f in verdicts.failures)
    # each asserts its own input: a candidate is screened on one of each, not on one of all
    targets = [f.nodeid for f in failures]
    assert verdicts.representatives(targets) == tuple(targets)
    assert verdicts.as_json()["reruns"]["groups"][0]["messages"] == 30


@pytest.mark.usefixtures("no_git")
def test_a_group_whose_sample_disagrees_is_rerun_in_full(tmp_path):
    failures = two_bugs(10)
    # the middle of the first group's sample is flaky: every failure of that group is rerun
    middle = spread_sample([f.nodeid for f in failures[:10]], triage.SAMPLE_PER_GROUP)[1]
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


@pytest.mark.usefixtures("no_git")
def test_a_hypothesis_failure_is_rerun_alone_once_and_a_flaky_one_still_told(tmp_path):
    """Hypothesis ran its failing example again before reporting it; each rerun would search
    and shrink again. One rerun alone still tells a test that passes alone."""
    plain, searched, unsteady = (
        Failure(f"tests/test_props.py::test_{name}", "call", "AssertionError", f"assert {name}",
                hypothesis="" if name == "plain" else "replayed")
        for name in ("plain", "searched", "unsteady"))
    runs = Reruns(passing=frozenset({unsteady.nodeid}))
    verdicts = classify(tmp_path, [plain, searched, unsteady], runs)
    counts = {f.nodeid: (f.kind, dict(f.counts)) for f in verdicts.failures}
    assert counts == {plain.nodeid: ("deterministic", {"failed_alone": 3}),
                      searched.nodeid: ("deterministic", {"failed_alone": 1}),
                      unsteady.nodeid: ("flaky", {"passed_alone": 1, "passed_in_order": 1})}
    assert verdicts.reruns.runs == 3 + 1 + 2


def test_a_sample_spreads_from_the_first_to_the_last():
    members = [str(n) for n in range(10)]
    assert spread_sample(members, 3) == ["0", "4", "9"]  # round(4.5) is 4
    assert spread_sample(members, 1) == ["0"]
    assert spread_sample(members[:2], 3) == ["0", "1"]


@pytest.mark.usefixtures("no_git")
def test_a_test_that_hangs_every_time_is_rerun_within_its_own_limits_and_repaired(tmp_path):
    hangs = [Failure(f"tests/test_search.py::test_{n}", "call", "Failed",
                     "Timeout (>2.0s) from pytest-timeout.",
                     frames=(Frame("tests/test_search.py", n, f"test_{n}"), Frame("bsearch/search.py", 7, "find")))
             for n in range(4)]
    refused = failure("[Errno 111] Connection refused", exc_type="ConnectionRefusedError",
                      frames=(*PROJECT, Frame(f"{STDLIB}/socket.py", 851, "create_connection")))
    runs = Reruns()
    verdicts = classify(tmp_path, [*hangs, refused], runs, reruns=2,
                        limits=lambda nodeids: (2.5 * len(nodeids), 3.0))
    kinds = {f.nodeid: (f.kind, f.repair) for f in verdicts.failures}
    assert kinds == {**{f.nodeid: ("deterministic", True) for f in hangs}, refused.nodeid: ("transient", False)}
    assert refused.nodeid not in {n for job in runs.jobs for n in job}  # never rerun
    # the group's sample, alone, each within the limits of that one test
    assert len(runs.jobs) == triage.SAMPLE_PER_GROUP * 2 and set(runs.limits) == {(2.5, 3.0)}
    note = next(f.note for f in verdicts.failures if f.kind == "transient")
    assert note == ("transient: ConnectionRefusedError is a network error; the network or a service "
                    "failed, not the code; not repaired")
    assert verdicts.held_reason() == "1 transient"


@pytest.mark.usefixtures("no_git")
def test_a_rerun_ended_by_pytest_timeouts_thread_method_is_a_failure_not_a_broken_sandbox(tmp_path):
    hang = failure("fails fast the first time", exc_type="AssertionError")
    verdicts = classify(tmp_path, [hang], Reruns(hung=frozenset({hang.nodeid})), reruns=2)
    (verdict,) = verdicts.failures
    assert (verdict.kind, dict(verdict.counts), verdict.repair) == ("deterministic", {"failed_alone": 2}, True)


def test_what_is_not_installed_here_is_held_unrerun_and_named(tmp_path):
    """humanize's benchmark tests without pytest-benchmark: 15 setup errors beside one real bug
    were held repairable, and the heal spent its budget looking for a fix of all 16."""
    make_repo(tmp_path, {"tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef database():\n"
                                              "    return {}\n"})
    unplugged, broken = (Failure(f"tests/test_speed.py::test_{name}", "setup", "FixtureLookupError",
                                 f"fixture '{name}' not found") for name in ("benchmark", "database"))
    undepended = Failure("tests/test_frozen.py", "collect", "Error",
                         "ImportError while importing test module 'tests/test_frozen.py'.\n"
                         "E   ModuleNotFoundError: No module named 'freezegun'")
    bug = Failure("tests/test_core.py::test_clamp", "call", "AssertionError", "assert 0 == 10")
    runs = Reruns()
    verdicts = classify(tmp_path, [unplugged, broken, undepended, bug], runs)
    kinds = {f.nodeid: (f.kind, f.repair) for f in verdicts.failures}
    # `database` is the conftest's: a change that broke it is the code's, rerun and repaired
    assert kinds == {unplugged.nodeid: ("not-installed", False), broken.nodeid: ("deterministic", True),
                     undepended.nodeid: ("not-installed", False), bug.nodeid: ("deterministic", True)}
    assert not any(unplugged.nodeid in job for job in runs.jobs)
    assert "pytest-benchmark, which provides it, is not installed" in verdicts.failures[0].note
    assert verdicts.failures[2].note.startswith("No module named 'freezegun', and the repository has none")
    assert verdicts.held_reason() == "2 not-installed"


@pytest.mark.usefixtures("no_git")
def test_a_setup_error_raised_outside_the_code_is_held_unrerun_and_says_where(tmp_path):
    """natsort on a machine without the en_US locale: 49 setup errors of its conftest's fixture
    beside one real bug were held repairable, and the heal spent its budget on them."""
    fixture = (Frame("tests/conftest.py", 30, "with_locale_en_us"),
               Frame("tests/conftest.py", 23, "load_locale"), Frame(f"{STDLIB}/locale.py", 610, "setlocale"))
    unlocaled = Failure("tests/test_sort.py::test_locale", "setup", "locale.Error",
                        "unsupported locale setting", frames=fixture)
    # the same error where the fixture had called the project's code first
    seeded = Failure("tests/test_sort.py::test_seeded", "setup", "locale.Error",
                     "unsupported locale setting", frames=fixture)
    bug = Failure("tests/test_sort.py::test_bytes", "call", "AssertionError", "assert (b'A',) == (b'a',)",
                  frames=(Frame("tests/test_sort.py", 8, "test_bytes"),))
    # a service that refused the fixture is the network's: transient, as before
    refused = Failure("tests/test_sort.py::test_served", "setup", "ConnectionRefusedError",
                      "[Errno 111] Connection refused", frames=fixture)
    conftest = frozenset({("tests/conftest.py", 23), ("tests/conftest.py", 30)})
    runs = Reruns()
    verdicts = classify(tmp_path, [unlocaled, seeded, bug, refused], runs, covered={
        unlocaled.nodeid: conftest, seeded.nodeid: conftest | {("natsort/utils.py", 9)},
        bug.nodeid: frozenset({("tests/test_sort.py", 8), ("natsort/utils.py", 380)}),
        refused.nodeid: conftest})
    kinds = {f.nodeid: (f.kind, f.repair) for f in verdicts.failures}
    assert kinds == {unlocaled.nodeid: ("environment", False), seeded.nodeid: ("deterministic", True),
                     bug.nodeid: ("deterministic", True), refused.nodeid: ("transient", False)}
    assert not any(unlocaled.nodeid in job for job in runs.jobs)
    assert verdicts.failures[0].note.startswith(
        "locale.Error: unsupported locale setting, raised while pytest set the test up, by "
        "tests/conftest.py:23 (load_locale), in code outside the repository")
    assert verdicts.held_reason() == "1 environment, 1 transient"
