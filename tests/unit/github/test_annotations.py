"""Workflow commands: escaped as GitHub's toolkit escapes them, so test output can never start a
command of its own, and the most useful annotations first, ten at most."""

from pytest_selfheal.github.annotations import (
    MAX_ANNOTATIONS,
    Annotation,
    escape_data,
    escape_property,
    workflow_annotations,
)
from pytest_selfheal.output.diffs import unified_diff

SOURCE = "".join(f"x{n} = {n}\n" for n in range(1, 21))


def failure(nodeid: str, path: str = "pkg/mod.py", line: int = 10, message: str = "boom") -> dict:
    return {"nodeid": nodeid, "exc_type": "ValueError", "message": message,
            "frames": [{"path": "tests/test_mod.py", "line": 3, "function": "test"},
                       {"path": path, "line": line, "function": "load"},
                       {"path": "/usr/lib/python3.11/json/__init__.py", "line": 99, "function": "loads"}]}


def test_data_and_properties_are_escaped_as_github_documents():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_test_output_cannot_inject_a_workflow_command():
    hostile = "bad\n::add-mask::x\n::error file=evil.py::pwned\r::stop-commands::t"
    command = Annotation("pkg/a,b:c.py", 3, "tests/t.py::test[x,y]", hostile).command()
    assert "\n" not in command and "\r" not in command
    assert command == ("::error file=pkg/a%2Cb%3Ac.py,line=3,title=tests/t.py%3A%3Atest[x%2Cy]::"
                       "bad%0A::add-mask::x%0A::error file=evil.py::pwned%0D::stop-commands::t")
    # the runner splits a command at the first `::` after its properties: only ours is a command
    assert command.split("::")[1].startswith("error file=pkg/a%2Cb%3Ac.py,line=3,title=")


def test_each_failure_is_annotated_at_its_innermost_project_frame():
    (annotation,) = workflow_annotations({"failures": [failure("tests/test_mod.py::test")]}, "")
    assert (annotation.path, annotation.line) == ("pkg/mod.py", 10)
    assert annotation.title == "tests/test_mod.py::test failed"
    assert annotation.message == "ValueError: boom"


def test_the_fix_comes_first_then_the_failures_it_fixes_and_never_more_than_ten():
    after = SOURCE.replace("x7 = 7\n", "x7 = 70\n")
    diff = unified_diff("pkg/mod.py", SOURCE.encode(), after.encode()).decode()
    failures = [failure(f"tests/test_mod.py::test_{n}", line=n + 30) for n in range(15)]
    report = {"failures": failures, "fix": {"diff": "fix.diff", "fixed": ["tests/test_mod.py::test_12"]}}
    found = workflow_annotations(report, diff)
    assert len(found) == MAX_ANNOTATIONS
    assert (found[0].path, found[0].line, found[0].title) == ("pkg/mod.py", 7, "pytest-selfheal: proposed fix")
    assert "+ x7 = 70" in found[0].message
    assert found[1].title == "tests/test_mod.py::test_12 failed"


def test_failures_at_the_same_place_are_annotated_once():
    report = {"failures": [failure("t.py::a"), failure("t.py::b")]}
    assert [a.title for a in workflow_annotations(report, "")] == ["t.py::a failed"]
