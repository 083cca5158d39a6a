"""`reproduce`: an incident from production as a pytest test that fails at HEAD the way it did.

The test and `reproduction.json` (the verdict of every frame tried) are written under
`.selfheal/incidents/<incident id>/`; the user's checkout is only read. Copy the test to the
path printed to keep it, or let `heal` use it as the fix's regression test.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError
from ..git import find_repo_root
from ..incidents.reproduce import Reproduction, reproduce
from ..incidents.target import load_incident
from ..output import runstore
from ..redaction import Redactor
from .console import rich_console
from .exit_codes import EXIT_NOT_HEALED, EXIT_OK

INCIDENTS_DIR = "incidents"


def reproduce_command(root: Path, source: str, wanted: str | None, as_json: bool) -> int:
    """0 when the test reproduces the incident (or shows it fixed since), 1 when nothing does."""
    repo_root = find_repo_root(root.resolve())
    if repo_root is None:
        raise ConfigError(f"no git repository at {root}: run the command inside the project's "
                          "checkout (or pass --root)")
    incident = load_incident(Path(source), wanted)
    redactor = Redactor.from_environment()
    result = reproduce(incident, repo_root, root.resolve(), Settings(), redactor)
    written = _write(runstore.output_dir(root.resolve()) / INCIDENTS_DIR / incident.id, result,
                     redactor)
    if as_json:
        print(json.dumps(redactor.clean_tree(_as_json(result, written)), indent=2))
    else:
        _print(result, written, redactor)
    return EXIT_OK if result.status in ("reproduced", "fixed") else EXIT_NOT_HEALED


def _write(directory: Path, result: Reproduction, redactor: Redactor) -> Path | None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "reproduction.json").write_text(
        json.dumps(redactor.clean_tree(_as_json(result, None)), indent=2) + "\n", encoding="utf-8")
    if not result.source:
        return None
    test = directory / Path(result.test_path).name
    test.write_text(result.source, encoding="utf-8")
    return test


def _as_json(result: Reproduction, written: Path | None) -> dict[str, object]:
    return {
        "incident": result.incident.id,
        "exception": f"{result.incident.exception.type}: {result.incident.exception.message}",
        "status": result.status,
        "reason": result.reason,
        "test_path": result.test_path,
        "written": str(written) if written else "",
        "fixed_by": result.fixed_by,
        "frames": [asdict(frame) for frame in result.frames],
    }


def _print(result: Reproduction, written: Path | None, redactor: Redactor) -> None:
    from rich.syntax import Syntax

    console = rich_console()
    raised = result.incident.exception
    console.print(f"[bold]incident {result.incident.id}[/bold]: "
                  f"{redactor.clean(f'{raised.type}: {raised.message}')}", markup=True)
    for frame in result.frames:
        console.print(f"  {frame.verdict:>15}  {frame.path}:{frame.line} {frame.function}: "
                      f"{redactor.clean(frame.detail)}", markup=False)
    headline = {"reproduced": "reproduced at HEAD", "fixed": result.reason,
                "not-reproduced": f"not reproduced: {result.reason}"}[result.status]
    console.print(headline, markup=False)
    if written is not None:
        console.print(Syntax(result.source, "python", theme="ansi_dark"))
        console.print(f"written to {written}; it belongs at {result.test_path}", markup=False)
