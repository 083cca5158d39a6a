"""Secrets and terminal or CI commands never reach what a heal writes or shows: environment values
whose names say secret, detect-secrets' credential shapes wherever they appear (a failure message,
captured output, a recorded argument or value), and the escapes and `::` lines of test output."""

import json
from pathlib import Path

import pytest
from rich.console import Console

from pytest_selfheal.config import Settings
from pytest_selfheal.heal.regression import NoRegression, choose_witnesses
from pytest_selfheal.heal.request import HealRequest, HealResult
from pytest_selfheal.models import Candidate, Edit, Failure, Outcome, Verdict
from pytest_selfheal.output.decisions import DecisionLog
from pytest_selfheal.output.report import write_run
from pytest_selfheal.output.terminal import render
from pytest_selfheal.redaction import MASK, Redactor, inert
from pytest_selfheal.testproc.values import describe

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
NODEID = "tests/test_mask.py::test_mask_keeps_length"

# shape -> (the credential as it appears, the part that must never show)
SHAPES = {
    "aws-access-key-id": ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    "github-token": ("ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Solo5x", "R2d2C3poBb8Yoda1Luke2Leia3Han4Solo5x"),
    "gitlab-token": ("glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm", "Zx9Yw8Vu7Ts6Rq5Po4Nm"),
    "slack-token": ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                    "AbCdEfGhIjKlMnOpQrStUvWx"),
    "private-key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4UbaDzY5wZl1Vd9BPUmDXBq\n"
                    "W2mzmrM9Pr5pZ0jV3mpzT6Xw==\n-----END RSA PRIVATE KEY-----",
                    "MIIEowIBAAKCAQEAx4UbaDzY5wZl1Vd9BPUmDXBq"),
    "jwt": ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
            "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    "url-with-password": ("https://user:pass@host", "user:pass"),
}
NO_ENV = Redactor.from_environment({})


def masked(shape: str) -> str:
    """How a credential reads once hidden: a URL keeps its user and host."""
    return f"https://user:{MASK}@host" if shape == "url-with-password" else MASK


def request(tmp_path: Path, failure: Failure, env: dict[str, str] | None = None) -> HealRequest:
    return HealRequest(repo_root=tmp_path, rootdir=tmp_path, failures=(failure,),
                       outcomes={failure.nodeid: "failed"}, settings=Settings(),
                       make_agent=lambda name: pytest.fail("no agent is made"),
                       run_id="20260101-000000-000001",
                       redactor=Redactor.from_environment(env or {}))


def run_dir(tmp_path: Path) -> Path:
    path = tmp_path / ".selfheal" / "runs" / "20260101-000000-000001"
    path.mkdir(parents=True)
    return path


def everything_written(path: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(path.rglob("*")) if p.is_file())


def terminal(result: HealResult) -> str:
    console = Console(record=True, width=300, force_terminal=False)
    render(result, console)
    return console.export_text()


def not_healed(tmp_path: Path, failure: Failure, env: dict[str, str] | None = None) -> HealResult:
    return HealResult("not-healed", "no plausible fix found", request(tmp_path, failure, env),
                      run_dir=run_dir(tmp_path), targets=(failure.nodeid,), agent="builtin")


def test_variables_whose_names_say_secret_are_hidden_in_every_form_the_others_are_not():
    env = {"AWS_SECRET_ACCESS_KEY": AWS_SECRET, "GITHUB_TOKEN": "gh-token-123",
           "DB_PASSWORD": "pa55word!", "SMTP_PASS": "hunter22", "MY_AUTH": "auth-value-1",
           "HOME": "/home/me", "API_KEY_FLAG": "1", "GIT_AUTHOR_NAME": "Jane Doe",
           "PATH": "/usr/bin:/bin", "PWD": "/home/me/project"}
    redactor = Redactor.from_environment(env, extra=("sk-ant-xyz-123",))
    hidden = redactor.hide_tree({"a": ["gh-token-123 and pa55word!", {"b": "sk-ant-xyz-123"}],
                                 "home": "/home/me", "n": 1, "flag": "1", "auth-value-1": None})
    assert hidden == {"a": [f"{MASK} and {MASK}", {"b": MASK}], "home": "/home/me", "n": 1,
                      "flag": "1", MASK: None}
    assert redactor.hide("Jane Doe ran /usr/bin:/bin in /home/me/project with hunter22") == \
        f"Jane Doe ran /usr/bin:/bin in /home/me/project with {MASK}"
    # as it is, in a repr (a backslash doubled), in JSON, URL-encoded
    tricky = Redactor.from_environment({"SERVICE_TOKEN": "to\\ken/with'quote"})
    for form in ("to\\ken/with'quote", repr("to\\ken/with'quote"), json.dumps("to\\ken/with'quote"),
                 "to%5Cken%2Fwith%27quote"):
        assert "ken" not in tricky.hide(f"sent {form}!"), form
    assert AWS_SECRET not in repr(redactor) and AWS_SECRET not in repr(Redactor((AWS_SECRET,)))


