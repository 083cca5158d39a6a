"""How natural a patch reads against the project's own code: a token trigram model.

Code is repetitive within a project, and fixes tend to make it more so (Ray et al., "On the
'naturalness' of buggy code", ICSE 2016): among patches that pass the same tests, the one whose
changed lines a language model of the project finds less surprising is likelier the developer's.
The model is trained at heal time on the project's Python files (git's list; the patched files
and their neighbours first, up to MAX_CHARS, so a large project costs well under a second), with
Witten-Bell smoothing down to an add-one unigram, and is built only when a ranking asks for it.
"""

from __future__ import annotations

import io
import math
import time
import tokenize
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from ..git import git_output
from ..linediff import edited_lines
from ..models import Candidate
from ..source import UnreadableSource, read_source

ORDER = 3
MAX_CHARS = 400_000  # of source read into the model: about half a second of tokenizing
_START = "<s>"
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
Token = tuple[int, str]  # (line, normalized text)


def code_tokens(source: str) -> list[Token]:
    """The source's tokens with their lines, comments and layout-only newlines left out and
    every string literal one token: what is written, not what it says. Stops at a token the
    tokenizer cannot read and keeps what came before."""
    tokens: list[Token] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _SKIPPED:
                continue
            tokens.append((token.start[0], _normalized(token)))
    except (tokenize.TokenError, SyntaxError):
        pass
    return tokens


def _normalized(token: tokenize.TokenInfo) -> str:
    if token.type == tokenize.STRING or token.type in _FSTRING_PARTS:
        return "<str>"
    return {tokenize.NEWLINE: "<newline>", tokenize.INDENT: "<indent>",
            tokenize.DEDENT: "<dedent>"}.get(token.type, token.string)


_FSTRING_PARTS = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE",
                                                       "FSTRING_END") if hasattr(tokenize, name)}


class NgramModel:
    """Counts of token n-grams up to ORDER, and the smoothed probability of a token after its
    context."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        self._totals: Counter[tuple[str, ...]] = Counter()

    def train(self, tokens: Sequence[str]) -> None:
        padded = [_START] * (ORDER - 1) + list(tokens)
        for i in range(ORDER - 1, len(padded)):
            for n in range(ORDER):
                context = tuple(padded[i - n:i])
                self._counts[context][padded[i]] += 1
                self._totals[context] += 1

    def probability(self, token: str, context: Sequence[str]) -> float:
        """P(token | the last ORDER-1 tokens of context), Witten-Bell interpolated."""
        vocabulary = len(self._counts[()]) + 1  # +1: a token never seen
        p = (self._counts[()][token] + 1) / (self._totals[()] + vocabulary)
        history = tuple(context[len(context) - (ORDER - 1):])
        for n in range(1, ORDER):
            ctx = history[len(history) - n:]
            seen = self._counts.get(ctx)
            if not seen:
                break
            types = len(seen)
            p = (seen[token] + types * p) / (self._totals[ctx] + types)
        return p

    def surprisal(self, tokens: Sequence[str], start: int) -> list[float]:
        """Bits of each token from `start` on, each after the tokens before it."""
        padded = [_START] * (ORDER - 1) + list(tokens)
        offset = ORDER - 1
        return [-math.log2(self.probability(padded[i], padded[i - (ORDER - 1):i]))
                for i in range(offset + start, len(padded))]


class ProjectNaturalness:
    """The project's model, trained on first use; scores a candidate's changed lines."""

    def __init__(self, root: Path, files: Sequence[str] | None = None,
                 max_chars: int = MAX_CHARS, deadline: float = math.inf) -> None:
        self.root = root
        self.files = files  # relative to root; None: git's list of the project's Python files
        self.max_chars = max_chars
        self.deadline = deadline  # time.monotonic() after which no model is built or trained further
        self._model: NgramModel | None = None

    def bits_per_token(self, candidate: Candidate) -> float | None:
        """Mean surprisal, in bits, of the tokens on the lines the candidate changed (for a
        deletion, the line that now follows the gap); None when it changed no token, or when
        the time budget is spent before the model was built."""
        if self._model is None and time.monotonic() >= self.deadline:
            return None
        model = self._trained(candidate.paths)
        bits: list[float] = []
        for before, after in candidate.file_changes.values():
            tokens = code_tokens(after)
            lines = edited_lines(before, after)
            for i, (line, _) in enumerate(tokens):
                if line in lines:
                    bits += model.surprisal([t for _, t in tokens[max(0, i - ORDER + 1):i + 1]],
                                            min(i, ORDER - 1))
        return round(sum(bits) / len(bits), 3) if bits else None

    def _trained(self, first: Sequence[str]) -> NgramModel:
        """The model, trained on first use; training stops at the deadline, with what it read
        by then (the patched files come first)."""
        if self._model is None:
            self._model = NgramModel()
            files = _python_files(self.root) if self.files is None else list(self.files)
            for text in _sources(self.root, files or list(first), first, self.max_chars):
                self._model.train([t for _, t in code_tokens(text)])
                if time.monotonic() >= self.deadline:
                    break
        return self._model


def _python_files(root: Path) -> list[str]:
    """The Python files git tracks or would add (not the ones it ignores: no virtualenv)."""
    listed = git_output(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                        "--", "*.py")
    return [p for p in (listed or "").split("\0") if p]


def _sources(root: Path, paths: list[str], first: Sequence[str], max_chars: int) -> Iterable[str]:
    """The text of `paths`, `first` and the files beside them first, until max_chars (a file is
    read whole or not at all)."""
    near = {PurePosixPath(p).parent for p in first}
    paths = sorted(paths, key=lambda p: (p not in first, PurePosixPath(p).parent not in near, p))
    used = 0
    for path in paths:
        try:
            text = read_source(root / path).text
        except (OSError, UnreadableSource):
            continue
        if used + len(text) > max_chars and used:
            continue
        used += len(text)
        yield text
