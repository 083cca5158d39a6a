"""A setup error raised outside the project's code, which did not run: the machine's, not the
code's. Told from the traceback and the probe's coverage together."""

from __future__ import annotations

import pytest

from pytest_selfheal.heal.environment import raised_outside_the_code
from pytest_selfheal.models import Failure, Frame
from pytest_selfheal.testfiles import TestFiles

STDLIB = "/usr/lib/python3.12/locale.py"
FIXTURE = (Frame("tests/conftest.py", 30, "with_locale_en_us"), Frame("tests/conftest.py", 23, "load_locale"))
IS_TEST_FILE = TestFiles(("test_*.py",))
RAN_THE_CONFTEST = frozenset({("tests/conftest.py", 23), ("tests/conftest.py", 30)})


def setup_error(*frames: Frame, exc_type: str = "locale.Error", phase: str = "setup") -> Failure:
    return Failure("tests/test_sort.py::test_locale", phase, exc_type, "unsupported locale setting\n",
                   frames=frames)


def test_a_fixture_that_fails_in_the_standard_library_before_the_project_runs_is_the_machines():
    note = raised_outside_the_code(setup_error(*FIXTURE, Frame(STDLIB, 610, "setlocale")),
                                   RAN_THE_CONFTEST, IS_TEST_FILE)
    assert note == ("locale.Error: unsupported locale setting, raised while pytest set the test up, "
                    "by tests/conftest.py:23 (load_locale), in code outside the repository, and no "
                    "line of the project's code ran: it depends on what this machine has (a locale, "
                    "a service, a file), not on the code; not repaired")


def test_a_fixture_that_raises_itself_names_its_own_line():
    note = raised_outside_the_code(setup_error(*FIXTURE, exc_type="FileNotFoundError"),
                                   RAN_THE_CONFTEST, IS_TEST_FILE)
    assert note is not None and note.startswith(
        "FileNotFoundError: unsupported locale setting, raised while pytest set the test up, by "
        "tests/conftest.py:23 (load_locale), and no line")


def test_a_plugins_fixture_that_fails_is_named_below_site_packages():
    """A fixture of an installed plugin (a database it opens): no frame in the repository."""
    plugin = Frame("/venv/lib/python3.12/site-packages/pytest_db/fixtures.py", 40, "database")
    note = raised_outside_the_code(setup_error(plugin, exc_type="OperationalError"), frozenset(),
                                   IS_TEST_FILE)
    assert note is not None and note.startswith(
        "OperationalError: unsupported locale setting, raised while pytest set the test up, by "
        "pytest_db/fixtures.py:40 (database), and no line of the project's code ran")


@pytest.mark.parametrize(("failure", "executed"), [
    # the project's code ran in the setup: a fixture calling it may fail for its bug
    (setup_error(*FIXTURE, Frame(STDLIB, 610, "setlocale")), RAN_THE_CONFTEST | {("natsort/utils.py", 9)}),
    # the project's code is in the traceback: a module the fixture imports raised
    (setup_error(*FIXTURE, Frame("natsort/compat/locale.py", 4, "<module>")), RAN_THE_CONFTEST),
    # not a setup error: the test's own call may fail for what the code returned
    (setup_error(*FIXTURE, Frame(STDLIB, 610, "setlocale"), phase="call"), RAN_THE_CONFTEST),
    # pytest's own lookup of a fixture (not_installed.py tells that one)
    (setup_error(*FIXTURE, exc_type="FixtureLookupError"), RAN_THE_CONFTEST),
    # no evidence: no traceback, or the probe did not trace the test
    (setup_error(), RAN_THE_CONFTEST),
    (setup_error(*FIXTURE, Frame(STDLIB, 610, "setlocale")), None),
])
def test_anything_the_code_may_have_caused_is_not_the_machines(failure, executed):
    assert raised_outside_the_code(failure, executed, IS_TEST_FILE) is None
