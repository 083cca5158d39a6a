"""Each repair template, before and after, on real LibCST trees."""

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.sites import mutations
from pytest_selfheal.agents.builtin.templates import shift


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
        ("arithmetic-operator", '    return "%d-%d" / (a, b)\n', '    return "%d-%d" % (a, b)\n'),
        ("arithmetic-operator", "    return (-1, a)\n", "    return (1, a)\n"),
        ("arithmetic-operator", "    return (+1, a)\n", "    return (-1, a)\n"),
        ("arithmetic-operator", "    return -(a + b)\n", "    return a + b\n"),
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
        ("negate-condition", "    if not (a or b):\n        pass\n", "    if a or b:\n        pass\n"),
        ("negate-condition", "    while not (a):\n        pass\n", "    while a:\n        pass\n"),
        ("negate-condition", "    return not (a < b)\n", "    return a < b\n"),
        ("drop-not", "    return b and not (a < n)\n", "    return b and a < n\n"),
        ("drop-not", "    return b and not (a or n)\n", "    return b and (a or n)\n"),
        ("drop-not", "    return b and not (a)\n", "    return b and a\n"),
        ("negate-condition", "    return a\n", "    return not a\n"),
        ("negate-condition", "    return 1 if a else 2\n", "    return 2 if a else 1\n"),
        ("negate-condition", "    if a.b is None:\n        pass\n", "    if a.b is not None:\n        pass\n"),
        ("negate-condition", "    return a not in b\n", "    return a in b\n"),
        ("negate-condition", "    while a == b:\n        pass\n", "    while a != b:\n        pass\n"),
        ("value-shift", "    return a == len(b)\n", "    return a == len(b) - 1\n"),
        ("value-shift", "    return len(a) < b\n", "    return len(a) + 1 < b\n"),
        ("value-shift", "    return a + b\n", "    return a + b - 1\n"),
        ("value-shift", "    n = a - 1\n", "    n = a\n"),
        ("name-replacement", "    return a\n", "    return b\n"),
        ("drop-argument", "    return max(a, b, key=n)\n", "    return max(a, b)\n"),
        ("drop-argument", "    return max(a, b, key=n)\n", "    return max(a, key=n)\n"),
        ("move-statement", "    a = b\n    b = a + 1\n", "    b = a + 1\n    a = b\n"),
        ("argument-shift", "    return max(a, b.i)\n", "    return max(a, b.i + 1)\n"),
        ("argument-shift", "    return f(a - 1, key=n)\n", "    return f(a, key=n)\n"),
        ("argument-shift", "    return f(a, key=n)\n", "    return f(a, key=n - 1)\n"),
    ],
)
def test_template_before_after(template, before, after):
    source, expected = "def f(a, b, i=0, n=1):\n" + before, "def f(a, b, i=0, n=1):\n" + after
    assert expected in mutated(source, template)


def test_a_negated_identity_or_membership_test_is_written_with_its_own_operator():
    source = "def f(a, b):\n    if a is None and b in a:\n        pass\n"
    results = mutated(source, "negate-clause") + mutated(source, "negate-condition")
    assert results and not any("not a is" in r or "not b in" in r for r in results)


def test_argument_shift_leaves_literals_flags_and_the_receiver_alone():
    source = "def f(a, b):\n    return g(self, None, True, 2, 'x', *a)\n"
    assert mutated(source, "argument-shift") == []


def test_templates_only_touch_the_given_lines():
    source = "def f(a, b):\n    x = a < b\n    return a < b\n"
    results = mutated(source, "comparison-operator", line=3)
    assert results and all("x = a < b" in r for r in results)


def test_name_replacement_prefers_near_then_similar_names_and_skips_attributes():
    source = "def f(total, totals, other, obj):\n    return obj.total + total\n"
    results = [r for r in mutated(source, "name-replacement") if "return obj.total +" in r]
    assert results[0].endswith("return obj.total + obj\n")  # used right there
    assert results[1].endswith("return obj.total + totals\n")  # then the most similar
    assert not any("obj.totals" in r or "obj.other" in r for r in results)


def test_name_replacement_tries_a_name_in_play_before_a_similar_one_far_away():
    source = ("def f(count):\n    counts = 1\n    a = 2\n    b = 3\n    c = 4\n    node = 5\n"
              "    return count + node\n")
    results = mutated(source, "name-replacement", line=7)
    assert results[0].endswith("return node + node\n")
    assert results.index(source.replace("count + node", "counts + node")) > 1


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


