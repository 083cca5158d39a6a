"""The manifests of the corpora built on released libraries (benchmarks/realbugs, benchmarks/mutants)
and the text replacement that turns a library's module into the buggy one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from repair_rate import MANIFESTS, Bug, Result, _fix_region, apply_replacements, hunks, miss_cause  # noqa: E402

FIXED = "def f(x):\n    if x > 0:\n        return 1\n    return 0\n\n\ndef g(x):\n    return 0\n"


def test_hunks_widen_until_unique_and_round_trip() -> None:
    buggy = FIXED.replace("def g(x):\n    return 0", "def g(x):\n    return 1")
    pairs = hunks(FIXED, buggy)
    assert pairs is not None and len(pairs) == 1
    assert FIXED.count(pairs[0]["fixed"]) == 1  # "    return 0\n" alone occurs twice
    assert apply_replacements(FIXED, pairs) == buggy


def test_replacement_text_must_occur_exactly_once() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        apply_replacements(FIXED, [{"fixed": "    return 0\n", "buggy": "    return 2\n"}])


@pytest.mark.parametrize("corpus", sorted(MANIFESTS))
def test_manifest_entries_name_a_pinned_release_a_bug_and_the_tests_it_fails(corpus: str) -> None:
    entries = json.loads(MANIFESTS[corpus].read_text())
    assert len(entries) >= 40
    assert len({e["id"] for e in entries}) == len(entries)
    assert len({e["project"] for e in entries}) >= (5 if corpus == "realbugs" else 2)
    for entry in entries:
        name, _, version = entry["sdist"].partition("==")
        assert name and version, entry["id"]
        assert entry["module"].endswith(".py") and entry["replacements"], entry["id"]
        assert all(p["fixed"] != p["buggy"] for p in entry["replacements"]), entry["id"]
        assert entry["failing"], entry["id"]
        assert all(t.split("::")[0] in entry["tests"] for t in entry["failing"]), entry["id"]


@pytest.mark.parametrize(("fields", "cause"), [
    ({"plausible": True, "correct": True, "line_rank": 1, "oracle_rank": 3}, ""),
    ({"plausible": True, "line_rank": 1, "oracle_rank": 3}, "plausible-but-wrong"),
    ({"status": "not-healed", "line_rank": None}, "not localized"),
    ({"status": "not-healed", "line_rank": 2, "oracle_rank": None}, "no template reaches it"),
    ({"status": "not-healed", "line_rank": 2, "oracle_rank": 450}, "ranked past the budget"),
    ({"status": "not-healed", "reason": "nothing to repair: 1 not-reproduced"},
     "not reproduced in the sandbox"),
    ({"status": "not-healed", "reason": "nothing to repair: 2 not-run"},
     "not reproduced in the sandbox"),
    ({"status": "error"}, "heal error"),
])
def test_each_miss_has_one_cause(fields: dict[str, object], cause: str) -> None:
    result = Result(Bug("b", "p", "", "", "none"), **fields)  # type: ignore[arg-type]
    assert miss_cause(result) == cause


def test_the_oracle_search_looks_from_the_enclosing_top_level_statement_to_the_changed_line() -> None:
    buggy = FIXED.replace("        return 1\n", "        return 2\n")
    assert _fix_region(Bug("b", "p", FIXED, buggy, "")) == {1, 2, 3}  # def f to the return
