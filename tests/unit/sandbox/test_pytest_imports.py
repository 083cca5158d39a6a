"""Which of the project's modules pytest itself imports: pytest's and its requirements' that the
session imported from inside the repository."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pluggy

from pytest_selfheal.sandbox.pytest_imports import project_modules_pytest_imports


def test_pluggys_checkout_is_a_project_pytest_imports():
    checkout = Path(pluggy.__file__).resolve().parents[1]  # where this Python imports it from
    assert "pluggy" in project_modules_pytest_imports(checkout)


def test_a_requirement_imported_from_the_repository_is_found_and_the_projects_own_modules_are_not(
        tmp_path: Path, monkeypatch):
    for name in ("iniconfig", "shop"):
        (tmp_path / name).mkdir()
        module = types.ModuleType(name)
        module.__file__ = str(tmp_path / name / "__init__.py")
        monkeypatch.setitem(sys.modules, name, module)
    assert project_modules_pytest_imports(tmp_path) == ("iniconfig",)
    assert project_modules_pytest_imports(tmp_path / "elsewhere") == ()