HEADER = "class Box:\n    def f(self, a, b, xs, i=0):\n"


@pytest.mark.parametrize(
    ("template", "line", "before", "after"),
    [
        ("assignment-operator", 3, "        a = b\n", "        a += b\n"),
        ("assignment-operator", 3, "        a = b\n", "        a -= b\n"),
        ("assignment-operator", 3, "        a += b\n", "        a = b\n"),
        ("swap-operands", 3, "        return a - b\n", "        return b - a\n"),
        ("swap-operands", 3, "        return pow(a, b)\n", "        return pow(b, a)\n"),
        ("swap-operands", 3, "        xs[a] = [b, i]\n", "        xs[a] = [i, b]\n"),
        ("swap-operands", 3, "        return a, b\n", "        return b, a\n"),
        ("sibling-attribute", 4, "        self.low = a\n        return self.high\n",
         "        self.low = a\n        return self.low\n"),
        ("relative-function", 3, "        return min(xs)\n", "        return max(xs)\n"),
        ("relative-function", 3, "        return any(xs)\n", "        return all(xs)\n"),
        ("relative-function", 3, "        xs.append(a)\n", "        xs.extend(a)\n"),
        ("relative-function", 3, "        return a.lstrip()\n", "        return a.rstrip()\n"),
        ("relative-function", 3, "        return math.floor(a)\n", "        return math.ceil(a)\n"),
        ("relative-function", 3, "        return a.keys()\n", "        return a.items()\n"),
        ("relative-function", 3, "        return xs.sort()\n", "        return sorted(xs)\n"),
        ("relative-function", 3, "        return sorted(xs)\n", "        return xs.sort()\n"),
        ("relative-function", 3, "        if hasattr(a, 'b'):\n            pass\n",
         "        if getattr(a, 'b', None):\n            pass\n"),
        ("relative-function", 3, "        if getattr(a, 'b', None):\n            pass\n",
         "        if hasattr(a, 'b'):\n            pass\n"),
        ("constant-value", 3, "        xs = []\n", "        xs = [[]]\n"),
        ("constant-value", 3, "        xs = [[]]\n", "        xs = []\n"),
        ("constant-value", 3, "        a = 0\n", "        a = None\n"),
        ("constant-value", 3, "        a = None\n", "        a = 0\n"),
        ("constant-value", 3, "        return True\n", "        return False\n"),
        ("return-value", 3, "        return a\n", "        return b\n"),
        ("return-value", 5, "        if a:\n            return xs\n        return []\n",
         "        if a:\n            return xs\n        return xs\n"),
        ("condition-clause", 3, "        if a:\n            pass\n",
         "        if a or not xs:\n            pass\n"),
        ("condition-clause", 4, "        c = xs[i]\n        while a:\n            pass\n",
         "        c = xs[i]\n        while a and i < len(xs):\n            pass\n"),
        ("drop-operand", 3, "        return a and b\n", "        return a\n"),
        ("drop-operand", 3, "        return a and b and xs\n", "        return a and b\n"),
        ("drop-operand", 3, "        return a and b and xs\n", "        return a and xs\n"),
        ("wrap-call", 3, "        return a\n", "        return abs(a)\n"),
        ("wrap-call", 3, "        return a - b\n", "        return len(a - b)\n"),
        ("wrap-call", 3, "        return a.items()\n", "        return sorted(a.items())\n"),
        ("wrap-call", 3, "        return str(getattr(a, b)())\n", "        return getattr(a, b)()\n"),
        ("concat-value", 3, "        return a + b\n", "        return a + b + xs\n"),
        ("concat-value", 3, '        return "".join(xs)\n', '        return a + "".join(xs)\n'),
        ("concat-value", 3, "        return str(b)\n", "        return str(b) + a\n"),
        ("misplaced-parenthesis", 3, "        return tuple(map(tuple, xs * a))\n",
         "        return tuple(map(tuple, xs)) * a\n"),
        ("misplaced-parenthesis", 3, "        return tuple(map(tuple, xs * a))\n",
         "        return tuple(map(tuple, xs) * a)\n"),
        ("misplaced-parenthesis", 3, "        return round(a / b)\n", "        return round(a) / b\n"),
        ("misplaced-parenthesis", 3, "        return len(xs) - 1\n", "        return len(xs - 1)\n"),
        ("negate-clause", 3, "        if a and b:\n            pass\n",
         "        if not a and b:\n            pass\n"),
        ("negate-clause", 3, "        if a == 3 and b or xs:\n            pass\n",
         "        if a == 3 and b or not xs:\n            pass\n"),
        ("negate-clause", 3, "        if a and b is None:\n            pass\n",
         "        if a and b is not None:\n            pass\n"),
        ("own-class", 3, "        return Box(a)\n", "        return type(self)(a)\n"),
        ("if-while", 3, "        if a > b:\n            a -= b\n", "        while a > b:\n            a -= b\n"),
        ("if-while", 3, "        while a:\n            a = b\n", "        if a:\n            a = b\n"),
        ("indent-statement", 3, "        for x in xs:\n            a += x\n            return a\n",
         "        for x in xs:\n            a += x\n        return a\n"),
        ("indent-statement", 5, "        for x in xs:\n            b = x\n        a += b\n        return a\n",
         "        for x in xs:\n            b = x\n            a += b\n        return a\n"),
        ("helper-call", 4, "        c = self.norm(a)\n        return b\n",
         "        c = self.norm(a)\n        return self.norm(b)\n"),
        ("helper-call", 4, "        c = escape(a)\n        return (b, c)\n",
         "        c = escape(a)\n        return (escape(b), c)\n"),
        ("none-guard", 3, "        return a.b\n",
         "        if a is None:\n            return None\n        return a.b\n"),
        ("none-guard", 4, "        xs.sort()\n        return len(xs)\n",
         "        xs.sort()\n        if not xs:\n            return None\n        return len(xs)\n"),
        ("delete-statement", 3, "        a += 1\n        return a\n", "        return a\n"),
        ("copy-statement", 6,
         "        for x in xs:\n            if x:\n                b.add(x)\n            a = x\n",
         "        for x in xs:\n            if x:\n                b.add(x)\n            a = x\n"
         "            b.add(x)\n"),
        ("copy-statement", 6,
         "        for x in xs:\n            if x:\n                b.add(x)\n            a = x\n",
         "        for x in xs:\n            if x:\n                b.add(x)\n            b.add(x)\n"
         "            a = x\n"),
        ("copy-statement", 4,  # a check one path makes and the other misses
         "        if a:\n            return b\n        if not xs:\n            raise ValueError(a)\n"
         "        return xs\n",
         "        if a:\n            if not xs:\n                raise ValueError(a)\n            return b\n"
         "        if not xs:\n            raise ValueError(a)\n        return xs\n"),
    ],
)
def test_more_templates_before_after(template, line, before, after):
    assert HEADER + after in mutated(HEADER + before, template, line=line)


