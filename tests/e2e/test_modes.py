"""Modes, end to end: report leaves the checkout alone, apply writes the working tree (only when it
is safe), branch commits to `selfheal/<run-id>` without touching checkout, HEAD or index."""

import json

import pytest
from helpers import fingerprint, git, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

FIXED_LINE = "    return subtotal >= threshold\n"
DISCOUNTS = "invoice/discounts.py"
REGRESSION = "tests/test_regression_qualifies.py"  # the fix's regression test, added by the diff


def test_apply_writes_the_fix_to_the_working_tree_only(example_repo):
    repo = example_repo("invoice")
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-apply", env={"CI": ""})
    assert result.returncode == 1, "a red run stays red, even when the fix is applied"
    assert "apply: applied to your working tree: invoice/discounts.py" in result.stdout
    after = fingerprint(repo)
    assert FIXED_LINE in (repo / DISCOUNTS).read_text()
    assert set(after["status"].splitlines()) == {f" M {DISCOUNTS}", f"?? {REGRESSION}"}
    assert set(after["files"]) - set(before["files"]) == {REGRESSION}
    assert {k: v for k, v in after.items() if k not in ("files", "status")} == \
        {k: v for k, v in before.items() if k not in ("files", "status")}, "index, HEAD, refs untouched"
    changed = {p for p in before["files"] if before["files"][p] != after["files"][p]}
    assert changed == {DISCOUNTS}
    git(repo, "apply", "--reverse", "--check", str(latest_run_dir(repo) / "fix.diff"))
    assert latest_report(repo)["mode"]["done"] is True
    assert run_pytest(repo).returncode == 0


def test_apply_refuses_files_with_uncommitted_changes(example_repo):
    repo = example_repo("invoice")
    path = repo / DISCOUNTS
    path.write_text(path.read_text().replace('"""Volume', '"""(edited) Volume'))
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-apply", env={"CI": ""})
    assert result.returncode == 1
    assert (f"apply: not applied: uncommitted changes of yours in {DISCOUNTS}; commit or stash "
            "them, then `git apply") in result.stdout
    assert fingerprint(repo) == before
    assert (latest_run_dir(repo) / "fix.diff").is_file(), "the diff is left for the user"


def test_apply_is_refused_under_ci(example_repo):
    repo = example_repo("invoice")
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-apply", env={"CI": "true"})
    assert result.returncode == 1
    assert "not applied: --selfheal-apply is refused when the CI environment variable is set" \
        in result.stdout
    assert fingerprint(repo) == before
    assert latest_report(repo)["mode"] == {
        "mode": "apply", "done": False, "branch": "", "commit": "",
        "message": latest_report(repo)["mode"]["message"]}


def test_branch_commits_the_fix_without_touching_the_checkout(example_repo):
    repo = example_repo("invoice")
    (repo / "notes.txt").write_text("untracked work in progress\n")
    head = git(repo, "rev-parse", "HEAD").strip()
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-branch")
    assert result.returncode == 1
    report = latest_report(repo)
    branch = f"selfheal/{report['run_id']}"
    assert report["mode"]["done"] is True and report["mode"]["branch"] == branch
    assert f"branch: committed to branch {branch}" in result.stdout
    after = fingerprint(repo)
    assert {k: v for k, v in after.items() if k != "refs"} == \
        {k: v for k, v in before.items() if k != "refs"}, "checkout, HEAD, index and stash unchanged"
    assert set(after["refs"].splitlines()) - set(before["refs"].splitlines()) == \
        {f"refs/heads/{branch} {report['mode']['commit']}"}
    assert git(repo, "rev-parse", f"{branch}^").strip() == head
    assert git(repo, "diff", "--name-only", head, branch).split() == [DISCOUNTS, REGRESSION]
    assert FIXED_LINE in git(repo, "show", f"{branch}:{DISCOUNTS}")
    message = git(repo, "log", "-1", "--format=%B", branch)
    assert message.startswith("selfheal: invoice/discounts.py:12: `subtotal > threshold` -> ")
    assert "tests/test_discounts.py::test_discount_at_threshold" in message


def test_mode_from_pyproject(example_repo):
    repo = example_repo("invoice")
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write('\n[tool.selfheal]\nmode = "branch"\n')
    git(repo, "commit", "-qam", "branch mode")
    run_pytest(repo, "--selfheal")
    report = latest_report(repo)
    assert report["settings"]["mode"] == "branch" and report["mode"]["done"] is True
    assert git(repo, "branch", "--list", "selfheal/*").strip() == f"selfheal/{report['run_id']}"


def test_apply_and_branch_together_is_a_usage_error(example_repo):
    repo = example_repo("invoice")
    result = run_pytest(repo, "--selfheal", "--selfheal-apply", "--selfheal-branch")
    assert result.returncode == 4
    assert "--selfheal-apply and --selfheal-branch exclude each other: pass only one" in result.stderr


def test_unknown_mode_is_a_usage_error(example_repo):
    repo = example_repo("invoice")
    result = run_pytest(repo, "--selfheal", "--selfheal-mode=yolo")
    assert result.returncode == 4
    assert "unknown mode 'yolo': use report, apply (--selfheal-apply)" in result.stderr


def test_report_mode_is_the_default_and_only_proposes(example_repo):
    repo = example_repo("invoice")
    before = fingerprint(repo)
    run_pytest(repo, "--selfheal")
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["mode"]["mode"] == "report" and report["mode"]["done"] is False
    kinds = [json.loads(line)["kind"]
             for line in (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()]
    assert "mode" not in kinds
