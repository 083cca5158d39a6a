"""A fix applies byte for byte to files as they are: CRLF or mixed line endings, a UTF-8 BOM, no
final newline, a latin-1 file with a coding cookie. After `pytest-selfheal apply` the file holds
its original bytes with only the fixed line changed; a file Python cannot read is named in the
report with the reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

TESTS = ("from calc.ops import half\n\n\ndef test_half_of_eight():\n    assert half(8) == 4\n\n\n"
         "def test_half_of_three():\n    assert half(3) == 1\n")

BUGGY = {
    "crlf": b'def half(n):\r\n    """Half of n, rounded down."""\r\n    return n // 3\r\n',
    "mixed": b'def half(n):\r\n    """Half of n, rounded down."""\n    return n // 3\r\n\n\nLAST = 1\n',
    "bom": b'\xef\xbb\xbfdef half(n):\n    return n // 3\n',
    "no-final-newline": b"def half(n):\n    return n // 3",
    "latin-1": '# -*- coding: latin-1 -*-\n\n\ndef half(n):\n    """n \xd7 \xbd, rounded down."""\n'
               '    return n // 3\n'.encode("latin-1"),
    # longer than LibCST parses at once (cst_parse.py), with a class longer than that too
    "long-crlf": (b'"""Shapes and halves."""\r\n\r\n\r\nclass Shape:\r\n    side = 2\r\n\r\n'
                  + b"".join(b"    def area_%d(self):\r\n        return self.side * %d\r\n\r\n" % (n, n)
                             for n in range(300))
                  + b'\r\ndef half(n):\r\n    """Half of n, rounded down."""\r\n    return n // 3\r\n'
                  + b"".join(b"\r\n\r\ndef helper_%d(x):\r\n    return x + %d\r\n" % (n, n)
                             for n in range(200))),
}


def make_project(root: Path, ops: bytes, newline: str = "\n", *git_config: str) -> Path:
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_bytes(b"")
    (root / "calc" / "ops.py").write_bytes(ops)
    (root / "tests").mkdir()
    (root / "tests" / "test_ops.py").write_bytes(TESTS.replace("\n", newline).encode())
    git(root, "init", "-q")
    for setting in git_config:
        git(root, "config", *setting.split("=", 1))
    return init_repo(root)


def console(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_selfheal", *args], cwd=root,
                          capture_output=True, text=True, timeout=120)


# Under core.autocrlf git stores LF and checks out CRLF: the fix is made from, and applies to,
# the checked-out bytes.
CASES = [*((case, ()) for case in sorted(BUGGY)), ("crlf", ("core.autocrlf=true",))]


@pytest.mark.parametrize(("case", "git_config"), CASES,
                         ids=[" ".join((case, *config)) for case, config in CASES])
def test_the_fix_changes_only_the_fixed_line_of_the_file_as_it_is(
    case: str, git_config: tuple[str, ...], tmp_path: Path
):
    newline = "\r\n" if case.endswith("crlf") else "\n"
    repo = make_project(tmp_path / "repo", BUGGY[case], newline, *git_config)
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal")
    assert latest_report(repo)["status"] == "healed", result.stdout
    assert fingerprint(repo) == before, "the user's checkout must not change"
    diff = latest_run_dir(repo) / "fix.diff"
    git(repo, "apply", "--check", str(diff))

    applied = console(repo, "apply")
    assert applied.returncode == 0, applied.stderr
    assert (repo / "calc" / "ops.py").read_bytes() == BUGGY[case].replace(b"n // 3", b"n // 2")
    regression = next((repo / "tests").glob("test_regression_*.py")).read_bytes()
    assert regression.count(newline.encode()) == regression.count(b"\n"), \
        "the regression test follows the line endings of the test beside it"
    assert run_pytest(repo).returncode == 0


def test_a_file_python_cannot_decode_is_named_in_the_report_with_the_reason(tmp_path: Path):
    repo = make_project(tmp_path / "repo", b'def half(n):\n    return n // 3\n\n\nUNIT = "\xbd"\n')
    run_pytest(repo, "--selfheal")
    report = latest_report(repo)
    assert report["status"] == "not-healed"
    why = "could not search calc/ops.py: line 5 is not valid utf-8, the file's encoding"
    assert why in str(report["reason"])
    decisions = (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()
    assert any(why in json.loads(line).get("stop_reason", "") for line in decisions)
