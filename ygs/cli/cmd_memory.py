"""Memory across sessions: `ygs retro`, `ygs learn`, `ygs learnings search`, `ygs handoff`,
`ygs triage`. The logic is in ygs.ship."""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.cli.cmd_interview import Answers, Backend, Force, MaxCost, Offline, Replay, Resume
from ygs.cli.output import emit, log, opts, plain
from ygs.errors import YgsError


def register(app: typer.Typer) -> None:
    app.command("retro")(retro)
    app.command("learn")(learn)
    learnings = typer.Typer(
        help="Search what earlier sessions learned: learnings, ADRs, retros, deviations."
    )

    @learnings.callback()
    def _learnings(ctx: typer.Context) -> None:
        opts().command = f"learnings {ctx.invoked_subcommand or ''}".strip()

    learnings.command("search")(learnings_search)
    app.add_typer(learnings, name="learnings")
    app.command("handoff")(handoff)
    app.command("triage")(triage)


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _run(answers, resume, replay, force, offline, backend, max_cost):
    from ygs.cli.cmd_interview import Run

    return Run(answers, resume, replay, force, offline, backend, max_cost)


def _report(result: dict, extra=None) -> int:
    def human(console) -> None:
        for note in result.get("notes", []):
            log(f"note: {note}")
        if extra is not None:
            extra()
        if result.get("written"):
            plain(f"Wrote {result['path']} ({result['id']}).")
            if result.get("next"):
                plain(f"Next: {result['next']}")
        else:
            plain(
                f"Not written. Answers are saved in {result.get('journal')}; "
                "continue with --resume."
            )

    return emit(result, human)


