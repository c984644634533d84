"""Evidence ygs can compute for QA, retro and handoff: the latest test run, failure modes
with a test, regression tests for fixes since the last release, the configured benchmark."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ygs.build import results

RUNS = ".ygs/runs"


def latest_tests(root: Path) -> dict | None:
    """The newest `ygs test` (or checkpoint) result found in the run folders: counts from
    its JUnit XML, else its output; None when tests never ran."""
    runs = root / RUNS
    best: tuple[int, Path] | None = None
    try:
        folders = [p for p in runs.iterdir() if p.is_dir()]
    except OSError:
        return None
    for folder in folders:
        output = folder / "test_output.txt"
        try:
            stamp = output.stat().st_mtime_ns
        except OSError:
            continue
        if best is None or stamp > best[0]:
            best = (stamp, folder)
    if best is None:
        return None
    stamp, folder = best
    counts = None
    junit = folder / "junit.xml"
    if junit.is_file() and junit.stat().st_mtime_ns >= stamp - 5_000_000_000:
        counts = results.parse_junit(junit.read_text(encoding="utf-8", errors="replace"))
    if counts is None:
        text = (folder / "test_output.txt").read_text(encoding="utf-8", errors="replace")
        counts = results.parse_output(text)
    green = counts.counted and counts.total > 0 and counts.failed == 0 and counts.errors == 0
    when = datetime.fromtimestamp(stamp / 1e9, UTC).isoformat(timespec="seconds")
    return {
        **counts.to_dict(),
        "green": green,
        "when": when,
        "output": (folder / "test_output.txt").relative_to(root).as_posix(),
    }


def tests_line(found: dict | None) -> str:
    if found is None:
        return "no test run recorded: run `ygs test`"
    if not found["counted_from"] or found["counted_from"] == "none":
        return f"a test run at {found['when']} whose results could not be read ({found['output']})"
    state = "green" if found["green"] else "RED"
    return (
        f"{found['passed']} passed, {found['failed']} failed, {found['errors']} errors, "
        f"{found['skipped']} skipped ({state}, {found['when']})"
    )


def failure_modes(index, graph) -> dict:
    """MUST requirements with an If/Then failure mode, and which of them a test covers."""
    covered_by = {r.id: r.tests for r in graph.requirements}
    total, covered, uncovered = [], [], []
    for req in index.requirement_list:
        mode = req.field("failure mode")
        if req.priority != "MUST" or mode is None or not mode.value.strip():
            continue
        total.append(req.id)
        (covered if covered_by.get(req.id) else uncovered).append(req.id)
    line = (
        f"{len(covered)}/{len(total)} MUST failure modes have a test"
        + (f"; none for {', '.join(uncovered[:5])}" if uncovered else "")
        if total
        else "no MUST requirement states an If/Then failure mode"
    )
    return {"total": len(total), "covered": covered, "uncovered": uncovered, "line": line}


def regressions(top: Path | None, since: str | None, test_globs) -> dict:
    """Fix commits since the last release, and which of them added or changed a test."""
    from ygs.cli.cmd_check import glob_regex
    from ygs.ship import commits, gitinfo

    if top is None:
        return {"fixes": [], "with_tests": [], "without_tests": [], "line": "not a git repository"}
    patterns = [glob_regex(g) for g in test_globs]
    fixes, with_tests, without = [], [], []
    for sha, message in gitinfo.commits_since(top, since):
        change = commits.commit(sha, message)
        if not commits.is_fix(change):
            continue
        fixes.append(change.ref)
        files = gitinfo.files_changed_by(top, sha)
        (with_tests if any(p.match(f) for f in files for p in patterns) else without).append(
            f"{change.ref} {change.subject}"
        )
    line = (
        f"{len(with_tests)}/{len(fixes)} fix commits add or change a test"
        + (f"; without: {'; '.join(without[:3])}" if without else "")
        if fixes
        else "no fix commits"
    )
    return {"fixes": fixes, "with_tests": with_tests, "without_tests": without, "line": line}


def benchmark(project, run: bool = True) -> dict:
    """The configured benchmark (`qa.benchmark`), run under the command timeout."""
    command = project.config.get("qa.benchmark")
    if not command:
        return {"command": None, "line": "none configured (qa.benchmark)"}
    if not run:
        return {"command": command, "line": f"`{command}` configured, not run"}
    from ygs.build import runner

    folder = project.root / RUNS / "qa"
    folder.mkdir(parents=True, exist_ok=True)
    code, timed_out, seconds, output = runner.execute(
        command, project.root, float(project.config["commands.timeout_s"]), folder / "bench.txt"
    )
    runner._save(folder / "bench.txt", output)
    tail = [ln for ln in output.strip().splitlines() if ln.strip()][-3:]
    state = "timed out" if timed_out else ("ok" if code == 0 else f"exit {code}")
    return {
        "command": command,
        "exit_code": code,
        "timed_out": timed_out,
        "seconds": round(seconds, 3),
        "output": f"{RUNS}/qa/bench.txt",
        "tail": tail,
        "line": f"`{command}`: {state} in {seconds:.1f} s; " + (" / ".join(tail) or "no output"),
    }
