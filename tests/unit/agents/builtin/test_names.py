"""Name repairs from the error a test run raised: what Python suggests, or close names that
exist where the lookup failed (an instance's class, a builtin type, the module's bindings)."""

import textwrap
from pathlib import Path

import pytest

from pytest_selfheal.agents.builtin.names import name_candidates
from pytest_selfheal.models import Suspect, error_evidence

SHOP = '''\
class Basket:
    limit = 10

    def __init__(self):
        self.prices = []

    def total(self):
        return sum(self.prices)

    def summary(self, label):
        return label.uper() + str(self.totl()) + str(self.limt) + str(self.pricse)
'''


def fixes(root: Path, exc_type: str, message: str, line: int = 11) -> list[str]:
    suspect = Suspect("shop.py", line, "Basket.summary", 1.0,
                      (error_evidence(exc_type, message),))
    return [c.edits[0].after.splitlines()[line - 1].strip() for c in name_candidates(root, [suspect])]


@pytest.mark.parametrize(
    ("missing", "fixed"),
    [("totl", "self.total()"), ("limt", "self.limit"), ("pricse", "self.prices")],
)
def test_an_instance_attribute_error_suggests_the_classs_members(tmp_path, missing, fixed):
    (tmp_path / "shop.py").write_text(SHOP)
    [line] = fixes(tmp_path, "AttributeError", f"'Basket' object has no attribute '{missing}'")
    assert fixed in line and missing not in line


def test_a_builtin_types_attribute_error_suggests_its_methods(tmp_path):
    (tmp_path / "shop.py").write_text(SHOP)
    [line] = fixes(tmp_path, "AttributeError", "'str' object has no attribute 'uper'")
    assert "label.upper()" in line


def test_pythons_own_suggestion_comes_first(tmp_path):
    (tmp_path / "shop.py").write_text(SHOP)
    lines = fixes(tmp_path, "AttributeError",
                  "'Basket' object has no attribute 'totl'. Did you mean: 'total'?")
    assert "self.total()" in lines[0]


def test_a_runtime_name_error_suggests_a_bound_name(tmp_path):
    (tmp_path / "shop.py").write_text("def mean(values):\n    return sum(values) / len(valeus)\n")
    suspect = Suspect("shop.py", 2, "mean", 1.0,
                      (error_evidence("NameError", "name 'valeus' is not defined"),))
    [candidate] = name_candidates(tmp_path, [suspect])
    assert candidate.edits[0].after.endswith("return sum(values) / len(values)\n")


def test_an_unknown_class_suggests_nothing(tmp_path):
    (tmp_path / "shop.py").write_text(SHOP)
    assert fixes(tmp_path, "AttributeError", "'Elsewhere' object has no attribute 'totl'") == []


def write(root, rel, text):
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(textwrap.dedent(text).lstrip())


def test_name_candidates_rename_and_import(tmp_path):
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/helpers.py", "def total(xs):\n    return sum(xs)\n")
    write(tmp_path, "pkg/use.py", '''
        """Doc."""
        import math

        def average(values):
            return total(values) / len(valeus)
        ''')
    evidence = error_evidence("NameError", "name 'total' is not defined")
    suspect = Suspect("pkg/use.py", 5, "average", 1.0, (evidence,))
    found = {c.edits[0].template: c.edits[0] for c in name_candidates(tmp_path, [suspect])}
    assert set(found) == {"missing-import"}  # defined in another project module
    assert found["missing-import"].after.startswith('"""Doc."""\nimport math\nfrom pkg.helpers import total\n')

    typo = Suspect("pkg/use.py", 5, "average", 1.0,
                   (error_evidence("NameError", "name 'valeus' is not defined"),))
    [fix] = list(name_candidates(tmp_path, [typo]))
    assert "len(values)" in fix.edits[0].after and fix.edits[0].template == "did-you-mean"

    attr = Suspect("pkg/use.py", 5, "average", 1.0, (error_evidence(
        "ImportError", "cannot import name 'totals' from 'pkg.helpers'"),))
    write(tmp_path, "pkg/use.py", "from pkg.helpers import totals\n")
    attr = Suspect("pkg/use.py", 1, "<module>", 1.0, attr.evidence)
    [fix] = list(name_candidates(tmp_path, [attr]))
    assert fix.edits[0].after == "from pkg.helpers import total\n"


def test_name_candidates_ignore_other_errors(tmp_path):
    write(tmp_path, "m.py", "x = 1\n")
    evidence = error_evidence("AssertionError", "assert 1 == 2")
    assert list(name_candidates(tmp_path, [Suspect("m.py", 1, "<module>", 1.0, (evidence,))])) == []


def test_an_import_added_to_a_latin1_crlf_file_keeps_its_encoding_and_line_endings(tmp_path):
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/helpers.py", "def total(xs):\n    return sum(xs)\n")
    source = '# -*- coding: latin-1 -*-\r\nimport math\r\n\r\nUNIT = "½"\r\n\r\n\r\ndef f(xs):\r\n    return total(xs)\r\n'
    (tmp_path / "pkg" / "use.py").write_bytes(source.encode("latin-1"))
    suspect = Suspect("pkg/use.py", 8, "f", 1.0,
                      (error_evidence("NameError", "name 'total' is not defined"),))
    [fix] = [c.edits[0] for c in name_candidates(tmp_path, [suspect])]
    assert (fix.before, fix.encoding) == (source, "iso-8859-1")
    assert fix.after == source.replace("import math\r\n", "import math\r\nfrom pkg.helpers import total\r\n")
