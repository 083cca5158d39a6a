"""Settings, resolved once: CLI > ini (`selfheal_*`) > `[tool.selfheal]` > env (`SELFHEAL_*`) > default.

Imports nothing heavy: a plain `pytest` run reads this module to register options.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

AGENT_NAMES = ("auto", "builtin", "claude")


def parse_agent(raw: str) -> str:
    value = raw.strip()
    if value in AGENT_NAMES or (value.startswith("scripted:") and len(value) > len("scripted:")):
        return value
    raise ConfigError(
        f"unknown agent {raw!r}: use one of auto, builtin, claude, or scripted:PATH "
        "(a JSON file of recorded edits)"
    )


def _positive(kind: Callable[[str], float | int]) -> Callable[[str], Any]:
    def parse(raw: str) -> float | int:
        try:
            value = kind(str(raw).strip())
        except ValueError:
            raise ConfigError(f"expected a positive {kind.__name__}, got {raw!r}") from None
        if value <= 0:
            raise ConfigError(f"expected a positive {kind.__name__}, got {raw!r}")
        return value

    return parse


def parse_bool(raw: str | bool) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"expected true or false, got {raw!r}")


def parse_path(raw: str) -> str:
    return str(raw).strip()


@dataclass(frozen=True)
class OptionSpec:
    """One setting: `--selfheal-<name>`, ini `selfheal_<name>`, `[tool.selfheal] <name>`."""

    name: str
    help: str
    parse: Callable[[str], Any]
    metavar: str

    @property
    def flag(self) -> str:
        return "--selfheal-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "selfheal_" + self.name

    @property
    def env(self) -> str:
        return "SELFHEAL_" + self.name.upper()


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "agent",
        "who proposes fixes: auto (builtin, then claude when a key is set), builtin, claude, "
        "scripted:PATH. Default: auto.",
        parse_agent,
        "NAME",
    ),
    OptionSpec(
        "time_budget",
        "wall-clock seconds the whole heal may take. Default: 120.",
        _positive(float),
        "SECONDS",
    ),
    OptionSpec(
        "max_candidates",
        "most candidate fixes to validate. Default: 200.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "output",
        "directory for run output, relative to the rootdir. Default: .selfheal.",
        parse_path,
        "DIR",
    ),
    OptionSpec(
        "alternatives_window",
        "seconds to keep collecting other plausible fixes after the first one, to rank them "
        "(smallest change first). Default: 5.",
        _positive(float),
        "SECONDS",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Every knob of a heal, after precedence is applied. Field names match OPTIONS."""

    agent: str = "auto"
    time_budget: float = 120.0
    max_candidates: int = 200
    output: str = ".selfheal"
    alternatives_window: float = 5.0

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def resolved_agent(self) -> str:
        """`auto` means builtin until another agent can join it."""
        return "builtin" if self.agent == "auto" else self.agent


def read_pyproject_table(rootdir: Path) -> dict[str, Any]:
    """`[tool.selfheal]` of the rootdir's pyproject.toml, keys normalised to underscores."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("tool", {}).get("selfheal", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML ({exc}); fix the file or remove [tool.selfheal]"
        ) from None
    return {str(k).replace("-", "_"): v for k, v in table.items()}


def resolve(
    cli: Mapping[str, Any],
    ini: Mapping[str, Any],
    pyproject: Mapping[str, Any],
    env: Mapping[str, str] = os.environ,
) -> Settings:
    """Apply precedence once; each layer maps option name -> raw value (None = unset)."""
    values: dict[str, Any] = {}
    for spec in OPTIONS:
        for source, raw in (
            ("command line", cli.get(spec.name)),
            (f"ini {spec.ini}", ini.get(spec.name)),
            (f"[tool.selfheal] {spec.name}", pyproject.get(spec.name)),
            (f"environment {spec.env}", env.get(spec.env)),
        ):
            if raw is None or raw == "":
                continue
            try:
                values[spec.name] = spec.parse(raw if isinstance(raw, str) else str(raw))
            except ConfigError as exc:
                raise ConfigError(f"{spec.flag} (from {source}): {exc}") from None
            break
    return Settings(**values)


@dataclass(frozen=True)
class RunContext:
    """What decide() needs to know about the pytest invocation."""

    flag: bool | None  # --selfheal -> True, --no-selfheal -> False, neither -> None
    ini_enabled: bool
    pyproject_enabled: bool
    is_xdist_worker: bool = False
    collect_only: bool = False
    pdb: bool = False


def decide(ctx: RunContext) -> tuple[bool, str]:
    """On or off, and why, in words fit for the report header."""
    if ctx.is_xdist_worker:
        return False, "off on xdist workers (the controller heals)"
    if ctx.flag is False:
        return False, "off (--no-selfheal)"
    if ctx.flag is None and not (ctx.ini_enabled or ctx.pyproject_enabled):
        return False, "off (pass --selfheal to enable)"
    if ctx.collect_only:
        return False, "off: --collect-only runs no tests"
    if ctx.pdb:
        return False, "off: --pdb is interactive; heal in a separate run"
    source = "--selfheal" if ctx.flag else ("ini selfheal" if ctx.ini_enabled else "[tool.selfheal]")
    return True, f"on ({source})"
