"""Policy rules on candidates, as pure functions: each rule rejects its case and lets a fix through."""

import pytest

from pytest_selfheal.config import Settings, parse_globs
from pytest_selfheal.errors import ConfigError
from pytest_selfheal.heal.policy import build_policy, failing_test_literals, matches
from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.testfiles import TestFiles

SOURCE = '''import os
import sys


def price(quantity, unit):
    total = quantity * unit
    if quantity > 10:
        total = total * 0.9
    return total
'''
FIX = SOURCE.replace("quantity > 10", "quantity >= 10")


def candidate(after: str, path: str = "shop/price.py", before: str = SOURCE) -> Candidate:
    return Candidate(edits=(Edit(path=path, before=before, after=after, description="x"),))


def policy(**settings: object):
    return build_policy(
        Settings(**settings),  # type: ignore[arg-type]
        TestFiles.of_suite(("test_*.py", "*_test.py", "check_*.py"), ["suite/cases.py::test_a"]),
        submodules=["vendor/lib"], test_literals=frozenset({17, "widget", 2.5}),
    )


def test_a_small_fix_is_allowed():
    assert policy().check(candidate(FIX)) is None


@pytest.mark.parametrize("path, why", [
    ("tests/test_price.py", "test file"),
    ("shop/price_test.py", "test file"),
    ("tests/helpers/factories.py", "test file"),  # a helper of a test directory
    ("conftest.py", "configuration"),
    ("shop/conftest.py", "configuration"),
    ("pyproject.toml", "configuration"),
    ("tox.ini", "configuration"),
    ("setup.cfg", "configuration"),
    ("pytest.ini", "configuration"),
    (".github/workflows/ci.yml", "configuration"),
    ("poetry.lock", "configuration"),
    ("requirements-dev.txt", "configuration"),
    ("vendor/lib/core.py", "forbidden_paths"),  # inside a submodule
    ("shop/check_price.py", "test file"),  # the user's python_files
    ("suite/cases.py", "test file"),  # named by a test id
    ("setup.py", "configuration"),
    ("deploy/fabfile.py", "configuration"),
    ("noxfile.py", "configuration"),
    ("shop/testing/factories.py", "test file"),  # a test directory inside the package
    ("shop/test/fixtures.py", "test file"),
    ("shop/prices.json", "not Python source"),
    (".hidden/tool.py", "hidden"),
])
def test_always_forbidden_paths(path, why):
    verdict = policy().check(candidate(FIX, path=path))
    assert verdict is not None and verdict.startswith("forbidden-path:") and why in verdict
    assert verdict == f"forbidden-path: {policy().refusal(path)}"


@pytest.mark.parametrize("path", ["shop/price.py", "shop/testimonials.py", "shop/latest/cart.py",
                                  "src/setup_wizard.py", "shop/tests_data.py"])
def test_project_source_may_be_edited(path):
    assert policy().refusal(path) is None


def test_verdicts_name_the_rule_and_the_reason():
    assert policy().refusal("tests/test_price.py") == (
        "tests/test_price.py is a test file (the failing tests are the oracle)")
    assert policy().refusal("conftest.py") == "conftest.py is test, CI or packaging configuration"
    assert policy(forbidden_paths=("shop/**",)).refusal("shop/price.py") == (
        "shop/price.py matches forbidden_paths")
    assert policy(allowed_paths=("core/**",)).refusal("shop/price.py") == (
        "shop/price.py is outside allowed_paths")


def test_configured_forbidden_and_allowed_paths():
    assert "forbidden_paths" in policy(forbidden_paths=("shop/**",)).check(candidate(FIX))
    assert "outside allowed_paths" in policy(allowed_paths=("core/**",)).check(candidate(FIX))
    assert policy(allowed_paths=("shop/*.py",)).check(candidate(FIX)) is None


@pytest.mark.parametrize("after, rule", [
    (SOURCE.replace("    total = quantity * unit\n",
                    "    import pytest\n    pytest.skip('later')\n    total = quantity * unit\n"),
     "adds-skip"),
    (SOURCE.replace("def price", "@pytest.mark.xfail\ndef price"), "adds-skip"),
    (SOURCE.replace("import os\n", "import os\nimport pytest\npytest.importorskip('numpy')\n"),
     "adds-skip"),
    (SOURCE.replace("    total = quantity * unit\n",
                    "    try:\n        total = quantity * unit\n    except:\n        total = 0\n"),
     "broad-except"),
    (SOURCE.replace("    total = quantity * unit\n",
                    "    try:\n        total = quantity * unit\n    except Exception:\n        total = 0\n"),
     "broad-except"),
    (SOURCE.replace("    return total\n", "    sys.exit(0)\n"), "adds-exit"),
    (SOURCE.replace("    return total\n", "    os._exit(0)\n"), "adds-exit"),
    (SOURCE.replace("    return total\n", "    if quantity == 17:\n        return 42\n    return total\n"),
     "special-cases-test-input: compares against 17"),
    (SOURCE.replace("    return total\n", "    if unit in ('widget',):\n        return 1\n    return total\n"),
     "special-cases-test-input"),
    (SOURCE.replace("    return total\n", "    if -17 == quantity:\n        return 42\n    return total\n"),
     "special-cases-test-input"),
    (SOURCE.replace("    return total\n", "    if unit == Unit('widget'):\n        return 1\n    return total\n"),
     "special-cases-test-input: compares against 'widget'"),
])
def test_candidates_that_would_fake_a_pass_are_rejected(after, rule):
    verdict = policy().check(candidate(after))
    assert verdict is not None and verdict.startswith(rule.split(":")[0]) and rule in verdict


