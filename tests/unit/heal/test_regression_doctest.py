"""The examples of failing doctests, copied into a test module that runs them as pytest's
doctest-modules does."""

from __future__ import annotations

import textwrap

import pytest
from helpers import run_pytest

from pytest_selfheal.heal.regression_doctest import (
    CopiedDoctest,
    copied_doctests,
    copied_test_names,
    docstring_of,
    module_of,
)

SOURCE = textwrap.dedent('''
    """Tools.

    >>> twice(2)
    4
    """


    def twice(x):
        return 2 * x


    class Box:
        def get(self, default=None):
            """
            >>> Box().get(1)
            1
            >>> print("a\\\\tb")
            a\\tb
            """
            return default


    def twice(x):
        """The later definition is the one imported.

        >>> twice(3)
        6
        """
        return x + x
    ''')


@pytest.mark.parametrize(("file", "dotted", "module"), [
    ("jaraco/functools/__init__.py", "jaraco.functools.compose", "jaraco.functools"),
    ("src/attr/_make.py", "attr._make.attrib", "attr._make"),
    ("src/attr/_make.py", "attr._make", "attr._make"),
    ("tools.py", "tools.Box.get", "tools"),
    ("docs/test_usage.txt", "test_usage.txt", None),
    ("pkg/mod.py", "other.f", None),
])
def test_the_module_a_doctest_runs_in_is_the_tail_of_its_files_path_its_name_starts_with(file, dotted, module):
    assert module_of(file, dotted) == module


def test_the_docstring_is_found_as_written_for_the_module_a_method_and_a_redefined_function():
    assert docstring_of(SOURCE, "tools", "tools").startswith("Tools.\n\n>>> twice(2)")
    method = docstring_of(SOURCE, "tools", "tools.Box.get")
    assert method is not None and ">>> Box().get(1)\n        1" in method
    assert '>>> print("a\\tb")' in method, "escapes as the value has them, not as written"
    assert "The later definition" in (docstring_of(SOURCE, "tools", "tools.twice") or "")
    assert docstring_of(SOURCE, "tools", "tools.Box.missing") is None


def test_copied_examples_run_as_doctest_modules_runs_them_and_fail_where_the_code_is_wrong(tmp_path):
    # the example needs the conftest's doctest_namespace, and the ini's flags: its spaces differ
    # from what it prints
    tools = SOURCE.replace(">>> twice(3)\n        6", ">>> twice(3) == SIX,  twice(3)\n        (True,   6)")
    doctests = [CopiedDoctest(name, "tools", docstring_of(tools, "tools", name) or "")
                for name in ("tools.Box.get", "tools.twice")]
    doctests.append(CopiedDoctest("other.twice", "tools", 'no example; ends with a quote: "x"'))
    assert copied_test_names(doctests) == ["test_get", "test_twice", "test_twice_2"]
    source = copied_doctests(doctests, "Regression test.\n", "\r\n")
    assert "\n" not in source.replace("\r\n", ""), "every line ends as the project's do"
    assert source.count("import tools") == 1
    (tmp_path / "tools.py").write_text(tools)
    (tmp_path / "test_regression.py").write_bytes(source.encode())
    (tmp_path / "pytest.ini").write_text("[pytest]\ndoctest_optionflags = NORMALIZE_WHITESPACE\n"
                                         "filterwarnings = error\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture(autouse=True)\ndef _names(doctest_namespace):\n"
        "    doctest_namespace['SIX'] = 6\n")
    passed = run_pytest(tmp_path, "-q", "test_regression.py")
    assert passed.returncode == 0 and "3 passed" in passed.stdout, passed.stdout

    (tmp_path / "tools.py").write_text(tools.replace("return default", "return None"))
    failed = run_pytest(tmp_path, "-q", "test_regression.py")
    assert failed.returncode == 1 and "1 failed, 2 passed" in failed.stdout, failed.stdout
    report = [line.removeprefix("E").strip() for line in failed.stdout.splitlines()]
    assert report[
        report.index("Failed example:"):report.index("Failed example:") + 5] == ["Failed example:", "Box().get(1)", "Expected:", "1", "Got nothing"]
