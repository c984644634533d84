"""The gate to `done`: the task's latest checkpoint is green, with nothing touched since.

`ygs task move TASK done` asks `done_ready`; on the run's branch "nothing touched" means no
file of the run differs from the checkpoint commit (ygs's bookkeeping aside); elsewhere the
checkpoint commit must already be part of the checked-out history.
"""

from __future__ import annotations

from pathlib import Path

from ygs.build import git, runs
from ygs.build.session import now


def done_ready(root: Path, task_id: str) -> tuple[bool, str]:
    """(ready, why not)."""
    from ygs.plan.tasks import latest_checkpoint

    point = latest_checkpoint(root, task_id)
    if point is None:
        return False, f"no checkpoint recorded for {task_id}"
    if not point.green:
        return False, f"the latest checkpoint ({point.n} of run {point.run}) is red"
    run = runs.load(root, point.run)
    top = git.find_top(root)
    if run is None or top is None:
        return True, ""  # a record without its run folder or repository: the record decides
    branch = git.head_branch(top)
    if branch == run.branch:
        from ygs.build.guard import Snapshot

        snap = Snapshot(run, top)
        if snap.since_checkpoint:
            listed = ", ".join(snap.since_checkpoint[:8])
            return False, (
                f"{len(snap.since_checkpoint)} files touched since checkpoint {point.n}: "
                f"{listed}; run `ygs checkpoint`"
            )
        return True, ""
    head = git.rev(top, "HEAD")
    if point.commit and head and git.is_ancestor(top, point.commit, head):
        return True, ""
    return False, (
        f"checkpoint {point.n} is on branch {run.branch}, not in the checked-out history; "
        f"`git switch {run.branch}` first"
    )


def close_runs(root: Path, task_id: str, task_path: str) -> list[str]:
    """Mark the task's open runs done (their branches stay); returns their ids."""
    closed = []
    for run in runs.all_runs(root):
        if run.task == task_id and run.is_open:
            run.data.update(status=runs.DONE, closed=now(), task_path=task_path)
            run.save()
            closed.append(run.id)
    return closed
