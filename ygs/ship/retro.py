"""`ygs retro`: the facts a retro starts from, computed from the repository, then the
interview (skills/ygs-retro/interview.yaml) with the Five Whys checked before anything is
written.

Facts: estimate against actual per task (the task's three-point estimate against the time
from its run's start to the task moving to done), escaped bugs (fix commits since the last
release that touch files that release shipped), scope creep (unplanned files the runs
touched; tasks created after the first run started), red checkpoints and fix attempts.
"""

from __future__ import annotations

from datetime import datetime

from ygs.ship import fivewhys, gitinfo


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def estimates(project) -> list[dict]:
    from ygs.build import runs
    from ygs.core.estimate import expected
    from ygs.plan import tasks as store

    by_task: dict[str, list] = {}
    for run in runs.all_runs(project.root):
        by_task.setdefault(run.task, []).append(run)
    rows = []
    for task in store.tasks(project.catalog):
        if task.status != store.DONE:
            continue
        row = {
            "task": task.id,
            "title": task.title,
            "estimate_days": None,
            "actual_days": None,
            "error_pct": None,
            "points": task.points,
        }
        if task.estimate is not None:
            row["estimate_days"] = round(expected(*task.estimate), 2)
        spans = []
        for run in by_task.get(task.id, []):
            start = _when(run.data.get("created") or "")
            ends = [r.get("time") for r in run.records() if r.get("green")]
            end = _when(run.data.get("closed") or (ends[-1] if ends else ""))
            if start and end and end >= start:
                spans.append((end - start).total_seconds() / 86400)
        if spans:
            row["actual_days"] = round(sum(spans), 3)
        if row["estimate_days"] and row["actual_days"] is not None:
            row["error_pct"] = round(
                100 * (row["actual_days"] - row["estimate_days"]) / row["estimate_days"], 1
            )
        rows.append(row)
    return rows


def escaped_bugs(project) -> dict:
    from ygs.build import git
    from ygs.ship import commits

    top = gitinfo.top(project.root)
    if top is None:
        return {"release": None, "bugs": [], "note": "not a git repository"}
    tag = gitinfo.last_tag(top)
    if tag is None:
        return {"release": None, "bugs": [], "note": "no release tag yet: nothing has shipped"}
    previous = git.run(top, "describe", "--tags", "--abbrev=0", f"{tag}^", check=False)
    before = previous.stdout.decode().strip() if previous.returncode == 0 else None
    span = f"{before}..{tag}" if before else tag
    listing = git.run(top, "log", "--format=", "--name-only", "--no-renames", span, check=False)
    shipped = {p for p in listing.stdout.decode("utf-8", "replace").splitlines() if p}
    bugs = []
    for sha, message in gitinfo.commits_since(top, tag):
        change = commits.commit(sha, message)
        if not commits.is_fix(change):
            continue
        touched = sorted(set(gitinfo.files_changed_by(top, sha)) & shipped)
        if touched:
            bugs.append({"commit": change.ref, "subject": change.subject, "files": touched})
    return {"release": tag, "bugs": bugs, "note": ""}


def scope_creep(project) -> dict:
    from ygs.build import policy, runs
    from ygs.plan import tasks as store

    unplanned = []
    starts = []
    red, attempts = [], 0
    for run in runs.all_runs(project.root):
        start = _when(run.data.get("created") or "")
        if start:
            starts.append(start)
        planned = run.planned
        touched = sorted({f for r in run.records() for f in r.get("files") or []})
        extra = [f for f in touched if not policy.is_planned(f, planned) and not run.bookkeeping(f)]
        accepted = set(run.accepted)
        if extra:
            unplanned.append(
                {
                    "run": run.id,
                    "task": run.task,
                    "files": extra,
                    "accepted": sorted(accepted & set(extra)),
                }
            )
        reds = [r for r in run.records() if r.get("green") is False]
        if reds:
            red.append({"run": run.id, "task": run.task, "red": len(reds)})
        attempts += run.fix_attempts
    first = min(starts) if starts else None
    late = []
    if first is not None:
        for task in store.tasks(project.catalog):
            created = str(task.artifact.meta.get("date") or "")
            if created and created > first.date().isoformat():
                late.append({"task": task.id, "title": task.title, "date": created})
    return {
        "unplanned_files": unplanned,
        "tasks_after_planning": late,
        "red_checkpoints": red,
        "fix_attempts": attempts,
    }


def facts(project) -> dict:
    rows = estimates(project)
    measured = [r for r in rows if r["error_pct"] is not None]
    if measured:
        total_est = sum(r["estimate_days"] for r in measured)
        total_act = sum(r["actual_days"] for r in measured)
        over = [r["task"] for r in measured if r["error_pct"] > 50]
        line = (
            f"{len(measured)} task(s) with estimate and actual: estimated {total_est:.1f} d, took "
            f"{total_act:.1f} d ({100 * (total_act - total_est) / total_est:+.0f}%)"
            + (f"; over by more than 50%: {', '.join(over)}" if over else "")
        )
    else:
        line = f"{len(rows)} done task(s); none has both an estimate and a recorded run"
    bugs = escaped_bugs(project)
    creep = scope_creep(project)
    return {
        "estimates": rows,
        "estimation_line": line,
        "escaped_bugs": bugs,
        "scope_creep": creep,
        "red_checkpoints": sum(r["red"] for r in creep["red_checkpoints"]),
        "fix_attempts": creep["fix_attempts"],
    }


def check(answers: dict) -> list[str]:
    return [f"{p.where}: {p.message}" for p in fivewhys.check(answers)]


def run(project, run_opts, title: str | None) -> dict:
    from ygs.interview.engine import Spec
    from ygs.interview.session import interview_and_write

    found = facts(project)
    result = interview_and_write(
        project,
        Spec("ygs-retro", "retro"),
        run_opts,
        idea=title or "",
        extra_context={"facts": found},
        check=check,
    )
    result["facts"] = found
    if result.get("written"):
        result["next"] = "ygs learn (the repo-specific lessons), ygs task new for the actions"
    return result
