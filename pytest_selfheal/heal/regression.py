"""A regression test for a validated fix, proven in the sandbox to fail before it and pass after it.

The originally failing tests run twice under recorder.py, with the fix and without it (at once,
in warm children, where the fix can be swapped in place). Calls of the patched function whose
outcome the fix changed become witnesses (at most three); each is written as a test that calls
the function with its inputs rebuilt as source (literals, references, natural constructions, or
objects carved from the calls that built them) and asserts the fixed outcome. When no call of it
or of a caller can be written, the failing tests themselves are copied (regression_copy.py; the
examples of failing doctests, regression_doctest.py). The module is kept only for the tests that
fail on the original code and pass on the fixed code, in clean test processes.

A call whose inputs or outcome hold a secret (redaction.py) is never a witness, nor is a test
copy that holds one: the test would carry it into fix.diff and a commit, and with the value
masked it would not fail before the fix.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import PatchError
from ..models import Candidate, Edit, Outcome
from ..output.diffs import new_file_diff
from ..redaction import Redactor
from ..sandbox.testruns import Job
from ..source import UnreadableSource, decorated_start, dominant_newline, read_source
from ..testfiles import DEFAULT_PYTHON_FILES, TestFiles, is_doctest
from .regression_copy import copied_tests, defined_tests
from .regression_doctest import CopiedDoctest, copied_doctests, copied_test_names, docstring_of, module_of
from .regression_source import Witness, module_source
from .workbench import SandboxWorkbench

MAX_WITNESSES = 3
DOCSTRING_TESTS = 10  # fixed tests a regression test's docstring names
COPIED_FILES = 2  # test files whose copy is tried, each proven in two test runs


class NoRegression(Exception):
    """No provable regression test; the message says why, in full, for the report, and `brief`
    in one sentence, for the docstring of a test that is copied instead."""

    def __init__(self, message: str, brief: str = "") -> None:
        super().__init__(message)
        self.brief = brief or message


class NotWritable(NoRegression):
    """The calls' inputs or results cannot be written as source; `callers` may be replayed instead."""

    def __init__(self, message: str, qualname: str, callers: list[dict[str, str]]) -> None:
        super().__init__(message, f"the calls of {qualname} cannot be written as source")
        self.callers = callers


@dataclass(frozen=True)
class Regression:
    """The emitted test (path relative to the repository root), or the reason there is none."""

    path: str = ""
    source: str = ""
    function: str = ""
    tests: tuple[str, ...] = ()
    reason: str = ""  # in full, for the report
    calls: str = ""  # the function the tests call: the patched one, or its nearest caller
    seconds: float = 0.0
    brief: str = ""  # the reason in one sentence, for the terminal; empty when it is one already

    @property
    def summary(self) -> str:
        return self.brief or self.reason

    @property
    def diff(self) -> bytes:
        return new_file_diff(self.path, self.source) if self.path else b""

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path or None, "function": self.function, "calls": self.calls or None,
                "tests": list(self.tests), "reason": self.reason, "seconds": self.seconds}


@dataclass(frozen=True)
class PatchedFunction:
    path: str
    qualname: str
    self_unused: bool


def add_regression_test(bench: SandboxWorkbench, fix: Outcome, run_id: str,
                        regression_dir: str, redactor: Redactor) -> Regression:
    """Record, render and prove a regression test for `fix`; never raises for a missing witness."""
    started = time.monotonic()
    try:
        regression = _regression(bench, fix, run_id, regression_dir, redactor)
    except Exception as exc:  # a fault here must not cost the user the validated fix
        regression = Regression(reason=f"internal error while making the regression test "
                                       f"({type(exc).__name__}: {exc}); the fix itself is unaffected")
    return replace(regression, seconds=round(time.monotonic() - started, 2))


