"""Every fix ships a regression test: through `pytest --selfheal`, on the examples and on five
bug shapes. The emitted fix.diff applied to a fresh copy makes the suite pass; reverting only the
source part of it makes the regression test fail."""

import shutil
from pathlib import Path

import pytest
from helpers import (
    copy_example,
    fingerprint,
    git,
    init_repo,
    latest_report,
    latest_run_dir,
    make_repo,
    run_pytest,
)

pytestmark = pytest.mark.slow

CASES = Path(__file__).resolve().parent / "regression_cases"

# project -> (where it comes from, regression test path, text the test must contain, extra options)
EXPECTED = {
    "invoice": ("example", "tests/test_regression_qualifies.py",
                "assert qualifies(Decimal('100.00')) is True"),
    "textstats": ("example", "tests/test_regression_most_common.py", "from textstats import most_common"),
    "inventory": ("example", "tests/test_regression_needs_reorder.py",
                  "item = Item(sku='B-2', name='nuts', quantity=2, reorder_level=3, active=False)\n"
                  "    assert Inventory().needs_reorder(item) is False"),
    "pure_function": ("case", "tests/regressions/test_regression_is_leap_year.py",
                      "assert is_leap_year(2000) is True", "--selfheal-regression-dir=tests/regressions"),
    "dataclass_method": ("case", "tests/test_regression_perimeter.py",
                         "rectangle = Rectangle(width=2, height=3, label='door')\n"
                         "    assert rectangle.perimeter() == 10"),
    "raises": ("case", "tests/test_regression_withdraw.py",
               "with pytest.raises(InsufficientFunds):\n        withdraw(10, 20)"),
    "dict_list": ("case", "tests/test_regression_in_stock.py",
                  "batches = {'rice': [2, 1], 'flour': [], 'oats': [0, 1]}\n"
                  "    assert in_stock(batches) == ['oats', 'rice']"),
    "two_calls_deep": ("case", "tests/test_regression_percent.py", "assert percent(3, 4) == 75.0"),
    # the fix is pinned: several one-token patches pass this project's tests
    "caller_fallback": ("case", "tests/test_regression_count.py",
                        "assert basket_size(['apple', 'pear']) == 2",
                        f"--selfheal-agent=scripted:{CASES / 'caller_fallback.fix.json'}"),
    # objects a test builds: rebuilt from their constructor and the calls that changed them
    "unrenderable": ("case", "tests/test_regression_count.py",
                     "basket = Basket()\n    basket.add('apple')\n    basket.add('pear')\n"
                     "    assert basket.count() == 2"),
    "carved_object": ("case", "tests/test_regression_fill.py",
                      "table = Table(['name', 'qty'], '?')\n    table.add_column('price')\n"
                      "    assert table._fill(['apple']) == ['apple', '?', '?']",
                      f"--selfheal-agent=scripted:{CASES / 'carved_object.fix.json'}"),
    # a method that returns nothing: what it leaves in its object is asserted, the object rebuilt
    # with the calls before it, the traced method's own included
    "side_effect": ("case", "tests/test_regression_spend.py",
                    "purse = Purse('ann')\n    purse.deposit(10)\n    purse.spend(4)\n"
                    "    assert purse.balance == 6\n\n\ndef test_spend_2():\n"
                    "    purse = Purse('dee', 10)\n    purse.spend(4)\n    assert purse.balance == 6\n\n\n"
                    "def test_spend_3():\n    purse = Purse('dee', 10)\n    purse.spend(4)\n    purse.spend(1)\n"
                    "    assert purse.balance == 5\n",
                    f"--selfheal-agent=scripted:{CASES / 'side_effect.fix.json'}"),
    # a function that fills a list it is given: the list is asserted after the call
    "argument_effect": ("case", "tests/test_regression_collect_between.py",
                        "found = []\n    collect_between([1, 5, 9, 12], 1, 9, found)\n"
                        "    assert found == [1, 5, 9]\n",
                        f"--selfheal-agent=scripted:{CASES / 'argument_effect.fix.json'}"),
    # a function a decorator wraps without functools.wraps: called by its module's name for it
    "decorated": ("case", "tests/test_regression_initials.py",
                  "assert initials('Ada Lovelace') == 'A.L.'"),
    # a generator: consumed, and what it yielded asserted
    "generator": ("case", "tests/test_regression_batches.py",
                  "assert list(batches('abcde', 2)) == [['a', 'b'], ['c', 'd'], ['e']]"),
    # an endless generator: taken as far as the failing test took it (zip asks a fourth time)
    "endless": ("case", "tests/test_regression_numbered.py",
                "import itertools\n\nfrom counting.numbering import numbered\n\n\n"
                "def test_numbered():\n    assert list(itertools.islice(numbered(), 4)) == [1, 2, 3, 4]"),
    # a property is read, not called
    "property": ("case", "tests/test_regression_is_prerelease.py",
                 "assert Version('1.2-b1').is_prerelease is True"),
    # standard-library values by their natural construction, types as references
    "match_argument": ("case", "tests/test_regression_strf_date_convert.py",
                       "import re\n\nfrom dates.convert import strf_date_convert\n\n\n"
                       "def test_strf_date_convert():\n"
                       "    match = re.compile('(\\\\d{4})-(\\\\d{2})-(\\\\d{2})')"
                       ".match('due 2024-03-05, paid', 4)\n"
                       "    assert strf_date_convert(match) == '05/03/2024'",
                       f"--selfheal-agent=scripted:{CASES / 'match_argument.fix.json'}"),
    "returns_type": ("case", "tests/test_regression_type.py",
                     "assert _type([True, False]) is bool",
                     f"--selfheal-agent=scripted:{CASES / 'returns_type.fix.json'}"),
    # nothing rebuilds a csv reader: the failing test is copied with the helper it calls
    "test_copy": ("case", "tests/test_regression_count_records.py",
                  "import csv\nimport io\n\nfrom csvlite.reader import count_records\n\n\n"
                  "def _rows(text):\n    return csv.reader(io.StringIO(text))\n\n\n"
                  "def test_blank_lines_are_no_records(sample):\n"
                  "    assert count_records(_rows(sample)) == 2\n",
                  f"--selfheal-agent=scripted:{CASES / 'test_copy.fix.json'}"),
}


