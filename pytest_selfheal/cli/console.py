"""The rich console the commands print tables, diffs and timelines to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def rich_console() -> Console:
    """Imported on use: `runs --json` and the hook never load rich."""
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False)
