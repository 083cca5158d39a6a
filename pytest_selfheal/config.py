"""Settings, resolved once: CLI > ini (`selfheal_*`) > `[tool.selfheal]` > env (`SELFHEAL_*`) > default.

Imports nothing heavy: a plain `pytest` run reads this module to register options.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

AGENT_NAMES = ("auto", "builtin", "claude")
DEFAULT_MODEL = "claude-sonnet-5-5"  # the one place the default model id lives
DEFAULT_OUTPUT = ".selfheal"  # never collected: plugin.py ignores it whatever norecursedirs says
API_KEY_ENV = "ANTHROPIC_API_KEY"


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


def _count(zero: str) -> Callable[[str], int]:
    """A whole number >= 0, where 0 means `zero`."""

    def parse(raw: str) -> int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = -1
        if value < 0:
            raise ConfigError(f"expected 0 ({zero}) or a positive whole number, got {raw!r}")
        return value

    return parse


def parse_path(raw: str) -> str:
    return str(raw).strip()


MODES = ("report", "apply", "branch")


def parse_mode(raw: str) -> str:
    value = raw.strip().lower()
    if value not in MODES:
        raise ConfigError(f"unknown mode {raw!r}: use report, apply (--selfheal-apply) "
                          "or branch (--selfheal-branch)")
    return value


def mode_from_flags(apply: object, branch: object) -> str | None:
    """The mode the boolean flags ask for (None = neither); both at once is a usage error."""
    if apply and branch:
        raise ConfigError("--selfheal-apply and --selfheal-branch exclude each other: "
                          "pass only one")
    return "apply" if apply else "branch" if branch else None


def parse_model(raw: str) -> str:
    value = str(raw).strip()
    if not value or any(c.isspace() for c in value):
        raise ConfigError(f"expected a model id such as {DEFAULT_MODEL}, got {raw!r}")
    return value


def parse_price(raw: str) -> str:
    """'3,15' -> '3,15': input and output US dollars per million tokens."""
    parts = str(raw).replace(" ", "").split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2 or min(values) < 0:
        raise ConfigError(f"expected INPUT,OUTPUT dollars per million tokens (e.g. 3,15), got {raw!r}")
    return ",".join(parts)
def parse_globs(raw: str) -> tuple[str, ...]:
    """`a/**, b.py` or one per line (ini), or a TOML list (arrives as its Python repr)."""
    text = str(raw).strip()
    if text.startswith("["):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ConfigError(f"expected a list of globs, got {raw!r}") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"expected a list of globs, got {raw!r}")
        return tuple(i.strip() for i in items if i.strip())
    return tuple(g for g in re.split(r"[,\s]+", text) if g)


# what one run heals, not a setting: command line only
INCIDENT_FLAG = "--selfheal-incident"
INCIDENT_ID_FLAG = "--selfheal-incident-id"


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
        "most candidate fixes whose tests run; a safety net, as the time budget ends a search "
        "first. Default: 5000.",
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
        "model",
        f"the Anthropic model the claude agent uses. Default: {DEFAULT_MODEL}.",
        parse_model,
        "ID",
    ),
    OptionSpec(
        "max_calls",
        "most model calls the claude agent may make. Default: 30.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "max_tokens",
        "most input+output tokens the claude agent may use. Default: 400000.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "max_dollars",
        "most US dollars the claude agent may spend (priced per model). Default: 1.",
        _positive(float),
        "USD",
    ),
    OptionSpec(
        "max_seconds",
        "wall-clock seconds the claude agent may take. Default: 300.",
        _positive(float),
        "SECONDS",
    ),
    OptionSpec(
        "model_price",
        "override the model's price as 'INPUT,OUTPUT' US dollars per million tokens.",
        parse_price,
        "IN,OUT",
    ),
    OptionSpec(
        "mode",
        "what to do with a validated fix: report (propose only), apply (--selfheal-apply), "
        "branch (--selfheal-branch). Default: report.",
        parse_mode,
        "MODE",
    ),
    OptionSpec(
        "allowed_paths",
        "globs (comma-separated) of the only files a fix may touch. Default: any source file.",
        parse_globs,
        "GLOBS",
    ),
    OptionSpec(
        "forbidden_paths",
        "globs (comma-separated) of files a fix must not touch, on top of tests, conftest.py, "
        "pytest/tox config, pyproject.toml, CI and lock files, which are always forbidden.",
        parse_globs,
        "GLOBS",
    ),
    OptionSpec(
        "max_changed_lines",
        "most lines a fix may change. Default: 10.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "max_files",
        "most files a fix may touch. Default: 2.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "reruns",
        "times each failing test is rerun alone to tell flaky from deterministic. Default: 3.",
        _positive(int),
        "N",
    ),
    OptionSpec(
        "require_causal_link",
        "repair only failures whose test executed lines changed since the last green commit "
        "(true/false). Default: false.",
        parse_bool,
        "BOOL",
    ),
    OptionSpec(
        "workers",
        "test runs (probe, reruns, candidates) at once in forked children of a warm test "
        "process; 0 runs each in a fresh process. Default: one per core.",
        _count("no warm worker"),
        "N",
    ),
    OptionSpec(
        "regression_dir",
        "where the regression test of a fix goes, relative to the rootdir. "
        "Default: next to the first failing test.",
        parse_path,
        "DIR",
    ),
    OptionSpec(
        "alternatives",
        "candidates to try after the first plausible fix, so that every plausible fix found is "
        "ranked (smallest change first). Default: 20.",
        _count("stop at the first plausible fix"),
        "N",
    ),
    OptionSpec(
        "gate_workers",
        "pytest-xdist workers of the whole-suite runs that confirm a fix. Default: as many as the "
        "session's -n, serial without it.",
        _count("serial"),
        "N",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Every knob of a heal, after precedence is applied. Field names match OPTIONS."""

    agent: str = "auto"
    time_budget: float = 120.0
    max_candidates: int = 5000
    output: str = DEFAULT_OUTPUT
    model: str = DEFAULT_MODEL
    max_calls: int = 30
    max_tokens: int = 400_000
    max_dollars: float = 1.0
    max_seconds: float = 300.0
    model_price: str = ""
    mode: str = "report"
    allowed_paths: tuple[str, ...] = ()
    forbidden_paths: tuple[str, ...] = ()
    max_changed_lines: int = 10
    max_files: int = 2
    reruns: int = 3
    require_causal_link: bool = False
    workers: int | None = None  # None: one per core
    regression_dir: str = ""
    alternatives: int = 20
    gate_workers: int | None = None  # None: as the user's session ran (plugin.py fills it in)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def resolved_agent(self) -> str:
        """`auto` is builtin, then claude when an API key is set; otherwise builtin alone."""
        if self.agent != "auto":
            return self.agent
        return "auto" if os.environ.get(API_KEY_ENV) else "builtin"


