"""The Agent protocol, the Workbench an agent works against, and the registry of agents.

Import-light on purpose: plugin.py consults the registry while pytest configures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..config import API_KEY_ENV
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings
    from ..models import Candidate, Failure, Outcome, Spectrum, Suspect, TestRunResult


class Workbench(Protocol):
    """What an agent sees of a heal, and the one way it can try a fix."""

    @property
    def root(self) -> Path: ...  # the sandbox worktree; read it, never write it directly
    @property
    def failures(self) -> tuple[Failure, ...]: ...
    @property
    def suspects(self) -> tuple[Suspect, ...]: ...
    @property
    def spectrum(self) -> Spectrum: ...

    def try_candidate(self, candidate: Candidate) -> Outcome:
        """Validate a candidate in the sandbox; the sandbox is restored afterwards."""
        ...

    def try_batch(self, candidates: Sequence[Candidate]) -> list[Outcome]:
        """try_candidate for each in order (stopping when stop_reason() says so), screened in
        parallel first; returns the outcomes of those tried."""
        ...

    def stop_reason(self) -> str | None:
        """Why the agent must stop now (healed, time budget, candidate budget), or None."""
        ...

    @property
    def healed(self) -> bool: ...  # a plausible fix makes every target pass (search may go on)

    @property
    def run_dir(self) -> Path | None: ...  # where the heal's output goes (transcripts)

    def is_test_file(self, rel: str) -> bool:
        """True for a test module, conftest.py or a file a test nodeid names."""
        ...

    def run(self, nodeids: Sequence[str]) -> TestRunResult:
        """Run tests on the unpatched worktree (the suite when `nodeids` is empty)."""
        ...


class Agent(Protocol):
    @property
    def name(self) -> str: ...

    def repair(self, bench: Workbench) -> str:
        """Propose and try candidates until told to stop; return why it stopped."""
        ...


@runtime_checkable
class Reporting(Protocol):
    """An agent with more to say in report.json than its stop reason (spend, rationale)."""

    def agent_report(self) -> dict[str, Any]: ...


def report_of(agent: Agent) -> dict[str, Any]:
    return agent.agent_report() if isinstance(agent, Reporting) else {}


@dataclass(frozen=True)
class ChainAgent:
    """Agents in turn on one bench: the next starts only if the previous left it unhealed."""

    agents: tuple[Agent, ...]
    name: str = "auto"

    def repair(self, bench: Workbench) -> str:
        reasons = []
        for agent in self.agents:
            reasons.append(f"{agent.name}: {agent.repair(bench)}")
            if bench.healed or bench.stop_reason():
                break
        return "; ".join(reasons)

    def agent_report(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for agent in self.agents:
            merged.update(report_of(agent))
        return merged


AgentFactory = Callable[["Settings", str], Agent]


def _builtin(settings: Settings, argument: str) -> Agent:
    from .builtin.agent import BuiltinAgent

    return BuiltinAgent()


def _scripted(settings: Settings, argument: str) -> Agent:
    from .scripted import ScriptedAgent

    return ScriptedAgent.from_file(Path(argument))


def _claude(settings: Settings, argument: str) -> Agent:
    from .claude.agent import ClaudeAgent

    return ClaudeAgent.from_settings(settings)


def _auto(settings: Settings, argument: str) -> Agent:
    """Builtin first (cheap, offline), then claude; `resolved_agent` picks this only with a key."""
    return ChainAgent((_builtin(settings, ""), _claude(settings, "")))


REGISTRY: dict[str, AgentFactory] = {
    "builtin": _builtin, "scripted": _scripted, "claude": _claude, "auto": _auto,
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
    return REGISTRY[name](settings, argument)
