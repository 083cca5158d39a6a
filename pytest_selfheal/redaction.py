"""What a heal writes or shows holds no secret, and no terminal escape or CI command from test output.

One Redactor is built per heal (HealRequest.redactor): the values of the user's environment
variables whose names mark them secret, plus the credential shapes of detect-secrets'
regex plugins (AWS keys, GitHub, GitLab and Slack tokens, private-key blocks, JWTs, URLs with a
password, ...; its entropy and keyword heuristics are not used: they flag ordinary code). Every
writer passes its text through `clean` (report.json, report.md, decisions.jsonl, the terminal
section); the claude agent passes what it sends through `hide`. A patch or a regression test is
never redacted (it would not apply, or not fail before the fix): `holds_secret` decides instead
whether it may be written at all.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
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
# detect-secrets' regex plugins left out: a public IP address is no credential, and the
# assignment heuristics (`cloudant_password = "..."`) flag ordinary code as the keyword plugin
# does, at two thirds of the scanning time.
LEFT_OUT_PLUGINS = frozenset({"IPPublicDetector", "CloudantDetector", "IbmCloudIamDetector",
                              "IbmCosHmacDetector", "SoftlayerDetector"})
MIN_SECRET_GROUP = 4  # shorter, or at the start of the match, a plugin's group is a prefix ("ghp")

# A token goes on while its characters do (a JWT's signature after the part the plugin matches).
_TOKEN_TAIL = re.compile(r"(?<=[\w\-+/=.])(?:[\w\-+/=]|\.(?=[\w\-]))*")
# A private key is the whole block: through its END line when there is one, else its base64 body.
_KEY_BLOCK = re.compile(r"[\s\S]{0,8192}?-----END[A-Z0-9 ]*-----|(?:[A-Za-z0-9+/=-]+|\r?\n|\\[rn])*")

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


@dataclass(frozen=True)
class Redactor:
    """The secrets of one heal: exact values, and detect-secrets' credential shapes."""

    values: tuple[str, ...] = field(repr=False)
    _exact: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _fragments: dict[str, list[tuple[str, int]]] = field(init=False, repr=False, compare=False)
    _fragment_pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

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
        object.__setattr__(self, "_fragment_pattern", re.compile(
            "|".join(map(re.escape, sorted(fragments)))) if fragments else None)

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
        if self._exact is not None:
            text = self._exact.sub(MASK, text)
        for start, end in reversed(_merged(self._fragment_spans(text) + _shape_spans(text))):
            text = text[:start] + MASK + text[end:]
        return text

    def _fragment_spans(self, text: str) -> list[tuple[int, int]]:
        """Each run of text that a secret holds, from a fragment of it out to where they differ."""
        if self._fragment_pattern is None:
            return []
        spans = []
        for match in self._fragment_pattern.finditer(text):
            for value, offset in self._fragments[match.group()]:
                start, end, first = match.start(), match.end(), offset
                while start > 0 and first > 0 and text[start - 1] == value[first - 1]:
                    start, first = start - 1, first - 1
                while end < len(text) and first + end - start < len(value) and \
                        text[end] == value[first + end - start]:
                    end += 1
                spans.append((start, end))
        return spans

    def clean(self, text: str) -> str:
        """`text` as it may be written or shown: no secret, no escape, no workflow command."""
        return inert(self.hide(text))

    def hide_tree(self, value: Any) -> Any:
        """A JSON-like structure (keys too) with its strings hidden."""
        return _map_strings(value, self.hide)

    def clean_tree(self, value: Any) -> Any:
        """A JSON-like structure with its strings cleaned; other objects become their cleaned
        `str`, as `json.dumps(default=str)` would write them."""
        return _map_strings(value, self.clean)

    def holds_secret(self, value: Any) -> bool:
        """Whether a string, or any string in a JSON-like structure, holds a secret or a run of
        MIN_FRAGMENT characters of one."""
        return any(self.hide(text) != text for text in _strings(value))

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


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {_map_strings(k, change): _map_strings(v, change) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_map_strings(v, change) for v in value]
    return change(str(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


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
    return tuple(_Shape(pattern, plugin, isinstance(plugin, PrivateKeyDetector))
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
