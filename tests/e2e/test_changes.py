"""The lines changed since a commit, read from real git: committed, staged, unstaged and untracked
work, a deletion, the heal's one changed-lines signal with the base it is measured from, and
how much of that change a candidate puts back."""

from helpers import git, init_repo

from pytest_selfheal.heal import changes
from pytest_selfheal.models import Candidate, Edit


def test_changed_lines_cover_committed_staged_unstaged_and_untracked(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("one\ntwo\nthree\nfour\n")
    (repo / "b.py").write_text("x\ny\n")
    init_repo(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.py").write_text("one\nTWO\nthree\nfour\n")
    git(repo, "commit", "-qam", "two")
    (repo / "a.py").write_text("one\nTWO\nthree\nFOUR\nfive\n")  # unstaged
    (repo / "b.py").write_text("x\nY\n")
    git(repo, "add", "b.py")  # staged
    (repo / "c.py").write_text("new\nfile\n")  # untracked
    assert changes.changed_lines(repo, base) == {
        "a.py": frozenset({2, 4, 5}), "b.py": frozenset({2}), "c.py": frozenset({1, 2, 3}),
    }
    assert changes.changed_lines(repo, "HEAD")["a.py"] == frozenset({4, 5})
    since_green = changes.changed_since_base(repo, base)
    assert (since_green.base, since_green.label) == (base, "the last green commit")
    assert ("a.py", 2) in since_green.lines and ("c.py", 1) in since_green.lines
    gone = changes.changed_since_base(repo, "0" * 40)  # history rewritten: the commit is gone
    assert (gone.base, gone.describe()) == ("HEAD", "HEAD")
    assert gone.lines == changes.as_lines(changes.changed_lines(repo, "HEAD"))


def test_a_deleted_line_links_the_lines_around_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("one\nguard\nthree\n")
    init_repo(repo)
    (repo / "a.py").write_text("one\nthree\n")
    assert changes.changed_lines(repo, "HEAD") == {"a.py": frozenset({1, 2})}


SOURCE = """\
def total(prices):
    subtotal = sum(prices)
    if subtotal > 100:
        subtotal *= 0.9
    subtotal += 5
    return subtotal
"""


def test_without_a_green_commit_the_base_is_the_uncommitted_work(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    repo = init_repo(tmp_path)
    clean = changes.changed_since_base(repo, None)
    assert (clean.base, clean.lines) == ("HEAD~1", frozenset())  # one commit, no parent
    (repo / "m.py").write_text(SOURCE.replace("sum(prices)", "sum(prices, 0)"))
    assert changes.changed_since_base(repo, None) == changes.ChangedLines(
        "HEAD", "HEAD", frozenset({("m.py", 2)}))


def test_a_clean_tree_falls_back_to_the_last_commit_and_marks_deletions(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    repo = init_repo(tmp_path)
    (repo / "m.py").write_text(SOURCE.replace("> 100", "> 200").replace("    subtotal += 5\n", ""))
    git(repo, "commit", "-qam", "edit")
    changed = changes.changed_since_base(repo, None)
    assert (changed.base, changed.describe()) == ("HEAD~1", "HEAD~1")
    assert changed.lines == {("m.py", 3), ("m.py", 4), ("m.py", 5)}  # 4-5 flank the cut


def candidate(path: str, before: str, after: str) -> Candidate:
    return Candidate(edits=(Edit(path=path, before=before, after=after, description=after),))


def test_a_candidate_is_credited_with_the_changed_lines_it_puts_back(tmp_path):
    (tmp_path / "m.py").write_bytes(SOURCE.replace("\n", "\r\n").encode())  # CRLF, as committed
    (tmp_path / "other.py").write_text("x = 1\n")
    repo = init_repo(tmp_path)
    green = git(repo, "rev-parse", "HEAD").strip()
    broken = SOURCE.replace("> 100", "> 1000").replace("*= 0.9", "*= 0.8").replace("\n", "\r\n")
    (repo / "m.py").write_bytes(broken.encode())
    git(repo, "commit", "-qam", "discounts")
    (repo / "new.py").write_text("y = 2\n")  # no base to put back
    restoration = changes.BaseRestoration(repo, changes.changed_since_base(repo, green))

    def restored(path: str, before: str, after: str) -> int:
        return restoration.lines_restored(candidate(path, before, after))

    assert restored("m.py", broken, broken.replace("> 1000", "> 100")) == 1
    assert restored("m.py", broken, broken.replace("> 1000", ">= 1000")) == 0
    assert restored("m.py", broken, broken.replace("> 1000", "> 100").replace("0.8", "0.9")) == 2
    # putting one line back while breaking another: no credit, whatever else it does
    assert restored("m.py", broken, broken.replace("> 1000", "> 100").replace("+= 5", "+= 6")) == 0
    assert restored("other.py", "x = 1\n", "x = 2\n") == 0  # unchanged since the base
    assert restored("new.py", "y = 2\n", "y = 3\n") == 0

    def puts_back_only(after: str) -> bool:
        return restoration.puts_back_only(candidate("m.py", broken, after))

    assert puts_back_only(broken.replace("> 1000", "> 100"))
    assert puts_back_only(broken.replace("> 1000", "> 100").replace("0.8", "0.9"))
    assert not puts_back_only(broken.replace("> 1000", "> 100").replace("+= 5", "+= 6"))
    assert not puts_back_only(broken.replace("> 1000", ">= 1000"))
    assert not puts_back_only(broken)
