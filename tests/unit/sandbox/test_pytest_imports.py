"""Which of the project's modules pytest itself imports: pytest's and its requirements' that the
session imported from inside the repository and that `import pytest` imports."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pluggy

from pytest_selfheal.sandbox.pytest_imports import project_modules_pytest_imports


def test_pluggys_checkout_is_a_project_pytest_imports():
    checkout = Path(pluggy.__file__).resolve().parents[1]  # where this Python imports it from
    assert "pluggy" in project_modules_pytest_imports(checkout)


def test_a_requirement_pytest_imports_from_the_repository_is_found_and_no_other_module(
        tmp_path: Path, monkeypatch):
    """iniconfig comes with `import pytest`; packaging only once pytest checks a `minversion`, in
    the run, from the worktree: a warm worker serves it, as it served packaging's own heals."""
    for name in ("iniconfig", "packaging", "shop"):
        (tmp_path / name).mkdir()
        module = types.ModuleType(name)
        module.__file__ = str(tmp_path / name / "__init__.py")
        monkeypatch.setitem(sys.modules, name, module)
    assert project_modules_pytest_imports(tmp_path) == ("iniconfig",)
    assert project_modules_pytest_imports(tmp_path / "elsewhere") == ()
