"""Everything a driven run keeps, on success and on failure alike, in `.ygs/runs/<run>/`:

    conversation.jsonl  the executor's session, event by event (written while it runs)
    diff.patch          the run's changes from its base commit (secret files left out)
    commits.txt         its commits, each with its Ygs-* trailers
    test_output.txt     the output of the last test run (the runner writes it)
    result.json         status, exit code, files planned/unplanned, checkpoints, commits,
                        cost, tokens, turns, duration

`finish` also closes the run: the agent's deviations go to the execution log, and on DONE
the task moves to done in one bookkeeping commit on the run's branch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ygs.build import git, policy
from ygs.build.session import log_to_task, now
from ygs.core.secrets import is_secret_file, redact, redact_data
from ygs.store import atomic_write

DIFF_LIMIT = 5_000_000  # bytes of diff.patch; a bigger diff is cut with a note


def diff_patch(top: Path, run, files: list[str]) -> str:
    """The diff from the run's base to the working tree for `files` (new files included),
    built in a private index: the user's index is not touched."""
    files = [f for f in files if not is_secret_file(f)]
    if not files:
        return ""
    index = run.folder / "diff.index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git.run(top, "read-tree", run.base, env=env)
        git.run(top, "add", "-A", "--", *files, env=env, check=False)
        data = git.run(
            top, "diff", "--cached", "--no-color", "--no-ext-diff", run.base, "--", *files, env=env
        ).stdout
    finally:
        index.unlink(missing_ok=True)
    text = data[:DIFF_LIMIT].decode("utf-8", "replace")
    if len(data) > DIFF_LIMIT:
        text += f"\n[diff cut at {DIFF_LIMIT} bytes]\n"
    return redact(text)


def commits(top: Path, run) -> list[dict]:
    tip = git.rev(top, f"refs/heads/{run.branch}")
    if not tip or tip == run.base:
        return []
    text = git.out(
        top, "log", "--format=%H%x1f%s%x1f%(trailers:only,unfold)%x1e", f"{run.base}..{tip}"
    )
    found = []
    for entry in text.split("\x1e"):
        parts = entry.strip().split("\x1f")
        if len(parts) == 3:
            trailers = dict(
                (k.strip(), v.strip())
                for k, _, v in (line.partition(":") for line in parts[2].splitlines())
                if v
            )
            found.append({"commit": parts[0], "subject": parts[1], "trailers": trailers})
    return found


def _task_files(snap) -> list[str]:
    run = snap.run
    return [
        p for p in snap.all_dirty if run.bookkeeping(p) and not p.startswith(run.prefix + ".ygs/")
    ]


def log_deviations(ctx, status: dict | None) -> int:
    """Write the deviations the agent reported into the task's execution log."""
    items = (status or {}).get("deviations") or []
    if isinstance(items, str):
        items = [items]
    count = 0
    for item in items:
        text = " ".join(str(item).split())
        if not text:
            continue
        line, missing = policy.parse_deviation(text)
        log_to_task(ctx, line if not missing else f"Deviation (as the agent reported it): {text}")
        count += 1
    return count


def close_done(ctx) -> str | None:
    """Move the task to done and commit that move on the run's branch; None when the gate
    refuses (the reason is returned through the exception-free path: the caller checks)."""
    from ygs.build.checkpoint import build_commit, sync_index
    from ygs.build.gate import close_runs, done_ready
    from ygs.plan import tasks as store
    from ygs.store import fresh_catalog

    run = ctx.run
    ready, why = done_ready(ctx.root, run.task)
    if not ready:
        return why
    task = store.find(fresh_catalog(ctx.project), run.task)
    new = store.move(ctx.root, task, store.DONE)
    run.data["task_path"] = new
    run.save()
    parent = git.rev(ctx.top, "HEAD")
    files = sorted({run.prefix + task.path, run.prefix + new})
    message = f"{run.task}: done\n\nYgs-Task: {run.task}\nYgs-Run: {run.id}\nYgs-Kind: done\n"
    commit = build_commit(ctx.top, run.folder, parent, files, message)
    git.update_ref(ctx.top, f"refs/heads/{run.branch}", commit, parent, "ygs done")
    sync_index(ctx.top, commit, files)
    close_runs(ctx.root, run.task, new)
    return None


def finish(driver, status: str, code: int, reason: str, turn, extra: dict) -> tuple[dict, int]:
    ctx, run = driver.ctx, driver.run
    agent = turn.status if turn is not None else None
    deviations = log_deviations(ctx, agent)

    def ended() -> None:
        extra = f", {reason}" if reason else ""
        log_to_task(ctx, f"Run {run.id} ({driver.executor}) ended: {status}{extra}")

    if status in ("DONE", "DONE_WITH_CONCERNS"):
        ended()  # before the move: the line is part of the done commit
        refused = close_done(ctx)
        if refused:
            status, code, reason = "BLOCKED", 3, f"the task cannot move to done: {refused}"
            ended()
    else:
        ended()
    snap = driver.snapshot()
    files = sorted({*snap.touched, *_task_files(snap)})
    atomic_write(run.folder / "diff.patch", diff_patch(ctx.top, run, files))
    made = commits(ctx.top, run)
    atomic_write(
        run.folder / "commits.txt",
        "".join(
            f"{c['commit']} {c['subject']}"
            + "".join(f"\n    {k}: {v}" for k, v in c["trailers"].items())
            + "\n"
            for c in made
        ),
    )
    greens = [r for r in run.records() if r.get("green") is True]
    result = {
        "status": status,
        "exit_code": int(code),
        "reason": reason,
        "task": run.task,
        "run": run.id,
        "executor": driver.executor,
        "branch": run.branch,
        "base": run.base,
        "files": {
            "touched": snap.touched,
            "planned": snap.planned,
            "unplanned": snap.unplanned,
        },
        "checkpoints": [{"n": r.get("n"), "commit": r.get("commit")} for r in greens],
        "red_checkpoints": len([r for r in run.records() if r.get("green") is False]),
        "fix_attempts": run.fix_attempts,
        "fix_turns": driver.fix_turns,
        "commits": [c["commit"] for c in made],
        "cost_usd": round(driver.usage.cost_usd, 6),
        "max_cost_usd": driver.limits.max_cost,
        "tokens": driver.usage.to_dict(),
        "turns": driver.usage.turns,
        "duration_s": round(time.monotonic() - driver.started, 3),
        "deviations": deviations,
        "agent_status": agent,
        "run_dir": run.folder.relative_to(ctx.root).as_posix(),
        "ended": now(),
        **({"stopped_by": turn.stopped_by} if turn is not None and turn.stopped_by else {}),
        **({"unplanned_files": extra["list"]} if extra.get("list") else {}),
    }
    result = redact_data(result)
    atomic_write(run.folder / "result.json", json.dumps(result, indent=2) + "\n")
    driver.conversation.add("result", result=result)
    return result, code
