"""Each repair template, before and after, on real LibCST trees."""

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.templates import mutations, shift


def mutated(source: str, template: str, line: int = 2) -> list[str]:
    module = cst.parse_module(source)
    return [
        module.deep_replace(m.original, m.replacement).code
        for m in mutations(module, frozenset({line}))
        if m.template == template
    ]


@pytest.mark.parametrize(
    ("template", "before", "after"),
    [
        ("comparison-operator", "    return a < b\n", "    return a <= b\n"),
        ("comparison-operator", "    return a >= b\n", "    return a > b\n"),
        ("comparison-operator", "    return a == b\n", "    return a != b\n"),
        ("comparison-operator", "    return a is None\n", "    return a is not None\n"),
        ("comparison-operator", "    return a not in b\n", "    return a in b\n"),
        ("arithmetic-operator", "    return a + b\n", "    return a - b\n"),
        ("arithmetic-operator", "    return a // b\n", "    return a / b\n"),
        ("arithmetic-operator", "    a += b\n", "    a -= b\n"),
        ("integer-constant", "    return a * 2\n", "    return a * 3\n"),
        ("integer-constant", "    return a * 2\n", "    return a * 1\n"),
        ("integer-constant", "    return a * 0\n", "    return a * 1\n"),
        ("bound-shift", "    return a[i]\n", "    return a[i + 1]\n"),
        ("bound-shift", "    return a[i - 1]\n", "    return a[i]\n"),
        ("bound-shift", "    return a[1:n - 1]\n", "    return a[1:n]\n"),
        ("bound-shift", "    return a[1:n]\n", "    return a[0:n]\n"),
        ("bound-shift", "    return range(0, b)\n", "    return range(0, b + 1)\n"),
        ("bound-shift", "    return range(1, b)\n", "    return range(0, b)\n"),
        ("boolean-operator", "    return a and b\n", "    return a or b\n"),
        ("boolean-operator", "    return a or b\n", "    return a and b\n"),
        ("negate-condition", "    if a < b:\n        pass\n", "    if not a < b:\n        pass\n"),
        ("negate-condition", "    if a or b:\n        pass\n", "    if not (a or b):\n        pass\n"),
        ("negate-condition", "    while not a:\n        pass\n", "    while a:\n        pass\n"),
        ("drop-not", "    return not a\n", "    return a\n"),
        ("name-replacement", "    return a\n", "    return b\n"),
    ],
)
def test_template_before_after(template, before, after):
    source, expected = "def f(a, b, i=0, n=1):\n" + before, "def f(a, b, i=0, n=1):\n" + after
    assert expected in mutated(source, template)


def test_templates_only_touch_the_given_lines():
    source = "def f(a, b):\n    x = a < b\n    return a < b\n"
    results = mutated(source, "comparison-operator", line=3)
    assert results and all("x = a < b" in r for r in results)


def test_name_replacement_prefers_similar_names_and_skips_attributes():
    source = "def f(total, totals, other, obj):\n    return obj.total + total\n"
    results = [r for r in mutated(source, "name-replacement") if "return obj.total +" in r]
    assert results[0].endswith("return obj.total + totals\n")
    assert not any("obj.totals" in r or "obj.other" in r for r in results)


def test_name_replacement_uses_only_function_locals():
    source = "G = 1\ndef f(a):\n    b = a\n    return a\n"
    results = mutated(source, "name-replacement", line=4)
    assert results == ["G = 1\ndef f(a):\n    b = a\n    return b\n"]


def test_operator_spacing_is_kept():
    assert "def f(a, b):\n    return a-b\n" in mutated("def f(a, b):\n    return a+b\n",
                                                       "arithmetic-operator")


@pytest.mark.parametrize(
    ("expr", "delta", "expected"),
    [("n", 1, "n + 1"), ("n - 1", 1, "n"), ("n + 1", 1, "n + 2"), ("3", -1, "2"), ("0", -1, None)],
)
def test_shift_folds_constants(expr, delta, expected):
    result = shift(cst.parse_expression(expr), delta)
    assert (cst.Module([]).code_for_node(result) if result is not None else None) == expected
