"""The one test-file predicate: the user's python_files, conftest.py, the files test ids name and
the helpers of test directories."""

from pathlib import PurePosixPath

import pytest

from pytest_selfheal.testfiles import DEFAULT_PYTHON_FILES, TestFiles, is_doctest


@pytest.mark.parametrize("path, expected", [
    ("tests/test_cart.py", True),
    ("cart_test.py", True),
    ("pkg/conftest.py", True),
    ("conftest.py", True),
    ("pkg/cart.py", False),
    ("pkg/testing_utils.py", False),
    ("tests/helpers.py", True),  # a helper of a test directory
    ("pkg/testing/factories.py", True),
    ("pkg/test/fixtures.py", True),
    ("pkg/tests/data/builders.py", True),
    ("pkg/contest.py", False),
    ("pkg/test_data.json", False),
])
def test_pytest_defaults(path, expected):
    assert DEFAULT_PYTHON_FILES == ("test_*.py", "*_test.py")
    assert TestFiles()(path) is expected


def test_the_users_python_files_replace_the_defaults():
    is_test_file = TestFiles(("check_*.py",))
    assert is_test_file("suite/check_cart.py")
    assert is_test_file("suite/conftest.py"), "conftest.py is test code whatever python_files says"
    assert not is_test_file("suite/test_cart.py"), "the defaults no longer apply"
    assert not is_test_file("suite/cart.py")


def test_a_pattern_with_a_directory_matches_the_end_of_the_path_as_pytest_does():
    is_test_file = TestFiles(("suite/*.py",))
    assert is_test_file("suite/cart.py") and is_test_file("project/suite/cart.py")
    assert not is_test_file("pkg/cart.py") and not is_test_file("testsuite/cart.py")


def test_files_that_test_ids_name_are_test_modules_whatever_their_name():
    is_test_file = TestFiles.of_suite(("check_*.py",), [
        "suite/cases.py::test_total[1]", "suite/cases.py::TestCart::test_add", "suite/other.py",
    ])
    assert is_test_file.named == frozenset({"suite/cases.py", "suite/other.py"})
    assert is_test_file("suite/cases.py") and is_test_file.is_test_module("suite/other.py")
    assert not is_test_file("suite/helpers.py")


def test_test_ids_are_made_repository_relative_through_the_rootdir():
    is_test_file = TestFiles.of_suite(DEFAULT_PYTHON_FILES, ["cases.py::test_a"],
                                      PurePosixPath("sub/project"))
    assert is_test_file("sub/project/cases.py")
    assert not is_test_file("cases.py")


def test_conftest_is_a_test_file_but_not_a_module_pytest_collects_tests_from():
    test_files = TestFiles()
    assert test_files("pkg/conftest.py") and not test_files.is_test_module("pkg/conftest.py")
    assert test_files.is_test_module("pkg/test_cart.py")


def test_tests_inside_the_package_leave_its_source_editable():
    """testpaths = ["pkg"] with pkg/tests/: pytest searches the package, but only its test
    modules, conftests and test directories are test code."""
    is_test_file = TestFiles.of_suite(DEFAULT_PYTHON_FILES, ["pkg/tests/test_core.py::test_clamp"])
    assert is_test_file("pkg/tests/test_core.py") and is_test_file("pkg/tests/__init__.py")
    assert not is_test_file("pkg/core.py") and not is_test_file("pkg/__init__.py")


def test_the_modules_doctests_are_collected_from_stay_source():
    is_test_file = TestFiles.of_suite(DEFAULT_PYTHON_FILES, [
        "pkg/core.py::pkg.core.clamp", "core.py::core", "tests/cases.py::test_a[1.5]",
    ])
    assert is_test_file.named == frozenset({"tests/cases.py"})
    assert not is_test_file("pkg/core.py") and not is_test_file("core.py")


@pytest.mark.parametrize("nodeid, expected", [
    ("pkg/core.py::pkg.core.clamp", True),
    ("pkg/core.py::pkg.core.Box.size", True),
    ("core.py::core", True),  # a top-level module's own docstring
    ("README.txt::README.txt", True),
    ("tests/test_core.py::test_clamp", False),
    ("tests/test_core.py::TestBox::test_size[1.5-x.y]", False),
    ("tests/test_core.py", False),
])
def test_doctest_node_ids(nodeid, expected):
    assert is_doctest(nodeid) is expected
