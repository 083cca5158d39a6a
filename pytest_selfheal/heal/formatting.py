"""The fix formatted like the user's code: where the project formats with ruff or black, the
lines the fix changed are written as that formatter writes them, so that running it after
applying fix.diff undoes nothing of the fix. Lines the fix did not touch stay as they are, even
where the formatter would change them: the diff stays the fix."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from ..linediff import line_opcodes
from ..models import Candidate, Edit

TIMEOUT = 10.0


@dataclass(frozen=True)
class Formatter:
    """A formatter the project configures, and the command that formats stdin as a named file."""

    name: str
    command: tuple[str, ...]

    def argv(self, path: str) -> list[str]:
        if self.name == "black":
            return [*self.command, "-q", "--stdin-filename", path, "-"]
        return [*self.command, "format", "--stdin-filename", path, "-"]


def configured_formatter(root: Path) -> tuple[Formatter | None, str]:
    """The formatter the project at `root` configures and has installed, or None and why not
    (an empty reason when it configures none)."""
    name = _configured_name(root)
    if name is None:
        return None, ""
    if importlib.util.find_spec(name) is not None:
        return Formatter(name, (sys.executable, "-m", name)), ""
    found = shutil.which(name)
    if found:
        return Formatter(name, (found,)), ""
    return None, f"the project configures {name}, which is not installed; the fix is not formatted"


def _configured_name(root: Path) -> str | None:
    """black for `[tool.black]` or a black pre-commit hook; ruff for `[tool.ruff.format]`, a
    `[format]` table in ruff.toml, or a ruff-format hook. Ruff configured for linting only does
    not say how the code is formatted."""
    try:
        tool = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        tool = {}
    hooks = _read(root / ".pre-commit-config.yaml")
    if "black" in tool or "id: black" in hooks:
        return "black"
    ruff_files = (_read(root / name) for name in ("ruff.toml", ".ruff.toml"))
    if ("format" in tool.get("ruff", {}) or "id: ruff-format" in hooks
            or any("[format]" in text for text in ruff_files)):
        return "ruff"
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def format_fix(candidate: Candidate, root: Path, formatter: Formatter) -> tuple[Candidate, str]:
    """`candidate` with one more edit per file whose changed lines the formatter writes
    differently (the program stays the same), and what happened, for the decision log."""
    edits = list(candidate.edits)
    notes = []
    for path, (before, after) in candidate.file_changes.items():
        if candidate.encodings[path].replace("_", "-").lower() not in ("utf-8", "utf-8-sig"):
            notes.append(f"{path}: not formatted (the formatter reads UTF-8 only)")
            continue
        try:
            whole = _run(formatter, path, after, root)
        except (OSError, subprocess.SubprocessError) as exc:
            notes.append(f"{path}: {formatter.name} failed: {exc}")
            continue
        tidied = keep_changed_lines(before, after, whole)
        if tidied != after:
            edits.append(Edit(path=path, before=after, after=tidied, template="format",
                              description=f"{path}: the changed lines as {formatter.name} writes them",
                              encoding=candidate.encodings[path]))
            notes.append(f"{path}: changed lines formatted by {formatter.name}")
    return replace(candidate, edits=tuple(edits)), "; ".join(notes)


def _run(formatter: Formatter, path: str, text: str, root: Path) -> str:
    done = subprocess.run(formatter.argv(path), input=text.encode("utf-8"), cwd=root,
                          capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise subprocess.SubprocessError(done.stderr.decode("utf-8", "replace").strip()[-300:])
    return done.stdout.decode("utf-8")


def keep_changed_lines(before: str, after: str, formatted: str) -> str:
    """`after` with the formatter's changes kept only where they touch a line the fix changed;
    `after` itself when the result would not be the same program."""
    after_lines = after.splitlines(keepends=True)
    changed = [(j1, j2) for tag, _, _, j1, j2 in line_opcodes(before.splitlines(keepends=True), after_lines)
               if tag != "equal"]
    result: list[str] = []
    formatted_lines = formatted.splitlines(keepends=True)

    def touches(i1: int, i2: int) -> bool:
        return any(start < i2 and i1 < max(end, start + 1) for start, end in changed)

    for tag, i1, i2, j1, j2 in line_opcodes(after_lines, formatted_lines):
        if tag == "replace" and i2 - i1 == j2 - j1:  # line for line: decided one by one
            result += [formatted_lines[j1 + k] if touches(i, i + 1) else after_lines[i]
                       for k, i in enumerate(range(i1, i2))]
        else:
            result += formatted_lines[j1:j2] if tag != "equal" and touches(i1, i2) else after_lines[i1:i2]
    tidied = "".join(result)
    try:
        same = ast.dump(ast.parse(tidied)) == ast.dump(ast.parse(after))
    except SyntaxError:
        same = False
    return tidied if same else after
