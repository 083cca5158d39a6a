"""The builtin agent's candidate stream: single edits first, then bounded two-edit pairs."""

import ast
import itertools
import sys
import threading
import time
from pathlib import Path

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin import agent as builtin_agent
from pytest_selfheal.agents.builtin.agent import NONE_LIFT, Analyses, RankedMutations, candidates
from pytest_selfheal.agents.builtin.clues import Clues
from pytest_selfheal.agents.builtin.expected import EXPECTED_TEMPLATES
from pytest_selfheal.agents.builtin.literals import LITERAL_TEMPLATES
from pytest_selfheal.agents.builtin.priors import PRIORS
from pytest_selfheal.agents.builtin.sites import mutations
from pytest_selfheal.agents.builtin.statements import STATEMENT_TEMPLATES
from pytest_selfheal.agents.builtin.templates import TEMPLATES
from pytest_selfheal.agents.builtin.texts import TEXT_TEMPLATES
from pytest_selfheal.models import Candidate, Failure, Outcome, Suspect, Verdict

SOURCE = "def span(xs):\n    low = min(xs)\n    high = min(xs)\n    return high - low + 0\n"


def suspects(*lines: int) -> tuple[Suspect, ...]:
    return tuple(Suspect("m.py", line, "span", 1.0 - line / 10) for line in lines)


