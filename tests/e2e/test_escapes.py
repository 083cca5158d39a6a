"""Test output cannot drive the terminal or a CI runner through a heal: the terminal escapes and the
GitHub workflow commands (`::set-output ...`, `::error::...`) a test prints reach neither report.md
(nor the job summary made from it) nor the self-heal section, raw."""

import json
import textwrap
from pathlib import Path

import pytest
from helpers import init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

ESCAPE = "\x1b"
CALC_TEST = '''\
from calc import add


def test_add():
    print("\\x1b[31m::error file=calc/__init__.py::add is wrong\\x1b[0m")
    print("::set-output name=x::y")
    assert add(2, 3) == 5, "\\x1b[31m::error::the sum\\x1b[0m"
'''
# A conftest that needs a file git ignores: in the sandbox it prints and fails, and the heal's
# reason quotes its last lines.
NEEDS_LOCAL_SETTINGS = '''\
from pathlib import Path

if not (Path(__file__).parent / "local_settings.txt").exists():
    print("\\x1b[31mlocal_settings.txt is missing\\x1b[0m")
    print("::set-output name=x::y")
    print("::error::local_settings.txt is missing")
    raise RuntimeError("\\x1b[31m::error::no local settings\\x1b[0m")
'''


def project(path: Path, conftest: str = "") -> Path:
    (path / "calc").mkdir(parents=True)
    (path / "calc" / "__init__.py").write_text("def add(a, b):\n    return a - b\n")
    (path / "tests").mkdir()
    (path / "tests" / "test_calc.py").write_text(CALC_TEST)
    if conftest:
        (path / "tests" / "conftest.py").write_text(conftest)
        (path / "tests" / "local_settings.txt").write_text("debug = true\n")
        (path / ".gitignore").write_text("tests/local_settings.txt\n")
    (path / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
        """))
    return init_repo(path)


def self_heal_section(stdout: str) -> str:
    section = stdout.split("= self-heal =", 1)[1]
    return section.split("short test summary info", 1)[0]


def assert_inert(text: str) -> None:
    assert ESCAPE not in text and "\x9b" not in text
    commands = [line for line in text.splitlines() if line.lstrip().startswith("::")]
    assert not commands, commands


def test_escapes_and_workflow_commands_quoted_from_a_failing_conftest_are_inert(tmp_path):
    repo = project(tmp_path / "repo", NEEDS_LOCAL_SETTINGS)
    summary = tmp_path / "step-summary.md"
    result = run_pytest(repo, "--selfheal", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1, result.stdout
    report = latest_report(repo)
    assert report["status"] == "error" and "Its last lines:" in report["reason"]
    section = self_heal_section(result.stdout)
    markdown = (latest_run_dir(repo) / "report.md").read_text()
    for shown in (section, markdown, summary.read_text()):
        assert_inert(shown)
        # the lines did arrive, as text: escaped as GitHub escapes command text
        assert "    %3A%3Aerror::local_settings.txt is missing" in shown
        assert "    %3A%3Aset-output name=x::y" in shown
    assert "AssertionError: ::error::the sum" in section


def test_a_heal_of_a_test_that_prints_escapes_and_commands_shows_them_inert(tmp_path):
    repo = project(tmp_path / "repo")
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1, result.stdout
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    section = self_heal_section(result.stdout)
    assert_inert(section)
    assert "tests/test_calc.py::test_add: AssertionError: ::error::the sum" in section
    assert "+    return a + b" in section
    markdown = (latest_run_dir(repo) / "report.md").read_text()
    assert_inert(markdown)
    assert "`AssertionError: %3A%3Aerror::the sum`" in markdown  # a line of the message, escaped
    written = json.loads((latest_run_dir(repo) / "report.json").read_text())["failures"][0]
    assert ESCAPE not in written["message"] + written["output"]
    assert "%3A%3Aset-output name=x::y" in written["output"]
