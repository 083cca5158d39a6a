"""The options of the user's pytest command line that the sandbox's test runs repeat.

A project's configuration file reaches the sandbox with the worktree, but what the user typed
(`-p no:randomly`, `-W error`, `--timeout=5`, `-o key=value`, `--import-mode=importlib`, a
`--config-file`) does not, and without it the sandbox's pytest is configured differently from
the user's (issue: a command-line `--timeout` never reached the probe, which then hung). Like
pytest-xdist's workers, the sandbox runs repeat the user's options, except the ones that
select tests (the sandbox names its tests itself), stop early, debug, report, write files, or
spread the tests over processes: those the sandbox decides for itself.

Options of plugins unknown here are kept with their value: a token after an option is its
value unless it starts with "-" or pytest took it as a test path (`positional`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

# options without a value that the sandbox decides itself
_DROPPED_FLAGS = frozenset({
    "-x", "--exitfirst", "--lf", "--last-failed", "--ff", "--failed-first", "--nf", "--new-first",
    "--sw", "--stepwise", "--sw-skip", "--stepwise-skip", "--sw-reset", "--stepwise-reset",
    "--cache-clear", "--pdb", "--trace", "--co", "--collect-only", "--collectonly", "-s", "-q",
    "--quiet", "-v", "--verbose", "-l", "--showlocals", "--no-showlocals", "--setup-show",
    "--setup-only", "--setup-plan", "--fixtures", "--funcargs", "--fixtures-per-test",
    "--markers", "--looponfail", "-f", "--no-cov", "--no-cov-on-fail", "--cov-append",
    "--selfheal", "--no-selfheal", "--selfheal-apply", "--selfheal-branch",
})
# options with a value that the sandbox decides itself
_DROPPED_VALUED = frozenset({
    "--maxfail", "-n", "--numprocesses", "--maxprocesses", "--dist", "--tx", "--rsyncdir",
    "--rsyncignore", "-k", "-m", "--deselect", "--tb", "--capture", "-r", "--durations",
    "--durations-min", "--junitxml", "--junit-xml", "--junit-prefix", "--basetemp", "--pdbcls",
    "--lfnf", "--last-failed-no-failures", "--color", "--code-highlight", "--log-file",
    "--report-log", "--html", "--cov-report", "--cov-config", "--cov-fail-under",
    "--cov-context", "--rootdir", "--verbosity",
})
# dropped options whose value is optional (`--cov` or `--cov=src`)
_DROPPED_OPTIONAL = frozenset({"--cov", "--debug", "--cache-show"})
# kept options whose value is a path, relative to where pytest was started
_PATH_VALUED = {"-c": "--config-file", "--config-file": "--config-file", "--inifile": "--config-file",
                "--confcutdir": "--confcutdir", "--ignore": "--ignore"}
# pytest's own short options: without a value, and with one (attached or next)
_SHORT_FLAGS = frozenset("xsvqlf")
_SHORT_VALUED = frozenset("nrkmpWoc")


def repeated_options(args: Sequence[str], positional: Collection[str], invocation_dir: Path,
                     dropped: Collection[str] = ()) -> tuple[str, ...]:
    """The tokens of `args` (the user's command line) the sandbox's runs pass to pytest.
    `positional` are the test paths pytest took from them; `dropped`, more long options with a
    value to leave out (the plugin's own `--selfheal-*` settings). Path values come back
    absolute, as `--option=/path`."""
    dropped_valued = _DROPPED_VALUED | set(dropped)
    kept: list[str] = []
    tokens = iter(enumerate(args))
    for index, token in tokens:
        following = args[index + 1] if index + 1 < len(args) else None
        takes_next = (following is not None and not following.startswith("-")
                      and following not in positional)
        if token in positional or not token.startswith("-") or token == "-":
            continue  # a test path, or a stray value
        name, has_value, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if token.startswith("--"):
            if name in _DROPPED_FLAGS:
                continue
            if name in dropped_valued or name in _DROPPED_OPTIONAL:
                if not has_value and (name in dropped_valued or takes_next):
                    next(tokens, None)
                continue
            if not has_value and takes_next:
                assert following is not None
                value, has_value = following, "="
                next(tokens, None)
            kept.extend(_with_path(name, value, invocation_dir) if has_value and name in _PATH_VALUED
                        else [f"{name}={value}"] if has_value else [name])
            continue
        short, took_next = _short(token, following if takes_next else None)
        if took_next:
            next(tokens, None)
        for option, option_value in short:
            if option in _DROPPED_FLAGS or option in dropped_valued:
                continue
            if option_value is None:
                kept.append(option)
            elif option in _PATH_VALUED:
                kept.extend(_with_path(option, option_value, invocation_dir))
            else:
                kept.extend([option, option_value])
    return tuple(kept)


def in_sandbox(options: Sequence[str], user_root: Path, to_sandbox: Callable[[Path], Path]
               ) -> tuple[str, ...]:
    """`options` with path values inside the user's checkout moved to the worktree's copy."""
    moved = []
    for option in options:
        name, has_value, value = option.partition("=")
        if has_value and name in _PATH_VALUED.values() and Path(value).resolve().is_relative_to(user_root):
            option = f"{name}={to_sandbox(Path(value))}"
        moved.append(option)
    return tuple(moved)


def _short(token: str, following: str | None) -> tuple[list[tuple[str, str | None]], bool]:
    """A short-option token as (option, value) pairs, and whether the value is `following`:
    `-x`, `-xvs`, `-n2`, `-W error`, `-Werror`; an option unknown here takes the rest of the
    token as its value, or the next token."""
    pairs: list[tuple[str, str | None]] = []
    letters = token[1:]
    for position, letter in enumerate(letters):
        rest = letters[position + 1:]
        if letter in _SHORT_FLAGS:
            pairs.append(("-" + letter, None))
        elif letter in _SHORT_VALUED or position == 0:
            if rest:
                return [*pairs, ("-" + letter, rest)], False
            return [*pairs, ("-" + letter, following)], following is not None
        else:
            pairs.append(("-" + letter, None))
    return pairs, False


def _with_path(name: str, value: str, invocation_dir: Path) -> list[str]:
    path = Path(value).expanduser()
    return [f"{_PATH_VALUED[name]}={os.path.normpath(invocation_dir / path)}"]
