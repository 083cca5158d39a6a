"""The console script's arguments, dispatch and exit codes (commands that need no git)."""

import pytest

from pytest_selfheal.cli.exit_codes import EXIT_CODES_HELP, EXIT_NOTHING, EXIT_OK, EXIT_USAGE
from pytest_selfheal.cli.main import build_parser, main


def test_a_missing_run_exits_3_with_what_to_do(project, capsys):
    assert main(["show", "nope", "--root", str(project)]) == EXIT_NOTHING
    assert capsys.readouterr().err == (
        f"pytest-selfheal: no runs under {project / '.selfheal' / 'runs'}: run `pytest --selfheal` "
        "first (or pass --root with the project's rootdir)\n")


def test_an_ambiguous_prefix_exits_3(project, add_run, capsys):
    add_run("20260101-000000-000001", "healed")
    add_run("20260101-000000-000002", "healed")
    assert main(["log", "20260101", "--root", str(project)]) == EXIT_NOTHING
    assert "'20260101' matches several runs" in capsys.readouterr().err


def test_an_invalid_project_setting_is_a_usage_error(project, capsys):
    (project / "pyproject.toml").write_text("[tool.selfheal\n")
    assert main(["runs", "--root", str(project)]) == EXIT_USAGE
    assert "invalid TOML" in capsys.readouterr().err


def test_an_unknown_example_is_a_usage_error_naming_the_examples(capsys):
    assert main(["demo", "nope"]) == EXIT_USAGE
    assert "choose one of: incident, inventory, invoice, textstats" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["demo", "runs", "show", "apply", "log", "clean", "hook", "github"])
def test_every_command_documents_the_exit_codes(command, capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([command, "--help"])
    assert done.value.code == EXIT_OK
    assert " ".join(EXIT_CODES_HELP.split()) in " ".join(capsys.readouterr().out.split())
