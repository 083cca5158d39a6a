"""A test subprocess started before it is needed (runner.Standby): `python -m pytest_selfheal.standby`.

It imports pytest and waits. Its run arrives as one JSON line on stdin, {"args": [...], "env":
{...}}; then it runs `pytest.main(args)` as `python -m pytest args` would, and exits with its
status. Nothing of the project is imported before the line arrives, so the run sees the files on
disk as they are then: it is as clean as a process started at that moment.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    import pytest

    line = sys.stdin.readline()
    if not line:
        return 0  # discarded before it was used
    request = json.loads(line)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the tests read from nothing, as with a new process
    os.environ.update(request["env"])
    sys.argv = [sys.argv[0], *request["args"]]
    return int(pytest.main(request["args"]))


if __name__ == "__main__":
    sys.exit(main())
