from people.names import CALLS, initials, signature


def test_two_names():
    assert initials("Ada Lovelace") == "A.L."


def test_signature_with_a_title():
    assert signature("Grace Hopper", title="Rear Admiral") == "Rear Admiral G.H."


def test_calls_are_counted():
    before = CALLS["initials"]
    signature("x")
    assert CALLS["initials"] == before + 1
