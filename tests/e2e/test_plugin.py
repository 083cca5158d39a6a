"""The pytest face: options, ini keys, [tool.selfheal], the header, and a light import."""

import json
import subprocess
import sys

import pytest
from helpers import init_repo, run_pytest

PASSING = "def test_ok():\n    assert True\n"


def inline(pytester, *args):
    """An in-process run; pytest-benchmark (if installed) would refuse to run under xdist."""
    return pytester.runpytest("-p", "no:benchmark", *args)


def header_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("selfheal:"))


def test_plain_run_imports_nothing_heavy(tmp_path):
    (tmp_path / "test_mods.py").write_text(
        "import json, sys\n"
        "def test_record():\n"
        "    heavy = ['anthropic', 'libcst', 'git', 'rich', 'coverage']\n"
        "    loaded = [m for m in heavy if m in sys.modules]\n"
        "    open('loaded.json', 'w').write(json.dumps(loaded))\n"
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "pytest_selfheal.plugin" in subprocess.run(
        [sys.executable, "-m", "pytest", "--trace-config", "--co", "-q"], cwd=tmp_path,
        capture_output=True, text=True).stdout, "the plugin must be registered via pytest11"
    assert json.loads((tmp_path / "loaded.json").read_text()) == []


def test_header_shows_agent_and_budget(pytester, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    pytester.makepyfile(PASSING)
    result = inline(pytester, "--selfheal", "--selfheal-time-budget=45")
    assert header_line(result.stdout.str()) == (
        "selfheal: on (--selfheal); agent=builtin, time budget=45s, max candidates=5000"
    )
    assert result.stdout.str().count("only the builtin agent runs (ANTHROPIC_API_KEY is not set") == 1


def test_no_header_when_not_asked(pytester):
    pytester.makepyfile(PASSING)
    assert "selfheal:" not in inline(pytester).stdout.str()


def test_cli_beats_ini_beats_pyproject(pytester, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    pytester.makepyfile(PASSING)
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\nselfheal_max_candidates = '7'\n"
        "[tool.selfheal]\nenabled = true\nmax_candidates = 5\ntime-budget = 33\n"
    )
    header = header_line(inline(pytester).stdout.str())
    assert header == "selfheal: on ([tool.selfheal]); agent=builtin, time budget=33s, max candidates=7"
    header = header_line(inline(pytester, "--selfheal-max-candidates=3").stdout.str())
    assert header.endswith("max candidates=3")


def test_no_selfheal_beats_addopts(pytester):
    pytester.makepyfile(PASSING)
    pytester.makeini("[pytest]\naddopts = --selfheal\n")
    assert header_line(inline(pytester, "--no-selfheal").stdout.str()) == (
        "selfheal: off (--no-selfheal)"
    )


@pytest.mark.parametrize(
    ("args", "reason"),
    [(["--collect-only"], "--collect-only runs no tests"), (["--pdb"], "--pdb is interactive")],
)
def test_off_for_collect_only_and_pdb(pytester, args, reason):
    pytester.makepyfile(PASSING)
    assert reason in header_line(inline(pytester, "--selfheal", *args).stdout.str())


def test_claude_agent_without_a_key_is_a_clear_usage_error(pytester, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    pytester.makepyfile(PASSING)
    result = inline(pytester, "--selfheal", "--selfheal-agent=claude")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "export ANTHROPIC_API_KEY, or use --selfheal-agent=builtin" in result.stderr.str()


def test_bad_value_is_a_usage_error_naming_the_option(pytester):
    pytester.makepyfile(PASSING)
    result = inline(pytester, "--selfheal", "--selfheal-time-budget=never")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--selfheal-time-budget (from command line)" in result.stderr.str()


def test_green_run_does_nothing(tmp_path):
    (tmp_path / "test_green.py").write_text(PASSING)
    init_repo(tmp_path)
    result = run_pytest(tmp_path, "--selfheal")
    assert result.returncode == 0
    assert "self-heal" not in result.stdout
    assert not (tmp_path / ".selfheal").exists()