def retro(
    title: Annotated[
        str | None, typer.Argument(help="What the retro covers, in a few words.")
    ] = None,
    facts_only: Annotated[
        bool, typer.Option("--facts", help="Print the computed facts; no interview.")
    ] = False,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """A blameless retro: facts computed from the repository, then the interview (what went
    well, what did not, patterns, Five Whys per failure, structural actions); writes
    docs/retros/YYYY-MM-DD-slug.md.

    Facts: estimate against actual per task (estimates and the run's start and finish),
    escaped bugs (fix commits since the last release touching files it shipped), scope creep
    (unplanned files, tasks added after planning), red checkpoints and fix attempts. Every
    Five Whys answers all five layers; a fix or action that only says "be more careful" is
    rejected with the reason (exit 2, nothing written).
    """
    from ygs.ship import retro as retros

    project = _project()
    if facts_only:
        data = retros.facts(project)
        return emit(data, lambda _c: plain(data["estimation_line"]))
    result = retros.run(
        project, _run(answers, resume, replay, force, offline, backend, max_cost), title
    )
    return _report(result, lambda: plain(f"  facts: {result['facts']['estimation_line']}"))


def learn(
    title: Annotated[
        str | None, typer.Argument(help="The work it comes from, in a few words.")
    ] = None,
    from_run: Annotated[
        str | None,
        typer.Option(
            "--from-run", metavar="RUN", help="Draft it from a run's artifacts (.ygs/runs/RUN)."
        ),
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Record what this piece of work taught about the repository: docs/learnings/
    YYYY-MM-DD-slug.md, lessons in the seven categories (Edge Case, Integration Gotcha,
    Performance Cliff, Security Trap, Process Friction, Domain Rule, Tooling Quirk).

    Search first (`ygs learnings search TERM`). With --from-run RUN the answers are drafted
    from the run: its task, checkpoints, red test runs, unplanned files and deviations.
    """
    from ygs.ship import learn as learning

    run = _run(answers, resume, replay, force, offline, backend, max_cost)
    return _report(learning.run(_project(), run, title, from_run))


def learnings_search(
    term: Annotated[list[str], typer.Argument(metavar="TERM", help="Words to search for.")],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only learning, adr, retro or deviation (repeatable)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="Results to show.")] = 20,
) -> int:
    """Ranked full-text search (SQLite FTS5) over the learnings, ADRs, retros and the
    Deviation: lines of task execution logs.

    The index (.ygs/cache/learnings.sqlite) is brought up to date first: changed files are
    read again. Stale entries (not reviewed for learn.stale_days days, default 180, or
    superseded) are marked and ranked after active ones. An unparsable learning exits 2
    with file:line.
    """
    from datetime import date

    from ygs.ship import learnings as index

    project = _project()
    kinds = tuple(k.strip().lower() for k in kind or ())
    bad = [k for k in kinds if k not in ("learning", "adr", "retro", "deviation")]
    if bad:
        raise YgsError(f"--kind {bad[0]}", remedy="learning, adr, retro or deviation")
    text = " ".join(term)
    connection = index.open_index(project.root)
    try:
        counts = index.refresh(connection, project.root, project.layout.docs, project.layout.tasks)
        stale_days = int(project.config["learn.stale_days"])
        results = index.search(
            connection, text, stale_days=stale_days, today=date.today(), limit=limit, kinds=kinds
        )
    finally:
        connection.close()
    data = {
        "query": text,
        "results": results,
        "count": len(results),
        "stale_days": stale_days,
        "index": counts,
    }

    def human(console) -> None:
        if not results:
            plain(f"nothing found for '{text}' in {counts['files']} file(s)")
        for r in results:
            mark = " (stale)" if r["stale"] else ""
            plain(f"{r['rank']:>2}. {r['title']}{mark}  {r['path']}:{r['line']}")
            plain(f"    {r['snippet']}")

    return emit(data, human)


def handoff(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            metavar="FILE|-",
            help="Summary, decisions, next_step, risks, questions, … (YAML).",
        ),
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="Print the newest handoff.")] = False,
    force: Force = False,
) -> int:
    """Write the state of the work for the next session to docs/handoffs/YYYY-MM-DD-slug.md:
    branch, commit, the open run's task and last checkpoint, touched files, failing tests,
    open tasks with a next action each, deviations, and the one next step (from the answers,
    else what `ygs status` suggests). `ygs handoff --latest` prints the newest one, for an
    agent's first turn.
    """
    from ygs.ship import handoff as handoffs

    project = _project()
    if latest:
        data = handoffs.latest(project)
        return emit(data, lambda _c: plain(data["text"]))
    given = _yaml_answers(answers)
    data = handoffs.write(project, given, force=force)
    return emit(data, lambda _c: plain(f"Wrote {data['path']}.\nNext step: {data['next_step']}"))


def _yaml_answers(source: str | None) -> dict:
    if source is None:
        return {}
    from ygs.core import yamltext
    from ygs.store import read_source

    name, text = read_source(source, opts().cwd)
    try:
        data = yamltext.load(text)
    except yamltext.YamlError as err:
        raise YgsError(err.message, path=name, line=err.line, remedy="fix the YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YgsError("the answers must be a YAML mapping", path=name, line=1)
    return data


def triage(
    number: Annotated[
        int | None, typer.Argument(metavar="[N]", help="The GitHub issue number.")
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help="bug or enhancement.")] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="needs-triage, needs-info, ready-for-agent, ready-for-human or wontfix "
            "(applies labels).",
        ),
    ] = None,
    comment: Annotated[
        str | None,
        typer.Option("--comment", metavar="FILE|-", help="A comment to post (- for stdin)."),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Triage this text instead of a GitHub issue.")
    ] = None,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Without N: the queue of open issues to triage (no state label, needs-triage, or
    needs-info with the reporter's reply), with matching .out-of-scope/ records.

    With N (or --text): a severity (MUST/SHOULD/MAY) and the affected REQ (named in the
    issue, else the requirement sharing most words; a model judges when configured), and a
    backlog task with `satisfies` filled (not for needs-info, needs-triage or wontfix). With
    --state, one category label and one state label are set on the issue (the old state
    removed) and --comment is posted. Needs `gh`, logged in, for issues.
    """
    from ygs.ship import triage as triaging

    project = _project()
    if number is None and text is None:
        if category or state or comment:
            raise YgsError("--category, --state and --comment need an issue number or --text")
        data = triaging.queue(project)
        return emit(
            data,
            lambda _c: plain(
                "\n".join(f"#{i['number']} {i['title']}" for i in data["issues"])
                or "nothing to triage"
            ),
        )
    if category is None:
        raise YgsError("--category is needed", remedy="--category bug or --category enhancement")
    body = None
    if comment is not None:
        from ygs.store import read_source

        _, body = read_source(comment, opts().cwd)
    data = triaging.triage_one(
        project,
        number=number,
        text=text,
        category=category.strip().lower(),
        state=state.strip().lower() if state else None,
        comment=body,
        offline=offline,
        backend=backend,
        max_cost=max_cost,
    )

    def human(console) -> None:
        plain(f"{data['issue']}: {data['category']}, {data['severity']} ({data['severity_why']})")
        plain(f"  requirement: {data['requirement'] or 'none'} ({data['requirement_why']})")
        if data["task"]:
            verb = "created" if data["task"]["created"] else "exists"
            plain(f"  task {data['task']['id']} {verb}: {data['task']['path']}")

    return emit(data, human)
