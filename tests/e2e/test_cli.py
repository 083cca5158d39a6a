"""The console script's demo: the main job a new user runs first."""

import os
import re
import subprocess
import sys

import pytest
from helpers import latest_report

pytestmark = pytest.mark.slow


def test_demo_heals_the_default_example(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pytest_selfheal", "demo", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "healed: plausible fix" in plain
    assert "+    return subtotal >= threshold" in plain
    assert latest_report(tmp_path / "invoice")["status"] == "healed"


def test_demo_rejects_unknown_example(tmp_path):
    result = subprocess.run(["pytest-selfheal", "demo", "nope", "--dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "choose one of: incident, inventory, invoice, textstats" in result.stderr


def test_demo_as_the_readme_runs_it_keeps_its_repository(tmp_path):
    """No --dir: the demo repository lives in the temp dir, beside the heal's own sandboxes."""
    result = subprocess.run(["pytest-selfheal", "demo"], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    (repo,) = tmp_path.glob("*/invoice")
    assert latest_report(repo)["status"] == "healed"
    assert (repo / "invoice" / "discounts.py").is_file()
