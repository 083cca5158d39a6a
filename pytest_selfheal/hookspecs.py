"""Hooks other plugins (or a conftest.py) can implement to extend healing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .agents.base import Agent
    from .config import Settings

hookspec = pluggy.HookspecMarker("pytest")


@hookspec(firstresult=True)
def pytest_selfheal_make_agent(name: str, settings: Settings) -> Agent | None:
    """Return the agent to heal with for `name` ("builtin", "scripted:PATH", ...).

    The first non-None result wins; the built-in registry answers last.
    """
