"""Against the real Anthropic API: only with --run-live and ANTHROPIC_API_KEY, and a small budget."""

import os

import pytest
from helpers import fingerprint, latest_report, run_pytest

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def live_only(request):
    if not request.config.getoption("--run-live"):
        pytest.skip("calls the real Anthropic API: pass --run-live")
    if not os.environ.get("ANTHROPIC_API_KEY"):
        pytest.skip("--run-live needs ANTHROPIC_API_KEY")


def test_claude_heals_an_example_within_a_small_budget(example_repo):
    repo = example_repo("invoice")
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=claude", "--selfheal-max-dollars=0.5",
                        "--selfheal-max-calls=15", timeout=600)
    assert fingerprint(repo) == before
    report = latest_report(repo)
    spend = report["agent_report"]["spend"]
    assert spend["calls"] <= 15 and spend["dollars"] <= 0.5 + 0.05, "one call may overshoot a little"
    assert report["status"] == "healed", result.stdout
