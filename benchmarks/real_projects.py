"""Real projects from the package registry, healed as their users would run them.

The matrix (benchmarks/real_projects.toml) pins each project's version, the test dependencies a
user installs, the configuration features it covers, and single-site bugs on lines its suite
executes. For each project: the plain suite (median of --runs), a green `pytest --selfheal` with a
history present (ratio to plain), then per bug: the bug committed on top of the release (a
regression of a known change, which the builtin agent first puts back; --bug-in-release amends
it into the release commit instead, so that no change is known and the templates alone repair),
`pytest --selfheal --selfheal-agent=builtin`, and from its run directory: the user's failures,
whether the sandbox's probe failed exactly those tests and when each stage was done
(decisions.jsonl), the status, whether fix.diff restores the released code (correct: the same
program as the released text, by _equivalence.py's rules) or only makes the suite pass
(plausible), time-to-green and the whole heal against the plain suite time.

    python benchmarks/real_projects.py setup [PROJECT ...]      # download, unpack, git, venv
    python benchmarks/real_projects.py run [--runs 3] [--bugs-only] [--bug-in-release] [--jsonl F]
                                           [--plugin DIR] [PROJECT ...]
    python benchmarks/real_projects.py check [PROJECT ...]      # each bug fails the suite
    python benchmarks/real_projects.py table [--jsonl FILE]
    python benchmarks/real_projects.py green --against DIR [--runs 9] [--plugin DIR] [PROJECT ...]
                                           # green runs only: plain, --plugin, --against, rotated
    python benchmarks/real_projects.py own [--runs 9] [--plugin DIR] [PROJECT ...]
                                           # a green run's own time: the plugin's code, timed inside
    python benchmarks/real_projects.py coverage                 # which project covers which config

Projects live in --cache (default /tmp/realprojects): checkouts/NAME is a git repository of the
sdist (or of a tagged source tree from a local mirror, for a project whose sdist ships no
tests), venvs/NAME a virtualenv with the system's packages plus the project installed editable
and its test dependencies. Runs use the venv's interpreter with this checkout first on
PYTHONPATH, so the plugin under test is the one here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import ROOT, environment
from _equivalence import normalized
from _regression_share import regression_outcome, share_lines

MATRIX = Path(__file__).with_name("real_projects.toml")
RESULTS = ROOT / "benchmarks" / "results" / "real_projects.jsonl"
plugin_root = ROOT  # the pytest-selfheal checkout the runs import (--plugin: compare another)
bug_in_release = False  # --bug-in-release: each bug amended into the release, no base to put back
# what a user's .gitignore would hold; written to .git/info/exclude so the checkout is the sdist
IGNORED = ("__pycache__/", "*.egg-info/", "build/", ".selfheal/", ".hypothesis/", ".coverage*",
           "htmlcov/", ".pytest_cache/", "*.so", "coverage.xml")
GIT = ("git", "-c", "user.name=bench", "-c", "user.email=bench@selfheal.invalid")


@dataclass(frozen=True)
class Bug:
    file: str
    old: str
    new: str
    kind: str


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    features: tuple[str, ...]
    bugs: tuple[Bug, ...]
    deps: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()  # what the project's own tox/CI passes (deselections for this box)
    mirror: str = ""  # owner/name@commit of a tagged source tree, when the sdist has no tests
    editable: bool = True

    def checkout(self, cache: Path) -> Path:
        return cache / "checkouts" / self.name

    def python(self, cache: Path) -> Path:
        return cache / "venvs" / self.name / "bin" / "python"


def load(path: Path = MATRIX) -> list[Project]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Project(name=name, version=spec["version"], features=tuple(spec["features"]),
                    bugs=tuple(Bug(**bug) for bug in spec.get("bugs", ())), deps=tuple(spec.get("deps", ())),
                    env=dict(spec.get("env", {})), args=tuple(spec.get("args", ())),
                    mirror=spec.get("mirror", ""), editable=spec.get("editable", True))
            for name, spec in data["project"].items()]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


# -- setup -----------------------------------------------------------------------------------

def unpack(project: Project, cache: Path, dest: Path) -> None:
    if project.mirror:
        repo, commit = project.mirror.split("@")
        mirror = Path(os.environ.get("SELFHEAL_MIRRORS", "/work/.mirror")) / repo.replace("/", "+")
        archive = subprocess.run(["git", f"--git-dir={mirror / 'repo'}", "archive", commit],
                                 check=True, capture_output=True).stdout
        dest.mkdir(parents=True)
        subprocess.run(["tar", "x"], cwd=dest, input=archive, check=True)
        return
    sdists = cache / "sdists"
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                    project.name, f"{project.name}=={project.version}", "-d", str(sdists)], check=True)
    norm = project.name.replace("-", "_").replace(".", "_").lower()
    sdist = next(p for p in sdists.glob("*.tar.gz")
                 if p.name.lower().replace("-", "_").replace(".", "_")
                 .startswith(f"{norm}_{project.version.replace('.', '_')}"))
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        tar.extractall(dest.parent, filter="data")
    (dest.parent / top).rename(dest)


def setup(project: Project, cache: Path) -> None:
    """The project's release as a committed git repository, and a venv that runs its tests."""
    checkout = project.checkout(cache)
    if not (checkout / ".git").exists():
        shutil.rmtree(checkout, ignore_errors=True)
        checkout.parent.mkdir(parents=True, exist_ok=True)
        unpack(project, cache, checkout)
        subprocess.run([*GIT, "init", "-q"], cwd=checkout, check=True)
        (checkout / ".git" / "info" / "exclude").write_text("\n".join(IGNORED) + "\n")
        git(checkout, "add", "-A")
        git(checkout, "commit", "-q", "-m", f"{project.name} {project.version}")
        git(checkout, "tag", RELEASE_TAG)
    python = project.python(cache)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                        str(python.parent.parent)], check=True)
        install = ["-e", str(checkout)] if project.editable else []
        subprocess.run([str(python), "-m", "pip", "install", "-q", *install, *project.deps],
                       check=True)
    print(f"{project.name}: ready at {checkout}")



