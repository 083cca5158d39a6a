"""`pytest-selfheal demo incident`: the example service served with the real runtime hook over
HTTP, one request answers 500, and the incident it recorded is triaged and healed."""

import subprocess
import sys

import pytest
from helpers import latest_report, user_env

pytestmark = pytest.mark.slow


def test_the_incident_demo_heals_what_production_hit(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "demo", "incident", "--dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=600,
                          env=user_env())

    assert done.returncode == 0, done.stdout + done.stderr
    assert "GET /products/shelf-04/rating  ->  500" in done.stdout
    assert "GET /products/chair-03/rating  ->  200" in done.stdout
    assert "IndexError" in done.stdout.split("$ pytest-selfheal heal")[0]  # the incidents table
    report = latest_report(tmp_path / "incident")
    assert report["status"] == "healed"
    assert report["regression"]["path"].startswith("tests/test_incident_")
    diff = next((tmp_path / "incident" / ".selfheal" / "runs").glob("*/fix.diff")).read_text()
    assert "+    return (ordered[middle] + ordered[middle - 1]) / 2" in diff
