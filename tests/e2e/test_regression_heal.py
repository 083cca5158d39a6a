"""Every fix ships a regression test: through `pytest --selfheal`, on the examples and on five
bug shapes. The emitted fix.diff applied to a fresh copy makes the suite pass; reverting only the
source part of it makes the regression test fail."""

import shutil
from pathlib import Path

import pytest
from helpers import copy_example, fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

CASES = Path(__file__).resolve().parent / "regression_cases"

# project -> (where it comes from, regression test path, text the test must contain, extra options)
EXPECTED = {
    "invoice": ("example", "tests/test_regression_qualifies.py",
                "assert qualifies(Decimal('100.00')) is True"),
    "textstats": ("example", "tests/test_regression_most_common.py", "from textstats import most_common"),
    "inventory": ("example", "tests/test_regression_needs_reorder.py",
                  "item = Item(sku='B-2', name='nuts', quantity=2, reorder_level=3, active=False)\n"
                  "    assert Inventory().needs_reorder(item) is False"),
    "pure_function": ("case", "tests/regressions/test_regression_is_leap_year.py",
                      "assert is_leap_year(2000) is True", "--selfheal-regression-dir=tests/regressions"),
    "dataclass_method": ("case", "tests/test_regression_perimeter.py",
                         "rectangle = Rectangle(width=2, height=3, label='door')\n"
                         "    assert rectangle.perimeter() == 10"),
    "raises": ("case", "tests/test_regression_withdraw.py",
               "with pytest.raises(InsufficientFunds):\n        withdraw(10, 20)"),
    "dict_list": ("case", "tests/test_regression_in_stock.py",
                  "batches = {'rice': [2, 1], 'flour': [], 'oats': [0, 1]}\n"
                  "    assert in_stock(batches) == ['oats', 'rice']"),
    "two_calls_deep": ("case", "tests/test_regression_percent.py", "assert percent(3, 4) == 75.0"),
    # the fix is pinned: several one-token patches pass this project's tests
    "caller_fallback": ("case", "tests/test_regression_count.py",
                        "assert basket_size(['apple', 'pear']) == 2",
                        f"--selfheal-agent=scripted:{CASES / 'caller_fallback.fix.json'}"),
}


def _copy(project: str, dest: Path) -> Path:
    if EXPECTED.get(project, ("case",))[0] == "example":
        return copy_example(project, dest)
    shutil.copytree(CASES / project, dest)
    return dest


@pytest.mark.parametrize("project", list(EXPECTED))
def test_fix_diff_carries_a_regression_test_that_fails_without_the_fix(project, tmp_path):
    repo = init_repo(_copy(project, tmp_path / "repo"))
    before = fingerprint(repo)
    _, path, snippet, *options = EXPECTED[project]
    result = run_pytest(repo, "--selfheal", *options)
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before, "the user's checkout must not change"
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert report["regression"]["path"] == path, report["regression"]
    assert f"regression test: {path}" in result.stdout
    run_dir = latest_run_dir(repo)
    test_source = (run_dir / Path(path).name).read_text()
    assert snippet in test_source
    assert report["run_id"] in test_source and report["fix"]["fixed"][0] in test_source
    diff = (run_dir / "fix.diff").read_text()
    assert f"new file mode 100644\n--- /dev/null\n+++ b/{path}\n" in diff

    fresh = init_repo(_copy(project, tmp_path / "fresh"))
    shutil.copy(run_dir / "fix.diff", tmp_path / "fix.diff")
    git(fresh, "apply", str(tmp_path / "fix.diff"))
    assert (fresh / path).read_text() == test_source
    green = run_pytest(fresh)
    assert green.returncode == 0, green.stdout

    git(fresh, "checkout", "--", *report["fix"]["files"])
    red = run_pytest(fresh, path)
    assert red.returncode == 1, red.stdout
    tests = report["regression"]["tests"]
    assert tests and f"{len(tests)} failed" in red.stdout


def test_no_regression_test_when_no_input_can_be_written_as_source(tmp_path):
    repo = init_repo(_copy("unrenderable", tmp_path / "repo"))
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed"
    regression = report["regression"]
    assert regression["path"] is None and regression["tests"] == []
    assert regression["function"] == "Basket.count"
    assert "self cannot be rebuilt" in regression["reason"]
    assert "no caller between the test and it can be replayed" in regression["reason"]
    assert "regression test: none (" in result.stdout
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "new file mode" not in diff and "test_regression" not in diff



def test_a_test_named_by_the_users_python_files_is_never_the_replayed_caller(tmp_path):
    project = _copy("unrenderable", tmp_path / "repo")
    (project / "tests" / "test_basket.py").rename(project / "tests" / "check_basket.py")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'python_files = ["check_*.py"]\n')
    repo = init_repo(project)
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    regression = report["regression"]
    assert regression["path"] is None, "the test function itself is no caller to replay"
    assert "no caller between the test and it can be replayed" in regression["reason"]