def read_pyproject_table(rootdir: Path) -> dict[str, Any]:
    """`[tool.selfheal]` of the rootdir's pyproject.toml, keys normalised to underscores."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}
    import tomllib  # pytest has imported it already if it read this file for its own ini

    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("tool", {}).get("selfheal", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML ({exc}); fix the file or remove [tool.selfheal]"
        ) from None
    return {str(k).replace("-", "_"): v for k, v in table.items()}


@dataclass(frozen=True)
class Collection:
    """Where the run output may go: inside the rootdir, and out of what a plain `pytest` there
    collects (pytest's `norecursedirs` and `testpaths`; None when they are not known, as in the
    console script, which then checks only the first)."""

    rootdir: Path
    norecursedirs: tuple[str, ...] | None = None
    testpaths: tuple[str, ...] = ()


def check_output(value: str, source: str, where: Collection) -> None:
    """Raise ConfigError, naming `source` and the fix, when the output directory `value` is
    outside the rootdir, is the rootdir, or is collected: every run leaves a regression test
    (`<output>/runs/<run-id>/test_regression_*.py`) there, which the next test session would run."""
    rootdir = where.rootdir.resolve()
    output = (rootdir / value).resolve()
    named = f"--selfheal-output {value!r} (from {source})"
    if not output.is_relative_to(rootdir):
        raise ConfigError(f"{named} is outside the rootdir {rootdir}: the run output belongs to "
                          "the project. Use a directory inside it, such as the default .selfheal")
    if output == rootdir:
        raise ConfigError(f"{named} is the rootdir itself: the runs, the history and the lock "
                          "would lie among your files, and the regression tests of every run would "
                          "be collected with your tests. Use a directory of its own, such as the "
                          "default .selfheal")
    if (output != rootdir / DEFAULT_OUTPUT and where.norecursedirs is not None
            and _collected(output.relative_to(rootdir), where)):
        raise ConfigError(f"{named} is a directory pytest collects tests from: the regression test "
                          "each run leaves there (runs/<run-id>/test_regression_*.py) would run in "
                          "your next test session. Use a directory pytest does not collect, such as "
                          f"the default .selfheal, or add {output.relative_to(rootdir).as_posix()!r} "
                          "to norecursedirs")


def _collected(output: Path, where: Collection) -> bool:
    """A plain `pytest` in the rootdir collects from `output` (relative to the rootdir): no part of
    it matches `norecursedirs`, and it is in one of `testpaths` (globs allowed) if there are any."""
    patterns = where.norecursedirs or ()
    if any(fnmatch.fnmatch(part, pattern) for part in output.parts for pattern in patterns):
        return False
    prefixes = [Path(*output.parts[:end]).as_posix() for end in range(1, len(output.parts) + 1)]
    testpaths = [os.path.normpath(path) for path in where.testpaths]
    return not testpaths or any(path == "." or any(fnmatch.fnmatch(prefix, path) for prefix in prefixes)
                                for path in testpaths)


def resolve(
    cli: Mapping[str, Any],
    ini: Mapping[str, Any],
    pyproject: Mapping[str, Any],
    env: Mapping[str, str] = os.environ,
    output_in: Collection | None = None,
) -> Settings:
    """Apply precedence once; each layer maps option name -> raw value (None = unset). With
    `output_in`, the output directory, whoever set it, is checked against it (check_output)."""
    values: dict[str, Any] = {}
    sources = {"output": "the default"}
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
            sources[spec.name] = source
            break
    settings = Settings(**values)
    if output_in is not None:
        check_output(settings.output, sources["output"], output_in)
    return settings


@dataclass(frozen=True)
class RunContext:
    """What decide() needs to know about the pytest invocation."""

    flag: bool | None  # --selfheal -> True, --no-selfheal -> False, neither -> None
    ini_enabled: bool
    pyproject_enabled: bool
    is_xdist_worker: bool = False
    collect_only: bool = False
    pdb: bool = False

    @property
    def asked(self) -> bool:
        """Healing was mentioned at all: by a flag, the ini, or [tool.selfheal]."""
        return self.flag is not None or self.ini_enabled or self.pyproject_enabled


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
