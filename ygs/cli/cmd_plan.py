"""Planning commands: `ygs wbs` (and `wbs plan`), `ygs estimate` (and `estimate calc`),
`ygs spike` (and `spike close`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from ygs.cli.cmd_interview import Answers, Backend, MaxCost, Offline, Replay, Resume
from ygs.cli.output import emit, log, opts
from ygs.errors import Exit, YgsError

PLAN_FORMATS = ("table", "json", "mermaid", "markdown")


class DefaultGroup(TyperGroup):
    """A group whose first word may be an argument of its default command:
    `ygs wbs docs/trd/x.md` runs `wbs write`, `ygs wbs plan` runs `plan`."""

    default = "run"

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = [self.default, *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx, formatter) -> None:
        command = self.commands.get(self.default)
        if command is not None:
            params = [p for p in command.get_params(ctx) if p.name != "help"]
            rows = [r for p in params if (r := p.get_help_record(ctx))]
        if command is not None and rows:
            pieces = [p for p in command.collect_usage_pieces(ctx) if p != "[OPTIONS]"]
            with formatter.section(f"{ctx.command_path} {' '.join(pieces)} [OPTIONS]"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)

    def list_commands(self, ctx):
        return [c for c in super().list_commands(ctx) if c != self.default]


def _group(name: str, help_text: str, default) -> typer.Typer:
    """A command group whose help also explains its default command."""
    import inspect

    body = inspect.cleandoc(default.__doc__ or "")
    group = typer.Typer(help=f"{help_text}\n\n{body}", cls=DefaultGroup, no_args_is_help=False)

    @group.callback(invoke_without_command=True)
    def _callback(ctx: typer.Context) -> None:
        sub = ctx.invoked_subcommand
        opts().command = name if sub in (None, DefaultGroup.default) else f"{name} {sub}"

    return group


def register(app: typer.Typer) -> None:
    wbs = _group(
        "wbs",
        "Plan: `ygs wbs [PRD|TRD]` drafts tasks and writes them; `ygs wbs plan` computes "
        "waves, cycles, the critical path and bottlenecks.",
        wbs_run,
    )
    wbs.command(DefaultGroup.default, hidden=True)(wbs_run)
    wbs.command("plan")(wbs_plan)
    app.add_typer(wbs, name="wbs")
    estimate = _group(
        "estimate",
        "Estimate: `ygs estimate [PRD|TRD|FEATURE]` writes docs/estimates/…; `ygs estimate "
        "calc` does the arithmetic (PERT, multipliers, capacity, Monte Carlo).",
        estimate_run,
    )
    estimate.command(DefaultGroup.default, hidden=True)(estimate_run)
    estimate.command("calc")(estimate_calc)
    app.add_typer(estimate, name="estimate")
    spike = _group(
        "spike",
        'Spike: `ygs spike "question"` opens a time-boxed spike on its own branch; '
        "`ygs spike close` records the verdict.",
        spike_run,
    )
    spike.command(DefaultGroup.default, hidden=True)(spike_run)
    spike.command("close")(spike_close)
    app.add_typer(spike, name="spike")


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


# --- ygs wbs ----------------------------------------------------------------------------------

FromFile = Annotated[
    Path | None,
    typer.Option("--from", help="A decomposition file (.ygs/wbs/<slug>.yaml) instead of a draft."),
]


def wbs_plan(
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="Check a decomposition file before it is written."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, mermaid or markdown.")
    ] = "table",
    write: Annotated[
        bool, typer.Option("--write", help="Store the computed wave and size in each task file.")
    ] = False,
) -> int:
    """Compute the plan graph: waves, ready tasks, the critical path with slack, bottlenecks
    (3+ dependents), peak parallelism, split signals and coverage.

    Works on every task file, or on a decomposition file before it is written (--from).
    Exit 1 on a dependency cycle (printed as a path) or an unknown dependency.
    """
    from ygs.core import plan_render
    from ygs.plan import wbs

    if fmt not in PLAN_FORMATS:
        raise YgsError(f"unknown --format '{fmt}'", remedy=f"one of: {', '.join(PLAN_FORMATS)}")
    proj = _project()
    if from_file is not None:
        if write:
            raise YgsError(
                "--write works on task files, not on a decomposition",
                remedy="write the tasks with `ygs wbs --from FILE` (it stores waves too)",
            )
        decomposition = wbs.read_decomposition(opts().cwd / from_file, str(from_file))
        analysis = wbs.analyse_decomposition(proj, decomposition)
    else:
        _refuse_bad_tasks(proj)
        analysis = wbs.analyse_tasks(proj)
    changed = wbs.write_waves(proj, analysis) if write else []
    data = analysis.to_dict()
    data["written"] = changed
    code = Exit.OK if analysis.ok() else Exit.FINDINGS
    if fmt == "json":
        opts().json = True
    if fmt in ("mermaid", "markdown") and not opts().json:
        text = plan_render.mermaid(analysis) if fmt == "mermaid" else plan_render.markdown(analysis)
        return emit(data, lambda console: console.print(text, markup=False, end=""), code)
    return emit(data, lambda console: _plan_table(console, analysis, changed), code)


def _refuse_bad_tasks(proj) -> None:
    """Malformed task frontmatter is bad input: exit 2 with file:line, nothing computed."""
    bad = [f for f in proj.catalog.input_errors if f.path.startswith(proj.layout.tasks + "/")]
    if bad:
        first = bad[0]
        raise YgsError(
            first.message,
            path=first.path,
            line=first.line,
            remedy=first.remedy,
            details=[str(f) for f in bad[1:]],
        )


def _plan_table(console, analysis, changed: list[str]) -> None:
    from ygs.cli.render import table
    from ygs.core import plan_render

    if not analysis.nodes:
        console.print("No tasks yet: `ygs wbs` drafts them, `ygs task new` adds one.")
        return
    table(console, plan_render.COLUMNS, plan_render.rows(analysis), title="Plan (* critical path)")
    for line in plan_render.summary(analysis):
        console.print(line, markup=False)
    if changed:
        console.print(f"wrote wave/size in {len(changed)} task file(s)", markup=False)


def wbs_run(
    source: Annotated[
        str | None, typer.Argument(metavar="[PRD|TRD]", help="What to decompose (id or path).")
    ] = None,
    from_file: FromFile = None,
    answers: Answers = None,
    resume: Resume = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the tasks that would be written; write none.")
    ] = False,
) -> int:
    """Break a PRD or TRD into task files: tasks/backlog/TASK-NNN-slug.md.

    Offline, ygs drafts one vertical-slice task per requirement (or per TRD decision group)
    and walks you through it (skills/ygs-wbs/interview.yaml; --answers FILE for no prompts).
    With a model, the model proposes the decomposition and ygs checks it (known REQ ids, no
    cycle, no heavy task; at most 2 repairs, then exit 5). With --from FILE the
    decomposition file is written as is. ygs allocates the ids, computes sizes and waves,
    then prints the plan.
    """
    from ygs.plan import wbs

    proj = _project()
    if from_file is not None:
        decomposition = wbs.read_decomposition(opts().cwd / from_file, str(from_file))
        name, prompter, saved = Path(from_file).stem, None, str(from_file)
    else:
        src = wbs.source_artifact(proj, source)
        found = _decompose(proj, src, answers, resume, offline, backend, max_cost)
        if found is None:
            message = f"Every requirement of {src.id} already has a task: `ygs wbs plan`."
            return emit(
                {"written": [], "tasks": [], "decomposition": "", "plan": None},
                lambda console: console.print(message, markup=False),
            )
        decomposition, name, prompter = found
        saved = ""
    from ygs.store import release

    planned = wbs.materialise(proj, decomposition)
    if dry_run:
        release(proj, [p.id for p in planned])  # shown, not written: the ids stay free
        return _report_planned(planned, [], "", None)
    if prompter is not None and not prompter.confirm(
        _planned_text(planned), [], f"{len(planned)} task file(s)"
    ):
        release(proj, [p.id for p in planned])
        return emit({"written": [], "tasks": []}, lambda c: c.print("Nothing written."), Exit.OK)
    from ygs.core.artifacts import slugify

    if not saved:
        saved = wbs.save_decomposition(proj, decomposition, slugify(name, 50))
    written = wbs.write_tasks(proj, planned)
    fresh = _project()
    analysis = wbs.analyse_tasks(fresh)
    wbs.write_waves(fresh, analysis)
    return _report_planned(planned, written, saved, analysis)


def _decompose(proj, src, answers, resume, offline, backend, max_cost):
    from ygs import llm
    from ygs.plan import wbs

    session = llm.connect(
        proj,
        backend=backend,
        offline=offline or answers is not None,
        max_cost=max_cost,
        run_dir=llm.run_dir(proj.root, "wbs"),
    )
    if session is None:
        draft = wbs.draft(proj, src)
        if draft is None:
            return None
        log(f"drafted {len(draft.entries)} task(s) from {src.path}; review them one by one")
        return wbs.review_draft(proj, draft, src, answers, resume)
    log(f"model: {session.backend.name}; asking for a decomposition of {src.path}")
    from ygs.llm.context import summary

    proposal = wbs.propose(proj, src, session, summary(proj.root, proj.catalog))
    return proposal, src.title, wbs.prompter_for(answers)


def _planned_text(planned) -> str:
    lines = [f"{len(planned)} task(s) to write:"]
    for item in planned:
        meta = item.meta
        deps = ", ".join(meta["depends_on"]) or "-"
        lines.append(
            f"  {item.id}  wave {meta['wave']}  {meta['priority']}  {meta['size']}  "
            f"{item.answers['title']}  (depends on {deps}; satisfies "
            f"{', '.join(meta['satisfies']) or '-'})"
        )
    return "\n".join(lines)


def _report_planned(planned, written, saved, analysis) -> int:
    data = {
        "written": written,
        "decomposition": saved,
        "tasks": [
            {"key": p.key, "id": p.id, "path": p.path, **{k: p.meta[k] for k in ("wave", "size")}}
            for p in planned
        ],
        "plan": analysis.to_dict() if analysis is not None else None,
    }

    def human(console) -> None:
        console.print(_planned_text(planned), markup=False)
        if not written:
            console.print("Dry run: nothing written.", markup=False)
            return
        console.print(f"Wrote {len(written)} task file(s); decomposition kept in {saved}.")
        if analysis is not None:
            _plan_table(console, analysis, [])
        console.print("Next: `ygs check tasks`, `ygs trace --gate`, then `ygs implement`.")

    return emit(data, human)


# --- ygs estimate -----------------------------------------------------------------------------


def estimate_run(
    subject: Annotated[
        str | None,
        typer.Argument(
            metavar="[PRD|TRD|FEATURE]", help="What to estimate: an id, or a few words."
        ),
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Interview for an estimate and write docs/estimates/YYYY-MM-DD-slug.md.

    Every number in the report is computed (the arithmetic of `ygs estimate calc`); none is
    typed by a person or a model. --answers FILE runs it without prompts.
    """
    from ygs.cli.cmd_interview import Run, _interview
    from ygs.interview.engine import Spec

    proj = _project()
    source = None
    if subject:
        found = proj.catalog.find(subject)
        source = found if found is not None and found.kind in ("prd", "trd") else None
    links = {}
    if source is not None:
        links["prd"] = source.id if source.kind == "prd" else str(source.meta.get("prd") or "")
    run = Run(answers, resume, replay, force, offline, backend, max_cost)
    idea = source.title if source is not None else (subject or "")
    return _interview(
        Spec("ygs-estimate", "estimate", {k: v for k, v in links.items() if v}),
        run,
        idea=idea,
        source=source,
    )


