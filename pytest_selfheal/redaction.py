"""What a heal writes or shows holds no secret, and no terminal escape or CI command from test output.

One Redactor is built per heal (HealRequest.redactor), and one per runtime Recorder: the values
of the user's environment variables whose names mark them secret, plus the credential shapes of
detect-secrets' regex plugins (AWS keys, GitHub, GitLab and Slack tokens, private-key blocks,
JWTs, URLs with a password, ...; its entropy and keyword heuristics are not used: they flag
ordinary code). Every writer passes its text through `clean` (report.json, report.md,
decisions.jsonl, the terminal section); the claude agent passes what it sends through `hide`. A
patch or a regression test is never redacted (it would not apply, or not fail before the fix):
`holds_secret` decides instead whether it may be written at all.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector

MASK = "[REDACTED]"
SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|COOKIE|(?:^|_)(?:PASS|AUTH|DSN|PAT)(?:_|$)",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 6  # shorter values ("1", "true", "debug") would mask ordinary words
MIN_FRAGMENT = 10  # characters of a secret in a row that are hidden wherever they show
MEMO_LENGTH = 200  # a redacted text this long is remembered, and not scanned again
# The remembered texts' characters at most: a heal's worst case (183 failures at the session's
# output limits) stays under it; a program that records incidents for months forgets and starts over.
MEMO_CHARACTERS = 4_000_000
# Texts scanned together are joined with this: no secret or credential shape runs over a line
# break and a NUL (a private-key block stops at the NUL; its patterns see each line start).
SEPARATOR = "\n\x00\n"
# detect-secrets' regex plugins left out: a public IP address is no credential, and the
# assignment heuristics (`cloudant_password = "..."`) flag ordinary code as the keyword plugin
# does, at two thirds of the scanning time.
LEFT_OUT_PLUGINS = frozenset({"IPPublicDetector", "CloudantDetector", "IbmCloudIamDetector",
                              "IbmCosHmacDetector", "SoftlayerDetector"})
MIN_SECRET_GROUP = 4  # shorter, or at the start of the match, a plugin's group is a prefix ("ghp")

# A token goes on while its characters do (a JWT's signature after the part the plugin matches).
_TOKEN_TAIL = re.compile(r"(?<=[\w\-+/=.])(?:[\w\-+/=]|\.(?=[\w\-]))*")
# A private key is the whole block: through its END line when there is one, else its base64 body.
_KEY_BLOCK = re.compile(r"[^\x00]{0,8192}?-----END[A-Z0-9 ]*-----|(?:[A-Za-z0-9+/=-]+|\r?\n|\\[rn])*")

# Terminal escapes (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes, 8-bit CSI) and every
# other control character but tab and newline.
_TERMINAL_CONTROL = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"
    "|\x1b[PX^_][^\x1b]*(?:\x1b\\\\)?"
    "|\x1b[ -/]*[0-~]?"
    "|\x9b[0-?]*[ -/]*[@-~]"
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
# GitHub Actions runs a line of a job's output as a workflow command when it starts with `::`
# after leading whitespace (`::error::`, `::add-mask::`, `::stop-commands::`), or holds the
# legacy `##[`. Written percent-encoded as GitHub escapes command text, they are only text.
_WORKFLOW_COMMAND = re.compile(r"^([^\S\n]*)::", re.MULTILINE)
_LEGACY_COMMAND = "##["


def inert(text: str) -> str:
    """`text` from tests as it may be shown or written: terminal escapes and control characters
    removed, workflow commands escaped (`::error::x` -> `%3A%3Aerror::x`)."""
    text = _TERMINAL_CONTROL.sub("", text)
    text = _WORKFLOW_COMMAND.sub(r"\1%3A%3A", text)
    return text.replace(_LEGACY_COMMAND, "##%5B")


class _Memo:
    """Texts already hidden, which hiding again would not change, up to MEMO_CHARACTERS
    characters: past that it starts again empty. One redactor serves every thread of the program
    the runtime hook records (and the heal's threads): adding is locked, looking up needs no lock
    (a set's membership test is atomic)."""

    def __init__(self) -> None:
        self._texts: set[str] = set()
        self._characters = 0
        self._lock = threading.Lock()

    def __contains__(self, text: str) -> bool:
        return text in self._texts

    def __len__(self) -> int:
        return len(self._texts)

    @property
    def characters(self) -> int:
        return self._characters

    def add(self, texts: Iterable[str]) -> None:
        new = [text for text in texts if text not in self._texts and len(text) <= MEMO_CHARACTERS]
        if not new:  # most scans: nothing long, or only what is remembered; no lock taken
            return
        with self._lock:
            for text in new:
                if text in self._texts:  # another thread added it meanwhile
                    continue
                if self._characters + len(text) > MEMO_CHARACTERS:
                    self._texts.clear()
                    self._characters = 0
                self._texts.add(text)
                self._characters += len(text)


@dataclass(frozen=True)
class Redactor:
    """The secrets of one heal, or of one running program: exact values, and detect-secrets'
    credential shapes."""

    values: tuple[str, ...] = field(repr=False)
    _exact: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    # each run of MIN_FRAGMENT characters of a secret -> (the secret, where the run starts in it)
    _fragments: dict[str, list[tuple[str, int]]] = field(init=False, repr=False, compare=False)
    # long texts this redactor returned: the report writes again what the heal hid as it began
    _hidden: _Memo = field(init=False, repr=False, compare=False, default_factory=_Memo)

    def __post_init__(self) -> None:
        # longest first, so that no part of a longer secret is left beside the mask
        forms = sorted({form for value in self.values for form in _forms(value)}, key=len,
                       reverse=True)
        object.__setattr__(self, "_exact", re.compile("|".join(map(re.escape, forms)))
                           if forms else None)
        fragments: dict[str, list[tuple[str, int]]] = {}
        for value in self.values:
            for offset in range(len(value) - MIN_FRAGMENT + 1):
                fragments.setdefault(value[offset:offset + MIN_FRAGMENT], []).append((value, offset))
        object.__setattr__(self, "_fragments", fragments)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ,
                         extra: tuple[str, ...] = ()) -> Redactor:
        """The values of `env`'s variables whose names say secret (`*_KEY`, `*_TOKEN`,
        `*PASSWORD*`, ...), and `extra`."""
        values = [v for k, v in env.items() if SECRET_NAME.search(k)] + list(extra)
        return cls(tuple(sorted({v for v in values if len(v) >= MIN_SECRET_LENGTH})))

    def hide(self, text: str) -> str:
        """`text` with every secret, and every run of MIN_FRAGMENT or more characters of one
        (a slice shown by an assertion, a message normalized around it), replaced by MASK."""
        return self._hide_all([text])[0]

    def clean(self, text: str) -> str:
        """`text` as it may be written or shown: no secret, no escape, no workflow command."""
        return inert(self.hide(text))

    def hide_tree(self, value: Any) -> Any:
        """A JSON-like structure (keys too) with its strings hidden; other objects become their
        `str`, as `json.dumps(default=str)` would write them."""
        texts = list(_strings(value))
        hidden = dict(zip(texts, self._hide_all(texts), strict=True))
        return _map_strings(value, hidden.__getitem__)

    def clean_tree(self, value: Any) -> Any:
        """A JSON-like structure with its strings cleaned (see hide_tree)."""
        texts = list(_strings(value))
        cleaned = {text: inert(hidden) for text, hidden in
                   zip(texts, self._hide_all(texts), strict=True)}
        return _map_strings(value, cleaned.__getitem__)

    def holds_secret(self, value: Any) -> bool:
        """Whether a string, or any string in a JSON-like structure, holds a secret or a run of
        MIN_FRAGMENT characters of one."""
        texts = list(_strings(value))
        return self._hide_all(texts) != texts

    def _hide_all(self, texts: list[str]) -> list[str]:
        """`texts` hidden, scanned at once: most are short (ids, paths, verdicts), and each scan
        costs the same few dozen searches however short its text."""
        todo = [text for text in dict.fromkeys(texts) if text not in self._hidden]
        joined = SEPARATOR.join(todo)
        spans = _merged(self._exact_spans(joined) + self._fragment_spans(joined)
                        + _shape_spans(joined))
        done = dict(zip(todo, _masked_parts(joined, todo, spans), strict=True))
        self._hidden.add(text for text in done.values() if len(text) >= MEMO_LENGTH)
        return [done.get(text, text) for text in texts]

    def _exact_spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self._exact.finditer(text)] if self._exact else []

    def _fragment_spans(self, text: str) -> list[tuple[int, int]]:
        """Each run of text that a secret holds, from a fragment of it out to where they differ."""
        spans = []
        for fragment, places in self._fragments.items():
            found = text.find(fragment)  # a substring search is many times faster than a regex
            while found >= 0:
                for value, offset in places:
                    start, end, first = found, found + MIN_FRAGMENT, offset
                    while start > 0 and first > 0 and text[start - 1] == value[first - 1]:
                        start, first = start - 1, first - 1
                    while end < len(text) and first + end - start < len(value) and \
                            text[end] == value[first + end - start]:
                        end += 1
                    spans.append((start, end))
                found = text.find(fragment, found + 1)
        return spans

    def patch_refusal(self, diff: bytes) -> str | None:
        """Why the patch must not be written, applied or committed, or None when it may be:
        redacted, it would not apply."""
        if not diff or not self.holds_secret(diff.decode("utf-8", "surrogateescape")):
            return None
        return ("fix.diff was not written and the fix was not applied or committed: the patch "
                "itself holds a secret (an environment variable's value or a credential), and "
                "with it redacted it would not apply. Review the redacted diff and make the "
                "change by hand")


