"""Settings precedence, the on/off decision and where the output may go, as pure functions."""

import re

import pytest

from pytest_selfheal.config import (
    Collection,
    RunContext,
    Settings,
    decide,
    mode_from_flags,
    parse_agent,
    parse_mode,
    resolve,
)
from pytest_selfheal.errors import ConfigError


def test_defaults():
    assert resolve({}, {}, {}, env={}) == Settings()


def test_cli_beats_ini_beats_pyproject_beats_env():
    layers = [{"time_budget": "10"}, {"time_budget": "20"}, {"time_budget": 30},
              {"SELFHEAL_TIME_BUDGET": "40"}]
    assert resolve(*layers[:3], env=layers[3]).time_budget == 10
    assert resolve({}, *layers[1:3], env=layers[3]).time_budget == 20
    assert resolve({}, {}, layers[2], env=layers[3]).time_budget == 30
    assert resolve({}, {}, {}, env=layers[3]).time_budget == 40


def test_empty_values_fall_through():
    assert resolve({"max_candidates": None}, {"max_candidates": ""}, {"max_candidates": 7},
                   env={}).max_candidates == 7


@pytest.mark.parametrize("raw", ["0", "-3", "soon"])
def test_bad_budget_names_option_and_source(raw):
    with pytest.raises(ConfigError, match=r"--selfheal-time-budget \(from ini selfheal_time_budget\)"):
        resolve({}, {"time_budget": raw}, {}, env={})


@pytest.mark.parametrize("agent", ["auto", "builtin", "claude", "scripted:x.json"])
def test_known_agents_parse(agent):
    assert parse_agent(agent) == agent


@pytest.mark.parametrize("agent", ["gpt", "scripted:", ""])
def test_unknown_agent_lists_choices(agent):
    with pytest.raises(ConfigError, match="auto, builtin, claude"):
        parse_agent(agent)


def test_auto_resolves_to_builtin():
    assert Settings(agent="auto").resolved_agent == "builtin"


@pytest.mark.parametrize(
    ("context", "on", "words"),
    [
        (RunContext(flag=None, ini_enabled=False, pyproject_enabled=False), False, "pass --selfheal"),
        (RunContext(flag=True, ini_enabled=False, pyproject_enabled=False), True, "--selfheal"),
        (RunContext(flag=None, ini_enabled=True, pyproject_enabled=False), True, "ini"),
        (RunContext(flag=None, ini_enabled=False, pyproject_enabled=True), True, "[tool.selfheal]"),
        (RunContext(flag=False, ini_enabled=True, pyproject_enabled=True), False, "--no-selfheal"),
        (RunContext(flag=True, ini_enabled=False, pyproject_enabled=False, is_xdist_worker=True),
         False, "xdist workers"),
        (RunContext(flag=True, ini_enabled=False, pyproject_enabled=False, collect_only=True),
         False, "--collect-only"),
        (RunContext(flag=True, ini_enabled=False, pyproject_enabled=False, pdb=True), False, "--pdb"),
    ],
)
def test_decide(context, on, words):
    decided, reason = decide(context)
    assert decided is on
    assert words in reason


@pytest.mark.parametrize("apply, branch, mode", [
    (True, None, "apply"), (None, True, "branch"), (None, None, None), (False, False, None)])
def test_mode_flags(apply, branch, mode):
    assert mode_from_flags(apply, branch) == mode


def test_mode_errors_name_the_fix():
    with pytest.raises(ConfigError, match="exclude each other: pass only one"):
        mode_from_flags(True, True)
    with pytest.raises(ConfigError, match="use report, apply"):
        parse_mode("merge")
    assert parse_mode(" Branch ") == "branch"


PYTEST_NORECURSEDIRS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


def checked(tmp_path, output, *, source="cli", norecursedirs=PYTEST_NORECURSEDIRS, testpaths=()):
    layers = {"cli": ({"output": output}, {}, {}, {}), "ini": ({}, {"output": output}, {}, {}),
              "pyproject": ({}, {}, {"output": output}, {}),
              "env": ({}, {}, {}, {"SELFHEAL_OUTPUT": output})}[source]
    where = Collection(tmp_path / "project", norecursedirs, testpaths)
    return resolve(*layers[:3], env=layers[3], output_in=where)


@pytest.mark.parametrize("source, words", [("cli", "command line"), ("ini", "ini selfheal_output"),
                                           ("pyproject", "[tool.selfheal] output"),
                                           ("env", "environment SELFHEAL_OUTPUT")])
def test_output_outside_the_rootdir_is_refused_naming_its_source(tmp_path, source, words):
    for outside in ("/var/tmp/runs", "../..", "../sibling"):
        with pytest.raises(ConfigError, match=rf"--selfheal-output '{outside}' \(from {re.escape(words)}\) "
                                              "is outside the rootdir .*such as the default .selfheal"):
            checked(tmp_path, outside, source=source)


@pytest.mark.parametrize("rootdir", [".", "./", "sub/..", "{root}"])
def test_output_that_is_the_rootdir_is_refused(tmp_path, rootdir):
    with pytest.raises(ConfigError, match=r"is the rootdir itself: .* Use a directory of its own"):
        checked(tmp_path, rootdir.format(root=tmp_path / "project"))


@pytest.mark.parametrize("output, norecursedirs, testpaths, collected", [
    ("out", PYTEST_NORECURSEDIRS, (), True),
    ("tests/out", PYTEST_NORECURSEDIRS, ("tests",), True),
    ("out", PYTEST_NORECURSEDIRS, ("tests",), False),  # a plain `pytest` collects tests/ only
    ("src/pkg/out", PYTEST_NORECURSEDIRS, ("src/*",), True),
    (".selfheal", PYTEST_NORECURSEDIRS, (), False),
    ("build/selfheal", PYTEST_NORECURSEDIRS, (), False),
    (".selfheal", ("build", "dist"), (), False),  # without ".*": plugin.py ignores the default
    (".selfheal-runs", ("build", "dist"), (), True),
    (".selfheal", ("build", ".selfheal"), (), False),
    ("out", ("out",), (), False),
    ("tests/.runs", PYTEST_NORECURSEDIRS, ("tests",), False),
    ("out", PYTEST_NORECURSEDIRS, (".",), True),
])
def test_output_pytest_collects_from_is_refused(tmp_path, output, norecursedirs, testpaths, collected):
    if not collected:
        assert checked(tmp_path, output, norecursedirs=norecursedirs, testpaths=testpaths).output == output
        return
    with pytest.raises(ConfigError, match=rf"is a directory pytest collects tests from: .* add '{output}' "
                                          "to norecursedirs"):
        checked(tmp_path, output, norecursedirs=norecursedirs, testpaths=testpaths)


def test_without_pytest_settings_only_the_place_is_checked(tmp_path):
    """The console script does not know norecursedirs: it refuses only what is outside the rootdir
    or is the rootdir."""
    assert resolve({}, {}, {"output": "out"}, env={}, output_in=Collection(tmp_path)).output == "out"
    with pytest.raises(ConfigError, match="is the rootdir itself"):
        resolve({}, {}, {"output": "."}, env={}, output_in=Collection(tmp_path))
