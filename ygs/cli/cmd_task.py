"""`ygs task …`: task files and their lifecycle (the folder is the status)."""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.cli.output import emit, opts
from ygs.errors import YgsError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Task files: create, list, show and move them between folders.")

    @group.callback()
    def _task(ctx: typer.Context) -> None:
        opts().command = f"task {ctx.invoked_subcommand or ''}".strip()

    group.command("move")(task_move)
    app.add_typer(group, name="task")


def task_move(
    task_id: Annotated[str, typer.Argument(metavar="TASK-ID", help="The task, e.g. TASK-004.")],
    to: Annotated[str, typer.Argument(metavar="STATUS", help="backlog, in-progress or done.")],
    force: Annotated[
        bool, typer.Option("--force", help="Move although a rule refuses (needs --reason).")
    ] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why; written to the task's execution log.")
    ] = "",
) -> int:
    """Move a task to another folder (git mv when tracked).

    To in-progress: every dependency must be done. To done: the latest checkpoint must be
    green with nothing touched since, unless --force --reason is given (logged).
    """
    from ygs.plan import tasks as store
    from ygs.project import Project

    proj = Project.at(opts().cwd)
    all_tasks = store.tasks(proj.catalog)
    task = store.find(proj.catalog, task_id)
    target = to.strip().lower()
    green, why = False, ""
    if target == store.DONE:
        from ygs.build.gate import done_ready

        green, why = done_ready(proj.root, task.id)
    refusal = store.check_move(task, target, all_tasks, green=green, force=force, reason=reason)
    if refusal is not None:
        raise YgsError(
            refusal.message,
            code=refusal.code,
            path=task.path,
            remedy=refusal.remedy,
            details=[why] if why else [],
        )
    before = task.path
    path = store.move(proj.root, task, target)
    if force or reason.strip():
        note = f"moved {task.status} → {target}" + (" (forced)" if force else "")
        store.append_log(proj.root, path, f"{note}: {reason.strip()}" if reason.strip() else note)
    closed = []
    if target == store.DONE:
        from ygs.build.gate import close_runs

        closed = close_runs(proj.root, task.id, path)
    data = {"id": task.id, "from": task.status, "to": target, "path": path, "was": before}
    data["closed_runs"] = closed
    return emit(
        data, lambda console: console.print(f"{task.id}: {task.status} → {target} ({path})")
    )
