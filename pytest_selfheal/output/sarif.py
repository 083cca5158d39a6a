"""report.sarif: the run's failures as SARIF 2.1.0, for code scanning and other SARIF readers.

One result per failure, located at its top suspect (or its innermost project frame), with the
traceback as related locations and as a code flow; the fix, when the failure is one it fixes, as
a SARIF `fix` whose replacements are fix.diff's hunks as whole lines. Built from report.json's
data as write_run cleaned it, so it holds what report.json holds and no more; the fix's text is
fix.diff's, which is only there when it holds no secret.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__
from .line_changes import LineChange, line_changes
from .rundir import REPORT_SARIF

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "selfheal/test-failure"
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://github.com/pytest-selfheal/pytest-selfheal"


def write_sarif(run_dir: Path, report: dict[str, Any], diff: str) -> None:
    """report.sarif in the run directory when the run has a failure; `report` is report.json's
    cleaned data and `diff` fix.diff's text."""
    if report.get("failures"):
        text = json.dumps(sarif_log(report, diff), indent=2) + "\n"
        (run_dir / REPORT_SARIF).write_text(text, encoding="utf-8")


def sarif_log(report: dict[str, Any], diff: str) -> dict[str, Any]:
    fix = report.get("fix") or {}
    changes = line_changes(diff) if fix.get("diff") else ()
    fixed = set(fix.get("fixed", ()))
    triage = {item.get("nodeid"): item for item in (report.get("triage") or {}).get("failures", ())}
    sarif_fix = _fix(report, changes)
    results = [_result(failure, report.get("suspects", ()), triage.get(failure.get("nodeid")),
                       sarif_fix if failure.get("nodeid") in fixed else None)
               for failure in report.get("failures", ())]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pytest-selfheal", "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [{
                    "id": RULE_ID, "name": "TestFailure",
                    "shortDescription": {"text": "A test fails"},
                    "fullDescription": {"text": "A test of the suite failed; the location is where "
                                        "the fault most likely is."},
                    "defaultConfiguration": {"level": "error"},
                }],
            }},
            "automationDetails": {"id": f"pytest-selfheal/{report.get('run_id', '')}"},
            "results": results,
        }],
    }


def primary_location(failure: dict[str, Any], suspects: Any) -> tuple[str, int]:
    """Where a failure is shown: the best-ranked suspect in a file its traceback passes through
    outside the test's own file, else its innermost frame there, else the best suspect (an
    assertion in the test names no code), else its innermost project frame, else its test file."""
    test_file = str(failure.get("nodeid", "")).split("::", 1)[0]
    frames = [f for f in failure.get("frames") or () if is_project_path(str(f.get("path", "")))]
    code = [f for f in frames if not _same_file(str(f["path"]), test_file)]
    paths = {frame.get("path") for frame in code}
    for suspect in suspects:
        if suspect.get("path") in paths:
            return str(suspect["path"]), int(suspect.get("line") or 1)
    if code:
        return str(code[-1]["path"]), int(code[-1].get("line") or 1)
    if suspects:
        return str(suspects[0]["path"]), int(suspects[0].get("line") or 1)
    if frames:
        return str(frames[-1]["path"]), int(frames[-1].get("line") or 1)
    return test_file, 1


def _same_file(frame_path: str, test_file: str) -> bool:
    """A frame's path is relative to the repository, a node id's to the rootdir (maybe below it)."""
    return frame_path == test_file or frame_path.endswith("/" + test_file)


def is_project_path(path: str) -> bool:
    """A frame's path inside the repository: frames are written relative to it when they are."""
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts \
        and "site-packages" not in pure.parts


def failure_text(failure: dict[str, Any]) -> str:
    """`nodeid failed: Type: message`, the message's first line."""
    message = str(failure.get("message", "")).strip().splitlines()
    return f"{failure.get('nodeid')} failed: {failure.get('exc_type')}" + \
        (f": {message[0]}" if message else "")


def _result(failure: dict[str, Any], suspects: Any, triage: dict[str, Any] | None,
            fix: dict[str, Any] | None) -> dict[str, Any]:
    path, line = primary_location(failure, suspects)
    frames = failure.get("frames") or ()
    frame_locations = [
        {"id": index, **_location(str(frame.get("path")), int(frame.get("line") or 1),
                                  f"{frame.get('function')} (frame {index + 1} of {len(frames)})")}
        for index, frame in enumerate(frames)
    ]
    result: dict[str, Any] = {
        "ruleId": RULE_ID,
        "level": "error",
        "message": {"text": failure_text(failure)},
        "locations": [_location(path, line)],
        "properties": {"nodeid": failure.get("nodeid"), "phase": failure.get("phase"),
                       "exception": failure.get("exc_type"), "message": failure.get("message"),
                       **({"triage": {key: triage.get(key) for key in
                                      ("kind", "history", "causal_link", "confidence")}}
                          if triage else {})},
    }
    if frame_locations:
        result["relatedLocations"] = frame_locations
        result["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {key: value for key, value in location.items() if key != "id"}}
            for location in frame_locations
        ]}]}]
    if fix:
        result["fixes"] = [fix]
    return result


def _location(path: str, line: int, message: str | None = None) -> dict[str, Any]:
    artifact = ({"uri": Path(path).as_uri()} if PurePosixPath(path).is_absolute()
                else {"uri": path, "uriBaseId": SRCROOT})
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact,
                                                     "region": {"startLine": max(1, line)}}}
    if message:
        location["message"] = {"text": message}
    return location


def _fix(report: dict[str, Any], changes: tuple[LineChange, ...]) -> dict[str, Any] | None:
    """The fix's changes to existing lines; None when it has none (it only adds files)."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        if change.old and change.new:
            by_path.setdefault(change.path, []).append({
                "deletedRegion": {"startLine": change.start, "endLine": change.end},
                "insertedContent": {"text": "\n".join(change.new)},
            })
    if not by_path:
        return None
    return {
        "description": {"text": _fix_description(report)},
        "artifactChanges": [{"artifactLocation": {"uri": path, "uriBaseId": SRCROOT},
                             "replacements": replacements}
                            for path, replacements in by_path.items()],
    }


def _fix_description(report: dict[str, Any]) -> str:
    description = fix_description(report)
    fixed = len((report.get("fix") or {}).get("fixed", ()))
    return (f"{description} " if description else "") + \
        f"(validated: makes {fixed} failing test(s) pass and breaks no test that passed)"


def fix_description(report: dict[str, Any]) -> str:
    """What the fix's candidate says it changes ("" without a fix)."""
    fix = report.get("fix") or {}
    candidates = report.get("candidates") or []
    index = fix.get("candidate")
    if isinstance(index, int) and 0 <= index < len(candidates):
        return str(candidates[index].get("description", ""))
    return ""
