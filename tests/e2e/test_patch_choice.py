"""Which plausible patch a heal chooses when the tests let a wrong one pass too.

The project's tests of `overdue_count` only ever expect 0 (none overdue: no invoices, paid ones,
ones still in their grace period), the shape of a suite that grew one bug report at a time. So
`count += 1` -> `count += 0` passes every test, as does the real fix; and it is the smaller
change, which alone used to put it into fix.diff. It is an update made to do nothing, a repair
anti-pattern: the heal must choose the real fix, list the other below it, and say why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

PYPROJECT = """\
[project]
name = "billing"
version = "1.0"

[tool.pytest.ini_options]
addopts = ["--strict-config", "--strict-markers", "-ra"]
filterwarnings = ["error"]
xfail_strict = true
testpaths = ["tests"]
pythonpath = ["."]
"""

INVOICES = '''\
"""Invoices and the dates that matter to them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Invoice:
    number: str
    amount: int  # cents
    due: datetime.date
    paid: bool = False


def days_late(invoice: Invoice, today: datetime.date) -> int:
    """Days since the invoice fell due; 0 when it is paid or not due yet."""
    if invoice.paid:
        return 0
    if invoice.due < today:
        return (today - invoice.due).days
    return 0


def outstanding(invoices: list[Invoice]) -> int:
    """Cents still to be paid."""
    total = 0
    for invoice in invoices:
        if not invoice.paid:
            total += invoice.amount
    return total
'''

REMINDERS = '''\
"""Which invoices are late, and what the reminder says."""

from __future__ import annotations

import datetime

from .invoices import Invoice, days_late

GRACE = datetime.timedelta(days=3)  # an invoice is overdue only once this has passed


def overdue_count(invoices: list[Invoice], today: datetime.date) -> int:
    """How many invoices are still unpaid once the grace period after their due date has
    passed on `today`."""
    count = 0
    for invoice in invoices:
        if invoice.paid or invoice.due - GRACE >= today:
            continue
        count += 1
    return count


def reminder(invoice: Invoice, today: datetime.date) -> str:
    late = days_late(invoice, today)
    if late == 0:
        return ""
    return f"Invoice {invoice.number} is {late} day(s) late."
'''

TEST_INVOICES = '''\
import datetime

from billing.invoices import Invoice, days_late, outstanding

TODAY = datetime.date(2026, 3, 10)


def test_days_late_counts_from_the_due_date():
    assert days_late(Invoice("A1", 100, datetime.date(2026, 3, 1)), TODAY) == 9


def test_a_paid_invoice_is_never_late():
    assert days_late(Invoice("A2", 100, datetime.date(2026, 1, 1), paid=True), TODAY) == 0


def test_outstanding_leaves_out_paid_invoices():
    invoices = [Invoice("A1", 250, TODAY), Invoice("A2", 100, TODAY, paid=True)]
    assert outstanding(invoices) == 250
'''

TEST_REMINDERS = '''\
import datetime

from billing.invoices import Invoice
from billing.reminders import overdue_count, reminder

TODAY = datetime.date(2026, 3, 10)


def test_no_invoices_none_overdue():
    assert overdue_count([], TODAY) == 0


def test_paid_invoices_are_not_overdue():
    assert overdue_count([Invoice("B1", 100, datetime.date(2025, 12, 1), paid=True)], TODAY) == 0


def test_no_invoice_is_overdue_before_its_grace_period_ends():
    due = [datetime.date(2026, 3, 8), TODAY + datetime.timedelta(days=3), datetime.date(2026, 4, 1)]
    assert overdue_count([Invoice(f"B{i}", 100, d) for i, d in enumerate(due)], TODAY) == 0


def test_reminder_names_the_days_late():
    assert reminder(Invoice("B4", 100, datetime.date(2026, 3, 7)), TODAY) == (
        "Invoice B4 is 3 day(s) late.")
