"""A failure's signature: the same bug gives the same text on any machine, another bug another."""

from helpers import failure

from pytest_selfheal.heal.signature import alike_groups, failing_alike, failure_groups, normalize, signature
from pytest_selfheal.models import Failure, Frame


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


def _is_test(path: str) -> bool:
    return path.startswith("tests/")


def test_failures_alike_share_the_project_function_that_raised_or_the_call_the_test_asserted():
    raised = [failure(f"total {n} exceeds {n - 5}", frames=(Frame(f"tests/test_{n}.py", 3, f"test_{n}"),
                                                          Frame("shop/cart.py", 14, "checkout")))
              for n in (10, 20)]
    assert failing_alike(raised[0], _is_test) == failing_alike(raised[1], _is_test) == (
        "ValueError: total <n> exceeds <n> @ shop/cart.py::checkout")
    asserted = [failure(f"assert {n + 5} == {n}\n +  where {n + 5} = discount({n}, 5)",
                        exc_type="AssertionError", frames=(Frame("tests/test_a.py", n, f"test_{n}"),))
                for n in (10, 20)]
    assert failing_alike(asserted[0], _is_test) == failing_alike(asserted[1], _is_test)
    assert signature(asserted[0]) != signature(asserted[1])  # the history keeps each test's own
    other_call = failure("assert 15 == 10\n +  where 15 = tax(10, 5)", exc_type="AssertionError",
                         frames=(Frame("tests/test_a.py", 10, "test_10"),))
    assert failing_alike(other_call, _is_test) != failing_alike(asserted[0], _is_test)


def test_errors_a_project_function_raises_are_alike_whatever_strings_they_quote():
    raised = [failure(f"Signature {token} does not match", exc_type="BadSignature",
                      frames=(Frame("tests/test_s.py", 3, "test_s"), Frame("pkg/signer.py", 9, "unsign")))
              for token in ("b'.P72WhLvV-3e5b1gs3aYjWpj0yFk'", "b'._lAOv9G9cPcln0dDxV9a_9b4le4'", "'x'")]
    assert {failing_alike(f, _is_test) for f in raised} == {
        "BadSignature: Signature <str> does not match @ pkg/signer.py::unsign"}
    assert len({signature(f) for f in raised}) == 3  # the history still tells them apart
    asserted = [failure(f"assert {word!r} == 'b'", exc_type="AssertionError",
                        frames=(Frame("tests/test_a.py", 3, "test_a"),)) for word in ("a", "c")]
    assert failing_alike(asserted[0], _is_test) != failing_alike(asserted[1], _is_test)


def _checked(nodeid: str, message: str, frames: tuple[Frame, ...], exc_type: str = "AssertionError") -> Failure:
    return Failure(nodeid, "call", exc_type, message, frames=frames)


def test_asserts_at_one_line_of_the_tests_are_alike_whatever_values_their_messages_show():
    # pyflakes: every test checks its source through one helper, whose message quotes that source
    helper = [_checked(f"pkg/test/test_{name}.py::Test::test_{name}{i}",
                       f"expected outputs: [] but got: {i}:{i}: use ==/!= with {name!r}\nfor input: x is {i}",
                       (Frame(f"pkg/test/test_{name}.py", 10 + i, f"Test.test_{name}{i}"),
                        Frame("pkg/test/harness.py", 34, "TestCase.flakes")))
              for name in ("literal", "names") for i in range(4)]
    # one parametrized test, and a mixin's test inherited by two classes
    parametrized = [_checked(f"tests/test_p.py::test_round[{v}]", f"assert {v * 3!r} == {v!r}",
                             (Frame("tests/test_p.py", 7, "test_round"),)) for v in ("a", "bb", "ccc")]
    inherited = [_checked(f"tests/test_{c}.py::{c}Test::test_get", f"KeyError {c!r}",
                          (Frame("tests/__init__.py", 41, "CacheTestMixin.test_get"),), exc_type="KeyError")
                 for c in ("lru", "lfu")]
    # the same message at another line joins its group; another line with other values does not
    same_value = _checked("tests/test_q.py::test_q", "assert 'aaa' == 'a'", (Frame("tests/test_q.py", 2, "test_q"),))
    apart = _checked("tests/test_r.py::test_r", "assert 1 == 2", (Frame("tests/test_r.py", 2, "test_r"),))
    failures = [*helper, same_value, *parametrized, apart, *inherited]
    groups = alike_groups(failures, lambda path: path.startswith(("tests/", "pkg/test/")))
    assert [(g.alike, list(g.nodeids)) for g in groups] == [
        ("AssertionError at pkg/test/harness.py:34", [f.nodeid for f in helper]),
        ("AssertionError at tests/test_p.py:7", [same_value.nodeid, *(f.nodeid for f in parametrized)]),
        ("AssertionError: assert <n> == <n> @ the test", [apart.nodeid]),
        ("KeyError at tests/__init__.py:41", [f.nodeid for f in inherited]),
    ]
    # the helper's messages differ by their numbers in each module: two messages; the
    # parametrized test's first case asserts what the other line does, one message of two failures
    assert [len(g.by_message) for g in groups] == [2, 3, 1, 2]
    assert groups[1].by_message[0] == (same_value.nodeid, parametrized[0].nodeid)