def _regression(bench: SandboxWorkbench, fix: Outcome, run_id: str, regression_dir: str,
                redactor: Redactor) -> Regression:
    """Witnesses of the patched function (or of a caller) written as calls; failing that, a copy
    of the failing tests themselves. Either is kept only when proven both ways."""
    function = patched_qualname(fix.candidate.edits)
    try:
        _check_time(bench)
        try:
            return _replayed(bench, fix, run_id, regression_dir, redactor)
        except NoRegression as exc:
            why = exc
        try:
            _check_time(bench)
            return _copied(bench, fix, function, run_id, regression_dir, redactor, why)
        except NoRegression as again:
            raise NoRegression(f"{why}; a copy of the failing test is no regression test either: "
                               f"{again}", f"{why.brief}; nor is a copy of the failing test: "
                               f"{again.brief}") from None
    except NoRegression as exc:
        return Regression(function=function, reason=str(exc), brief=exc.brief)


def _check_time(bench: SandboxWorkbench) -> None:
    if time.monotonic() >= bench.limits.deadline:
        raise NoRegression("the time budget was spent before a regression test could be made")


def _replayed(bench: SandboxWorkbench, fix: Outcome, run_id: str, regression_dir: str,
              redactor: Redactor) -> Regression:
    edits = fix.candidate.edits
    patched = patched_function(edits)
    called, witnesses, target = _replayable(bench, edits, patched, fix.fixed, redactor)
    path = regression_test_path(bench.sandbox.root, bench.command.cwd, fix.fixed[0],
                                patched.qualname, regression_dir, _python_files(bench))
    # test ids may name a secret (a parametrized value); masked, the docstring still reads
    docstring = redactor.hide(_docstring(patched, called, run_id, fix.fixed))
    newline = _project_newline(bench.sandbox.root / path, edits)

    def render(chosen: Sequence[int]) -> tuple[str, list[str]]:
        source = module_source(target, [witnesses[i] for i in chosen], docstring, newline)
        return source, _test_names(source)

    source, tests, _ = _proven(bench, edits, path, render, len(witnesses))
    return Regression(path=path, source=source, function=patched.qualname, tests=tuple(tests),
                      calls=called.qualname,
                      reason=f"{len(tests)} witness input(s) of {called.qualname}; the test fails "
                             "on the original code and passes with the fix")


@dataclass(frozen=True)
class _Copyable:
    """A repaired test file: as its node ids name it, its repository-relative path, the repaired
    tests to copy from it and its source."""

    file: str
    path: str
    tests: list[str]
    source: str


def _copied(bench: SandboxWorkbench, fix: Outcome, function: str, run_id: str,
            regression_dir: str, redactor: Redactor, why: NoRegression) -> Regression:
    """The failing tests of one repaired test file (at most MAX_WITNESSES), copied. Files that
    define their failing tests themselves are tried first, and a copy whose module runs no other
    test is taken: a class that inherits its tests brings every one of them along. Failing
    that, the first copy proven."""
    files = _copyable(bench, fix.fixed)
    if not files:
        return _doctests_copied(bench, fix, function, run_id, regression_dir, redactor, why)
    first: Regression | None = None
    failed = NoRegression("")
    for copyable in files[:COPIED_FILES]:
        try:
            regression, others = _copy_of(bench, fix, function, run_id, regression_dir, redactor,
                                          why, copyable)
        except NoRegression as exc:
            failed = exc
            continue
        if not others:
            return regression
        first = first or replace(regression, reason=f"{regression.reason}; its module also runs "
                                                    f"{others} other test(s), which its classes "
                                                    "inherit or which share a block with it")
    if first is None:
        raise failed
    return first


def _copyable(bench: SandboxWorkbench, fixed: Sequence[str]) -> list[_Copyable]:
    """Each repaired test file with the repaired tests to copy from it: those it defines itself
    when there are any; files that define all of them first, then those that define some, then
    those whose tests are all inherited. Doctests are left out."""
    by_file: dict[str, list[str]] = {}
    for nodeid in fixed:
        if not is_doctest(nodeid):
            file, _, test = nodeid.partition("::")
            by_file.setdefault(file, []).append(test.split("[", 1)[0])
    ranked = []
    for file, named in by_file.items():
        tests = list(dict.fromkeys(named))
        path = _repository_path(bench, file)
        source = bench.sandbox.read(path).text
        defined = defined_tests(source, tests)
        rank = 0 if len(defined) == len(tests) else 1 if defined else 2
        ranked.append((rank, _Copyable(file, path, (defined or tests)[:MAX_WITNESSES], source)))
    return [copyable for _, copyable in sorted(ranked, key=lambda entry: entry[0])]


