"""The claude agent's pure parts: strict prompts, budget, prices and symbols (redaction, shared
with every writer, is tested in tests/unit/test_redaction.py)."""

import subprocess
import sys
import zipfile

import pytest

from pytest_selfheal.agents.claude import prompts
from pytest_selfheal.agents.claude.budget import Budget, SpendLimits
from pytest_selfheal.agents.claude.pricing import PRICES, model_info
from pytest_selfheal.agents.claude.symbols import function_at, symbols
from pytest_selfheal.config import DEFAULT_MODEL, resolve
from pytest_selfheal.errors import AgentError, ConfigError


def test_prompt_rendering_is_strict():
    assert "Python files" in prompts.render("system", scope="Python files")
    with pytest.raises(AgentError, match=r"missing variables \['scope'\]"):
        prompts.render("system")
    with pytest.raises(AgentError, match=r"unexpected \['extra'\]"):
        prompts.render("system", scope="x", extra="y")


def test_budget_is_checked_before_each_call_and_charged_from_usage():
    budget = Budget(SpendLimits(calls=3, tokens=10_000, dollars=1.0, seconds=60), model_info("claude-sonnet-5-5"))
    assert budget.exhausted() is None
    budget.charge_call()
    budget.charge_usage({"input_tokens": 1_000, "output_tokens": 100, "cache_read_input_tokens": 2_000,
                         "cache_creation_input_tokens": None})
    assert budget.tokens == 3_100
    assert budget.dollars == pytest.approx((1_000 * 2 + 100 * 10 + 2_000 * 0.2) / 1e6)
    budget.charge_usage({"input_tokens": 7_000})
    assert budget.exhausted() == "budget: 10100 of 10000 tokens used"
    assert budget.remaining_tokens() == 0


def test_call_cap_comes_first():
    budget = Budget(SpendLimits(calls=1, tokens=10, dollars=1.0, seconds=60), model_info(DEFAULT_MODEL))
    budget.charge_call()
    assert budget.exhausted() == "budget: 1 of 1 model calls made"


def test_prices_live_in_one_table_and_can_be_overridden():
    assert DEFAULT_MODEL in PRICES
    assert model_info("claude-sonnet-4-5-20250929") is PRICES["claude-sonnet-4-5"]
    assert model_info("claude-sonnet-5-5").temperature is False
    custom = model_info("my-proxy-model", "0.5,2")
    assert (custom.input, custom.output) == (0.5, 2.0)
    with pytest.raises(ConfigError, match="pass --selfheal-model-price INPUT,OUTPUT"):
        model_info("my-proxy-model")


def test_budget_options_resolve_and_validate():
    settings = resolve({"max_calls": "4", "max_dollars": "0.25", "model_price": "1, 5"}, {}, {}, env={})
    assert (settings.max_calls, settings.max_dollars, settings.model_price) == (4, 0.25, "1,5")
    assert settings.model == DEFAULT_MODEL
    with pytest.raises(ConfigError, match="--selfheal-model-price"):
        resolve({"model_price": "cheap"}, {}, {}, env={})
    with pytest.raises(ConfigError, match="--selfheal-max-calls"):
        resolve({"max_calls": "0"}, {}, {}, env={})


def test_auto_resolves_to_the_chain_only_with_a_key(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert resolve({}, {}, {}, env={}).resolved_agent == "builtin"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    assert resolve({}, {}, {}, env={}).resolved_agent == "auto"


def test_symbols_lists_nested_definitions_with_spans():
    source = "class A:\n    def f(self):\n        return 1\n\ndef g():\n    pass\n"
    assert [(s.kind, s.qualname, s.start, s.end) for s in symbols(source)] == [
        ("class", "A", 1, 3), ("def", "A.f", 2, 3), ("def", "g", 5, 6)]
    found = function_at(source, 3)
    assert found is not None and found.qualname == "A.f"


def test_wheel_ships_the_prompt_files(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=root, check=True, capture_output=True)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "pytest_selfheal/agents/claude/prompts/system.txt" in names
    assert "pytest_selfheal/agents/claude/prompts/first_message.txt" in names
