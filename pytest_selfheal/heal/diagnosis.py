"""Why a search found no fix, in one sentence a user can act on, and what to try next.

The reasons are read from what the search did (its suspects and the verdict of every candidate),
in the order a person debugging would rule them out: nothing to edit, nothing tried, every edit
refused, edits that came close, and only then the budget or the templates' reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from ..models import Outcome, Suspect, Verdict

_NOT_JUDGED = (Verdict.REJECTED, Verdict.INVALID, Verdict.DUPLICATE)
_CLAUDE = "--selfheal-agent claude"


def why_not_found(suspects: Sequence[Suspect], outcomes: Sequence[Outcome], stop_reason: str,
                  targets: Sequence[str], agent: str) -> str:
    """"<why>; try <what>" for a search that ended without a plausible fix by `agent`."""
    other_agent = "a larger --selfheal-time-budget" if agent == "claude" else _CLAUDE
    judged = [o for o in outcomes if o.verdict not in _NOT_JUDGED]
    rejected = [o for o in outcomes if o.verdict is Verdict.REJECTED]
    if not suspects:
        return ("not localized: the failing tests ran no line outside test files that may be "
                "edited; check the selfheal_forbidden_paths and selfheal_allowed_paths options")
    if not outcomes:
        return (f"no candidate reached the suspect lines ({stop_reason}); the top suspect was "
                f"{_where(suspects[0])}; try {other_agent}")
    if not judged and rejected:
        rule, count = Counter(_rule(o) for o in rejected).most_common(1)[0]
        return (f"all {len(rejected)} candidates were rejected by the policy, most by "
                f"\"{rule}\" ({count}); try the policy options (selfheal_max_changed_lines, "
                "selfheal_max_files, selfheal_allowed_paths) if the fix needs more")
    if not judged:
        return (f"none of the {len(outcomes)} candidates compiled or was new ({stop_reason}); "
                f"try {other_agent}")
    breaking = [o for o in judged if o.verdict is Verdict.BREAKS_OTHERS
                and set(o.fixed) >= set(targets)]
    if breaking:
        return (f"{len(breaking)} candidate(s) made the failing tests pass but broke others "
                f"(first: {breaking[0].candidate.description}); try {other_agent}")
    best_partial = max(judged, key=lambda o: len(o.fixed))
    if best_partial.fixed:
        return (f"only partial fixes: the best made {len(best_partial.fixed)} of {len(targets)} "
                f"failing tests pass ({best_partial.candidate.description}); the rest may need a "
                f"second edit; try {other_agent}")
    reached = _deepest_rank(suspects, judged)
    if stop_reason in ("time budget spent", "candidate budget spent"):
        more = ("--selfheal-max-candidates" if stop_reason.startswith("candidate")
                else "--selfheal-time-budget")
        where = f", the last edits at suspect rank {reached} of {len(suspects)}" if reached else ""
        return f"{stop_reason} after {len(judged)} judged candidate(s){where}; try a larger {more}"
    where = f" at the {reached} most suspect line(s)" if reached else ""
    return (f"no candidate{where} made a failing test pass ({len(judged)} judged; {stop_reason}); "
            f"try {other_agent}")


def _rule(outcome: Outcome) -> str:
    """"policy: <rule>: <why>" -> "<rule>"."""
    return outcome.detail.removeprefix("policy: ").split(":", 1)[0]


def _where(suspect: Suspect) -> str:
    return f"{suspect.path}:{suspect.line}"


def _deepest_rank(suspects: Sequence[Suspect], judged: Sequence[Outcome]) -> int:
    """The lowest suspect rank (1 = most suspect) a judged candidate edited."""
    rank = {(s.path, s.line): index for index, s in enumerate(suspects, 1)}
    ranks = [rank[(e.path, e.line)] for o in judged for e in o.candidate.edits
             if (e.path, e.line) in rank]
    return max(ranks, default=0)


def reordered_parameters(missing: Sequence[str], seen: Collection[str]) -> str:
    """Why parametrized tests were not found again, when their function's other cases were:
    pytest numbers a parameter it cannot name (`expected6`) by its position, and a position that
    follows a set's iteration order can change in each process (string hashes are randomized per
    process; before Python 3.12, None hashes by its address). The sandbox finds such a test by
    its parameters' reprs (protocol.movable_cases) when a parametrize gives them as a set, so the
    tests missed are those it cannot: values that come some other way (a list made from a set),
    a repr that holds an address or a set, or cases with equal reprs. "" when no missing test has
    a sibling case among `seen`."""
    functions = {nodeid.rsplit("[", 1)[0] for nodeid in seen if nodeid.endswith("]")}
    moved = [n for n in missing if n.endswith("]") and n.rsplit("[", 1)[0] in functions]
    if not moved:
        return ""
    return (f"the parametrized ids of {moved[0]}{' and others' if len(moved) > 1 else ''} change "
            "from one pytest process to the next: pytest numbers parameters it cannot name by "
            "their position, and here the positions follow the order of a set, which can differ "
            "in each process (string hashes are randomized, and before Python 3.12 so is None's). "
            "The sandbox finds such a test by the reprs of its parameters when a parametrize "
            "gives them as a set, but not this one: they come some other way (a list made from a "
            "set), a repr holds a memory address (`<... at 0x...>`) or a set, whose order also "
            "changes, or another case has the same reprs. "
            "Give the parameters a fixed order (a list, or sorted(...) of the set), ids of their "
            "own (pytest.param(..., id=...)) or a __repr__ that shows their values, and the "
            "sandbox finds the same tests")
