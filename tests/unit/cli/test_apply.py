"""`apply` refuses, changing nothing, when there is nothing to apply or nowhere to apply it."""

from pytest_selfheal.cli.apply import EXIT_CODES, apply_command
from pytest_selfheal.cli.exit_codes import EXIT_NOTHING, EXIT_USAGE
from pytest_selfheal.git import find_repo_root
from pytest_selfheal.output.apply import ApplyOutcome


def test_a_run_without_a_fix_has_nothing_to_apply(project, add_run, capsys):
    add_run("20260101-000000-000001", "not-healed")
    assert apply_command(project, None) == EXIT_NOTHING
    assert capsys.readouterr().err == (
        "run 20260101-000000-000001 has no fix (not-healed); nothing to apply\n")


def test_a_fix_outside_a_git_checkout_is_a_usage_error(project, add_run, capsys):
    assert find_repo_root(project.resolve()) is None
    add_run("20260101-000000-000001", "healed", diff="diff --git a/a.py b/a.py\n")
    assert apply_command(project, None) == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"no git repository at {project}: fix.diff applies at the root of the checkout it was "
        "made for; pass --root\n")


def test_every_outcome_has_an_exit_code():
    assert set(EXIT_CODES) == set(ApplyOutcome)