def test_errors_the_project_raised_through_one_line_of_the_tests_are_alike_wherever_raised():
    # cachetools: a mixin's `cache.popitem()`, inherited by a test class per cache, raises from
    # each class's own popitem, quoting each class's name
    mixin = Frame("tests/__init__.py", 120, "CacheTestMixin.test_popitem")
    popitem = [_checked(f"tests/test_{c.lower()}.py::{c}Test::test_popitem", f"'{c}: empty'",
                        (mixin, Frame("src/cachetools/__init__.py", 10 * i, f"{c}Cache.popitem")),
                        exc_type="KeyError")
               for i, c in enumerate(("FIFO", "LFU", "LRU", "RR"))]
    # another exception out of that line, and the same exception out of another line: apart
    other_type = _checked("tests/test_rr.py::RRTest::test_popitem_choice", "test error",
                          (mixin, Frame("src/cachetools/__init__.py", 70, "RRCache.popitem")),
                          exc_type="ValueError")
    other_line = _checked("tests/test_ttl.py::TTLTest::test_expire", "'TTL: empty'",
                          (Frame("tests/test_ttl.py", 30, "TTLTest.test_expire"),
                           Frame("src/cachetools/__init__.py", 90, "TTLCache.popitem")), exc_type="KeyError")
    groups = alike_groups([*popitem, other_type, other_line], lambda path: path.startswith("tests/"))
    assert [(g.alike, len(g.nodeids)) for g in groups] == [
        ("KeyError at tests/__init__.py:120", 4),
        ("ValueError: test error @ src/cachetools/__init__.py::RRCache.popitem", 1),
        ("KeyError: <str> @ src/cachetools/__init__.py::TTLCache.popitem", 1),
    ]
    assert len(groups[0].by_message) == 4  # raised at four places: four to screen candidates


def test_failures_group_by_type_and_the_place_that_raised_them_whatever_their_values():
    in_tests = [Failure(f"tests/test_{i % 2}.py::test_{i}", "call", "AssertionError", f"assert {i} == {i + 1}",
                        frames=(Frame(f"tests/test_{i % 2}.py", 3, f"test_{i}"),)) for i in range(5)]
    raised = [Failure(f"tests/test_b.py::test_b{i}", "call", "TypeError", "NoneType takes no arguments",
                      frames=(Frame("tests/test_b.py", 3, "test_b"), Frame("pkg/mod.py", 9, "build")))
              for i in range(2)]
    groups = failure_groups([raised[0], *in_tests, raised[1]], lambda path: path.startswith("tests/"))
    assert [(g.label, g.where, len(g.nodeids), g.files) for g in groups] == [
        ("AssertionError", "the tests", 5, 2),
        ("TypeError: NoneType takes no arguments", "pkg/mod.py::build", 2, 1),
    ]
