"""Frames from a traceback's text, and which deployed paths are the repository's files."""

from __future__ import annotations

from pytest_selfheal.incidents.occurrence import RawFrame
from pytest_selfheal.incidents.stacktrace import ProjectFiles, frames_of

PROJECT = ProjectFiles.of(["shop/cart.py", "cart.py", "shop/api.py"])
CHAINED = '''Traceback (most recent call last):
  File "/srv/app/shop/cart.py", line 4, in load
    return json.loads(text)
ValueError: bad

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/app/shop/api.py", line 20, in handle
    return cart.total()
  File "/srv/app/shop/cart.py", line 9, in total
    raise KeyError(sku)
  File "/usr/lib/python3.11/site-packages/shop/cart.py", line 1, in other
KeyError: 'sku-1'
'''


def test_the_raised_exceptions_frames_are_read_with_their_repository_paths() -> None:
    assert frames_of(CHAINED, PROJECT) == (
        RawFrame("shop/api.py", 20, "handle", True),
        RawFrame("shop/cart.py", 9, "total", True),
        RawFrame("/usr/lib/python3.11/site-packages/shop/cart.py", 1, "other", False),
    )


def test_the_longest_tracked_tail_names_the_file() -> None:
    assert PROJECT.relative("/srv/app/shop/cart.py") == "shop/cart.py"
    assert PROJECT.relative("/srv/cart.py") == "cart.py"
    assert PROJECT.relative("/srv/app/shopcart.py") is None
    assert PROJECT.relative("shop/api.py") == "shop/api.py"
    assert PROJECT.relative("/srv/app/other/module.py") is None


def test_text_without_frames_gives_none() -> None:
    assert frames_of("KeyError: 'x'", PROJECT) == ()
