"""The package boundaries, read from the source: each rule names the module and the import that
breaks it. Imports are read with `ast` (module-level and inside functions; not the ones under
`if TYPE_CHECKING:`, which never run), so nothing here imports the code it checks."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import pytest_selfheal

PACKAGE = "pytest_selfheal"
ROOT = Path(pytest_selfheal.__file__).parent
STAGE_PACKAGES = ("heal", "sandbox", "testproc", "output", "agents", "precommit", "github", "incidents",
                  "cli")
PROTOCOL = f"{PACKAGE}.sandbox.protocol"
TEST_FILES = f"{PACKAGE}.testfiles"  # stdlib only: which files are tests, for every process
TESTPROC = f"{PACKAGE}.testproc"
THIRD_PARTY_IN_TESTPROC = {"pluggy", "coverage"}
RUNS_PYTEST_IN_TESTPROC = {f"{TESTPROC}.worker", f"{TESTPROC}.standby"}
USER_PROCESS_PYTEST = {f"{PACKAGE}.plugin", f"{PACKAGE}.session"}
RUNTIME = f"{PACKAGE}.runtime"
IN_THE_RUNNING_PROGRAM = {f"{TESTPROC}.values", f"{PACKAGE}.redaction"}
_SHOWN_PER_EDGE = 3


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to an absolute dotted name."""

    importer: str
    target: str
    file: str  # the importer's path, for the message
    line: int

    @property
    def top(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.target}"


def module_name(path: Path, root: Path = ROOT, package: str = PACKAGE) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_imports(source: str, module: str, file: str, known: set[str]) -> list[Import]:
    """The imports `module` (read from `file`) runs, wherever they are in it; relative ones
    resolved, and `from x import y` read as importing x.y when that is one of the `known`
    modules."""
    found: list[Import] = []
    here = module if file.endswith("__init__.py") else module.rpartition(".")[0]
    for node in _running_statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, file, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append(Import(module, submodule if submodule in known else base, file, node.lineno))
    return list(dict.fromkeys(found))  # `from x import a, b` is one import of x


def _running_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of `body`, nested ones too, except under `if TYPE_CHECKING:` (whose
    `else:` runs)."""
    for statement in body:
        if isinstance(statement, ast.If) and _is_type_checking(statement.test):
            yield from _running_statements(statement.orelse)
            continue
        yield statement
        for block in _blocks(statement):
            yield from _running_statements(block)


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a statement: bodies, else and finally, except handlers and
    match cases."""
    blocks = [block for name in ("body", "orelse", "finalbody")
              if isinstance(block := getattr(statement, name, None), list)]
    blocks += [handler.body for handler in getattr(statement, "handlers", ())]
    blocks += [case.body for case in getattr(statement, "cases", ())]
    return blocks


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def package_imports(root: Path = ROOT, package: str = PACKAGE) -> list[Import]:
    paths = [path for path in sorted(root.rglob("*.py")) if "_examples" not in path.parts]
    known = {module_name(path, root, package) for path in paths}
    imports: list[Import] = []
    for path in paths:
        imports += read_imports(path.read_text(encoding="utf-8"), module_name(path, root, package),
                                path.relative_to(root.parent).as_posix(), known)
    return imports


