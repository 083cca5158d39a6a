"""What the user types configures the sandbox's pytest too: options such as `-o`, `--timeout`,
`-W` and `-p` reach every test run of the heal, while what selects tests, stops early or reports
(`-x`, `-k`, test paths, `-q`) stays the user's session's alone."""

from __future__ import annotations

import json

import pytest
from helpers import (
    SEARCH_THAT_NEVER_ADVANCES,
    fingerprint,
    latest_report,
    latest_run_dir,
    make_repo,
    run_pytest,
    triage_verdicts,
)

pytestmark = pytest.mark.slow


def test_options_typed_on_the_command_line_configure_the_sandbox_as_the_session(tmp_path):
    # the tests are collected only under the user's -o, and the hangs are stopped only by the
    # user's --timeout: neither is in the configuration
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": """
            [project]
            name = "bsearch"
            version = "0.1"

            [tool.pytest.ini_options]
            testpaths = ["tests"]
            filterwarnings = ["error"]
            """,
        "bsearch/__init__.py": "",
        "bsearch/search.py": SEARCH_THAT_NEVER_ADVANCES,
        "tests/test_search.py": """
            from bsearch.search import find


            def check_first():
                assert find([1, 3, 5, 7], 1) == 0


            def check_missing_below():
                assert find([1, 3, 5, 7], 0) == -1


            def check_middle():
                assert find([1, 3, 5, 7], 5) == 2


            def check_last():
                assert find([1, 2, 3, 4, 5, 6, 7, 8], 8) == 7
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin", "--selfheal-reruns=1",
                        "--selfheal-time-budget=40", "-o", "python_functions=check_*",
                        "--timeout", "1", "-W", "error::DeprecationWarning", "-k", "check", "-q",
                        "tests", timeout=120)
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    hung = ["tests/test_search.py::check_last", "tests/test_search.py::check_middle"]
    assert {n: v["kind"] for n, v in triage_verdicts(report).items()} == dict.fromkeys(hung, "deterministic")
    assert report["status"] == "healed", report["reason"]
    assert sorted(report["fix"]["fixed"]) == hung
    assert "+            lo = mid + 1\n" in (latest_run_dir(repo) / "fix.diff").read_text()
    start = json.loads((latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()[0])
    assert start["pytest_options"] == ["-p", "no:cacheprovider", "-o", "python_functions=check_*",
                                       "--timeout=1", "-W", "error::DeprecationWarning"]
