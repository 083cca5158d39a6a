"""HealSession: records failures on the controller (xdist-safe) and heals at session end.

The healing stages (git, libcst, coverage, rich), and even the failure records, are imported
only once a test fails, so a green `--selfheal` run costs what a plain run costs.
"""

from __future__ import annotations

import ast
import re
import sys
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .config import Settings
from .output import rundir
from .run_peak import RunPeak

if TYPE_CHECKING:
    from .agents.base import Agent
    from .heal.prepare import Preparation
    from .heal.request import HealRequest, HealResult
    from .models import Failure, Frame, HypothesisVerdict
    from .output.decisions import Listener
    from .runtime.incident import Incident

OUTPUT_LIMIT = 4_000
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$", re.DOTALL)
# pytest's crash line for an exception group holding one exception (anyio's task groups,
# hypothesis's FlakyFailure): that exception's repr, then the group's type
_SINGLE_IN_GROUP = re.compile(
    r"(?P<type>[A-Za-z_][\w.]*)\((?P<args>.*)\) \[single exception in \w+\]", re.DOTALL)
# hypothesis's errors for a failing example that passed when run again
_FLAKY_BY_HYPOTHESIS = re.compile(r"^(?:hypothesis\.errors\.)?Flaky\w*:|\[single exception in Flaky\w*\]$")
# pytest's text for a fixture it could not find (FixtureLookupErrorRepr: no crash line)
_FIXTURE_NOT_FOUND = re.compile(r"^E\s+(?P<message>fixture '[^']+' not found)$", re.MULTILINE)
_NATIVE_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')


