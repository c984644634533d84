"""`ygs undo [--to N | --run]`: put the task branch back to checkpoint N or to the run's base.

Only over commits that carry this run's trailers and that no remote-tracking branch holds
(aider's rule: never rewrite what others may have). Before anything moves, a backup commit
of the current tip plus the run's uncommitted changes goes to `refs/ygs/backup/<run>/<time>`,
so an undo can itself be undone. Only the run's touched files are restored; the user's other
changes, and files that held the user's changes before the run, are left as they are.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ygs.build import git
from ygs.build.checkpoint import build_commit
from ygs.build.guard import Snapshot
from ygs.build.session import Context, crash_point, log_to_task
from ygs.errors import Exit, YgsError


def _target(run, to: int | None, whole_run: bool) -> tuple[str, int | None]:
    greens = [r for r in run.records() if r.get("green") is True and r.get("commit")]
    if whole_run:
        return run.base, None
    if to is not None:
        for record in greens:
            if record.get("n") == to:
                return str(record["commit"]), to
        have = ", ".join(str(r.get("n")) for r in greens) or "none"
        raise YgsError(
            f"run {run.id} has no green checkpoint {to}",
            remedy=f"green checkpoints: {have}; or `ygs undo --run` to go back to the base",
        )
    if not greens:
        raise YgsError(
            f"run {run.id} has no checkpoint to undo",
            remedy="`ygs undo --run` puts the run's files back as they were at its start",
        )
    if len(greens) == 1:
        return run.base, None
    previous = greens[-2]
    return str(previous["commit"]), previous.get("n")


def _check_commits(top: Path, run, commits: list[str]) -> None:
    foreign = [c for c in commits if git.trailers(top, c).get("Ygs-Run") != run.id]
    if foreign:
        raise YgsError(
            f"{len(foreign)} commit(s) since that point are not checkpoints of run {run.id}: "
            + ", ".join(c[:10] for c in foreign),
            code=Exit.BLOCKED,
            remedy="ygs undo only removes its own checkpoint commits; undo these with git "
            "yourself (`git revert`), or choose a later checkpoint with --to N",
        )
    published = git.pushed(top, commits)
    if published:
        raise YgsError(
            f"{len(published)} checkpoint commit(s) are already pushed: "
            + ", ".join(c[:10] for c in published),
            code=Exit.BLOCKED,
            remedy="undoing them would rewrite history others may have; use `git revert` "
            "instead, or choose a later checkpoint with --to N",
        )


def backup(ctx: Context, head: str, files: list[str]) -> str:
    """A commit of HEAD plus the current state of `files`, kept under refs/ygs/backup/."""
    run = ctx.run
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    message = f"ygs backup of run {run.id} before undo\n\nYgs-Run: {run.id}\n"
    commit = build_commit(ctx.top, run.folder, head, files, message)
    ref = f"refs/ygs/backup/{run.id}/{stamp}"
    git.update_ref(ctx.top, ref, commit, None, "ygs undo backup")
    return ref


def restore(top: Path, target: str, files: list[str]) -> None:
    """Index and working tree of exactly `files` as in `target` (absent there: deleted)."""
    present = sorted(git.tree_paths(top, target, files))
    gone = sorted(set(files) - set(present))
    if present:
        git.run(
            top,
            "restore",
            f"--source={target}",
            "--staged",
            "--worktree",
            "--pathspec-from-file=-",
            "--pathspec-file-nul",
            input=git.nul(present),
        )
    if gone:
        git.run(
            top,
            "rm",
            "-q",
            "--cached",
            "--ignore-unmatch",
            "--pathspec-from-file=-",
            "--pathspec-file-nul",
            input=git.nul(gone),
        )
        for rel in gone:
            _remove(top, rel)


def _remove(top: Path, rel: str) -> None:
    path = top / rel
    if path.is_symlink() or path.is_file():
        path.unlink()
    folder = path.parent
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def undo(ctx: Context, *, to: int | None, whole_run: bool) -> dict:
    run = ctx.run
    with run.lock():
        target, target_n = _target(run, to, whole_run)
        snap = Snapshot(run, ctx.top)
        head = snap.head
        commits = git.commits_between(ctx.top, target, head)
        _check_commits(ctx.top, run, commits)
        committed = [p for p in _changed(ctx.top, target, head) if not run.bookkeeping(p)]
        files = sorted({*committed, *snap.dirty} - set(snap.mixed) - set(snap.user_changes))
        if not commits and not files:
            return _result(run, target, target_n, [], [], None, snap, "nothing to undo")
        ref = backup(ctx, head, sorted({*files, *snap.mixed}))
        dropped = [r.get("n") for r in run.records() if _dropped(r, target_n, whole_run)]
        run.set_pending(
            {"op": "undo", "target": target, "target_n": target_n, "old_head": head}
            | {"files": files, "backup": ref, "drop": dropped, "pid": os.getpid()}
        )
        finish(ctx, run.pending())
    return _result(run, target, target_n, commits, files, ref, snap, "")


def _changed(top: Path, old: str, new: str) -> list[str]:
    from ygs.build.guard import changed_between

    return changed_between(top, old, new)


def _dropped(record: dict, target_n: int | None, whole_run: bool) -> bool:
    n = record.get("n")
    return whole_run or target_n is None or not isinstance(n, int) or n > target_n


def finish(ctx: Context, pending: dict) -> None:
    """Move the branch, restore the files, drop the records: each step safe to repeat."""
    run = ctx.run
    target, old = str(pending["target"]), str(pending["old_head"])
    ref = f"refs/heads/{run.branch}"
    tip = git.rev(ctx.top, ref)
    if tip == old:
        git.update_ref(
            ctx.top, ref, target, old, f"ygs undo to {pending.get('target_n') or 'base'}"
        )
        crash_point("undo:after-ref")
    elif tip != target:
        run.clear_pending()
        raise YgsError(
            f"{run.branch} moved during an interrupted undo; nothing more was changed",
            code=Exit.BLOCKED,
            remedy=f"the state before the undo is kept in {pending.get('backup')}",
        )
    restore(ctx.top, target, [str(f) for f in pending.get("files") or ()])
    drop = set(pending.get("drop") or ())
    records = run.records()
    kept = [r for r in records if r.get("n") not in drop]
    if len(kept) != len(records):
        from ygs.store import append_line

        for record in records:
            if record.get("n") in drop:
                append_line(run.folder / "undone.jsonl", _json(record))
        run.rewrite_records(kept)
    run.data["fix_attempts"] = 0
    run.save()
    where = f"checkpoint {pending['target_n']}" if pending.get("target_n") else "the run's base"
    log_to_task(ctx, f"Undo: back to {where}; the previous state is kept in {pending['backup']}")
    run.clear_pending()


def _json(record: dict) -> str:
    import json

    return json.dumps(record, sort_keys=True)


def recover(ctx: Context, pending: dict) -> str:
    finish(ctx, pending)
    return "an undo was interrupted; it is now complete"


def _result(run, target, target_n, commits, files, ref, snap, note) -> dict:
    return {
        "run": run.id,
        "task": run.task,
        "to": target_n,
        "to_base": target_n is None,
        "commit": target,
        "removed_commits": commits,
        "restored_files": files,
        "left_alone": sorted({*snap.mixed, *snap.user_changes}),
        "backup": ref,
        "restore_hint": (
            f"to undo this undo: `git update-ref refs/heads/{run.branch} {ref}^` then "
            f"`git restore --source={ref} --staged --worktree -- <files>`"
            if ref
            else None
        ),
        "note": note,
    }
