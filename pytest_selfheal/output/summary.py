"""The job summary: report.md, cut to fit GitHub's 1 MiB limit for a step's summary, with a
pointer to the artifact that holds the whole report."""

from __future__ import annotations

from pathlib import Path

MAX_SUMMARY_BYTES = 1024 * 1024
FENCE = "```"


def job_summary(report_md: str, run_dir_name: str, artifact: str | None = None,
                limit: int = MAX_SUMMARY_BYTES) -> str:
    """`report_md` as it fits in `limit` bytes of UTF-8; when it does not, its start, a code
    block it cuts through closed, and where the whole report is (in `artifact`, when the
    workflow's upload is known)."""
    if len(report_md.encode("utf-8")) <= limit:
        return report_md
    note = (f"\n\n**The report is longer than a job summary may be; it was cut here.** The whole "
            f"report is `{run_dir_name}/report.md` in "
            + (f"the `{artifact}` artifact of this run.\n" if artifact else "the run directory.\n"))
    room = limit - len(note.encode("utf-8")) - len(FENCE) - 1
    kept = report_md.encode("utf-8")[:room].decode("utf-8", "ignore")
    kept = kept[:kept.rfind("\n") + 1] if "\n" in kept else kept  # whole lines only
    if sum(line.startswith(FENCE) for line in kept.splitlines()) % 2:
        kept += FENCE + "\n"
    return kept + note


def write_job_summary(path: Path, text: str) -> None:
    """Appended, as GitHub expects every step's writers to do."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