# -- runs ------------------------------------------------------------------------------------

def child_env(project: Project) -> dict[str, str]:
    """The user's shell: this checkout's plugin first on PYTHONPATH, the project's own variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "VIRTUAL_ENV")}
    return env | {"PYTHONPATH": str(plugin_root)} | project.env


@dataclass(frozen=True)
class Ran:
    """One `python -m pytest` command: wall seconds, exit code, output's tail, the peak
    resident memory of its largest process (pytest itself, or a test process it started), and
    the CPU seconds of it and its processes (user and system: what other work on a shared
    machine sways less than wall time)."""

    seconds: float
    code: int
    output: str
    peak_mib: float
    cpu_seconds: float


def pytest(project: Project, cache: Path, *args: str, timeout: float = 900,
           env: dict[str, str] | None = None) -> Ran:
    """`python -m pytest` in the checkout, as a user types it (`env`: variables to add)."""
    started = time.perf_counter()
    with subprocess.Popen([str(project.python(cache)), "-m", "pytest", *project.args, *args],
                          cwd=project.checkout(cache), env=child_env(project) | (env or {}),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        output: dict[int, bytes] = {}
        readers = [threading.Thread(target=lambda i=i, s=s: output.__setitem__(i, s.read()))
                   for i, s in enumerate((proc.stdout, proc.stderr))]
        for reader in readers:
            reader.start()
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        # wait4, not wait: its usage holds the largest RSS among the process and the
        # descendants it waited for (the sandbox's test processes)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join()
    text = [output.get(i, b"").decode("utf-8", "replace") for i in (0, 1)]
    return Ran(seconds, proc.returncode, text[0][-3000:] + text[1][-2000:],
               round(usage.ru_maxrss / 1024, 1), usage.ru_utime + usage.ru_stime)


RELEASE_TAG = "release"


def release_commit(project: Project, checkout: Path) -> str:
    """The release's commit. A run killed during a heal leaves its bug committed (amended into
    the release, with --bug-in-release), so HEAD is taken for the release only once, when its
    message says it is, and tagged."""
    tagged = subprocess.run([*GIT, "rev-parse", "-q", "--verify", f"refs/tags/{RELEASE_TAG}^{{commit}}"],
                            cwd=checkout, capture_output=True, text=True)
    if tagged.returncode == 0:
        return tagged.stdout.strip()
    if git(checkout, "log", "-1", "--format=%s").strip() != f"{project.name} {project.version}":
        raise SystemExit(f"{checkout}: HEAD is not the release and no `{RELEASE_TAG}` tag says which "
                         f"commit is; delete the checkout and run setup {project.name} again")
    git(checkout, "tag", RELEASE_TAG)
    return git(checkout, "rev-parse", "HEAD").strip()


def seed_history(project: Project, cache: Path, base: str) -> None:
    """A history as daily use has one, for the green runs to record themselves in (a green run
    writes nothing where no run failed before): the first bug healed, then the release put back
    with `.selfheal/` kept."""
    checkout = project.checkout(cache)
    restore(checkout, base)
    inject(checkout, project.bugs[0])
    pytest(project, cache, "--selfheal", "--selfheal-agent=builtin")
    git(checkout, "reset", "-q", "--hard", base)
    if not (checkout / ".selfheal" / "history.db").is_file():
        raise SystemExit(f"{project.name}: the heal of its first bug left no history")


def restore(checkout: Path, base: str) -> None:
    git(checkout, "reset", "-q", "--hard", base)
    shutil.rmtree(checkout / ".selfheal", ignore_errors=True)


def inject(checkout: Path, bug: Bug) -> None:
    path = checkout / bug.file
    text = path.read_text(encoding="utf-8")
    if text.count(bug.old) != 1:
        raise SystemExit(f"{bug.file}: {bug.old!r} occurs {text.count(bug.old)} times, not once")
    path.write_text(text.replace(bug.old, bug.new), encoding="utf-8")
    git(checkout, "commit", "-q", "-a", *(("--amend",) if bug_in_release else ()),
        "-m", f"change {bug.file}")


def decisions(run_dir: Path) -> list[dict[str, Any]]:
    """The heal's decisions.jsonl, read once for what the row takes from it; empty when absent."""
    log = run_dir / "decisions.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _first(records: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((record for record in records if record["kind"] == kind), None)


