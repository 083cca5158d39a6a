"""Finding the nodes on suspect lines: the same mutations whether or not the module was analysed
ahead, and whether or not the rest of the module is visited."""

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.agent import Analyses, RankedMutations
from pytest_selfheal.agents.builtin.priors import PRIORS
from pytest_selfheal.agents.builtin.sites import (
    DEFAULT_SHARE,
    DEFAULT_TEMPLATES,
    ModuleAnalysis,
    analysed_mutations,
    mutations,
)
from pytest_selfheal.models import Suspect

SOURCE = '''\
import functools


class Box:
    size = 3

    @functools.lru_cache(maxsize=2)
    def grow(self, n):
        if n > self.size:
            return n + 1
        return n


def shrink(n):
    return n - 1
'''


def described(found):
    return [(m.template, m.line, m.description) for m in found]


def test_a_decorator_line_is_a_site_of_its_function():
    found = described(mutations(cst.parse_module(SOURCE), frozenset({7})))
    assert ("integer-constant", 7, "`2` -> `3`") in found


def test_mutations_on_some_lines_are_those_of_all_lines_kept_to_them():
    module = cst.parse_module(SOURCE)
    everywhere = described(mutations(module, frozenset(range(1, 16))))
    for line in (9, 10, 15):
        assert described(mutations(module, frozenset({line}))) == [m for m in everywhere if m[1] == line]


def test_one_analysis_serves_any_lines():
    module = cst.parse_module(SOURCE)
    analysis = ModuleAnalysis.of(module)
    for lines in (frozenset({9}), frozenset({10, 15}), frozenset({7})):
        assert described(analysed_mutations(analysis, lines)) == described(mutations(module, lines))


def test_the_names_an_import_binds_are_not_sites():
    """`import importlib.resources` inside a function: wrapping the dotted name in a call is
    no program LibCST can build, and no fix."""
    source = "def load():\n    import importlib.resources\n    from os import path as p\n    return p\n"
    found = mutations(cst.parse_module(source), frozenset({2, 3}))
    assert [m for m in found if m.template not in ("delete-statement", "move-statement")] == []


CLOSURE = '''\
def with_metaclass(meta, *bases):
    class metaclass(type):
        def __new__(cls, name, this_bases, d):
            resolved_bases = tuple(bases)
            return meta(name, bases, d)
    return metaclass
'''


def test_a_nested_function_s_free_variable_is_replaced_by_its_locals_and_theirs_by_it():
    replaced = [m.description for m in mutations(cst.parse_module(CLOSURE), frozenset({5}))
                if m.template == "name-replacement"]
    assert "`bases` -> `resolved_bases`" in replaced  # a closure's variable read in place of a local
    assert "`d` -> `bases`" in replaced  # and the closure's variables are candidates too


DEFAULTS = '''\
LIMIT = 10


def duration(days=0,
             milliseconds=1, *, sep=", "):
    total = days * 86400000 + milliseconds
    return f"{total}{sep}ms"


def other(x=5):
    return x
'''


def test_a_suspect_function_s_defaults_are_sites_scored_as_its_first_suspect_line():
    found = mutations(cst.parse_module(DEFAULTS), frozenset({7, 6}))
    defaults = [(m.line, m.suspect_line, m.description) for m in found if m.line in (4, 5)]
    assert (5, 6, "`1` -> `0`") in defaults  # the default's own line, the body's first suspect
    assert {line for line, _, _ in defaults} == {4, 5}  # days=0 and milliseconds=1, sep=", "
    assert not [m for m in found if m.line == 10]  # an unsuspected function's are not
    assert not [d for d in defaults if "days" in d[2] or "total" in d[2]]  # the body's names are not in scope
    assert {m.template for m in found if m.line in (4, 5)} <= DEFAULT_TEMPLATES  # a constant's slips


def test_a_default_takes_a_share_of_its_function_s_first_suspect_line_s_score(tmp_path):
    (tmp_path / "m.py").write_text(DEFAULTS)
    ranked = RankedMutations(tmp_path, (Suspect("m.py", 6, "duration", 0.8),), PRIORS, Analyses())
    default = next(item for item in ranked if item.mutation.line == 5)
    assert default.score == pytest.approx(0.8 * PRIORS[default.mutation.template] * DEFAULT_SHARE)
