"""`ygs implement`, `ygs test`, `ygs build`, `ygs guard status|hook`, `ygs checkpoint`,
`ygs undo`, `ygs deviation`: the build loop inside guardrails (logic in ygs.build)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts, plain
from ygs.errors import Exit, YgsError

TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout", metavar="S", help="Seconds before the run is killed (commands.timeout_s)."
    ),
]


def register(app: typer.Typer) -> None:
    app.command("implement")(implement)
    app.command("test")(test)
    app.command("build")(build)
    app.command("checkpoint")(checkpoint)
    app.command("undo")(undo)
    app.command("deviation")(deviation)
    group = typer.Typer(help="The guardrails of a run: counts from git, and the agent hook.")

    @group.callback()
    def _guard(ctx: typer.Context) -> None:
        opts().command = f"guard {ctx.invoked_subcommand or ''}".strip()

    group.command("status")(guard_status)
    group.command("hook")(guard_hook)
    app.add_typer(group, name="guard")


def _echo() -> bool:
    return not opts().json and opts().verbosity >= 0 and sys.stderr.isatty()


# --- implement -----------------------------------------------------------------------------


def implement(
    task_id: Annotated[
        str | None,
        typer.Argument(metavar="[TASK-ID]", help="The task; default: the next ready one."),
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            metavar="NAME",
            help="Who edits: manual (you, or the agent in front of you), claude-code (ygs "
            "drives `claude -p`) or anthropic (ygs's own tool loop on the Messages API). "
            "Default: implement.executor (manual).",
        ),
    ] = None,
    manual: Annotated[
        bool,
        typer.Option("--manual", help="The same as --executor manual."),
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Return to the open run instead of starting one.")
    ] = False,
    accept_heavy: Annotated[
        bool,
        typer.Option("--accept-heavy", help="Start a Heavy task the user has accepted as is."),
    ] = False,
    max_cost: Annotated[
        float | None,
        typer.Option(
            "--max-cost", metavar="USD", help="Model budget of the run (model.max_cost_usd)."
        ),
    ] = None,
    timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="Wall-clock limit of a driven run: 45m, 90s, 1h (implement.timeout_s).",
        ),
    ] = None,
    max_turns: Annotated[
        int | None,
        typer.Option("--max-turns", metavar="N", help="Model turns (implement.max_turns)."),
    ] = None,
    wave: Annotated[
        int | None,
        typer.Option(
            "--wave", metavar="N", help="Every ready task of wave N, each in its own worktree."
        ),
    ] = None,
    parallel: Annotated[
        int,
        typer.Option("--parallel", metavar="K", help="With --wave: K tasks at a time."),
    ] = 2,
    skip_permissions: Annotated[
        bool,
        typer.Option(
            "--dangerously-skip-permissions",
            help="claude-code: pass Claude Code's own flag (no permission checks at all; "
            "the guard hook still runs). Only in a sandbox.",
        ),
    ] = False,
) -> int:
    """Start (or resume) the guarded run of a task; with an executor, drive it to the end.

    With no TASK-ID: the open run, else the ready task with the highest priority (P0 first)
    and the lowest id. Starting needs every dependency done and no uncommitted changes in
    the task's planned files; it creates branch ygs/TASK-NNN-<slug>-<nonce> from HEAD,
    records the base commit in .ygs/runs/<run>/run.json and moves the task to in-progress.
    Your uncommitted changes elsewhere stay exactly as they are and are never committed.

    manual: then edit, `ygs guard status`, `ygs checkpoint`, … `ygs task move TASK-ID done`.
    claude-code / anthropic: ygs writes .ygs/runs/<run>/context.md, runs the executor
    inside the guardrails (a checkpoint every guard.checkpoint_every touched files, red
    output back to the executor at most guard.max_fix_attempts times, the 3rd unplanned
    file refused), and keeps conversation.jsonl, diff.patch, commits.txt, test_output.txt
    and result.json. Exit 0 DONE (the task is moved to done), 3 NEEDS_INPUT or BLOCKED,
    4 TESTS_FAILING, 5 timeout, budget or model unavailable. With --json the final status
    object is printed. --wave N --parallel K runs a wave's ready tasks in git worktrees.
    """
    from ygs.project import Project

    config = Project.at(opts().cwd).config
    chosen = _executor(executor, manual, config)
    if wave is not None:
        return _wave(wave, parallel, chosen, config, max_cost, timeout, max_turns, skip_permissions)
    if chosen == "manual":
        if max_cost is not None or timeout is not None or max_turns is not None:
            raise YgsError(
                "--max-cost, --timeout and --max-turns apply to a driven run",
                remedy="add --executor claude-code or --executor anthropic",
            )
        return _implement_manual(task_id, resume, accept_heavy)
    from ygs.build.agent import Display
    from ygs.build.agent import implement as drive

    limits = _limits(config, max_cost, timeout, max_turns, skip_permissions)
    display = Display(enabled=opts().verbosity >= 0)
    data, code = drive(
        opts().cwd,
        task_id,
        executor=chosen,
        limits=limits,
        resume=resume,
        accept_heavy=accept_heavy,
        display=display,
    )
    return emit(data, lambda _c: plain(_result_lines(data)), code)


def _executor(executor: str | None, manual: bool, config) -> str:
    from ygs.build.start import EXECUTORS

    if manual and executor not in (None, "manual"):
        raise YgsError("--manual and --executor exclude each other", remedy="choose one")
    chosen = "manual" if manual else executor or config["implement.executor"]
    if chosen not in EXECUTORS:
        raise YgsError(f"unknown executor '{chosen}'", remedy=f"one of: {', '.join(EXECUTORS)}")
    return chosen


def _limits(config, max_cost, timeout, max_turns, skip_permissions):
    from ygs.build.agent import parse_duration
    from ygs.build.drive import Limits

    seconds = float(config["implement.timeout_s"])
    if timeout is not None:
        try:
            seconds = parse_duration(timeout)
        except ValueError:
            raise YgsError(
                f"--timeout {timeout}: not a duration", remedy="45m, 90s or 1h"
            ) from None
    return Limits(
        timeout_s=seconds,
        max_turns=max_turns if max_turns is not None else config["implement.max_turns"],
        max_cost=max_cost if max_cost is not None else config["model.max_cost_usd"],
        skip_permissions=skip_permissions,
    )


def _result_lines(data: dict) -> str:
    files = data["files"]
    lines = [
        f"{data['status']}: {data['task']} (run {data['run']}, {data['executor']})"
        + (f": {data['reason']}" if data.get("reason") else ""),
        f"  branch {data['branch']}; {len(data['checkpoints'])} green checkpoints, "
        f"{data['red_checkpoints']} red; {len(files['touched'])} files touched "
        f"({len(files['unplanned'])} unplanned)",
        f"  cost ${data['cost_usd']:.4f} in {data['turns']} turns, {data['duration_s']:.0f} s",
        f"  evidence: {data['run_dir']}/ (result.json, conversation.jsonl, diff.patch, "
        "commits.txt, test_output.txt)",
    ]
    lines += [f"  unplanned: {p}" for p in data.get("unplanned_files") or []]
    return "\n".join(lines)


def _wave(wave, parallel, executor, config, max_cost, timeout, max_turns, skip) -> int:
    from ygs.build.waves import run_wave

    if executor == "manual":
        raise YgsError(
            "--wave runs tasks unattended: it needs an executor",
            remedy="add --executor claude-code or --executor anthropic",
        )
    if parallel < 1:
        raise YgsError("--parallel must be 1 or more", remedy="--parallel 2")
    limits = _limits(config, max_cost, timeout, max_turns, skip)
    data, code = run_wave(opts().cwd, wave, parallel, executor, limits, quiet=opts().verbosity < 0)
    from ygs.build.waves import summary_lines

    return emit(data, lambda _c: plain(summary_lines(data)), code)


def _implement_manual(task_id, resume, accept_heavy) -> int:
    from ygs.build.start import implement as start

    data = start(opts().cwd, task_id, resume=resume, accept_heavy=accept_heavy)

    def human(console) -> None:
        verb = "Resumed" if data["resumed"] else "Started"
        lines = [
            f"{verb} run {data['run']}: {data['task']} {data['title'] or ''}".rstrip(),
            f"  branch {data['branch']} (base {str(data['base'])[:10]}), task {data['path']}",
            f"  size {data['size_class']}; planned: {', '.join(data['planned_files']) or 'none'}",
            f"  budgets: stop at {data['budgets']['unplanned_files']} unplanned files, "
            f"checkpoint every {data['budgets']['checkpoint_every']}, "
            f"{data['budgets']['max_fix_attempts']} fix attempts",
            f"  tests: {data['test_command']['command'] or 'none found: set commands.test'}",
        ]
        lines += [f"  warning: {w}" for w in data["warnings"]]
        lines.append("Next: edit, then `ygs guard status`; `ygs checkpoint` when due.")
        plain("\n".join(lines))

    return emit(data, human)


# --- test and build ------------------------------------------------------------------------


def _folder(root):
    """The run folder of the checked-out run branch, else .ygs/runs/adhoc/."""
    from ygs.build import git, runs

    top = git.find_top(root)
    run = runs.for_branch(root, git.head_branch(top)) if top else None
    if run is not None and run.is_open:
        return run.folder
    runs.ensure_ignored(root)
    return runs.runs_dir(root) / "adhoc"


def _run_command(kind: str, timeout: float | None, extra: list[str]) -> int:
    from ygs.build import runner
    from ygs.project import Project

    project = Project.at(opts().cwd)
    config = project.config
    command = runner.resolve(project.root, config, kind)
    if kind == "test":
        runner.require_test_command(command)
    if command.note:
        log(f"ygs {kind}: {command.note}")
    seconds = timeout if timeout is not None else config["commands.timeout_s"]
    if seconds <= 0:
        raise YgsError("the timeout must be more than 0 seconds", remedy="--timeout 600")
    folder = _folder(project.root)
    outcome = runner.run(
        kind, command, project.root, folder, float(seconds), extra=extra, echo=_echo()
    )

    def human(console) -> None:
        lines = [outcome.line()]
        for failure in outcome.counts.failures:
            where = f" ({failure.where})" if failure.where else ""
            lines.append(f"  FAILED {failure.name}{where}: {failure.message}".rstrip(": "))
        if outcome.output:
            lines.append(f"  output: {outcome.output}")
        plain("\n".join(lines))

    return emit(outcome.to_dict(), human, outcome.code)


def test(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[-- ARGS…]", help="Passed to the test command (e.g. one test file)."
        ),
    ] = None,
    timeout: TimeoutOption = None,
) -> int:
    """Run the project's tests under a timeout and parse the results.

    The command is commands.test, else the detected one (pytest, npm test, go test ./...,
    cargo test, make test), said on stderr. Results come from JUnit XML when pytest runs
    (--junitxml is added), else from the runner's summary line: passed, failed, errors,
    skipped, duration, and the first failures with file:line. The full output is saved in
    the run folder (.ygs/runs/<run>/test_output.txt). Exit 0 green, 4 red (or no tests
    ran), 5 timeout (the whole process group is killed), 2 when there is no test command.
    """
    return _run_command("test", timeout, list(args or ()))


def build(timeout: TimeoutOption = None) -> int:
    """Run the project's build command (commands.build, else the detected one) under a
    timeout. With no build command it passes and says so. Exit 0 ok, 4 failed, 5 timeout."""
    return _run_command("build", timeout, [])


# --- guard ---------------------------------------------------------------------------------


def guard_status() -> int:
    """Counts of the run since its base, from git: touched files (tracked changes and
    untracked files that are not ignored), planned and unplanned (against planned_files,
    test files of planned modules included), lines added and removed, top-level folders,
    size class, files touched since the last checkpoint and YGS-DEBUG markers.

    checkpoint_due is true at guard.checkpoint_every files since the last checkpoint;
    stop is true at guard.unplanned_files unplanned files, and then the exit code is 3.
    """
    from ygs.build.fast import render_status
    from ygs.build.guard import report
    from ygs.build.session import current

    ctx = current(opts().cwd)
    for line in ctx.notes:
        log(f"ygs: {line}")
    data, _ = report(ctx.root, ctx.run, ctx.top)
    return emit(data, lambda _c: plain(render_status(data)), Exit.BLOCKED if data["stop"] else 0)


def guard_hook() -> int:
    """The Claude Code hook (PreToolUse, PostToolUse, Stop): the event JSON on stdin, the
    decision JSON on stdout.

    In a run it denies writes outside the repository (symlinks resolved), under .git/ or
    .ygs/, to .env* and key files, paths with '..', and the write that would reach the
    unplanned-file limit; asks before git commands that discard work; after a tool call it
    says when a checkpoint is due or the run must stop; at Stop it reminds once about files
    touched since the last checkpoint. Outside a run it allows everything. Registered by
    `ygs install --agent claude` and shipped in the plugin's hooks/hooks.json.
    """
    from ygs.build.hook import main

    return main()


# --- checkpoint, undo, deviation -------------------------------------------------------------


def checkpoint(
    tidy: Annotated[
        bool, typer.Option("--tidy", help="Label the commit as tidying (no behaviour change).")
    ] = False,
    message: Annotated[
        str, typer.Option("--message", "-m", help="Extra text for the commit message body.")
    ] = "",
    timeout: TimeoutOption = None,
) -> int:
    """Build, then test; when both pass, commit the run's touched files on the task branch.

    Green: one commit `TASK-NNN: checkpoint N (<k> files)` with trailers Ygs-Task, Ygs-Run
    and Ygs-Checkpoint, holding only the run's files (your other changes, staged or not,
    stay out); a line in the task's execution log and in checkpoints.jsonl. Red: nothing
    is committed, exit 4, a failure summary and the output path, and one fix attempt used.
    After guard.max_fix_attempts red checkpoints in a row the run is TESTS_FAILING: stop
    and escalate. Refused (exit 3) while the unplanned-file limit is reached.
    """
    from ygs.build.checkpoint import checkpoint as run_checkpoint
    from ygs.build.session import current

    ctx = current(opts().cwd)
    for line in ctx.notes:
        log(f"ygs: {line}")
    data, code = run_checkpoint(
        ctx, tidy=tidy, message=message, timeout_s=ctx.timeout(timeout), echo=_echo()
    )

    def human(console) -> None:
        if data.get("note"):
            plain(data["note"])
            return
        lines = []
        for key in ("build", "tests"):
            part = data.get(key)
            if part and part.get("status") != "skipped":
                lines.append(_outcome_line(part))
        if data["green"]:
            lines.append(
                f"checkpoint {data['n']}: green; committed {data['commit'][:10]} "
                f"({len(data['files'])} files)"
                if data["committed"]
                else f"checkpoint {data['n']}: green; nothing new to commit"
            )
        else:
            lines.append(f"checkpoint {data['n']}: RED ({data['failed_step']} failed)")
            for failure in (data.get("tests") or {}).get("failures", [])[:5]:
                where = f"{failure['file']}:{failure['line']}" if failure["file"] else ""
                lines.append(f"  FAILED {failure['name']} {where} {failure['message']}".rstrip())
            lines.append(f"  output: {data['output']}")
            lines.append(data["advice"])
        plain("\n".join(lines))

    return emit(data, human, code)


def _outcome_line(part: dict) -> str:
    what = "tests" if part["kind"] == "test" else "build"
    if part["status"] == "timeout":
        return f"{what}: TIMED OUT after {part['timeout_s']:g} s"
    counts = f": {part['passed']} passed, {part['failed']} failed" if part["kind"] == "test" else ""
    return f"{what}: {part['status']}{counts} ({part['duration_s']:.1f} s)"


def undo(
    to: Annotated[
        int | None, typer.Option("--to", metavar="N", help="Back to green checkpoint N.")
    ] = None,
    whole_run: Annotated[
        bool, typer.Option("--run", help="Back to the run's base: drop all of its work.")
    ] = False,
) -> int:
    """Put the task branch back to an earlier checkpoint (default: drop the latest one).

    Only over this run's own checkpoint commits (Ygs-Run trailer) that are not pushed;
    anything else is refused (exit 3) with the way to do it by hand. A backup ref
    refs/ygs/backup/<run>/<time> first keeps the current tip and the run's uncommitted
    changes, so the undo can be undone. Only the run's touched files are restored.
    """
    from ygs.build.session import current
    from ygs.build.undo import undo as run_undo

    if to is not None and whole_run:
        raise YgsError("--to and --run exclude each other", remedy="choose one")
    ctx = current(opts().cwd)
    for line in ctx.notes:
        log(f"ygs: {line}")
    data = run_undo(ctx, to=to, whole_run=whole_run)

    def human(console) -> None:
        if data["note"]:
            plain(data["note"])
            return
        where = "the run's base" if data["to_base"] else f"checkpoint {data['to']}"
        lines = [
            f"back to {where} ({data['commit'][:10]}): removed {len(data['removed_commits'])} "
            f"commits, restored {len(data['restored_files'])} files",
            f"  backup: {data['backup']}",
            f"  {data['restore_hint']}",
        ]
        lines += [f"  left as it is (your changes): {p}" for p in data["left_alone"]]
        plain("\n".join(lines))

    return emit(data, human)


def deviation(
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT", help='"design said X, did Y because Z" (all three parts needed).'
        ),
    ],
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept",
            metavar="PATH",
            help="An unplanned file the user agreed to: it stops counting as unplanned.",
        ),
    ] = None,
    task_id: Annotated[
        str | None,
        typer.Option("--task", metavar="TASK-ID", help="The task (default: the run's task)."),
    ] = None,
) -> int:
    """Log a departure from the design in the task's execution log.

    The text must say what the design said, what was done and why: `design said X, did Y
    because Z` (exit 2 naming the missing part otherwise). With --accept, the files the
    user agreed to widen the scope with stop counting as unplanned for this run.
    """
    from ygs.build.deviation import record

    data = record(opts().cwd, text, list(accept or ()), task_id)
    return emit(data, lambda _c: plain(f"{data['task']}: {data['line']}"))
