"""The diffs a heal writes are ones real `git apply` accepts: edits with and without a final
newline, in CRLF and mixed line endings, and a new file in directories that do not exist yet."""

import pytest
from helpers import git, init_repo

from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.output.diffs import combined_diff, new_file_diff


@pytest.mark.parametrize(
    ("before", "after"),
    [("x = 1\ny = 2\n", "x = 1\ny = 3\n"), ("x = 1\ny = 2", "x = 1\ny = 3"),
     ("x = 1\ny = 2", "x = 1\ny = 2\n"), ("x = 1\r\ny = 2\r\n", "x = 1\r\ny = 3\r\n"),
     ("x = 1\r\ny = 2\nz = 3", "x = 1\r\ny = 3\nz = 3")],
)
def test_diff_applies_with_git(tmp_path, before, after):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_bytes(before.encode())
    init_repo(tmp_path)
    diff = combined_diff(Candidate((Edit("pkg/m.py", before, after, "change"),)))
    (tmp_path / "fix.diff").write_bytes(diff)
    git(tmp_path, "apply", "--check", "fix.diff")
    git(tmp_path, "apply", "fix.diff")
    assert (tmp_path / "pkg" / "m.py").read_bytes() == after.encode()


def test_new_file_diff_is_created_by_git_apply(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README").write_text("x\n")
    repo = init_repo(tmp_path / "repo")
    (tmp_path / "fix.diff").write_bytes(new_file_diff("tests/deep/test_new.py", "x = 1\n"))
    git(repo, "apply", str(tmp_path / "fix.diff"))
    assert (repo / "tests/deep/test_new.py").read_text() == "x = 1\n"
