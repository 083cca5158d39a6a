"""Which call an incident's frame becomes, and why a frame gets none."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_selfheal.incidents.reproduction import attempts, import_root, module_name
from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException


def _value(name: str, literal: str) -> dict[str, object]:
    return {"name": name, "kind": "positional", "value": {"literal": literal}, "default": False}


def _incident(*frames: IncidentFrame) -> Incident:
    return Incident("0123456789abcdef", 0.0, "", "job", {},
                    (RaisedException("KeyError", "'sku'", "raised", frames),))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for rel in ("src/shop/__init__.py", "src/shop/stock/__init__.py", "src/shop/stock/ledger.py",
                "tests/test_ledger.py", "tool.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    return tmp_path


def test_a_module_is_named_from_its_packages_up_to_the_directory_on_sys_path(project: Path) -> None:
    assert module_name(project, "src/shop/stock/ledger.py") == "shop.stock.ledger"
    assert module_name(project, "src/shop/stock/__init__.py") == "shop.stock"
    assert module_name(project, "tool.py") == "tool"
    assert import_root(project, "src/shop/stock/ledger.py") == project / "src"


def test_a_method_is_called_on_its_recorded_receiver_and_a_classmethod_on_its_class(project: Path) -> None:
    receiver = {"name": "self", "kind": "positional", "default": False,
                "value": {"call": {"module": "shop.stock.ledger", "name": "Ledger"},
                          "args": [], "kwargs": []}}
    method = IncidentFrame("src/shop/stock/ledger.py", 9, "Ledger.take", True,
                           (receiver, _value("sku", "'A-1'")))
    factory = IncidentFrame("src/shop/stock/ledger.py", 4, "Ledger.load", True,
                            ({"name": "cls", "kind": "positional", "unrenderable": "a class",
                              "type": "type", "repr": "<class>"}, _value("path", "'x.csv'")))
    helper = IncidentFrame("src/shop/stock/ledger.py", 2, "Ledger.parse", True,
                           (_value("row", "'A-1;3'"),))

    found = attempts(_incident(helper, factory, method), project, project)

    assert [a.frame.function for a in found] == ["Ledger.take", "Ledger.load", "Ledger.parse"]
    assert found[0].path == "tests/test_incident_01234567.py"
    assert "Ledger().take('A-1')" in found[0].source
    # `cls` needs no value: a classmethod, like a staticmethod, is called through its class
    assert "Ledger.load('x.csv')" in found[1].source
    assert "Ledger.parse('A-1;3')" in found[2].source
    assert "from shop.stock.ledger import Ledger" in found[2].source


def test_a_nested_function_or_unrecorded_arguments_get_no_test(project: Path) -> None:
    nested = IncidentFrame("tool.py", 3, "main.<locals>.step", True, ())
    unrecorded = IncidentFrame("tool.py", 8, "main", True, None)

    found = attempts(_incident(unrecorded, nested), project, project)

    assert [a.source for a in found] == ["", ""]
    assert "defined inside another function" in found[0].why_not
    assert found[1].why_not == "its arguments were not recorded"
