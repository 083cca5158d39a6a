"""Triage's pure parts: signatures, transient errors, the Poisson test, changed lines (real git),
causal links, collection-error parsing and the name repairs."""

from __future__ import annotations

import textwrap

import pytest
from helpers import git, init_repo

from pytest_selfheal.agents.builtin.names import name_candidates
from pytest_selfheal.heal import changes, triage
from pytest_selfheal.heal import collection_errors as buildtime
from pytest_selfheal.heal.signature import normalize, signature
from pytest_selfheal.models import Failure, Frame, Suspect


def failure(message: str, exc_type: str = "ValueError", **kw: object) -> Failure:
    frames = (Frame("tests/test_a.py", 3, "test_a"), Frame("pkg/mod.py", 10, "load"))
    return Failure(nodeid="tests/test_a.py::test_a", phase="call", exc_type=exc_type,
                   message=message, frames=kw.pop("frames", frames), **kw)  # type: ignore[arg-type]


def test_signature_ignores_addresses_paths_numbers_uuids_and_times():
    one = failure("<Obj object at 0x7f3a2c1b9e50> failed in /tmp/pytest-of-ann/pytest-3/test_a0/x.json "
                  "after 12 tries (id 3f2a9c81-4b7e-4c0a-9d3e-1a2b3c4d5e6f, 2026-11-22T00:41:07Z, "
                  "commit 9fceb02d0ae598e95dc970b74767f19372d61af8)")
    two = failure("<Obj object at 0x10ab44f70> failed in /var/folders/q1/T/pytest-7/test_a1/x.json "
                  "after 3 tries (id 00000000-1111-2222-3333-444444444444, 2025-01-02 10:11:12, "
                  "commit 1111111aaaaaaa2222222bbbbbbb333333cccccc)")
    assert signature(one) == signature(two)
    assert signature(one).text == (
        "ValueError: <Obj object at <hex>> failed in <path> after <n> tries (id <uuid>, <time>, "
        "commit <hex>) @ pkg/mod.py::load"
    )


def test_signature_separates_types_messages_and_locations():
    base = signature(failure("bad value"))
    assert signature(failure("bad value", exc_type="KeyError")) != base
    assert signature(failure("other value")) != base
    assert signature(failure("bad value", frames=(Frame("pkg/other.py", 1, "f"),))) != base


def test_normalize_keeps_words():
    assert normalize("expected 'abc' got   'abd'\n") == "expected 'abc' got 'abd'"


@pytest.mark.parametrize(("exc_type", "message", "expected"), [
    ("ConnectionRefusedError", "[Errno 111] Connection refused", True),
    ("requests.exceptions.ReadTimeout", "read timed out", True),
    ("RuntimeError", "HTTP 429 Too Many Requests: rate limit exceeded", True),
    ("OSError", "Temporary failure in name resolution", True),
    ("AssertionError", "assert timeout == 5", False),
    ("ValueError", "bad input", False),
])
def test_transient_errors(exc_type, message, expected):
    assert triage.is_transient(failure(message, exc_type=exc_type)) is expected


def test_poisson_tail_and_history_verdicts():
    assert triage.poisson_tail(1, 0.0) == 0.0
    assert triage.poisson_tail(0, 2.0) == 1.0
    assert triage.poisson_tail(1, 1.0) == pytest.approx(0.6321, abs=1e-4)
    assert triage.poisson_tail(3, 1.0) == pytest.approx(0.0803, abs=1e-4)
    assert triage.history_verdict(1, 0, 0)[0] == "no baseline"
    assert triage.history_verdict(1, 0, 5)[0] == "new regression"
    assert triage.history_verdict(1, 5, 5)[0] == "chronic"
    assert triage.history_verdict(1, 1, 10)[0] == "chronic"  # p = 0.095: seen before, not significant
    assert triage.history_verdict(1, 1, 40)[0] == "new regression"  # p = 0.025


