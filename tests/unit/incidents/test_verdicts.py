"""The verdict per signature: counts in the windows, the Poisson tail with its prior, transient."""

from __future__ import annotations

from pathlib import Path

from pytest_selfheal.incidents.deploys import Deploy
from pytest_selfheal.incidents.groups import group
from pytest_selfheal.incidents.links import Changes
from pytest_selfheal.incidents.occurrence import Occurrence, RawFrame
from pytest_selfheal.incidents.verdicts import PRIOR, Windows, iso, judge

HOUR = 3600.0
AT = 100 * HOUR
DEPLOY = Deploy("new", "old", AT, AT - 48 * HOUR, AT + 12 * HOUR)
DAY = Windows(baseline=24 * HOUR, window=24 * HOUR)
CART = (RawFrame("shop/api.py", 3, "handle", True), RawFrame("shop/cart.py", 9, "total", True))
SOCKET = (RawFrame("shop/rates.py", 7, "fetch", True),
          RawFrame("/usr/lib/python3.11/socket.py", 851, "create_connection", False))


def occurrences(times: list[float], version: str, exc_type: str = "KeyError",
                frames: tuple[tuple[str, int, str, bool], ...] = CART) -> list[Occurrence]:
    return [Occurrence(f"{version}-{t}", t, version, exc_type, "'sku'", frames) for t in times]


def test_a_burst_after_the_deploy_is_a_regression() -> None:
    (found,) = group(occurrences([AT - 30 * HOUR, AT - 10 * HOUR], "old")
                     + occurrences([AT + 60 * n for n in range(20)], "new"))
    verdict = judge(found, DEPLOY, DAY, None)
    # one before in the baseline (the other is older than 24h), 20 after in the 12h the data covers
    assert (verdict.before, verdict.after) == (1, 20)
    assert verdict.status == "regression" and verdict.p_value is not None and verdict.p_value < 1e-6
    assert "expected 0.75" in verdict.note  # (1 + 1/2) x 12h / 24h
    assert verdict.as_json()["is_runtime_change"] is False  # no changed line linked


def test_the_same_rate_before_and_after_is_chronic() -> None:
    (found,) = group(occurrences([AT - n * HOUR for n in range(1, 25)], "old")
                     + occurrences([AT + n * HOUR for n in range(12)], "new"))
    verdict = judge(found, DEPLOY, DAY, None)
    assert (verdict.status, verdict.before, verdict.after) == ("chronic", 24, 12)
    assert verdict.p_value is not None and verdict.p_value > 0.3


def test_a_signature_unseen_before_is_judged_against_the_prior_not_zero() -> None:
    (found,) = group(occurrences([AT + HOUR], "new"))
    verdict = judge(found, DEPLOY, DAY, None)
    expected = PRIOR * 12 / 24
    assert verdict.status == "new" and verdict.p_value is not None and verdict.p_value > 0.05
    assert f"expected {expected:.3g}" in verdict.note


def test_without_any_incident_before_the_deploy_there_is_no_baseline() -> None:
    (found,) = group(occurrences([AT, AT + HOUR], "new"))
    verdict = judge(found, Deploy("new", "old", AT, AT, AT + HOUR), DAY, None)
    assert verdict.status == "new, no baseline" and verdict.p_value is None
    assert "no incident precedes the deploy: no baseline" in verdict.note


def test_a_signature_gone_since_the_deploy_and_one_without_a_deploy() -> None:
    (found,) = group(occurrences([AT - HOUR], "old"))
    assert judge(found, DEPLOY, DAY, None).status == "not since the deploy"
    verdict = judge(found, None, DAY, None)
    assert verdict.status == "no deploy" and verdict.p_value is None


def test_a_refused_connection_is_transient_and_never_a_runtime_change() -> None:
    (found,) = group(occurrences([AT + n for n in range(30)], "new", "ConnectionRefusedError", SOCKET))
    changes = Changes(Path("."), "old", "new", lines=frozenset({("shop/rates.py", 7)}))
    verdict = judge(found, DEPLOY, DAY, changes)
    assert verdict.transient == "ConnectionRefusedError is a network error"
    assert verdict.regression and verdict.link.causal_link
    assert verdict.as_json()["is_runtime_change"] is False


def test_the_json_verdict_has_every_field() -> None:
    (found,) = group(occurrences([AT + 1, AT + 2], "new"))
    changes = Changes(Path("."), "old", "new", lines=frozenset({("shop/cart.py", 9)}))
    row = judge(found, DEPLOY, DAY, changes).as_json()
    assert row["signature"] == "KeyError: 'sku' @ shop/cart.py::total"
    assert (row["causal_link"], row["confidence"], row["evidence"]) == (True, "high", ["shop/cart.py:9"])
    assert row["counts"] == {"before": 0, "after": 2, "total": 2}
    assert (row["first_seen"], row["last_seen"]) == (iso(AT + 1), iso(AT + 2))
    assert row["versions"] == ["new"] and row["examples"] == ["new-360001.0", "new-360002.0"]
    assert iso(0) == "1970-01-01T00:00:00Z"