def test_a_run_of_ten_characters_of_a_secret_is_hidden_wherever_it_shows():
    redactor = Redactor.from_environment({"AWS_SECRET_ACCESS_KEY": AWS_SECRET})
    # a slice a buggy function returned, pytest's truncated repr, a message normalized around it
    assert redactor.hide("got 'XUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'") == f"got '{MASK}'"
    assert redactor.hide("len('wJalrXUtnF...EXAMPLEKEY')") == f"len('{MASK}...{MASK}')"
    assert redactor.hide("mask('wJalrXUtnFEMI<path>')") == f"mask('{MASK}<path>')"
    assert redactor.hide("shown: ****************KEY") == "shown: ****************KEY"
    assert redactor.holds_secret(["XUtnFEMI/K7MDEN"]) and not redactor.holds_secret(["XUtnFEMI/"])


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_credential_shape_is_found_without_any_environment(shape):
    credential, part = SHAPES[shape]
    for text in (f"got {credential} here", repr(f"got {credential}\n"), json.dumps(credential)):
        hidden = NO_ENV.hide(text)
        assert part not in hidden and MASK in hidden, (text, hidden)
    assert NO_ENV.holds_secret({"nested": [credential]})


def test_a_url_keeps_its_user_and_host_and_a_sentence_its_last_word():
    assert NO_ENV.hide("clone https://deploy:s3cretPassw0rd@git.example.com/repo.git") == \
        f"clone https://deploy:{MASK}@git.example.com/repo.git"
    assert NO_ENV.hide(f"token {SHAPES['github-token'][0]}. Next") == f"token {MASK}. Next"


def test_ordinary_code_and_test_output_are_left_as_they_are():
    ordinary = ("def total(items):\n    return sum(i.price for i in items)  # 3f2a9c1e\n"
                "AssertionError: assert 36 == 40\n +  where 36 = len('abc')\n"
                "password = get_password(user)\ntoken = os.environ['GITHUB_TOKEN']\n"
                "connected to 93.184.216.34:443 at 2026-01-01T00:00:00Z, id 550e8400-e29b-41d4-"
                "a716-446655440000\nhttps://example.com/a:b@c is not a password\n")
    assert NO_ENV.hide(ordinary) == ordinary
    assert not NO_ENV.holds_secret(ordinary)


def test_texts_scanned_together_are_masked_each_on_its_own():
    redactor = Redactor.from_environment({"DEPLOY_TOKEN": "tok-123456"})
    key_header = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Ub"  # cut off, no END line
    texts = {"a": key_header, "b": "next text", "c": ["tok-123456", "AKIAIOSFODNN7EXAMPLE x"],
             ("not", "json"): Path("/srv/tok-123456"), "d": 1.5, "e": None, "f": "tok-123456"}
    assert redactor.hide_tree(texts) == {"a": MASK, "b": "next text", "c": [MASK, f"{MASK} x"],
                                         "('not', 'json')": f"/srv/{MASK}", "d": 1.5, "e": None,
                                         "f": MASK}
    # a line of its own is a line of its own once joined to others (detect-secrets' `^`, `$`)
    assert redactor.hide_tree(["x", "y AKIAIOSFODNN7EXAMPLE"]) == ["x", f"y {MASK}"]
    long_text = "hidden once: tok-123456 " + "x" * 300
    assert redactor.hide(long_text) == redactor.hide(redactor.hide(long_text)) == \
        f"hidden once: {MASK} " + "x" * 300


