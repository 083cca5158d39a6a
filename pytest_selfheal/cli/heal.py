"""`heal`: a production incident healed as `pytest --selfheal --selfheal-incident=FILE` heals it,
with the user's own pytest configuration: the suite runs, the incident is reproduced at HEAD as
a test, and the heal repairs that test with the whole suite as the gate."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import INCIDENT_FLAG, INCIDENT_ID_FLAG
from ..output import runstore
from .exit_codes import EXIT_NOT_HEALED, EXIT_OK


def heal_command(root: Path, incidents: str, wanted: str | None, pytest_args: Sequence[str]) -> int:
    """0 when the incident is healed (fix.diff carries its reproduction test), 1 otherwise."""
    root = root.resolve()
    output = runstore.output_dir(root)
    known = runstore.run_ids(output)
    # `--option=value`: pytest reads its rootdir and ini before it knows plugin options, and
    # would take a separate value for a test path
    source = incidents if incidents == "-" else str(Path(incidents).resolve())
    chosen = [f"{INCIDENT_ID_FLAG}={wanted}"] if wanted else []
    subprocess.run([sys.executable, "-m", "pytest", f"{INCIDENT_FLAG}={source}", *chosen,
                    *pytest_args], cwd=root)
    new = runstore.runs_since(output, known)
    return EXIT_OK if new and new[-1].status == "healed" else EXIT_NOT_HEALED
