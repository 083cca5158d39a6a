"""Grouping by the heal's signature."""

from __future__ import annotations

from collections import Counter
from random import Random

from pytest_selfheal.heal.signature import normalize, signature
from pytest_selfheal.incidents.groups import EXAMPLES, group
from pytest_selfheal.incidents.occurrence import Occurrence, RawFrame

SOCKET = RawFrame("/usr/lib/python3.11/socket.py", 851, "create_connection", False)


def seen(n: int, message: str, version: str = "v1", where: str = "shop/cart.py") -> Occurrence:
    return Occurrence(f"id-{n}", float(n), version, "KeyError", message,
                      (RawFrame("shop/api.py", 3, "handle", True), RawFrame(where, 9 + n % 2, "total", True)))


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
                       (RawFrame("shop/rates.py", 7, "fetch", True), SOCKET))
    failure = found.failure()
    assert [f.path for f in failure.frames] == ["shop/rates.py", "/usr/lib/python3.11/socket.py"]
    assert group([found])[0].signature.text == "TimeoutError: timed out @ shop/rates.py::fetch"


def test_no_project_frame_is_said_in_the_signature() -> None:
    found = Occurrence("id", 0.0, "v", "OSError", "disk full", (SOCKET,))
    assert group([found])[0].signature.text == "OSError: disk full @ <no project frame>"


# messages built of what normalize's patterns look at: digits, hex letters, separators of times,
# dates, paths and numbers
ALPHABET = "0123456789abcdefxXZTe+-:./\\ '_@~"


def messages(rng: Random, count: int) -> list[str]:
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(40))) for _ in range(count)]


def test_messages_of_one_shape_normalize_alike_when_no_digit_is_kept() -> None:
    """What grouping relies on to normalize once per shape (see groups.group)."""
    rng = Random(18)
    kept = 0
    for message in messages(rng, 5000):
        other = "".join(rng.choice("123456789") if c in "123456789" else c for c in message)
        if not any(c in "123456789" for c in normalize(message)):
            kept += 1
            assert normalize(other) == normalize(message), message
    assert kept > 500  # the property was put to the test, not skipped


def test_each_incident_lands_in_the_group_of_its_own_signature() -> None:
    rng = Random(7)
    for _ in range(50):
        some = [*messages(rng, 12), "bad 0x1f", "bad 3x1f", "at 10:30:00", "at 12:39:09"]
        found = [seen(n, message) for n, message in enumerate(some)]
        found += [seen(n, "".join(rng.choice("0123456789") if c.isdigit() else c for c in message))
                  for n, message in enumerate(some)]
        expected = Counter(signature(o.failure()).key for o in found)
        assert {g.signature.key: len(g.times) for g in group(found)} == dict(expected)