def _copy_of(bench: SandboxWorkbench, fix: Outcome, function: str, run_id: str,
             regression_dir: str, redactor: Redactor, why: NoRegression,
             copyable: _Copyable) -> tuple[Regression, int]:
    """The copy of `copyable`'s tests, and how many other tests its module runs."""
    edits, tests = fix.candidate.edits, copyable.tests
    name = function or tests[0].rsplit("::", 1)[-1].removeprefix("test_")
    path = regression_test_path(bench.sandbox.root, bench.command.cwd,
                                f"{copyable.file}::{tests[0]}", name, regression_dir,
                                _python_files(bench))
    docstring = redactor.hide(_copy_docstring(
        function, run_id, fix.fixed, why.brief,
        f"A copy of the failing test(s) of {copyable.path}, with what they use from it"))
    newline = _project_newline(bench.sandbox.root / path, edits)

    def render(chosen: Sequence[int]) -> tuple[str, list[str]]:
        picked = [tests[i] for i in chosen]
        return copied_tests(copyable.source, picked, docstring, newline), picked

    if redactor.holds_secret(render(range(len(tests)))[0]):
        raise NoRegression("the failing test holds a secret, and a regression test must not carry one")
    source, kept, others = _proven(bench, edits, path, render, len(tests))
    regression = Regression(
        path=path, source=source, function=function, tests=tuple(kept),
        reason=f"a copy of {len(kept)} failing test(s) of {copyable.path}, since {why}; "
               "it fails on the original code and passes with the fix",
        brief=f"a copy of {len(kept)} failing test(s) of {copyable.path}, since "
              f"{why.brief}; it fails on the original code and passes with the fix")
    return regression, others


def _repository_path(bench: SandboxWorkbench, file: str) -> str:
    """The repository-relative path of a file a node id names (relative to pytest's rootdir)."""
    return (bench.command.cwd / file).resolve().relative_to(bench.sandbox.root.resolve()).as_posix()


def _doctests_copied(bench: SandboxWorkbench, fix: Outcome, function: str, run_id: str,
                     regression_dir: str, redactor: Redactor, why: NoRegression) -> Regression:
    """The examples of the failing doctests (at most MAX_WITNESSES), copied into a test module
    beside the suite's first test module (regression_doctest.py)."""
    doctests = []
    for nodeid in (n for n in fix.fixed if is_doctest(n)):
        file, _, rest = nodeid.partition("::")
        name = rest.split("::", 1)[0]
        module = module_of(file, name)
        if module is None:  # a doctest of a text file, not of a module's docstring
            continue
        examples = docstring_of(bench.sandbox.read(_repository_path(bench, file)).text, module, name)
        if examples:
            doctests.append(CopiedDoctest(name, module, examples))
            if len(doctests) == MAX_WITNESSES:  # each read parses a module: no more than used
                break
    if not doctests:
        raise NoRegression("the failing tests are doctests of no docstring found in a module's source")
    beside = next((n for n in bench.task.suite if not is_doctest(n)), fix.fixed[0])
    path = regression_test_path(bench.sandbox.root, bench.command.cwd, beside,
                                function or doctests[0].name, regression_dir, _python_files(bench))
    modules = sorted({d.module for d in doctests})
    docstring = redactor.hide(_copy_docstring(
        function, run_id, fix.fixed, why.brief,
        f"The examples of the failing doctest(s) of {', '.join(modules)}, copied to run as "
        "--doctest-modules runs them"))
    newline = _project_newline(bench.sandbox.root / path, fix.candidate.edits)

    def render(chosen: Sequence[int]) -> tuple[str, list[str]]:
        picked = [doctests[i] for i in chosen]
        return copied_doctests(picked, docstring, newline), copied_test_names(picked)

    if redactor.holds_secret(render(range(len(doctests)))[0]):
        raise NoRegression("the failing doctest holds a secret, and a regression test must not carry one")
    source, kept, _ = _proven(bench, fix.candidate.edits, path, render, len(doctests))
    return Regression(
        path=path, source=source, function=function, tests=tuple(kept),
        reason=f"the examples of {len(kept)} failing doctest(s), copied, since {why}; it fails on "
               "the original code and passes with the fix",
        brief=f"the examples of {len(kept)} failing doctest(s), copied, since {why.brief}; it fails "
              "on the original code and passes with the fix")


