"""A secret from the environment, passed by a test to the buggy function, is in nothing a heal writes
or shows: not under .selfheal/, not in fix.diff, not in the regression test, not in the branch the
fix is committed to, not on the terminal. The heal still finds the fix."""

import textwrap
from pathlib import Path

import pytest
from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV = {"AWS_SECRET_ACCESS_KEY": SECRET}
# pytest's own failure report would print the secret (it is the test's doing, not the heal's): the
# traceback, and the short summary, which on CI (CI or BUILD_NUMBER set) is not cut at the terminal
# width; without them, any trace of the secret on the terminal comes from the heal
QUIET = ("--tb=no", "-rN")

MASK_MODULE = '''\
"""Credentials shown in logs, all but their last characters hidden."""


def mask(secret: str, visible: int = 4) -> str:
    """`secret` with all but its last `visible` characters hidden; the length is kept."""
    hidden = len(secret) - visible
    return "*" * hidden + secret[hidden + 1:]
'''
SECRET_TEST = '''\
import os

from secrets_util import mask


def test_mask_keeps_the_length_of_the_secret():
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    assert len(mask(secret)) == len(secret)


def test_a_short_value_is_hidden_entirely():
    assert mask("abc", visible=0) == "***"
'''
PLAIN_TEST = '''

def test_mask_shows_the_last_four_characters():
    assert mask("abcdefgh") == "****efgh"
'''


def project(path: Path, tests: str) -> Path:
    (path / "secrets_util").mkdir(parents=True)
    (path / "secrets_util" / "__init__.py").write_text(MASK_MODULE)
    (path / "tests").mkdir()
    (path / "tests" / "test_mask.py").write_text(tests)
    (path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "secrets-util"
        version = "0.1.0"

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
        """))
    return init_repo(path)


def traces(text: str) -> list[str]:
    """The secret, or any ten characters of it in a row, in `text`."""
    return [SECRET[i:i + 10] for i in range(len(SECRET) - 9) if SECRET[i:i + 10] in text]


def written(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): p.read_bytes().decode("utf-8", "replace")
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_secret_is_in_nothing_written_committed_or_shown_and_the_fix_is_found(tmp_path):
    repo = project(tmp_path / "repo", SECRET_TEST + PLAIN_TEST)
    result = run_pytest(repo, "--selfheal", "--selfheal-branch", *QUIET, env=ENV)
    assert result.returncode == 1, result.stdout
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert report["fix"]["files"] == ["secrets_util/__init__.py"]

    for name, text in written(repo / ".selfheal").items():
        assert not traces(text), f"{name} holds the secret"
    assert not traces(result.stdout + result.stderr)
    assert "= mask('[REDACTED]')" in report["failures"][0]["message"]

    # the regression test comes from the call without the secret; fix.diff applies as it is
    run_dir = latest_run_dir(repo)
    regression = (run_dir / "test_regression_mask.py").read_text()
    assert "assert mask('abcdefgh') == '****efgh'" in regression
    diff = (run_dir / "fix.diff").read_text()
    assert "+++ b/tests/test_regression_mask.py" in diff and not traces(diff)
    fresh = project(tmp_path / "fresh", SECRET_TEST + PLAIN_TEST)
    git(fresh, "apply", str(run_dir / "fix.diff"))
    assert run_pytest(fresh, env=ENV).returncode == 0

    branch = report["mode"]["branch"]
    assert report["mode"]["done"] and branch == f"selfheal/{report['run_id']}"
    committed = git(repo, "show", branch)
    assert "tests/test_regression_mask.py" in committed and not traces(committed)


def test_when_every_recorded_call_holds_the_secret_the_regression_test_reads_it_as_the_test_does(tmp_path):
    """No witness call can be written (each holds the secret), so the regression test is the
    failing test copied: it takes the secret from the environment, as the user's test does, and
    holds none itself."""
    repo = project(tmp_path / "repo", SECRET_TEST)
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", *QUIET, env=ENV)
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    regression = report["regression"]
    assert regression["path"] == "tests/test_regression_mask.py", regression["reason"]
    assert "every witness (1 call(s) of mask whose outcome the fix changed) held a secret" in \
        regression["reason"]
    run_dir = latest_run_dir(repo)
    diff = (run_dir / "fix.diff").read_text()
    assert 'secret = os.environ["AWS_SECRET_ACCESS_KEY"]' in diff
    for name, text in written(repo / ".selfheal").items():
        assert not traces(text), f"{name} holds the secret"
    assert not traces(result.stdout + result.stderr)