def test_single_edits_come_first_then_pairs_in_one_function(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    stream = list(candidates(tmp_path, suspects(2, 3)))
    sizes = [len(c.edits) for c in stream]
    assert sizes[0] == 1 and 2 in sizes
    assert sizes == sorted(sizes), "no pair before the last single edit"
    pair = next(c for c in stream if len(c.edits) == 2)
    assert pair.edits[0].after == pair.edits[1].before  # the second edit builds on the first
    parts = [c.score for c in stream if len(c.edits) == 1
             and c.edits[0].description in {e.description for e in pair.edits}]
    assert len(parts) == 2 and pair.score < min(parts)
    both = "def span(xs):\n    low = max(xs)\n    high = max(xs)\n"
    assert any(c.edits[-1].after.startswith(both) for c in stream if len(c.edits) == 2)


def test_candidates_compile_and_are_pairwise_distinct(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    trees = [ast.dump(ast.parse(c.edits[-1].after)) for c in candidates(tmp_path, suspects(4))
             if len(c.edits) == 1]
    assert trees and len(trees) == len(set(trees))
    assert ast.dump(ast.parse(SOURCE)) not in trees


def test_every_template_family_has_a_prior():
    families = (*TEMPLATES, *LITERAL_TEMPLATES, *STATEMENT_TEMPLATES, *EXPECTED_TEMPLATES,
                *TEXT_TEMPLATES)
    assert {name for name, _ in families} == set(PRIORS)


def test_priors_order_the_families(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    favour = {family: 0.1 for family in PRIORS} | {"integer-constant": 1.0}
    first = next(candidates(tmp_path, suspects(4), priors=favour))
    assert first.edits[0].template == "integer-constant"
    assert next(candidates(tmp_path, suspects(4))).edits[0].template != "integer-constant"


FILES = {
    "a.py": "def f(x):\n    if x > 0:\n        return x + 1\n    return x - 1\n",
    "b.py": "def g(xs):\n    total = 0\n    for x in xs:\n        total += x * 2\n    return total\n",
    "c.py": "def h(s):\n    return s[1:] if len(s) > 2 else s\n",
}


def spread(scores: dict[str, float]) -> list[Suspect]:
    """Suspects on every line of each file, the file's score falling by a tenth per line."""
    found = [Suspect(path, line, "f", round(score - line / 10, 2))
             for path, score in scores.items() for line in range(1, FILES[path].count("\n") + 1)]
    return sorted(found, key=lambda s: -s.score)


def test_mutations_come_in_the_order_of_a_sort_by_score(tmp_path: Path):
    """Made file by file as needed, they come exactly as one stable sort of them all would
    order them, ties included."""
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    for scores in ({"a.py": 0.9, "b.py": 0.7, "c.py": 0.5}, {"a.py": 0.8, "b.py": 0.8, "c.py": 0.8},
                   {"c.py": 0.9, "a.py": 0.3, "b.py": 0.6}):
        given = spread(scores)
        lazy = [(item.score, item.path, item.mutation.description)
                for item in RankedMutations(tmp_path, given, PRIORS, Analyses())]
        eager = []
        for path in dict.fromkeys(s.path for s in given):
            by_line = {s.line: s for s in given if s.path == path}
            module = cst.parse_module(FILES[path])
            eager += [(by_line[m.line].score * PRIORS[m.template], path, m.description)
                      for m in mutations(module, frozenset(by_line))]
        assert len(lazy) > 100
        assert lazy == sorted(eager, key=lambda item: -item[0])


def test_the_first_candidates_need_only_the_most_suspect_file(tmp_path: Path, monkeypatch):
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    parsed = []
    real_analyse = builtin_agent._analyse
    monkeypatch.setattr(builtin_agent, "_analyse",
                        lambda root, path: parsed.append(path) or real_analyse(root, path))
    stream = candidates(tmp_path, spread({"a.py": 0.9, "b.py": 0.2, "c.py": 0.1}))
    first = list(itertools.islice(stream, 8))
    assert {c.edits[0].path for c in first} == {"a.py"}
    assert parsed == ["a.py"]
    rest = list(stream)
    assert {c.edits[0].path for c in rest} == {"a.py", "b.py", "c.py"}
    assert parsed == ["a.py", "b.py", "c.py"]


def test_a_files_mutations_are_made_best_lines_first_and_come_in_the_order_of_one_sort(
        tmp_path: Path, monkeypatch):
    """A module's 200 suspect lines take most of a second to mutate: the first candidates are
    made from its best lines alone, and the order is still that of one sort of them all."""
    body = "".join(f"    x{n} = x{n - 1} + {n} if x{n - 1} > {n} else x{n - 1} - 1\n" for n in range(1, 31))
    (tmp_path / "long.py").write_text(f"def f(x0, step=1):\n{body}    return x30\n")
    # lines 2..31, falling by 0.01 a line, twelve of them tied at 0.5 across the first group's
    # end; the body's first line last (the default `step=1` takes its score, made with it)
    scores = {line: 0.5 if 6 <= line <= 17 else round(0.6 - line / 100, 2) for line in range(3, 32)}
    scores[2] = 0.05
    given = sorted((Suspect("long.py", line, "f", score) for line, score in scores.items()),
                   key=lambda s: -s.score)
    asked = []
    real_mutations = builtin_agent.analysed_mutations
    monkeypatch.setattr(builtin_agent, "analysed_mutations",
                        lambda analysis, lines, *args, **kwargs: asked.append(lines)
                        or real_mutations(analysis, lines, *args, **kwargs))
    ranked = iter(RankedMutations(tmp_path, given, PRIORS, Analyses()))

    first = next(ranked)

    assert asked == [frozenset(range(3, 18))]  # lines 3-5, then the tie at 0.5 kept whole
    lazy = [(item.score, item.mutation.line, item.mutation.description) for item in [first, *ranked]]
    assert len(asked) > 1 and frozenset().union(*asked) == frozenset(scores)
    module = cst.parse_module((tmp_path / "long.py").read_text())
    eager = [(scores[m.suspect_line] * PRIORS[m.template] * m.share, m.line, m.description)
             for m in mutations(module, frozenset(scores))]
    assert any(line == 1 for _, line, _ in eager)  # the default's edits, once each
    assert lazy == sorted(eager, key=lambda item: -item[0])


def test_a_huge_module_as_suspect_as_a_small_one_comes_after_it(tmp_path: Path, monkeypatch):
    """Each of its candidates compiles it again in the test process: a generated table ties
    with the real code on suspicion (both ran), and is analysed only when its turn comes."""
    (tmp_path / "a.py").write_text(FILES["a.py"])
    rows = builtin_agent.LARGE_MODULE_LINES * 2
    (tmp_path / "table.py").write_text("ROWS = (\n" + "    (1, 'V'),\n" * rows + ")\nN = len(ROWS) + 1\n")
    given = [Suspect("table.py", rows + 3, "", 0.9), *spread({"a.py": 0.9})]
    parsed = []
    real_analyse = builtin_agent._analyse
    monkeypatch.setattr(builtin_agent, "_analyse",
                        lambda root, path: parsed.append(path) or real_analyse(root, path))
    ranked = iter(RankedMutations(tmp_path, given, PRIORS, Analyses()))

    first = next(ranked)

    assert first.path == "a.py" and parsed == ["a.py"]
    rest = [first, *ranked]
    table = [item for item in rest if item.path == "table.py"]
    assert table and all(item.score <= 0.9 * max(PRIORS.values()) / 2 for item in table)
    assert parsed == ["a.py", "table.py"]


def test_the_stream_ends_before_analysing_another_file_once_told_to_stop(tmp_path: Path):
    """Analysing a large module is the heal's own work: the budget must end it between files."""
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    given = spread({"a.py": 0.9, "b.py": 0.2, "c.py": 0.1})
    asked = []

    def stop_after_first_file() -> bool:
        asked.append(1)
        return len(asked) > 1

    ranked = RankedMutations(tmp_path, given, PRIORS, Analyses(), stop=stop_after_first_file)
    assert {item.path for item in ranked} == {"a.py"}
    assert {item.path for item in RankedMutations(tmp_path, given, PRIORS, Analyses())} == {
        "a.py", "b.py", "c.py"}


def test_files_analysed_ahead_are_not_analysed_again_and_give_the_same_candidates(
        tmp_path: Path, monkeypatch):
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    given = spread({"a.py": 0.9, "b.py": 0.2, "c.py": 0.1})
    expected = [c.edits for c in candidates(tmp_path, given)]
    analysed = []
    real_analyse = builtin_agent._analyse
    monkeypatch.setattr(builtin_agent, "_analyse",
                        lambda root, path: analysed.append(path) or real_analyse(root, path))
    analyses = Analyses()
    analyses.ahead(tmp_path, ["b.py", "a.py"])
    stream = builtin_agent._stream(tmp_path, given, RankedMutations(tmp_path, given, PRIORS, analyses))
    assert [c.edits for c in stream] == expected
    assert sorted(analysed) == ["a.py", "b.py", "c.py"]


def held_on_a(tmp_path: Path, monkeypatch) -> tuple[threading.Event, threading.Event, list[str]]:
    """FILES written; analysing a.py sets the first event and waits for the second; the files
    analysed, in order."""
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    begun, release, analysed = threading.Event(), threading.Event(), []
    real_analyse = builtin_agent._analyse

    def slow_on_a(root, path):
        if path == "a.py":
            begun.set()
            assert release.wait(10)
        analysed.append(path)
        return real_analyse(root, path)

    monkeypatch.setattr(builtin_agent, "_analyse", slow_on_a)
    return begun, release, analysed


def test_a_file_the_thread_has_not_begun_is_analysed_by_whoever_asks_for_it(
        tmp_path: Path, monkeypatch):
    _, release, analysed = held_on_a(tmp_path, monkeypatch)
    analyses = Analyses()
    analyses.ahead(tmp_path, ["a.py", "b.py"])
    assert not isinstance(analyses.get(tmp_path, "b.py"), str)  # a.py still holds the thread
    assert analysed == ["b.py"]
    release.set()
    assert not isinstance(analyses.get(tmp_path, "a.py"), str)
    assert sorted(analysed) == ["a.py", "b.py"]


def test_files_named_later_are_read_ahead_before_those_still_waiting(tmp_path: Path, monkeypatch):
    begun, release, analysed = held_on_a(tmp_path, monkeypatch)
    analyses = Analyses()
    analyses.ahead(tmp_path, ["a.py", "b.py"])  # before the probe: a guess
    assert begun.wait(10)  # the thread has taken a.py
    analyses.ahead(tmp_path, ["c.py", "a.py"])  # after it: c.py is the best suspect's file
    release.set()
    for path in ("a.py", "c.py", "b.py"):  # asked for in the order the thread takes them
        assert not isinstance(analyses.get(tmp_path, path), str)
    assert analysed == ["a.py", "c.py", "b.py"]  # each once, a.py begun before c.py was named


def test_a_file_read_ahead_builds_no_python_ast_on_its_thread(tmp_path: Path, monkeypatch):
    """CPython 3.11's `ast` breaks when two threads build trees at once (SystemError: AST
    constructor recursion depth mismatch), and the heal's own thread parses with `ast`
    meanwhile: the thread reading ahead must leave `ast` alone."""
    (tmp_path / "a.py").write_text(FILES["a.py"])
    threads = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: threads.append(threading.current_thread())
                        or real_parse(*args, **kwargs))
    analyses = Analyses()
    analyses.ahead(tmp_path, ["a.py"])
    assert not isinstance(analyses.get(tmp_path, "a.py"), str)
    assert threads == []  # reading and analysing the file (here or on its thread) parsed no `ast`
    given = spread({"a.py": 0.9})
    assert list(itertools.islice(builtin_agent._stream(
        tmp_path, given, RankedMutations(tmp_path, given, PRIORS, analyses)), 5))
    assert threads and set(threads) == {threading.main_thread()}  # keys are worked out here


def test_an_error_while_analysing_ahead_reaches_the_search(tmp_path: Path, monkeypatch):
    (tmp_path / "a.py").write_text(FILES["a.py"])

    def broken(root, path):
        raise RuntimeError("analysis bug")

    monkeypatch.setattr(builtin_agent, "_analyse", broken)
    analyses = Analyses()
    analyses.ahead(tmp_path, ["a.py"])
    with pytest.raises(RuntimeError, match="analysis bug"):
        analyses.get(tmp_path, "a.py")


def test_while_files_are_read_ahead_the_heal_thread_gets_the_gil_back_soon(tmp_path: Path, monkeypatch):
    """The heal's own thread lets go of the GIL at every sqlite row it reads or writes meanwhile;
    parsing on the thread reading ahead held it a whole switch interval each time. Two threads
    reading ahead at once (two heals in one process), the first done first, leave the interval
    as they found it."""
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    begun = {path: threading.Event() for path in ("a.py", "b.py")}
    release = {path: threading.Event() for path in ("a.py", "b.py")}
    real_analyse = builtin_agent._analyse

    def held(root, path):
        begun[path].set()
        assert release[path].wait(10)
        return real_analyse(root, path)

    monkeypatch.setattr(builtin_agent, "_analyse", held)
    _reading_ahead(count=0)  # an earlier test's thread may still be reading
    before = sys.getswitchinterval()
    assert before > builtin_agent.READ_AHEAD_SWITCH_SECONDS
    first, second = Analyses(), Analyses()
    first.ahead(tmp_path, ["a.py"])
    assert begun["a.py"].wait(10)
    assert sys.getswitchinterval() == builtin_agent.READ_AHEAD_SWITCH_SECONDS
    second.ahead(tmp_path, ["b.py"])
    assert begun["b.py"].wait(10)
    release["a.py"].set()
    assert not isinstance(first.get(tmp_path, "a.py"), str)
    _reading_ahead(count=1)  # the first is done, the second still reads
    assert sys.getswitchinterval() == builtin_agent.READ_AHEAD_SWITCH_SECONDS
    release["b.py"].set()
    assert not isinstance(second.get(tmp_path, "b.py"), str)
    _reading_ahead(count=0)
    assert sys.getswitchinterval() == before


def _reading_ahead(*, count: int) -> None:
    """Wait until `count` threads reading ahead are left."""
    deadline = time.monotonic() + 10
    while sum(t.name == "selfheal-analyse" for t in threading.enumerate()) > count:
        assert time.monotonic() < deadline
        time.sleep(0.005)


BYTES = {
    "crlf": (b"def f(x):\r\n    if x > 0:\r\n        return x + 1\r\n    return x - 1\r\n", "utf-8"),
    "bom": (b"\xef\xbb\xbfdef f(x):\n    return x + 1\n", "utf-8-sig"),
    "latin-1": (b"# -*- coding: latin-1 -*-\ndef f(x):\n    s = '\xe9'\n    return x + 1\n", "iso-8859-1"),
    "no final newline": (b"def f(x):\n    return x + 1", "utf-8"),
}


def test_candidates_are_the_files_text_in_its_encoding_and_line_endings(tmp_path: Path):
    for name, (data, _) in BYTES.items():
        (tmp_path / f"{name}.py").write_bytes(data)
    given = [Suspect(f"{name}.py", line, "f", 1.0)
             for name, (data, _) in BYTES.items() for line in range(1, data.count(b"\n") + 2)]
    stream = [c.edits[0] for c in candidates(tmp_path, given) if len(c.edits) == 1]
    for name, (data, encoding) in BYTES.items():
        edits = [e for e in stream if e.path == f"{name}.py"]
        assert edits and all(e.encoding == encoding and e.before.encode(encoding) == data for e in edits)
    crlf = [e.after for e in stream if e.path == "crlf.py"]
    assert all(after.count("\n") == after.count("\r\n") for after in crlf)
    assert all(not e.after.endswith("\n") for e in stream if e.path == "no final newline.py")


class Bench:
    """A bench on which nothing passes: the agent searches until it has no candidate left."""

    change_base = "HEAD"
    changed_paths: tuple[str, ...] = ()

    def base_text(self, path: str) -> None:
        return None

    def __init__(self, root: Path, suspects: list[Suspect]) -> None:
        self.root, self.suspects, self.tried = root, suspects, 0
        self.failures: tuple[Failure, ...] = ()

    def stop_reason(self) -> None:
        return None

    def try_batch(self, batch: list[object]) -> list[object]:
        self.tried += len(batch)
        return []


def test_a_suspect_file_that_cannot_be_read_is_named_with_the_reason(tmp_path: Path):
    (tmp_path / "a.py").write_text(FILES["a.py"])
    (tmp_path / "bad.py").write_bytes(b"x = 1\ns = '\xe9'\n")
    bench = Bench(tmp_path, [Suspect("bad.py", 2, "<module>", 1.0), *spread({"a.py": 0.5})])
    reason = builtin_agent.BuiltinAgent().repair(bench)  # type: ignore[arg-type]
    assert bench.tried > 0, "the files that can be read are still searched"
    assert reason == ("no candidate left to try; could not search bad.py: line 2 is not valid "
                      "utf-8, the file's encoding (invalid continuation byte)")


TWO_BUGS = "def stats(xs):\n    total = sum(xs) + 1\n    top = min(xs)\n    return total, top\n"


class TwoTestsBench:
    """A bench whose two failing tests each check one of stats()'s two results, judged by
    running the candidate's code: a candidate fixing one of the bugs is a partial fix."""

    change_base = "HEAD"
    changed_paths: tuple[str, ...] = ()

    def base_text(self, path: str) -> None:
        return None

    def __init__(self, root: Path) -> None:
        self.root = root
        self.suspects = (Suspect("m.py", 2, "stats", 0.9), Suspect("m.py", 3, "stats", 0.8))
        self.failures = ()
        self.tried: list[Candidate] = []

    @property
    def healed(self) -> bool:
        return any(len(self._fixed(c)) == 2 for c in self.tried)

    def stop_reason(self) -> str | None:
        return "healed" if self.healed else None

    def try_batch(self, batch: list[Candidate]) -> list[Outcome]:
        outcomes = []
        for candidate in batch:
            if self.stop_reason():
                break
            self.tried.append(candidate)
            fixed = self._fixed(candidate)
            verdict = Verdict.PLAUSIBLE if len(fixed) == 2 else Verdict.STILL_FAILING
            outcomes.append(Outcome(candidate, verdict, 0.0, fixed=fixed))
        return outcomes

    @staticmethod
    def _fixed(candidate: Candidate) -> tuple[str, ...]:
        scope: dict[str, object] = {}
        try:
            exec(candidate.edits[-1].after, scope)
            total, top = scope["stats"]([1, 2, 3])  # type: ignore[operator]
        except Exception:
            return ()
        return tuple(name for name, ok in (("test_total", total == 6), ("test_top", top == 3)) if ok)


def test_a_partial_fix_is_kept_and_a_second_edit_is_searched_on_top_of_it(tmp_path: Path):
    (tmp_path / "m.py").write_text(TWO_BUGS)
    bench = TwoTestsBench(tmp_path)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    fix = bench.tried[-1]
    assert len(fix.edits) == 2 and len(TwoTestsBench._fixed(fix)) == 2
    first_partial = next(i for i, c in enumerate(bench.tried) if TwoTestsBench._fixed(c))
    singles = sum(1 for c in candidates(tmp_path, bench.suspects) if len(c.edits) == 1)
    # the fix came from building on the partial one, long before the single edits ran out
    assert len(bench.tried) - first_partial <= 2 * builtin_agent.BATCH < singles


class ScriptedBench:
    """A bench that judges each candidate by `judge`, and is healed once `fix` was tried."""

    change_base = "HEAD"
    changed_paths: tuple[str, ...] = ()

    def base_text(self, path: str) -> None:
        return None

    def __init__(self, root: Path, suspects: tuple[Suspect, ...], fix: Candidate,
                 failures: tuple[Failure, ...] = ()) -> None:
        self.root, self.suspects, self.failures, self.fix = root, suspects, failures, fix
        self.tried: list[Candidate] = []

    @property
    def healed(self) -> bool:
        return self.fix in self.tried

    def stop_reason(self) -> str | None:
        return "healed" if self.healed else None

    def try_batch(self, batch: list[Candidate]) -> list[Outcome]:
        outcomes = []
        for candidate in batch:
            self.tried.append(candidate)
            outcomes.append(self.judge(candidate))
        return outcomes

    def judge(self, candidate: Candidate) -> Outcome:
        raise NotImplementedError


class PartialFirstBench(ScriptedBench):
    """A bench on which the first candidate fixes one of two failing tests and `fix`, a single
    edit further down the ranking, fixes both; nothing else fixes any."""

    def __init__(self, root: Path, fix: Candidate) -> None:
        super().__init__(root, TwoTestsBench(root).suspects, fix)

    def judge(self, candidate: Candidate) -> Outcome:
        if candidate == self.fix:
            return Outcome(candidate, Verdict.PLAUSIBLE, 0.0, fixed=("a", "b"))
        if len(self.tried) == 1:
            return Outcome(candidate, Verdict.PARTIAL, 0.0, fixed=("a",))
        return Outcome(candidate, Verdict.STILL_FAILING, 0.0)


def test_the_edits_on_top_of_a_partial_fix_take_turns_with_the_single_edits_after_it(tmp_path: Path):
    """A partial fix at rank 1 once held the fix at rank 9 back by the 120 edits on top of it."""
    (tmp_path / "m.py").write_text(TWO_BUGS)
    singles = [c for c in candidates(tmp_path, TwoTestsBench(tmp_path).suspects) if len(c.edits) == 1]
    fix = singles[builtin_agent.BATCH + 2]
    bench = PartialFirstBench(tmp_path, fix)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    tried = bench.tried.index(fix)
    assert 2 * builtin_agent.BATCH <= tried < 3 * builtin_agent.BATCH  # after one batch on top
    assert any(len(c.edits) == 2 for c in bench.tried[builtin_agent.BATCH:2 * builtin_agent.BATCH])


FLAT = ("def keep(data, item, strip, sep, width):\n"
        "    text = sep.join(data) + sep * width\n"
        "    parts = [p.strip() for p in data if len(p) > width]\n"
        "    if strip and text and item:\n"
        "        text = text.strip() or None\n"
        "    return text, parts\n")
FLAT_SUSPECTS = tuple(Suspect("m.py", line, "keep", score)
                      for line, score in ((2, 0.5), (3, 0.5), (4, 0.49), (5, 0.49), (6, 0.48)))


class BreakerBench(ScriptedBench):
    """A bench with `failing` failing tests, on which `breaker` makes `fixes` of them pass and
    breaks a passing one, `fix` heals, and nothing else changes any test's outcome."""

    def __init__(self, root: Path, breaker: Candidate, fix: Candidate, failing: int = 1, fixes: int = 1
                 ) -> None:
        failures = tuple(Failure(f"t{i}", "call", "AssertionError", "") for i in range(failing))
        super().__init__(root, FLAT_SUSPECTS, fix, failures)
        self.fixed = tuple(f.nodeid for f in failures[:fixes])
        self.breaker = breaker

    def judge(self, candidate: Candidate) -> Outcome:
        if candidate == self.fix:
            return Outcome(candidate, Verdict.PLAUSIBLE, 0.0, fixed=self.fixed)
        if candidate == self.breaker:
            return Outcome(candidate, Verdict.BREAKS_OTHERS, 0.0, fixed=self.fixed, broken=("u",))
        return Outcome(candidate, Verdict.STILL_FAILING, 0.0)


class HalfFixBench(BreakerBench):
    """As BreakerBench, but `breaker` breaks nothing: a partial fix that leaves some failing."""

    def judge(self, candidate: Candidate) -> Outcome:
        if candidate == self.breaker:
            return Outcome(candidate, Verdict.PARTIAL, 0.0, fixed=self.fixed)
        return super().judge(candidate)


def flat_breaker_and_fix(root: Path) -> tuple[list[Candidate], Candidate, Candidate]:
    """The single edits of FLAT in order; an early one and a fix far down, both at line 4."""
    (root / "m.py").write_text(FLAT)
    singles = [c for c in candidates(root, FLAT_SUSPECTS) if len(c.edits) == 1]
    breaker = next(c for c in singles if c.edits[0].line == 4)
    fix = next(c for c in singles if c.edits[0].description.endswith("`strip and text and not item`"))
    assert singles.index(fix) - singles.index(breaker) > 100, "the fix is far down the stream"
    return singles, breaker, fix


@pytest.mark.parametrize("failing, fixes", [(1, 1), (3, 2)])
def test_an_edit_that_fixes_the_failing_tests_but_breaks_others_brings_its_lines_edits_forward(
        tmp_path: Path, failing: int, fixes: int):
    """Mutation-based localization on a flat spectrum: xmltodict-13068aa's `or` at the faulty
    condition fixed both failing tests at rank 31; the fix at that line was rank 781."""
    singles, breaker, fix = flat_breaker_and_fix(tmp_path)
    bench = BreakerBench(tmp_path, breaker, fix, failing, fixes)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    at_line = [c for c in singles if c.edits[0].line == 4]
    after = bench.tried[bench.tried.index(breaker) + 1:]
    assert len(after) <= at_line.index(fix) + builtin_agent.BATCH
    assert len(after) == len(set(after)), "each edit is tried once, from whichever stream"


def test_an_edit_that_fixes_most_failing_tests_and_leaves_the_rest_brings_its_lines_edits_forward(
        tmp_path: Path):
    """idna's `label[1:3]` for `label[2:4]`: `1` -> `2` fixed 11 of 19 and broke nothing; moving
    the window, at that line, was not reached in the budget."""
    singles, breaker, fix = flat_breaker_and_fix(tmp_path)
    bench = HalfFixBench(tmp_path, breaker, fix, failing=3, fixes=2)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    at_line = [c for c in singles if c.edits[0].line == 4]
    after = bench.tried[bench.tried.index(breaker) + 1:]
    # the line's edits, a batch at a time, take turns with those on top of the partial fix
    assert len(after) <= 2 * (at_line.index(fix) + builtin_agent.BATCH)
    assert len(after) < singles.index(fix) - singles.index(breaker)


def test_an_edit_that_fixes_a_few_of_many_failing_tests_and_breaks_others_moves_nothing(tmp_path: Path):
    """calc-expr-double-advance: 1 of 6 fixed and 8 broken, at the line before the faulty one."""
    singles, breaker, fix = flat_breaker_and_fix(tmp_path)
    bench = BreakerBench(tmp_path, breaker, fix, failing=6, fixes=1)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    assert bench.tried.index(fix) == singles.index(fix)


def test_the_edits_at_a_line_are_all_of_its_mutations_best_first(tmp_path: Path):
    (tmp_path / "m.py").write_text(FLAT)
    ranked = RankedMutations(tmp_path, FLAT_SUSPECTS, PRIORS, Analyses())
    next(iter(ranked))  # the file analysed, one mutation given, the rest waiting
    assert [i.mutation for i in ranked.at("m.py", 4)] == [i.mutation for i in ranked if i.mutation.line == 4]


TWICE = ('def remap(status, strict):\n    if status == "3" and strict:\n        return "kept"\n'
         '    if status == "M" or (status == "3" and strict):\n        return "mapped"\n    return "dropped"\n')


class FirstSiteBench:
    """A bench whose one failing test checks only the first of remap()'s two copies of a
    condition; it keeps trying candidates for two batches after the first plausible one."""

    change_base = "HEAD"
    changed_paths: tuple[str, ...] = ()

    def base_text(self, path: str) -> None:
        return None

    def __init__(self, root: Path) -> None:
        self.root = root
        self.suspects = (Suspect("m.py", 2, "remap", 0.9), Suspect("m.py", 4, "remap", 0.5))
        self.failures = ()
        self.tried: list[Candidate] = []
        self.first_plausible: int | None = None

    @property
    def healed(self) -> bool:
        return self.first_plausible is not None

    def stop_reason(self) -> str | None:
        done = self.first_plausible is not None and len(self.tried) >= self.first_plausible + 2 * builtin_agent.BATCH
        return "window closed" if done else None

    def try_batch(self, batch: list[Candidate]) -> list[Outcome]:
        outcomes = []
        for candidate in batch:
            self.tried.append(candidate)
            scope: dict[str, object] = {}
            exec(candidate.edits[-1].after, scope)
            fixed = scope["remap"]("3", False) == "kept"  # type: ignore[operator]
            if fixed and self.first_plausible is None:
                self.first_plausible = len(self.tried) - 1
            outcomes.append(Outcome(candidate, Verdict.PLAUSIBLE if fixed else Verdict.STILL_FAILING,
                                    0.0, fixed=("test_kept",) if fixed else ()))
        return outcomes


def test_a_plausible_edit_to_a_condition_written_twice_is_tried_at_both_copies_next(tmp_path: Path):
    (tmp_path / "m.py").write_text(TWICE)
    bench = FirstSiteBench(tmp_path)
    builtin_agent.BuiltinAgent().repair(bench)  # type: ignore[arg-type]
    assert bench.first_plausible is not None
    first = bench.tried[bench.first_plausible]
    twin = bench.tried[bench.first_plausible + 1:][:builtin_agent.BATCH]
    consistent = [c for c in twin if c.edits[0].description == f"{first.edits[0].description}, and at its copy"]
    assert len(consistent) == 1, [c.edits[0].description for c in twin]
    after = consistent[0].edits[0].after
    assert 'status == "3" and strict' not in after and after.count('(status == "3"') == 1  # its parentheses kept
    ast.parse(after)


def test_on_top_of_a_partial_fix_the_same_edit_elsewhere_in_its_function_comes_first(tmp_path: Path):
    (tmp_path / "m.py").write_text('def size(n, gnu):\n    return f"{n}B" if gnu else f"{n} Bytes"\n')
    ranked = RankedMutations(tmp_path, (Suspect("m.py", 2, "size", 1.0),), PRIORS, Analyses())
    first = next(item for item in ranked if item.mutation.description == "`n` -> `int(n)`")
    second = next(builtin_agent.on_top(first, ranked))
    assert [edit.description for edit in second.edits] == ["m.py:2: `n` -> `int(n)`"] * 2
    assert second.edits[-1].after.count("{int(n)}") == 2


def test_edits_on_top_of_a_partial_fix_make_only_the_mutations_they_need(tmp_path: Path, monkeypatch):
    """Its function's edits come first, then the rest of the stream as far as it is taken: making
    every mutation of pyflakes' suspects first took a second."""
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    given = spread({"a.py": 0.9, "b.py": 0.2, "c.py": 0.1})
    everything = list(RankedMutations(tmp_path, given, PRIORS, Analyses()))
    in_a = sum(item.path == "a.py" for item in everything)
    parsed = []
    real_analyse = builtin_agent._analyse
    monkeypatch.setattr(builtin_agent, "_analyse",
                        lambda root, path: parsed.append(path) or real_analyse(root, path))
    ranked = RankedMutations(tmp_path, given, PRIORS, Analyses())
    first = next(iter(ranked))
    seconds = list(itertools.islice(builtin_agent.on_top(first, ranked), 5))
    assert len(seconds) == 5 and all(c.edits[1].path == "a.py" for c in seconds)
    assert parsed == ["a.py"]  # b.py and c.py are not reached
    more = list(builtin_agent.on_top(first, ranked))
    assert {c.edits[1].path for c in more} == {"a.py", "b.py", "c.py"} and in_a > 5


def test_a_none_the_failures_show_puts_the_edits_replacing_a_written_none_first(tmp_path: Path):
    """Two equally suspect lines; the failures say "'NoneType' object has no attribute": the
    edits giving `self.items` a value come before any edit of the other line."""
    (tmp_path / "m.py").write_text("class Bag:\n    def __init__(self, size):\n"
                                   "        self.items = None\n        self.size = size + 1\n"
                                   "        self.spare = []\n")
    given = (Suspect("m.py", 3, "Bag.__init__", 0.5), Suspect("m.py", 4, "Bag.__init__", 0.5))
    failure = Failure("tests/test_m.py::test_add", "call", "AttributeError",
                      "'NoneType' object has no attribute 'append'")
    shown = Clues.of(tmp_path, [failure])
    assert shown.none_shown
    assert not Clues.of(tmp_path, [Failure("t.py::t", "call", "AssertionError", "Nonesuch != 1")]).none_shown
    for shows in ("assert None == 3", "assert 3 == None", "None != 3", "assert x is None",
                  "assert None\n +  where None = total([])", "unsupported operand: 'NoneType'"):
        assert Clues.of(tmp_path, [Failure("t.py::t", "call", "Error", shows)]).none_shown, shows
    assert not Clues.of(tmp_path, [failure, *(Failure(f"t.py::t{n}", "call", "AssertionError", "1 != 2")
                                               for n in range(2))]).none_shown, "one failure of three"
    for inside in ("assert () == ((<LowerBound 1.0>, <UpperBound None>),)",
                   "assert Point(x=None) == Point(x=1)"):
        assert not Clues.of(tmp_path, [Failure("t.py::t", "call", "Error", inside)]).none_shown, inside

    def first_lines(clues: Clues) -> list[int]:
        ranked = RankedMutations(tmp_path, given, PRIORS, Analyses(), clues=clues)
        return [item.mutation.line for item in itertools.islice(ranked, 2)]

    lifted = RankedMutations(tmp_path, given, PRIORS, Analyses(), clues=shown)
    assert "`self.items = None` -> `self.items = []`" in [
        item.mutation.description for item in itertools.islice(lifted, 5)]
    assert first_lines(shown) == [3, 3] and first_lines(Clues()) != [3, 3]


def test_a_none_a_comparison_tests_against_is_no_value_left_out(tmp_path: Path):
    """`item is None` checks for a None: replacing it is no value put where one was left out,
    so a None in the failures' words does not lift it (xmltodict's guards put hundreds of such
    edits ahead of its fix)."""
    (tmp_path / "m.py").write_text("def push(item, stack):\n    if item is None:\n"
                                   "        item = None\n    stack.append(item)\n")
    given = (Suspect("m.py", 2, "push", 0.5), Suspect("m.py", 3, "push", 0.5))
    def scores(clues: Clues) -> dict[tuple[int, str], float]:
        return {(item.mutation.line, item.mutation.description): item.score
                for item in RankedMutations(tmp_path, given, PRIORS, Analyses(), clues=clues)}

    lifted, plain = scores(Clues(none_shown=True)), scores(Clues())
    assert lifted[(2, "`None` -> `0`")] == plain[(2, "`None` -> `0`")]
    assert lifted[(3, "`None` -> `0`")] == NONE_LIFT * plain[(3, "`None` -> `0`")]


def test_texts_a_number_apart_by_one_put_the_shifted_interpolation_first(tmp_path: Path):
    """starlette's range header written with `{end}` for `{end - 1}`: the failures compare
    'bytes 0-5/12' with 'bytes 0-4/12'. The line that formats it is less suspect than the
    other, whose edits all came first; with the clue, the six shifts come right after its best."""
    (tmp_path / "m.py").write_text(
        "def header(start, end, size):\n"
        "    end = min(end, size) if size > start else end + start - size\n"
        '    return f"bytes {start}-{end}/{size}"\n')
    given = (Suspect("m.py", 2, "header", 0.6), Suspect("m.py", 3, "header", 0.5))
    diff = "assert 'bytes 0-5/12' == 'bytes 0-4/12'\n  \n  - bytes 0-4/12\n  ?         ^\n  + bytes 0-5/12\n"
    shown = Clues.of(tmp_path, [Failure("t.py::t", "call", "AssertionError", diff)])
    assert shown.number_off_by_one
    for apart in ("- bytes 0-4/12\n+ bytes 0-6/12\n", "- bytes 0-4/12\n+ bytes 1-5/12\n",
                  "- bytes 0-4/12\n+ bytes 0-4/13 \n", "- page 9\n+ page 10\n"):
        clue = Clues.of(tmp_path, [Failure("t.py::t", "call", "AssertionError", apart)])
        assert clue.number_off_by_one is apart.endswith("10\n"), apart

    def rank(clues: Clues, description: str) -> int:
        ranked = [item.mutation.description for item in
                  RankedMutations(tmp_path, given, PRIORS, Analyses(), clues=clues)]
        return ranked.index(description)

    shift = '`f"bytes {start}-{end}/{size}"` -> `f"bytes {start}-{end - 1}/{size}"`'
    assert rank(shown, shift) < 10 < 20 < rank(Clues(), shift)


class ChangedFileBench(ScriptedBench):
    """A bench whose suspect file changed since the base `base`, healed by the candidate that
    writes `fixed` (and stopped after `batches` batches)."""

    def __init__(self, root: Path, base: str, fixed: str, batches: int = 99) -> None:
        super().__init__(root, suspects(3), Candidate(()))
        self.base, self.fixed, self.most = base, fixed, batches
        self.batches: list[list[Candidate]] = []

    changed_paths = ("m.py",)

    def base_text(self, path: str) -> str | None:  # type: ignore[override]
        return self.base if path == "m.py" else None

    @property
    def healed(self) -> bool:
        return any(c.edits[0].after == self.fixed for c in self.tried)

    def stop_reason(self) -> str | None:
        return "healed" if self.healed else "enough" if len(self.batches) >= self.most else None

    def try_batch(self, batch: list[Candidate]) -> list[Outcome]:
        self.batches.append(batch)
        return super().try_batch(batch)

    def judge(self, candidate: Candidate) -> Outcome:
        fixed = candidate.edits[0].after == self.fixed
        return Outcome(candidate, Verdict.PLAUSIBLE if fixed else Verdict.STILL_FAILING, 0.0,
                       fixed=("a",) if fixed else ())


def test_the_change_put_back_is_tried_alone_before_any_file_is_analysed(tmp_path: Path, monkeypatch):
    """A batch of templates waits for the suspect file's LibCST analysis (a second and more on a
    large module); the put-back candidate needs none, so it does not wait for it."""
    (tmp_path / "m.py").write_text(SOURCE)
    analysed = []
    real_analyse = builtin_agent._analyse
    monkeypatch.setattr(builtin_agent, "_analyse",
                        lambda root, path: analysed.append(path) or real_analyse(root, path))
    base = SOURCE.replace("high = min", "high = max")
    bench = ChangedFileBench(tmp_path, base, fixed=base)
    assert builtin_agent.BuiltinAgent().repair(bench) == "healed"  # type: ignore[arg-type]
    [[put_back]] = bench.batches
    assert put_back.edits[0].template == "restore-change"
    assert analysed == []


def test_templates_follow_a_put_back_change_that_fixed_nothing(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    bench = ChangedFileBench(tmp_path, SOURCE.replace("high = min", "high = max"), fixed="", batches=2)
    assert builtin_agent.BuiltinAgent().repair(bench) == "enough"  # type: ignore[arg-type]
    first, second = bench.batches
    assert [c.edits[0].template for c in first] == ["restore-change"]
    assert len(second) == builtin_agent.BATCH
    assert "restore-change" not in {c.edits[0].template for c in second}