def _proven(bench: SandboxWorkbench, edits: Sequence[Edit], path: str,
            render: Callable[[Sequence[int]], tuple[str, list[str]]], count: int
            ) -> tuple[str, list[str], int]:
    """The module `render` writes for `count` tests, with only those that fail on the original
    code and pass on the fixed code, proven again after the others are left out; and how many
    tests it runs besides them (a kept class's inherited ones)."""
    source, tests = render(range(count))
    kept, others = _prove(bench, edits, path, source, tests)
    if len(kept) < count:
        if not kept:
            raise NoRegression("no generated test failed on the original code and passed on the fixed code")
        source, tests = render(kept)
        again, others = _prove(bench, edits, path, source, tests)
        if len(again) != len(kept):
            raise NoRegression("the generated tests did not behave the same way twice")
    return source, tests, others


def patched_qualname(edits: Sequence[Edit]) -> str:
    """The patched function's qualified name, or "" when the fix changes none."""
    try:
        return patched_function(edits).qualname
    except NoRegression:
        return ""


class _Definitions(ast.NodeVisitor):
    """Module- and class-level defs by qualified name: (source text, first parameter unused).
    With `ast`: LibCST parsed the module before and after the fix for this, a second or so and
    tens of MiB for a large module."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.stack: list[str] = []
        self.found: dict[str, tuple[str, bool]] = {}

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = node.args.args
        unused = bool(self.stack and params) and not any(
            isinstance(found, ast.Name) and found.id == params[0].arg
            for statement in node.body for found in ast.walk(statement))
        text = "".join(self.lines[decorated_start(node) - 1:node.end_lineno or node.lineno])
        self.found[".".join([*self.stack, node.name])] = (text, unused)

    visit_AsyncFunctionDef = visit_FunctionDef


_LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")  # where `ast` counts a new line


@functools.lru_cache(maxsize=4)  # the module before and after the fix, asked for more than once
def _definitions(source: str, path: str) -> dict[str, tuple[str, bool]]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        raise PatchError(f"{path}: the edited file does not parse: {exc}") from None
    visitor = _Definitions(_LINE_ENDS.split(source))
    visitor.visit(tree)
    return visitor.found


def patched_function(edits: Sequence[Edit]) -> PatchedFunction:
    """The first function the fix changes that existed before it (module level or a method)."""
    for edit in edits:
        before = _definitions(edit.before, edit.path)
        after = _definitions(edit.after, edit.path)
        for qualname, (code, unused) in after.items():
            if qualname in before and before[qualname][0] != code:
                return PatchedFunction(edit.path, qualname, unused)
    raise NoRegression("the fix changes no existing function, so there is no call to replay")


def record_calls(bench: SandboxWorkbench, edits: Sequence[Edit], patched: PatchedFunction,
                 tests: Sequence[str], until: float | None = None
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The calls of `patched` while `tests` run with the fix and without it, both at once in warm
    children (the fix swapped in place), or else one after the other in subprocesses from disk,
    all of it done by the monotonic time `until` (None: each run bounded as a suite). Each test
    process (xdist workers too) writes one file."""
    def left() -> float:
        if until is None:
            return bench.limits.suite_timeout
        if time.monotonic() >= until:
            raise NoRegression("recording the calls ran out of time")
        return max(0.5, until - time.monotonic())

    outputs, jobs = [], []
    for label, changes in (("fixed", Candidate(tuple(edits)).file_changes), ("original", {})):
        output = bench.command.scratch / f"calls-{label}-{time.monotonic_ns()}"
        output.mkdir(parents=True)
        spec = output / "spec.json"
        spec.write_text(json.dumps({
            "file": str(bench.sandbox.root / patched.path), "qualname": patched.qualname,
            "self_unused": patched.self_unused, "output": str(output),
        }), encoding="utf-8")
        outputs.append(output)
        jobs.append(Job(tuple(tests), changes, timeout=left(), record=spec))
    for job, run in zip(jobs, bench.runs.screen(jobs), strict=True):
        if run is None:  # the second starts once the first is done: within what is left then
            timeout = left() if until is None else left() - bench.runs.startup
            if timeout < 0.5:
                raise NoRegression("recording the calls ran out of time")
            started = replace(job, timeout=timeout)
            with bench.sandbox.applied(edits if job.files else ()):
                bench.runs.subprocess(started)
    fixed, original = (_merged_calls(output) for output in outputs)
    return fixed, original


