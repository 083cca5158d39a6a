"""Links to code outside the checkout, and the message for a conflicted merge (no git process)."""

from pathlib import Path

from pytest_selfheal.sandbox.unhealable import _conflicts_message, _links_message, outside_code_links


def test_links_to_python_code_outside_the_checkout_are_found(tmp_path: Path):
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    (outside / "lib").mkdir(parents=True)
    (outside / "rates.py").write_text("RATE = 1\n")
    (outside / "lib" / "util.py").write_text("")
    (outside / "data").mkdir()
    (outside / "data" / "prices.csv").write_text("1\n")
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "inside.py").write_text("")
    links = {"pkg/rates.py": outside / "rates.py", "pkg/lib": outside / "lib", "data": outside / "data",
             "pkg/alias.py": repo / "pkg" / "inside.py"}
    for rel, target in links.items():
        (repo / rel).symlink_to(target)
    found = outside_code_links(repo, [*links, "pkg/inside.py"])
    assert found == {"pkg/rates.py": outside / "rates.py", "pkg/lib": outside / "lib"}


def test_the_link_message_names_the_link_its_target_and_the_fix(tmp_path: Path):
    message = _links_message(tmp_path / "repo", {"pkg/rates.py": Path("/srv/shared/rates.py")})
    assert message.startswith("pkg/rates.py is a symbolic link to /srv/shared/rates.py, outside the "
                              f"repository at {tmp_path / 'repo'}")
    assert "`cp --remove-destination /srv/shared/rates.py pkg/rates.py`" in message
    assert "so nothing is healed and your test results stand" in message


def test_the_conflict_message_names_the_operation_the_files_and_how_to_abort(tmp_path: Path):
    (tmp_path / "MERGE_HEAD").write_text("0" * 40)
    files = ["a.py", "b.py", "c.py", "d.py"]
    message = _conflicts_message(tmp_path, Path("/repo"), files)
    assert message.startswith("a merge is in progress in /repo with unresolved conflicts in a.py, b.py, "
                              "c.py and 1 more:")
    assert "(`git merge --abort`)" in message and "`git add`" in message


def test_a_rebase_stopped_on_conflicts(tmp_path: Path):
    (tmp_path / "rebase-merge").mkdir()
    message = _conflicts_message(tmp_path, Path("/repo"), ["a.py"])
    assert message.startswith("a rebase is in progress") and "`git rebase --abort`" in message
