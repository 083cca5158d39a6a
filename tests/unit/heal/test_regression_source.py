"""Writing a regression test's source: recorded values described, written back as constructor
calls with their imports, and a test function per witness."""

import collections
import datetime
import enum
import functools
import math
import re
import types
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePosixPath

import libcst as cst
import pytest

from pytest_selfheal.heal.regression_source import Imports, Witness, expression, module_source
from pytest_selfheal.testproc.values import Unrenderable, describe, describe_safely


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


class Perm(enum.Flag):
    R = 4
    W = 2


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
    str, type(None), Opaque, Decimal, len, math.floor, types.FunctionType,
    math, Perm.R | Perm.W, Path("a/b.txt"), PurePosixPath("/x"), re.compile("a+", re.I | re.M),
    re.compile(b"x"), datetime.date(2024, 2, 29),
    datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC),
    collections.defaultdict(list, {"a": [1]}), collections.Counter("aab"),
])
def test_values_round_trip_through_source(value):
    source, rebuilt = _rebuild(value)
    assert rebuilt == value and type(rebuilt) is type(value), source


@pytest.mark.parametrize(("value", "source"), [
    (str, "str"), (type(None), "type(None)"), (Opaque, "Opaque"), (types.FunctionType, "types.FunctionType"),
    (re.compile("a+", re.I | re.M), "re.compile('a+', re.IGNORECASE | re.MULTILINE)"),
    (Path("a/b.txt"), "Path('a/b.txt')"), (math, "math"),
])
def test_classes_functions_modules_and_types_are_written_as_references(value, source):
    assert _rebuild(value)[0] == source


@pytest.mark.parametrize(("make", "source"), [
    (lambda: re.search(r"(\d+)-(\d+)", "from 10-20"), r"re.compile('(\\d+)-(\\d+)').match('from 10-20', 5)"),
    (lambda: re.match(r"\w+", "word rest", re.I), r"re.match('\\w+', 'word rest', re.IGNORECASE)"),
    (lambda: re.fullmatch("a|ab", "ab"), "re.compile('a|ab').fullmatch('ab', 0, 2)"),
])
def test_a_match_is_written_as_the_call_that_finds_it_again(make, source):
    match = make()
    written, rebuilt = _rebuild(match)
    assert written == source
    assert (rebuilt.span(), rebuilt.groups(), rebuilt.string) == (match.span(), match.groups(), match.string)


def test_a_partial_is_written_as_its_construction():
    written, rebuilt = _rebuild(functools.partial(int, "ff", base=16))
    assert written == "partial(int, 'ff', base=16)"
    assert rebuilt() == 255


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
    (lambda: 1, "is not importable"),
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


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr today")


def test_a_raising_repr_becomes_a_reason_not_an_error():
    with pytest.raises(Unrenderable, match="describing it raised RuntimeError: no repr today"):
        describe_safely(_BadRepr())


def test_module_source_ends_its_lines_as_the_project_does():
    target = {"ref": {"module": "pkg.mod", "name": "f"}, "binding": "function", "name": "f"}
    arg = {"name": "x", "kind": "positional", "default": False, "value": {"literal": "'a\\nb'"}}
    witness = Witness(None, (arg,), {"returns": {"literal": "None"}})
    source = module_source(target, [witness], "Doc.\nMore.\n", "\r\n")
    compile(source, "generated.py", "exec")
    assert source.count("\n") == source.count("\r\n")
    assert "def test_f():\r\n    assert f('a\\nb') is None\r\n" in source


WITHDRAW = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
TRANSFER = {"ref": {"module": "ledger", "name": "transfer"}, "binding": "function", "name": "transfer"}


def _arg(name, value):
    return {"name": name, "kind": "positional", "default": False, "value": value}


AMOUNT = _arg("amount", {"literal": "3"})


def test_a_side_effect_is_asserted_on_the_object_after_the_call():
    receiver = {"call": {"module": "bank", "name": "Account"}, "args": [{"literal": "10"}], "kwargs": []}
    effects = (("self.balance", {"literal": "7"}), ("self._closed", {"literal": "False"}))
    witness = Witness(receiver, (AMOUNT,), {"returns": {"literal": "None"}}, effects)
    source = module_source(WITHDRAW, [witness], "Doc.\n")
    compile(source, "generated.py", "exec")
    assert ("def test_withdraw():\n    account = Account(10)\n    account.withdraw(3)\n"
            "    assert account.balance == 7\n    assert account._closed is False\n") in source


def test_a_carved_object_with_side_effects_is_built_once_and_asserted():
    receiver = {"carved": {"call": {"module": "bank", "name": "Account"}, "args": [], "id": 1},
                "steps": []}
    witness = Witness(receiver, (AMOUNT,), {"returns": {"literal": "None"}}, (("self.balance", {"literal": "-3"}),))
    source = module_source(WITHDRAW, [witness], "Doc.\n")
    assert ("    account = Account()\n    account.withdraw(3)\n"
            "    assert account.balance == -3\n") in source


def test_what_a_function_left_in_its_arguments_is_asserted_on_them():
    source = _arg("source", {"call": {"module": "ledger", "name": "Account"}, "args": [{"literal": "10"}],
                             "kwargs": []})
    found = _arg("found", {"seq": "list", "items": []})
    effects = (("source.balance", {"literal": "7"}), ("found", {"seq": "list", "items": [{"literal": "3"}]}))
    witness = Witness(None, (source, found, AMOUNT), {"returns": {"literal": "None"}}, effects)
    text = module_source(TRANSFER, [witness], "Doc.\n")
    compile(text, "generated.py", "exec")
    assert ("def test_transfer():\n    source = Account(10)\n    found = []\n"
            "    transfer(source, found, 3)\n    assert source.balance == 7\n    assert found == [3]\n") in text


def test_what_a_raising_call_left_behind_is_asserted_after_it_raised():
    found = _arg("found", {"seq": "list", "items": []})
    effects = (("found", {"seq": "list", "items": []}),)
    witness = Witness(None, (found,), {"raises": {"module": "ledger", "name": "Refused"}}, effects)
    text = module_source(TRANSFER, [witness], "Doc.\n")
    assert ("    found = []\n    with pytest.raises(Refused):\n        transfer(found)\n"
            "    assert found == []\n") in text
