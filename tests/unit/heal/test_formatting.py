"""The fix's changed lines as the project's formatter writes them, and nothing else."""

from pytest_selfheal.heal.formatting import _configured_name, keep_changed_lines

BEFORE = "def f(a,b):\n    x = a+b\n    return  x*2\n"
AFTER = "def f(a,b):\n    x = a+b\n    return  x*3\n"
FORMATTED = "def f(a, b):\n    x = a + b\n    return x * 3\n"


def test_only_the_lines_the_fix_changed_take_the_formatters_style():
    assert keep_changed_lines(BEFORE, AFTER, FORMATTED) == "def f(a,b):\n    x = a+b\n    return x * 3\n"


def test_a_formatter_output_that_is_another_program_is_not_taken():
    assert keep_changed_lines(BEFORE, AFTER, AFTER.replace("x*3", "x*4")) == AFTER


def test_a_formatter_that_joins_a_changed_line_with_its_neighbour_takes_both():
    before = "def f(a):\n    return g(a,\n             1)\n"
    after = "def f(a):\n    return g(a,\n             2)\n"
    assert keep_changed_lines(before, after, "def f(a):\n    return g(a, 2)\n") == "def f(a):\n    return g(a, 2)\n"


def test_crlf_lines_stay_crlf_where_the_formatter_keeps_them():
    before, after = BEFORE.replace("\n", "\r\n"), AFTER.replace("\n", "\r\n")
    formatted = FORMATTED.replace("\n", "\r\n")
    assert keep_changed_lines(before, after, formatted).endswith("    return x * 3\r\n")


def test_which_formatter_a_project_configures(tmp_path):
    assert _configured_name(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert _configured_name(tmp_path) is None  # linting only says nothing of formatting
    (tmp_path / "pyproject.toml").write_text("[tool.ruff.format]\nquote-style = 'single'\n")
    assert _configured_name(tmp_path) == "ruff"
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert _configured_name(tmp_path) == "black"
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n- repo: x\n  hooks:\n  - id: ruff-format\n")
    assert _configured_name(tmp_path) == "ruff"