def _copy(project: str, dest: Path) -> Path:
    if EXPECTED.get(project, ("case",))[0] == "example":
        return copy_example(project, dest)
    shutil.copytree(CASES / project, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.parametrize("project", list(EXPECTED))
def test_fix_diff_carries_a_regression_test_that_fails_without_the_fix(project, tmp_path):
    repo = init_repo(_copy(project, tmp_path / "repo"))
    before = fingerprint(repo)
    _, path, snippet, *options = EXPECTED[project]
    result = run_pytest(repo, "--selfheal", *options)
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before, "the user's checkout must not change"
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert report["regression"]["path"] == path, report["regression"]
    assert f"regression test: {path}" in result.stdout
    run_dir = latest_run_dir(repo)
    test_source = (run_dir / Path(path).name).read_text()
    assert snippet in test_source
    assert report["run_id"] in test_source and report["fix"]["fixed"][0] in test_source
    diff = (run_dir / "fix.diff").read_text()
    assert f"new file mode 100644\n--- /dev/null\n+++ b/{path}\n" in diff

    fresh = init_repo(_copy(project, tmp_path / "fresh"))
    shutil.copy(run_dir / "fix.diff", tmp_path / "fix.diff")
    git(fresh, "apply", str(tmp_path / "fix.diff"))
    assert (fresh / path).read_text() == test_source
    green = run_pytest(fresh)
    assert green.returncode == 0, green.stdout

    git(fresh, "checkout", "--", *report["fix"]["files"])
    # the checkout can fall in the second the green run compiled the fix, at the same size:
    # Python would take that bytecode for the source's
    for cache in list(fresh.rglob("__pycache__")):
        shutil.rmtree(cache)
    red = run_pytest(fresh, path)
    assert red.returncode == 1, red.stdout
    tests = report["regression"]["tests"]
    assert tests and f"{len(tests)} failed" in red.stdout


def test_a_copied_tests_docstring_says_in_one_sentence_why_no_call_was_replayed(tmp_path):
    """So does the terminal's line for it."""
    repo = init_repo(_copy("test_copy", tmp_path / "repo"))
    result = run_pytest(repo, "--selfheal",
                        f"--selfheal-agent=scripted:{CASES / 'test_copy.fix.json'}")
    report = latest_report(repo)
    assert "argument rows:" in report["regression"]["reason"]  # the report keeps every detail
    shown = _terminal_line(result.stdout, "regression test: ")
    assert ("a copy of 1 failing test(s) of tests/test_reader.py, since the calls of count_records "
            "cannot be written as source; it fails on the original code") in shown
    assert "argument rows" not in shown
    source = (latest_run_dir(repo) / "test_regression_count_records.py").read_text()
    docstring = source.split('"""')[1]
    assert ("A copy of the failing test(s) of tests/test_reader.py, with what they use from it: "
            "the calls of count_records cannot be written as source (report.json says why in "
            "full).\n") in docstring
    assert "argument rows" not in docstring and "no caller" not in docstring


def test_no_regression_test_when_neither_a_call_nor_a_copy_of_the_test_is_proven(tmp_path):
    repo = init_repo(_copy("test_copy", tmp_path / "repo"))
    result = run_pytest(repo, "--selfheal", "--selfheal-regression-dir=checks",
                        f"--selfheal-agent=scripted:{CASES / 'test_copy.fix.json'}")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    regression = report["regression"]
    assert regression["path"] is None and regression["tests"] == []
    assert regression["function"] == "count_records"
    reason = regression["reason"]
    assert "call(s) of count_records could not be written as source: argument rows:" in reason
    assert "no caller between the test and it can be replayed" in reason
    # in checks/ the copy lacks the `sample` fixture of tests/conftest.py: it errors, unproven
    assert ("a copy of the failing test is no regression test either: no generated test failed "
            "on the original code and passed on the fixed code") in reason
    shown = _terminal_line(result.stdout, "regression test: none (")
    assert "the calls of count_records cannot be written as source" in shown
    assert "nor is a copy of the failing test: no generated test failed" in shown
    assert "argument rows" not in shown
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "new file mode" not in diff and "test_regression" not in diff


def test_a_test_named_by_the_users_python_files_is_copied_not_replayed_as_a_caller(tmp_path):
    project = _copy("test_copy", tmp_path / "repo")
    (project / "tests" / "test_reader.py").rename(project / "tests" / "check_reader.py")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'python_files = ["check_*.py"]\n')
    _, report = _healed_by_the_copy_fix(project)
    regression = report["regression"]
    assert regression["path"] == "tests/check_regression_count_records.py", regression
    assert regression["tests"] == ["test_blank_lines_are_no_records"]
    assert "no caller between the test and it can be replayed" in regression["reason"]
    assert regression["reason"].startswith("a copy of 1 failing test(s) of tests/check_reader.py")


