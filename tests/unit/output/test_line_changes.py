"""fix.diff's hunks as whole-line replacements, the form SARIF fixes and suggestions share."""

from pytest_selfheal.output.diffs import unified_diff
from pytest_selfheal.output.line_changes import LineChange, line_changes

BEFORE = "".join(f"line {n}\n" for n in range(1, 21))


def changes(after: str) -> tuple[LineChange, ...]:
    return line_changes(unified_diff("pkg/mod.py", BEFORE.encode(), after.encode()).decode())


def apply(text: str, change: LineChange) -> str:
    lines = text.splitlines()
    assert tuple(lines[change.start - 1:change.end]) == change.old
    return "\n".join([*lines[:change.start - 1], *change.new, *lines[change.end:]]) + "\n"


def test_a_changed_line_is_replaced_without_its_context():
    after = BEFORE.replace("line 7\n", "line seven\n")
    (change,) = changes(after)
    assert change == LineChange("pkg/mod.py", 7, 7, ("line 7",), ("line seven",))
    assert apply(BEFORE, change) == after


def test_two_hunks_give_two_changes_that_each_apply():
    after = BEFORE.replace("line 2\n", "two\n").replace("line 15\n", "fifteen\nand more\n")
    first, second = changes(after)
    assert (first.start, first.end, second.start, second.end) == (2, 2, 15, 15)
    assert second.new == ("fifteen", "and more")
    assert apply(apply(BEFORE, second), first) == after


def test_an_insertion_takes_in_the_line_before_it():
    after = BEFORE.replace("line 9\n", "line 9\ninserted\n")
    (change,) = changes(after)
    assert change == LineChange("pkg/mod.py", 9, 9, ("line 9",), ("line 9", "inserted"))
    assert apply(BEFORE, change) == after


def test_an_insertion_at_the_top_takes_in_the_line_after_it():
    (change,) = changes("first\n" + BEFORE)
    assert change == LineChange("pkg/mod.py", 1, 1, ("line 1",), ("first", "line 1"))


def test_a_deletion_keeps_a_line_to_stand_on():
    after = BEFORE.replace("line 12\n", "")
    (change,) = changes(after)
    assert (change.start, change.end, change.new) == (11, 12, ("line 11",))
    assert apply(BEFORE, change) == after


def test_an_added_file_has_no_lines_to_replace():
    diff = ("diff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n"
            "@@ -0,0 +1 @@\n+x = 1\n")
    assert line_changes(diff) == ()