def test_a_jwt_that_does_not_decode_is_not_one():
    assert NO_ENV.hide("eyJnotajwt.eyJreally") == "eyJnotajwt.eyJreally"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_credential_in_a_failure_message_is_in_nothing_written_or_shown(shape, tmp_path):
    credential, part = SHAPES[shape]
    failure = Failure(NODEID, "call", "AssertionError", f"assert mask({credential!r}) == 'x'\nfull: "
                      f"{credential}")
    result = not_healed(tmp_path, failure)
    write_run(result)
    assert result.run_dir is not None
    written = everything_written(result.run_dir)
    assert part not in written and MASK in written
    assert part not in terminal(result)
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["failures"][0]["message"].endswith(f"\nfull: {masked(shape)}")


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_credential_in_captured_output_is_in_nothing_written(shape, tmp_path):
    credential, part = SHAPES[shape]
    failure = Failure(NODEID, "call", "AssertionError", "assert 1 == 2",
                      output=f"Captured stdout call\nconnecting with {credential}\ndone\n")
    result = not_healed(tmp_path, failure)
    write_run(result)
    assert result.run_dir is not None
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["failures"][0]["output"] == f"Captured stdout call\nconnecting with {masked(shape)}\ndone\n"
    assert part not in everything_written(result.run_dir)


def call(value_in: object, returns: object, receiver: object = None) -> dict[str, object]:
    """One recorded call of `mask(text)` as recorder.py writes it."""
    return {"test": NODEID, "callers": [],
            "args": [{"name": "text", "kind": "positional", "value": describe(value_in), "default": False}],
            "outcome": {"returns": describe(returns)},
            **({"receiver": describe(receiver)} if receiver is not None else {})}


TARGET = {"ref": {"module": "secrets_util", "name": "mask"}, "binding": "function", "name": "mask"}


def witnesses_of(calls_fixed: list[dict[str, object]], calls_original: list[dict[str, object]],
                 redactor: Redactor = NO_ENV) -> list[str]:
    chosen = choose_witnesses({"target": TARGET, "calls": calls_fixed},
                              {"target": TARGET, "calls": calls_original}, "mask", redactor)
    return [json.dumps([w.receiver, list(w.args), w.outcome]) for w in chosen]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_call_with_a_credential_in_an_argument_is_no_witness_another_one_is(shape):
    credential, part = SHAPES[shape]
    fixed = [call(credential, "*" * len(credential)), call("abcdefgh", "********")]
    original = [call(credential, "*" * 4), call("abcdefgh", "****")]
    chosen = witnesses_of(fixed, original)
    assert len(chosen) == 1 and "abcdefgh" in chosen[0] and part not in chosen[0]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_call_with_a_credential_in_a_recorded_value_is_no_witness(shape):
    credential, _ = SHAPES[shape]
    in_outcome = [call("abcdefgh", credential)], [call("abcdefgh", "****")]
    in_receiver = [call("abcdefgh", "x", receiver=[credential])], [call("abcdefgh", "y", receiver=[credential])]
    for fixed, original in (in_outcome, in_receiver):
        with pytest.raises(NoRegression, match=r"every witness \(1 call\(s\) of mask whose outcome "
                                               r"the fix changed\) held a secret"):
            witnesses_of(fixed, original)


def test_an_environment_secret_in_the_witness_is_skipped_too():
    redactor = Redactor.from_environment({"AWS_SECRET_ACCESS_KEY": AWS_SECRET})
    fixed, original = [call(AWS_SECRET, "*" * 40)], [call(AWS_SECRET, "*" * 36)]
    assert witnesses_of(fixed, original, NO_ENV)  # a plain string of 40 characters: no shape
    with pytest.raises(NoRegression, match="held a secret"):
        witnesses_of(fixed, original, redactor)