'''

FAILING = "tests/test_reminders.py::test_no_invoice_is_overdue_before_its_grace_period_ends"


def billing_project(root: Path) -> Path:
    files = {"pyproject.toml": PYPROJECT, "billing/__init__.py": '"""Invoices and reminders."""\n',
             "billing/invoices.py": INVOICES, "billing/reminders.py": REMINDERS,
             "tests/test_invoices.py": TEST_INVOICES, "tests/test_reminders.py": TEST_REMINDERS}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return init_repo(root)


def test_the_real_fix_beats_a_smaller_patch_that_makes_an_update_do_nothing(tmp_path):
    repo = billing_project(tmp_path)
    before = fingerprint(repo)
    # both plausible patches are among the first eight candidates the builtin agent tries
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin",
                        "--selfheal-max-candidates=8")
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert report["targets"] == [FAILING]

    fix_diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "+        if invoice.paid or invoice.due + GRACE >= today:" in fix_diff
    fix = report["fix"]
    assert fix["ranking"]["antipatterns"] == []
    why = "no repair anti-pattern; the runner-up makes an update do nothing"
    assert fix["ranking"]["why"] == why

    candidates = report["candidates"]
    no_op = [a for a in report["alternatives"]
             if candidates[a["candidate"]]["description"] == "billing/reminders.py:19: `1` -> `0`"]
    assert no_op, report["alternatives"]
    assert no_op[0]["antipatterns"] == ["makes an update do nothing"]
    assert candidates[no_op[0]["candidate"]]["verdict"] == "plausible"
    # the smaller change: before anti-patterns were weighed, it was the one chosen
    assert no_op[0]["ast_change"] < fix["ranking"]["ast_change"]

    assert f"ranked first: {why}" in result.stdout
    markdown = (latest_run_dir(repo) / "report.md").read_text()
    assert f"plausible patch(es): {why}." in markdown


RATES = '''\
"""What shipping a parcel costs."""

from __future__ import annotations


def rate(weight: int, express: bool = False) -> int:
    """Cents to ship a parcel of `weight` whole kilograms; from 10 kg on a parcel is heavy."""
    cents = 500 + weight * 200
    if weight > 10:
        cents += 1000
    if express:
        cents *= 2
    return cents
'''

TEST_RATES = '''\
from shipping.rates import rate


def test_a_heavy_parcel_pays_the_surcharge():
    assert rate(20) == 5500


def test_a_parcel_of_exactly_ten_kilograms_is_heavy():
    assert rate(10) == 3500


def test_a_light_parcel_costs_something():
    assert rate(2) > 0


def test_express_costs_double():
    assert rate(4, express=True) == 2 * rate(4)
'''


def small_project(root: Path, package: str, files: dict[str, str]) -> Path:
    """A committed project: the billing configuration, `package`, and `files`."""
    files = {"pyproject.toml": PYPROJECT.replace("billing", package),
             f"{package}/__init__.py": f'"""{package.title()}."""\n', **files}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return init_repo(root)


def healed_by_script(repo: Path, candidates: list[dict[str, object]]) -> dict[str, Any]:
    """The report of a heal that tries `candidates` in order, which must heal and leave the
    user's checkout as it was."""
    script = repo.parent / f"{repo.name}-script.json"
    script.write_text(json.dumps({"candidates": candidates}))
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", f"--selfheal-agent=scripted:{script}")
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    return report


def test_the_patch_that_changes_fewer_of_the_passing_tests_calls_wins(tmp_path):
    """`weight > 10` -> `weight > 1` and -> `weight > 9` both make the 10 kg test pass, and
    the suite's other tests do not tell them apart (they check a light parcel's rate only
    loosely); both are the same size. `> 1` changes the rate of every light parcel those tests
    ask for: 3 calls; `> 9` changes none. It was tried second, and used to lose on order."""
    repo = small_project(tmp_path, "shipping", {"shipping/rates.py": RATES,
                                                "tests/test_rates.py": TEST_RATES})
    report = healed_by_script(repo, [
        {"description": "any parcel over 1 kg is heavy", "edits": [
            {"path": "shipping/rates.py", "find": "weight > 10", "replace": "weight > 1"}]},
        {"description": "from 10 kg on", "edits": [
            {"path": "shipping/rates.py", "find": "weight > 10", "replace": "weight > 9"}]},
    ])
    assert "+    if weight > 9:" in (latest_run_dir(repo) / "fix.diff").read_text()
    ranking = report["fix"]["ranking"]
    assert ranking["changed_calls"] == 0
    [wide] = report["alternatives"]
    assert wide["changed_calls"] == 3 and wide["ast_change"] == ranking["ast_change"]
    assert ranking["why"] == ("it changes the outcome of fewer calls the passing tests make "
                              "(0; the runner-up 3)")
    logged = [json.loads(line) for line in (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()]
    assert [r["changed_calls"] for r in logged if r["kind"] == "behaviour"] == [{"1": 3, "2": 0}]


NAMES = '''\
"""Splitting a person's name into its parts."""

