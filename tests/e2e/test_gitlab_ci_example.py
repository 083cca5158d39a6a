"""examples/ci/gitlab-ci.yml: its job's script, run for real as a GitLab runner runs it, on a
project whose tests fail, leaves the files its artifacts name."""

import glob
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from helpers import user_env

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "ci" / "gitlab-ci.yml"


def test_the_script_leaves_the_junit_report_and_the_run_directories(example_repo):
    repo = example_repo("invoice")  # shipped with its bug: `subtotal > threshold`
    job = yaml.safe_load(WORKFLOW.read_text())["test"]
    # a runner stops at the first failing line, with CI and GITLAB_CI set
    script = "set -eo pipefail\n" + "\n".join(job["script"])
    done = subprocess.run(["bash", "-c", script], cwd=repo, capture_output=True, text=True,
                          env=user_env({"CI": "true", "GITLAB_CI": "true"}), timeout=300)
    assert done.returncode == 1, "the job stays red"

    junit = ET.parse(repo / job["artifacts"]["reports"]["junit"])
    failed = [case for case in junit.iter("testcase") if case.find("failure") is not None]
    assert len(failed) == 2
    runs = {prop.get("value") for case in failed for prop in case.iter("property")
            if prop.get("name") == "selfheal_run"}
    assert len(runs) == 1, "each failing case names the run directory"

    kept = {Path(found) for pattern in job["artifacts"]["paths"]
            for found in glob.glob(pattern, root_dir=repo, include_hidden=True)}
    assert Path(job["artifacts"]["reports"]["junit"]) in kept
    (run,) = runs  # relative to the rootdir, where the job runs
    assert any(Path(run).is_relative_to(path) for path in kept), (run, kept)
    assert "+    return subtotal >= threshold" in (repo / run / "fix.diff").read_text()
