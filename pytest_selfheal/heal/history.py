"""`.selfheal/history.db`: one row per `--selfheal` run and per test outcome, so triage can tell a
new regression from a recurring or chronic failure and find the last green commit.

sqlite from the standard library, in WAL mode with short transactions and a busy timeout, so
concurrent runs (xdist controllers, two terminals, CI matrix jobs on one disk) never corrupt it.
A green run records itself from here, so this module imports nothing but sqlite and git.py.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError
from ..git import git_output

WINDOW = 50  # most recent runs that form a signature's baseline
BUSY_TIMEOUT = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started REAL NOT NULL,
    git_commit TEXT NOT NULL,
    dirty INTEGER NOT NULL,
    green INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    nodeid TEXT NOT NULL,
    outcome TEXT NOT NULL,
    signature TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, nodeid)
);
CREATE INDEX IF NOT EXISTS outcomes_signature ON outcomes(signature);
"""


@dataclass(frozen=True)
class RunRecord:
    """What one run contributes: its commit, whether the tree was dirty, and every test's outcome."""

    run_id: str
    git_commit: str
    dirty: bool
    outcomes: Mapping[str, str]  # nodeid -> "passed" | "failed" | "error"
    signatures: Mapping[str, str]  # nodeid -> failure signature (failed tests only)

    @property
    def green(self) -> bool:
        return bool(self.outcomes) and all(o == "passed" for o in self.outcomes.values())


@dataclass(frozen=True)
class Baseline:
    """The history window before this run: how many runs, and how often each signature occurred."""

    runs: int
    counts: Mapping[str, int]  # signature -> failing tests with it, summed over the window
    runs_with: Mapping[str, int] = field(default_factory=dict)  # signature -> runs it failed in
    last_green_run: str | None = None
    last_green_commit: str | None = None


@contextlib.contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(db, timeout=BUSY_TIMEOUT, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(
            f"cannot open the run history {db}: {exc}; pass --selfheal-output DIR with a "
            "writable directory, or delete the file if it is not a sqlite database"
        ) from None
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        yield connection
    except sqlite3.DatabaseError as exc:
        raise OutputError(
            f"the run history {db} is unreadable ({exc}); delete it to start a new history"
        ) from None
    finally:
        connection.close()


def record(db: Path, run: RunRecord) -> None:
    """Append one run in a single short transaction."""
    with _connect(db) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)",
                (run.run_id, time.time(), run.git_commit, int(run.dirty), int(run.green)),
            )
            connection.executemany(
                "INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)",
                [(run.run_id, n, o, run.signatures.get(n, "")) for n, o in run.outcomes.items()],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def head_state(repo: Path) -> tuple[str, bool]:
    """(HEAD commit, whether tracked or untracked-unignored files differ from it) of the user's
    checkout, from one `git status` (every green run pays for it), read without taking its index
    lock; ("", False) where git cannot tell, and no commit before the first one."""
    status = git_output(repo, "status", "--porcelain=v2", "--branch", "--untracked-files=normal")
    if status is None:
        return "", False
    lines = status.splitlines()
    head = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), "")
    return ("" if head == "(initial)" else head), any(not line.startswith("#") for line in lines)


def record_green(db: Path, repo_root: Path, run_id: str, outcomes: Mapping[str, str]) -> None:
    """A run with no failures: recorded so the next failing run knows the last green commit.

    Only into an existing history: a green run in a project that never failed writes nothing.
    """
    if not outcomes or not db.is_file():
        return
    commit, dirty = head_state(repo_root)
    if commit:
        with contextlib.suppress(OutputError):  # a green run stays green without a history
            record(db, RunRecord(run_id, commit, dirty, outcomes, {}))


def baseline(db: Path, window: int = WINDOW) -> Baseline:
    """Signature counts over the last `window` runs, and the last green run; empty if no history."""
    if not db.exists():
        return Baseline(runs=0, counts={})
    with _connect(db) as connection:
        run_ids = [
            row[0] for row in connection.execute(
                "SELECT run_id FROM runs ORDER BY started DESC LIMIT ?", (window,)
            )
        ]
        counts: Counter[str] = Counter()
        runs_with: Counter[str] = Counter()
        for run_id in run_ids:
            in_run = [signature for (signature,) in connection.execute(
                "SELECT signature FROM outcomes WHERE run_id = ? AND signature != ''", (run_id,)
            )]
            counts.update(in_run)
            runs_with.update(set(in_run))
        green = connection.execute(
            "SELECT run_id, git_commit FROM runs WHERE green = 1 ORDER BY started DESC LIMIT 1"
        ).fetchone()
    return Baseline(
        runs=len(run_ids),
        counts=dict(counts),
        runs_with=dict(runs_with),
        last_green_run=green[0] if green else None,
        last_green_commit=green[1] if green else None,
    )
