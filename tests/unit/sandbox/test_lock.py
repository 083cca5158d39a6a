"""Which worktrees of `git worktree list --porcelain` are sandboxes, and whose."""

from pathlib import Path

from pytest_selfheal.sandbox.lock import linked_worktrees, sandbox_reason

LISTING = f"""\
worktree /home/me/project
HEAD 1ec3f2951a53130f314bfd98fca241e436b7a233
branch refs/heads/main

worktree /elsewhere/tmp/selfheal-ab12/worktree
HEAD 1ec3f2951a53130f314bfd98fca241e436b7a233
detached
locked {sandbox_reason(4242)}

worktree /home/me/selfheal-feature/worktree
HEAD 1ec3f2951a53130f314bfd98fca241e436b7a233
detached
locked

worktree /home/me/review
HEAD 1ec3f2951a53130f314bfd98fca241e436b7a233
detached
prunable gitdir file points to non-existent location

worktree /home/me/selfheal-lookalike/worktree
HEAD 1ec3f2951a53130f314bfd98fca241e436b7a233
detached
locked pytest-selfheal sandbox? no, mine

"""


def test_only_worktrees_locked_by_a_heal_and_laid_out_as_a_sandbox_have_an_owner():
    listed = linked_worktrees(LISTING)
    assert [entry.path for entry in listed] == [
        Path("/elsewhere/tmp/selfheal-ab12/worktree"), Path("/home/me/selfheal-feature/worktree"),
        Path("/home/me/review"), Path("/home/me/selfheal-lookalike/worktree")]
    assert [entry.owner for entry in listed] == [4242, None, None, None]


def test_a_heals_lock_reason_on_a_path_of_the_users_is_not_a_sandbox():
    (entry,) = linked_worktrees(f"worktree /main\n\nworktree /home/me/project-b\nlocked {sandbox_reason(7)}\n")
    assert entry.owner is None
