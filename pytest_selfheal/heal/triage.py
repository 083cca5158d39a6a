"""Triage before repair: is each failure flaky or real, new or seen before, and caused by which change?

Runs in the sandbox after the coverage probe and before any repair. Flaky, order-dependent and
transient failures are reported, never repaired. Every run is recorded in the history so the
next one has a baseline.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import SandboxError
from ..models import Failure, Line, Lines, Spectrum, TestRunResult
from ..sandbox.paths import Sandbox
from ..sandbox.testruns import Job, TestRuns, did_not_run, hung_under_thread_timeout, stopped_before_tests
from . import changes, collection_errors, environment, history, not_installed
from .changes import ChangedLines
from .diagnosis import reordered_parameters
from .signature import AlikeGroup, Signature, alike_groups, signature, spread_sample

SIGNIFICANCE = 0.05
CHRONIC_RUNS = 3  # earlier runs a signature failed in before its failure is called chronic
EVIDENCE_LIMIT = 20
RERUN_SHARE = 0.25  # of the time left: reruns must leave most of it for the repair
SAMPLE_PER_GROUP = 3  # failures rerun for each group of failures that fail alike
# Hypothesis ran the failing example again itself (and would have reported Flaky had it
# passed): one rerun alone tells whether it fails without the tests before it.
HYPOTHESIS_RERUNS = 1

REPAIRED_KINDS = frozenset({"deterministic", "collection-error"})

# Raised only by networking: the network or a service failed, whatever the code under test does.
_NETWORK_ERRORS = frozenset({
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError",
    "gaierror", "herror", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout",
    "ConnectError", "RemoteDisconnected", "MaxRetryError", "NewConnectionError", "ReadTimeoutError",
    "ConnectTimeoutError", "TooManyRequests", "RateLimitError", "ServiceUnavailable",
})
_NETWORK_MESSAGE = re.compile(
    r"connection (?:refused|reset|aborted)|rate.?limit|too many requests|service unavailable|"
    r"(?:http|status)\D{0,12}\b(?:429|503)\b|temporary failure in name resolution|"
    r"name or service not known|nodename nor servname|network is unreachable|"
    r"remote end closed connection|urlopen error timed out",
    re.IGNORECASE,
)
# Timeouts any code may raise (or pytest-timeout's, when a test ran out of time): the network's
# only when raised inside networking code, the code's own when it hangs there every time.
_TIMEOUTS = frozenset({"TimeoutError", "timeout", "TimeoutException"})
_PYTEST_TIMEOUT = re.compile(r"Timeout \(>[\d.]+s\) from pytest-timeout")
# What a socket's or an SSL object's C code says when a call times out (it leaves no frame).
_SOCKET_TIMEOUT = re.compile(r"(?:the \w+ operation |\[Errno \d+\] connection )?timed out", re.IGNORECASE)
# Networking code: modules of the standard library and of common clients, by dotted prefix.
_NETWORK_MODULES = ("socket", "ssl", "http", "urllib", "urllib3", "requests", "httpx", "httpcore",
                    "aiohttp", "h11", "h2", "websockets", "asyncio.streams",
                    "asyncio.selector_events", "smtplib", "ftplib", "poplib", "imaplib")
_INSTALLED_MODULE = re.compile(r".*/(?:site-packages|dist-packages|python3\.\d+)/(?P<module>.+)\.py")


@dataclass(frozen=True)
class CausalLink:
    """Did the failing test execute lines changed since the base commit, and which."""

    is_runtime_change: bool  # a linked line is in project source, not in a test file
    causal_link: bool
    confidence: str  # "high" | "medium" | "low"
    evidence: tuple[str, ...]  # "path:line", traceback lines first


@dataclass(frozen=True)
class FailureTriage:
    nodeid: str
    kind: str  # deterministic | flaky | order-dependent | transient | not-reproduced | not-run
    #            | collection-error | not-installed | environment
    counts: Mapping[str, int]
    signature: Signature
    history: str  # "new regression" | "recurring" | "chronic" | "no baseline"
    p_value: float | None
    history_note: str
    link: CausalLink
    repair: bool
    note: str
    inherited: bool = False  # its kind is its group's, whose sample was rerun (see Reruns)

    @property
    def held_as(self) -> str:
        """Why it is not repaired, in a word or three."""
        if self.kind not in REPAIRED_KINDS:
            return self.kind
        if self.nodeid == "<collection>":
            return "outside any test module"
        return "without a causal link"

    def as_json(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "kind": self.kind,
            "counts": dict(self.counts),
            "signature": self.signature.key,
            "signature_text": self.signature.text,
            "history": self.history,
            "p_value": self.p_value,
            "history_note": self.history_note,
            "is_runtime_change": self.link.is_runtime_change,
            "causal_link": self.link.causal_link,
            "confidence": self.link.confidence,
            "evidence": list(self.link.evidence),
            "repair": self.repair,
            "note": self.note,
            "inherited": self.inherited,
        }


@dataclass(frozen=True)
class RerunGroup:
    """Failures that fail alike: the sample rerun for all of them, and the kind the others
    inherited (None when the sample disagreed and every one was rerun)."""

    alike: str  # what most of them share (signature.alike_groups)
    failures: int
    sampled: tuple[str, ...]
    inherited: str | None
    by_message: tuple[tuple[str, ...], ...]  # the failures by message (AlikeGroup.by_message)

    def as_json(self) -> dict[str, Any]:
        return {"alike": self.alike, "failures": self.failures, "messages": len(self.by_message),
                "sampled": list(self.sampled), "inherited": self.inherited}


@dataclass(frozen=True)
class Reruns:
    """What telling flaky from deterministic cost: reruns that ran, seconds, and the groups."""

    runs: int = 0
    seconds: float = 0.0
    groups: tuple[RerunGroup, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"runs": self.runs, "seconds": self.seconds,
                "groups": [group.as_json() for group in self.groups]}


@dataclass(frozen=True)
class Triage:
    failures: tuple[FailureTriage, ...]
    changed: ChangedLines
    history_runs: int
    last_green_run: str | None = None
    last_green_commit: str | None = None
    linked: frozenset[Line] = field(default_factory=frozenset)
    reruns: Reruns = field(default_factory=Reruns)

    @property
    def repairable(self) -> frozenset[str]:
        return frozenset(f.nodeid for f in self.failures if f.repair)

    def representatives(self, targets: Sequence[str]) -> tuple[str, ...]:
        """One of `targets` for each message of each group (the first of the group's sample
        that shows that message and is a target, else the message's first target), and each
        target in no group, in the order of `targets`. Failures rerun as one group may still
        assert different things: a candidate that makes one of them pass and not another is a
        partial fix, which screening on one test of them all would take for one that fixes
        nothing."""
        chosen, grouped = set(), set()
        for group in self.reruns.groups:
            for alike in group.by_message:
                members = [n for n in alike if n in targets]
                grouped.update(members)
                first = next((n for n in group.sampled if n in members), members[0] if members else None)
                if first is not None:
                    chosen.add(first)
        return tuple(n for n in targets if n in chosen or n not in grouped)

    def held_reason(self) -> str:
        """Why nothing is repaired, e.g. "2 flaky, 1 order-dependent"."""
        held = Counter(f.held_as for f in self.failures if not f.repair)
        return ", ".join(f"{n} {label}" for label, n in sorted(held.items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.changed.base,
            "base_label": self.changed.label,
            "history_runs": self.history_runs,
            "last_green_run": self.last_green_run,
            "last_green_commit": self.last_green_commit,
            "failures": [f.as_json() for f in self.failures],
            "reruns": self.reruns.as_json(),
        }


@dataclass(frozen=True)
class Past:
    """What the heal knows before its first test process: the history's baseline, and the lines
    changed since its last green commit (read early: the changed files are where the agent starts
    reading while the probe runs)."""

    baseline: history.Baseline
    changed: ChangedLines

    @classmethod
    def read(cls, sandbox: Sandbox, history_db: Path, added: Collection[str] = ()) -> Past:
        """`added`: the files the heal added to the worktree (an incident's reproduction test),
        nobody's change."""
        baseline = history.baseline(history_db)
        return cls(baseline, changes.changed_since_base(sandbox.root, baseline.last_green_commit,
                                                        added=frozenset(added)))


@dataclass(frozen=True)
class TriageInput:
    sandbox: Sandbox
    runs: TestRuns
    failures: tuple[Failure, ...]
    outcomes: Mapping[str, str]  # the user's run
    spectrum: Spectrum
    is_test_file: Callable[[str], bool]
    past: Past
    history_db: Path  # where this run is recorded
    run_id: str
    reruns: int
    require_causal_link: bool
    # (wall, CPU) seconds a rerun of these tests may take in a warm child (a subprocess adds its
    # start-up), scaled from their own time in the probe: a test that hangs costs its own bound
    rerun_limits: Callable[[Sequence[str]], tuple[float, float | None]]
    deadline: float
    # tests the heal added (node id -> repository path: an incident's reproduction): not part of
    # the run the history records
    added: Mapping[str, str] = field(default_factory=dict)


def triage(given: TriageInput) -> Triage:
    """Classify every failure, then record this run in the history (`given.past` was read from it
    before)."""
    past, changed = given.past.baseline, given.past.changed
    passing_cover = Lines.union(given.spectrum.covered[n] for n in given.spectrum.passing)
    errors = {f.nodeid: collection_errors.build_error(f, given.sandbox.user_root, given.is_test_file)
              for f in given.failures}
    failures = [_as_build_error(f, errors[f.nodeid]) for f in given.failures]
    signatures = {f.nodeid: signature(f) for f in failures}
    per_signature = Counter(s.key for s in signatures.values())
    verdicts = []
    linked: set[Line] = set()
    now = time.monotonic()
    given = replace(given, deadline=now + RERUN_SHARE * max(0.0, given.deadline - now))
    held = _held(given, errors)
    classified, reruns = _classify_all(failures, given, {n: kind for n, (kind, _) in held.items()})
    for failure in failures:
        kind, counts, inherited = classified[failure.nodeid]
        sig = signatures[failure.nodeid]
        verdict, p_value, note = history_verdict(per_signature[sig.key], past.counts.get(sig.key, 0),
                                                 past.runs, past.runs_with.get(sig.key, 0))
        executed = given.spectrum.covered.get(failure.nodeid)
        link = causal_link(failure, executed, changed.lines, passing_cover, given.is_test_file)
        repair, why = _decide(failure, kind, link, given.require_causal_link,
                              held[failure.nodeid][1] if failure.nodeid in held else None)
        if repair and link.causal_link:
            linked.update(_touched(changed.lines, _frame_lines(failure), executed))
        verdicts.append(FailureTriage(failure.nodeid, kind, counts, sig, verdict, p_value, note, link,
                                      repair, why, inherited))
    commit, dirty = history.head_state(given.sandbox.user_root)
    history.record(given.history_db, history.RunRecord(
        run_id=given.run_id, git_commit=commit, dirty=dirty,
        outcomes={**{n: o for n, o in given.outcomes.items() if n not in given.added},
                  **{f.nodeid: "error" for f in failures if f.phase == "collect"}},
        signatures={n: s.key for n, s in signatures.items() if n not in given.added},
    ))
    return Triage(
        failures=tuple(verdicts), changed=changed, history_runs=past.runs, last_green_run=past.last_green_run,
        last_green_commit=past.last_green_commit, linked=frozenset(linked), reruns=reruns,
    )


def transient_cause(failure: Failure) -> str | None:
    """Why a failure is the network's or a service's, not the code's; None when the reruns must
    tell. A timeout is the network's only when it was raised inside networking code: a test that
    hangs in the project's code is rerun like any failure, and is deterministic if it hangs
    every time."""
    exc = failure.exc_type.rsplit(".", 1)[-1]
    if exc in _NETWORK_ERRORS:
        return f"{exc} is a network error"
    if exc in _TIMEOUTS or (exc == "Failed" and _PYTEST_TIMEOUT.match(failure.message)):
        inside = _network_module(failure.frames[-1].path) if failure.frames else None
        if inside is not None:
            return f"timed out inside networking code ({inside})"
        if exc != "Failed" and _SOCKET_TIMEOUT.fullmatch(failure.message.strip()):
            return f"{exc}: {failure.message.strip()}, a socket's timeout"
        return None
    found = _NETWORK_MESSAGE.search(failure.message) if exc != "AssertionError" else None
    return f"{exc} says {found.group(0)!r}" if found else None


def _network_module(path: str) -> str | None:
    """The module of networking code a frame's file is (`.../python3.11/http/client.py` ->
    "http.client"); None for any other file, and for the project's own (relative paths)."""
    installed = _INSTALLED_MODULE.fullmatch(path)
    if installed is None:
        return None
    module = installed["module"].replace("/", ".").removesuffix(".__init__")
    return module if any(module == m or module.startswith(m + ".") for m in _NETWORK_MODULES) else None


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    below = sum(math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k))
    return max(0.0, 1.0 - below)


def history_verdict(count: int, baseline_count: int, baseline_runs: int,
                    runs_with: int) -> tuple[str, float | None, str]:
    """New regression when `count` tests with this signature is unlikely at the baseline rate;
    otherwise chronic when it failed so in at least CHRONIC_RUNS of the earlier runs, and only
    recurring when in fewer: one earlier failure, then a fix nobody ran the suite on, is not a
    test that has been failing all along."""
    if baseline_runs == 0:
        return "no baseline", None, "no earlier run in the history"
    p_value = poisson_tail(count, baseline_count / baseline_runs)
    if p_value < SIGNIFICANCE:
        verdict = "new regression"
    else:
        verdict = "chronic" if runs_with >= CHRONIC_RUNS else "recurring"
    return verdict, round(p_value, 4), (
        f"{baseline_count} occurrence(s) in {runs_with} of the last {baseline_runs} run(s), "
        f"{count} now; Poisson p={p_value:.3g}"
    )


def causal_link(
    failure: Failure,
    executed: Set[Line] | None,
    changed: frozenset[Line],
    passing_cover: Set[Line],
    is_test_file: Callable[[str], bool],
) -> CausalLink:
    """Changed lines the failing test executed (coverage) or raised from (traceback)."""
    if not changed:
        return CausalLink(False, False, "high", ())
    frames = _frame_lines(failure)
    hits = _touched(changed, frames, executed)
    if not hits:
        return CausalLink(False, False, "medium" if executed is not None else "low", ())
    runtime = {line for line in hits if not is_test_file(line[0])}
    strong = (hits & frames) or (runtime - passing_cover)
    ordered = sorted(hits, key=lambda line: (line not in frames, line))
    return CausalLink(
        is_runtime_change=bool(runtime),
        causal_link=True,
        confidence="high" if strong else "medium",
        evidence=tuple(f"{path}:{line}" for path, line in ordered[:EVIDENCE_LIMIT]),
    )


def _touched(changed: frozenset[Line], frames: frozenset[Line], executed: Set[Line] | None
             ) -> frozenset[Line]:
    """The changed lines a failing test raised from or ran."""
    return frozenset(line for line in changed
                     if line in frames or (executed is not None and line in executed))


def _as_build_error(failure: Failure, error: collection_errors.BuildError) -> Failure:
    """A collection failure's real exception type and message, taken from pytest's text."""
    if failure.phase != "collect":
        return failure
    return replace(failure, exc_type=error.exc_type, message=error.message)


def _frame_lines(failure: Failure) -> frozenset[Line]:
    return frozenset((f.path, f.line) for f in failure.frames if not f.path.startswith("/"))


def _decide(failure: Failure, kind: str, link: CausalLink, require_link: bool,
            held: str | None) -> tuple[bool, str]:
    if held is not None:
        return False, held
    if failure.nodeid == "<collection>":
        return False, "no module to collect again; fix the conftest or plugin error pytest reported"
    if kind == "transient":
        return False, (f"transient: {transient_cause(failure)}; the network or a service failed, "
                       "not the code; not repaired")
    if kind == "flaky" and failure.hypothesis == "flaky":
        return False, ("flaky: hypothesis ran its failing example again and it passed (Flaky); "
                       "not repaired")
    if kind not in REPAIRED_KINDS:
        return False, {
            "flaky": "flaky: outcomes differ between identical reruns; not repaired",
            "order-dependent": "order-dependent: passes alone, fails after the tests before it; "
                               "not repaired",
            "not-reproduced": "did not fail again in the sandbox (files git ignores, environment?)",
            "not-run": "the sandbox's probe did not run it (not collected there); not repaired",
        }[kind]
    if require_link and not link.causal_link:
        return False, "no causal link to the changes, and selfheal_require_causal_link is on"
    return True, ""


def _held(given: TriageInput, errors: Mapping[str, collection_errors.BuildError]
          ) -> dict[str, tuple[str, str]]:
    """The failures (by node id) no change to the source can make pass, held without a rerun,
    each with its kind and note: `not-installed`, of a fixture or module the repository has
    nowhere (so a plugin or a test dependency not installed here provides it); `environment`,
    a setup error raised outside the project's code, which did not run (environment.py)."""
    wanted = {f.nodeid: found for f in given.failures
              if (found := not_installed.missing(f, errors[f.nodeid]))}
    absent = not_installed.absent(set(wanted.values()), given.sandbox.root, given.past.changed.base)
    held = {nodeid: ("not-installed", not_installed.hint(found))
            for nodeid, found in wanted.items() if found in absent}
    for failure in given.failures:
        if (failure.nodeid not in held and given.spectrum.outcomes.get(failure.nodeid) == "failed"
                and transient_cause(failure) is None):  # a service that refused: transient's
            note = environment.raised_outside_the_code(
                failure, given.spectrum.covered.get(failure.nodeid), given.is_test_file)
            if note is not None:
                held[failure.nodeid] = ("environment", note)
    return held


def _classify_all(failures: Sequence[Failure], given: TriageInput, held: Mapping[str, str]
                  ) -> tuple[dict[str, tuple[str, dict[str, int], bool]], Reruns]:
    """nodeid -> (kind, rerun counts, whether the kind was inherited), and what was rerun.

    Failures that fail alike (`signature.alike_groups`) are grouped, and a spread sample of
    each group is rerun: alone `reruns` times, and once in module order if it passed every time
    alone. When the sample agrees, the rest of the group inherit its verdict; when it does not,
    the rest are rerun too. So the reruns grow with the kinds of failure, not their number. A
    failure that passed in the probe is not like its group and is rerun itself. Reruns of
    different tests run side by side (in parallel warm children when the worker is up), those of
    one test one after another. A hypothesis test's failure is rerun alone once
    (HYPOTHESIS_RERUNS): each of its reruns searches and shrinks again, which can take as long
    as the rest of the suite."""
    started = time.monotonic()
    kinds: dict[str, tuple[str, dict[str, int], bool]] = {}
    alone: list[AlikeGroup] = []
    reproduced: list[Failure] = []
    for failure in failures:
        if failure.nodeid in held:
            kinds[failure.nodeid] = (held[failure.nodeid], {}, False)
        elif failure.phase == "collect":
            kinds[failure.nodeid] = ("collection-error", {}, False)
        elif failure.hypothesis == "flaky":
            kinds[failure.nodeid] = ("flaky", {}, False)
        elif transient_cause(failure) is not None:
            kinds[failure.nodeid] = ("transient", {}, False)
        elif failure.nodeid not in given.spectrum.outcomes:
            kinds[failure.nodeid] = ("not-run", {}, False)
        elif given.spectrum.outcomes[failure.nodeid] == "failed":
            reproduced.append(failure)
        else:
            alone.append(AlikeGroup(failure.nodeid, (failure.nodeid,), ((failure.nodeid,),)))
    order = {failure.nodeid: index for index, failure in enumerate(failures)}
    found = sorted([*alone, *alike_groups(reproduced, given.is_test_file)],
                   key=lambda group: order[group.nodeids[0]])
    groups = {group.alike: list(group.nodeids) for group in found}
    samples = {alike: spread_sample(members, SAMPLE_PER_GROUP) for alike, members in groups.items()}
    times = {f.nodeid: min(given.reruns, HYPOTHESIS_RERUNS) if f.hypothesis == "replayed"
             else given.reruns for f in failures}
    counts, runs = _rerun([n for sample in samples.values() for n in sample], given, times)
    verdict = {alike: {_kind(counts[n], given.spectrum.outcomes[n]) for n in sample}
               for alike, sample in samples.items()}
    mixed = [n for alike, members in groups.items() if len(verdict[alike]) > 1
             for n in members if n not in samples[alike]]
    more, more_runs = _rerun(mixed, given, times)
    counts.update(more)
    inherited_by = {alike: next(iter(kind)) if len(kind) == 1 else None for alike, kind in verdict.items()}
    for alike, members in groups.items():
        inherited = inherited_by[alike]
        for nodeid in members:
            if nodeid in counts:
                kinds[nodeid] = (_kind(counts[nodeid], given.spectrum.outcomes[nodeid]),
                                 dict(counts[nodeid]), False)
            else:
                assert inherited is not None
                kinds[nodeid] = (inherited, {}, True)
    reruns = Reruns(
        runs=runs + more_runs, seconds=round(time.monotonic() - started, 3),
        groups=tuple(RerunGroup(group.alike, len(group.nodeids), tuple(samples[group.alike]),
                                inherited_by[group.alike], group.by_message) for group in found),
    )
    return kinds, reruns




def _rerun(nodeids: Sequence[str], given: TriageInput, times: Mapping[str, int]
           ) -> tuple[dict[str, Counter[str]], int]:
    """Rerun counts of each of `nodeids` (alone as many `times` as it has, then in module order
    if it passed every time alone), and how many reruns ran."""
    counts: dict[str, Counter[str]] = {nodeid: Counter() for nodeid in nodeids}
    alone = [nodeid for nodeid in nodeids for _ in range(times[nodeid])]
    outcomes = _outcomes(given, [[n] for n in alone])
    for nodeid, outcome in zip(alone, outcomes, strict=True):
        if outcome is not None:
            counts[nodeid][outcome + "_alone"] += 1
    in_order = {n: _tests_up_to(n, given.outcomes) for n in nodeids
                if counts[n]["passed_alone"] and not counts[n]["failed_alone"]}
    in_order = {n: before for n, before in in_order.items() if len(before) > 1}
    ordered = _outcomes(given, list(in_order.values()))
    for nodeid, outcome in zip(in_order, ordered, strict=True):
        if outcome is not None:
            counts[nodeid][outcome + "_in_order"] += 1
    return counts, sum(o is not None for o in [*outcomes, *ordered])


def _kind(counts: Counter[str], in_probe: str) -> str:
    """The verdict of the reruns; with none (no time left) the sandbox's one observation decides."""
    if counts["passed_alone"] and counts["failed_alone"]:
        return "flaky"
    if not counts:
        return "deterministic" if in_probe == "failed" else "not-reproduced"
    if counts["failed_alone"]:
        return "deterministic" if in_probe == "failed" else "flaky"
    if counts["failed_in_order"]:
        return "order-dependent"
    return "flaky" if in_probe == "failed" else "not-reproduced"


def _tests_up_to(nodeid: str, outcomes: Mapping[str, str]) -> list[str]:
    """The tests of its module that ran before it in the user's session, and itself."""
    module = nodeid.split("::", 1)[0]
    ran = [n for n in outcomes if n.split("::", 1)[0] == module]
    return ran[: ran.index(nodeid) + 1] if nodeid in ran else [nodeid]


def _outcomes(given: TriageInput, selections: list[list[str]]) -> list[str | None]:
    """"failed" or "passed" for the last test of each selection; None when it was not run.

    Selections that share a test run in separate rounds: a test never runs beside itself, whose
    files, ports or databases it would share, a condition the user's session never sees.
    """
    results: list[str | None] = [None] * len(selections)
    for members in _apart(selections):
        if time.monotonic() >= given.deadline:
            break
        jobs = [_rerun_job(selections[i], given) for i in members]
        runs = given.runs.run(jobs, deadline=given.deadline)
        for index, run in zip(members, runs, strict=True):
            results[index] = _rerun_outcome(selections[index][-1], run, given.spectrum.outcomes)
    return results


def _rerun_job(nodeids: Sequence[str], given: TriageInput) -> Job:
    wall, cpu = given.rerun_limits(nodeids)
    return Job(tuple(nodeids), {}, timeout=wall, cpu_seconds=cpu)


def _rerun_outcome(nodeid: str, run: TestRunResult | None, probed: Collection[str]) -> str | None:
    """"failed" or "passed"; None when the rerun did not run. A rerun whose process stopped before
    any test reported ends the heal (SandboxError): the probe ran the test (`probed`: what it
    ran), so the sandbox broke, or the test's id moved; unless the test hung and pytest-timeout's
    thread method ended the process: that is a failure."""
    if run is None:
        return None
    if hung_under_thread_timeout(run):
        return "failed"
    if stopped_before_tests(run):
        reordered = "deselected" in run.output_tail and reordered_parameters([nodeid], probed)
        if reordered:
            raise SandboxError(f"the triage rerun did not find {nodeid} in the sandbox, where the "
                               f"probe had run it: {reordered}")
        raise did_not_run("triage rerun", run)
    return "failed" if run.outcomes.get(nodeid, "failed") == "failed" else "passed"


def _apart(selections: Sequence[Sequence[str]]) -> list[list[int]]:
    """Indexes of `selections` grouped into rounds in which no test appears twice, in order."""
    rounds: list[tuple[list[int], set[str]]] = []
    for index, selection in enumerate(selections):
        for members, tests in rounds:
            if tests.isdisjoint(selection):
                members.append(index)
                tests.update(selection)
                break
        else:
            rounds.append(([index], set(selection)))
    return [members for members, _ in rounds]
