"""The one diff parser, on the shapes `git diff -U0` writes, and what its two readers derive:
changed lines of the new files (heal/changes) and touched lines of HEAD's (precommit/selection)."""

from __future__ import annotations

from pytest_selfheal.git import FileDiff, Hunk, parse_diff
from pytest_selfheal.heal.changes import changed_lines_in
from pytest_selfheal.precommit.selection import parse_changes


def modified(path: str, *hunks: str) -> str:
    return f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n" + "".join(hunks)


MODIFIED = modified(
    "pkg/mod.py",
    "@@ -12 +12 @@ def f():\n-    a\n+    b\n",
    "@@ -20,3 +19,0 @@\n-x\n-y\n-z\n",
    "@@ -30,0 +28,2 @@\n+p\n+q\n",
)
ADDED = ("diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n"
         "index 0000000..3333333\n--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1,2 @@\n"
         "+def test():\n+    pass\n")
DELETED = ("diff --git a/old.py b/old.py\ndeleted file mode 100644\nindex 4444444..0000000\n"
           "--- a/old.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x = 1\n-y = 2\n")


def test_a_modified_file_has_its_hunks_with_omitted_counts_read_as_one():
    assert parse_diff(MODIFIED) == (FileDiff("pkg/mod.py", added=False, deleted=False, hunks=(
        Hunk(12, 1, 12, 1), Hunk(20, 3, 19, 0), Hunk(30, 0, 28, 2),
    )),)


def test_a_side_without_lines_touches_the_two_lines_around_the_gap():
    deletion, insertion = Hunk(20, 3, 19, 0), Hunk(30, 0, 28, 2)
    assert list(deletion.old_lines) == [20, 21, 22]
    assert list(deletion.new_lines) == [19, 20]
    assert list(insertion.old_lines) == [30, 31]
    assert list(insertion.new_lines) == [28, 29]


def test_added_and_deleted_files_come_from_dev_null():
    added, deleted = parse_diff(ADDED + DELETED)
    assert added == FileDiff("tests/test_new.py", added=True, deleted=False, hunks=(Hunk(0, 0, 1, 2),))
    assert deleted == FileDiff("old.py", added=False, deleted=True, hunks=(Hunk(1, 2, 0, 0),))


def test_removed_and_added_lines_that_look_like_headers_are_hunk_content():
    diff = modified("a.py", "@@ -40 +40 @@\n--- a comment line\n+++ b comment line\n",
                    "@@ -50,2 +50 @@\n-@@ -1 +1 @@\n--- /dev/null\n+diff --git a/x b/x\n")
    diff += modified("b.py", "@@ -1 +1 @@\n-old\n+new\n")
    assert parse_diff(diff) == (
        FileDiff("a.py", added=False, deleted=False, hunks=(Hunk(40, 1, 40, 1), Hunk(50, 2, 50, 1))),
        FileDiff("b.py", added=False, deleted=False, hunks=(Hunk(1, 1, 1, 1),)),
    )


def test_no_newline_at_end_of_file_is_not_a_line():
    diff = modified("a.py", "@@ -3 +3 @@\n-old\n\\ No newline at end of file\n+--- new\n"
                            "\\ No newline at end of file\n")
    diff += modified("b.py", "@@ -7 +7,2 @@\n-x\n+x\n+y\n\\ No newline at end of file\n")
    assert [(f.path, f.hunks) for f in parse_diff(diff)] == [
        ("a.py", (Hunk(3, 1, 3, 1),)), ("b.py", (Hunk(7, 1, 7, 2),)),
    ]


def test_quoted_paths_are_unescaped_with_or_without_core_quote_path():
    octal = ('diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n'
             '--- "a/caf\\303\\251.py"\n+++ "b/caf\\303\\251.py"\n@@ -1 +1 @@\n-z\n+Z\n')
    raw = 'diff --git "a/café\\t.py" "b/café\\t.py"\n--- "a/café\\t.py"\n+++ "b/café\\t.py"\n@@ -1 +1 @@\n-z\n+Z\n'
    escapes = ('diff --git "a/q\\"b\\\\s.py" "b/q\\"b\\\\s.py"\n--- /dev/null\n+++ "b/q\\"b\\\\s.py"\n'
               "@@ -0,0 +1 @@\n+z\n")
    assert [f.path for f in parse_diff(octal + raw + escapes)] == ["café.py", "café\t.py", 'q"b\\s.py']


def test_a_name_with_a_space_ends_at_the_tab_git_adds():
    diff = ("diff --git a/sp ace.py b/sp ace.py\n--- a/sp ace.py\t\n+++ b/sp ace.py\t\n"
            "@@ -1 +1 @@\n-x\n+X\n")
    assert [f.path for f in parse_diff(diff)] == ["sp ace.py"]


def test_files_without_line_changes_are_left_out():
    diff = ("diff --git a/logo.png b/logo.png\nindex 5555555..6666666 100644\n"
            "Binary files a/logo.png and b/logo.png differ\n"
            "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
            "diff --git a/empty.py b/empty.py\nnew file mode 100644\nindex 0000000..e69de29\n")
    assert parse_diff(diff + MODIFIED) == parse_diff(MODIFIED)
    assert parse_diff("") == ()


def test_heal_reads_the_new_side_and_skips_deleted_files():
    assert changed_lines_in(MODIFIED + ADDED + DELETED) == {
        "pkg/mod.py": frozenset({12, 19, 20, 28, 29}),
        "tests/test_new.py": frozenset({1, 2}),
    }


def test_precommit_reads_the_old_side_and_takes_added_and_deleted_files_whole():
    assert parse_changes(MODIFIED + ADDED + DELETED) == {
        "pkg/mod.py": frozenset({12, 20, 21, 22, 30, 31}),
        "tests/test_new.py": None,
        "old.py": None,
    }


def test_precommit_keeps_a_file_whole_when_its_type_changes():
    """A file replaced by a symlink is a deletion and an addition of one path."""
    typechange = ("diff --git a/link b/link\ndeleted file mode 100644\n--- a/link\n+++ /dev/null\n"
                  "@@ -1 +0,0 @@\n-text\ndiff --git a/link b/link\nnew file mode 120000\n"
                  "--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+target\n\\ No newline at end of file\n")
    assert parse_changes(typechange) == {"link": None}
    assert changed_lines_in(typechange) == {"link": frozenset({1})}