def test_a_patch_that_holds_a_secret_is_shown_redacted_and_never_written(tmp_path):
    before = "def key():\n    return ''\n"
    after = f"def key():\n    return {SHAPES['github-token'][0]!r}\n"
    edit = Edit(path="pkg/keys.py", before=before, after=after, description="return the key")
    fix = Outcome(Candidate((edit,)), Verdict.PLAUSIBLE, 0.1, fixed=(NODEID,))
    diff = (b"diff --git a/pkg/keys.py b/pkg/keys.py\n--- a/pkg/keys.py\n+++ b/pkg/keys.py\n"
            b"@@ -1,2 +1,2 @@\n def key():\n-    return ''\n+    return '"
            + SHAPES["github-token"][0].encode() + b"'\n")
    failure = Failure(NODEID, "call", "AssertionError", "assert '' == 'x'")
    result = HealResult("healed", "plausible fix", request(tmp_path, failure),
                        run_dir=run_dir(tmp_path), targets=(NODEID,), outcomes=(fix,), fix=fix,
                        diff=diff, agent="builtin")
    write_run(result)
    assert result.run_dir is not None
    assert not (result.run_dir / "fix.diff").exists()
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["fix"]["diff"] is None and "the patch itself holds a secret" in report["fix"]["withheld"]
    markdown = (result.run_dir / "report.md").read_text()
    assert f"+    return '{MASK}'" in markdown and "the patch itself holds a secret" in markdown
    assert "git apply" not in markdown
    shown = terminal(result)
    assert "the patch itself holds a secret" in shown and "apply:" not in shown
    assert SHAPES["github-token"][1] not in shown + everything_written(result.run_dir)


def test_the_decision_log_is_cleaned_as_it_is_written(tmp_path):
    log = DecisionLog(tmp_path, Redactor.from_environment({"DEPLOY_TOKEN": "tok-123456"}))
    log.record("error", error=f"failed with tok-123456 and {SHAPES['slack-token'][0]}\x1b[31m",
               where=Path("/x/tok-123456"))
    line = (tmp_path / "decisions.jsonl").read_text()
    entry = json.loads(line)
    assert entry["error"] == f"failed with {MASK} and {MASK}" and entry["where"] == f"/x/{MASK}"


def test_inert_text_carries_no_escape_and_no_workflow_command():
    output = ("\x1b[31mred\x1b[0m \x1b]0;title\x07\x9b2Jplain\ttab\r\n"
              "::set-output name=x::y\n  ::error::boom\n::add-mask::secret\n"
              "ok ::not-at-start::\nrun ##[set-env name=A;]b\n")
    assert inert(output) == ("red plain\ttab\n"
                             "%3A%3Aset-output name=x::y\n  %3A%3Aerror::boom\n%3A%3Aadd-mask::secret\n"
                             "ok ::not-at-start::\nrun ##%5Bset-env name=A;]b\n")


def test_escapes_and_workflow_commands_from_a_test_reach_neither_report_md_nor_the_terminal(tmp_path):
    message = "\x1b[31mboom\x1b[0m\n::set-output name=x::y\n::error::injected"
    failure = Failure(f"{NODEID}", "call", "::error::Injected", message,
                      output="\x1b[1m::warning::from stdout\n")
    result = not_healed(tmp_path, failure)
    write_run(result)
    assert result.run_dir is not None
    for text in ((result.run_dir / "report.md").read_text(), terminal(result),
                 json.dumps(json.loads((result.run_dir / "report.json").read_text()),
                            ensure_ascii=False)):
        assert "\x1b" not in text
        assert not any(line.lstrip().startswith("::") for line in text.splitlines()), text


def test_the_memo_of_hidden_texts_is_bounded_and_what_it_forgot_is_hidden_again(monkeypatch):
    monkeypatch.setattr("pytest_selfheal.redaction.MEMO_CHARACTERS", 2_000)
    redactor = Redactor((AWS_SECRET,))
    texts = [f"request {n} signed with {AWS_SECRET} " + "." * 300 for n in range(40)]
    hidden = [redactor.hide(text) for text in texts]
    assert all(AWS_SECRET not in text and MASK in text for text in hidden)
    memo = redactor._hidden
    assert 0 < memo.characters <= 2_000 and len(memo) < len(texts)
    assert hidden[-1] in memo and hidden[0] not in memo  # the oldest were forgotten
    assert [redactor.hide(text) for text in texts] == hidden
