"""Healing next to the tools a suite already uses: xdist, pytest-cov, junit XML, -p no:selfheal,
and selection options (--lf, -k, -x: healing considers only what ran); off, with the reason,
for --collect-only and --pdb."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import (
    copy_example,
    init_repo,
    latest_report,
    latest_run_dir,
    offline_env,
    readme_snippet,
    run_pytest,
    user_env,
)

pytestmark = pytest.mark.slow

AT_THRESHOLD = "tests/test_discounts.py::test_discount_at_threshold"


def junit_cases(path: Path) -> tuple[dict[str, str], list[tuple[str, str, tuple[object, ...]]]]:
    """The suite's counts and each case's outcome, without timings, hostnames and our property."""
    suite = ET.parse(path).getroot().find("testsuite")
    counts = {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
    cases = []
    for case in suite.iter("testcase"):
        results = tuple((c.tag, c.get("message"), c.text) for c in case if c.tag != "properties")
        cases.append((case.get("classname"), case.get("name"), results))
    return counts, sorted(cases)


def run_properties(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    return {case.get("name"): prop.get("value")
            for case in root.iter("testcase") for prop in case.iter("property")
            if prop.get("name") == "selfheal_run"}


def test_junit_outcomes_unchanged_under_xdist_and_failing_cases_point_to_the_run(example_repo):
    repo = example_repo("invoice")
    plain = run_pytest(repo, "--junitxml=plain.xml")
    healed = run_pytest(repo, "--selfheal", "-n", "2", "--junitxml=healed.xml")
    assert plain.returncode == healed.returncode == 1
    assert "2 workers" in healed.stdout and "healed: plausible fix" in healed.stdout
    assert junit_cases(repo / "healed.xml") == junit_cases(repo / "plain.xml")
    run = latest_run_dir(repo)
    assert run_properties(repo / "healed.xml") == {
        "test_discount_at_threshold": f".selfheal/runs/{run.name}",
        "test_order_of_exactly_one_hundred_is_discounted": f".selfheal/runs/{run.name}",
    }
    assert run_properties(repo / "plain.xml") == {}


def test_pytest_cov_in_the_same_run_measures_the_same_lines(example_repo):
    repo = example_repo("invoice")
    plain = run_pytest(repo, "--cov=invoice", "--cov-report=json:plain.json")
    healed = run_pytest(repo, "--selfheal", "--cov=invoice", "--cov-report=json:healed.json")
    assert plain.returncode == healed.returncode == 1
    assert "healed: plausible fix" in healed.stdout

    def executed(name: str) -> dict[str, list[int]]:
        data = json.loads((repo / name).read_text())
        return {path: f["executed_lines"] for path, f in data["files"].items()}

    assert executed("healed.json") == executed("plain.json")
    assert executed("plain.json")["invoice/discounts.py"]
    assert latest_report(repo)["status"] == "healed"


def test_disabled_plugin_is_a_plain_run(example_repo):
    repo = example_repo("invoice")
    plain = run_pytest(repo, "-p", "no:selfheal")
    assert plain.returncode == 1 and "selfheal" not in plain.stdout
    refused = run_pytest(repo, "-p", "no:selfheal", "--selfheal")
    assert refused.returncode == 4 and "unrecognized arguments: --selfheal" in refused.stderr
    assert not (repo / ".selfheal").exists()


def test_last_failed_heals_with_only_the_tests_that_ran(example_repo):
    repo = example_repo("invoice")

    def pytest_with_cache(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=repo, env=user_env(),
                              capture_output=True, text=True, timeout=300)

    assert pytest_with_cache().returncode == 1
    rerun = pytest_with_cache("--lf", "--selfheal")
    assert "2 failed" in rerun.stdout and "passed" not in rerun.stdout.splitlines()[-1]
    report = latest_report(repo)
    assert report["totals"]["tests_run"] == 2 and report["status"] == "healed"


@pytest.mark.parametrize("selection", [["-k", "discount_at_threshold or no_discount"], ["-x"]])
def test_deselected_and_unrun_tests_are_not_healed(selection, example_repo):
    repo = example_repo("invoice")
    result = run_pytest(repo, "--selfheal", *selection)
    assert result.returncode == 1
    report = latest_report(repo)
    assert [f["nodeid"] for f in report["failures"]] == [AT_THRESHOLD]
    if selection[0] == "-k":
        assert report["totals"]["tests_run"] == 2
    assert report["targets"] == [AT_THRESHOLD] and report["status"] == "healed"


@pytest.mark.parametrize(("args", "reason"), [
    (["--collect-only"], "selfheal: off: --collect-only runs no tests"),
    (["--pdb", "-k", "no_discount"], "selfheal: off: --pdb is interactive; heal in a separate run"),
])
def test_off_with_the_reason_in_the_header(args, reason, example_repo):
    repo = example_repo("invoice")
    result = run_pytest(repo, "--selfheal", *args)
    assert reason in result.stdout.splitlines()
    assert not (repo / ".selfheal").exists()


def test_tox_env_heals_with_its_virtualenv_inside_the_checkout(tmp_path):
    """The README's tox snippet; the env sees this interpreter's packages (offline) and this code.

    tox installs with `python -I`, which would hide them: the override drops the -I.
    """
    repo = copy_example("invoice", tmp_path / "repo")
    (repo / "tox.ini").write_text(readme_snippet("### tox", "ini"))
    (repo / ".gitignore").write_text(".tox/\n*.egg-info/\n__pycache__/\n")
    init_repo(repo)
    summary = tmp_path / "summary.md"
    env = user_env({**offline_env(tmp_path / "site"), "GITHUB_STEP_SUMMARY": str(summary)})
    result = subprocess.run([sys.executable, "-m", "tox", "-e", "py", "-x", "testenv.pass_env+=PYTHONPATH",
                             "-x", "testenv.install_command=python -m pip install {opts} {packages}"],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout
    assert "healed: plausible fix" in result.stdout
    assert summary.read_text().startswith("## pytest-selfheal: healed")