def test_concat_value_names_are_locals_not_self():
    results = mutated(HEADER + "        return a + b\n", "concat-value", line=3)
    assert all("self" not in r.split("return")[1] for r in results)


def test_swap_operands_leaves_commutative_operators_alone():
    assert mutated(HEADER + "        return a + b\n", "swap-operands", line=3) == []


def test_delete_statement_never_empties_a_block():
    assert mutated(HEADER + "        return a\n", "delete-statement", line=3) == []


def test_sibling_attribute_only_uses_attributes_of_the_same_object():
    source = HEADER + "        self.low = a\n        b.wide = 1\n        return self.high\n"
    results = mutated(source, "sibling-attribute", line=5)
    assert results and all("self.wide" not in r for r in results)


def test_an_operator_function_is_swapped_as_its_operator_is_even_where_the_module_uses_no_other():
    source = "import operator\n\n\ndef at_most(bound):\n    return (bound, operator.lt)\n"
    results = mutated(source, "sibling-attribute", line=5)
    assert [r.split("\n")[4] for r in results] == ["    return (bound, operator.le)",
                                                     "    return (bound, operator.gt)"]
    assert mutated(source.replace("operator.lt", "operator.floordiv"), "sibling-attribute",
                   line=5)[0].endswith("operator.truediv)\n")


@pytest.mark.parametrize(("buggy", "fixed"), [
    ("value.insert(0, data)", "value.append(data)"),
    ("value.append(data)", "value.insert(0, data)"),
])
def test_the_end_and_the_front_of_a_list_are_relatives(buggy, fixed):
    results = mutated(f"def f(value, data):\n    {buggy}\n", "relative-function", line=2)
    assert f"def f(value, data):\n    {fixed}\n" in results
    assert mutated("def f(value, data):\n    value.insert(1, data)\n", "relative-function", line=2) == []


