"""pytest11 entry point: options and ini keys; registers the HealSession only when switched on.

Kept import-light: a plain `pytest` run imports nothing heavy from here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from . import config as cfg
from .agents import check_available
from .errors import ConfigError

_REASON = pytest.StashKey[str]()
_SETTINGS = pytest.StashKey[cfg.Settings]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("selfheal", "self-heal: propose validated fixes for failing tests")
    group.addoption("--selfheal", action="store_true", dest="selfheal", default=None,
                    help="heal failing tests: find a validated fix in an isolated git worktree.")
    group.addoption("--no-selfheal", action="store_false", dest="selfheal",
                    help="do not heal, even if --selfheal is in addopts or the ini.")
    parser.addini("selfheal", "heal failing tests (like --selfheal).", type="bool", default=None)
    for mode, why in (("apply", "apply the validated fix to the working tree (never under CI)"),
                      ("branch", "commit the validated fix to a new branch selfheal/<run-id>")):
        group.addoption(f"--selfheal-{mode}", action="store_true", dest=f"selfheal_{mode}",
                        default=None, help=why + ".")
        parser.addini(f"selfheal_{mode}", why + f" (like --selfheal-{mode}).", type="bool",
                      default=None)
    for spec in cfg.OPTIONS:
        group.addoption(spec.flag, dest=spec.ini, default=None, metavar=spec.metavar,
                        help=spec.help)
        parser.addini(spec.ini, spec.help, default=None)
    group.addoption(cfg.INCIDENT_FLAG, dest="selfheal_incident", default=None, metavar="FILE",
                    help="heal a production incident from the runtime hook's JSON lines: its "
                    "reproduction test is the target, the whole suite the gate (implies --selfheal).")
    group.addoption(cfg.INCIDENT_ID_FLAG, dest="selfheal_incident_id", default=None, metavar="ID",
                    help="which incident of --selfheal-incident's file (an id prefix; default: "
                    "the newest).")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The default run output is never collected, also where `norecursedirs` leaves out pytest's
    `.*`: each run leaves its regression test there (runs/<run-id>/test_regression_*.py)."""
    return True if collection_path == config.rootpath / cfg.DEFAULT_OUTPUT else None


def pytest_configure(config: pytest.Config) -> None:
    try:
        pyproject = cfg.read_pyproject_table(config.rootpath)
        incident = config.getoption("selfheal_incident")
        flag = config.getoption("selfheal")
        context = cfg.RunContext(
            flag=flag if incident is None or flag is False else True,
            ini_enabled=bool(config.getini("selfheal")),
            pyproject_enabled=cfg.parse_bool(pyproject.get("enabled", False)),
            is_xdist_worker=hasattr(config, "workerinput"),
            collect_only=bool(config.getoption("collectonly")),
            pdb=bool(config.getoption("usepdb")),
        )
        on, reason = cfg.decide(context)
        if on or context.asked:
            config.stash[_REASON] = reason  # a run that never asked for healing shows no header
        if not on:
            return
        settings = cfg.resolve(
            cli={spec.name: config.getoption(spec.ini) for spec in cfg.OPTIONS}
            | _mode_flags(config.getoption("selfheal_apply"), config.getoption("selfheal_branch")),
            ini={spec.name: config.getini(spec.ini) for spec in cfg.OPTIONS}
            | _mode_flags(config.getini("selfheal_apply"), config.getini("selfheal_branch")),
            pyproject=pyproject | _mode_flags(pyproject.get("apply"), pyproject.get("branch")),
            output_in=cfg.Collection(config.rootpath, tuple(config.getini("norecursedirs")),
                                     tuple(config.getini("testpaths"))),
        )
        check_available(settings.agent)
        settings = _with_gate_workers(settings, config)
        recorded = None
        if incident is not None:
            from .incidents.target import load_incident

            recorded = load_incident(Path(incident), config.getoption("selfheal_incident_id"))
    except ConfigError as exc:
        raise pytest.UsageError(f"selfheal: {exc}") from None
    config.stash[_SETTINGS] = settings
    from .session import HealSession

    config.pluginmanager.register(HealSession(config, settings, recorded), "selfheal-session")


def _with_gate_workers(settings: cfg.Settings, config: pytest.Config) -> cfg.Settings:
    """The gate runs under pytest-xdist as this session does, unless told otherwise; a count
    asked for where pytest-xdist is missing is refused now, not when a fix waits for the gate."""
    if settings.gate_workers is None:
        return replace(settings, gate_workers=session_workers(config))
    if settings.gate_workers and not config.pluginmanager.hasplugin("xdist"):
        raise ConfigError(f"--selfheal-gate-workers={settings.gate_workers} needs pytest-xdist: "
                          "install it (pip install pytest-xdist), or pass 0 for a serial gate")
    return settings


def session_workers(config: pytest.Config) -> int:
    """How many pytest-xdist workers this session runs its tests in (`-n N`, `-n auto` as xdist
    resolved it, `--tx`); 0 when it runs them itself."""
    if not config.pluginmanager.hasplugin("xdist") or config.getoption("dist", "no") == "no":
        return 0
    specs: list[str] = config.getoption("tx", None) or []
    return sum(int(spec.split("*", 1)[0]) if spec.split("*", 1)[0].isdigit() else 1 for spec in specs)


def _mode_flags(apply: object, branch: object) -> dict[str, str]:
    """`--selfheal-apply` / `--selfheal-branch` (and their ini keys) as a `mode` value."""
    mode = cfg.mode_from_flags(cfg.parse_bool(str(apply or False)), cfg.parse_bool(str(branch or False)))
    return {"mode": mode} if mode else {}


def pytest_report_header(config: pytest.Config) -> Any:
    reason = config.stash.get(_REASON, None)
    if reason is None:
        return None
    settings = config.stash.get(_SETTINGS, None)
    if settings is not None:
        lines = [
            f"selfheal: {reason}; agent={settings.resolved_agent}, "
            f"time budget={settings.time_budget:g}s, max candidates={settings.max_candidates}"
        ]
        if settings.agent == "auto" and settings.resolved_agent == "builtin":
            lines.append(f"selfheal: only the builtin agent runs ({cfg.API_KEY_ENV} is not set; "
                         "set it to let claude try what builtin cannot fix)")
        return lines
    return f"selfheal: {reason}"
