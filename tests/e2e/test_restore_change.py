"""A regression whose fix no template can write: the change replaced a constant with another
(`"latin-1"` -> `"utf-8"`), and the builtin agent puts the changed line back as the base of the
change had it. Two bases: HEAD, under the user's uncommitted edit, and the last green commit,
once the change is committed. The module has CRLF line endings, which the fix keeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

PYPROJECT = """\
[project]
name = "wire"
version = "1.0"

[tool.pytest.ini_options]
addopts = ["--strict-config", "--strict-markers"]
filterwarnings = ["error"]
testpaths = ["wire"]
"""

CODEC = '''\
"""The wire format's text: latin-1, one byte per character."""


def to_bytes(text):
    """`text` as the wire carries it."""
    return text.encode("latin-1")


def to_text(data):
    """The text of bytes read from the wire."""
    return data.decode("latin-1")
'''

TESTS = '''\
from wire.codec import to_bytes, to_text


def test_an_accented_letter_is_one_byte():
    assert to_bytes("caf\\u00e9") == b"caf\\xe9"


def test_ascii_is_unchanged():
    assert to_bytes("tea") == b"tea"


def test_bytes_read_back_as_the_text_written():
    assert to_text(to_bytes("na\\u00efve")) == "na\\u00efve"
'''

FIXED = 'return text.encode("latin-1")'
BROKEN = 'return text.encode("utf-8")'


def wire_project(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "wire").mkdir()
    (root / "wire/__init__.py").write_text("", encoding="utf-8")
    (root / "wire/codec.py").write_bytes(CODEC.replace("\n", "\r\n").encode())
    (root / "wire/tests").mkdir()
    (root / "wire/tests/__init__.py").write_text("", encoding="utf-8")
    (root / "wire/tests/test_codec.py").write_text(TESTS, encoding="utf-8")
    return init_repo(root)


def committed(repo: Path, message: str, files: dict[str, str]) -> None:
    """`files` (path in the repository -> text) written and committed together."""
    for rel, text in files.items():
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def break_codec(repo: Path) -> None:
    path = repo / "wire/codec.py"
    path.write_bytes(path.read_bytes().replace(FIXED.encode(), BROKEN.encode()))


def assert_healed_by_putting_back(repo: Path, base: str) -> dict[str, Any]:
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    diff = (latest_run_dir(repo) / "fix.diff").read_bytes()
    assert f"+    {FIXED}\r\n".encode() in diff and f"-    {BROKEN}\r\n".encode() in diff
    fix = report["candidates"][report["fix"]["candidate"]]
    assert fix["edits"][0]["template"] == "restore-change"
    assert fix["description"].endswith(f"`{BROKEN}` -> `{FIXED}` as {base} had it")
    return report


def test_an_uncommitted_edit_that_broke_the_tests_is_put_back(tmp_path):
    repo = wire_project(tmp_path / "repo")
    break_codec(repo)
    git(repo, "update-index", "-q", "--refresh")
    before = fingerprint(repo)

    healing = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")

    assert healing.returncode == 1, healing.stdout[-2000:]
    assert_healed_by_putting_back(repo, "HEAD")
    assert fingerprint(repo) == before, "the user's checkout is untouched"
    git(repo, "apply", str(latest_run_dir(repo) / "fix.diff"))
    text = (repo / "wire/codec.py").read_bytes()
    assert FIXED.encode() in text and text.count(b"\n") == text.count(b"\r\n")


def test_a_committed_change_is_put_back_as_the_last_green_commit_had_it(tmp_path):
    """A user with a heal history (green runs are recorded into one only once it exists)."""
    repo = wire_project(tmp_path / "repo")
    break_codec(repo)
    assert run_pytest(repo, "--selfheal", "--selfheal-agent=builtin").returncode == 1
    git(repo, "checkout", "wire/codec.py")
    green = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")
    assert green.returncode == 0, green.stdout[-2000:]
    last_green = git(repo, "rev-parse", "HEAD").strip()
    break_codec(repo)
    git(repo, "commit", "-qam", "Write UTF-8")
    (repo / "NOTES.txt").write_text("an unrelated commit after the change\n", encoding="utf-8")
    git(repo, "add", "NOTES.txt")
    git(repo, "commit", "-qm", "Notes")

    healing = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")

    assert healing.returncode == 1, healing.stdout[-2000:]
    report = assert_healed_by_putting_back(repo, f"the last green commit {last_green[:12]}")
    decisions = [json.loads(line) for line in
                 (latest_run_dir(repo) / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    first = next(d for d in decisions if d["kind"] == "candidate")
    assert first["edits"][0]["template"] == "restore-change", "tried before any template"
    assert report["fix"]["ranking"]["restored"] == 1
    # judged by one clean run of the suite, stopped at its first failure; not screened first
    before_it = decisions[:decisions.index(first)]
    assert [d["kind"] for d in before_it if d["kind"] in ("near", "gate")] == ["gate"]
    assert next(d for d in before_it if d["kind"] == "gate")["stopped_at_first_failure"] is True


SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNING = f'''\
import hashlib
import hmac
import os

