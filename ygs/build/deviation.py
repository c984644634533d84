"""`ygs deviation "design said X, did Y because Z" [--accept PATH]…`: one line in the task's
execution log, and (with --accept) unplanned files the user agreed to."""

from __future__ import annotations

from pathlib import Path

from ygs.build import policy
from ygs.errors import Exit, YgsError


def record(start: Path, text: str, accept: list[str], task_id: str | None) -> dict:
    from ygs.build import git, runs
    from ygs.build.session import Context, open_project
    from ygs.plan import tasks as store

    line, missing = policy.parse_deviation(text)
    if missing:
        raise YgsError(
            "a deviation must say what the design said, what was done and why; missing: "
            + "; ".join(missing),
            remedy='ygs deviation "design said retry 5 times, did 3 because the budget is 2 s"',
        )
    ctx: Context = open_project(start)
    run = runs.for_branch(ctx.root, git.head_branch(ctx.top))
    run = run if run is not None and run.is_open else None
    if task_id is None and run is None:
        raise YgsError(
            "no open run on this branch, so no task to log the deviation in",
            remedy="name it: `ygs deviation TEXT --task TASK-ID`",
        )
    task = store.find(ctx.project.catalog, task_id or run.task)
    if accept and (run is None or run.task != task.id):
        raise YgsError(
            "--accept widens the scope of a run: switch to the run's branch first",
            code=Exit.BLOCKED,
            remedy="`ygs implement --resume`, then `ygs deviation TEXT --accept PATH`",
        )
    accepted = _accepted(start, ctx.top, accept) if accept else []
    store.append_log(ctx.root, task.path, line)
    if accepted:
        run.data["accepted"] = sorted({*run.accepted, *accepted})
        run.save()
    return {"task": task.id, "path": task.path, "line": line, "accepted": accepted}


def _accepted(start: Path, top: Path, accept: list[str]) -> list[str]:
    """The files as paths from the work-tree root; each must be inside the repository."""
    import os

    found = []
    for raw in accept:
        if ".." in raw.replace("\\", "/").split("/"):
            raise YgsError(f"--accept {raw}: use a path without '..'")
        full = Path(raw) if os.path.isabs(raw) else Path(start) / raw
        real = Path(os.path.realpath(full))
        try:
            found.append(real.relative_to(top.resolve()).as_posix())
        except ValueError:
            raise YgsError(
                f"--accept {raw}: outside the repository", remedy="name a file in it"
            ) from None
    return found