def test_changed_lines_cover_committed_staged_unstaged_and_untracked(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("one\ntwo\nthree\nfour\n")
    (repo / "b.py").write_text("x\ny\n")
    init_repo(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.py").write_text("one\nTWO\nthree\nfour\n")
    git(repo, "commit", "-qam", "two")
    (repo / "a.py").write_text("one\nTWO\nthree\nFOUR\nfive\n")  # unstaged
    (repo / "b.py").write_text("x\nY\n")
    git(repo, "add", "b.py")  # staged
    (repo / "c.py").write_text("new\nfile\n")  # untracked
    assert changes.changed_lines(repo, base) == {
        "a.py": frozenset({2, 4, 5}), "b.py": frozenset({2}), "c.py": frozenset({1, 2, 3}),
    }
    assert changes.changed_lines(repo, "HEAD")["a.py"] == frozenset({4, 5})
    assert changes.resolve_base(repo, base) == base
    assert changes.resolve_base(repo, "0" * 40) == "HEAD"
    assert changes.resolve_base(repo, None) == "HEAD"


def _is_test(path: str) -> bool:
    return path.startswith("tests/")


def test_causal_link_verdicts():
    fail = failure("boom")
    changed = frozenset({("pkg/mod.py", 10), ("pkg/mod.py", 20), ("tests/test_a.py", 3)})
    link = triage.causal_link(fail, frozenset({("pkg/mod.py", 20)}), changed, frozenset(), _is_test)
    assert (link.causal_link, link.is_runtime_change, link.confidence) == (True, True, "high")
    assert link.evidence == ("pkg/mod.py:10", "tests/test_a.py:3", "pkg/mod.py:20")
    unrelated = triage.causal_link(failure("boom", frames=()), frozenset({("pkg/mod.py", 1)}),
                                   changed, frozenset(), _is_test)
    assert (unrelated.causal_link, unrelated.confidence, unrelated.evidence) == (False, "medium", ())
    shared = triage.causal_link(failure("boom", frames=()), frozenset({("pkg/mod.py", 20)}), changed,
                                frozenset({("pkg/mod.py", 20)}), _is_test)
    assert (shared.causal_link, shared.confidence) == (True, "medium")
    only_test = triage.causal_link(failure("boom", frames=()), frozenset({("tests/test_a.py", 3)}),
                                   changed, frozenset(), _is_test)
    assert (only_test.causal_link, only_test.is_runtime_change) == (True, False)
    nothing = triage.causal_link(fail, None, frozenset(), frozenset(), _is_test)
    assert (nothing.causal_link, nothing.confidence) == (False, "high")


def test_build_error_from_pytest_import_text(tmp_path):
    text = (
        "tests/test_b.py:1: in <module>\n    from pkg.b import f\n"
        f'E     File "{tmp_path}/pkg/b.py", line 3\nE       def f(\nE            ^\n'
        "E   SyntaxError: '(' was never closed"
    )
    collect = Failure(nodeid="tests/test_b.py", phase="collect", exc_type="Error", message=text)
    error = buildtime.build_error(collect, tmp_path, _is_test)
    assert error == buildtime.BuildError("SyntaxError", "'(' was never closed", "pkg/b.py", 3)


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
    evidence = buildtime.error_evidence("NameError", "name 'total' is not defined")
    suspect = Suspect("pkg/use.py", 5, "average", 1.0, (evidence,))
    found = {c.edits[0].template: c.edits[0] for c in name_candidates(tmp_path, [suspect])}
    assert set(found) == {"missing-import"}  # defined in another project module
    assert found["missing-import"].after.startswith('"""Doc."""\nimport math\nfrom pkg.helpers import total\n')

    typo = Suspect("pkg/use.py", 5, "average", 1.0,
                   (buildtime.error_evidence("NameError", "name 'valeus' is not defined"),))
    [fix] = list(name_candidates(tmp_path, [typo]))
    assert "len(values)" in fix.edits[0].after and fix.edits[0].template == "did-you-mean"

    attr = Suspect("pkg/use.py", 5, "average", 1.0, (buildtime.error_evidence(
        "ImportError", "cannot import name 'totals' from 'pkg.helpers'"),))
    write(tmp_path, "pkg/use.py", "from pkg.helpers import totals\n")
    attr = Suspect("pkg/use.py", 1, "<module>", 1.0, attr.evidence)
    [fix] = list(name_candidates(tmp_path, [attr]))
    assert fix.edits[0].after == "from pkg.helpers import total\n"


def test_name_candidates_ignore_other_errors(tmp_path):
    write(tmp_path, "m.py", "x = 1\n")
    evidence = buildtime.error_evidence("AssertionError", "assert 1 == 2")
    assert list(name_candidates(tmp_path, [Suspect("m.py", 1, "<module>", 1.0, (evidence,))])) == []


def test_a_deleted_line_links_the_lines_around_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("one\nguard\nthree\n")
    init_repo(repo)
    (repo / "a.py").write_text("one\nthree\n")
    assert changes.changed_lines(repo, "HEAD") == {"a.py": frozenset({1, 2})}