OVERRIDE = """
    def test_blank_lines_are_no_records(self):
        assert count_records(self.rows("name,qty", "", "pear,3")) == 1
"""


@pytest.mark.parametrize("overridden", [False, True], ids=["inherited", "overridden"])
def test_a_copy_is_of_the_module_that_defines_the_failing_test_not_of_a_subclass(overridden, tmp_path):
    """tests/test_crlf.py reruns every test of tests/test_reader.py's class in a subclass; a copy
    of that subclass would carry them all along, so the base's test is copied alone. So it is
    when the subclass overrides the failing test: its copy, tried first, ran the others too."""
    project = _copy("inherited_copy", tmp_path / "repo")
    if overridden:
        crlf = project / "tests" / "test_crlf.py"
        crlf.write_text(crlf.read_text().replace("import test_reader\n", "import test_reader\n\n"
                        "from csvlite.reader import count_records\n") + OVERRIDE)
    repo, report = _healed_by_the_copy_fix(project)
    assert report["fix"]["fixed"][0].startswith("tests/test_crlf.py::TestCrlfReader::")
    regression = report["regression"]
    assert regression["path"] == "tests/test_regression_count_records.py", regression
    assert regression["tests"] == ["TestReader::test_blank_lines_are_no_records"]
    assert regression["reason"].startswith("a copy of 1 failing test(s) of tests/test_reader.py")
    assert "inherit" not in regression["reason"]
    code = (latest_run_dir(repo) / "test_regression_count_records.py").read_text().split('"""')[2]
    assert "class TestReader:" in code and "def rows(self, *lines):" in code
    assert "TestCrlfReader" not in code and "test_one_record" not in code


