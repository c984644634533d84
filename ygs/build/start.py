"""`ygs implement [TASK-ID] [--manual] [--resume]`: start or resume a run.

Starting: the task's dependencies must be done, its planned files must have no uncommitted
changes, and a Heavy task needs `--accept-heavy`. Then a fresh branch
`ygs/TASK-004-<slug>-<nonce>` from HEAD (a name is never reused), the run folder with the
base commit and a fingerprint of the user's uncommitted changes (left alone, never
committed), and the task moved to in-progress. The executor is recorded in run.json
(`manual`: a person or the agent in front of them edits); automatic executors plug in there.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ygs.build import git, guard, policy, runs
from ygs.build.session import Context, now, open_project, require_branch
from ygs.errors import Exit, YgsError

EXECUTORS = ("manual", "claude-code", "anthropic")


def implement(
    start: Path, task_id: str | None, *, resume: bool = False, accept_heavy: bool = False
) -> dict:
    return begin(start, task_id, resume=resume, accept_heavy=accept_heavy)[1]


def begin(
    start: Path,
    task_id: str | None,
    *,
    resume: bool = False,
    accept_heavy: bool = False,
    executor: str = "manual",
) -> tuple[Context, dict]:
    """Start or resume the run; (its context, the description `ygs implement` prints)."""
    from ygs.plan import tasks as store

    ctx = open_project(start)
    # A driven run may start from a detached HEAD (a CI checkout, a wave's worktree): its
    # own branch is created from there. By hand, a branch is the safer place to start.
    branch = git.head_branch(ctx.top) if executor != "manual" else require_branch(ctx)
    here = runs.for_branch(ctx.root, branch)
    all_tasks = store.tasks(ctx.project.catalog)
    wanted = store.find(ctx.project.catalog, task_id) if task_id else None
    if here is not None and here.is_open and (wanted is None or wanted.id == here.task):
        return ctx, _resume(ctx, here, all_tasks, executor)
    waiting = _open_runs(ctx, wanted.id if wanted else None)
    if waiting:
        return ctx, _resume(ctx, waiting[-1], all_tasks, executor)
    if resume:
        raise YgsError(
            "no open run to resume" + (f" for {wanted.id}" if wanted else ""),
            code=Exit.BLOCKED,
            remedy="start one with `ygs implement TASK-ID --manual`",
        )
    task = wanted or _pick(all_tasks)
    return ctx, _start(ctx, task, all_tasks, accept_heavy=accept_heavy, executor=executor)


def _open_runs(ctx: Context, task_id: str | None) -> list[runs.Run]:
    """Open runs (of this task), oldest first; runs whose branch is gone are closed."""
    found = []
    for run in runs.all_runs(ctx.root):
        if not run.is_open or (task_id and run.task != task_id):
            continue
        if not git.branch_exists(ctx.top, run.branch):
            _abandon(run, "its branch was deleted")
            if task_id is None:
                continue
            raise YgsError(
                f"run {run.id}: its branch {run.branch} was deleted; the run is closed",
                code=Exit.BLOCKED,
                remedy=f"start again with `ygs implement {run.task} --manual`",
            )
        found.append(run)
    return sorted(found, key=lambda r: str(r.data.get("created") or ""))


def _abandon(run: runs.Run, why: str) -> None:
    run.data["status"] = runs.ABANDONED
    run.data["closed"] = now()
    run.data["closed_because"] = why
    run.save()


def _pick(all_tasks):
    ready = policy.pick_next(all_tasks)
    if ready:
        return ready[0]
    backlog = [t for t in all_tasks if t.status == "backlog"]
    done = {t.id for t in all_tasks if t.status == "done"}
    details = [
        f"{t.id} waits for {', '.join(d for d in t.depends_on if d not in done)}" for t in backlog
    ]
    raise YgsError(
        "no ready task: every backlog task waits for a dependency"
        if backlog
        else "no task in the backlog",
        code=Exit.BLOCKED,
        remedy="finish the dependencies first, or plan tasks with `ygs wbs` / `ygs task new`",
        details=details,
    )


def _dirty(top: Path) -> list[str]:
    return guard.status(top)[2]


def _in_progress_git_op(top: Path) -> str | None:
    folder = git.git_dir(top)
    for name, what in (
        ("MERGE_HEAD", "a merge"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ):
        if (folder / name).exists():
            return what
    return None


def _nonce(ctx: Context, task) -> str:
    for _ in range(100):
        nonce = secrets.token_hex(2)
        run_id = policy.run_id(task.id, nonce)
        branch = policy.branch_name(task.id, task.slug, nonce)
        taken = (
            (runs.runs_dir(ctx.root) / run_id).exists()
            or git.rev(ctx.top, f"refs/heads/{branch}") is not None
            or git.rev(ctx.top, f"refs/remotes/origin/{branch}") is not None
            or git.out(ctx.top, "for-each-ref", "--count=1", f"refs/ygs/backup/{run_id}")
        )
        if not taken:
            return nonce
    raise YgsError("could not find a free branch name", remedy="delete old ygs/* branches")


def _start(ctx: Context, task, all_tasks, *, accept_heavy: bool, executor: str) -> dict:
    from ygs.plan import tasks as store

    if task.status == store.DONE:
        raise YgsError(
            f"{task.id} is already done",
            code=Exit.BLOCKED,
            path=task.path,
            remedy=f"move it back first if it needs more work: `ygs task move {task.id} backlog`",
        )
    waiting = store.unmet_dependencies(task, all_tasks)
    if waiting:
        raise YgsError(
            f"{task.id} depends on {', '.join(waiting)}, not done yet",
            code=Exit.BLOCKED,
            path=task.path,
            remedy=f"finish {waiting[0]} first (`ygs implement {waiting[0]}`)",
        )
    operation = _in_progress_git_op(ctx.top)
    if operation:
        raise YgsError(
            f"{operation} is in progress in this repository",
            code=Exit.BLOCKED,
            remedy="finish or abort it first, then start the task",
        )
    prefix = _prefix(ctx)
    planned = [policy.clean_glob(str(p)) for p in task.planned_files]
    size = policy.planned_class(
        str(task.artifact.meta.get("size") or ""),
        planned,
        _whole(task.artifact.meta.get("planned_lines")),
    )
    if size == "heavy" and not accept_heavy:
        raise YgsError(
            f"{task.id} is Heavy (8+ files, 800+ lines or 3+ folders, or size L): "
            "split it before coding",
            code=Exit.BLOCKED,
            path=task.path,
            remedy=f"split it with ygs-wbs, or start it anyway with `ygs implement {task.id} "
            "--manual --accept-heavy` once the user has accepted the size",
        )
    dirty = _dirty(ctx.top)
    scope = [prefix + p for p in planned]
    touched_planned = [p for p in dirty if policy.is_planned(p, scope)]
    if touched_planned:
        raise YgsError(
            f"planned files of {task.id} have uncommitted changes: {', '.join(touched_planned)}",
            code=Exit.BLOCKED,
            remedy="commit or stash them first, so the run's changes stay separate from yours",
            details=touched_planned,
        )
    nonce = _nonce(ctx, task)
    run_id = policy.run_id(task.id, nonce)
    branch = policy.branch_name(task.id, task.slug, nonce)
    base = git.rev(ctx.top, "HEAD")
    runs.ensure_ignored(ctx.root)
    run = runs.Run(
        ctx.root,
        {
            "id": run_id,
            "task": task.id,
            "title": task.title,
            "task_path": task.path,
            "tasks_dir": ctx.config["paths.tasks"],
            "branch": branch,
            "base": base,
            "from_branch": git.head_branch(ctx.top),
            "created": now(),
            "executor": executor,
            "status": runs.OPEN,
            "prefix": prefix,
            "planned": planned,
            "accepted": [],
            "size_class": size,
            "baseline": {p: guard.signature(ctx.top, p) for p in dirty},
            "fix_attempts": 0,
        },
    )
    run.save()
    git.run(ctx.top, "switch", "-c", branch)
    ctx.run = run
    path = task.path
    if task.status != store.IN_PROGRESS:
        path = store.move(ctx.root, task, store.IN_PROGRESS)
        run.data["task_path"] = path
        run.save()
    from ygs.build.session import log_to_task

    log_to_task(ctx, f"Run {run_id} started on branch {branch} (base {base[:10]}), {executor}")
    warnings = _warnings(ctx, task, planned, prefix)
    return _describe(ctx, run, resumed=False, warnings=warnings)


def _whole(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _prefix(ctx: Context) -> str:
    rel = ctx.root.resolve().relative_to(ctx.top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def _warnings(ctx: Context, task, planned: list[str], prefix: str) -> list[str]:
    warnings = []
    if not planned:
        warnings.append(
            f"{task.id} lists no planned_files: every file the run touches counts as unplanned"
        )
    for bad in policy.bad_globs(planned):
        warnings.append(f"planned file '{bad}' points outside the repository; it matches nothing")
    listing = git.run(ctx.top, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    files = git.paths(listing.stdout)
    for glob in policy.unmatched_globs([prefix + p for p in planned], files):
        warnings.append(f"planned glob '{glob[len(prefix) :]}' matches no file (a typo?)")
    return warnings


def _resume(ctx: Context, run: runs.Run, all_tasks, executor: str = "manual") -> dict:
    from ygs.plan import tasks as store

    switched = False
    if git.head_branch(ctx.top) != run.branch:
        done = git.run(ctx.top, "switch", run.branch, check=False)
        if done.returncode != 0:
            raise YgsError(
                f"cannot switch to {run.branch}: {done.stderr.decode(errors='replace').strip()}",
                code=Exit.BLOCKED,
                remedy="commit or stash the changes git names, then `ygs implement --resume`",
            )
        switched = True
    ctx.run = run
    from ygs.build.session import recover

    recover(ctx)
    if run.data.get("executor") != executor:
        run.data["executor"] = executor
        run.save()
    task = next((t for t in all_tasks if t.id == run.task), None)
    warnings = []
    if task is not None:
        planned = [policy.clean_glob(str(p)) for p in task.planned_files]
        if planned != run.data.get("planned"):
            added = sorted(set(planned) - set(run.data.get("planned") or ()))
            removed = sorted(set(run.data.get("planned") or ()) - set(planned))
            run.data["planned"] = planned
            run.data["task_path"] = task.path
            run.save()
            change = ", ".join([*(f"+{p}" for p in added), *(f"-{p}" for p in removed)])
            from ygs.build.session import log_to_task

            log_to_task(ctx, f"Planned files changed on resume: {change}")
            warnings.append(f"planned files taken from the task again: {change}")
        if task.status != store.IN_PROGRESS and task.status != store.DONE:
            run.data["task_path"] = store.move(ctx.root, task, store.IN_PROGRESS)
            run.save()
    data = _describe(ctx, run, resumed=True, warnings=warnings + ctx.notes)
    data["switched"] = switched
    return data


def _describe(ctx: Context, run: runs.Run, *, resumed: bool, warnings: list[str]) -> dict:
    from ygs.build import runner

    config = ctx.config
    test = runner.resolve(ctx.root, config, "test")
    greens = [r for r in run.records() if r.get("green") is True]
    return {
        "run": run.id,
        "task": run.task,
        "title": run.data.get("title"),
        "path": run.data.get("task_path"),
        "branch": run.branch,
        "base": run.base,
        "run_dir": run.folder.relative_to(ctx.root).as_posix(),
        "executor": run.data.get("executor", "manual"),
        "resumed": resumed,
        "planned_files": run.data.get("planned") or [],
        "accepted_files": run.accepted,
        "size_class": run.data.get("size_class"),
        "budgets": {
            "unplanned_files": config["guard.unplanned_files"],
            "checkpoint_every": config["guard.checkpoint_every"],
            "max_fix_attempts": config["guard.max_fix_attempts"],
            "timeout_s": config["commands.timeout_s"],
        },
        "test_command": test.to_dict(),
        "checkpoints": len(greens),
        "last_checkpoint": greens[-1] if greens else None,
        "fix_attempts": run.fix_attempts,
        "user_changes": sorted(run.baseline),
        "warnings": warnings,
    }
