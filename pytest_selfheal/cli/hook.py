"""`hook`: the pre-commit hook as a command; its verdict becomes the exit code pre-commit reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..precommit.hook import Verdict, run_hook
from .exit_codes import EXIT_NOT_HEALED, EXIT_OK


def hook_command(root: Path, apply: bool, pytest_args: Sequence[str]) -> int:
    """0 lets the commit through; 1 blocks it."""
    verdict = run_hook(root, apply=apply, pytest_args=pytest_args)
    return EXIT_OK if verdict is Verdict.PASSED else EXIT_NOT_HEALED
