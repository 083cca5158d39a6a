from pathlib import Path

import pytest

from pytest_selfheal.config import Settings
from pytest_selfheal.heal.request import HealRequest
from pytest_selfheal.models import Failure

FAILING = "tests/test_discounts.py::test_discount_at_threshold"


def no_agent(name: str):
    raise AssertionError("writing or showing a heal's result never makes an agent")


@pytest.fixture
def heal_request(tmp_path: Path) -> HealRequest:
    """One failing test of two that ran, as the user's session hands it to a heal."""
    return HealRequest(
        repo_root=tmp_path, rootdir=tmp_path,
        failures=(Failure(FAILING, "call", "AssertionError", "assert 95.0 == 90.0\nwhere ..."),),
        outcomes={FAILING: "failed", "tests/test_discounts.py::test_rate": "passed"},
        settings=Settings(), make_agent=no_agent, run_id="20260101-000000-000001",
    )
