"""The builtin agent end to end through `pytest --selfheal`: new template families, and the
plausible alternatives it ranks below the fix."""

import pytest
from helpers import fingerprint, init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

PRICING = '''\
def bulk_discount(quantity):
    """Orders of 10 items or more get the bulk discount."""
    return quantity > 10


def cheapest(prices):
    return max(prices)
'''

TESTS = '''\
from pricing import bulk_discount, cheapest


def test_bulk_discount():
    assert bulk_discount(10)
    assert bulk_discount(50)
    assert not bulk_discount(9)


def test_cheapest():
    assert cheapest([3, 1, 2]) == 1
'''


def make_project(tmp_path, source):
    (tmp_path / "pricing.py").write_text(source)
    (tmp_path / "test_pricing.py").write_text(TESTS)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    return init_repo(tmp_path)


def heal_module(tmp_path, name, source, tests, config=""):
    """`<name>.py` and its tests in a new repository, healed by the builtin agent: the repo and
    its report."""
    (tmp_path / f"{name}.py").write_text(source)
    (tmp_path / f"test_{name}.py").write_text(tests)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n' + config)
    repo = init_repo(tmp_path)
    run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")
    return repo, latest_report(repo)


def test_ranks_plausible_alternatives_smallest_change_first(tmp_path):
    repo = make_project(tmp_path, PRICING.replace("max(prices)", "min(prices)"))
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin",
                        "--selfheal-max-candidates=4", "--selfheal-alternatives=100")
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed"
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "+    return quantity >= 10" in diff
    alternatives = [a["description"] for a in report["alternatives"]]
    assert any("`10` -> `9`" in a for a in alternatives), alternatives
    assert report["alternatives"][0]["ast_change"] >= 1
    assert "plausible fix" in result.stdout and "other plausible patch(es)" in result.stdout


def test_an_uncommitted_call_replaced_by_its_relative_is_put_back(tmp_path):
    """The changed line leads the suspects, and putting it back comes before the template that
    writes the same patch (`relative-function`, a duplicate then)."""
    correct = PRICING.replace("quantity > 10", "quantity >= 10").replace("max(", "min(")
    repo = make_project(tmp_path, correct)
    (repo / "pricing.py").write_text(correct.replace("min(prices)", "max(prices)"))
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin",
                        "--selfheal-alternatives=0")
    report = latest_report(repo)
    assert report["status"] == "healed", result.stdout
    changed = [s for s in report["suspects"] if "changed since HEAD" in s["evidence"]]
    assert [(s["path"], s["line"], s["function"]) for s in changed] == [("pricing.py", 7, "cheapest")]
    assert report["suspects"][0]["function"] == "cheapest"
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "-    return max(prices)\n+    return min(prices)" in diff
    fix = report["candidates"][report["fix"]["candidate"]]
    assert fix["edits"][0]["template"] == "restore-change"


BASKET = '''\
class Basket:
    def __init__(self):
        self.prices = []

    def add(self, price):
        self.prices.append(price)

    def total(self):
        return sum(self.prices)

    def summary(self):
        return f"{len(self.prices)} items, {self.totl()} cents"
'''

BASKET_TESTS = '''\
from basket import Basket


def test_summary():
    basket = Basket()
    basket.add(250)
    assert basket.summary() == "1 items, 250 cents"


def test_total():
    basket = Basket()
    basket.add(1)
    assert basket.total() == 1
'''


def test_heals_a_misspelt_method_from_the_attribute_error_a_test_raised(tmp_path):
    (tmp_path / "basket.py").write_text(BASKET)
    (tmp_path / "test_basket.py").write_text(BASKET_TESTS)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    repo = init_repo(tmp_path)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin", "--selfheal-max-candidates=3",
                        "--selfheal-alternatives=0")
    report = latest_report(repo)
    assert report["status"] == "healed", result.stdout
    fix = report["candidates"][report["fix"]["candidate"]]
    assert fix["edits"][0]["template"] == "did-you-mean"
    assert "{self.total()} cents" in (latest_run_dir(repo) / "fix.diff").read_text()


