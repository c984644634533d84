"""Team commands: standup, risk-scan, sprint-plan, pr-queue, ask, tracker init/check.

Each takes flags only, prints the report (text, markdown, Slack mrkdwn or --json), can
--post it to Slack, and ends with one JSON status line on stderr, so a scheduler can run it:
{"status": "DONE", "command": "risk-scan", "exit_code": 0, ...}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.errors import Exit, YgsError

FORMATS = ("text", "markdown", "slack", "json")
FAIL_ON = ("high", "medium", "low", "never")
STATUS = {
    Exit.OK: "DONE",
    Exit.FINDINGS: "DONE_WITH_CONCERNS",
    Exit.BLOCKED: "NEEDS_INPUT",
    Exit.UNAVAILABLE: "DONE_WITH_CONCERNS",
}

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", help="As of DATE (YYYY-MM-DD = 09:00 in capacity.timezone) or an ISO time."
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="text, markdown, slack (mrkdwn) or json.")
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")]
PostOpt = Annotated[
    bool,
    typer.Option(
        "--post", help="Post to the Slack channel (SLACK_BOT_TOKEN) or webhook (SLACK_WEBHOOK_URL)."
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="No model: the brief is written from the signals.")
]
BackendOpt = Annotated[
    str | None, typer.Option("--model-backend", help="auto, anthropic, claude-code or offline.")
]
CostOpt = Annotated[float | None, typer.Option("--max-cost", help="Model budget, USD.")]
FailOpt = Annotated[
    str, typer.Option("--fail-on", help="Exit 1 when a risk is at or above: high, medium, low.")
]


def register(app: typer.Typer) -> None:
    app.command("standup")(standup)
    app.command("risk-scan")(risk_scan)
    app.command("sprint-plan")(sprint_plan)
    app.command("pr-queue")(pr_queue)
    app.command("ask")(ask)
    group = typer.Typer(help="The tracker behind the team commands: .ygs/tracker.yml.")

    @group.callback()
    def _tracker(ctx: typer.Context) -> None:
        opts().command = f"tracker {ctx.invoked_subcommand or ''}".strip()

    group.command("init")(tracker_init)
    group.command("check")(tracker_check)
    app.add_typer(group, name="tracker")


def standup(
    person: Annotated[
        str | None, typer.Argument(help="Only this person (@login or roster name).")
    ] = None,
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    output: OutputOpt = None,
    post: PostOpt = False,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
    fail_on: FailOpt = "never",
) -> int:
    """Daily brief from tracker, PR and git evidence: per person what they did and do, the
    call to action, risks and questions for discussion.

    The model writes only the narrative; without one the brief is written from the signals
    and says so. Only people under `team:` in .ygs/tracker.yml appear.
    """
    return _report("standup", locals(), person=person)


def risk_scan(
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    output: OutputOpt = None,
    post: PostOpt = False,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
    fail_on: FailOpt = "never",
) -> int:
    """Ranked sprint risks (HIGH, MEDIUM, LOW), each with one action: reassign, descope,
    unblock or escalate.

    Signals: stale work, blocked items, dependency chains and handoffs, review waits and
    reviewer load, failing checks, items not started near the sprint's end, WIP, capacity
    (person-hours and points) and silence.
    """
    return _report("risk-scan", locals())


def sprint_plan(
    capacity: Annotated[
        str | None,
        typer.Option(
            "--capacity", help="Override the budget: person-hours (120h) or points (30pt)."
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Move the proposed items into the next sprint.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Confirm --apply without asking (scripts).")
    ] = False,
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    output: OutputOpt = None,
    post: PostOpt = False,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
) -> int:
    """Propose the next sprint: backlog items by priority, readiness (dependencies done,
    design present) and capacity, after the carry-over.

    Flags items that need a design decision, an estimate or a split first. Changes nothing
    unless --apply is confirmed (interactively, or with --yes); non-interactive --apply
    without --yes exits 3.
    """
    extra = {"apply": apply, "yes": yes, "confirm": _confirm}
    return _report("sprint-plan", locals(), capacity=capacity, extra=extra)


def pr_queue(
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    output: OutputOpt = None,
    post: PostOpt = False,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
    fail_on: FailOpt = "never",
) -> int:
    """Open pull requests as a board: needs review, in review, changes requested, approved,
    draft; with working hours waited, reviewers, checks, size and review load."""
    return _report("pr-queue", locals())


def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    output: OutputOpt = None,
    post: PostOpt = False,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
) -> int:
    """Answer a question from tracker, PR and repo data, with the data shown.

    The program picks the data (by topic words, item keys and names); the model writes the
    answer from it. Offline, the data and one line per topic are the answer.
    """
    if not question.strip():
        raise YgsError("ask needs a question", remedy='ygs ask "what is blocked?"')
    return _report("ask", locals(), question=question)


# ------------------------------------------------------------------ shared


def _confirm(keys: list[str], target: str) -> bool:
    if not opts().interactive:
        return False
    return typer.confirm(f"Move {', '.join(keys)} into {target}?", default=False, err=True)


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    from ygs.cli.reports import choice

    return choice(value, allowed, option)


def _report(command: str, args: dict, **fields) -> int:
    try:
        data, code = _build(command, args, fields)
    except YgsError as err:
        from ygs.cli import report

        code = report(err)
        status_line(command, code, {"error": err.message})
        return code
    status_line(command, code, _summary(data))
    return code


def _build(command: str, args: dict, fields: dict) -> tuple[dict, int]:
    from ygs.project import Project
    from ygs.team.render import report
    from ygs.team.run import Request, build

    fmt = _choice(args["fmt"], FORMATS, "--format")
    req = Request(
        command=command,
        date=args.get("date"),
        post=args.get("post", False),
        offline=args.get("offline", False),
        backend=args.get("model_backend"),
        max_cost=args.get("max_cost"),
        fail_on=_choice(args.get("fail_on", "never"), FAIL_ON, "--fail-on"),
        **fields,
    )
    outcome = build(Project.at(opts().cwd), req, log)
    data, code = outcome.data, outcome.code
    output = args.get("output")
    if fmt == "json" or opts().json:
        opts().json = True  # --format json is --json
        text = json.dumps(data, ensure_ascii=False, default=str, indent=2) + "\n"
    else:
        text = report(command, data, fmt)
    if output is not None:
        from ygs.store import atomic_write

        target = output if output.is_absolute() else opts().cwd / output
        atomic_write(target, text)
        log(f"wrote the {fmt} report to {output}")
    if opts().json:
        emit(data, None, code)
    elif output is None:
        sys.stdout.write(text)
    return data, code


def _summary(data: dict) -> dict:
    story = data.get("narrative") or {}
    found = {
        "tracker": data.get("tracker"),
        "sprint": (data.get("sprint") or {}).get("name"),
        "risks": data.get("counts"),
        "narrative": story.get("source"),
        "posted": bool(data.get("posted")),
    }
    if "pulled" in data:
        found["pulled"] = [p["key"] for p in data["pulled"]]
        found["applied"] = bool(data.get("applied") and data["applied"].get("moved"))
    return found


def status_line(command: str, code: int, extra: dict) -> None:
    """The last line on stderr: one JSON object a scheduler or an agent can route on."""
    status = STATUS.get(code, "BLOCKED")
    if code == Exit.UNAVAILABLE and "error" in extra:
        status = "BLOCKED"
    line = {"status": status, "command": command, "exit_code": int(code), **extra}
    sys.stderr.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    sys.stderr.flush()


# ------------------------------------------------------------------ tracker


def tracker_init(
    tracker: Annotated[
        str | None, typer.Option("--tracker", help="github or jira (default: detected).")
    ] = None,
    repo: Annotated[str | None, typer.Option("--repo", help="GitHub owner/name.")] = None,
    board: Annotated[int | None, typer.Option("--jira-board", help="Jira board id.")] = None,
    project: Annotated[str | None, typer.Option("--jira-project", help="Jira project key.")] = None,
    channel: Annotated[
        str | None, typer.Option("--slack-channel", help="Slack channel for --post, e.g. #team.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file (a backup is kept).")
    ] = False,
) -> int:
    """Write .ygs/tracker.yml: the detected tracker, credentials checked, the roster from the
    tracker's people (edit it: only people under `team:` appear in reports)."""
    import os

    from ygs.project import Project
    from ygs.team.run import init

    if tracker is not None:
        tracker = _choice(tracker, ("github", "jira"), "--tracker")
    options = {"repo": repo, "board": board, "project": project, "channel": channel}
    data = init(Project.at(opts().cwd), os.environ, tracker=tracker, force=force, options=options)

    def human(console) -> None:
        console.print(f"wrote {data['path']} ({data['tracker']})", markup=False)
        team = ", ".join(data["team"]) or "none found: add your team"
        console.print(f"  team: {team}", markup=False)
        console.print("  edit `team:` so only your team is listed", markup=False)

    return emit(data, human)


def tracker_check() -> int:
    """Check the tracker's and Slack's credentials and show what ygs will read (exit 2 with a
    remedy when a token is missing or rejected)."""
    import os

    from ygs.project import Project
    from ygs.team import run

    proj = Project.at(opts().cwd)
    cfg = run.load_config(proj.root, os.environ)
    data = {
        "tracker": cfg.tracker,
        "config": cfg.path or "detected (no .ygs/tracker.yml)",
        "checked": run.check(cfg, proj.root, os.environ),
        "team": [m.name for m in cfg.team] or "derived from the data",
    }
    if os.environ.get(cfg.slack.token_env) or os.environ.get(cfg.slack.webhook_env):
        from ygs.team import slack

        data["slack"] = slack.check(slack.target(cfg.slack, os.environ))

    def human(console) -> None:
        for key, value in data.items():
            console.print(f"{key}: {value}", markup=False)

    return emit(data, human)
