"""examples/ci/gitlab-ci.yml is a pipeline GitLab accepts: valid against GitLab's own schema (as
vendored by check-jsonschema), with a job whose artifacts name the files its script writes."""

import json
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
import yaml
from helpers import readme_snippet

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ci" / "gitlab-ci.yml"


def pipeline() -> dict[str, object]:
    loaded = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def gitlab_schema() -> jsonschema.Draft7Validator:
    vendored = files("check_jsonschema.builtin_schemas.vendor").joinpath("gitlab-ci.json")
    return jsonschema.Draft7Validator(json.loads(vendored.read_text(encoding="utf-8")))


def test_the_example_is_valid_against_gitlabs_schema():
    assert [error.message for error in gitlab_schema().iter_errors(pipeline())] == []


def test_the_schema_check_rejects_what_gitlab_rejects():
    broken = pipeline()
    job = broken["test"]
    assert isinstance(job, dict)
    job["artifacts"] = {**job["artifacts"], "when": "sometimes"}
    job["scripts"] = job.pop("script")
    errors = " ".join(error.message for error in gitlab_schema().iter_errors(broken))
    assert "'scripts' was unexpected" in errors and "'sometimes' is not one of" in errors


def test_the_job_keeps_the_junit_report_and_the_runs_whatever_the_outcome():
    job = pipeline()["test"]
    assert isinstance(job, dict)
    commands = [line for line in job["script"] if "pytest --selfheal" in line]
    assert len(commands) == 1
    junit = re.search(r"--junitxml[= ](\S+)", commands[0])
    assert junit, commands[0]
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always", "a red job keeps its artifacts"
    assert artifacts["reports"]["junit"] == junit[1]
    assert ".selfheal/runs/" in artifacts["paths"]


def test_the_readme_shows_the_example_as_it_is():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert readme_snippet("### GitLab CI", "yaml") == text[text.index("\ntest:") + 1:]