SHIPPING = '''\
def free_shipping(member, total):
    """Members, and orders of 50 or more, ship free."""
    if not (member or total >= 50):
        return True
    return False
'''

SHIPPING_TESTS = '''\
from shipping import free_shipping


def test_members_ship_free():
    assert free_shipping(True, 10)


def test_big_orders_ship_free():
    assert free_shipping(False, 50)


def test_small_orders_pay():
    assert not free_shipping(False, 49)
'''


def test_a_fix_that_removes_a_not_leaves_no_parentheses_a_person_would_not_write(tmp_path):
    repo, report = heal_module(tmp_path, "shipping", SHIPPING, SHIPPING_TESTS)
    assert report["status"] == "healed"
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    source_diff = next(part for part in diff.split("diff --git") if "b/shipping.py" in part)
    added = [line for line in source_diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+    if member or total >= 50:"]


def test_with_ruff_format_configured_the_fix_is_what_the_formatter_would_leave(tmp_path):
    """The buggy line is not formatted; the fix's line comes out as `ruff format` writes it, and
    no other line changes, so formatting the fixed file changes nothing the fix touched."""
    source = ('def total(prices,discount):\n'
              '    """Sum of the prices, less the discount."""\n'
              '    return sum(prices)+discount\n')
    tests = "from shop import total\n\n\ndef test_total():\n    assert total([3, 4], 2) == 5\n"
    repo, report = heal_module(tmp_path, "shop", source, tests,
                               config='\n[tool.ruff.format]\nquote-style = "double"\n')
    assert report["status"] == "healed"
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    source_diff = next(part for part in diff.split("diff --git") if "b/shop.py" in part)
    changed = [line for line in source_diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-    return sum(prices)+discount", "+    return sum(prices) - discount"]
    decisions = (latest_run_dir(repo) / "decisions.jsonl").read_text()
    assert '"formatter": "ruff"' in decisions


STATS = '''\
def summary(values):
    """Count and largest of the values."""
    count = len(values) + 1
    largest = min(values)
    return count, largest
'''

STATS_TESTS = '''\
from stats import summary


def test_count():
    assert summary([4, 9, 2])[0] == 3


def test_largest():
    assert summary([4, 9, 2])[1] == 9
'''


def test_two_bugs_are_healed_by_building_on_the_edit_that_fixes_one(tmp_path):
    _, report = heal_module(tmp_path, "stats", STATS, STATS_TESTS)
    assert report["status"] == "healed", report["reason"]
    fix = report["candidates"][report["fix"]["candidate"]]
    assert len(fix["edits"]) == 2 and set(fix["fixed"]) == {"test_stats.py::test_count",
                                                            "test_stats.py::test_largest"}
    partial = next(i for i, c in enumerate(report["candidates"]) if c["fixed"] and len(c["edits"]) == 1)
    assert report["fix"]["candidate"] - partial <= 16  # built on the partial fix, not found by chance


ELEMENTS = '''\
"""An element's value from the events of a streaming parser, cleaned as the options ask."""


class Handler:
    def __init__(self, strip_whitespace=True, separator="\\n", text_key="#text"):
        self.strip_whitespace = strip_whitespace
        self.separator = separator
        self.text_key = text_key
        self.stack = []
        self.data = []
        self.item = None

    def start(self, attrs):
        self.stack.append((self.item, self.data))
        self.item = dict(attrs) if attrs else None
        self.data = []

    def text(self, chunk):
        self.data.append(chunk)

    def end(self):
        data = self.separator.join(self.data) if len(self.data) > 1 else "".join(self.data)
        item = self.item
        self.item, self.data = self.stack.pop()
        if self.strip_whitespace and data and item:
            data = data.strip() or None
        if item is None:
            return data or None
        if data:
            item[self.text_key] = data
        return item


def element(chunks, attrs=(), **options):
    """The value of an element with these text chunks and attributes: its text alone, or its
    attributes with the text under the text key; None for an element with neither."""
    handler = Handler(**options)
    handler.start(attrs)
    for chunk in chunks:
        handler.text(chunk)
    return handler.end()
'''

ELEMENTS_TESTS = '''\
from elements import element


def test_whitespace_alone_is_no_text():
    assert element([" ", "\\t"]) is None


def test_text_is_stripped():
    assert element([" hi ", "there "]) == "hi \\nthere"


def test_text_beside_attributes_is_stripped():
    assert element([" hi "], [("a", "1")]) == {"a": "1", "#text": "hi"}


def test_whitespace_is_kept_when_asked():
    assert element([" hi "], strip_whitespace=False) == " hi "


def test_whitespace_beside_attributes_is_kept_when_asked():
    assert element([" hi "], [("a", "1")], strip_whitespace=False) == {"a": "1", "#text": " hi "}


def test_attributes_alone():
    assert element(["  "], [("a", "1")]) == {"a": "1"}
'''


def test_an_edit_that_fixes_the_failing_tests_but_breaks_others_brings_its_lines_edits_forward(tmp_path):
    """Every test runs nearly every line, so the spectrum hardly tells them apart. `or item` at
    the faulty condition fixes both failing tests and breaks a passing one: it shows where their
    outcome is decided, and the other edits at that line, the fix among them, come next (the
    fix was candidate 207 before, 31 now)."""
    strict = 'addopts = ["--strict-config", "--strict-markers"]\nfilterwarnings = ["error"]\n'
    _, report = heal_module(tmp_path, "elements", ELEMENTS, ELEMENTS_TESTS, strict)
    assert report["status"] == "healed", report["reason"]
    candidates = report["candidates"]
    assert candidates[report["fix"]["candidate"]]["description"] == (
        "elements.py:25: `self.strip_whitespace and data and item` -> `self.strip_whitespace and data`")
    breaker = next(i for i, c in enumerate(candidates)
                   if set(c["fixed"]) == set(report["targets"]) and c["broken"])
    line = candidates[breaker]["edits"][0]["line"]
    assert line == 25
    between = candidates[breaker + 1:report["fix"]["candidate"]]
    # the rest of the breaker's batch at most; after it, only edits at the breaker's line
    assert sum(1 for c in between if c["edits"][0]["line"] != line) < 8, [c["description"] for c in between]


MONEY = '''\
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return isinstance(other, Money) and self.cents == other.cents

    def __repr__(self):
        whole, cents = divmod(self.cents, 100)
        return f"Money({whole}.{cents:02d})"


def with_tax(price):
    return Money(price.cents * 110 // 10)


def total(prices):
    return Money(sum(p.cents for p in prices))
'''

MONEY_TESTS = '''\
from money import Money, total, with_tax


def test_with_tax():
    assert with_tax(Money(1000)) == Money(1100)


def test_with_tax_of_a_cent():
    assert with_tax(Money(100)) == Money(110)


def test_with_tax_of_nothing():
    assert with_tax(Money(0)) == Money(0)


def test_total():
    assert total([Money(150), Money(250)]) == Money(400)


def test_prices_differ():
    assert Money(100) != Money(200)
'''


def test_the_reprs_pytest_shows_of_a_failure_are_no_suspects(tmp_path):
    """The failing asserts compare objects with a __repr__, which pytest runs to show them (and
    --showlocals for every local): only failing tests run it, yet it is not where the fault is."""
    (tmp_path / "money.py").write_text(MONEY)
    (tmp_path / "test_money.py").write_text(MONEY_TESTS)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\naddopts = "--showlocals"\n')
    repo = init_repo(tmp_path)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")
    assert result.returncode == 1
    report = latest_report(repo)
    assert report["status"] == "healed"
    assert [s["function"] for s in report["suspects"] if s["function"].endswith("__repr__")] == []
    assert report["suspects"][0]["line"] == 14
    assert "price.cents * 110 // 100" in (latest_run_dir(repo) / "fix.diff").read_text()