KEY = "{SECRET}"


def sign(message):
    return hmac.new(KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:8]
'''
SIGNING_TEST = '''\
from wire.signing import sign


def test_a_known_signature():
    assert sign("hello") == "{expected}"
'''


def test_a_change_that_took_a_credential_out_is_not_put_back_into_anything_written(tmp_path):
    """The environment holds the credential the change took out of the code: putting the line
    back passes the tests, and is still never written or shown."""
    import hashlib
    import hmac

    repo = wire_project(tmp_path / "repo")
    expected = hmac.new(SECRET.encode(), b"hello", hashlib.sha256).hexdigest()[:8]
    committed(repo, "Signing", {"wire/signing.py": SIGNING,
                                "wire/tests/test_signing.py": SIGNING_TEST.format(expected=expected)})
    (repo / "wire/signing.py").write_text(
        SIGNING.replace(f'"{SECRET}"', 'os.environ.get("WIRE_KEY", "")'), encoding="utf-8")

    healing = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin", "--tb=no", "-rN",
                         env={"AWS_SECRET_ACCESS_KEY": SECRET})

    assert healing.returncode == 1
    assert SECRET[:10] not in healing.stdout + healing.stderr
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    fix = report["candidates"][report["fix"]["candidate"]]
    assert fix["edits"][0]["template"] == "restore-change"
    assert "the patch itself holds a secret" in json.dumps(report)
    for path in (repo / ".selfheal").rglob("*"):
        if path.is_file():
            assert SECRET[:10] not in path.read_bytes().decode("utf-8", "replace"), path
    assert not (latest_run_dir(repo) / "fix.diff").exists()


LABELS = '''\
def is_ace(label):
    """Whether `label` is an ASCII-compatible label: hyphens in its third and fourth places."""
    return label[2:4] == "--"
'''
LABELS_TEST = '''\
from wire.labels import is_ace


def test_an_ace_label():
    label = "xn--bcher-kva"
    assert label[2:4] == "--"
    assert is_ace(label)


def test_a_plain_label():
    assert not is_ace("books")
'''


def test_a_comparison_put_back_is_not_taken_for_special_casing_the_tests_input(tmp_path):
    """The failing test slices [2:4] too; a patch that brings 2 and 4 into a comparison would
    special-case its input, but the base compared against them before the change did."""
    repo = wire_project(tmp_path / "repo")
    committed(repo, "Labels", {"wire/labels.py": LABELS, "wire/tests/test_labels.py": LABELS_TEST})
    (repo / "wire/labels.py").write_text(LABELS.replace("[2:4]", "[1:3]"), encoding="utf-8")

    healing = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")

    assert healing.returncode == 1, healing.stdout[-2000:]
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert '+    return label[2:4] == "--"' in (latest_run_dir(repo) / "fix.diff").read_text()


SETTINGS = '''\
"""What the wire carries unless told otherwise."""

ENCODING = "latin-1"
ERRORS = "strict"
'''
CODEC_WITH_SETTINGS = '''\
from wire import settings


def to_bytes(text):
    return text.encode(settings.ENCODING, settings.ERRORS)


def to_text(data):
    return data.decode(settings.ENCODING, settings.ERRORS)
'''


def test_a_committed_constant_in_a_module_no_test_ran_a_line_of_is_put_back(tmp_path):
    """The changed line ran only when the module was imported: no test's coverage holds a line
    of settings.py, so no suspect is there, and no template writes "latin-1"."""
    repo = wire_project(tmp_path / "repo")
    committed(repo, "Settings", {"wire/settings.py": SETTINGS, "wire/codec.py": CODEC_WITH_SETTINGS})
    committed(repo, "Default to UTF-8", {"wire/settings.py": SETTINGS.replace('"latin-1"', '"utf-8"')})

    healing = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin")

    assert healing.returncode == 1, healing.stdout[-2000:]
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert all(s["path"] != "wire/settings.py" for s in report["suspects"])
    fix = report["candidates"][report["fix"]["candidate"]]
    assert fix["description"] == ('wire/settings.py:3: `ENCODING = "utf-8"` -> '
                                  '`ENCODING = "latin-1"` as HEAD~1 had it')
