"""The claude agent's scope: paths the model may read, and for edits the policy every agent obeys."""

import pytest

from pytest_selfheal.agents.claude.scope import Rejected, Scope
from pytest_selfheal.config import Settings
from pytest_selfheal.heal.policy import Policy, build_policy
from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.testfiles import TestFiles

FILES = ("pkg/mod.py", "tests/test_mod.py", "tests/helpers.py", "conftest.py", "setup.py",
         "pyproject.toml", ".github/tool.py", ".hidden/tool.py", "docs/notes.txt",
         "pkg/testing/factories.py", "suite/check_cart.py", "suite/cases.py", "fabfile.py",
         "vendor/lib/core.py", "pkg/generated/api.py")


def make_policy() -> Policy:
    return build_policy(
        Settings(forbidden_paths=("pkg/generated/**",)),
        TestFiles.of_suite(("test_*.py", "check_*.py"), ["suite/cases.py::test_total"]),
        submodules=["vendor/lib"], test_literals=frozenset(),
    )


@pytest.fixture
def scope(tmp_path):
    for rel in FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text("secret = 1\n")
    (tmp_path / "pkg" / "link.py").symlink_to(outside)
    return Scope(tmp_path, make_policy())


def test_scope_allows_project_source(scope):
    assert scope.editable("./pkg/mod.py") == "pkg/mod.py"
    assert scope.readable("tests/test_mod.py") == "tests/test_mod.py", "tests are read, not edited"


@pytest.mark.parametrize(("path", "why"), [
    ("tests/test_mod.py", "is a test file"), ("tests/helpers.py", "is a test file"),
    ("pkg/testing/factories.py", "is a test file"), ("suite/check_cart.py", "is a test file"),
    ("suite/cases.py", "is a test file"),
    ("conftest.py", "configuration"), ("setup.py", "configuration"), ("fabfile.py", "configuration"),
    ("pyproject.toml", "configuration"), (".github/tool.py", "configuration"),
    (".hidden/tool.py", "hidden"), ("docs/notes.txt", "not Python source"),
    ("vendor/lib/core.py", "forbidden_paths"), ("pkg/generated/api.py", "forbidden_paths"),
    ("../pkg/mod.py", "without '..'"), ("/etc/passwd", "relative"), ("pkg/missing.py", "no such file"),
    (42, "must be a file path"), (".git/config", "git's own files"),
    ("pkg/link.py", "links outside the repository"),
])
def test_scope_refuses_with_a_reason(scope, path, why):
    with pytest.raises(Rejected, match=why):
        scope.editable(path)


def test_a_refused_edit_tells_the_model_what_to_do_instead(scope):
    with pytest.raises(Rejected) as refused:
        scope.editable("tests/test_mod.py")
    assert str(refused.value) == (
        "tests/test_mod.py is a test file (the failing tests are the oracle), so it may not be "
        "edited; fix the code under test instead (if the test itself is wrong, say so in finish)")


@pytest.mark.parametrize("path", FILES)
def test_the_claude_agent_and_the_builtin_agent_refuse_the_same_paths(scope, path):
    """The builtin agent's candidates meet the policy's check; the model's edits meet the scope."""
    verdict = scope.policy.check(Candidate((Edit(path, "x = 1\n", "x = 2\n", "fix"),)))
    try:
        scope.editable(path)
    except Rejected as refused:
        assert verdict is not None and verdict.startswith("forbidden-path: ")
        assert str(refused).startswith(verdict.removeprefix("forbidden-path: "))
    else:
        assert verdict is None
