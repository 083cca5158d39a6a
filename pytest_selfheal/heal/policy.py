"""Rules a candidate must pass before any test runs: the failing tests stay the untouched oracle.

A candidate that edits a test or the test configuration, silences a failure (skip, xfail,
broad except, exit) or special-cases a value the failing test feeds in would make the tests
pass without fixing the code; it is rejected with the rule it broke, never validated. Every
agent obeys the same paths: the builtin agent's candidates are checked here, and the claude
agent's tools ask `Policy.refusal` before the model's edit becomes a candidate.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import Settings
from ..linediff import lines_apart
from ..models import Candidate
from .edited_scope import edited_pieces

# Paths no candidate may touch, whatever the configuration says.
ALWAYS_FORBIDDEN = (
    "conftest.py", "**/conftest.py",
    "pytest.ini", "**/pytest.ini", "tox.ini", "**/tox.ini", "setup.cfg", "**/setup.cfg",
    "pyproject.toml", "**/pyproject.toml", "setup.py", "noxfile.py", "fabfile.py",
    ".pre-commit-config.yaml",
    ".github/**", ".gitlab-ci.yml", ".circleci/**", ".travis.yml", "azure-pipelines.yml",
    "Jenkinsfile", ".buildkite/**",
    "*.lock", "**/*.lock", "requirements*.txt", "**/requirements*.txt", "constraints*.txt",
)
SILENCERS = frozenset({"skip", "skipif", "xfail", "importorskip", "SkipTest", "skipTest"})
EXITS = frozenset({("sys", "exit"), ("os", "_exit"), ("os", "abort"), ("", "exit"), ("", "quit")})
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})
# Values too common to count as "the failing test's input" when compared against.
TRIVIAL_LITERALS = frozenset({None, 0, 1, -1, ""})  # also matches False, True, 0.0, 1.0
_EQUALITY = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Glob match on a POSIX path relative to the repository root; `**/` also matches no dir."""
    pure = PurePosixPath(path)
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern) or pure.match(pattern):
            return True
        if pattern.startswith("**/") and matches(path, [pattern[3:]]):
            return True
        if pattern.endswith("/**") and path.startswith(pattern[:-2]):
            return True
    return False


@dataclass(frozen=True)
class Policy:
    """The configured limits plus what the heal knows about tests; `check` names the rule a
    candidate breaks, `refusal` why a file may not be edited at all."""

    is_test_file: Callable[[str], bool]
    allowed_paths: tuple[str, ...] = ()
    forbidden_paths: tuple[str, ...] = ()
    max_changed_lines: int = 10
    max_files: int = 2
    test_literals: frozenset[object] = frozenset()
    # a file as the base of the change had it, or None: a literal the code compared against
    # before the change is not one a patch invents for the failing test
    base_text: Callable[[str], str | None] = lambda path: None
    _base_facts_of: dict[str, _Facts | None] = field(default_factory=dict, compare=False, repr=False)

    def check(self, candidate: Candidate) -> str | None:
        """None when the candidate may be validated, else "rule: why" for the decision log."""
        for rule in self._violations(candidate):
            return rule
        return None

    def refusal(self, path: str) -> str | None:
        """Why no agent may edit `path` ("<path> is ..."), or None when it may."""
        pure = PurePosixPath(path)
        if matches(path, ALWAYS_FORBIDDEN):
            return f"{path} is test, CI or packaging configuration"
        if self.is_test_file(path):
            return f"{path} is a test file (the failing tests are the oracle)"
        if matches(path, self.forbidden_paths):
            return f"{path} matches forbidden_paths"
        if self.allowed_paths and not matches(path, self.allowed_paths):
            return f"{path} is outside allowed_paths"
        if pure.suffix != ".py":
            return f"{path} is not Python source"
        if any(part.startswith(".") for part in pure.parts):
            return f"{path} is hidden, not project source"
        return None

    def _violations(self, candidate: Candidate) -> Iterator[str]:
        paths = candidate.paths
        for path in paths:
            if refusal := self.refusal(path):
                yield f"forbidden-path: {refusal}"
        if len(paths) > self.max_files:
            yield f"max-files: touches {len(paths)} files, more than max_files={self.max_files}"
        changes = list(candidate.file_changes.values())
        changed = sum(lines_apart(before.splitlines(), after.splitlines()) for before, after in changes)
        if changed > self.max_changed_lines:
            yield (f"max-changed-lines: changes {changed} lines, more than "
                   f"max_changed_lines={self.max_changed_lines}")
        for path, (before, after) in candidate.file_changes.items():
            yield from self._code_violations(path, before, after)

    def _base_facts(self, path: str) -> _Facts | None:
        """The base's file read once (a whole module parsed), only when a rule asks."""
        if path not in self._base_facts_of:
            text = self.base_text(path)
            self._base_facts_of[path] = _facts(text, self.test_literals) if text is not None else None
        return self._base_facts_of[path]

    def _code_violations(self, path: str, before: str, after: str) -> Iterator[str]:
        pieces = edited_pieces(before, after)
        old, new = ((_facts(pieces.before, self.test_literals), _facts(pieces.after, self.test_literals))
                    if pieces is not None else (None, None))
        if old is None or new is None:  # no piece, or one that needs the rest of its module
            old, new = _facts(before, self.test_literals), _facts(after, self.test_literals)
        if old is None or new is None:
            return
        if _added(old.silencers, new.silencers):
            yield "adds-skip: adds a skip, xfail or importorskip"
        if _added(old.broad_handlers, new.broad_handlers):
            yield "broad-except: adds a bare or broad `except` that would hide the failure"
        if _added(old.exits, new.exits):
            yield "adds-exit: adds sys.exit, os._exit or similar"
        special = _added(old.literal_comparisons, new.literal_comparisons)
        if special and (base := self._base_facts(path)) is not None:
            special = [value for value in special if value not in base.literal_comparisons]
        if special:
            yield (f"special-cases-test-input: compares against {special[0]!r}, a value the "
                   "failing test passes in")


