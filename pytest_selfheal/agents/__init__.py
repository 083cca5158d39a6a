"""Agents propose candidate fixes; the heal validates them (base.py holds the protocols).

The registry names each agent's module by its dotted path: an agent is imported only when a heal
creates it, and plugin.py can check a name while pytest configures without importing any agent.
Each module has `create(settings, argument) -> Agent`.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from ..config import API_KEY_ENV
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Agent

REGISTRY: dict[str, str] = {
    "builtin": "pytest_selfheal.agents.builtin.agent",
    "scripted": "pytest_selfheal.agents.scripted",
    "claude": "pytest_selfheal.agents.claude.agent",
    "auto": "pytest_selfheal.agents.chain",
}


def split_spec(spec: str) -> tuple[str, str]:
    """`scripted:PATH` -> ("scripted", "PATH"); `builtin` -> ("builtin", "")."""
    name, _, argument = spec.partition(":")
    return name, argument


def check_available(spec: str) -> None:
    """Fail at configure time, with the fix, for an agent that cannot run here."""
    name, _ = split_spec(spec)
    if name == "claude" and not os.environ.get(API_KEY_ENV):
        raise ConfigError(
            "--selfheal-agent=claude needs an Anthropic API key: export ANTHROPIC_API_KEY, "
            "or use --selfheal-agent=builtin"
        )
    if name not in REGISTRY:
        raise ConfigError(f"unknown agent {spec!r}: use one of auto, builtin, claude, scripted:PATH")


def create_agent(spec: str, settings: Settings) -> Agent:
    name, argument = split_spec(spec)
    agent: Agent = importlib.import_module(REGISTRY[name]).create(settings, argument)
    return agent
