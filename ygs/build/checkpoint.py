"""`ygs checkpoint`: build, then tests; green commits the run's touched files (and nothing
else of the user's) on the task branch, red counts a fix attempt.

The commit is built in a private index (HEAD's tree plus the run's files), so the user's
staged and unstaged work elsewhere is never read into it; the branch moves by compare and
swap; only then is the real index brought in line for those files. A journal
(`pending.json`) written before the commit lets the next command finish or roll back a
checkpoint killed half-way.
"""

from __future__ import annotations

import os
from pathlib import Path

from ygs.build import git, policy, runner
from ygs.build.guard import Snapshot
from ygs.build.session import Context, crash_point, log_to_task, now
from ygs.errors import Exit, YgsError


def commit_message(run, n: int, files: int, *, tidy: bool, message: str) -> str:
    kind = ", tidying" if tidy else ""
    noun = "file" if files == 1 else "files"
    lines = [f"{run.task}: checkpoint {n} ({files} {noun}{kind})", ""]
    if message.strip():
        lines += [message.strip(), ""]
    lines += [f"Ygs-Task: {run.task}", f"Ygs-Run: {run.id}", f"Ygs-Checkpoint: {n}"]
    if tidy:
        lines.append("Ygs-Kind: tidy")
    return "\n".join(lines) + "\n"


def _require_identity(top: Path) -> None:
    done = git.run(top, "var", "GIT_COMMITTER_IDENT", check=False)
    if done.returncode != 0:
        raise YgsError(
            "git does not know who you are, so it cannot commit a checkpoint",
            remedy='`git config user.name "Your Name"` and `git config user.email you@example.com`',
        )


