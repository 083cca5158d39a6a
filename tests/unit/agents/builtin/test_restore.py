from __future__ import annotations

from pathlib import Path

from pytest_selfheal.agents.builtin import restore
from pytest_selfheal.agents.builtin.restore import restorations, span_at, spans
from pytest_selfheal.models import Suspect

BASE = "def f(x):\n    y = x + 1\n    z = y * 2\n    return z\n\n\ndef g():\n    return 'a'\n"


class ChangedBench:
    """A bench whose files changed since a base that `bases` holds."""

    change_base = "HEAD"

    def __init__(self, root: Path, suspects: list[Suspect], bases: dict[str, str]) -> None:
        self.root, self.suspects, self.bases = root, suspects, bases
        self.policy = TestsRefused()

    @property
    def changed_paths(self) -> tuple[str, ...]:
        return tuple(sorted(self.bases))

    def base_text(self, path: str) -> str | None:
        return self.bases.get(path)


class TestsRefused:
    def refusal(self, path: str) -> str | None:
        return f"{path} is a test file" if path.startswith("tests/") else None


def _bench(tmp_path: Path, current: str, lines: list[int], base: str = BASE,
           newline: str = "\n") -> ChangedBench:
    (tmp_path / "m.py").write_bytes(current.replace("\n", newline).encode())
    return ChangedBench(tmp_path, [Suspect("m.py", n, "f", 1.0 - n / 100) for n in lines],
                        {"m.py": base})


def test_a_replaced_line_is_put_back_and_described_as_the_change_undone(tmp_path):
    bench = _bench(tmp_path, BASE.replace("x + 1", "x - 1"), [2])
    [candidate] = restorations(bench)  # type: ignore[arg-type]
    [edit] = candidate.edits
    assert edit.after == BASE and edit.template == "restore-change"
    assert edit.description == "m.py:2: `y = x - 1` -> `y = x + 1` as HEAD had it"


def test_a_hunk_of_several_lines_goes_back_whole_from_any_of_its_lines(tmp_path):
    current = BASE.replace("    y = x + 1\n    z = y * 2\n", "    z = (x - 1) * 3\n")
    [candidate] = restorations(_bench(tmp_path, current, [2]))  # type: ignore[arg-type]
    assert candidate.edits[0].after == BASE
    assert "put back 2 line(s) in place of 1" in candidate.description


def test_lines_the_change_deleted_come_back_at_the_lines_beside_the_gap(tmp_path):
    current, base = BASE.replace("    z = y * 2\n", "").split("\n"), BASE.split("\n")
    opcodes = spans(current, base)
    assert span_at(opcodes, base, 3) == (2, 2, ["    z = y * 2"])
    assert span_at(opcodes, base, 2) == (2, 2, ["    z = y * 2"])
    assert span_at(opcodes, base, 7) is None, "a line as the base had it"


def test_lines_the_change_added_are_taken_out(tmp_path):
    current = BASE.replace("    return z\n", "    z = 0\n    return z\n")
    [candidate] = restorations(_bench(tmp_path, current, [4]))  # type: ignore[arg-type]
    assert candidate.edits[0].after == BASE


def test_a_crlf_file_keeps_its_line_endings_and_a_base_without_them_still_matches(tmp_path):
    bench = _bench(tmp_path, BASE.replace("'a'", "'b'"), [8], newline="\r\n")
    [candidate] = restorations(bench)  # type: ignore[arg-type]
    assert candidate.edits[0].after == BASE.replace("\n", "\r\n")


def test_one_candidate_per_hunk_for_the_best_suspects_only(tmp_path, monkeypatch):
    monkeypatch.setattr(restore, "MAX_HUNKS", 1)
    current = BASE.replace("x + 1", "x - 1").replace("'a'", "'b'")
    bench = _bench(tmp_path, current, [2, 2, 8])
    [candidate] = restorations(bench)  # type: ignore[arg-type]
    assert candidate.edits[0].line == 2
    monkeypatch.setattr(restore, "MAX_HUNKS", 3)
    *singles, whole = restorations(bench)  # type: ignore[arg-type]
    assert [c.edits[0].line for c in singles] == [2, 8]
    [edit] = whole.edits
    assert edit.after == BASE, "then both together: a change made in two places"
    assert edit.description == "m.py:2: put back 2 changed hunks as HEAD had it"


