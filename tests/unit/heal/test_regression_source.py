"""The parts of regression-test generation that need no subprocess: describing values, writing
them back as source, finding the patched function, and the new-file diff."""

import enum
import math
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import libcst as cst
import pytest
from helpers import git, init_repo

from pytest_selfheal.heal.regression import NoRegression, patched_function, regression_test_path
from pytest_selfheal.heal.regression_source import Imports, Witness, expression, module_source
from pytest_selfheal.models import Edit
from pytest_selfheal.output.diffs import new_file_diff
from pytest_selfheal.testproc.recorder import Unrenderable, describe, describe_safely


class Color(enum.Enum):
    RED = "red"


Point = namedtuple("Point", "x y")


@dataclass
class Order:
    sku: str
    lines: list[int] = field(default_factory=list)
    note: str = ""


class Opaque:
    pass


def _rebuild(value):
    """Describe a value, write it as source, and evaluate that source with its imports."""
    imports = Imports()
    source = cst.Module([]).code_for_node(expression(describe(value), imports))
    namespace = {}
    for line in imports.statements():
        exec(cst.Module([line]).code, namespace)
    return source, eval(source, namespace)


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "it's", b"\x00", [1, (2,), {"a": {3}}], (), set(), frozenset({1}),
    Decimal("100.00"), Fraction(1, 3), Color.RED, Point(1, 2), Order("A", [1, 2]),
    {"k": [Order("B")]},
])
def test_values_round_trip_through_source(value):
    source, rebuilt = _rebuild(value)
    assert rebuilt == value and type(rebuilt) is type(value), source


def test_dataclass_fields_equal_to_their_default_are_left_out():
    source, _ = _rebuild(Order("A", note=""))
    assert source == "Order(sku='A')"


def test_decimal_is_written_as_its_constructor_and_imported():
    imports = Imports()
    expr = expression(describe(Decimal("1.10")), imports)
    assert cst.Module([]).code_for_node(expr) == "Decimal('1.10')"
    assert imports.names == {"decimal": {"Decimal"}}
    imports.names["pkg"] = {"Thing"}
    lines = [cst.Module([line]).code for line in imports.statements()]
    assert lines == ["\nfrom decimal import Decimal\n", "\nfrom pkg import Thing\n"]


@pytest.mark.parametrize(("value", "why"), [
    (math.nan, "does not read back"),
    (Opaque(), "no constructor call that rebuilds it"),
    ([object()], "no constructor call"),
])
def test_values_that_cannot_be_rebuilt_say_why(value, why):
    with pytest.raises(Unrenderable, match=why):
        describe(value)


def test_module_source_asserts_returns_and_raises():
    target = {"ref": {"module": "pkg.mod", "name": "f"}, "binding": "function", "name": "f"}
    arg = {"name": "x", "kind": "positional", "default": False}
    default = {"name": "y", "kind": "positional", "default": True, "value": {"literal": "0"}}
    late = {"name": "z", "kind": "positional", "default": False, "value": {"literal": "5"}}
    witnesses = [
        Witness(None, ({**arg, "value": {"literal": "1"}},), {"returns": {"literal": "None"}}),
        Witness(None, ({**arg, "value": {"literal": "2"}}, default, late),
                {"raises": {"module": "builtins", "name": "ValueError"}}),
    ]
    source = module_source(target, witnesses, "Doc with \"\"\" quotes.\n")
    compile(source, "generated.py", "exec")
    assert '"""\n\nimport pytest\n\nfrom pkg.mod import f\n\n\ndef' in source
    assert "def test_f_1():\n    assert f(1) is None\n" in source
    assert "def test_f_2():\n    with pytest.raises(ValueError):\n        f(2, z=5)\n" in source


def _edit(before, after):
    return Edit(path="pkg/mod.py", before=before, after=after, description="d")


def test_patched_function_finds_the_changed_method_and_whether_self_is_used():
    before = "class A:\n    def f(self, x):\n        return x > 1\n\n    def g(self):\n        return self\n"
    found = patched_function([_edit(before, before.replace("x > 1", "x >= 1"))])
    assert (found.path, found.qualname, found.self_unused) == ("pkg/mod.py", "A.f", True)
    found = patched_function([_edit(before, before.replace("return self", "return self or 1"))])
    assert (found.qualname, found.self_unused) == ("A.g", False)


def test_a_fix_outside_any_function_has_no_regression_test():
    with pytest.raises(NoRegression, match="changes no existing function"):
        patched_function([_edit("LIMIT = 1\n", "LIMIT = 2\n")])


def test_new_file_diff_is_created_by_git_apply(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README").write_text("x\n")
    repo = init_repo(tmp_path / "repo")
    (tmp_path / "fix.diff").write_text(new_file_diff("tests/deep/test_new.py", "x = 1\n"))
    git(repo, "apply", str(tmp_path / "fix.diff"))
    assert (repo / "tests/deep/test_new.py").read_text() == "x = 1\n"


def test_long_arguments_and_results_are_named_on_their_own_line():
    target = {"ref": {"module": "pkg", "name": "Box"}, "binding": "method", "name": "fill"}
    receiver = {"call": {"module": "pkg", "name": "Box"}, "args": [],
                "kwargs": [["label", {"literal": repr("x" * 40)}]]}
    long_list = {"seq": "list", "items": [{"literal": str(n)} for n in range(20)]}
    arg = {"name": "items", "kind": "positional", "default": False, "value": long_list}
    source = module_source(target, [Witness(receiver, (arg,), {"returns": long_list})], "Doc.\n")
    body = source.split("def test_fill():\n", 1)[1]
    lines = body.splitlines()
    assert lines[0].startswith("    box = Box(label='xxx")
    assert lines[1].startswith("    items = [0, 1, 2,")
    assert lines[2].startswith("    expected = [0, 1, 2,")
    assert lines[3] == "    assert box.fill(items) == expected"


def test_test_path_is_next_to_the_failing_test_or_in_the_configured_dir(tmp_path):
    (tmp_path / "pkg" / "tests").mkdir(parents=True)
    rootdir = tmp_path / "pkg"
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "Cart.total", "") == \
        "pkg/tests/test_regression_total.py"
    (rootdir / "tests" / "test_regression_total.py").write_text("")
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "total", "") == \
        "pkg/tests/test_regression_total_2.py"
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "_total", "checks") == \
        "pkg/checks/test_regression_total.py"
    with pytest.raises(NoRegression, match="outside the rootdir; pass --selfheal-regression-dir"):
        regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "total", "../elsewhere")


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr today")


def test_a_raising_repr_becomes_a_reason_not_an_error():
    with pytest.raises(Unrenderable, match="describing it raised RuntimeError: no repr today"):
        describe_safely(_BadRepr())
