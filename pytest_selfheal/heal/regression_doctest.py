"""The regression test for a fix only doctests witnessed: their examples, copied into a test
module that runs them as `--doctest-modules` does, since a test module cannot hold a doctest.

Each copied docstring runs against a copy of its module's names with the project's
`doctest_namespace` fixture added, under the `doctest_optionflags` of its ini (the flags the
standard library's doctest knows; pytest's own NUMBER, ALLOW_UNICODE and ALLOW_BYTES are left
out, and a copy that needs one is not proven, so not kept).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class CopiedDoctest:
    """A failing doctest: its name as pytest gives it (`pkg.mod.Class.method`), the module to
    import for its names, and the docstring it runs."""

    name: str
    module: str
    examples: str


def module_of(file: str, dotted: str) -> str | None:
    """The module a doctest named `dotted` runs in, from the file it was collected from:
    the longest dotted tail of the file's path that `dotted` starts with
    (`src/pkg/__init__.py`, `pkg.f` -> `pkg`); None when none is."""
    path = PurePosixPath(file)
    if path.suffix != ".py":
        return None
    parts = path.with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    for start in range(len(parts)):
        module = ".".join(parts[start:])
        if dotted == module or dotted.startswith(module + "."):
            return module
    return None


def docstring_of(source: str, module: str, dotted: str) -> str | None:
    """The docstring, as written, of the object `dotted` names in `module`'s `source` (the
    module's own for its name); None when the source defines no such object with one."""
    node: ast.AST = ast.parse(source)
    names = [] if dotted == module else dotted.removeprefix(module + ".").split(".")
    for name in names:
        body = getattr(node, "body", [])
        found = [n for n in body if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                 and n.name == name]
        if not found:
            return None
        node = found[-1]  # a later definition replaces an earlier one, as at import
    if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    return ast.get_docstring(node, clean=False)


def copied_test_names(doctests: Sequence[CopiedDoctest]) -> list[str]:
    """The test each doctest becomes: `test_` and the object's name, numbered where two share one."""
    names: list[str] = []
    for doctest in doctests:
        name = "test_" + (doctest.name.rsplit(".", 1)[-1].strip("_") or "module")
        numbered, number = name, 1
        while numbered in names:
            number += 1
            numbered = f"{name}_{number}"
        names.append(numbered)
    return names


def copied_doctests(doctests: Sequence[CopiedDoctest], docstring: str, newline: str = "\n") -> str:
    """A test module with one test per doctest (named by `copied_test_names`), under `docstring`; lines
    end with `newline`."""
    named = list(zip(copied_test_names(doctests), doctests, strict=True))
    imports = "".join(f"import {module}\n" for module in dict.fromkeys(d.module for d in doctests))
    constants = "".join(f"\n{_constant(name)} = {_literal(d.examples)}\n" for name, d in named)
    tests = "".join(f"""

def {name}(request, doctest_namespace):
    _run(request, doctest_namespace, {d.module}, {_constant(name)}, {d.name!r})
""" for name, d in named)
    text = f'''{_literal(docstring)}

import doctest

{imports}{constants}

def _run(request, namespace, module, examples, name):
    """The examples as pytest's doctest-modules runs them: the module's names and the
    doctest_namespace fixture's, the ini's doctest_optionflags."""
    flags = 0
    for flag in request.config.getini("doctest_optionflags"):
        flags |= doctest.OPTIONFLAGS_BY_NAME.get(flag, 0)
    globs = {{**vars(module), **namespace}}
    test = doctest.DocTestParser().get_doctest(examples, globs, name, module.__file__, 0)
    report = []
    failed, _ = doctest.DocTestRunner(optionflags=flags).run(test, out=report.append)
    assert not failed, "".join(report)
{tests}'''
    return text.replace("\n", newline)


def _constant(test_name: str) -> str:
    return test_name.removeprefix("test_").upper() + "_EXAMPLES"


def _literal(text: str) -> str:
    """`text` as a triple-quoted string literal that reads as the docstring did."""
    escaped = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""' + escaped + ('\\\n' if escaped.endswith('"') else "") + '"""'