def estimate_calc(
    best: Annotated[float | None, typer.Option("--best", help="Best case, engineer-days.")] = None,
    likely: Annotated[
        float | None, typer.Option("--likely", help="Most likely, engineer-days.")
    ] = None,
    worst: Annotated[
        float | None, typer.Option("--worst", help="Worst case, engineer-days.")
    ] = None,
    skewed: Annotated[
        bool, typer.Option("--skewed", help="Shaky likely value: (B + 3M + 2W) / 6.")
    ] = False,
    new_tech: Annotated[bool, typer.Option("--new-tech", help="New technology: ×1.5.")] = False,
    external_dep: Annotated[
        bool, typer.Option("--external-dep", help="External dependency: ×1.5 (both: ×2).")
    ] = False,
    unclear: Annotated[bool, typer.Option("--unclear", help="Unclear requirements: ×1.3.")] = False,
    legacy: Annotated[bool, typer.Option("--legacy", help="Legacy code: ×1.3.")] = False,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            help="What the numbers cover, for forgotten work: code-only, code-and-tests or all.",
        ),
    ] = None,
    tests_pct: Annotated[
        float | None, typer.Option("--tests-pct", help="Tests, % of code.")
    ] = None,
    services: Annotated[float | None, typer.Option("--services", help="Services deployed.")] = None,
    components: Annotated[
        float | None, typer.Option("--components", help="Components to observe.")
    ] = None,
    runbooks: Annotated[float | None, typer.Option("--runbooks", help="Runbooks to write.")] = None,
    migration_days: Annotated[
        float | None, typer.Option("--migration-days", help="Data migrations, days.")
    ] = None,
    security_days: Annotated[
        float | None, typer.Option("--security-days", help="Security fixes, days.")
    ] = None,
    docs_days: Annotated[
        float | None, typer.Option("--docs-days", help="Documentation, days.")
    ] = None,
    feature_pct: Annotated[
        float | None, typer.Option("--feature-pct", help="Feature work share, %.")
    ] = None,
    ktlo_pct: Annotated[float | None, typer.Option("--ktlo-pct", help="KTLO share, %.")] = None,
    oncall_pct: Annotated[
        float | None, typer.Option("--oncall-pct", help="On-call share, %.")
    ] = None,
    vacation_pct: Annotated[
        float | None, typer.Option("--vacation-pct", help="Vacation share, %.")
    ] = None,
    meetings_pct: Annotated[
        float | None, typer.Option("--meetings-pct", help="Meetings share, %.")
    ] = None,
    new_team_pct: Annotated[
        float | None, typer.Option("--new-team-pct", help="A new team's share of steady capacity.")
    ] = None,
    team: Annotated[float, typer.Option("--team", help="Engineers, for calendar weeks.")] = 1.0,
    samples: Annotated[
        int, typer.Option("--samples", help="Monte Carlo samples (task mode).")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Monte Carlo seed: same seed, same result.")
    ] = 0,
    triangular: Annotated[
        bool, typer.Option("--triangular", help="Triangular draws instead of PERT-beta.")
    ] = False,
) -> int:
    """Deterministic estimation arithmetic; --json returns every intermediate number.

    With --best/--likely/--worst: one feature's three-point estimate, t-shirt size,
    multipliers, forgotten work (--scope) and calendar weeks for --team at the capacity
    (flags, else config team.capacity, else 55% feature work). Without them: every remaining
    task's `estimate:` from its frontmatter, the critical path, and a seeded Monte Carlo over
    the dependency graph (P50/P85/P95 engineer-days and calendar weeks).
    """
    from ygs.plan import estimate as calc

    scopes = {
        "code-only": "code only",
        "code-and-tests": "code and tests",
        "all": "everything needed to ship",
    }
    if scope is not None and scope not in scopes:
        raise YgsError(f"unknown --scope '{scope}'", remedy=f"one of: {', '.join(scopes)}")
    forgotten = {
        "tests_pct": tests_pct,
        "services": services,
        "observed_components": components,
        "runbooks": runbooks,
        "migration_days": migration_days,
        "security_days": security_days,
        "docs_days": docs_days,
    }
    shares = {
        "feature": feature_pct,
        "ktlo": ktlo_pct,
        "oncall": oncall_pct,
        "vacation": vacation_pct,
        "meetings": meetings_pct,
    }
    inputs = calc.Inputs(
        best=best,
        likely=likely,
        worst=worst,
        skewed=skewed,
        new_tech=new_tech,
        external_dep=external_dep,
        unclear=unclear,
        legacy=legacy,
        scope=scopes.get(scope or ""),
        forgotten={k: v for k, v in forgotten.items() if v is not None},
        shares={k: v for k, v in shares.items() if v is not None},
        new_team_pct=new_team_pct,
        team=team,
        samples=samples,
        seed=seed,
        distribution="triangular" if triangular else "pert",
    )
    if inputs.single:
        config = _config_or_none()
        data = calc.single(inputs, config)
        return emit(data, lambda console: _calc_human(console, data))
    data = calc.from_tasks(_project(), inputs)
    return emit(data, lambda console: _tasks_human(console, data))


