"""Splicing one re-rendered top-level statement gives the same module as re-rendering the whole
tree, and its keys tell equal programs apart from different ones."""

import ast
import itertools

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.render import Splicer, _Replacer
from pytest_selfheal.agents.builtin.sites import mutations

SOURCE = '''\
"""A module."""
# a comment before the imports

import math

LIMIT = 3  # trailing comment


class Box:
    size: int = 0

    @property
    def area(self):
        return self.size * self.size

    def grow(self, by):
        if by < 0 or by > LIMIT:
            raise ValueError(by)
        self.size += by


def total(items, start=0):
    seen = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            start = start + item
    return math.floor(start)


if LIMIT > 2:
    EXTRA = LIMIT - 1

    # a comment above
    def counter(step):
        count = 0

        def bump():
            nonlocal count
            count += step
            return count
        return bump
# the end
'''


def every_mutation(source: str) -> tuple[cst.Module, list]:
    module = cst.parse_module(source)
    return module, mutations(module, frozenset(range(1, source.count("\n") + 2)))


def test_splicing_renders_what_the_whole_tree_renders():
    module, found = every_mutation(SOURCE)
    splicer = Splicer(module, "m.py")
    assert len(found) > 100
    for mutation in found:
        assert splicer.apply((mutation,)).code == module.deep_replace(
            mutation.original, mutation.replacement).code, mutation.description


def test_keys_are_equal_exactly_for_equal_programs():
    module, found = every_mutation(SOURCE)
    splicer = Splicer(module, "m.py")
    rendered = [splicer.apply((m,)) for m in found]
    programs = [ast.dump(ast.parse(r.code)) if r.key is not None else None for r in rendered]
    for (a, pa), (b, pb) in itertools.combinations(zip(rendered, programs, strict=True), 2):
        assert (a.key == b.key) == (pa == pb)
    assert any(pa == pb for pa, pb in itertools.combinations(programs, 2)), "no duplicate to tell"


def test_pairs_of_edits_splice_into_one_statement():
    module, found = every_mutation(SOURCE)
    first = next(m for m in found if m.line == 25 and m.template == "comparison-operator")
    second = next(m for m in found if m.line == 27 and m.template == "arithmetic-operator")
    both = Splicer(module, "m.py").apply((first, second)).code
    assert both == SOURCE.replace("item not in seen", "item in seen").replace("+ item", "- item")


def test_edits_in_two_units_splice_each_and_keep_equal_programs_equal(monkeypatch):
    """A second edit on top of a partial fix is mostly in another function: each function is
    rendered alone, not the whole module, and keyed as one program whichever edit came first."""
    module, found = every_mutation(SOURCE)
    splicer = Splicer(module, "m.py")
    whole_renders = []
    render_whole = Splicer._applied_whole
    monkeypatch.setattr(Splicer, "_applied_whole", lambda self, mutations: whole_renders.append(1)
                        or render_whole(self, mutations))
    in_grow = [m for m in found if m.line == 19][:12]
    in_total = [m for m in found if m.line == 27][:12]
    in_class = next(m for m in found if m.line == 10)  # in Box's own statement, around grow()
    assert in_grow and in_total
    keys = {}
    for first, second in itertools.product(in_grow, in_total):
        both = splicer.apply((first, second))
        whole = module.visit(_Replacer((first, second))).code
        assert both.code == whole
        assert splicer.apply((second, first)).key == both.key
        program = ast.dump(ast.parse(whole)) if both.key is not None else None
        keys.setdefault(program, set()).add(both.key)
    assert all(len(found_keys) == 1 for found_keys in keys.values())  # one key a program
    assert len({key for found_keys in keys.values() for key in found_keys}) == len(keys)
    assert whole_renders == []
    nested = splicer.apply((in_class, in_grow[0]))  # a unit inside another: rendered whole
    assert nested.code == module.visit(_Replacer((in_class, in_grow[0]))).code
    assert whole_renders == [1]


@pytest.mark.parametrize("edit", [("start + item", "start - item"), ("by < 0", "by <= 0")])
def test_key_of_a_program_is_the_key_of_its_rendering(edit):
    module, found = every_mutation(SOURCE)
    splicer = Splicer(module, "m.py")
    target = SOURCE.replace(*edit)
    assert splicer.key_of(target) not in (None, "")
    rendered = [r for r in (splicer.apply((m,)) for m in found) if r.key is not None]
    same = [r for r in rendered if ast.dump(ast.parse(r.code)) == ast.dump(ast.parse(target))]
    assert same and all(r.key == splicer.key_of(target) for r in same)
    assert splicer.key_of(SOURCE) == ""
    assert splicer.key_of(SOURCE.replace("LIMIT = 3", "LIMIT = (")) is None


def test_a_module_without_final_newline_renders_whole():
    source = SOURCE.rstrip("\n")
    module, found = every_mutation(source)
    splicer = Splicer(module, "m.py")
    for mutation in found[:20]:
        rendered = splicer.apply((mutation,))
        assert rendered.code == module.deep_replace(mutation.original, mutation.replacement).code
        assert rendered.key == splicer.key_of(rendered.code)
    assert splicer.key_of(source) == ""


def test_a_tree_libcst_will_not_build_renders_as_no_program():
    """`case None:` takes only True, False or None: the constant-value template's `0` is no
    program, and the search skips it as it skips code that does not compile."""
    source = "def f(x):\n    match x:\n        case None:\n            return 1\n    return 2\n"
    module, found = every_mutation(source)
    splicer = Splicer(module, "m.py")
    refused = [m for m in found if m.line == 3 and m.description == "`None` -> `0`"]
    assert refused
    rendered = splicer.apply((refused[0],))
    assert rendered.key is None
