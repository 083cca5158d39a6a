"""The templates that draw a replacement from the module's own values, before and after."""

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.sites import mutations


def mutated(source: str, template: str, line: int) -> list[str]:
    module = cst.parse_module(source)
    return [module.deep_replace(m.original, m.replacement).code
            for m in mutations(module, frozenset({line})) if m.template == template]


CLASS = ('class Version:\n'
         '    """The "major" docstring is no literal to copy."""\n'
         '    def __init__(self, parts, key=None):\n'
         '        self.key = key\n'
         '        self.major = parts["major"]\n'
         '        self.build = []\n\n'
         '    def reset(self):\n'
         '        self.build = []\n\n'
         '    def to_dict(self):\n'
         '        return {"major": self.major}\n')


@pytest.mark.parametrize(("template", "find", "replace", "line"), [
    ("literal-replacement", 'parts["major"]', 'parts["XXmajorXX"]', 5),
    ("assigned-value", "self.key = key", "self.key = None", 4),
    ("assigned-value", "reset(self):\n        self.build = []", "reset(self):\n        self.build = None", 9),
])
def test_a_value_is_restored_from_the_module(template: str, find: str, replace: str, line: int) -> None:
    buggy = CLASS.replace(find, replace)
    assert mutated(buggy, template, line)[0] == CLASS


def test_literal_replacement_keeps_the_kind_and_skips_unlike_strings() -> None:
    source = 'A = b"major"\nB = "minor"\nC = "zzz"\nD = f(x="mnor")\n'
    assert mutated(source, "literal-replacement", 4) == [
        'A = b"major"\nB = "minor"\nC = "zzz"\nD = f(x="minor")\n']  # not b"major", not "zzz"


@pytest.mark.parametrize(("buggy", "fixed"), [
    ('", ".join(values)', '",".join(values)'),
    ('",".join(values)', '", ".join(values)'),
    ("path.startswith('//')", "path.startswith('/')"),
    ('label[2:4] == "-"', 'label[2:4] == "--"'),
    ('rb"::"', 'rb":"'),
])
def test_a_separator_with_a_character_too_many_or_too_few_is_put_right(buggy: str, fixed: str) -> None:
    results = mutated(f"x = {buggy}\n", "separator-literal", 1)
    assert f"x = {fixed}\n" in results
    assert len(results) <= 3


@pytest.mark.parametrize("literal", ['"ab"', '"a,"', '"\\n"', '"...."', "\"'\"", '""'])
def test_words_escapes_long_runs_and_quotes_are_no_separators(literal: str) -> None:
    assert mutated(f"x = {literal}\n", "separator-literal", 1) == []


def test_assigned_value_offers_each_other_value_once_and_not_the_current_one() -> None:
    source = "def f(sign):\n    sign = 1\n    if x:\n        sign = -1\n    sign = 1\n"
    assert mutated(source, "assigned-value", 4) == [
        "def f(sign):\n    sign = 1\n    if x:\n        sign = 1\n    sign = 1\n"]


ROW = ('def __init__(self, parts, minor, major):\n'
       '    self._major = parts["major"]\n'
       '    self._minor = parts["minor"]\n'
       '    self.path = []\n'
       '    self.stack = []\n'
       '    self.depth = depth_of(parts)\n')


@pytest.mark.parametrize(("find", "replace", "line"), [
    ('self._major = parts["major"]', "self._major = None", 2),  # said for its own word
    ('self._major = parts["major"]', 'self._major = parts["patch"]', 2),
    ('self._minor = parts["minor"]', 'self._minor = minor if minor else None', 3),
    ("self.path = []", "self.path = None", 4),  # a None in place of its neighbours' empty list
])
def test_assigned_value_takes_a_neighbour_of_the_same_shape_at_its_word(find: str, replace: str,
                                                                       line: int) -> None:
    assert ROW in mutated(ROW.replace(find, replace), "assigned-value", line)


def test_a_neighbours_names_are_said_for_this_target_where_the_function_has_them() -> None:
    source = ("class Range:\n"
              "    def limits(self, lo, hi):\n"
              "        self.lo_limit = clamp(lo, self.lo_edge)\n"
              "        self.hi_limit = clamp(lo, self.lo_edge)\n"
              "        self.hi_edge = 1\n")
    assert ("        self.hi_limit = clamp(hi, self.hi_edge)\n"
            in mutated(source, "assigned-value", 4)[0])


def test_a_neighbours_value_that_names_things_is_no_placeholders_replacement() -> None:
    """`self.depth = depth_of(parts)` says nothing for `stack` (there is no `stack_of` to call):
    only a None's neighbours that name nothing (`[]`) stand in, and only for a None."""
    buggy = ROW.replace("self.stack = []", "self.stack = None")
    assert all("self.stack = depth_of" not in m and "stack_of" not in m
               for m in mutated(buggy, "assigned-value", 5))
    changed = ROW.replace("self.stack = []", "self.stack = list(parts)")
    assert all("self.stack = []" not in m for m in mutated(changed, "assigned-value", 5))


def test_stray_comma_unpacks_only_an_unparenthesized_one_element_tuple() -> None:
    source = "scopes[Async] = FunctionScope,\nkept = (FunctionScope,)\npair = a, b\n"
    assert mutated(source, "stray-comma", 1) == [
        "scopes[Async] = FunctionScope\nkept = (FunctionScope,)\npair = a, b\n"]
    assert mutated(source, "stray-comma", 2) == mutated(source, "stray-comma", 3) == []


@pytest.mark.parametrize(("use", "empty"), [
    ("seen.append(x)", "[]"), ("seen.update(x)", "{}"), ("seen.add(x)", "set()")])
def test_a_none_takes_the_empty_value_of_what_the_module_does_with_it(use: str, empty: str) -> None:
    source = f"def f(xs):\n    seen = None\n    for x in xs:\n        {use}\n    return seen\n"
    assert source.replace("seen = None", f"seen = {empty}") in mutated(source, "assigned-value", 2)
    assert mutated(source.replace("seen = None", "seen = 0"), "assigned-value", 2) == []


@pytest.mark.parametrize(("other", "opposite"), [("0", "1"), ("1", "0"), ("True", "False")])
def test_a_none_takes_the_opposite_of_a_flag_the_module_sets_elsewhere(other: str, opposite: str) -> None:
    source = (f"def pattern(expanded):\n    if expanded:\n        sign = None\n    else:\n"
              f"        sign = {other}\n    return '[+-]{{%d}}' % sign\n")
    assert source.replace("sign = None", f"sign = {opposite}") in mutated(source, "assigned-value", 3)
    # Only for a None: a value written there is not a placeholder for the other one.
    assert source.replace("sign = None", f"sign = {opposite}") not in mutated(
        source.replace("sign = None", "sign = 2"), "assigned-value", 3)
