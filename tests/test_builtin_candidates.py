"""The builtin agent's candidate stream: single edits first, then bounded two-edit pairs."""

import ast
from pathlib import Path

from pytest_selfheal.agents.builtin.agent import candidates
from pytest_selfheal.agents.builtin.priors import PRIORS
from pytest_selfheal.agents.builtin.statements import STATEMENT_TEMPLATES
from pytest_selfheal.agents.builtin.templates import TEMPLATES
from pytest_selfheal.models import Suspect

SOURCE = "def span(xs):\n    low = min(xs)\n    high = min(xs)\n    return high - low + 0\n"


def suspects(*lines: int) -> tuple[Suspect, ...]:
    return tuple(Suspect("m.py", line, "span", 1.0 - line / 10) for line in lines)


def test_single_edits_come_first_then_pairs_in_one_function(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    stream = list(candidates(tmp_path, suspects(2, 3)))
    sizes = [len(c.edits) for c in stream]
    assert sizes[0] == 1 and 2 in sizes
    assert sizes == sorted(sizes), "no pair before the last single edit"
    pair = next(c for c in stream if len(c.edits) == 2)
    assert pair.edits[0].after == pair.edits[1].before  # the second edit builds on the first
    parts = [c.score for c in stream if len(c.edits) == 1
             and c.edits[0].description in {e.description for e in pair.edits}]
    assert len(parts) == 2 and pair.score < min(parts)
    both = "def span(xs):\n    low = max(xs)\n    high = max(xs)\n"
    assert any(c.edits[-1].after.startswith(both) for c in stream if len(c.edits) == 2)


def test_candidates_compile_and_are_pairwise_distinct(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    trees = [ast.dump(ast.parse(c.edits[-1].after)) for c in candidates(tmp_path, suspects(4))
             if len(c.edits) == 1]
    assert trees and len(trees) == len(set(trees))
    assert ast.dump(ast.parse(SOURCE)) not in trees


def test_every_template_family_has_a_prior():
    assert {name for name, _ in (*TEMPLATES, *STATEMENT_TEMPLATES)} == set(PRIORS)


def test_priors_order_the_families(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    favour = {family: 0.1 for family in PRIORS} | {"integer-constant": 1.0}
    first = next(candidates(tmp_path, suspects(4), priors=favour))
    assert first.edits[0].template == "integer-constant"
    assert next(candidates(tmp_path, suspects(4))).edits[0].template != "integer-constant"
