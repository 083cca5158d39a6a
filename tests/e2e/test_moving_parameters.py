"""A project shaped like isodate: its tests are parametrized from sets of tuples mixing strings,
None and datetimes, so pytest numbers the parameters it cannot name by their position in the
set, and the set's order (string and datetime hashes, None's address on Python 3.11) differs in
every process. The heal finds the user's failing cases in the sandbox by their values."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from helpers import fingerprint, git, latest_report, latest_run_dir, make_repo, run_pytest, user_env

PARSE = '''
    """ISO 8601 dates and times, read from text."""

    import re
    from datetime import date, datetime, time, timedelta

    _CALENDAR = re.compile(r"(?P<year>\\d{4})-?(?P<month>\\d{2})-?(?P<day>\\d{2})")
    _ORDINAL = re.compile(r"(?P<year>\\d{4})-?(?P<ordinal>\\d{3})")
    _TIME = re.compile(r"(?P<hour>\\d{2}):?(?P<minute>\\d{2})(?::?(?P<second>\\d{2}))?")


    def parse_date(text):
        """The date an ISO 8601 calendar (1985-04-12) or ordinal (1985-102) date names."""
        match = _CALENDAR.fullmatch(text)
        if match:
            year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
            if not 1 <= month < 12:
                raise ValueError(f"month out of range in {text!r}")
            return date(year, month, day)
        match = _ORDINAL.fullmatch(text)
        if match:
            return date(int(match["year"]), 1, 1) + timedelta(days=int(match["ordinal"]) - 1)
        raise ValueError(f"not an ISO 8601 date: {text!r}")


    def parse_datetime(text):
        """The datetime of an ISO 8601 date, "T" and a time of day (1985-04-12T10:15:30)."""
        day, _, clock = text.partition("T")
        match = _TIME.fullmatch(clock)
        if not match:
            raise ValueError(f"not an ISO 8601 time of day: {clock!r}")
        return datetime.combine(parse_date(day), time(int(match["hour"]), int(match["minute"]),
                                                      int(match["second"] or 0)))
'''

TESTS = '''
    from datetime import date, datetime

    import pytest

    from isodates.parse import parse_date, parse_datetime

    # (text, the date it names, or None when it names none)
    DATES = {
        ("1985-04-12", date(1985, 4, 12)),
        ("19850412", date(1985, 4, 12)),
        ("1985-102", date(1985, 4, 12)),
        ("1985102", date(1985, 4, 12)),
        ("1999-12-31", date(1999, 12, 31)),
        ("20001231", date(2000, 12, 31)),
        ("2000-366", date(2000, 12, 31)),
        ("2024-02-29", date(2024, 2, 29)),
        ("1985-13-01", None),
        ("1985-00-10", None),
        ("April 12", None),
        ("", None),
    }

    # (a datetime, the format that writes it as ISO 8601)
    DATETIMES = {
        (datetime(1985, 4, 12, 10, 15, 30), "%Y-%m-%dT%H:%M:%S"),
        (datetime(1985, 4, 12, 10, 15), "%Y%m%dT%H%M"),
        (datetime(1999, 12, 31, 23, 59, 59), "%Y-%m-%dT%H:%M:%S"),
        (datetime(2000, 1, 1, 0, 0), "%Y%m%dT%H%M"),
        (datetime(2000, 12, 31, 12, 0), "%Y-%m-%dT%H:%M"),
        (datetime(2024, 2, 29, 6, 30), "%Y-%m-%dT%H:%M"),
        (datetime(1970, 1, 1, 0, 0, 1), "%Y%m%dT%H%M%S"),
        (datetime(2038, 1, 19, 3, 14, 7), "%Y-%m-%dT%H:%M:%S"),
        (datetime(1985, 12, 1, 8, 0), "%Y%m%dT%H%M"),
        (datetime(2010, 6, 15, 18, 45), "%Y-%m-%dT%H:%M"),
        (datetime(2010, 7, 15, 18, 45), "%Y-%m-%dT%H:%M"),
        (datetime(2012, 11, 30, 9, 5, 0), "%Y%m%dT%H%M%S"),
    }


    @pytest.mark.parametrize("text, expected", DATES)
    def test_parse_date(text, expected):
        if expected is None:
            with pytest.raises(ValueError):
                parse_date(text)
        else:
            assert parse_date(text) == expected


    @pytest.mark.parametrize("expected, form", DATETIMES)
    def test_parse_datetime(expected, form):
        assert parse_datetime(expected.strftime(form)) == expected
'''

FILES = {"isodates/__init__.py": "", "isodates/parse.py": PARSE, "tests/test_parse.py": TESTS,
         "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\nfilterwarnings = ["error"]\n'}
COLLECTIONS = 6


def collected_ids(repo) -> list[str]:
    """The test ids a fresh pytest process gives, with its own random hash seed."""
    env = {k: v for k, v in user_env().items() if k != "PYTHONHASHSEED"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                             "--collect-only", "-q"], cwd=repo, capture_output=True, text=True,
                            env=env, timeout=120)
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_failing_cases_whose_ids_move_between_processes_are_found_by_their_values(tmp_path):
    repo = make_repo(tmp_path / "isodates", FILES)
    orders = [collected_ids(repo) for _ in range(COLLECTIONS)]
    assert len(orders[0]) == 24
    assert any(order != orders[0] for order in orders[1:]), \
        "the premise: another process numbers the same cases otherwise"
    before = fingerprint(repo)

    result = run_pytest(repo, "--selfheal")

    assert result.returncode == 1, "a red run stays red"
    failing = sorted(set(re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE)))
    # the December cases: two dates and three datetimes, each numbered by its place in a set
    assert len(failing) == 5 and any(re.search(r"expected\d+", nodeid) for nodeid in failing)
    assert fingerprint(repo) == before, "the user's checkout must not change"
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert sorted(report["targets"]) == failing, "the user's failures, by the user's ids"
    verdicts = {f["nodeid"]: f["kind"] for f in report["triage"]["failures"]}
    assert {verdicts[nodeid] for nodeid in failing} == {"deterministic"}
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "--- a/isodates/parse.py" in diff and "+        if not 1 <= month <= 12:" in diff
    assert report["regression"]["path"] == "tests/test_regression_parse_date.py", report["regression"]

    fresh = make_repo(tmp_path / "fresh", FILES)
    shutil.copy(latest_run_dir(repo) / "fix.diff", tmp_path / "fix.diff")
    git(fresh, "apply", str(tmp_path / "fix.diff"))
    green = run_pytest(fresh)
    assert green.returncode == 0, green.stdout


VERSION = '''
    """Versions with three numbers."""


    class Version:
        def __init__(self, major, minor, patch):
            self.major, self.minor, self.patch = major, patch, patch

        def __repr__(self):
            return f"Version({self.major}, {self.minor}, {self.patch})"

        def bump_minor(self):
            return Version(self.major, self.minor + 1, 0)
'''

VERSION_TESTS = '''
    import pytest

    from versions.version import Version


    @pytest.mark.parametrize("version, shown", [
        (Version(1, 2, 3), "Version(1, 2, 3)"),
        (Version(0, 9, 0), "Version(0, 9, 0)"),
        (Version(2, 0, 1), "Version(2, 0, 1)"),
    ])
    def test_repr(version, shown):
        assert repr(version) == shown


    @pytest.mark.parametrize("version", [Version(1, 1, 1), Version(3, 3, 0)])
    def test_bump_minor(version):
        assert version.bump_minor().minor == version.minor + 1
'''


def test_cases_from_a_list_whose_reprs_the_fix_changes_keep_the_users_ids(tmp_path):
    """The parameters' reprs show the bug (`minor` stored as `patch`), so the fixed code's cases
    match none of the user's by value; from a list, their ids hold, and the heal judges them."""
    files = {"versions/__init__.py": "", "versions/version.py": VERSION,
             "tests/test_version.py": VERSION_TESTS,
             "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\nfilterwarnings = ["error"]\n'}
    repo = make_repo(tmp_path / "versions", files)

    result = run_pytest(repo, "--selfheal")

    failing = set(re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE))
    assert len(failing) == 5 and all(re.search(r"\[version\d+", nodeid) for nodeid in failing), failing
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert "+        self.major, self.minor, self.patch = major, minor, patch" in (
        latest_run_dir(repo) / "fix.diff").read_text()