def build_commit(top: Path, folder: Path, parent: str, files: list[str], message: str) -> str:
    """A commit of `parent`'s tree with `files` taken from the working tree (deleted files
    removed), made in a private index. Nothing of the user's index or files changes."""
    index = folder / "index.tmp"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git.run(top, "read-tree", parent, env=env)
        git.run(
            top, "update-index", "--add", "--remove", "-z", "--stdin", input=git.nul(files), env=env
        )
        tree = git.out(top, "write-tree", env=env)
        return git.out(top, "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode())
    finally:
        index.unlink(missing_ok=True)


def sync_index(top: Path, commit: str, files: list[str]) -> None:
    """The real index holds `commit`'s version of exactly these files (the working tree is
    not touched), so `git status` shows them as committed."""
    if files:
        git.run(
            top,
            "reset",
            "-q",
            commit,
            "--pathspec-from-file=-",
            "--pathspec-file-nul",
            input=git.nul(files),
        )


def _files_to_commit(snap: Snapshot) -> list[str]:
    """The run's changed files plus its task file (ygs's bookkeeping), never `.ygs/`."""
    run = snap.run
    task_files = [
        p for p in snap.all_dirty if run.bookkeeping(p) and not p.startswith(run.prefix + ".ygs/")
    ]
    return sorted({*snap.dirty, *task_files})


def _refuse_unsafe(snap: Snapshot) -> None:
    if snap.stop:
        listed = ", ".join(snap.unplanned)
        raise YgsError(
            f"{len(snap.unplanned)} unplanned files (the limit is "
            f"{snap.limits['unplanned_files']}): {listed}",
            code=Exit.BLOCKED,
            remedy="stop and ask the user; if they agree, record it with `ygs deviation "
            '"design said …, did … because …" --accept FILE` for each file, then checkpoint',
            details=snap.unplanned,
        )
    if snap.mixed:
        raise YgsError(
            "the run changed files that already held your uncommitted changes: "
            + ", ".join(snap.mixed),
            code=Exit.BLOCKED,
            remedy="commit or stash your own changes to them first (ygs never commits them), "
            "or undo the run's edits to them",
            details=snap.mixed,
        )


def checkpoint(
    ctx: Context, *, tidy: bool, message: str, timeout_s: float, echo: bool
) -> tuple[dict, int]:
    run = ctx.run
    with run.lock():
        snap = Snapshot(run, ctx.top)
        _refuse_unsafe(snap)
        files = _files_to_commit(snap)
        last = run.last_green()
        commits_since = last is not None and last.get("commit") != snap.head
        if not snap.dirty and last is not None and not commits_since:
            return _unchanged(run, last, snap), Exit.OK
        test_cmd = runner.resolve(ctx.root, ctx.config, "test")
        runner.require_test_command(test_cmd)
        build_cmd = runner.resolve(ctx.root, ctx.config, "build")
        for cmd in (build_cmd, test_cmd):
            if cmd.text and (missing := runner.missing_program(cmd.text, ctx.root)):
                raise YgsError(
                    f"the {cmd.kind} command `{cmd.text}` starts `{missing}`, which does not exist",
                    remedy=f"install it, or fix commands.{cmd.kind}",
                )
        if snap.dirty:
            _require_identity(ctx.top)
        n = run.next_number()
        parent = snap.head
        run.set_pending(
            {"op": "checkpoint", "n": n, "parent": parent, "files": files, "pid": os.getpid()}
        )
        outcomes = [runner.run("build", build_cmd, ctx.root, run.folder, timeout_s, echo=echo)]
        if outcomes[0].green:
            outcomes.append(
                runner.run("test", test_cmd, ctx.root, run.folder, timeout_s, echo=echo)
            )
        green = all(o.green for o in outcomes) and len(outcomes) == 2
        if green:
            return _green(ctx, snap, n, parent, files, outcomes, tidy=tidy, message=message)
        return _red(ctx, snap, n, parent, files, outcomes)


def _unchanged(run, last: dict, snap: Snapshot) -> dict:
    return {
        "run": run.id,
        "task": run.task,
        "green": True,
        "committed": False,
        "n": last.get("n"),
        "commit": last.get("commit"),
        "files": [],
        "note": f"nothing touched since checkpoint {last.get('n')}: nothing to do",
        "state": "working",
        "fix_attempts": run.fix_attempts,
        "checkpoints": len([r for r in run.records() if r.get("green") is True]),
        "touched": len(snap.touched),
        "unplanned": len(snap.unplanned),
    }


def _result_fields(outcomes) -> dict:
    by_kind = {o.kind: o.to_dict() for o in outcomes}
    return {"build": by_kind.get("build"), "tests": by_kind.get("test")}


def _green(ctx, snap, n, parent, files, outcomes, *, tidy, message) -> tuple[dict, int]:
    run = ctx.run
    text = commit_message(run, n, len(snap.dirty), tidy=tidy, message=message)
    record = {"n": n, "green": True, "files": snap.dirty, "tidy": tidy}
    record["tests"] = _counts(outcomes)
    if files:
        run.set_pending({**run.pending(), "phase": "commit", "record": record})
        commit = build_commit(ctx.top, run.folder, parent, files, text)
        crash_point("checkpoint:before-ref")
        git.update_ref(ctx.top, f"refs/heads/{run.branch}", commit, parent, f"ygs checkpoint {n}")
        crash_point("checkpoint:after-ref")
        sync_index(ctx.top, commit, files)
    else:
        commit = parent
    _finish_green(ctx, {**record, "commit": commit, "time": now()}, committed=bool(files))
    data = {
        "run": run.id,
        "task": run.task,
        "green": True,
        "committed": bool(files),
        "n": n,
        "commit": commit,
        "message": text.splitlines()[0],
        "files": snap.dirty,
        "tidy": tidy,
        **_result_fields(outcomes),
        "state": "working",
        "fix_attempts": 0,
        "checkpoints": len([r for r in run.records() if r.get("green") is True]),
        "touched": len(snap.touched),
        "unplanned": len(snap.unplanned),
    }
    return data, Exit.OK


def _counts(outcomes) -> dict | None:
    test = next((o for o in outcomes if o.kind == "test"), None)
    if test is None:
        return None
    c = test.counts
    return {"passed": c.passed, "failed": c.failed, "errors": c.errors, "skipped": c.skipped}


def _finish_green(ctx: Context, record: dict, *, committed: bool) -> None:
    run = ctx.run
    if not any(r.get("n") == record["n"] for r in run.records()):
        run.append_record(record)
    run.data["fix_attempts"] = 0
    run.save()
    kind = " (tidying)" if record.get("tidy") else ""
    where = f"commit {record['commit'][:10]}" if committed else "nothing new to commit"
    tests = record.get("tests") or {}
    passed = f", {tests.get('passed', 0)} tests passed" if tests else ""
    log_to_task(
        ctx, f"Checkpoint {record['n']}{kind}: green, {len(record['files'])} files{passed}; {where}"
    )
    run.clear_pending()


def _red(ctx, snap, n, parent, files, outcomes) -> tuple[dict, int]:
    run = ctx.run
    limits = snap.limits
    run.data["fix_attempts"] = run.fix_attempts + 1
    run.save()
    failed = outcomes[-1]
    exhausted = policy.attempts_exhausted(run.fix_attempts, limits["max_fix_attempts"])
    record = {"n": n, "green": False, "commit": parent, "time": now(), "files": snap.dirty}
    record.update(status=failed.status, tests=_counts(outcomes))
    run.append_record(record)
    attempt = f"fix attempt {run.fix_attempts} of {limits['max_fix_attempts']}"
    first = failed.counts.failures[0] if failed.counts.failures else None
    where = f" ({first.name} at {first.where})" if first and first.where else ""
    log_to_task(ctx, f"Checkpoint {n}: red, {failed.line()}{where}; {attempt}")
    run.clear_pending()
    state = "tests_failing" if exhausted else "working"
    if exhausted:
        advice = (
            f"TESTS_FAILING: {run.fix_attempts} red checkpoints in a row. Stop fixing: "
            "escalate to the user and hand over to ygs-investigate."
        )
        code = Exit.TESTS_FAILING
    else:
        advice = f"red: nothing committed. Fix the failure and checkpoint again ({attempt})."
        code = Exit.UNAVAILABLE if failed.status == "timeout" else Exit.TESTS_FAILING
    data = {
        "run": run.id,
        "task": run.task,
        "green": False,
        "committed": False,
        "n": n,
        "commit": None,
        "files": snap.dirty,
        **_result_fields(outcomes),
        "failed_step": failed.kind,
        "output": failed.output,
        "state": state,
        "fix_attempts": run.fix_attempts,
        "max_fix_attempts": limits["max_fix_attempts"],
        "advice": advice,
        "checkpoints": len([r for r in run.records() if r.get("green") is True]),
        "touched": len(snap.touched),
        "unplanned": len(snap.unplanned),
    }
    return data, code


def recover(ctx: Context, pending: dict) -> str:
    """A checkpoint was killed: finish it when its commit landed, else forget it."""
    run = ctx.run
    n = pending.get("n")
    (run.folder / "index.tmp").unlink(missing_ok=True)
    tip = git.rev(ctx.top, f"refs/heads/{run.branch}")
    files = [str(f) for f in pending.get("files") or ()]
    landed = (
        tip
        and tip != pending.get("parent")
        and git.trailers(ctx.top, tip).get("Ygs-Run") == run.id
        and git.trailers(ctx.top, tip).get("Ygs-Checkpoint") == str(n)
    )
    if landed and isinstance(pending.get("record"), dict):
        sync_index(ctx.top, tip, files)
        _finish_green(ctx, {**pending["record"], "commit": tip, "time": now()}, committed=True)
        return f"checkpoint {n} was interrupted after its commit {tip[:10]}; it is now complete"
    run.clear_pending()
    return (
        f"checkpoint {n} was interrupted before it committed; nothing was committed and "
        "your files are as they were: run `ygs checkpoint` again"
    )
