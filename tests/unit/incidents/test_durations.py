"""`--baseline` and `--window` durations."""

from __future__ import annotations

import argparse

import pytest

from pytest_selfheal.cli.incidents import duration


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("24h", 86400),
                                               ("1.5d", 129600)])
def test_durations_read_in_seconds(text: str, seconds: float) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["24", "0h", "-1h", "1w", "h"])
def test_other_texts_say_how_to_write_one(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"is not a duration: write e\.g\. 30m"):
        duration(text)