def _forms(value: str) -> set[str]:
    """How a value appears in text: as it is, inside a repr, in JSON, URL-encoded."""
    return {value, repr(value)[1:-1], json.dumps(value)[1:-1], quote(value, safe="")}


def _masked_parts(joined: str, parts: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """Each of the `parts` SEPARATOR joined, with the (merged, ordered) spans of `joined` masked;
    a span that runs over a separator masks what it covers of each part."""
    masked, start, first = [], 0, 0
    for part in parts:
        end = start + len(part)
        while first < len(spans) and spans[first][1] <= start:
            first += 1
        pieces, at = [], start
        for span_start, span_end in spans[first:]:
            if span_start >= end:
                break
            pieces += [joined[at:max(span_start, start)], MASK]
            at = min(span_end, end)
        masked.append("".join([*pieces, joined[at:end]]))
        start = end + len(SEPARATOR)
    return masked


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {_map_strings(_key(k), change): _map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_map_strings(v, change) for v in value]
    return change(str(value))


def _key(key: Any) -> Any:
    """A mapping's key as JSON may hold it."""
    return key if key is None or isinstance(key, str | bool | int | float) else str(key)


def _strings(value: Any) -> Iterator[str]:
    """The texts _map_strings changes, in its order."""
    if isinstance(value, str):
        yield value
    elif value is None or isinstance(value, bool | int | float):
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(_key(key))
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


@dataclass(frozen=True)
class _Shape:
    """One regex of a detect-secrets plugin."""

    pattern: re.Pattern[str]
    plugin: RegexBasedDetector
    is_key_block: bool

    def confirms(self, match: str) -> bool:
        """The plugin's own verdict on what its regex matched (a JWT's parts must decode)."""
        return any(self.plugin.analyze_string(match))


@functools.cache
def _shapes() -> tuple[_Shape, ...]:
    """The plugins' regexes. Imported on first use: detect-secrets and `requests`, which its
    plugins import, take a third of a second."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    plugins = [plugin_class() for plugin_class in classes
               if issubclass(plugin_class, RegexBasedDetector)
               and plugin_class.__name__ not in LEFT_OUT_PLUGINS]
    # MULTILINE: `^` and `$` hold at each line, so at each text of a joined scan too
    return tuple(_Shape(re.compile(pattern.pattern, pattern.flags | re.MULTILINE), plugin,
                        isinstance(plugin, PrivateKeyDetector))
                 for plugin in plugins for pattern in plugin.denylist)


def _shape_spans(text: str) -> list[tuple[int, int]]:
    """Where credential shapes are in `text`: the secret part of each match (the plugin's group,
    or the whole match when the group is only a prefix), through the end of its token."""
    spans: list[tuple[int, int]] = []
    for shape in _shapes():
        for match in shape.pattern.finditer(text):
            if not shape.confirms(match.group(0)):
                continue
            start, end = _secret_part(match)
            if shape.is_key_block:
                while start > 0 and text[start - 1] == "-":  # the `-----` before BEGIN
                    start -= 1
            spans.append((start, _end_of(_KEY_BLOCK if shape.is_key_block else _TOKEN_TAIL,
                                         text, end)))
    return spans


def _secret_part(match: re.Match[str]) -> tuple[int, int]:
    for group in range(1, match.re.groups + 1):
        start, end = match.span(group)
        if start > match.start() and end - start >= MIN_SECRET_GROUP:
            return start, end
    return match.span()


def _end_of(rest: re.Pattern[str], text: str, position: int) -> int:
    """Where `rest`, which may match nothing, ends from `position`."""
    found = rest.match(text, position)
    return found.end() if found else position


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans as one, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
