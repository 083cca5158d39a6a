"""Which deploy is judged: versions by when each was first seen, or as named."""

from __future__ import annotations

import pytest

from pytest_selfheal.errors import SelfHealError
from pytest_selfheal.incidents.deploys import Deploy, find_deploy
from pytest_selfheal.incidents.groups import group
from pytest_selfheal.incidents.occurrence import Occurrence, RawFrame

FRAMES = (RawFrame("shop/cart.py", 9, "total", True),)


def seen(time: float, version: str, exc_type: str = "KeyError") -> Occurrence:
    return Occurrence(f"id-{time}", time, version, exc_type, "x", FRAMES)


GROUPS = group([seen(10, "aaa111"), seen(5, ""), seen(20, "bbb222", "OSError"), seen(30, "aaa111"),
                seen(40, "ccc333"), seen(50, "bbb222")])


def test_the_newest_version_is_judged_against_the_one_first_seen_before_it() -> None:
    assert find_deploy(GROUPS) == Deploy("ccc333", "bbb222", 40.0, 5.0, 50.0)


def test_named_versions_are_found_by_a_prefix_of_their_commit() -> None:
    assert find_deploy(GROUPS, version="bbb") == Deploy("bbb222", "aaa111", 20.0, 5.0, 50.0)
    assert find_deploy(GROUPS, version="ccc", baseline_version="aaa1") == Deploy(
        "ccc333", "aaa111", 40.0, 5.0, 50.0)


def test_one_known_version_is_no_deploy() -> None:
    assert find_deploy(group([seen(1, "aaa111"), seen(2, "")])) is None
    assert find_deploy(GROUPS, version="aaa") is None  # nothing was seen before it


def test_a_version_no_incident_was_recorded_on_names_those_that_were() -> None:
    with pytest.raises(SelfHealError, match=r"--version ddd: no incident was recorded on that "
                       r"version \(versions seen: aaa111, bbb222, ccc333\)"):
        find_deploy(GROUPS, version="ddd")
    alike = group([seen(1, "abc111"), seen(2, "abc222")])
    with pytest.raises(SelfHealError, match="--baseline-version abc is ambiguous: it starts 2 "
                       "versions seen"):
        find_deploy(alike, baseline_version="abc")