def test_narrow_except_and_unrelated_literals_are_fine():
    narrow = SOURCE.replace("    total = quantity * unit\n",
                            "    try:\n        total = quantity * unit\n    except TypeError:\n"
                            "        raise ValueError('bad')\n")
    assert policy().check(candidate(narrow)) is None
    other = SOURCE.replace("    return total\n", "    if quantity == 3:\n        return 0\n    return total\n")
    assert policy().check(candidate(other)) is None
    # a test's value inside what is compared is not compared against: idna's `label[2:4]`
    window = SOURCE.replace("    return total\n", "    if str(total)[2:17] == 'x':\n        return 0\n"
                            "    return total\n")
    assert policy().check(candidate(window)) is None
    # a comparison with the value that already existed is not new
    existing = SOURCE.replace("if quantity > 10", "if quantity == 17 or quantity > 10")
    assert policy().check(candidate(existing.replace(" > 10", " >= 10"), before=existing)) is None


def test_a_comparison_the_code_made_before_the_change_is_not_special_casing():
    """The base of the change compared against 17: putting that back invents nothing."""
    special = SOURCE.replace("    return total\n", "    if quantity == 17:\n        return 42\n    return total\n")
    restoring = build_policy(
        Settings(), TestFiles.of_suite(("test_*.py",), []), submodules=[],
        test_literals=frozenset({17}), base_text={"shop/price.py": special}.get)
    assert restoring.check(candidate(special)) is None
    assert restoring.check(candidate(special, path="shop/other.py")).startswith(
        "special-cases-test-input"), "the base's comparisons count for their own file only"


def test_size_limits():
    big = SOURCE + "".join(f"\n\ndef helper_{i}():\n    return {i}\n" for i in range(4))
    assert policy().check(candidate(big)).startswith("max-changed-lines: changes 16 lines")
    assert policy(max_changed_lines=20).check(candidate(big)) is None
    three = Candidate(edits=tuple(Edit(f"shop/m{i}.py", "a = 1\n", "a = 2\n", "x") for i in range(3)))
    assert policy().check(three).startswith("max-files: touches 3 files")
    assert policy(max_files=3).check(three) is None


def test_failing_test_literals_come_from_the_failing_test_only(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_shop.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', [17, 23])\n"
        "def test_bulk(n):\n    assert price(n, 'widget') == -4.5\n\n"
        "def test_other():\n    assert price(99, 'gadget') == 0\n\n"
        "class TestCart:\n    def test_total(self):\n        assert total(1, 0, 'sku-9') == 31\n"
    )
    literals = failing_test_literals(tmp_path, ["tests/test_shop.py::test_bulk[17]",
                                                "tests/test_shop.py::TestCart::test_total"])
    assert {17, 23, "widget", -4.5, "sku-9", 31, "n"} <= literals
    assert 99 not in literals and "gadget" not in literals
    assert not {0, 1} & literals  # too common to mean anything


def test_a_test_module_is_parsed_once_however_many_of_its_tests_fail(tmp_path, monkeypatch):
    """idna's 25,000-line test module failed 18 tests: parsed once each, 20 s of a heal."""
    from pytest_selfheal.heal import policy

    (tmp_path / "test_big.py").write_text(
        "".join(f"def test_{i}():\n    assert f({1000 + i}) == 'v{i}'\n\n" for i in range(20)))
    parsed = []
    real_parse = policy.ast.parse
    monkeypatch.setattr(policy.ast, "parse", lambda data: parsed.append(1) or real_parse(data))
    literals = failing_test_literals(tmp_path, [f"test_big.py::test_{i}" for i in range(0, 20, 2)])
    assert len(parsed) == 1
    assert {1000, "v0", 1018, "v18"} <= literals and 1001 not in literals


def test_glob_matching():
    assert matches("a/b/conftest.py", ["**/conftest.py"]) and matches("conftest.py", ["**/conftest.py"])
    assert matches(".github/workflows/x.yml", [".github/**"])
    assert not matches("src/github.py", [".github/**"])


@pytest.mark.parametrize("raw, expected", [
    ("src/**, lib/*.py", ("src/**", "lib/*.py")),
    ("src/**\nlib/*.py", ("src/**", "lib/*.py")),
    ("['src/**', 'lib/*.py']", ("src/**", "lib/*.py")),
])
def test_parse_globs(raw, expected):
    assert parse_globs(raw) == expected


def test_parse_globs_rejects_a_bad_list():
    with pytest.raises(ConfigError, match="expected a list of globs"):
        parse_globs("[1, 2]")
