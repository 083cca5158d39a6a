"""What the standby and warm worker keep of the plugins they import before the sandbox exists."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from pytest_selfheal.testproc.standby import _forget_if_it_imported_the_project


@pytest.fixture
def modules(tmp_path: Path):
    """A plugin module from site-packages and the package it imports, from `tmp_path/checkout`."""
    checkout = tmp_path / "checkout"
    (checkout / "idna").mkdir(parents=True)
    (checkout / "idna" / "__init__.py").write_text("")
    plugin = types.ModuleType("fake_plugin")
    plugin.__file__ = str(tmp_path / "site-packages" / "fake_plugin.py")
    project = types.ModuleType("fake_idna")
    project.__file__ = str(checkout / "idna" / "__init__.py")
    sys.modules.update(fake_plugin=plugin, fake_idna=project)
    yield checkout
    for name in ("fake_plugin", "fake_idna"):
        sys.modules.pop(name, None)


def test_a_plugin_that_imported_the_project_is_left_for_the_run(modules: Path):
    _forget_if_it_imported_the_project({"fake_plugin", "fake_idna"},
                                       (os.path.join(os.path.realpath(modules), ""),))

    assert "fake_plugin" not in sys.modules and "fake_idna" not in sys.modules


def test_a_plugin_that_imported_nothing_of_the_project_stays(modules: Path, tmp_path: Path):
    elsewhere = tmp_path / "other-checkout"
    elsewhere.mkdir()

    _forget_if_it_imported_the_project({"fake_plugin", "fake_idna"},
                                       (os.path.join(os.path.realpath(elsewhere), ""),))

    assert "fake_plugin" in sys.modules and "fake_idna" in sys.modules
