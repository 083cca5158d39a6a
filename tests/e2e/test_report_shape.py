"""What a user reads after a heal with many failures: the failures by kind with a few examples
each, not one line per failure; the full list in report.json and, folded, in report.md."""

import json

import pytest
from helpers import init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

CALC = '''\
def scale(x):
    return x * 3


def label(x):
    return "n" + scale(x)
'''

TESTS = '''\
import pytest

from calc import label, scale


@pytest.mark.parametrize("x", range(100))
def test_scale(x):
    assert scale(x) == 2 * x or x == 0


@pytest.mark.parametrize("x", range(4))
def test_label(x):
    assert label(x) == f"n{2 * x}"
'''


def test_a_hundred_failures_of_two_kinds_read_as_two_groups(tmp_path):
    (tmp_path / "calc.py").write_text(CALC)
    (tmp_path / "test_calc.py").write_text(TESTS)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    repo = init_repo(tmp_path)
    result = run_pytest(repo, "--selfheal", "--selfheal-time-budget=60", "-p", "no:randomly")
    output = result.stdout
    section = output[output.index("= self-heal ="):output.index("top suspects")]
    assert "103 failure(s) considered, 2 kind(s)" in section
    assert "AssertionError in 99 tests across 1 file(s), caught by the tests' own asserts" in section
    assert ('TypeError: can only concatenate str (not "int") to str in 4 tests across 1 file(s), '
            "raised in calc.py::label") in section
    assert "... and 96 more (all in report.json)" in section
    assert section.count("test_calc.py::test_scale[") == 3  # examples, not the list
    assert "103 deterministic" in section and "each verdict in report.json" in section
    assert len(section.splitlines()) < 20, section
    report = latest_report(repo)
    assert [(g["label"], g["count"]) for g in report["failure_groups"]] == [
        ("AssertionError", 99), ('TypeError: can only concatenate str (not "int") to str', 4)]
    assert len(report["failures"]) == 103
    markdown = (latest_run_dir(repo) / "report.md").read_text()
    assert "<details><summary>all 103 failures</summary>" in markdown
    assert "- **AssertionError** in 99 test(s) across 1 file(s), caught by the tests' own asserts" in markdown
    assert json.loads((latest_run_dir(repo) / "report.json").read_text())["failure_groups"][1]["where"] == \
        "calc.py::label"