def _config_or_none():
    from ygs.project import Project

    try:
        proj = Project.at(opts().cwd)
        return proj.config if proj.initialised else None
    except YgsError:
        return None


def _d(value: float) -> str:
    return f"{value:.1f}"


def _calc_human(console, data: dict) -> None:
    e = data["estimate"]
    out = [
        f"three-point {e['formula']}: {_d(e['expected_raw'])} d; ×{e['multiplier']:g} → "
        f"expected {_d(e['expected'])} d ± {_d(e['spread'])}",
        f"range {_d(e['range'][0])}-{_d(e['range'][1])} d; tail {_d(e['tail'])} d; "
        f"t-shirt {e['tshirt']}" + (" (decompose first)" if e["decompose"] else ""),
    ]
    if "forgotten" in data:
        f = data["forgotten"]
        out.append(f"forgotten work +{_d(f['added'])} d ({f['rule']}): total {_d(f['total'])} d")
    c, w = data["capacity"], data["calendar"]
    out.append(
        f"calendar with {w['engineers']:g} engineer(s) at {c['effective_pct']:g}% feature "
        f"capacity: {_d(w['expected_weeks'])} weeks ({_d(w['range_weeks'][0])}-"
        f"{_d(w['range_weeks'][1])}); tail {_d(w['tail_weeks'])} weeks"
    )
    out += [f"warning: {m}" for m in c["warnings"]]
    for line in out:
        console.print(line, markup=False)