from __future__ import annotations


def is_initial(word: str) -> bool:
    """A word of one letter, with or without its dot, is an initial: "J" in "J Smith"."""
    return len(word.rstrip(".")) < 2
'''

TEST_NAMES = '''\
from people.names import is_initial


def test_a_surname_is_not_an_initial():
    assert not is_initial("Smith")


def test_a_two_letter_name_is_not_an_initial():
    assert not is_initial("Jo")
'''


def test_the_patch_that_puts_back_what_the_change_replaced_wins(tmp_path):
    """The user's uncommitted edit turned `< 2` into `< 3`, and "Jo" became an initial. `< 3` ->
    `== 3` passes both tests, as does putting back `< 2`; `== 3` changes an operator only, the
    smaller change, which alone used to put it into fix.diff. The change the tests caught is
    the likeliest cause: undoing it is the fix to offer first."""
    repo = small_project(tmp_path, "people", {"people/names.py": NAMES,
                                              "tests/test_names.py": TEST_NAMES})
    (repo / "people/names.py").write_text(NAMES.replace("< 2", "< 3"))
    # the index's stat data as the user's next `git status` leaves it: a plugin of the user's own
    # run that calls git (pytest-benchmark) would refresh it, and the fingerprint would differ
    git(repo, "update-index", "-q", "--refresh")
    report = healed_by_script(repo, [
        {"description": "three letters exactly", "edits": [
            {"path": "people/names.py", "find": "< 3", "replace": "== 3"}]},
        {"description": "one letter", "edits": [
            {"path": "people/names.py", "find": "< 3", "replace": "< 2"}]},
    ])
    assert '+    return len(word.rstrip(".")) < 2' in (latest_run_dir(repo) / "fix.diff").read_text()
    ranking = report["fix"]["ranking"]
    [operator_only] = report["alternatives"]
    assert report["candidates"][operator_only["candidate"]]["verdict"] == "plausible"
    assert (ranking["restored"], operator_only["restored"]) == (1, 0)
    assert operator_only["ast_change"] < ranking["ast_change"]  # what used to decide
    assert ranking["why"] == ("it puts back 1 changed line(s) as they were before the change, "
                              "the runner-up 0")


STAMPS = '''\
"""Time stamps for log lines."""

from __future__ import annotations

import datetime


def make_stamper(utc: bool):
    """A function that stamps an event with the time: local, or in UTC with a trailing Z."""

    def local(event: dict[str, str], now: datetime.datetime) -> dict[str, str]:
        event["at"] = now.isoformat()
        return event

    def universal(event: dict[str, str], now: datetime.datetime) -> dict[str, str]:
        event["at"] = now.isoformat().replace("+00:00", "Z")
        return event

    if not utc:
        return universal
    return local
'''

TEST_STAMPS = '''\
import datetime

from stamps.stamping import make_stamper

NOON_UTC = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.timezone.utc)
NOON_HERE = datetime.datetime(2026, 3, 10, 12, 0)


def test_a_local_stamp_is_the_local_time():
    assert make_stamper(utc=False)({}, NOON_HERE) == {"at": "2026-03-10T12:00:00"}


def test_a_utc_stamp_ends_in_z():
    assert make_stamper(utc=True)({}, NOON_UTC) == {"at": "2026-03-10T12:00:00Z"}
'''


def test_the_condition_that_chose_the_wrong_branch_is_tried_before_the_return_after_it(tmp_path):
    """structlog's `_make_stamper` with `if utc:` negated: only the failing test ran the local
    stamper and the return after the condition, so they ranked first, and returning the UTC
    stamper there passed every test (for a naive local time it writes the same); the condition,
    which the passing test ran too, was not reached in the window for alternatives."""
    files = {"pyproject.toml": PYPROJECT.replace('name = "billing"', 'name = "stamps"'),
             "stamps/__init__.py": "", "stamps/stamping.py": STAMPS,
             "tests/test_stamps.py": TEST_STAMPS}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    repo = init_repo(tmp_path)
    before = fingerprint(repo)

    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")

    assert result.returncode == 1, result.stdout
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    plausible = [c["description"] for c in report["candidates"] if c["verdict"] == "plausible"]
    assert plausible[0] == "stamps/stamping.py:19: `not utc` -> `utc`", plausible
    condition = next(s for s in report["suspects"] if s["line"] == 19)
    assert "decides whether line 21 runs, which only failing tests ran" in condition["evidence"]
    assert fingerprint(repo) == before