def test_a_failing_test_only_a_subclass_runs_is_copied_with_the_subclass_and_said_so(tmp_path):
    """The cases live in a module pytest does not collect (cachetools' mixin of every cache's
    tests): the subclass is the only copy there is, and its other inherited tests come along."""
    project = _copy("inherited_copy", tmp_path / "repo")
    tests = project / "tests"
    cases = (tests / "test_reader.py").read_text().replace("class TestReader:", "class ReaderCases:")
    (tests / "reader_cases.py").write_text(cases)
    (tests / "test_reader.py").unlink()
    (tests / "test_crlf.py").write_text(
        "from reader_cases import ReaderCases\n\n\nclass TestCrlfReader(ReaderCases):\n"
        "    newline = \"\\r\\n\"\n")
    _, report = _healed_by_the_copy_fix(project)
    regression = report["regression"]
    assert regression["tests"] == ["TestCrlfReader::test_blank_lines_are_no_records"], regression
    assert regression["reason"].startswith("a copy of 1 failing test(s) of tests/test_crlf.py")
    assert regression["reason"].endswith("its module also runs 3 other test(s), which its classes "
                                         "inherit or which share a block with it")


def _healed_by_the_copy_fix(project: Path) -> tuple[Path, dict]:
    """`project` made a repository and healed with the reader's fix; the repository and report."""
    repo = init_repo(project)
    result = run_pytest(repo, "--selfheal", f"--selfheal-agent=scripted:{CASES / 'test_copy.fix.json'}")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    return repo, report


def _terminal_line(stdout: str, start: str) -> str:
    """The terminal's line that starts with `start`, joined again where the terminal wrapped it."""
    text = " ".join(stdout.split())
    found = text.index(start)
    end = text.find(" apply: ", found)
    return text[found:end if end != -1 else None]



COMPOSE = '''
    """Functions of functions."""

    import functools


    def compose(*funcs):
        """
        Compose unary functions: ``compose(g, f)(x) == g(f(x))``.

        >>> def get_numbers(start):
        ...     return range(start, start + 3)
        >>> compose(list, get_numbers)(4)
        [4, 5, 6]
        """

        def compose_two(f1, f2):
            return lambda *args, **kwargs: f1(f2(*args, **kwargs))

        return functools.reduce(compose_two, funcs)
    '''


def test_a_fix_only_doctests_witnessed_carries_their_examples_as_a_regression_test(tmp_path):
    """jaraco.functools' layout: `--doctest-modules`, and a bug only a docstring's example
    fails, through a function the example defines, which no test can import: the examples,
    copied into a test module beside the suite's tests, run as pytest runs the doctest."""
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": """
            [tool.pytest.ini_options]
            addopts = ["--doctest-modules", "--strict-config", "--strict-markers"]
            filterwarnings = ["error"]
            doctest_optionflags = ["ELLIPSIS"]
            testpaths = ["fnutils", "tests"]
            """,
        "fnutils/__init__.py": COMPOSE,
        "tests/test_compose.py": """
            from fnutils import compose


            def test_one_function_is_itself():
                assert compose(abs)(-2) == 2
            """,
    })
    module = repo / "fnutils" / "__init__.py"
    module.write_text(module.read_text().replace("f1(f2(*args, **kwargs))", "f2(f1(*args, **kwargs))"))
    # racily clean in the index (edited in the second it was written): any plugin of the user's
    # run that calls git (pytest-benchmark) would refresh it, and the fingerprint would differ
    git(repo, "update-index", "-q", "--refresh")
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert [f["nodeid"] for f in report["failures"]] == ["fnutils/__init__.py::fnutils.compose"]
    regression = report["regression"]
    path = "tests/test_regression_compose.py"
    assert (regression["path"], regression["tests"]) == (path, ["test_compose"]), regression
    assert regression["reason"].startswith("the examples of 1 failing doctest(s), copied, since ")
    source = (latest_run_dir(repo) / Path(path).name).read_text()
    assert "import fnutils\n" in source and ">>> compose(list, get_numbers)(4)" in source

    (repo / path).write_text(source)
    red = run_pytest(repo, path)
    assert red.returncode == 1 and "1 failed" in red.stdout, red.stdout
    (repo / path).unlink()
    git(repo, "apply", str(latest_run_dir(repo) / "fix.diff"))
    green = run_pytest(repo)
    assert green.returncode == 0 and "3 passed" in green.stdout, green.stdout