def _merged_calls(output: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {"target": None, "calls": []}
    files = sorted(output.glob("calls-*.json"))
    if not files:
        raise NoRegression("recording the calls failed: the test run did not finish")
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        merged["target"] = merged["target"] or data["target"]
        merged["calls"] += data["calls"]
    return merged


def _witnesses(
    bench: SandboxWorkbench, edits: Sequence[Edit], patched: PatchedFunction, tests: Sequence[str],
    redactor: Redactor,
) -> tuple[list[Witness], dict[str, Any]]:
    """The witnesses of `patched` while `tests` run, and the recorded target to call."""
    fixed, original = record_calls(bench, edits, patched, tests)
    return choose_witnesses(fixed, original, patched.qualname, redactor), fixed["target"]


def choose_witnesses(fixed: dict[str, Any], original: dict[str, Any], qualname: str,
                     redactor: Redactor) -> list[Witness]:
    """Calls whose outcome differs between the fixed and the original code, fixed outcome kept;
    failing those, method calls that left their object's attributes different, the fixed values
    kept (side effects); none whose inputs, outcome or effects hold a secret."""
    calls = fixed.get("calls", [])
    if not calls or fixed.get("target") is None:
        raise NoRegression(f"the fixed tests never called {qualname}, so there is no "
                           "input to replay (the fix acts through another path)")
    before = {_key(c): c for c in original.get("calls", []) if "args" in c}
    witnesses: dict[str, Witness] = {}
    problems: list[str] = []
    secret: set[str] = set()
    compared = 0
    for call in calls:
        outcome = call.get("outcome", {"error": "the call did not finish"})
        if "error" in call or "error" in outcome:
            problems.append(call.get("error") or outcome["error"])
            continue
        key = _key(call)
        if key not in before or key in witnesses:
            continue
        compared += 1
        old = before[key]
        effects = () if old.get("outcome") != outcome else _effects(call, old)
        if old.get("outcome") == outcome and not effects:
            continue
        if redactor.holds_secret([call.get("receiver"), call["args"], outcome, effects]):
            secret.add(key)
            continue
        witnesses[key] = Witness(call.get("receiver"), tuple(call["args"]), outcome, effects)
    if witnesses:  # a changed result first: it is what a person asserts
        ordered = sorted(witnesses.values(), key=lambda w: bool(w.effects))
        return _written_apart(fixed["target"], ordered)[:MAX_WITNESSES]
    if secret:
        raise NoRegression(f"every witness ({len(secret)} call(s) of {qualname} whose outcome the "
                           "fix changed) held a secret in its inputs or outcome, and a test must "
                           "not carry one")
    if problems:
        raise NotWritable(f"{len(problems)} call(s) of {qualname} could not be written "
                          f"as source: {problems[0]}", qualname, calls[0].get("callers", []))
    if not compared:  # tomlkit's Integer.__sub__: its receiver was described apart each time
        raise NoRegression(f"no recorded call of {qualname} with the fix was made alike without it "
                           "(its receiver or arguments were described differently), so no outcome "
                           "could be compared")
    raise NoRegression(f"no recorded call of {qualname} returned, raised or left its object "
                       "differently after the fix (the difference lies in other side effects)")


def _written_apart(target: dict[str, Any], witnesses: list[Witness]) -> list[Witness]:
    """The first of the witnesses that would be written as the same test: calls recorded apart
    (two objects built alike, `Version('1.0a1')` twice) make one test, not two equal ones."""
    seen: set[str] = set()
    kept = []
    for witness in witnesses:
        text = module_source(target, [witness], "")
        if text not in seen:
            seen.add(text)
            kept.append(witness)
    return kept


def changed_calls(fixed: dict[str, Any], original: dict[str, Any]) -> int:
    """How many distinct calls (receiver and arguments) the two recordings do not share with the
    same outcome and effects: made on one side only, or returning, raising or leaving their
    object differently."""
    def outcomes(recorded: dict[str, Any]) -> dict[str, Any]:
        return {_key(c): (c.get("outcome"), c.get("state")) for c in recorded.get("calls", [])
                if "args" in c}

    after, before = outcomes(fixed), outcomes(original)
    return sum(1 for key in after.keys() | before.keys() if after.get(key) != before.get(key))


def _effects(fixed: dict[str, Any], original: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The attributes of a method's object that the fix left different after the call, with
    their fixed values (recorder.py keeps only those it can write and compare by value)."""
    after, before = fixed.get("state") or {}, original.get("state") or {}
    return tuple((name, tree) for name, tree in after.items() if before.get(name) != tree)


def _replayable(
    bench: SandboxWorkbench, edits: Sequence[Edit], patched: PatchedFunction, tests: Sequence[str],
    redactor: Redactor,
) -> tuple[PatchedFunction, list[Witness], dict[str, Any]]:
    """Witnesses of the patched function or, when its inputs cannot be written, of its nearest
    caller that is not a test and can be."""
    try:
        return (patched, *_witnesses(bench, edits, patched, tests, redactor))
    except NotWritable as exc:
        caller = _nearest_caller(bench, patched, exc.callers)
        if caller is None:
            raise NoRegression(f"{exc}; no caller between the test and it can be replayed instead",
                               exc.brief) from None
        try:
            return (caller, *_witnesses(bench, edits, caller, tests, redactor))
        except NoRegression as again:
            raise NoRegression(f"{exc}; its caller {caller.qualname} cannot be replayed either: "
                               f"{again}", f"{exc.brief}, nor can its caller {caller.qualname}'s"
                               ) from None


def _nearest_caller(
    bench: SandboxWorkbench, patched: PatchedFunction, callers: Sequence[dict[str, str]]
) -> PatchedFunction | None:
    for caller in callers:
        path, qualname = caller["path"], caller["qualname"]
        if qualname == patched.qualname or bench.is_test_file(path):
            continue
        definitions = _definitions(bench.sandbox.read(path).text, path)
        if qualname in definitions:
            return PatchedFunction(path, qualname, definitions[qualname][1])
    return None


def _key(call: dict[str, Any]) -> str:
    return json.dumps([call.get("receiver"), call.get("args")], sort_keys=True)


def regression_test_path(
    root: Path, rootdir: Path, first_test: str, qualname: str, regression_dir: str,
    python_files: Sequence[str] = DEFAULT_PYTHON_FILES,
) -> str:
    """Repository-relative path of a new test file named after the function: next to the first
    fixed test, or in the configured directory (relative to the rootdir); named so that the
    project's `python_files` collects it (`test_regression_total.py`, `check_regression_total.py`)."""
    root, rootdir = root.resolve(), rootdir.resolve()
    if regression_dir:
        directory = (rootdir / regression_dir).resolve()
    else:
        directory = (rootdir / first_test.split("::", 1)[0]).resolve().parent
    if not directory.is_relative_to(rootdir):
        raise NoRegression(f"the regression directory {regression_dir!r} is outside the rootdir; "
                           "pass --selfheal-regression-dir with a path inside it")
    stem = "regression_" + (qualname.rsplit(".", 1)[-1].strip("_") or "function")
    template = _file_template(python_files, stem)
    name, number = template.format(stem), 1
    while (directory / name).exists():
        number += 1
        name = template.format(f"{stem}_{number}")
    return (directory / name).relative_to(root).as_posix()


def _python_files(bench: SandboxWorkbench) -> Sequence[str]:
    files = bench.is_test_file
    return files.python_files if isinstance(files, TestFiles) else DEFAULT_PYTHON_FILES


def _file_template(python_files: Sequence[str], stem: str) -> str:
    """`test_{}.py`, or the first of the project's own patterns with one `*`."""
    if TestFiles(tuple(python_files)).is_test_module(f"test_{stem}.py"):
        return "test_{}.py"
    for pattern in python_files:
        if "/" not in pattern and pattern.count("*") == 1 and pattern.endswith(".py"):
            return pattern.replace("{", "{{").replace("}", "}}").replace("*", "{}")
    return "test_{}.py"


def _project_newline(test_file: Path, edits: Sequence[Edit]) -> str:
    """The line ending of the Python files beside the new test, or, in a directory without
    any, of the files the fix edits: a new file looks like its neighbours."""
    beside = [_text_or_empty(path) for path in sorted(test_file.parent.glob("*.py"))]
    return dominant_newline(beside if any("\n" in text for text in beside)
                            else [edit.before for edit in edits])


def _text_or_empty(path: Path) -> str:
    try:
        return read_source(path).text
    except (OSError, UnreadableSource):
        return ""


def _docstring(patched: PatchedFunction, called: PatchedFunction, run_id: str,
               failing: Sequence[str]) -> str:
    via = [] if called == patched else [
        f"It calls {called.qualname} ({called.path}), the nearest caller whose inputs can be written "
        "as source.",
    ]
    lines = [
        f"Regression test for {patched.qualname} in {patched.path} (pytest-selfheal run {run_id}).",
        "",
        *via,
        "It fails on the code before the fix and passes after it. The fix made these tests pass:",
        *_listed(failing),
        "",
    ]
    return "\n".join(lines)


def _listed(failing: Sequence[str]) -> list[str]:
    """The fixed tests, a docstring's worth: the first DOCSTRING_TESTS and how many more."""
    more = [f"    ... and {len(failing) - DOCSTRING_TESTS} more"] if len(failing) > DOCSTRING_TESTS else []
    return [*(f"    {nodeid}" for nodeid in failing[:DOCSTRING_TESTS]), *more]


def _copy_docstring(function: str, run_id: str, failing: Sequence[str], why: str,
                    copied: str) -> str:
    lines = [
        f"Regression test for {function or 'the fix'} (pytest-selfheal run {run_id}).",
        "",
        f"{copied}: {why} (report.json says why in full).",
        "It fails on the code before the fix and passes after it. The fix made these tests pass:",
        *_listed(failing),
        "",
    ]
    return "\n".join(lines)


def _prove(bench: SandboxWorkbench, edits: Sequence[Edit], path: str, source: str,
           tests: Sequence[str]) -> tuple[list[int], int]:
    """Indexes of `tests` (`name` or `Class::name`) that fail on the original code and pass on the
    fixed code (a parametrized test must fail in some case before and pass in every case after),
    and how many other tests the module runs (a kept class's inherited ones)."""
    file = bench.sandbox.root / path
    created = [d for d in reversed(file.parents) if not d.exists()]
    bench.sandbox.write(path, source)
    nodeid = Path(os.path.relpath(file, bench.command.cwd.resolve())).as_posix()
    try:
        original = bench.runs.fresh([nodeid], timeout=bench.limits.suite_timeout)
        with bench.sandbox.applied(edits):
            fixed = bench.runs.fresh([nodeid], timeout=bench.limits.suite_timeout)
    finally:
        file.unlink()
        if created:  # made for this file: it holds nothing else but the bytecode of the runs
            shutil.rmtree(created[0])
    others = sum(1 for ran in original.outcomes
                 if not any(_case_of(ran, f"{nodeid}::{test}") for test in tests))
    return [index for index, test in enumerate(tests)
            if "failed" in _cases(original.outcomes, f"{nodeid}::{test}")
            and set(_cases(fixed.outcomes, f"{nodeid}::{test}")) == {"passed"}], others


def _cases(outcomes: dict[str, str], test: str) -> list[str]:
    return [outcome for nodeid, outcome in outcomes.items() if _case_of(nodeid, test)]


def _case_of(nodeid: str, test: str) -> bool:
    return nodeid == test or nodeid.startswith(test + "[")


def _test_names(source: str) -> list[str]:
    return [s.name for s in ast.parse(source).body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