def _tasks_human(console, data: dict) -> None:
    from ygs.cli.render import table

    rows = [
        (r["task"], r["title"][:40], _d(r["expected"]), f"{_d(r['range'][0])}-{_d(r['range'][1])}")
        for r in data["tasks"]
    ]
    table(console, ("task", "title", "expected d", "range d"), rows, title="Task estimates")
    mc = data["monte_carlo"]
    e, s, w = mc["effort_days"], mc["span_days"], mc["calendar_weeks"]
    lines = [
        f"total expected {_d(data['total_expected_days'])} engineer-days over {len(rows)} task(s)",
        f"Monte Carlo ({mc['samples']:,} samples, {mc['distribution']}, seed {mc['seed']}):",
        f"  effort   P50 {_d(e['p50'])}  P85 {_d(e['p85'])}  P95 {_d(e['p95'])} engineer-days",
        f"  longest dependency chain P50 {_d(s['p50'])}  P95 {_d(s['p95'])} days",
        f"  calendar P50 {_d(w['p50'])}  P85 {_d(w['p85'])}  P95 {_d(w['p95'])} weeks with "
        f"{mc['team']:g} engineer(s) at {mc['effective_pct']:g}% feature capacity",
    ]
    if data["unestimated"]:
        lines.append("not counted (no estimate): " + ", ".join(data["unestimated"]))
    if data["in_cycles"]:
        lines.append("not counted (in or behind a cycle): " + ", ".join(data["in_cycles"]))
    lines += [f"warning: {m}" for m in data["capacity"]["warnings"]]
    for line in lines:
        console.print(line, markup=False)