def test_a_codec_is_swapped_for_another_that_code_names_most():
    source = 'def to_bytes(s):\n    return s.encode("utf-8")\n'
    results = mutated(source, "codec-name", line=2)
    assert [r.split("\n")[1] for r in results] == [
        '    return s.encode("latin-1")', '    return s.encode("ascii")', '    return s.encode("utf-16")']
    named = mutated('def read(p):\n    return open(p, encoding="latin1").read()\n', "codec-name", line=2)
    assert len(named) == 3 and not any('"latin-1"' in r for r in named), "latin1 is latin-1"
    assert mutated('def f(s):\n    return s.encode("base-64ish")\n', "codec-name", line=2) == []
    assert mutated('def f(s):\n    return s.split("utf-8")\n', "codec-name", line=2) == []


@pytest.mark.parametrize(("buggy", "fixed"), [
    ("value % 10 in (11, 12, 13)", "value % 100 in (11, 12, 13)"),
    ("value % 100 < 10", "value % 10 < 10"),
    ("1024 if binary else 1024", "1024 if binary else 1000"),
    ("1000 ** 2", "1024 ** 2"),
    ("1_048_576", "1000000"),
])
def test_an_integer_a_digit_off_or_binary_for_decimal_is_put_right(buggy, fixed):
    assert f"def f(value, binary):\n    return {fixed}\n" in mutated(
        f"def f(value, binary):\n    return {buggy}\n", "magnitude")


def test_magnitude_leaves_other_integers_alone():
    assert mutated("def f(value):\n    return value % 7 + 60 + 1 + 0 + 1023\n", "magnitude") == []
    assert [r.split("\n")[1] for r in mutated("def f(value):\n    return value * 10\n", "magnitude")
            ] == ["    return value * 100", "    return value * 1"]


def test_a_slices_window_moves_one_place_with_both_bounds():
    results = mutated('def f(label):\n    return label[1:3] == "--"\n', "window-shift")
    assert [r.split("\n")[1] for r in results] == ['    return label[2:4] == "--"',
                                                     '    return label[0:2] == "--"']
    assert [r.split("\n")[1] for r in mutated("def f(s, i):\n    return s[i - 1:i + 2]\n", "window-shift")
            ] == ["    return s[i:i + 3]", "    return s[i - 2:i + 1]"]
    assert mutated("def f(s):\n    return s[1:] + s[:3] + s[0]\n", "window-shift") == []


def test_a_lists_element_is_joined_by_an_attribute_of_the_same_object():
    source = ("def alternatives(n):\n    return [n.body] + [[h] for h in n.handlers]\n\n\n"
              "def other(n, m):\n    return n.orelse, m.tail\n")
    results = mutated(source, "sibling-sum")
    assert source.replace("[n.body]", "[n.body + n.orelse]") in results
    assert source.replace("[n.body]", "[n.body + n.handlers]") in results
    assert not any("m.tail" in r.split("\n")[1] for r in results), "only the same object's"
    assert mutated("def f(n):\n    return [n.body, n]\n", "sibling-sum") == []


def test_two_composed_functions_swap_places():
    source = "def compose(f1, f2):\n    return lambda *args, **kwargs: f2(f1(*args, **kwargs))\n"
    assert mutated(source, "swap-callees") == [source.replace("f2(f1(", "f1(f2(")]
    assert mutated("def f(x):\n    return g(g(x))\n", "swap-callees") == []
    assert mutated("def f(x):\n    return g(h(x), 1)\n", "swap-callees") == []
    assert mutated("def f(x):\n    return g(*h(x))\n", "swap-callees") == []


def test_sibling_attribute_knows_the_fields_of_a_class():
    source = ("class P:\n    on_hand: int\n    reserved: int = 0\n\n    def free(self):\n"
              "        return self.on_hand - self.on_hand\n")
    results = mutated(source, "sibling-attribute", line=6)
    assert any("return self.on_hand - self.reserved" in r for r in results)


def test_sibling_attribute_of_self_stays_in_its_class():
    source = ("class P:\n    on_hand: int\n    reserved: int = 0\n\n    def free(self):\n"
              "        return self.on_hand - self.on_hand\n\n\n"
              "class Q:\n    on_hands: int\n    on_handle = 1\n")
    results = mutated(source, "sibling-attribute", line=6)
    assert any("return self.on_hand - self.reserved" in r for r in results)
    assert not any("self.on_hands" in r or "self.on_handle" in r for r in results)


