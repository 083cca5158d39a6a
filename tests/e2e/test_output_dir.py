"""The default run output is never collected, also in a project whose own `norecursedirs` leaves
out pytest's `.*` (a common list: `dist build .tox .eggs`): the regression test each run leaves
under .selfheal/runs/ does not run in the next session."""

import pytest
from helpers import latest_report, latest_run_dir, make_repo, run_pytest

pytestmark = pytest.mark.slow


def test_a_project_without_dot_dirs_in_norecursedirs_heals_and_never_collects_the_runs(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pytest.ini": """
            [pytest]
            norecursedirs = dist build .tox .eggs
            addopts = --strict-markers
            filterwarnings = error
            """,
        "shop/__init__.py": "",
        "shop/price.py": '''
            def with_tax(cents, percent):
                """`cents` with `percent` tax added, rounded down."""
                return cents - cents * percent // 100
            ''',
        "test_price.py": """
            from shop.price import with_tax


            def test_tax():
                assert with_tax(1000, 20) == 1200


            def test_no_tax():
                assert with_tax(1000, 0) == 1000
            """,
    })
    healed = run_pytest(repo, "--selfheal")
    assert healed.returncode == 1
    assert latest_report(repo)["status"] == "healed", healed.stdout
    assert list(latest_run_dir(repo).glob("test_regression_*.py")), "the run keeps its regression test"

    plain = run_pytest(repo, "-q", "--co")
    assert "test_regression" not in plain.stdout and ".selfheal" not in plain.stdout
    assert "2 tests collected" in plain.stdout