# --- ygs spike --------------------------------------------------------------------------------


def spike_run(
    question: Annotated[
        str | None, typer.Argument(help="The one question the spike answers.")
    ] = None,
    timebox: Annotated[
        str | None, typer.Option("--timebox", help="Working days: 2d, 12h, 1w (0.5-5 days).")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="Branch prefix: spike or fafo.")
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
) -> int:
    """Open a time-boxed spike: docs/spikes/YYYY-MM-DD-slug.md (status in-progress, verdict
    open) on a new branch spike/<slug>-<nonce> from HEAD.

    Refuses (exit 3) while tracked files have uncommitted changes: your work is never
    stashed or discarded. Close it with `ygs spike close --verdict …`.
    """
    from ygs.plan import spike as run

    if prefix is not None and prefix not in ("spike", "fafo"):
        raise YgsError(f"unknown --prefix '{prefix}'", remedy="spike or fafo")
    result = run.open_spike(_project(), question, timebox, prefix, answers, resume)

    def human(console) -> None:
        console.print(f"Wrote {result['path']} on branch {result['branch']}.", markup=False)
        console.print(
            f"Time box: {result['time_box_days']:g} working day(s), {result['started']} to "
            f"{result['ends']}. Base branch: {result['base']}.",
            markup=False,
        )
        console.print(
            "Next: build the smallest experiment here, record evidence, then "
            "`ygs spike close --verdict CONFIRMED|REFUTED|INCONCLUSIVE`.",
            markup=False,
        )

    return emit(result, human)


def spike_close(
    slug: Annotated[
        str | None, typer.Argument(metavar="[SLUG]", help="The spike (id, slug or path).")
    ] = None,
    verdict: Annotated[
        str, typer.Option("--verdict", help="CONFIRMED, REFUTED or INCONCLUSIVE.")
    ] = "",
    next_step: Annotated[str | None, typer.Option("--next", help="The next step.")] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Which evidence decides the verdict.")
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="One evidence line (repeatable).")
    ] = None,
    answers: Answers = None,
) -> int:
    """Record the verdict and the evidence, switch back to the starting branch and commit
    only the findings document there. The spike's code is never merged."""
    from ygs.plan import spike as run

    result = run.close_spike(
        _project(), slug, verdict, next_step, reason, tuple(evidence or ()), answers
    )

    def human(console) -> None:
        console.print(
            f"{result['id']}: {result['verdict']}. Findings committed on {result['base']} "
            f"({result['commit'][:12]}); the code stays on {result['branch']}.",
            markup=False,
        )

    return emit(result, human)
