"""The tools the model may call, each validated; a rejection is a message the model can act on."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import libcst as cst

from ...errors import PatchError
from ...models import Candidate, Outcome, Verdict
from ...source import UnreadableSource, read_source
from ..base import Workbench
from ..patch import edits_from_specs
from .context import clip, describe_failure
from .scope import Rejected, Scope
from .symbols import symbols

MAX_READ_LINES = 300
MAX_SEARCH_HITS = 40
MAX_SEARCH_FILES = 2_000
MAX_EDITS = 5
MAX_LISTED_FAILURES = 10
MAX_RESULT = 8_000


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_STRING = {"type": "string"}
TOOLS: list[dict[str, Any]] = [
    {"name": "read_file",
     "description": "Read lines of a file (numbered). Paths are relative to the repository root. "
                    f"At most {MAX_READ_LINES} lines per call.",
     "input_schema": _schema({"path": _STRING, "start_line": {"type": "integer", "minimum": 1},
                              "end_line": {"type": "integer", "minimum": 1}}, ["path"])},
    {"name": "search_code",
     "description": "Search files for a Python regular expression; returns path:line: text hits.",
     "input_schema": _schema({"pattern": _STRING,
                              "glob": {"type": "string", "description": "default **/*.py"}},
                             ["pattern"])},
    {"name": "list_symbols",
     "description": "List the classes and functions of a Python file with their line ranges.",
     "input_schema": _schema({"path": _STRING}, ["path"])},
    {"name": "show_failure",
     "description": "Show a failing test in full: error, traceback, source and captured output.",
     "input_schema": _schema({"test": {"type": "string", "description": "the test's node id"}},
                             ["test"])},
    {"name": "propose_edit",
     "description": "Propose a fix and validate it at once: the failing tests, then the suite. "
                    "Each edit either replaces a whole function (`function` is its qualified "
                    "name such as `Cart.total`, `source` the complete new def) or replaces a "
                    "unique span (`find` must occur exactly once in the file, `replace` is the "
                    "new text). Edits apply to the original code, in order. Tests and config "
                    "files cannot be edited.",
     "input_schema": _schema({
         "description": {"type": "string", "description": "one line: what the change does"},
         "edits": {"type": "array", "minItems": 1, "maxItems": MAX_EDITS, "items": _schema({
             "path": _STRING, "function": _STRING, "source": _STRING, "find": _STRING,
             "replace": _STRING}, ["path"])},
     }, ["description", "edits"])},
    {"name": "run_tests",
     "description": "Run tests on the original (unpatched) code and get a short summary. "
                    "`tests` is a list of node ids; an empty list runs the whole suite.",
     "input_schema": _schema({"tests": {"type": "array", "items": _STRING}}, ["tests"])},
    {"name": "finish",
     "description": "End the session with a one-paragraph rationale: the cause, the fix, and "
                    "what a reviewer should check (or why no fix was found).",
     "input_schema": _schema({"rationale": _STRING}, ["rationale"])},
]


@dataclass(frozen=True)
class ToolResult:
    text: str
    rejected: bool = False
    key: str = ""  # what counts as "the same call" for loop detection
    rationale: str | None = None  # set by finish


class Toolbox:
    def __init__(self, bench: Workbench, agent_name: str) -> None:
        self.bench = bench
        self.scope = Scope(bench.root, bench.policy)
        self.agent_name = agent_name
        self._handlers: dict[str, Callable[[dict[str, Any]], ToolResult]] = {
            "read_file": self.read_file, "search_code": self.search_code,
            "list_symbols": self.list_symbols, "show_failure": self.show_failure,
            "propose_edit": self.propose_edit, "run_tests": self.run_tests, "finish": self.finish,
        }

    def execute(self, name: str, arguments: object) -> ToolResult:
        key = f"{name}:{json.dumps(arguments, sort_keys=True, default=str)}"
        handler = self._handlers.get(name)
        try:
            if handler is None:
                raise Rejected(f"unknown tool {name!r}; use one of {', '.join(self._handlers)}")
            if not isinstance(arguments, dict):
                raise Rejected("the tool input must be a JSON object")
            result = handler(arguments)
        except Rejected as exc:
            return ToolResult(f"rejected: {exc}", rejected=True, key=key)
        text = clip(result.text, MAX_RESULT)
        return ToolResult(text, result.rejected, result.key or key, result.rationale)

    def read_file(self, args: dict[str, Any]) -> ToolResult:
        rel = self.scope.readable(args.get("path"))
        start = _int(args, "start_line", 1)
        end = _int(args, "end_line", start + MAX_READ_LINES - 1)
        if end < start:
            raise Rejected("end_line must not be before start_line")
        end = min(end, start + MAX_READ_LINES - 1)
        try:
            lines = read_source(self.bench.root / rel).text.splitlines()
        except UnreadableSource as exc:
            raise Rejected(f"{rel} cannot be read as Python source: {exc}") from None
        if start > max(len(lines), 1):
            raise Rejected(f"{rel} has only {len(lines)} lines")
        shown = "\n".join(f"{n:5d}  {lines[n - 1]}" for n in range(start, min(end, len(lines)) + 1))
        more = f"\n[{len(lines) - end} more lines]" if end < len(lines) else ""
        return ToolResult(f"{rel} lines {start}-{min(end, len(lines))} of {len(lines)}:\n{shown}{more}")

    def search_code(self, args: dict[str, Any]) -> ToolResult:
        pattern = args.get("pattern")
        glob = args.get("glob") or "**/*.py"
        if not isinstance(pattern, str) or not pattern or not isinstance(glob, str):
            raise Rejected("`pattern` must be a non-empty regular expression and `glob` a string")
        if glob.startswith("/") or ".." in glob:
            raise Rejected("`glob` must be relative to the repository root, without '..'")
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise Rejected(f"invalid regular expression: {exc}") from None
        hits: list[str] = []
        root = self.bench.root
        for number, path in enumerate(sorted(root.glob(glob))):
            rel = path.relative_to(root)
            if number >= MAX_SEARCH_FILES or len(hits) >= MAX_SEARCH_HITS:
                break
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            try:
                lines = read_source(path).text.splitlines()
            except (OSError, UnreadableSource):
                continue
            hits.extend(f"{rel.as_posix()}:{n}: {line.strip()[:200]}"
                        for n, line in enumerate(lines, 1) if regex.search(line))
        if not hits:
            return ToolResult(f"no match for {pattern!r} in {glob}")
        capped = hits[:MAX_SEARCH_HITS]
        more = "\n[more hits cut; narrow the pattern or the glob]" if len(hits) > MAX_SEARCH_HITS else ""
        return ToolResult("\n".join(capped) + more)

    def list_symbols(self, args: dict[str, Any]) -> ToolResult:
        rel = self.scope.readable(args.get("path"))
        try:
            found = symbols(read_source(self.bench.root / rel).text)
        except (UnreadableSource, cst.ParserSyntaxError):
            raise Rejected(f"{rel} is not parseable Python") from None
        rows = [f"{s.kind} {s.qualname} (lines {s.start}-{s.end})" for s in found]
        return ToolResult(f"{rel}:\n" + ("\n".join(rows) or "(no classes or functions)"))

    def show_failure(self, args: dict[str, Any]) -> ToolResult:
        wanted = args.get("test")
        if not isinstance(wanted, str) or not wanted:
            raise Rejected("`test` must be the node id of a failing test")
        failures = self.bench.failures
        matches = [f for f in failures if f.nodeid == wanted] or [
            f for f in failures if wanted in f.nodeid]
        if len(matches) != 1:
            known = ", ".join(f.nodeid for f in failures[:MAX_LISTED_FAILURES])
            raise Rejected(f"{wanted!r} matches {len(matches)} failures; the failing tests are: {known}")
        return ToolResult(describe_failure(self.bench, matches[0], full=True))

    def propose_edit(self, args: dict[str, Any]) -> ToolResult:
        description, specs = args.get("description"), args.get("edits")
        if not isinstance(description, str) or not description.strip():
            raise Rejected("`description` must be a one-line summary of the change")
        if not isinstance(specs, list) or not 1 <= len(specs) <= MAX_EDITS:
            raise Rejected(f"`edits` must be a list of 1 to {MAX_EDITS} edits")
        checked = [self._check_spec(spec) for spec in specs]
        try:
            edits = edits_from_specs(
                lambda path: read_source(self.bench.root / path),
                checked, description.strip()[:200], "claude",
            )
        except PatchError as exc:
            raise Rejected(str(exc)) from None
        digest = hashlib.sha1("\0".join(f"{e.path}\0{e.after}" for e in edits).encode()).hexdigest()
        outcome = self.bench.try_candidate(Candidate(edits=edits, agent=self.agent_name))
        return ToolResult(verdict_text(outcome), rejected=outcome.verdict is Verdict.DUPLICATE,
                          key=f"edit:{digest}")

    def _check_spec(self, spec: object) -> dict[str, str]:
        if not isinstance(spec, dict):
            raise Rejected("each edit must be an object with `path` and either "
                           "`function`+`source` or `find`+`replace`")
        path = self.scope.editable(spec.get("path"))
        fields = {k: v for k, v in spec.items() if k != "path"}
        shape = set(fields)
        if shape in ({"function", "source"}, {"find", "replace"}) and all(
            isinstance(v, str) for v in fields.values()
        ) and (fields.get("function") or fields.get("find")):
            return {"path": path, **fields}
        raise Rejected(
            f"edit of {path}: give either `function` (qualified name) and `source` (the whole new "
            f"def), or `find` (a unique span of the file) and `replace`; got keys {sorted(fields)}"
        )

    def run_tests(self, args: dict[str, Any]) -> ToolResult:
        tests = args.get("tests")
        if not isinstance(tests, list) or not all(isinstance(t, str) and t for t in tests):
            raise Rejected("`tests` must be a list of node ids (empty for the whole suite)")
        run = self.bench.run(tests)
        counts = {o: sum(v == o for v in run.outcomes.values()) for o in ("passed", "failed", "skipped")}
        lines = [", ".join(f"{n} {o}" for o, n in counts.items())
                 + (" (timed out)" if run.timed_out else "")]
        if not run.outcomes:
            lines.append("no test ran: check the node ids.\n" + clip(run.output_tail[-1_000:], 1_000))
        failed = sorted(run.failed)
        lines += [f"FAILED {n}: {clip(run.failures.get(n, ''), 300)}" for n in failed[:MAX_LISTED_FAILURES]]
        if len(failed) > MAX_LISTED_FAILURES:
            lines.append(f"... and {len(failed) - MAX_LISTED_FAILURES} more failures")
        return ToolResult("\n".join(lines))

    def finish(self, args: dict[str, Any]) -> ToolResult:
        rationale = args.get("rationale")
        if not isinstance(rationale, str) or not rationale.strip():
            raise Rejected("`rationale` must be a paragraph explaining the cause and the fix")
        return ToolResult("session finished", rationale=rationale.strip())


def verdict_text(outcome: Outcome) -> str:
    """What validation said, as the model needs it: the failing assertion, not the whole log."""
    detail = clip(outcome.detail, 800)
    match outcome.verdict:
        case Verdict.PLAUSIBLE:
            return (f"plausible: {len(outcome.fixed)} failing test(s) now pass and no passing test "
                    "broke. Call finish with your rationale.")
        case Verdict.STILL_FAILING:
            return f"still failing, the edit was reverted. First failure:\n{detail}"
        case Verdict.BREAKS_OTHERS:
            return (f"breaks tests that passed before ({', '.join(outcome.broken[:5])}); the edit "
                    f"was reverted. First failure:\n{detail}")
        case Verdict.TIMEOUT:
            return f"the tests timed out with this edit ({detail}); it was reverted"
        case Verdict.INVALID:
            return f"the edited code does not compile: {detail}"
        case Verdict.DUPLICATE:
            return "rejected: this exact change was already validated; try a different fix"
    return f"{outcome.verdict.value}: {detail}"


def _int(args: dict[str, Any], name: str, default: int) -> int:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Rejected(f"`{name}` must be a positive line number")
    return value