def test_sibling_attribute_borrows_the_attributes_of_a_class_that_has_the_attribute():
    source = ("class P:\n    on_hand: int\n    reserved: int = 0\n\n\n"
              "def reserve(product, n):\n    product.on_hand += n\n")
    assert (source.replace("product.on_hand +=", "product.reserved +=")
            in mutated(source, "sibling-attribute", line=7))


def test_negate_condition_swaps_a_conditional_expressions_branches_instead_of_negating():
    results = mutated("def f(a):\n    x = 1 if a else 2\n", "negate-condition")
    assert results == ["def f(a):\n    x = 2 if a else 1\n"]


def test_value_shift_moves_an_assigned_index_by_one():
    source = "def f(items, lo, hi):\n    mid = (lo + hi) // 2\n    if items[mid] < 3:\n        lo = mid\n"
    results = mutated(source, "value-shift", line=4)
    assert results == [source.replace("lo = mid", "lo = mid + 1"), source.replace("lo = mid", "lo = mid - 1")]


def test_value_shift_leaves_names_and_literals_to_other_templates():
    assert mutated("def f(a, b):\n    x = a\n    return a < 3\n", "value-shift") == []
    assert mutated("def f(a, b):\n    return a < b\n", "value-shift") == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("    return max(self.items)\n", "    if not self.items:\n        return None\n    return max(self.items)\n"),
        ("    return total / count\n", "    if not count:\n        return 0.0\n    return total / count\n"),
        ("    for x in xs:\n        pass\n", "    if xs is None:\n        return 0.0\n    for x in xs:\n        pass\n"),
    ],
)
def test_none_guard_guards_what_a_statement_divides_by_or_hands_a_builtin(before, after):
    header = "def f(self, total, count, xs) -> float:\n"
    assert header + after in mutated(header + before, "none-guard")


def test_none_guard_returns_the_empty_value_of_the_declared_type_first():
    results = mutated("def f(xs) -> list[int]:\n    return xs[0]\n", "none-guard")
    assert results[0] == "def f(xs) -> list[int]:\n    if xs is None:\n        return []\n    return xs[0]\n"
    assert not any("return xs[0]\n    return xs[0]" in r for r in results)  # never its own value


def test_concat_value_leaves_a_returned_sum_to_the_sum_itself():
    results = mutated(HEADER + "        return a + b\n", "concat-value", line=3)
    assert len(results) == len(set(results))  # the return and its sum do not both extend it


def test_comprehension_variables_are_not_locals_of_the_function():
    source = "def f(a, xs):\n    return a + sum(x for x in xs)\n"
    offered = mutated(source, "name-replacement") + mutated(source, "concat-value")
    assert offered and not any("x +" in r.split("for")[0] or "+ x" in r.split("for")[0] for r in offered)


def test_names_not_bound_yet_at_the_line_come_after_those_that_are():
    source = ("def shift(year, month, day, months):\n"
              "    index = year * 12 + (month - 1)\n"
              "    new_year, new_month = divmod(index, 12)\n"
              "    return new_year, new_month + 1, day\n")
    prefix = "    index = year * 12 + (month - 1) + "
    appended = [line.removeprefix(prefix) for r in mutated(source, "concat-value", line=2)
                if (line := r.splitlines()[1]).startswith(prefix)]
    assert set(appended[:4]) == {"year", "month", "day", "months"}


def test_negating_a_grouped_condition_adds_no_second_pair_of_parentheses():
    results = mutated("def f(a, b):\n    if (a or b):\n        pass\n", "negate-condition")
    assert results == ["def f(a, b):\n    if not (a or b):\n        pass\n"]


def test_a_condition_spanning_lines_keeps_the_parentheses_that_continue_it():
    source = "def f(a, b):\n    if not (a or\n            b):\n        pass\n"
    assert mutated(source, "negate-condition") == ["def f(a, b):\n    if (a or\n            b):\n        pass\n"]


def test_misplaced_parenthesis_leaves_keyword_and_star_arguments_alone():
    assert mutated(HEADER + "        return f(key=a * b)\n", "misplaced-parenthesis", line=3) == []
    assert mutated(HEADER + "        return f(*xs) + 1\n", "misplaced-parenthesis", line=3) == []


def test_negate_clause_adds_no_second_not_and_leaves_a_chains_inner_operands_to_it():
    results = mutated(HEADER + "        return a and b and not xs\n", "negate-clause", line=3)
    assert results == [HEADER + "        return not a and b and not xs\n",
                       HEADER + "        return a and not b and not xs\n"]


