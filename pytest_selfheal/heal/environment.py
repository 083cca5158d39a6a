"""Failures of what this machine lacks: a test whose setup raised in the tests' own code (a
conftest's fixture) or in installed code (a plugin's fixture, the standard library below a
fixture), while no line of the project's code ran. natsort's fixture sets the `en_US.UTF-8`
locale, which a machine without it refuses (`locale.Error: unsupported locale setting`); other
projects' fixtures open a service or a file that is not there. No change to the source can
make such a test pass, so triage holds it as `environment`, says where it was raised, and the
heal repairs the other failures instead of spending its budget and its localization on these.

The evidence is both the traceback (no frame in the project's source) and the probe's coverage
of the test's setup and call (no line of the project's source): a fixture that calls the
project's code, or imports a module of it that raises, is the code's to repair.
"""

from __future__ import annotations

from collections.abc import Callable, Set

from ..models import Failure, Line


def raised_outside_the_code(failure: Failure, executed: Set[Line] | None,
                            is_test_file: Callable[[str], bool]) -> str | None:
    """Why `failure` depends on the machine, not on the code, for a setup error raised in test
    files or installed code while the test (as the probe traced it, `executed`) ran none of the
    project's lines; None for any other failure, and where there is no traceback or no trace."""
    if (failure.phase != "setup" or failure.exc_type == "FixtureLookupError" or executed is None
            or not failure.frames):
        return None
    in_repository = [frame for frame in failure.frames if not frame.path.startswith("/")]
    if not all(is_test_file(frame.path) for frame in in_repository):
        return None
    if any(not is_test_file(path) for path, _ in executed):
        return None
    where = in_repository[-1] if in_repository else failure.frames[-1]
    below = ", in code outside the repository" if failure.frames[-1] is not where else ""
    message = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
    return (f"{failure.exc_type}: {message}, raised while pytest set the test up, by "
            f"{_shown(where.path)}:{where.line} ({where.function}){below}, and no line of the "
            "project's code ran: it depends on what this machine has (a locale, a service, a "
            "file), not on the code; not repaired")


def _shown(path: str) -> str:
    """An installed file by its path below site-packages (a plugin's fixture: `pytest_django/
    fixtures.py`), a file of the repository as it is."""
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            return path.rsplit(marker, 1)[1]
    return path
