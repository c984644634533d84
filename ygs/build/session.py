"""Where a build-loop command stands: the project, the git work tree, the run of the branch
that is checked out, and recovery of anything a killed command left half done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ygs.build import git, runs
from ygs.errors import Exit, YgsError

CRASH_ENV = "YGS_TEST_CRASH_AT"


def crash_point(name: str) -> None:
    """Test hook: with YGS_TEST_CRASH_AT=<name>, the process SIGKILLs itself here, so the
    tests can prove that the next command recovers. Nothing else reads it."""
    import os

    if os.environ.get(CRASH_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Context:
    root: Path  # the project root (where .ygs/ lives)
    top: Path  # the git work tree
    project: object  # ygs.project.Project
    run: runs.Run | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def config(self):
        return self.project.config

    def timeout(self, override: float | None) -> float:
        value = override if override is not None else self.config["commands.timeout_s"]
        if value <= 0:
            raise YgsError("the timeout must be more than 0 seconds", remedy="--timeout 600")
        return float(value)


def open_project(start: Path) -> Context:
    """The project and its git work tree; exit 2 outside git, without commits, or detached."""
    from ygs.project import Project

    project = Project.at(start)
    top = git.require_repo(project.root)
    return Context(project.root, top, project)


def require_branch(ctx: Context) -> str:
    branch = git.head_branch(ctx.top)
    if branch is None:
        raise YgsError(
            "HEAD is detached: the build loop works on a branch",
            remedy="`git switch BRANCH` (or `ygs implement --resume` to return to an open run)",
        )
    return branch


def current(start: Path) -> Context:
    """The context with the run of the checked-out branch, recovered if a command was
    killed in the middle; exit 2 or 3 with the way forward when there is none."""
    ctx = open_project(start)
    branch = require_branch(ctx)
    run = runs.for_branch(ctx.root, branch)
    if run is None:
        raise no_run(ctx.root, ctx.top, branch)
    if not run.is_open:
        raise YgsError(
            f"run {run.id} on {branch} is {run.status}",
            code=Exit.BLOCKED,
            remedy=f"start a new run with `ygs implement {run.task} --manual`",
        )
    ctx.run = run
    recover(ctx)
    return ctx


def no_run(root: Path, top: Path, branch: str) -> YgsError:
    waiting = [r for r in runs.all_runs(root) if r.is_open]
    if not waiting:
        return YgsError(
            f"no ygs run on branch {branch}",
            remedy="start one with `ygs implement TASK-ID --manual`",
        )
    details = []
    for r in waiting:
        gone = "" if git.branch_exists(top, r.branch) else " (branch deleted)"
        details.append(f"{r.id}: task {r.task}, branch {r.branch}{gone}")
    return YgsError(
        f"branch {branch} is not the branch of an open run",
        code=Exit.BLOCKED,
        remedy="return to it with `ygs implement --resume` (or `git switch BRANCH`)",
        details=details,
    )


def recover(ctx: Context) -> None:
    """Finish or roll back the checkpoint or undo a killed command left in the journal."""
    run = ctx.run
    pending = run.pending() if run else None
    if not pending:
        return
    if pending.get("op") == "checkpoint":
        from ygs.build.checkpoint import recover as finish
    else:
        from ygs.build.undo import recover as finish
    with run.lock():
        pending = run.pending()
        if pending:
            ctx.notes.append(finish(ctx, pending))


def log_to_task(ctx: Context, line: str) -> None:
    """One bullet in the run's task execution log (nothing when the file is gone)."""
    from ygs.build.guard import task_file
    from ygs.plan.tasks import append_log

    path = task_file(ctx.root, ctx.run)
    if path is not None:
        append_log(ctx.root, path.relative_to(ctx.root).as_posix(), line)


def chosen(start: Path, run_id: str | None) -> Context:
    """The context with a run to look at (`--run ID`, else the run of the checked-out
    branch, else the newest run); closed runs count too. Exit 2 when there is none."""
    ctx = open_project(start)
    if run_id:
        run = runs.load(ctx.root, run_id)
        if run is None:
            known = [r.id for r in runs.all_runs(ctx.root)]
            raise YgsError(
                f"no run {run_id} in {runs.RUNS_DIR}",
                remedy="`ygs implement` starts one; the runs here are listed below",
                details=known[-10:],
            )
    else:
        run = runs.for_branch(ctx.root, git.head_branch(ctx.top))
        if run is None:
            started = [r for r in runs.all_runs(ctx.root) if r.task]
            started.sort(key=lambda r: str(r.data.get("created") or ""))
            if not started:
                raise YgsError(
                    "no ygs run in this project yet",
                    remedy="start one with `ygs implement TASK-ID`, or name one with --run ID",
                )
            run = started[-1]
    ctx.run = run
    return ctx