class HealSession:
    """Registered by plugin.py only when healing is on."""

    def __init__(self, config: pytest.Config, settings: Settings,
                 incident: Incident | None = None) -> None:
        self.config = config
        self.settings = settings
        self.incident = incident  # --selfheal-incident: healed once the session ends
        self.invocation_dir = config.invocation_params.dir
        self.failures: dict[str, Failure] = {}
        self.outcomes: dict[str, str] = {}
        self.started = time.monotonic()
        self.result: HealResult | None = None
        self.interrupted = False
        self.test_files: tuple[Path, ...] = ()  # the session's test modules
        self.items: list[pytest.Item] = []  # the session's tests, for their parameters
        self.prepared: Preparation | None = None  # begun at the first failing test
        self.peak = RunPeak()
        self._heal_due = False  # a test failed: the heal begins when it has been torn down
        self._began = False

    @cached_property
    def repo_root(self) -> Path | None:
        from .git import find_repo_root

        return find_repo_root(self.config.rootpath)

    @cached_property
    def pytest_options(self) -> tuple[str, ...]:
        """What the user typed that configures pytest, for the sandbox's runs to repeat."""
        from .config import OPTIONS
        from .sandbox.options import repeated_options

        typed = self.config.args_source == pytest.Config.ArgsSource.ARGS
        return repeated_options(self.config.invocation_params.args,
                                self.config.args if typed else (), self.invocation_dir,
                                dropped=[spec.flag for spec in OPTIONS])

    @pytest.hookimpl(trylast=True)
    def pytest_selfheal_make_agent(self, name: str, settings: Settings) -> Agent:
        from .agents import create_agent

        return create_agent(name, settings)

    def pytest_sessionstart(self) -> None:
        self.started = time.monotonic()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = session.items
        self.test_files = tuple(dict.fromkeys(item.path for item in self.items))

    @cached_property
    def cases(self) -> dict[str, str]:
        """The parametrized tests a sandbox process may number differently, by their parameters
        (protocol.movable_cases); worked out once a test fails, never on a green run."""
        from .sandbox.protocol import movable_cases

        return movable_cases(self.items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            nodeid = report.nodeid or "<collection>"
            self.failures[nodeid] = self._failure(report, nodeid, "collect")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            self.failures.setdefault(report.nodeid, self._failure(report, report.nodeid,
                                                                  report.when))
            self._heal_due = self.incident is None
        elif report.when == "call" and report.passed:
            self.outcomes.setdefault(report.nodeid, "passed")

    def pytest_runtest_logfinish(self) -> None:
        """The heal begins once the first failing test is torn down, not from its report: until
        then its fixtures may hold the process changed (a variable set, the clock frozen), and
        the sandbox's test processes would inherit that."""
        if self._heal_due and not self._began:
            self._begin_heal()

    def _begin_heal(self) -> None:
        """Once the first failing test is torn down, take the lock, open the sandbox and start a
        warm worker that collects this session's test files, while the remaining tests run.
        Whatever stops this stops the heal too, which then reports why."""
        self._began = True
        if not self.test_files or self.repo_root is None:  # an xdist controller collects nothing
            return
        self.peak.preparing()
        from .heal.prepare import prepare

        try:
            self.prepared = prepare(self.repo_root, self.config.rootpath, self.settings,
                                    self._import_roots(), self.test_files,
                                    options=self.pytest_options, cases=self.cases)
        except Exception:
            self.prepared = None
        finally:
            self.peak.prepared()

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Ctrl-C means stop now; pytest also reports collection errors as an "interruption".
        self.interrupted = not isinstance(excinfo.value, pytest.Session.Interrupted)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.failures and self.incident is None:
            if not self.interrupted:
                self._record_green()
            return
        if self.interrupted or exitstatus in (
            pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR,
        ):
            self.pytest_unconfigure()
            return
        healing_started = time.monotonic()  # the heal's seconds include importing its stages
        suite_peak_bytes = self.peak.bytes()  # before the stages' modules add to it
        from .heal import pipeline
        from .heal.request import HealRequest
        from .output import junit

        listener, stop_progress = self._progress()
        request = HealRequest(
            repo_root=self.repo_root,
            rootdir=self.config.rootpath,
            failures=tuple(self.failures.values()),
            outcomes=dict(self.outcomes),
            settings=self.settings,
            make_agent=self._make_agent,
            run_id=rundir.new_run_id(),
            python_files=tuple(self.config.getini("python_files")),
            import_roots=self._import_roots(),
            suite_seconds=time.monotonic() - self.started,
            suite_peak_bytes=suite_peak_bytes,
            pytest_options=self.pytest_options,
            cases=self.cases,
            started=healing_started,
            progress=listener,
        )
        prepared, self.prepared = self.prepared, None
        try:
            if self.incident is not None:
                self.result = self._heal_incident(request, self.incident)
            else:
                self.result = pipeline.heal(request, prepared)
        finally:
            stop_progress()
        if self.result.run_dir is not None and self.config.option.xmlpath:
            junit.annotate(junit.xml_file(self.config.option.xmlpath, self.invocation_dir),
                           self.result.run_dir, self.config.rootpath)

    def _heal_incident(self, request: HealRequest, incident: Incident) -> HealResult:
        """Reproduce the incident at HEAD, then heal its test with the session's failures; an
        incident that does not reproduce (or is fixed already) is the result, said why."""
        from dataclasses import replace

        from .errors import SelfHealError
        from .heal import pipeline
        from .heal.request import HealResult
        from .incidents.target import incident_target, why_no_target
        from .sandbox.lock import LockBusy

        if self.repo_root is None:
            return pipeline.heal(request)  # says there is no repository
        try:
            target = incident_target(incident, self.repo_root, self.config.rootpath, self.settings,
                                     request.redactor)
        except LockBusy as exc:
            return HealResult("skipped", str(exc), request)
        except SelfHealError as exc:
            return HealResult("error", f"reproducing incident {incident.id[:8]} failed: {exc}",
                              request)
        if target.added is None or target.failure is None:
            status, reason = why_no_target(target)
            return HealResult(status, reason, request)
        return pipeline.heal(replace(
            request, failures=(*request.failures, target.failure), added_test=target.added,
            outcomes={**request.outcomes, target.added.nodeid: "failed"}))

    def _progress(self) -> tuple[Listener | None, Callable[[], None]]:
        """What shows the heal's progress, and what ends it: a live line on a terminal, a line
        per stage elsewhere, one line with -q, none with -qq."""
        verbosity = self.config.get_verbosity()
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None or verbosity <= -2:
            return None, lambda: None
        from .output import progress

        budget = self.settings.time_budget
        if reporter.isatty:
            from rich.console import Console

            console = Console(file=reporter._tw, force_terminal=True, width=reporter._tw.fullwidth)
            live = progress.LiveLine(console, budget)
            return live.progress.record, live.close
        writer = reporter._tw

        def write_line(text: str) -> None:
            if writer.width_of_current_line:  # after -q's dots and "[100%]"
                writer.line()
            writer.line(text)

        return progress.plain(write_line, budget, quiet=verbosity < 0).record, lambda: None

    def pytest_unconfigure(self) -> None:
        """Release what the first failure began when no heal took it over (Ctrl-C, say)."""
        if self.prepared is not None:
            self.prepared.close()
            self.prepared = None

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.result is None:
            return
        from rich.console import Console

        from .output import terminal

        terminalreporter.write_sep("=", "self-heal")
        console = Console(
            file=terminalreporter._tw,  # rich writes through pytest's terminal writer
            force_terminal=terminalreporter.hasmarkup,
            no_color=not terminalreporter.hasmarkup,
            width=terminalreporter._tw.fullwidth,
            soft_wrap=True,
        )
        terminal.render(self.result, console)

    def _record_green(self) -> None:
        """Into an existing history only, so a green run of a project that never failed stays free."""
        db = rundir.history_db(self.config.rootpath / self.settings.output)
        if not db.is_file() or self.repo_root is None:  # the repository is looked for only then
            return
        from .heal.history import record_green

        record_green(db, self.repo_root, rundir.new_run_id(), self.outcomes)

    def _make_agent(self, name: str) -> Agent:
        agent: Agent = self.config.hook.pytest_selfheal_make_agent(
            name=name, settings=self.settings
        )
        return agent

    def _import_roots(self) -> tuple[Path, ...]:
        """sys.path entries inside the checkout (editable installs, src/ layouts)."""
        if self.repo_root is None:
            return ()
        roots = []
        for entry in sys.path:
            path = Path(entry or ".").resolve()
            if path.is_dir() and path.is_relative_to(self.repo_root.resolve()):
                roots.append(path)
        return tuple(dict.fromkeys(roots))

    def _failure(self, report: pytest.TestReport | pytest.CollectReport, nodeid: str,
                 phase: str) -> Failure:
        longrepr = report.longrepr
        crash = getattr(longrepr, "reprcrash", None)
        text = crash.message if crash is not None else str(longrepr)
        exc_type, message = split_exception(text)
        output = "\n".join(content for _, content in report.sections)[-OUTPUT_LIMIT:]
        hypothesis: HypothesisVerdict = ""
        if isinstance(report, pytest.TestReport) and phase == "call" and _hypothesis_test(report):
            hypothesis = "flaky" if _FLAKY_BY_HYPOTHESIS.search(text.strip()) else "replayed"
        from .models import Failure

        return Failure(nodeid=nodeid, phase=phase, exc_type=exc_type, message=message[:OUTPUT_LIMIT],
                       frames=self._frames(longrepr, crash), output=output, hypothesis=hypothesis)

    def _frames(self, longrepr: Any, crash: Any) -> tuple[Frame, ...]:
        """Traceback frames, outermost first, paths relative to the repository when inside it."""
        chain = getattr(longrepr, "chain", None)
        traceback = chain[-1][0] if chain else getattr(longrepr, "reprtraceback", None)
        raw: list[tuple[str, int, str]] = []
        for entry in getattr(traceback, "reprentries", ()):
            location = getattr(entry, "reprfileloc", None)
            if location is not None:
                raw.append((location.path, location.lineno, ""))
            else:  # --tb=native: plain traceback text
                for match in _NATIVE_FRAME.finditer("\n".join(getattr(entry, "lines", ()))):
                    raw.append((match["path"], int(match["line"]), match["function"]))
        if crash is not None and (not raw or raw[-1][:2] != (crash.path, crash.lineno)):
            raw.append((crash.path, crash.lineno, ""))
        # "<frozen _collections_abc>", "<string>": code without a file, never the project's
        return tuple(self._frame(path, line, function) for path, line, function in raw
                     if not path.startswith("<"))

    def _frame(self, path: str, line: int, function: str) -> Frame:
        from .models import Frame
        from .source import enclosing_function

        absolute = (self.invocation_dir / path).resolve()
        function = function or enclosing_function(absolute, line)
        if self.repo_root is not None and absolute.is_relative_to(self.repo_root.resolve()):
            return Frame(absolute.relative_to(self.repo_root.resolve()).as_posix(), line, function)
        return Frame(str(absolute), line, function)


def _hypothesis_test(report: pytest.TestReport) -> bool:
    """Whether hypothesis's plugin marked the test `hypothesis`. A report names its item's
    keywords only, among them its directories', so a node id with a part called hypothesis
    (`tests/hypothesis/...`) does not count: such a test is rerun as any other."""
    return ("hypothesis" in report.keywords
            and "hypothesis" not in re.split(r"\W+", report.nodeid))


def split_exception(text: str) -> tuple[str, str]:
    """("ZeroDivisionError", "division by zero") from pytest's one-line crash message; of an
    exception group holding one exception, that exception's; of a fixture pytest did not find,
    ("FixtureLookupError", "fixture 'x' not found")."""
    single = _SINGLE_IN_GROUP.fullmatch(text.strip())
    if single is not None:
        return single["type"], _message_of(single["args"])
    first, _, rest = text.strip().partition("\n")
    missing = _FIXTURE_NOT_FOUND.search(rest) if first.startswith("file ") else None
    if missing is not None:
        return "FixtureLookupError", missing["message"]
    if first.startswith("assert "):
        return "AssertionError", text.strip()
    match = _EXCEPTION_LINE.match(first)
    if match and (match["message"] is not None or first.isidentifier()):
        message = (match["message"] or "") + ("\n" + rest if rest else "")
        return match["type"], message.strip()
    return "Error", text.strip()


def _message_of(args: str) -> str:
    """An exception's message from the arguments of its repr: its one string, else as written."""
    try:
        values = ast.literal_eval(f"({args},)")
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return args
    return values[0] if len(values) == 1 and isinstance(values[0], str) else args