def test_own_class_is_only_the_enclosing_class():
    source = "class Box:\n    pass\n\n\nclass Bag:\n    def f(self):\n        return Box()\n"
    assert mutated(source, "own-class", line=7) == []
    classmethod_source = "class Box:\n    @classmethod\n    def f(cls):\n        return Box()\n"
    assert mutated(classmethod_source, "own-class", line=4) == [
        "class Box:\n    @classmethod\n    def f(cls):\n        return cls()\n"]


def test_a_conversion_is_taken_off_only_when_it_has_one_plain_argument():
    for call in ("int(a, base=2)", "str(*xs)", "len(a)"):
        results = mutated(HEADER + f"        return {call}\n", "wrap-call", line=3)
        assert not any(r.endswith(("return a\n", "return xs\n")) for r in results), call
    assert HEADER + "        return a\n" in mutated(HEADER + "        return float(a)\n", "wrap-call", line=3)


def test_own_class_is_the_class_a_wrappers_self_is_declared_to_be():
    source = ("class Version:\n    pass\n\n\ndef compare(op):\n"
              "    def wrapper(self: \"Version\", other):\n"
              "        return isinstance(other, (Version, dict))\n    return wrapper\n")
    assert mutated(source, "own-class", line=7) == [
        source.replace("(Version, dict)", "(type(self), dict)")]


def test_a_guard_raises_what_the_function_raises_elsewhere():
    source = ("def ulabel(label):\n    if label.startswith('xn--'):\n        label = label[4:]\n"
              "        if label[-1] == '-':\n            raise IDNAError('ends with a hyphen')\n"
              "    return label\n")
    assert source.replace("        if label[-1]", "        if not label:\n"
                          "            raise IDNAError('ends with a hyphen')\n        if label[-1]") in (
        mutated(source, "none-guard", line=4))


def test_a_helper_is_a_function_or_own_method_called_with_one_argument():
    source = HEADER + ("        xs.append(a)\n        print(a)\n        c = len(a)\n"
                       "        d = self.pick(a, b)\n        return b\n")
    assert mutated(source, "helper-call", line=7) == []


def test_condition_clause_takes_the_names_in_play_and_goes_on_with_an_and_chain():
    """`item`, set just above, before the parameters far up; and `a and b` narrowed by `item`
    is written `a and b and item`, as the developer would."""
    source = ("class H:\n    def end(self, full, name, extra, other):\n"
              "        data = self.data\n        item = self.item\n"
              "        if self.strip and data:\n            data = data.strip()\n")
    results = mutated(source, "condition-clause", line=5)
    assert source.replace("self.strip and data:", "self.strip and data and item:") in results
    assert all("(self.strip and data) and" not in r for r in results)
    conditions = [r.splitlines()[4] for r in results]
    assert not any("extra" in c or "other" in c for c in conditions)  # past the four nearest


def test_a_number_an_fstring_interpolates_moves_by_one():
    source = 'def f(start, end, size):\n    return f"bytes {start}-{end}/{size:d} {end!r} {None}"\n'
    results = [r.split("\n")[1] for r in mutated(source, "interpolated-shift")]
    assert '    return f"bytes {start}-{end - 1}/{size:d} {end!r} {None}"' in results
    assert '    return f"bytes {start + 1}-{end}/{size:d} {end!r} {None}"' in results
    assert '    return f"bytes {start}-{end}/{size + 1:d} {end!r} {None}"' in results
    assert len(results) == 6, "not a value shown with !r, not None"


def test_a_string_key_is_no_bound_to_shift():
    assert mutated('def f(headers):\n    return headers["content-range"]\n', "bound-shift") == []
    assert [r.split("\n")[1] for r in mutated("def f(items, i):\n    return items[i]\n", "bound-shift")
            ] == ["    return items[i + 1]", "    return items[i - 1]"]


def test_a_functions_variable_annotation_is_never_edited():
    """Python never evaluates it: packaging's `self._ranges: SearchBounds | None = None` gave
    `None` -> `0` in the annotation, a candidate that cannot change what runs."""
    source = "def f(self, b: int | None = None):\n    self.ranges: tuple | None = None\n"
    results = [r.split("\n")[1] for r in mutated(source, "constant-value")]
    assert results and all(r.startswith("    self.ranges: tuple | None = ") for r in results)
    at_class_level = "class C:\n    ranges: tuple | None = None\n"
    assert any("tuple | " in r and "| None" not in r.split("\n")[1]
               for r in mutated(at_class_level, "constant-value"))
