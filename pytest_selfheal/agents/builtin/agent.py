"""Search: mutations at the most suspicious lines, ordered by suspiciousness x template prior."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import sys
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import libcst as cst

from ...config import Settings
from ...cst_parse import parse_module
from ...models import Candidate, Edit, Outcome, Suspect, Verdict
from ...source import UnreadableSource, read_source
from ..base import Agent, Workbench
from .clues import NO_CLUES, Clues
from .names import name_candidates
from .priors import PRIORS
from .render import Rendered, Splicer
from .restore import restorations
from .sites import ModuleAnalysis, Mutation, analysed_mutations

BATCH = 8  # candidates screened together; the bench still judges them strictly in order


ON_TOP = 120  # second edits tried on top of one partial fix
MAX_PARTIALS = 3  # partial fixes built on, each fixing more failing tests than the one before
MAX_PLACES = 5  # lines moved to the front because an edit there fixed failing tests (_look_closer)


class BuiltinAgent:
    name = "builtin"

    def __init__(self) -> None:
        self.analyses = Analyses()

    def anticipate(self, root: Path, paths: Sequence[str]) -> None:
        self.analyses.ahead(root, paths)

    def repair(self, bench: Workbench) -> str:
        """Why the search stopped, and which suspect files it could not search, and why."""
        ranked = RankedMutations(bench.root, bench.suspects, PRIORS, self.analyses,
                                 stop=lambda: bench.stop_reason() is not None,
                                 clues=Clues.of(bench.root, bench.failures))
        reason = _Search(bench, ranked).run()
        return "; ".join([reason, *(f"could not search {path}: {why}"
                                    for path, why in ranked.unreadable.items())])


class _Search:
    """The candidate stream, tried in batches, reordered by what the tests say of each batch.
    A single edit that fixes some failing tests and breaks none is evidence, so the edits on top
    of it (its own function first) go ahead of the rest of the stream, as a person would keep a
    half-fix and look for what else is wrong. One that fixes failing tests but breaks others
    shows where their outcome is decided, so the other edits at its line come next."""

    def __init__(self, bench: Workbench, ranked: RankedMutations) -> None:
        self.bench = bench
        self.ranked = ranked
        self.made: dict[Candidate, _Scored] = {}  # a single-edit candidate -> its mutation
        self.given: set[tuple[str, str]] = set()  # the single edits' programs, whichever stream
        # the change put back, a batch of its own: it needs no analysis of the suspects' files,
        # which a batch of templates waits for (a second and more on a large module)
        self.put_back: Iterator[Candidate] = restorations(bench)
        self.main: Iterator[Candidate] = itertools.chain(
            name_candidates(bench.root, bench.suspects),
            self._remembered(_single_edits(ranked, self.given)), pair_edits(ranked))
        self.ahead: Iterator[Candidate] = iter(())
        self.ahead_turn = True  # see _next_batch
        self.best_partial = 0
        self.partials = 0
        self.places: set[tuple[str, int]] = set()  # see _look_closer

    def _remembered(self, singles: Iterator[tuple[_Scored, Candidate]]) -> Iterator[Candidate]:
        for item, candidate in singles:
            self.made[candidate] = item
            yield candidate

    def run(self) -> str:
        while True:
            reason = self.bench.stop_reason()
            if reason:
                return reason
            batch = self._next_batch()
            if not batch:
                return "no candidate left to try"
            for outcome in self.bench.try_batch(batch):
                self._build_on(outcome)

    def _next_batch(self) -> list[Candidate]:
        """The change put back first; then a batch of the edits on top of a partial fix (first,
        as soon as there are any) and one of the rest of the stream in turn: the next single
        edits may be the fix themselves, and a partial fix at rank 1 held pyflakes' fix at rank
        9 back by the 120 edits on top of it."""
        put_back = list(itertools.islice(self.put_back, BATCH))
        if put_back:
            return put_back
        streams = (self.ahead, self.main) if self.ahead_turn else (self.main, self.ahead)
        self.ahead_turn = not self.ahead_turn
        for stream in streams:
            batch = list(itertools.islice(stream, BATCH))
            if batch:
                return batch
        return []

    def _build_on(self, outcome: Outcome) -> None:
        item = self.made.get(outcome.candidate)
        self._keep_partial(item, outcome)
        self._look_closer(item, outcome)
        twin = twinned(item) if item is not None and outcome.verdict is Verdict.PLAUSIBLE else None
        if twin is not None:
            self.ahead, self.ahead_turn = itertools.chain((twin,), self.ahead), True

    def _keep_partial(self, item: _Scored | None, outcome: Outcome) -> None:
        fixed = len(outcome.fixed)
        if (item is None or outcome.broken or fixed <= self.best_partial or self.partials >= MAX_PARTIALS
                or outcome.verdict not in (Verdict.PLAUSIBLE, Verdict.PARTIAL, Verdict.STILL_FAILING)
                or self.bench.healed):
            return
        self.best_partial, self.partials = fixed, self.partials + 1
        self.ahead, self.ahead_turn = itertools.islice(on_top(item, self.ranked), ON_TOP), True

    def _look_closer(self, item: _Scored | None, outcome: Outcome) -> None:
        """An edit that makes most failing tests pass and breaks others, or leaves the rest
        failing, changed the line where their outcome is decided (mutation-based fault
        localization: MUSE, Moon et al., ICST 2014): the other single edits at that line go to
        the front of the stream. On a flat spectrum they may be hundreds of candidates down
        (xmltodict-13068aa: an `or` at the faulty condition fixed both failing tests at rank 31,
        dropping its operand was rank 781; idna's `label[1:3]` for `label[2:4]`: `1` -> `2` fixed
        11 of 19, moving the window, at that line, was not reached in the budget). One that fixes
        a few of many says little: 1 of 6 fixed, 8 broken, at a line before the faulty one in
        calc-expr-double-advance, held its fix back by 95 candidates."""
        if (item is None or not (outcome.broken or outcome.verdict is Verdict.PARTIAL)
                or 2 * len(outcome.fixed) <= len(self.bench.failures)
                or self.bench.healed or len(self.places) >= MAX_PLACES):
            return
        place = (item.path, item.mutation.line)
        if place in self.places:
            return
        self.places.add(place)
        here = self.ranked.at(*place)
        self.main = itertools.chain(self._remembered(_single_edits(here, self.given)), self.main)


# A mutated module is compiled again in the test process; past this many lines (a generated
# table such as idna's 8,000-line uts46data) that costs more than a test, so the module's
# candidates are scored down in proportion, and it is analysed only when they are due.
LARGE_MODULE_LINES = 4000
PAIR_POOL = 8  # best single edits per function that two-edit candidates combine
PAIR_DISCOUNT = 0.5


@dataclass(frozen=True)
class _Scored:
    score: float
    path: str
    function: str
    mutation: Mutation
    splicer: Splicer
    encoding: str  # the file's, for its edits


def candidates(root: Path, suspects: Sequence[Suspect],
               priors: Mapping[str, float] = PRIORS) -> Iterator[Candidate]:
    """Every candidate source, chained in the order they are tried."""
    return _stream(root, suspects, RankedMutations(root, suspects, priors, Analyses()))


def _stream(root: Path, suspects: Sequence[Suspect], ranked: RankedMutations) -> Iterator[Candidate]:
    return itertools.chain(
        name_candidates(root, suspects),
        single_edits(ranked),
        pair_edits(ranked),
    )


class RankedMutations:
    """Every mutation at a suspect line, by line score x template prior, divided by the cost of
    recompiling a very large module (`_recompile_cost`), times NONE_LIFT for one that replaces a
    None written as a value when the failures show a None (`none_shown`), and times its
    SHOWN_NUMBER_LIFTS when they compare texts a number apart by one (ties in the order of
    the suspects' files, then of the mutations in a file). Files are analysed, and their
    mutations made a group of lines at a time (_line_groups), only as far as the iteration goes:
    a mutation is given once nothing left to make could be better, so the first candidates
    usually need only the most suspect file's best lines. Iterable any number of times. The
    stream ends early when `stop` says so before a file is analysed: analysing a large module
    is the heal's own work, which no wall on a test process cuts.
    `unreadable` names the suspect files analysed so far that could not be read or parsed, and
    why."""

    def __init__(self, root: Path, suspects: Sequence[Suspect], priors: Mapping[str, float],
                 analyses: Analyses, stop: Callable[[], bool] = lambda: False,
                 clues: Clues = NO_CLUES) -> None:
        self.unreadable: dict[str, str] = {}
        self._root, self._priors, self._clues = root, priors, clues
        self._none_lift = NONE_LIFT if clues.none_shown else 1.0
        self._lifts: Mapping[str, float] = SHOWN_NUMBER_LIFTS if clues.number_off_by_one else {}
        self._given: list[_Scored] = []
        self._waiting: list[tuple[float, int, _Scored]] = []  # a heap, best score then first made
        self._analyses = analyses
        self._stop = stop
        self._by_file: dict[str, dict[int, Suspect]] = defaultdict(dict)
        for suspect in suspects:
            self._by_file[suspect.path].setdefault(suspect.line, suspect)
        self._best_prior = max((prior * self._lifts.get(name, 1.0) for name, prior in priors.items()),
                               default=0.0) * self._none_lift
        self._costs = {path: _recompile_cost(root / path) for path in self._by_file}
        self._made, self._turn = itertools.count(), itertools.count()
        # What is still to be made: (-bound, turn, path, its lines; None for a file not analysed
        # yet). Ties in the suspects' order: a file's lines, then a file's groups in turn.
        self._unmade: list[tuple[float, int, str, tuple[int, ...] | None]] = [
            (-self._bound(path, by_line), next(self._turn), path, None)
            for path, by_line in self._by_file.items()]
        heapq.heapify(self._unmade)
        self._opened: set[str] = set()  # files whose groups are in `_unmade`
        self._groups_made: set[tuple[str, tuple[int, ...]]] = set()
        self._source = self._best_first()

    def __iter__(self) -> Iterator[_Scored]:
        index = 0
        while True:
            if index == len(self._given):
                item = next(self._source, None)
                if item is None:
                    return
                self._given.append(item)
            yield self._given[index]
            index += 1

    def at(self, path: str, line: int) -> list[_Scored]:
        """The mutations at `path`'s `line` that its analysis made, best first: all of them once
        one was given (a line's mutations are made together)."""
        return [item for item in self._made_so_far() if (item.path, item.mutation.line) == (path, line)]

    def in_function(self, path: str, function: str) -> list[_Scored]:
        """Every mutation at `function`'s suspect lines in `path`, best first: the groups of lines
        that hold them are made now where the stream has not reached them."""
        if path in self._by_file and self._open(path):
            by_line = self._by_file[path]
            for _, _, unmade, lines in list(self._unmade):
                if unmade == path and lines and any(by_line[line].function == function for line in lines):
                    self._make(path, lines)
        return [item for item in self._made_so_far() if (item.path, item.function) == (path, function)]

    def _made_so_far(self) -> Iterator[_Scored]:
        """Every mutation made so far, best first: those given, then those waiting."""
        return itertools.chain(self._given, (entry[2] for entry in sorted(self._waiting)))

    def _bound(self, path: str, lines: Iterable[int]) -> float:
        """No mutation at `lines` of `path` scores more."""
        return self._best_prior * max(self._by_file[path][line].score for line in lines) / self._costs[path]

    def _best_first(self) -> Iterator[_Scored]:
        waiting, unmade = self._waiting, self._unmade
        while unmade:
            most, _, path, lines = heapq.heappop(unmade)
            while waiting and waiting[0][0] <= most:
                yield heapq.heappop(waiting)[2]
            if lines is not None:
                self._make(path, lines)
            elif self._stop():
                return
            else:
                self._open(path)
        while waiting:
            yield heapq.heappop(waiting)[2]

    def _open(self, path: str) -> bool:
        """`path` analysed and its groups of lines queued, once; False when it cannot be read."""
        analysed = self._analyses.get(self._root, path)
        if isinstance(analysed, str):
            self.unreadable[path] = analysed
            return False
        if path not in self._opened:
            self._opened.add(path)
            for group in _line_groups(self._by_file[path]):
                heapq.heappush(self._unmade, (-self._bound(path, group), next(self._turn), path, group))
        return True

    def _make(self, path: str, lines: tuple[int, ...]) -> None:
        """The mutations at `lines` of `path`, into the waiting heap, once."""
        if (path, lines) in self._groups_made:
            return
        self._groups_made.add((path, lines))
        analysed = self._analyses.get(self._root, path)
        assert not isinstance(analysed, str)  # opened
        analysis, splicer, encoding = analysed
        by_line = self._by_file[path]
        most_suspect = max(by_line.values(), key=lambda s: s.score)
        for mutation in analysed_mutations(analysis, frozenset(lines), self._clues,
                                           among=frozenset(by_line), texts=most_suspect.line in lines):
            line = mutation.suspect_line
            suspect = most_suspect if line is None else by_line[line]
            lift = ((self._none_lift if mutation.fills_none else 1.0) * mutation.share
                    * self._lifts.get(mutation.template, 1.0))
            score = suspect.score * self._priors[mutation.template] * lift / self._costs[path]
            item = _Scored(score, path, suspect.function, mutation, splicer, encoding)
            heapq.heappush(self._waiting, (-score, next(self._made), item))


LINES_AT_ONCE = 10  # suspect lines of a file whose mutations are made together, at the least


def _line_groups(by_line: Mapping[int, Suspect]) -> list[tuple[int, ...]]:
    """A file's suspect lines best first, in groups of LINES_AT_ONCE or more that never part
    lines of equal score. Making a large module's mutations at 200 lines takes most of a second;
    the first candidates need the best few lines."""
    groups: list[list[int]] = [[]]
    for line in sorted(by_line, key=lambda line: -by_line[line].score):
        last = groups[-1]
        if len(last) >= LINES_AT_ONCE and by_line[line].score < by_line[last[-1]].score:
            groups.append(last := [])
        last.append(line)
    return [tuple(group) for group in groups if group]


# A None where a value belongs (`self.items = None`, a forgotten value returned as None) shows in
# the failures' own words ("'NoneType' object has no attribute 'append'", "None != 3"): then an
# edit that puts a value in place of a written None is twice as likely as its template says.
NONE_LIFT = 2.0
# Two texts a failing test compared that differ only by one in one number ("bytes 0-5/12" for
# "bytes 0-4/12"): a number a format string shows is off by one, the template that shifts one
# as likely as the most likely family at its line.
SHOWN_NUMBER_LIFTS = MappingProxyType({"interpolated-shift": 2.5})


def _recompile_cost(path: Path) -> float:
    """How many times a usual module's cost compiling `path` again takes: 1 up to
    LARGE_MODULE_LINES lines, in proportion beyond."""
    try:
        lines = path.read_bytes().count(b"\n")
    except OSError:
        return 1.0  # the analysis says why it cannot be read
    return max(1.0, lines / LARGE_MODULE_LINES)


def single_edits(ranked: Iterable[_Scored]) -> Iterator[Candidate]:
    """Compilable, distinct single-edit candidates that change the program, best first."""
    return (candidate for _, candidate in _single_edits(ranked, set()))


def _single_edits(ranked: Iterable[_Scored], seen: set[tuple[str, str]]
                  ) -> Iterator[tuple[_Scored, Candidate]]:
    """single_edits, each with the mutation it is; `seen` holds the programs already given."""
    for item in ranked:
        after = item.splicer.apply((item.mutation,))
        if _is_new(seen, item.path, after):
            yield item, Candidate(edits=(_edit(item, item.splicer.code, after.code),),
                                  score=round(item.score, 4), agent="builtin")


def twinned(item: _Scored) -> Candidate | None:
    """A plausible edit to an `and`/`or` condition its function also writes elsewhere, made at
    every copy: the same rule written twice is usually wrong twice, though the tests may check
    only one (ranking prefers the consistent patch when both pass: antipatterns.py). None when
    the condition has no copy."""
    mutation = item.mutation
    if not isinstance(mutation.original, cst.BooleanOperation):
        return None
    copies = item.splicer.copies(mutation.original)
    if not copies:
        return None
    after = item.splicer.apply((mutation, *(_at(mutation, copy) for copy in copies)))
    if not after.key:
        return None
    edit = _edit(item, item.splicer.code, after.code)
    also = "its copy" if len(copies) == 1 else f"its {len(copies)} copies"
    return Candidate(edits=(edit.described(f"{edit.description}, and at {also}"),),
                     score=round(item.score, 4), agent="builtin")


def _at(mutation: Mutation, copy: cst.CSTNode) -> Mutation:
    """The mutation made at a copy of its node, in the copy's own parentheses."""
    replacement = mutation.replacement
    if isinstance(copy, cst.BaseExpression) and isinstance(replacement, cst.BaseExpression):
        replacement = replacement.with_changes(lpar=copy.lpar, rpar=copy.rpar)
    return dataclasses.replace(mutation, original=copy, replacement=replacement)


def on_top(first: _Scored, ranked: RankedMutations) -> Iterator[Candidate]:
    """`first` with a second edit: the same edit at another place in its function first (a
    value converted in one of two f-strings that both need it), then any in its own function,
    then anywhere, in ranked order (made only as far as the edits taken go)."""
    own = [item for item in ranked.in_function(first.path, first.function) if item is not first]
    own.sort(key=lambda item: item.mutation.description != first.mutation.description)  # stable
    own_ids = {id(item) for item in own}
    others = (item for item in ranked if item is not first and id(item) not in own_ids)
    seen: set[tuple[str, str]] = set()
    for second in itertools.chain(own, others):
        if second.path == first.path and _overlap(first.mutation, second.mutation):
            continue
        candidate = _paired(first, second, seen)
        if candidate is not None:
            yield candidate


def pair_edits(ranked: Iterable[_Scored]) -> Iterator[Candidate]:
    """Two edits inside one function, from its best single edits; tried only after every
    single edit, and only where the two edited nodes do not overlap."""
    pools: dict[tuple[str, str], list[_Scored]] = defaultdict(list)
    for item in ranked:
        pool = pools[(item.path, item.function)]
        if len(pool) < PAIR_POOL:
            pool.append(item)
    pairs = [
        (first, second)
        for pool in pools.values()
        for first, second in itertools.combinations(pool, 2)
        if not _overlap(first.mutation, second.mutation)
    ]
    pairs.sort(key=lambda pair: -pair[0].score * pair[1].score)
    seen: set[tuple[str, str]] = set()
    for first, second in pairs:
        candidate = _paired(first, second, seen)
        if candidate is not None:
            yield candidate


def _paired(first: _Scored, second: _Scored, seen: set[tuple[str, str]]) -> Candidate | None:
    """`first` then `second` (in one file, the second applied on top of the first) as one
    candidate; None when the result is no new program."""
    middle = first.splicer.apply((first.mutation,))
    if second.path == first.path:
        after = first.splicer.apply((first.mutation, second.mutation))
        if after.key == middle.key or not _is_new(seen, first.path, after):
            return None
        edits = (_edit(first, first.splicer.code, middle.code), _edit(second, middle.code, after.code))
    else:
        after = second.splicer.apply((second.mutation,))
        if not middle.key or not _is_new(seen, second.path, after):
            return None
        edits = (_edit(first, first.splicer.code, middle.code),
                 _edit(second, second.splicer.code, after.code))
    return Candidate(edits=edits, score=round(PAIR_DISCOUNT * first.score * second.score, 4),
                     agent="builtin")


def _overlap(first: Mutation, second: Mutation) -> bool:
    """True when one mutated node contains the other (then the second would undo the first)."""
    def contains(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        found = False

        class Finder(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                nonlocal found
                found = found or node is inner
                return not found

        outer.visit(Finder())
        return found

    return contains(first.original, second.original) or contains(second.original, first.original)


def _is_new(seen: set[tuple[str, str]], path: str, rendered: Rendered) -> bool:
    """False for a program that does not compile, is the unchanged one, or was already yielded."""
    if not rendered.key or (path, rendered.key) in seen:
        return False
    seen.add((path, rendered.key))
    return True


def _edit(item: _Scored, before: str, after: str) -> Edit:
    mutation = item.mutation
    return Edit(
        path=item.path, before=before, after=after, template=mutation.template,
        line=mutation.line, description=f"{item.path}:{mutation.line}: {mutation.description}",
        encoding=item.encoding,
    )


Analysed = tuple[ModuleAnalysis, Splicer, str]  # with the file's encoding


class Analyses:
    """Each file read, parsed and analysed at most once. Files named `ahead` are done in order on
    one thread of their own while the heal's first stages wait on test processes; a file asked
    for before that thread reached it is done at once by the caller. The worktree is not edited
    between the probe and the search, so what was read ahead is what the search would read."""

    def __init__(self) -> None:
        self._done: dict[Path, Future[Analysed | str]] = {}
        self._waiting: deque[tuple[Path, str, Future[Analysed | str]]] = deque()
        self._reading = False  # a thread is working through `_waiting`
        self._lock = threading.Lock()

    def ahead(self, root: Path, paths: Sequence[str]) -> None:
        """Start on `paths` (relative to `root`) in order, before those an earlier call named that
        are still waiting (a later call knows more); returns at once."""
        with self._lock:
            named = list(dict.fromkeys(paths))
            front = []
            for path in named:
                future = self._done.setdefault(root / path, Future())
                if not (future.running() or future.done()):
                    front.append((root, path, future))
            moved = {root / path for path in named}
            self._waiting = deque([*front, *(w for w in self._waiting if w[0] / w[1] not in moved)])
            if self._waiting and not self._reading:
                self._reading = True
                threading.Thread(target=self._read_ahead, name="selfheal-analyse", daemon=True).start()

    def get(self, root: Path, path: str) -> Analysed | str:
        """The analysis of `path` (relative to `root`), or why it cannot be mutated."""
        with self._lock:
            future = self._done.get(root / path)
            if future is None or future.cancel():  # not begun: done here rather than waited for
                future = self._done[root / path] = Future()
                _fill(root, path, future)
        return future.result()

    def _read_ahead(self) -> None:
        with _switching_often():
            while True:
                with self._lock:
                    if not self._waiting:
                        self._reading = False
                        return
                    root, path, future = self._waiting.popleft()
                _fill(root, path, future)


# While the read-ahead thread parses, the heal's own thread reads and writes sqlite (the probe's
# coverage, the history), which lets go of the GIL at every row: parsing held it for the whole
# switch interval each time it was let go, 5 ms a row, and 800 rows of history took 4 s, not 5 ms.
READ_AHEAD_SWITCH_SECONDS = 0.0005


class _SwitchingOften:
    """The interpreter's switch interval at READ_AHEAD_SWITCH_SECONDS while any thread reads
    ahead (one per heal, more in one process where heals overlap), as it was once none does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._before = 0.0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if not self._inside:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(self._before, READ_AHEAD_SWITCH_SECONDS))
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if not self._inside:
                    sys.setswitchinterval(self._before)


_switching_often = _SwitchingOften()


def _fill(root: Path, path: str, future: Future[Analysed | str]) -> None:
    if future.set_running_or_notify_cancel():
        try:
            future.set_result(_analyse(root, path))
        except BaseException as exc:  # handed to whoever asks for the file
            future.set_exception(exc)


def _analyse(root: Path, path: str) -> Analysed | str:
    """The analysis of `path` (relative to `root`), or why the file cannot be mutated."""
    try:
        source = read_source(root / path)
        module = parse_module(source.text)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    except UnreadableSource as exc:
        return str(exc)
    except cst.ParserSyntaxError as exc:
        return f"LibCST cannot parse it: {exc.message} (line {exc.raw_line})"
    return ModuleAnalysis.of(module), Splicer(module, path), source.encoding


def create(settings: Settings, argument: str) -> Agent:
    return BuiltinAgent()
