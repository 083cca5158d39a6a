"""What the standby and warm worker keep of the plugins they import before the sandbox exists."""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from pathlib import Path

import pytest

from pytest_selfheal.sandbox.protocol import SANDBOX_ENV
from pytest_selfheal.testproc import standby


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def preimported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A plugin from site-packages that imports `shadowed_pkg`, as the standby imports it: its
    modules are recorded as the plugins' own. Yields the sandbox, which has its own copy."""
    site, sandbox = tmp_path / "site-packages", tmp_path / "sandbox"
    _write(site / "fake_plugin.py", "import shadowed_pkg\n")
    _write(site / "shadowed_pkg" / "__init__.py", "WHERE = 'site-packages'\n")
    _write(sandbox / "shadowed_pkg" / "__init__.py", "WHERE = 'sandbox'\n")
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    monkeypatch.setenv(SANDBOX_ENV, str(sandbox))
    importlib.import_module("fake_plugin")
    monkeypatch.setattr(standby, "_preimported", {"fake_plugin", "shadowed_pkg"})
    yield sandbox
    for name in ("fake_plugin", "shadowed_pkg"):
        sys.modules.pop(name, None)


def test_a_plugin_that_imported_what_the_run_finds_elsewhere_is_left_for_the_run(
        preimported: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "path", [str(preimported), *sys.path])  # the worktree, first
    importlib.invalidate_caches()

    standby.forget_what_the_run_imports_elsewhere()

    assert "fake_plugin" not in sys.modules and "shadowed_pkg" not in sys.modules
    assert importlib.import_module("shadowed_pkg").WHERE == "sandbox"


def test_a_plugin_that_imported_the_sandboxs_copy_is_left_for_the_run(
        preimported: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys.modules["shadowed_pkg"], "__file__",
                        str(preimported / "shadowed_pkg" / "__init__.py"))

    standby.forget_what_the_run_imports_elsewhere()

    assert "fake_plugin" not in sys.modules and "shadowed_pkg" not in sys.modules


def test_a_plugin_whose_imports_the_run_would_find_in_the_same_files_stays(preimported: Path):
    standby.forget_what_the_run_imports_elsewhere()

    assert sys.modules["shadowed_pkg"].WHERE == "site-packages" and "fake_plugin" in sys.modules


def test_a_compiled_extension_a_plugin_brought_in_stays(preimported: Path, monkeypatch: pytest.MonkeyPatch):
    """Most extension modules cannot be initialized twice in one process."""
    extension = types.ModuleType("fake_speedups")
    extension.__file__ = str(preimported / f"fake_speedups{importlib.machinery.EXTENSION_SUFFIXES[0]}")
    monkeypatch.setitem(sys.modules, "fake_speedups", extension)
    monkeypatch.setattr(standby, "_preimported", {"fake_plugin", "shadowed_pkg", "fake_speedups"})
    monkeypatch.setattr(sys, "path", [str(preimported), *sys.path])
    importlib.invalidate_caches()

    standby.forget_what_the_run_imports_elsewhere()

    assert "shadowed_pkg" not in sys.modules and sys.modules["fake_speedups"] is extension
