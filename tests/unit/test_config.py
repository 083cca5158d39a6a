"""Settings precedence and the on/off decision, as pure functions."""

import pytest

from pytest_selfheal.config import (
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
