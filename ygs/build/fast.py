"""The fast path for `ygs guard status` and `ygs guard hook`: no typer, no rich, no YAML.

Claude Code runs the hook on every tool call and the skill runs `ygs guard status` after
every edit, so both answer from the standard library, git and the run folder. Anything
unusual (`--help`, unknown options, a journal left by a killed command) returns None and
the regular command line takes over.
"""

from __future__ import annotations

from pathlib import Path

from ygs.errors import Exit, YgsError


def dispatch(args: list[str], options) -> int | None:
    """`args` start after the global options: ['guard', 'status' | 'hook', …]."""
    if len(args) != 2 or args[0] != "guard":
        return None
    if args[1] == "hook":
        from ygs.build.hook import main

        return main()
    if args[1] == "status":
        return status(options)
    return None


def locate(start: Path):
    """(project root, work tree, the open run of the checked-out branch), or exit 2/3."""
    from ygs.build import git, runs

    top = git.find_top(start.resolve())  # HEAD is checked by `git status` itself, later
    if top is None:
        top = git.require_repo(start)  # exits 2 with the full explanation
    branch = git.head_branch(top)
    if branch is None:
        raise YgsError(
            "HEAD is detached: the build loop works on a branch",
            remedy="`git switch BRANCH` (or `ygs implement --resume`)",
        )
    root = runs.find_root(start.resolve())
    run = runs.for_branch(root, branch)
    if run is None:
        from ygs.build.session import no_run

        raise no_run(root, top, branch)
    if not run.is_open:
        raise YgsError(
            f"run {run.id} on {branch} is {run.status}",
            code=Exit.BLOCKED,
            remedy=f"start a new run with `ygs implement {run.task} --manual`",
        )
    return root, top, run


def status(options) -> int | None:
    root, top, run = locate(options.cwd)
    if run.pending() is not None:
        return None  # a killed command left work half done: the full path recovers it
    from ygs.build.guard import report
    from ygs.cli.output import emit, plain

    data, _ = report(root, run, top)
    code = Exit.BLOCKED if data["stop"] else Exit.OK
    options.command = "guard status"
    return emit(data, lambda _console: plain(render_status(data)), code)


def render_status(data: dict) -> str:
    lines = [
        f"run {data['run']} ({data['task']}) on {data['branch']}"
        + ("" if data["on_branch"] else "  [not checked out]"),
        f"touched {data['touched']}: {data['planned']} planned, {data['unplanned']} unplanned "
        f"(stop at {data['unplanned_limit']})",
        f"lines +{data['lines_added']} -{data['lines_removed']}, {data['dirs']} top-level "
        f"folders, size {data['size_class']} (planned {data['size_class_planned']})",
        f"since the last checkpoint: {data['since_checkpoint']} files "
        f"(checkpoint every {data['checkpoint_every']}); checkpoints: {data['checkpoints']}; "
        f"fix attempts {data['fix_attempts']} of {data['max_fix_attempts']}",
    ]
    for path in data["unplanned_files"]:
        lines.append(f"  unplanned: {path}")
    for where in data["debug_marker_lines"]:
        lines.append(f"  YGS-DEBUG marker: {where}")
    for path in data["mixed_files"]:
        lines.append(f"  changed by the run AND held your earlier changes: {path}")
    if data["stop"]:
        lines.append(
            "STOP: the unplanned-file limit is reached. Ask the user before going on; "
            "record a yes with `ygs deviation TEXT --accept FILE`."
        )
    elif data["checkpoint_due"]:
        lines.append("Checkpoint due: run `ygs checkpoint`.")
    if data["state"] == "tests_failing":
        lines.append("TESTS_FAILING: the fix attempts are used up; escalate (ygs-investigate).")
    return "\n".join(lines)
