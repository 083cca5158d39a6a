"""Errors that carry their fix: every message says what to do next."""

from __future__ import annotations


class SelfHealError(Exception):
    """Base of every error the plugin raises on purpose."""


class ConfigError(SelfHealError):
    """An option or ini value is invalid; surfaced as a pytest usage error."""


class SandboxError(SelfHealError):
    """The isolated worktree cannot be created or cannot be trusted."""


class PatchError(SelfHealError):
    """An edit does not apply: no match, ambiguous match or invalid syntax."""


class AgentError(SelfHealError):
    """An agent cannot run (bad script, unknown name, broken reply)."""


class OutputError(SelfHealError):
    """The run directory cannot be written."""