def test_nothing_is_put_back_without_a_base_or_where_it_could_not_be_read(tmp_path):
    assert not list(restorations(_bench(tmp_path, BASE.replace("x + 1", "x - 1"), [2],  # type: ignore[arg-type]
                                        base=BASE.replace("x + 1", "x + \ufffd"))))
    bench = _bench(tmp_path, BASE.replace("x + 1", "x - 1"), [2])
    bench.bases = {}
    assert not list(restorations(bench))  # type: ignore[arg-type]


def test_hunks_in_two_files_go_back_together_as_one_candidate_of_two_edits(tmp_path):
    (tmp_path / "m.py").write_text(BASE.replace("x + 1", "x - 1"))
    (tmp_path / "n.py").write_text(BASE.replace("'a'", "'b'"))
    bench = ChangedBench(tmp_path, [Suspect("m.py", 2, "f", 0.9), Suspect("n.py", 8, "g", 0.8)],
                         {"m.py": BASE, "n.py": BASE})
    *_, whole = restorations(bench)  # type: ignore[arg-type]
    assert [(e.path, e.after) for e in whole.edits] == [("m.py", BASE), ("n.py", BASE)]


def test_a_hunk_no_test_ran_in_a_suspect_file_comes_after_those_the_tests_ran(tmp_path):
    """A module's constant runs at import, so no test's coverage holds it."""
    base = "KEY = 'k1'\n\n\n" + BASE
    current = "KEY = 'k2'\n\n\n" + BASE.replace("x + 1", "x - 1")
    bench = _bench(tmp_path, current, [5], base=base)
    first, second, whole = restorations(bench)  # type: ignore[arg-type]
    assert first.edits[0].description == "m.py:5: `y = x - 1` -> `y = x + 1` as HEAD had it"
    assert second.edits[0].description == "m.py:1: `KEY = 'k2'` -> `KEY = 'k1'` as HEAD had it"
    assert whole.edits[0].after == base


CONSTANTS = "import enum\n\n\nclass Mode(enum.Enum):\n    FAST = 1\n\n\nDEFAULT = Mode.FAST\n\n\n" \
            "def pick(mode=DEFAULT):\n    return mode\n"


def test_a_change_that_ran_at_import_in_a_file_without_a_suspect_is_put_back_after_the_suspects(
        tmp_path):
    """bidict's `ON_DUP_DEFAULT` changed in _dup.py: the failing tests ran no line of that file,
    only its import did, so no suspect is there; the change is still the likeliest cause."""
    (tmp_path / "m.py").write_text(BASE.replace("x + 1", "x - 1"))
    (tmp_path / "consts.py").write_text(CONSTANTS.replace("FAST = 1", "FAST = 2")
                                        .replace("    return mode", "    return mode or 0"))
    bench = ChangedBench(tmp_path, [Suspect("m.py", 2, "f", 0.9)], {"m.py": BASE, "consts.py": CONSTANTS})
    first, second, whole = restorations(bench)  # type: ignore[arg-type]
    assert first.edits[0].path == "m.py"
    assert second.edits[0].description == "consts.py:5: `FAST = 2` -> `FAST = 1` as HEAD had it"
    assert [e.path for e in whole.edits] == ["m.py", "consts.py"]
    assert "return mode or 0" in whole.edits[1].after, (
        "a function's line in that file is not put back: no failing test ran it")


def test_a_change_at_import_in_a_test_file_or_a_file_that_is_not_python_is_not_put_back(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "data.py").write_text(CONSTANTS.replace("FAST = 1", "FAST = 2"))
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = b\n")
    bench = ChangedBench(tmp_path, [], {"tests/data.py": CONSTANTS, "setup.cfg": "[metadata]\nname = a\n"})
    assert not list(restorations(bench))  # type: ignore[arg-type]


def test_a_deletion_at_import_is_put_back_but_not_one_inside_a_function(tmp_path):
    (tmp_path / "consts.py").write_text(CONSTANTS.replace("DEFAULT = Mode.FAST\n", ""))
    bench = ChangedBench(tmp_path, [], {"consts.py": CONSTANTS})
    [candidate] = restorations(bench)  # type: ignore[arg-type]
    assert candidate.edits[0].after == CONSTANTS
    (tmp_path / "consts.py").write_text(CONSTANTS.replace("    return", "    mode = mode\n    return"))
    assert not list(restorations(bench)), "a line added in a function"  # type: ignore[arg-type]
    bench.bases["consts.py"] = CONSTANTS.replace("    return", "    mode = mode\n    return")
    (tmp_path / "consts.py").write_text(CONSTANTS.replace("    return mode\n", "    mode = mode\n"))
    assert not list(restorations(bench)), "a function's last line deleted"  # type: ignore[arg-type]
