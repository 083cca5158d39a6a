"""The wall caps every wait by the time left and says what it killed."""

import time

from pytest_selfheal.sandbox.wall import Wall


def test_an_unset_wall_caps_nothing():
    wall = Wall()
    assert wall.cap(300.0) == 300.0
    assert not wall.passed()
    assert wall.summary() is None


def test_a_wait_is_cut_at_the_wall_and_never_negative():
    wall = Wall()
    wall.set(time.monotonic() + 5.0, 5.0)
    assert 4.0 < wall.cap(300.0) <= 5.0
    assert wall.cap(1.0) == 1.0
    wall.set(time.monotonic() - 1.0, 5.0)
    assert wall.cap(300.0) == 0.0 and wall.passed()


def test_the_summary_names_the_budget_and_everything_killed():
    wall = Wall()
    wall.set(time.monotonic(), 20.0)
    wall.hit("a pytest process (pid 12) running 3 test(s) of tests/test_a.py, after 14.0s")
    wall.hit("the warm test process (pid 13) with 1 job(s) of 2 unanswered")
    assert wall.summary() == (
        "the time budget of 20s ran out, and what was still running was killed: a pytest process "
        "(pid 12) running 3 test(s) of tests/test_a.py, after 14.0s; the warm test process (pid 13) "
        "with 1 job(s) of 2 unanswered. Raise --selfheal-time-budget to let the heal finish")
