from pytest_selfheal.heal.behaviour import MAX_TESTS, passing_tests_through
from pytest_selfheal.models import Candidate, Edit, Spectrum

BEFORE = "def rate(w):\n    cents = 500\n    if w > 10:\n        cents += 1000\n    return cents\n"


def test_the_passing_tests_through_an_edit_are_those_that_ran_the_lines_it_changes():
    after = BEFORE.replace("w > 10", "w > 9")  # line 3, though the edit names no line
    candidate = Candidate(edits=(Edit(path="m.py", before=BEFORE, after=after, description=""),))
    covered = {"t::light": frozenset({("m.py", 2), ("m.py", 3)}), "t::other": frozenset({("m.py", 2)}),
               "t::failing": frozenset({("m.py", 3)}), "t::broken": frozenset({("m.py", 3)})}
    outcomes = {"t::light": "passed", "t::other": "passed", "t::failing": "failed", "t::broken": "failed"}
    assert passing_tests_through(Spectrum(covered, outcomes), candidate, {"t::failing"}) == ("t::light",)
    many = {f"t::{i}": frozenset({("m.py", 3)}) for i in range(MAX_TESTS + 5)}
    spectrum = Spectrum(many, dict.fromkeys(many, "passed"))
    assert len(passing_tests_through(spectrum, candidate, set())) == MAX_TESTS
