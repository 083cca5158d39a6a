"""The Agent protocol, the Workbench an agent works against, and the registry of agents.

Import-light on purpose: plugin.py consults the registry while pytest configures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings
    from ..models import Candidate, Failure, Outcome, Spectrum, Suspect


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


class Agent(Protocol):
    @property
    def name(self) -> str: ...

    def repair(self, bench: Workbench) -> str:
        """Propose and try candidates until told to stop; return why it stopped."""
        ...


AgentFactory = Callable[["Settings", str], Agent]


def _builtin(settings: Settings, argument: str) -> Agent:
    from .builtin.agent import BuiltinAgent

    return BuiltinAgent()


def _scripted(settings: Settings, argument: str) -> Agent:
    from .scripted import ScriptedAgent

    return ScriptedAgent.from_file(Path(argument))


REGISTRY: dict[str, AgentFactory] = {"builtin": _builtin, "scripted": _scripted}


def split_spec(spec: str) -> tuple[str, str]:
    """`scripted:PATH` -> ("scripted", "PATH"); `builtin` -> ("builtin", "")."""
    name, _, argument = spec.partition(":")
    return name, argument


def check_available(spec: str) -> None:
    """Fail at configure time, with the fix, for an agent that cannot run here."""
    name, _ = split_spec(spec)
    if name == "claude":
        raise ConfigError(
            "--selfheal-agent=claude is not available in this version: "
            "use --selfheal-agent=builtin (or auto)"
        )
    if name != "auto" and name not in REGISTRY:
        raise ConfigError(f"unknown agent {spec!r}: use one of auto, builtin, scripted:PATH")


def create_agent(spec: str, settings: Settings) -> Agent:
    name, argument = split_spec(spec)
    return REGISTRY[name](settings, argument)
