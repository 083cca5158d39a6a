"""A failure's signature: the same bug gives the same text on any machine, another bug another."""

from helpers import failure

from pytest_selfheal.heal.signature import normalize, signature
from pytest_selfheal.models import Frame


def test_signature_ignores_addresses_paths_numbers_uuids_and_times():
    one = failure("<Obj object at 0x7f3a2c1b9e50> failed in /tmp/pytest-of-ann/pytest-3/test_a0/x.json "
                  "after 12 tries (id 3f2a9c81-4b7e-4c0a-9d3e-1a2b3c4d5e6f, 2026-11-22T00:41:07Z, "
                  "commit 9fceb02d0ae598e95dc970b74767f19372d61af8)")
    two = failure("<Obj object at 0x10ab44f70> failed in /var/folders/q1/T/pytest-7/test_a1/x.json "
                  "after 3 tries (id 00000000-1111-2222-3333-444444444444, 2025-01-02 10:11:12, "
                  "commit 1111111aaaaaaa2222222bbbbbbb333333cccccc)")
    assert signature(one) == signature(two)
    assert signature(one).text == (
        "ValueError: <Obj object at <hex>> failed in <path> after <n> tries (id <uuid>, <time>, "
        "commit <hex>) @ pkg/mod.py::load"
    )


def test_signature_separates_types_messages_and_locations():
    base = signature(failure("bad value"))
    assert signature(failure("bad value", exc_type="KeyError")) != base
    assert signature(failure("other value")) != base
    assert signature(failure("bad value", frames=(Frame("pkg/other.py", 1, "f"),))) != base


def test_normalize_keeps_words():
    assert normalize("expected 'abc' got   'abd'\n") == "expected 'abc' got 'abd'"