def probe_failures(records: list[dict[str, Any]]) -> set[str] | None:
    """The tests the sandbox's probe saw fail, or None when no probe ran."""
    probe = _first(records, "probe")
    if probe is None:
        return None
    return {test for test, outcome in probe["outcomes"].items() if outcome in ("failed", "error")}


def failed_run_peak_mib(records: list[dict[str, Any]]) -> float | None:
    """The most memory one process of the user's failing run held, as the session measured it
    (the start's record), before the heal's own preparation; None when not measured."""
    start = _first(records, "start")
    if start is None:
        return None
    return float(start["suite_peak_mib"]) or None


def stage_times(records: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds from the heal's start at which each stage was done: the probe (and how long its
    test run took), triage, localization, the first candidate judged, the first whole-suite gate
    (and its own run)."""
    at: dict[str, float] = {}
    for kind in ("probe", "triage", "suspects", "candidate", "gate"):
        record = _first(records, kind)
        if record is not None:
            at[f"{kind}_at"] = record["t"]
            if kind in ("probe", "gate"):
                at[f"{kind}_seconds"] = record["seconds"]
    return at


def restores_release(checkout: Path, run_dir: Path, bug: Bug, original: str) -> bool:
    """fix.diff applied to the buggy tree gives back the released program of the bug's file: its
    text, or the same program spelled another way (`_equivalence.normalized`)."""
    diff = run_dir / "fix.diff"
    if not diff.exists():
        return False
    scratch = Path(tempfile.mkdtemp(prefix="real-projects-"))
    try:
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(scratch / "tree")],
                       cwd=checkout, check=True, capture_output=True)
        applied = subprocess.run(["git", "apply", str(diff)], cwd=scratch / "tree", capture_output=True)
        fixed = (scratch / "tree" / bug.file).read_text(encoding="utf-8")
        return applied.returncode == 0 and (fixed == original or normalized(fixed) == normalized(original))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(scratch / "tree")], cwd=checkout,
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


def heal_bug(project: Project, cache: Path, bug: Bug, base: str, plain: float,
             plain_mib: float) -> dict[str, object]:
    checkout = project.checkout(cache)
    original = (checkout / bug.file).read_text(encoding="utf-8")
    inject(checkout, bug)
    try:
        ran = pytest(project, cache, "--selfheal", "--selfheal-agent=builtin")
        seconds, code, output = ran.seconds, ran.code, ran.output
        reports = sorted((checkout / ".selfheal" / "runs").glob("*/report.json"))
        row: dict[str, object] = {"bug": f"{bug.file}: {bug.old.strip()} -> {bug.new.strip()}",
                                  "bug_commit": "in the release" if bug_in_release else "over the release",
                                  "plugin": str(plugin_root),
                                  "family": bug.kind, "exit_code": code, "command_seconds": round(seconds, 2),
                                  "peak_mib": ran.peak_mib, "peak_ratio": round(ran.peak_mib / plain_mib, 2)}
        if not reports:
            return row | {"status": "no heal", "user_failures": 0, "output": output[-1500:]}
        report = json.loads(reports[-1].read_text(encoding="utf-8"))
        kept = cache / "runs" / project.name / reports[-1].parent.name  # restore() removes .selfheal
        shutil.copytree(reports[-1].parent, kept, dirs_exist_ok=True)
        user = {f["nodeid"] for f in report["failures"]}
        records = decisions(reports[-1].parent)
        probed = probe_failures(records)
        totals = report["totals"]
        green = totals.get("seconds_to_green")
        # the user's run that failed, to its session's end: the command's time less the heal's
        # (with the bug it can take longer than the plain run: hypothesis searches and shrinks)
        failed_run = round(seconds - totals["seconds"], 2) if totals.get("seconds") else None
        failed_peak = failed_run_peak_mib(records)
        regression, regression_reason = regression_outcome(report)
        return row | {
            "user_failures": len(user),
            "reproduced": probed == user,
            "probe_only": sorted((probed or set()) - user)[:5],
            "probe_missed": sorted(user - (probed or set()))[:5],
            "status": report["status"],
            "reason": report["reason"][:400],
            "healed": report["status"] == "healed",
            "correct": report["status"] == "healed" and restores_release(checkout, reports[-1].parent,
                                                                          bug, original),
            "seconds_to_green": green,
            "heal_seconds": totals.get("seconds"),
            "green_ratio": round(green / plain, 2) if green else None,
            "failed_run_seconds": failed_run,
            "green_to_failed_run": round(green / failed_run, 2) if green and failed_run else None,
            "peak_to_failed_run": round(ran.peak_mib / failed_peak, 2) if failed_peak else None,
            "heal_ratio": round(totals["seconds"] / plain, 2) if totals.get("seconds") else None,
            "command_ratio": round(seconds / plain, 2),
            "stages": stage_times(records),
            "regression": regression if report["status"] == "healed" else "",
            "regression_reason": regression_reason[:600],
        }
    finally:
        restore(checkout, base)


def measure(project: Project, cache: Path, runs: int, sink: Path, bugs_only: bool = False) -> None:
    """The green runs (`runs` of each, alternated), then every bug healed; with `bugs_only`,
    one plain run (it must be green, and time-to-green is a ratio of it) and the bugs."""
    checkout = project.checkout(cache)
    base = release_commit(project, checkout)
    restore(checkout, base)
    ran = pytest(project, cache)
    first, code, output = ran.seconds, ran.code, ran.output
    if code != 0:  # nothing to measure against; the other projects still are
        print(f"{project.name}: skipped, the plain suite is not green here (exit {code}):\n"
              f"{output[-2000:]}", flush=True)
        write(sink, {"project": project.name, "version": project.version, "kind": "not-green",
                     "exit": code})
        return
    if bugs_only:
        heal_bugs(project, cache, base, first, ran.peak_mib, sink)
        return
    seed_history(project, cache, base)
    pytest(project, cache, "--selfheal")  # a green run recorded, as in daily use
    plain, healing = [], []
    for _ in range(runs):  # interleaved, so both see the same load on the machine
        plain.append(pytest(project, cache))
        healing.append(pytest(project, cache, "--selfheal"))
    plain_s = statistics.median(r.seconds for r in plain)
    heal_s = statistics.median(r.seconds for r in healing)
    plain_mib = statistics.median(r.peak_mib for r in plain)
    heal_mib = statistics.median(r.peak_mib for r in healing)
    plain_cpu = statistics.median(r.cpu_seconds for r in plain)
    heal_cpu = statistics.median(r.cpu_seconds for r in healing)
    write(sink, {"project": project.name, "version": project.version, "kind": "green",
                 "plain_seconds": round(plain_s, 2), "selfheal_seconds": round(heal_s, 2),
                 "green_run_ratio": round(heal_s / plain_s, 3), "runs": runs,
                 "green_cpu_ratio": round(heal_cpu / plain_cpu, 3),
                 "plain_peak_mib": plain_mib, "selfheal_peak_mib": heal_mib,
                 "features": list(project.features)})
    print(f"{project.name}: plain {plain_s:.2f}s, green --selfheal {heal_s:.2f}s "
          f"(x{heal_s / plain_s:.3f})", flush=True)
    heal_bugs(project, cache, base, plain_s, plain_mib, sink)


def green_against(project: Project, cache: Path, runs: int, other: Path, sink: Path) -> None:
    """The green runs alone: a plain run, `pytest --selfheal` with this plugin and with `other`,
    in an order rotated every round (the machine's load falls on all three alike); medians."""
    checkout = project.checkout(cache)
    base = release_commit(project, checkout)
    seed_history(project, cache, base)
    mine = plugin_root
    sides = {"plain": (mine, ()), "plugin": (mine, ("--selfheal",)), "against": (other, ("--selfheal",))}
    for root, args in list(sides.values())[1:]:
        set_plugin(root)
        pytest(project, cache, *args)  # a green run recorded, as in daily use
    ran: dict[str, list[Ran]] = {side: [] for side in sides}
    order = list(sides)
    for turn in range(runs):
        for side in order[turn % 3:] + order[:turn % 3]:
            root, args = sides[side]
            set_plugin(root)
            ran[side].append(pytest(project, cache, *args))
    set_plugin(mine)
    median = {side: statistics.median(r.seconds for r in found) for side, found in ran.items()}
    cpu = {side: statistics.median(r.cpu_seconds for r in found) for side, found in ran.items()}
    row = {"project": project.name, "version": project.version, "kind": "green-against",
           "plugin": str(mine), "against": str(other), "runs": runs,
           **{f"{side}_seconds": round(value, 3) for side, value in median.items()},
           **{f"{side}_cpu_seconds": round(value, 3) for side, value in cpu.items()},
           "plugin_ratio": round(median["plugin"] / median["plain"], 3),
           "against_ratio": round(median["against"] / median["plain"], 3),
           "plugin_cpu_ratio": round(cpu["plugin"] / cpu["plain"], 3),
           "against_cpu_ratio": round(cpu["against"] / cpu["plain"], 3)}
    write(sink, row)
    print(f"{project.name}: plain {median['plain']:.2f}s, --selfheal x{row['plugin_ratio']} "
          f"(CPU x{row['plugin_cpu_ratio']}), against x{row['against_ratio']} "
          f"(CPU x{row['against_cpu_ratio']})", flush=True)
    restore(checkout, base)


OWN_TIME_PLUGIN = "_own_time"  # benchmarks/_own_time.py


def own_time(project: Project, cache: Path, runs: int, sink: Path) -> None:
    """What a green `--selfheal` run adds, timed inside it: the seconds pytest-selfheal's own
    code takes (its import and its hooks, `_own_time.py`) with `--selfheal` less without it,
    against the plain run's wall time. Plain and `--selfheal` runs alternate, both timed, with a
    history present."""
    checkout = project.checkout(cache)
    base = release_commit(project, checkout)
    seed_history(project, cache, base)
    timed = ("-p", OWN_TIME_PLUGIN)
    pytest(project, cache, "--selfheal")  # a green run recorded, as in daily use
    walls: dict[str, list[float]] = {"plain": [], "selfheal": []}
    own: dict[str, list[dict[str, Any]]] = {"plain": [], "selfheal": []}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "own.json"
        env = {"OWN_TIME_FILE": str(report),
               "PYTHONPATH": os.pathsep.join((str(plugin_root), str(Path(__file__).parent)))}
        for turn in range(runs):
            for side in ("plain", "selfheal") if turn % 2 == 0 else ("selfheal", "plain"):
                ran = pytest(project, cache, *timed, *(("--selfheal",) if side == "selfheal" else ()),
                             env=env)
                if ran.code != 0:
                    raise SystemExit(f"{project.name}: a green run failed (exit {ran.code}):\n"
                                     f"{ran.output[-2000:]}")
                walls[side].append(ran.seconds)
                own[side].append(json.loads(report.read_text(encoding="utf-8")))
    restore(checkout, base)

    def seconds(found: dict[str, Any]) -> float:
        return float(found["import"]) + sum(float(spent) for spent, _ in found["hooks"].values())

    plain_wall, heal_wall = statistics.median(walls["plain"]), statistics.median(walls["selfheal"])
    added = statistics.median(seconds(f) for f in own["selfheal"]) - statistics.median(
        seconds(f) for f in own["plain"])
    hooks = {hook: round(statistics.median(float(f["hooks"].get(hook, (0, 0))[0])
                                           for f in own["selfheal"]), 4)
             for hook in own["selfheal"][0]["hooks"]}
    row = {"project": project.name, "version": project.version, "kind": "green-own-time",
           "plugin": str(plugin_root), "runs": runs, "plain_seconds": round(plain_wall, 3),
           "selfheal_seconds": round(heal_wall, 3),
           "added_seconds": round(added, 4), "added_share": round(added / plain_wall, 4),
           "selfheal_hooks": hooks}
    write(sink, row)
    print(f"{project.name}: plain {plain_wall:.2f}s; --selfheal adds {added * 1000:.1f} ms of its "
          f"own ({100 * added / plain_wall:.2f}%; wall x{heal_wall / plain_wall:.3f}); "
          f"slowest hook {max(hooks, key=hooks.__getitem__)} {max(hooks.values()) * 1000:.1f} ms",
          flush=True)


def set_plugin(root: Path) -> None:
    global plugin_root
    plugin_root = root


def heal_bugs(project: Project, cache: Path, base: str, plain_s: float, plain_mib: float,
              sink: Path) -> None:
    checkout = project.checkout(cache)
    for bug in project.bugs:
        row = heal_bug(project, cache, bug, base, plain_s, plain_mib)
        write(sink, {"project": project.name, "version": project.version, "kind": "bug", **row})
        print(f"  {str(row['bug'])[:70]}: {row.get('user_failures')} failing, reproduced "
              f"{row.get('reproduced')}, {row['status']}, correct {row.get('correct')}, "
              f"green x{row.get('green_ratio')} (x{row.get('green_to_failed_run')} the run that "
              f"failed), regression test {row.get('regression') or 'none'}",
              flush=True)
    restore(checkout, base)


def write(sink: Path, row: dict[str, object]) -> None:
    sink.parent.mkdir(parents=True, exist_ok=True)
    with sink.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def check(project: Project, cache: Path) -> None:
    """Each bug makes the plain suite fail (stopping at the first failure)."""
    checkout = project.checkout(cache)
    base = release_commit(project, checkout)
    for bug in project.bugs:
        inject(checkout, bug)
        try:
            ran = pytest(project, cache, "-x", "-q")
            code, output = ran.code, ran.output
            last = output.strip().splitlines()[-1] if output.strip() else ""
            print(f"{project.name} {bug.file} {bug.kind}: exit {code} {last[:100]}", flush=True)
        finally:
            restore(checkout, base)


# -- summaries -------------------------------------------------------------------------------

def table(rows: list[dict[str, object]]) -> None:
    """Per project: reproduction, heal rate (plausible, correct), time-to-green and green-run
    ratios; then the medians over the matrix."""
    print(f"{'project':<18} {'green run':>9} {'bugs':>4} {'repro':>6} {'healed':>6} {'correct':>7} "
          f"{'ttg/plain':>9} {'plain s':>7}")
    greens, all_ratios, all_green_runs = [], [], []
    unmeasured = {str(r["project"]) for r in rows if r["kind"] == "not-green"}
    rows = [r for r in rows if r["kind"] != "not-green"]
    for name in dict.fromkeys(str(r["project"]) for r in rows):
        green = [r for r in rows if r["project"] == name and r["kind"] == "green"]
        bugs = [r for r in rows
                if r["project"] == name and r["kind"] != "green" and r.get("user_failures")]
        ratios = [float(r["green_ratio"]) for r in bugs if r.get("green_ratio")]  # type: ignore[arg-type]
        all_ratios.extend(ratios)
        run_ratio = float(green[-1]["green_run_ratio"]) if green else float("nan")  # type: ignore[arg-type]
        all_green_runs.append(run_ratio)
        greens.extend(green)
        print(f"{name:<18} {run_ratio:>9.3f} {len(bugs):>4} "
              f"{sum(bool(r.get('reproduced')) for r in bugs):>3}/{len(bugs):<2} "
              f"{sum(bool(r.get('healed')) for r in bugs):>3}/{len(bugs):<2} "
              f"{sum(bool(r.get('correct')) for r in bugs):>4}/{len(bugs):<2} "
              f"{statistics.median(ratios) if ratios else float('nan'):>9.2f} "
              f"{float(green[-1]['plain_seconds']) if green else float('nan'):>7.2f}")  # type: ignore[arg-type]
    bugs = [r for r in rows if r["kind"] != "green" and r.get("user_failures")]
    if bugs:
        print(f"over the matrix: reproduced {sum(bool(r.get('reproduced')) for r in bugs)}/{len(bugs)}, "
              f"healed {sum(bool(r.get('healed')) for r in bugs)}/{len(bugs)}, "
              f"correct {sum(bool(r.get('correct')) for r in bugs)}/{len(bugs)}; median time-to-green "
              f"{statistics.median(all_ratios) if all_ratios else float('nan'):.2f}x the plain suite "
              f"(healed bugs; {_median_of(bugs, 'green_to_failed_run'):.2f}x the run that failed), "
              f"median green --selfheal run x{statistics.median(all_green_runs):.3f}"
              + (f" (CPU time x{_median_of(greens, 'green_cpu_ratio'):.3f})"
                 if any(g.get("green_cpu_ratio") for g in greens) else ""))
    green_peaks = [float(g["selfheal_peak_mib"]) / float(g["plain_peak_mib"])  # type: ignore[arg-type]
                   for g in greens if g.get("plain_peak_mib")]
    heal_peaks = [float(r["peak_ratio"]) for r in bugs if r.get("peak_ratio")]  # type: ignore[arg-type]
    if green_peaks or heal_peaks:  # rows from before peak memory was measured have none
        print(f"peak memory of the largest process, x the plain run's: green --selfheal median "
              f"x{statistics.median(green_peaks) if green_peaks else float('nan'):.2f} "
              f"(max x{max(green_peaks, default=float('nan')):.2f}), heal median "
              f"x{statistics.median(heal_peaks) if heal_peaks else float('nan'):.2f} "
              f"(max x{max(heal_peaks, default=float('nan')):.2f}); heal median "
              f"x{_median_of(bugs, 'peak_to_failed_run'):.2f} the run that failed (max "
              f"x{_max_of(bugs, 'peak_to_failed_run'):.2f})")
    for name in sorted(unmeasured):
        print(f"{name}: not measured, its plain suite is not green on this machine")
    healed = [r for r in bugs if r.get("healed") and "regression" in r]  # rows from before it was read
    for line in share_lines((f"{r['project']} {r['bug']}"[:90], str(r["regression"]),
                             str(r.get("regression_reason", ""))) for r in healed):
        print(line)


def _max_of(rows: list[dict[str, object]], key: str) -> float:
    """The largest `key` over the rows that have it."""
    return max((float(r[key]) for r in rows if r.get(key)), default=float("nan"))  # type: ignore[arg-type]


def _median_of(rows: list[dict[str, object]], key: str) -> float:
    """The median of `key` over the rows that have it (rows from before it was measured do not)."""
    values = [float(r[key]) for r in rows if r.get(key)]  # type: ignore[arg-type]
    return statistics.median(values) if values else float("nan")


REQUIRED = ("filterwarnings-error", "strict-config-markers", "xfail-strict", "doctest-modules",
            "tests-inside-the-package", "src-layout", "conftest-fixtures-hooks",
            "import-mode-importlib", "async", "hypothesis", "parametrize-heavy", "n-auto",
            "several-testpaths", "namespace-package")


def coverage(projects: list[Project]) -> None:
    for feature in REQUIRED:
        names = [p.name for p in projects if feature in p.features]
        print(f"{feature:<26} {', '.join(names) or 'MISSING'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("setup", "check", "run", "green", "own", "table", "coverage"))
    parser.add_argument("projects", nargs="*")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/realprojects"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jsonl", type=Path, default=RESULTS)
    parser.add_argument("--bugs-only", action="store_true",
                        help="run: skip the green --selfheal runs (one plain run, then the bugs)")
    parser.add_argument("--plugin", type=Path, default=ROOT,
                        help="the pytest-selfheal checkout to run (default: this one)")
    parser.add_argument("--against", type=Path,
                        help="green: the other pytest-selfheal checkout whose green runs to compare")
    parser.add_argument("--bug-in-release", action="store_true",
                        help="run: amend each bug into the release commit instead of committing "
                             "it on top: no change to put back, so the heal has its templates only")
    args = parser.parse_intermixed_args()  # `run --runs 1 NAME`: options before the projects too
    global bug_in_release
    set_plugin(args.plugin.resolve())
    bug_in_release = args.bug_in_release
    projects = [p for p in load() if not args.projects or p.name in args.projects]
    if args.command == "setup":
        for project in projects:
            setup(project, args.cache)
    elif args.command == "check":
        for project in projects:
            check(project, args.cache)
    elif args.command == "run":
        print(environment(), flush=True)
        for project in projects:
            measure(project, args.cache, args.runs, args.jsonl, bugs_only=args.bugs_only)
    elif args.command == "green":
        if args.against is None:
            parser.error("green needs --against DIR, the checkout to compare with")
        print(environment(), flush=True)
        for project in projects:
            green_against(project, args.cache, args.runs, args.against.resolve(), args.jsonl)
    elif args.command == "own":
        print(environment(), flush=True)
        for project in projects:
            own_time(project, args.cache, args.runs, args.jsonl)
    elif args.command == "table":
        table([json.loads(line) for line in args.jsonl.read_text(encoding="utf-8").splitlines()])
    else:
        coverage(projects)


if __name__ == "__main__":
    main()
