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

    group.command("new")(task_new)
    group.command("list")(task_list)
    group.command("show")(task_show)
    group.command("move")(task_move)
    app.add_typer(group, name="task")


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _ids(values: list[str] | None) -> list[str]:
    """Repeated flags and comma lists alike: `--satisfies REQ-1,REQ-2 --satisfies REQ-3`."""
    found: list[str] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip().upper()
            if part and part not in found:
                found.append(part)
    return found


def task_new(
    title: Annotated[str, typer.Argument(help="What the task delivers, in a few words.")],
    satisfies: Annotated[
        list[str] | None, typer.Option("--satisfies", help="REQ ids (repeat or comma-separate).")
    ] = None,
    mitigates: Annotated[list[str] | None, typer.Option("--mitigates", help="MIT ids.")] = None,
    depends_on: Annotated[
        list[str] | None, typer.Option("--depends-on", help="TASK ids that must be done first.")
    ] = None,
    files: Annotated[
        list[str] | None,
        typer.Option("--files", help="Planned files or globs (matched in the repository)."),
    ] = None,
    lines: Annotated[
        int | None, typer.Option("--lines", help="Estimated changed lines (sets the size).")
    ] = None,
    points: Annotated[
        int | None, typer.Option("--points", help="Story points: 1 2 3 5 8 13.")
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="AFK or HITL.")] = "AFK",
    priority: Annotated[
        str | None,
        typer.Option("--priority", help="P0|P1|P2 (default: from the satisfied requirements)."),
    ] = None,
    estimate: Annotated[
        str | None, typer.Option("--estimate", help="best,likely,worst engineer-days, e.g. 1,2,4.")
    ] = None,
    goal: Annotated[
        str | None, typer.Option("--goal", help="The behaviour when it is done.")
    ] = None,
) -> int:
    """Create tasks/backlog/TASK-NNN-slug.md from the task template.

    ygs allocates the id and computes the size from the planned files and lines; the wave is
    computed by `ygs wbs plan --write`. Unknown dependencies and requirements are refused.
    """
    from ygs.plan import newtask

    result = newtask.create(
        _project(),
        newtask.Request(
            title=title,
            satisfies=_ids(satisfies),
            mitigates=_ids(mitigates),
            depends_on=_ids(depends_on),
            files=[f for value in files or [] for f in value.split(",") if f.strip()],
            lines=lines,
            points=points,
            mode=mode,
            priority=priority,
            estimate=estimate,
            goal=goal,
        ),
    )
    return emit(
        result,
        lambda console: console.print(
            f"Wrote {result['path']} ({result['id']}, size {result['size']}, "
            f"{result['size_class']}). Next: fill its acceptance criteria, then "
            "`ygs wbs plan --write`.",
            markup=False,
        ),
    )


def task_list(
    status: Annotated[
        str | None, typer.Option("--status", help="backlog, in-progress or done.")
    ] = None,
    wave: Annotated[int | None, typer.Option("--wave", help="Only this computed wave.")] = None,
    ready: Annotated[
        bool, typer.Option("--ready", help="Only backlog tasks whose dependencies are done.")
    ] = False,
) -> int:
    """List tasks with status, computed wave, priority, size and dependencies; the next
    ready task first among the ready ones (P0 before P1 before P2, lowest id)."""
    from ygs.core import plan_graph
    from ygs.core.artifacts import TASK_STATUSES
    from ygs.plan import tasks as store

    if status is not None and status not in TASK_STATUSES:
        raise YgsError(f"unknown status '{status}'", remedy=f"one of: {', '.join(TASK_STATUSES)}")
    proj = _project()
    all_tasks = store.tasks(proj.catalog)
    analysis = plan_graph.analyse(store.nodes(proj.catalog))
    ready_ids = analysis.ready
    order = {t: i for i, t in enumerate(ready_ids)}
    chosen = [
        t
        for t in all_tasks
        if (status is None or t.status == status)
        and (wave is None or analysis.waves.get(t.id) == wave)
        and (not ready or t.id in order)
    ]
    if ready:
        chosen.sort(key=lambda t: order[t.id])
    items = [
        {**t.summary(), "wave": analysis.waves.get(t.id), "ready": t.id in order} for t in chosen
    ]

    def human(console) -> None:
        from ygs.cli.render import table

        rows = [
            (
                i["id"],
                i["status"],
                "-" if i["wave"] is None else str(i["wave"]),
                i["priority"] or "-",
                i["size"],
                "-" if i["points"] is None else str(i["points"]),
                ", ".join(i["depends_on"]) or "-",
                i["title"][:48],
            )
            for i in items
        ]
        table(console, ("id", "status", "wave", "pri", "size", "pts", "depends on", "title"), rows)
        if ready_ids:
            console.print(f"next ready: {ready_ids[0]}", markup=False)

    return emit({"tasks": items, "next": ready_ids[0] if ready_ids else None}, human)


def task_show(
    task_id: Annotated[str, typer.Argument(metavar="TASK-ID", help="The task, e.g. TASK-004.")],
) -> int:
    """Show one task: its fields, computed size, wave and slack, what it waits on, what waits
    on it, its latest checkpoint, and the file itself."""
    from ygs.core import plan_graph
    from ygs.plan import tasks as store

    proj = _project()
    task = store.find(proj.catalog, task_id)
    analysis = plan_graph.analyse(store.nodes(proj.catalog))
    waiting = store.unmet_dependencies(task, store.tasks(proj.catalog))
    point = store.latest_checkpoint(proj.root, task.id)
    data = {
        **task.summary(),
        "wave": analysis.waves.get(task.id),
        "slack": analysis.slack.get(task.id),
        "critical": task.id in analysis.critical_path,
        "ready": task.id in analysis.ready,
        "waiting_on": waiting,
        "dependents": analysis.dependents.get(task.id, []),
        "acceptance_criteria": store.criteria_count(task.artifact),
        "checkpoint": None if point is None else point.__dict__,
        "text": task.artifact.text,
    }

    def human(console) -> None:
        console.print(task.artifact.text.rstrip("\n"), markup=False)
        console.print("", markup=False)
        facts = [
            f"status {task.status}, wave {data['wave'] or '-'}, size {task.size} "
            f"({task.size_class})",
            "critical path" if data["critical"] else f"slack {data['slack']}",
            "ready to start" if data["ready"] else "",
            f"waits on {', '.join(waiting)}" if waiting and task.status != "done" else "",
            f"blocks {', '.join(data['dependents'])}" if data["dependents"] else "",
        ]
        console.print("; ".join(f for f in facts if f), markup=False)

    return emit(data, human)


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
