"""The project's token trigram model: what it reads, how it smooths, what it scores."""

import math

from pytest_selfheal.heal.naturalness import (
    NgramModel,
    ProjectNaturalness,
    code_tokens,
)
from pytest_selfheal.models import Candidate, Edit


def test_tokens_leave_out_comments_and_blank_lines_and_fold_string_literals():
    tokens = code_tokens('x = "a"  # note\n\nif x:\n    y = \'b\' + x\n')
    assert tokens == [(1, "x"), (1, "="), (1, "<str>"), (1, "<newline>"), (3, "if"), (3, "x"),
                      (3, ":"), (3, "<newline>"), (4, "<indent>"), (4, "y"), (4, "="),
                      (4, "<str>"), (4, "+"), (4, "x"), (4, "<newline>"), (5, "<dedent>")]


def words(text: str) -> list[str]:
    return text.split()


def test_a_file_the_tokenizer_cannot_finish_keeps_the_tokens_before():
    assert [t for _, t in code_tokens("a = (1,\n")][:4] == ["a", "=", "(", "1"]


def test_probabilities_after_a_context_sum_to_one_over_the_vocabulary_and_the_unknown():
    model = NgramModel()
    model.train(words("if a < b : return a <newline> if a < c : return c"))
    vocabulary = set(words("if a < b : return c <newline>"))
    for context in (["if", "a"], ["a", "<"], ["zzz", "a"], []):
        total = sum(model.probability(t, context) for t in vocabulary) + model.probability(
            "never-seen", context)
        assert math.isclose(total, 1.0, rel_tol=1e-9), context


def test_what_the_project_writes_often_is_less_surprising():
    model = NgramModel()
    for _ in range(3):
        model.train(words("if due < today : count += 1 <newline>"))
    usual = model.surprisal(words("if due < today"), 3)
    unusual = model.surprisal(words("if due > today"), 3)
    assert len(usual) == len(unusual) == 1  # the tokens from `start` on
    assert usual[0] < unusual[0]




def candidate(before: str, after: str) -> Candidate:
    return Candidate(edits=(Edit(path="pkg/late.py", before=before, after=after, description=""),))


def test_the_patch_that_reads_like_the_project_scores_fewer_bits(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "dates.py").write_text(
        "def late(invoice, today):\n    return invoice.due < today\n\n\n"
        "def due_soon(invoice, today):\n    return invoice.due < today + WEEK\n")
    buggy = "def overdue(invoice, today):\n    return invoice.due - today\n"
    (tmp_path / "pkg" / "late.py").write_text(buggy)
    naturalness = ProjectNaturalness(tmp_path, files=["pkg/dates.py", "pkg/late.py"])
    like_the_project = naturalness.bits_per_token(candidate(buggy, buggy.replace("-", "<")))
    unlike = naturalness.bits_per_token(candidate(buggy, buggy.replace("-", ">=")))
    assert like_the_project is not None and unlike is not None
    assert like_the_project < unlike


def test_a_patch_that_changes_no_token_is_not_scored(tmp_path):
    source = "x = 1\n"
    (tmp_path / "m.py").write_text(source)
    assert ProjectNaturalness(tmp_path, files=["m.py"]).bits_per_token(
        candidate(source, source)) is None


def test_the_model_reads_the_patched_files_first_and_stops_at_its_size(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "late.py").write_text("def overdue(a, b):\n    return a < b\n")
    (tmp_path / "zzz.py").write_text("zebra_only_here = 1\n" * 50)
    small = ProjectNaturalness(tmp_path, files=["zzz.py", "pkg/late.py"], max_chars=60)
    whole = ProjectNaturalness(tmp_path, files=["zzz.py", "pkg/late.py"])
    text = "def overdue(a, b):\n    return a < b\n"
    patch = candidate(text, text + "zebra_only_here = 1\n")
    assert small.bits_per_token(patch) is not None and whole.bits_per_token(patch) is not None
    assert whole.bits_per_token(patch) < small.bits_per_token(patch)  # type: ignore[operator]


def test_no_model_is_built_once_the_time_budget_is_spent(tmp_path):
    source = "x = 1\n"
    (tmp_path / "m.py").write_text(source)
    spent = ProjectNaturalness(tmp_path, files=["m.py"], deadline=0.0)
    assert spent.bits_per_token(candidate(source, "x = 2\n")) is None


def test_training_stops_at_the_deadline_with_the_patched_files_read(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    text = "def overdue(a, b):\n    return a < b\n"
    (tmp_path / "pkg" / "late.py").write_text(text)
    (tmp_path / "zzz.py").write_text("zebra_only_here = 1\n" * 50)
    clock = iter([0.0, 10.0])  # asked before the model is built, then after the first file
    monkeypatch.setattr("pytest_selfheal.heal.naturalness.time.monotonic", lambda: next(clock, 10.0))
    cut = ProjectNaturalness(tmp_path, files=["zzz.py", "pkg/late.py"], deadline=5.0)
    patch = candidate(text, text + "zebra_only_here = 1\n")
    cut_bits = cut.bits_per_token(patch)
    whole = ProjectNaturalness(tmp_path, files=["zzz.py", "pkg/late.py"])
    assert cut_bits is not None and whole.bits_per_token(patch) < cut_bits  # type: ignore[operator]