def build_policy(settings: Settings, is_test_file: Callable[[str], bool], *,
                 submodules: Iterable[str], test_literals: frozenset[object],
                 base_text: Callable[[str], str | None] = lambda path: None) -> Policy:
    """The heal's policy: settings, the one test-file predicate (testfiles.TestFiles), and
    submodules (repository-relative)."""
    return Policy(
        base_text=base_text,
        is_test_file=is_test_file,
        allowed_paths=settings.allowed_paths,
        forbidden_paths=settings.forbidden_paths + tuple(f"{s}/**" for s in submodules),
        max_changed_lines=settings.max_changed_lines,
        max_files=settings.max_files,
        test_literals=test_literals,
    )


def failing_test_literals(rootdir: Path, nodeids: Iterable[str]) -> frozenset[object]:
    """Distinctive constants in the failing tests' source (arguments, parametrize values)."""
    by_file: dict[str, set[tuple[str, ...]]] = {}  # each file parsed once: a test module can be huge
    for nodeid in nodeids:
        file, _, rest = nodeid.partition("::")
        by_file.setdefault(file, set()).add(
            tuple(part.split("[", 1)[0] for part in rest.split("::") if part))
    found: set[object] = set()
    for file, tests in by_file.items():
        try:
            tree = ast.parse((rootdir / file).read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for names in tests:
            node = _find_def(tree, names)
            if node is not None:
                found.update(_constants(node))
    return frozenset(v for v in found if _distinctive(v))


def _added(old: Counter[Any], new: Counter[Any]) -> list[Any]:
    return list((new - old).elements())


@dataclass(frozen=True)
class _Facts:
    """What the rules count in one version of a file: silencers, broad handlers, exits and
    equality tests against a failing test's literals."""

    silencers: Counter[str]
    broad_handlers: Counter[str]
    exits: Counter[str]
    literal_comparisons: Counter[object]


@functools.lru_cache(maxsize=32)  # the "before" side is the same file for many candidates
def _facts(source: str, literals: frozenset[object]) -> _Facts | None:
    """One walk over the parsed source; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None  # the validator reports code that does not compile
    facts = _Facts(Counter(), Counter(), Counter(), Counter())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SILENCERS:
            facts.silencers[node.attr] += 1
        elif isinstance(node, ast.Name) and node.id in SILENCERS:
            facts.silencers[node.id] += 1
        elif isinstance(node, ast.ExceptHandler):
            facts.broad_handlers.update(_broad(node))
        elif isinstance(node, ast.Call) and (name := _exit_name(node)):
            facts.exits[name] += 1
        elif (literals and isinstance(node, ast.Compare)
              and any(isinstance(op, _EQUALITY) for op in node.ops)):
            facts.literal_comparisons.update(
                v for operand in (node.left, *node.comparators) for v in _compared(operand)
                if _distinctive(v) and v in literals)
    return facts


def _broad(handler: ast.ExceptHandler) -> Iterator[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in types:
        if kind is None:
            yield "bare"
        elif isinstance(kind, ast.Name) and kind.id in BROAD_EXCEPTIONS:
            yield kind.id


def _exit_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        key = (func.value.id, func.attr)
    elif isinstance(func, ast.Name):
        key = ("", func.id)
    else:
        return ""
    return ".".join(filter(None, key)) if key in EXITS else ""


def _constants(node: ast.AST) -> Iterator[object]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, int | float | str | bytes):
            yield child.value
        elif (isinstance(child, ast.UnaryOp) and isinstance(child.op, ast.USub)
              and isinstance(child.operand, ast.Constant)
              and isinstance(child.operand.value, int | float)):
            yield -child.operand.value


def _compared(operand: ast.expr) -> Iterator[object]:
    """The constants an operand of a comparison compares against: itself, the members of a
    tuple, list or set (`x in (4, 5)`), a value built from them (`Decimal("100.00")`); not those
    it only uses (`label[2:4] == "--"` compares a slice, not 4)."""
    if isinstance(operand, ast.Constant | ast.UnaryOp):
        yield from _constants(operand)
    elif isinstance(operand, ast.Tuple | ast.List | ast.Set):
        for member in operand.elts:
            yield from _compared(member)
    elif isinstance(operand, ast.Call):
        for argument in [*operand.args, *(keyword.value for keyword in operand.keywords)]:
            yield from _compared(argument)


def _distinctive(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return value not in TRIVIAL_LITERALS and not (isinstance(value, str) and len(value) > 200)


def _find_def(tree: ast.AST, names: Sequence[str]) -> ast.AST | None:
    """The class/def reached by following `names` (Class, method) from the module body."""
    node: ast.AST = tree
    for name in names:
        for child in ast.iter_child_nodes(node):
            if (isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    and child.name == name):
                node = child
                break
        else:
            return None
    return node if node is not tree else None
