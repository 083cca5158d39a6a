"""What a fix touches, read from its diff: the files the apply mode checks for uncommitted work."""

from pytest_selfheal.heal.fix_modes import Fix


def test_fix_paths_come_from_the_diff(tmp_path):
    diff = (b"diff --git a/pkg/a.py b/pkg/a.py\n--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1 +1 @@\n-A = 1\n+A = 2\n"
            b"diff --git a/tests/test_regression_a.py b/tests/test_regression_a.py\nnew file mode 100644\n")
    fix = Fix(diff=diff, diff_file=tmp_path / "fix.diff", run_id="r", message="s")
    assert fix.paths == ("pkg/a.py", "tests/test_regression_a.py")
