"""A production incident healed through the public doors: `pytest-selfheal heal FILE` and
`pytest --selfheal-incident=FILE`. The reproduction test is the target, the whole suite the
gate; fix.diff carries the reproduction test as the regression test and applies to a clone,
where the suite and that test pass. The checkout is only read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_example, fingerprint, git, init_repo, latest_report, latest_run_dir, user_env

from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException

pytestmark = pytest.mark.slow

def _project(root: Path) -> Path:
    """The example service: its suite passes; an even number of ratings fails in production."""
    return init_repo(copy_example("service", root))


def _incidents(path: Path, version: str = "") -> Path:
    """A nightly job's IndexError on an even number of ratings, as the runtime hook records it."""
    median = IncidentFrame("ratings/stats.py", 10, "median", True, (
        {"name": "values", "kind": "positional", "default": False,
         "value": {"seq": "list", "items": [{"literal": "4"}, {"literal": "2"}]}},))
    job = IncidentFrame("jobs/nightly.py", 31, "<module>", False)
    incident = Incident("9a8b7c6d5e4f3210", 1764900000.0, version, "job", {"pid": 11},
                        (RaisedException("IndexError", "list index out of range", "raised",
                                         (job, median)),))
    path.write_text(incident.to_line() + "\n", encoding="utf-8")
    return path


def test_pytest_selfheal_heal_repairs_the_reproduction_and_ships_it_as_the_regression_test(tmp_path):
    repo = _project(tmp_path / "service")
    incidents = _incidents(tmp_path / "incidents.jsonl")
    before = fingerprint(repo)

    # (pytest's own cache is the user's run's, not the heal's: kept out of the comparison)
    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "heal", str(incidents), "--",
                           "-p", "no:cacheprovider"], cwd=repo, capture_output=True, text=True,
                          timeout=600, env=user_env())

    assert done.returncode == 0, done.stdout + done.stderr
    assert "checks only that the exception is gone" in done.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed"
    assert report["regression"]["path"] == "tests/test_incident_9a8b7c6d.py"
    assert report["regression"]["calls"] == "median"
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "+++ b/ratings/stats.py" in diff and "+++ b/tests/test_incident_9a8b7c6d.py" in diff
    assert "+++ b/tests/test_stats.py" not in diff  # the user's tests are never edited

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "apply", str(latest_run_dir(repo) / "fix.diff"))
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=clone, capture_output=True, text=True, timeout=120, env=user_env())
    assert suite.returncode == 0 and "8 passed" in suite.stdout, suite.stdout
    # and the reproduction test fails on the code the incident came from
    git(clone, "checkout", "-q", "--", "ratings/stats.py")
    again = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/test_incident_9a8b7c6d.py"], cwd=clone, capture_output=True,
                           text=True, timeout=120, env=user_env())
    assert again.returncode == 1 and "IndexError" in again.stdout


def test_an_incident_fixed_since_is_not_healed_again(tmp_path):
    repo = _project(tmp_path / "service")
    deployed = git(repo, "rev-parse", "HEAD").strip()
    stats = repo / "ratings/stats.py"
    stats.write_text(stats.read_text().replace("middle + 1]", "middle - 1]"))
    git(repo, "commit", "-qam", "the mean of the two middle values")
    incidents = _incidents(tmp_path / "incidents.jsonl", version=deployed)

    done = subprocess.run([sys.executable, "-m", "pytest", f"--selfheal-incident={incidents}",
                           "-p", "no:cacheprovider"], cwd=repo, capture_output=True, text=True,
                          timeout=600, env=user_env())

    assert done.returncode == 0, done.stdout  # the suite is green, and stays so
    assert "incident 9a8b7c6d is already fixed" in done.stdout
    assert git(repo, "rev-parse", "HEAD")[:12] in done.stdout.replace("\n", "")


def test_an_incident_file_that_is_missing_or_holds_no_such_id_is_a_usage_error(tmp_path):
    repo = _project(tmp_path / "service")
    incidents = _incidents(tmp_path / "incidents.jsonl")

    missing = subprocess.run([sys.executable, "-m", "pytest", "--selfheal-incident=nowhere.jsonl"],
                             cwd=repo, capture_output=True, text=True, timeout=120, env=user_env())
    unknown = subprocess.run([sys.executable, "-m", "pytest", f"--selfheal-incident={incidents}",
                              "--selfheal-incident-id=ffff"], cwd=repo, capture_output=True,
                             text=True, timeout=120, env=user_env())

    assert missing.returncode == pytest.ExitCode.USAGE_ERROR
    assert "no incident file at nowhere.jsonl" in missing.stderr
    assert unknown.returncode == pytest.ExitCode.USAGE_ERROR
    assert "no incident in" in unknown.stderr and "starting 'ffff'" in unknown.stderr


def test_decisions_say_the_target_came_from_the_incident(tmp_path):
    repo = _project(tmp_path / "service")
    incidents = _incidents(tmp_path / "incidents.jsonl")

    subprocess.run([sys.executable, "-m", "pytest", f"--selfheal-incident={incidents}",
                    "-p", "no:cacheprovider"], cwd=repo, capture_output=True, text=True, timeout=600, env=user_env())

    decisions = [json.loads(line) for line in
                 (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()]
    start = next(d for d in decisions if d["kind"] == "start")
    assert start["failures"] == ["tests/test_incident_9a8b7c6d.py::test_incident_9a8b7c6d"]
    regression = next(d for d in decisions if d["kind"] == "regression")
    assert regression["reproduces"].startswith("incident 9a8b7c6d (IndexError")
    # the reproduction test the heal added is nobody's change: no causal link to it
    [verdict] = next(d for d in decisions if d["kind"] == "triage")["verdicts"]["failures"]
    assert verdict["kind"] == "deterministic"
    assert not any(e.startswith("tests/test_incident_") for e in verdict["evidence"]), verdict


def test_branch_mode_commits_the_fix_with_its_reproduction_test(tmp_path):
    """In CI, --selfheal-branch: one commit on a new branch holds the source fix and the
    reproduction test; the checkout and its HEAD stay as they were."""
    repo = _project(tmp_path / "service")
    incidents = _incidents(tmp_path / "incidents.jsonl")
    head = git(repo, "rev-parse", "HEAD").strip()

    subprocess.run([sys.executable, "-m", "pytest", f"--selfheal-incident={incidents}",
                    "--selfheal-branch", "-p", "no:cacheprovider"], cwd=repo, capture_output=True,
                   text=True, timeout=600, env=user_env())

    report = latest_report(repo)
    branch = report["mode"]["branch"]
    assert report["mode"]["done"] is True, report["mode"]
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "rev-parse", f"{branch}^").strip() == head
    assert git(repo, "diff", "--name-only", head, branch).split() == [
        "ratings/stats.py", "tests/test_incident_9a8b7c6d.py"]
