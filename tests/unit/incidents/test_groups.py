"""Grouping by the heal's signature."""

from __future__ import annotations

from collections import Counter
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_selfheal.heal.signature import normalize, signature
from pytest_selfheal.incidents.groups import EXAMPLES, group
from pytest_selfheal.incidents.occurrence import Occurrence

SOCKET = ("/usr/lib/python3.11/socket.py", 851, "create_connection", False)


def seen(n: int, message: str, version: str = "v1", where: str = "shop/cart.py") -> Occurrence:
    return Occurrence(f"id-{n}", float(n), version, "KeyError", message,
                      (("shop/api.py", 3, "handle", True), (where, 9 + n % 2, "total", True)))


def test_the_same_error_in_the_same_place_is_one_group_whatever_its_values() -> None:
    groups = group([seen(1, "'sku-1'"), seen(2, "'sku-22'", "v2"), seen(3, "'sku-3'", where="shop/tax.py"),
                    seen(4, "'sku-4'"), seen(5, "'sku-5'", "v2")])
    assert [(g.signature.text, len(g.times)) for g in groups] == [
        ("KeyError: 'sku-<n>' @ shop/cart.py::total", 4),
        ("KeyError: 'sku-<n>' @ shop/tax.py::total", 1)]
    big = groups[0]
    assert big.versions == ["v1", "v2", "v1", "v2"] and (big.first_seen, big.last_seen) == (1.0, 5.0)
    assert big.examples == ["id-1", "id-2", "id-4"][:EXAMPLES]
    assert {v: o.id for v, o in big.latest.items()} == {"v1": "id-4", "v2": "id-5"}


def test_the_signature_is_the_heals_for_the_same_failure() -> None:
    found = seen(1, "'sku-1'")
    assert group([found])[0].signature == signature(found.failure())


def test_an_exception_raised_outside_the_project_keeps_its_innermost_frame_for_triage() -> None:
    found = Occurrence("id", 0.0, "v", "TimeoutError", "timed out",
                       (("shop/rates.py", 7, "fetch", True), SOCKET))
    failure = found.failure()
    assert [f.path for f in failure.frames] == ["shop/rates.py", "/usr/lib/python3.11/socket.py"]
    assert group([found])[0].signature.text == "TimeoutError: timed out @ shop/rates.py::fetch"


def test_no_project_frame_is_said_in_the_signature() -> None:
    found = Occurrence("id", 0.0, "v", "OSError", "disk full", (SOCKET,))
    assert group([found])[0].signature.text == "OSError: disk full @ <no project frame>"


# messages built of what normalize's patterns look at: digits, hex letters, separators of times,
# dates, paths and numbers
MESSAGES = st.text(alphabet="0123456789abcdefxXZTe+-:./\\ '_@~", max_size=40)


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.randoms(use_true_random=False))
def test_messages_of_one_shape_normalize_alike_when_no_digit_is_kept(message: str, rng: Random
                                                                     ) -> None:
    """What grouping relies on to normalize once per shape (see groups.group)."""
    other = "".join(rng.choice("123456789") if c in "123456789" else c for c in message)
    if not any(c in "123456789" for c in normalize(message)):
        assert normalize(other) == normalize(message)


@settings(max_examples=100, deadline=None)
@given(st.lists(MESSAGES, min_size=1, max_size=12))
def test_each_incident_lands_in_the_group_of_its_own_signature(messages: list[str]) -> None:
    found = [seen(n, message) for n, message in enumerate(messages)]
    expected = Counter(signature(o.failure()).key for o in found)
    assert {g.signature.key: len(g.times) for g in group(found)} == dict(expected)