def stage_package(module: str) -> str | None:
    """The package of `module` among STAGE_PACKAGES; None for the top-level modules (the entry
    points and the shared vocabulary) and anything outside this package."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 3 or parts[1] not in STAGE_PACKAGES:
        return None
    return parts[1]


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _is_stdlib(imported: Import) -> bool:
    return imported.top in sys.stdlib_module_names


# The rules: each returns what breaks it, an import or a cycle a line.

def sandbox_test_processes_import_only_what_they_may(imports: list[Import]) -> list[str]:
    """testproc/ (and the package __init__ modules a test process runs on the way to it and to
    protocol.py) imports the stdlib, pluggy, coverage, testproc/, sandbox/protocol.py and
    testfiles.py; pytest (and its `_pytest` package) only in the modules that start it."""
    on_the_way = {PACKAGE, f"{PACKAGE}.sandbox", TESTPROC}

    def allowed(imported: Import) -> bool:
        return (_is_stdlib(imported) or imported.top in THIRD_PARTY_IN_TESTPROC
                or _inside(imported.target, TESTPROC) or imported.target in (PROTOCOL, TEST_FILES)
                or (imported.top in ("pytest", "_pytest") and imported.importer in RUNS_PYTEST_IN_TESTPROC))

    return [str(imported) for imported in imports
            if (_inside(imported.importer, TESTPROC) or imported.importer in on_the_way)
            and not allowed(imported)]


def protocol_imports_only_the_stdlib(imports: list[Import]) -> list[str]:
    return [str(imported) for imported in imports
            if imported.importer == PROTOCOL and not _is_stdlib(imported)]


def only_the_user_session_and_test_processes_import_pytest(imports: list[Import]) -> list[str]:
    return [str(imported) for imported in imports
            if imported.top in ("pytest", "_pytest") and imported.importer not in USER_PROCESS_PYTEST
            and not _inside(imported.importer, TESTPROC)]


# imported only inside the function that first needs them (test_imported_only_when_first_needed)
LAZY_IN_THE_RUNNING_PROGRAM = {f"{PACKAGE}.redaction": "detect_secrets", f"{RUNTIME}.otel": "opentelemetry"}


def the_runtime_hook_imports_only_the_stdlib_the_describer_and_redaction(
        imports: list[Import]) -> list[str]:
    """runtime/ runs inside the user's deployed program: the stdlib, testproc/values.py,
    redaction.py (and the package __init__ modules on the way) and itself. detect-secrets (by
    redaction.py, at the first scan for credential shapes) and OpenTelemetry (by otel.py, when
    its sink is built) only inside functions."""
    on_the_way = {PACKAGE, TESTPROC}
    runs_there = {*IN_THE_RUNNING_PROGRAM, *on_the_way}

    def allowed(imported: Import) -> bool:
        return (_is_stdlib(imported) or _inside(imported.target, RUNTIME)
                or imported.target in runs_there
                or LAZY_IN_THE_RUNNING_PROGRAM.get(imported.importer) == imported.top)

    return [str(imported) for imported in imports
            if (_inside(imported.importer, RUNTIME) or imported.importer in runs_there)
            and not allowed(imported)]


@pytest.mark.parametrize(("module", "package"), sorted(LAZY_IN_THE_RUNNING_PROGRAM.items()))
def test_imported_only_when_first_needed(module: str, package: str) -> None:
    path = ROOT.joinpath(*module.split(".")[1:]).with_suffix(".py")
    at_module_level = [node.lineno for node in ast.parse(path.read_text(encoding="utf-8")).body
                       if isinstance(node, ast.Import | ast.ImportFrom)
                       and any((getattr(node, "module", None) or alias.name).split(".")[0] == package
                               for alias in node.names)]
    assert at_module_level == [], f"{module} imports {package} at module level"


def only_the_claude_agent_imports_anthropic(imports: list[Import]) -> list[str]:
    return [str(imported) for imported in imports if imported.top == "anthropic"
            and not _inside(imported.importer, f"{PACKAGE}.agents.claude")]


def only_the_worktree_imports_gitpython(imports: list[Import]) -> list[str]:
    return [str(imported) for imported in imports
            if imported.top == "git" and imported.importer != f"{PACKAGE}.sandbox.worktree"]


def agent_protocols_import_no_agent(imports: list[Import]) -> list[str]:
    """agents/base.py holds the protocols: nothing else of agents/ (no agent, no registry)."""
    return [str(imported) for imported in imports if imported.importer == f"{PACKAGE}.agents.base"
            and _inside(imported.target, f"{PACKAGE}.agents")]


def nothing_imports_the_console_script(imports: list[Import]) -> list[str]:
    """cli/ is an entry point: only it and `python -m pytest_selfheal` (__main__) import it."""
    cli = f"{PACKAGE}.cli"
    return [str(imported) for imported in imports if _inside(imported.target, cli)
            and not _inside(imported.importer, cli) and imported.importer != f"{PACKAGE}.__main__"]


def no_cycle_between_packages(imports: list[Import]) -> list[str]:
    """Each cycle among STAGE_PACKAGES, with the imports that make each of its edges."""
    edges: dict[tuple[str, str], list[Import]] = {}
    for imported in imports:
        source, target = stage_package(imported.importer), stage_package(imported.target)
        if source is not None and target is not None and source != target:
            edges.setdefault((source, target), []).append(imported)
    reports = []
    for cycle in package_cycles(set(edges)):
        lines = [" -> ".join([*cycle, cycle[0]])]
        for edge in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            shown = edges[edge][:_SHOWN_PER_EDGE]
            more = len(edges[edge]) - len(shown)
            lines += [f"  {edge[0]} -> {edge[1]}: {imported}" for imported in shown]
            lines += [f"  {edge[0]} -> {edge[1]}: and {more} more"] if more else []
        reports.append("\n".join(lines))
    return reports


def package_cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """One shortest cycle through each package that is on a cycle, each cycle once."""
    following: dict[str, set[str]] = {}
    for source, target in edges:
        following.setdefault(source, set()).add(target)
    cycles: list[list[str]] = []
    for start in sorted(following):
        paths = [[start]]
        seen = {start}
        while paths and not any(path[-1] == start and len(path) > 1 for path in paths):
            paths = [[*path, nxt] for path in paths for nxt in sorted(following.get(path[-1], ()))
                     if nxt == start or nxt not in seen]
            seen.update(path[-1] for path in paths)
        cycle = next((path[:-1] for path in paths if path[-1] == start and len(path) > 1), None)
        if cycle is not None and not any(set(cycle) == set(known) for known in cycles):
            cycles.append(cycle)
    return cycles


RULES: list[Callable[[list[Import]], list[str]]] = [
    sandbox_test_processes_import_only_what_they_may,
    protocol_imports_only_the_stdlib,
    only_the_user_session_and_test_processes_import_pytest,
    the_runtime_hook_imports_only_the_stdlib_the_describer_and_redaction,
    only_the_claude_agent_imports_anthropic,
    only_the_worktree_imports_gitpython,
    agent_protocols_import_no_agent,
    nothing_imports_the_console_script,
    no_cycle_between_packages,
]


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return package_imports()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_rule(rule: Callable[[list[Import]], list[str]], imports: list[Import]) -> None:
    broken = rule(imports)
    assert not broken, f"{rule.__name__.replace('_', ' ')}:\n" + "\n".join(broken)


def test_the_reader_sees_imports_in_functions_and_resolves_relative_ones_but_not_type_checking() -> None:
    source = '''
from __future__ import annotations
import os.path
from typing import TYPE_CHECKING
from . import sibling
from ..other import name
from .. import other
if TYPE_CHECKING:
    import typing_only
else:
    import at_run_time
def later():
    try:
        import inside_try
    except ImportError:
        from .fallback import thing
'''
    known = {"pkg.stage.sibling", "pkg.other", "pkg.stage.fallback"}
    found = read_imports(source, "pkg.stage.module", "pkg/stage/module.py", known)
    assert [(i.target, i.line) for i in found] == [
        ("__future__", 2), ("os.path", 3), ("typing", 4), ("pkg.stage.sibling", 5),
        ("pkg.other", 6), ("pkg.other", 7), ("at_run_time", 11), ("inside_try", 14),
        ("pkg.stage.fallback", 16),
    ]


def test_a_package_init_resolves_relative_imports_from_itself() -> None:
    found = read_imports("from .base import Agent\n", "pkg.agents", "pkg/agents/__init__.py", set())
    assert [str(i) for i in found] == ["pkg/agents/__init__.py:1 imports pkg.agents.base"]


def test_a_cycle_is_reported_with_the_imports_that_make_it() -> None:
    def imported(importer: str, target: str, line: int) -> Import:
        return Import(f"{PACKAGE}.{importer}", f"{PACKAGE}.{target}",
                      f"{PACKAGE}/{importer.replace('.', '/')}.py", line)

    imports = [imported("heal.pipeline", "output.report", 3),
               imported("output.report", "sandbox.paths", 5),
               imported("sandbox.paths", "heal.request", 7),
               imported("heal.pipeline", "agents.base", 9),
               imported("session", "heal.pipeline", 1)]
    assert no_cycle_between_packages(imports) == [
        "heal -> output -> sandbox -> heal\n"
        "  heal -> output: pytest_selfheal/heal/pipeline.py:3 imports pytest_selfheal.output.report\n"
        "  output -> sandbox: pytest_selfheal/output/report.py:5 imports pytest_selfheal.sandbox.paths\n"
        "  sandbox -> heal: pytest_selfheal/sandbox/paths.py:7 imports pytest_selfheal.heal.request"]
    assert no_cycle_between_packages(imports[1:]) == []


def test_every_package_of_the_layout_is_read(imports: list[Import]) -> None:
    importers = {stage_package(imported.importer) for imported in imports}
    assert importers >= set(STAGE_PACKAGES)
