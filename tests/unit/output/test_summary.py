"""The job summary: report.md whole when it fits in 1 MiB, else cut on a line, its open code
block closed, with a pointer to the artifact."""

from pytest_selfheal.output.summary import MAX_SUMMARY_BYTES, job_summary, write_job_summary


def test_a_report_that_fits_is_the_summary_unchanged():
    text = "## pytest-selfheal: healed\n\n```diff\n-a\n+b\n```\n"
    assert job_summary(text, "run1", "selfheal-runs") == text


def test_a_long_report_is_cut_under_the_limit_and_points_at_the_artifact():
    text = "## pytest-selfheal\n\n```diff\n" + "+é line of the diff\n" * 80_000 + "```\n"
    assert len(text.encode("utf-8")) > MAX_SUMMARY_BYTES
    summary = job_summary(text, "20260101-000000-000001", "selfheal-runs")
    assert len(summary.encode("utf-8")) <= MAX_SUMMARY_BYTES
    assert summary.startswith("## pytest-selfheal\n\n```diff\n+é line")
    body, note = summary.split("\n\n**The report is longer", 1)
    assert body.endswith("+é line of the diff\n```\n")  # whole lines, and the code block closed
    assert "`20260101-000000-000001/report.md` in the `selfheal-runs` artifact" in note


def test_the_summary_is_appended_to_what_other_steps_wrote(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("# earlier step\n", encoding="utf-8")
    write_job_summary(path, "## pytest-selfheal")
    assert path.read_text(encoding="utf-8") == "# earlier step\n## pytest-selfheal\n"
