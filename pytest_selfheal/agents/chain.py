"""`auto`: the builtin agent first (offline, cheap), then claude on what it could not heal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Agent, Anticipating, Workbench, report_of

if TYPE_CHECKING:
    from ..config import Settings


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

    def anticipate(self, root: Path, paths: Sequence[str]) -> None:
        for agent in self.agents:
            if isinstance(agent, Anticipating):
                agent.anticipate(root, paths)

    def agent_report(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for agent in self.agents:
            merged.update(report_of(agent))
        return merged


def create(settings: Settings, argument: str) -> Agent:
    """`resolved_agent` picks `auto` only when an API key is set."""
    from .builtin.agent import create as builtin
    from .claude.agent import create as claude

    return ChainAgent((builtin(settings, ""), claude(settings, "")))
