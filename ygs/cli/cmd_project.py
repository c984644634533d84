"""Project commands: init, status, artifacts, next-id, doctor."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, opts
from ygs.errors import Exit, YgsError


def project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _input_errors(catalog) -> int:
    """Listing commands still list, but bad input (malformed, not UTF-8) exits 2."""
    return Exit.USAGE if catalog.input_errors else Exit.OK


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("artifacts")(artifacts)
    app.command("next-id")(next_id)
    app.command("doctor")(doctor)


def init(
    path: Annotated[
        Path | None, typer.Argument(help="Folder to set up (created if missing; default: here).")
    ] = None,
) -> int:
    """Create docs/, tasks/, CONTEXT.md and .ygs/config.yaml with detected commands.

    Safe to run again: what exists is kept, nothing is overwritten.
    """
    from ygs.init import init as run_init
    from ygs.project import Project, find_root

    start = (opts().cwd / path if path is not None else opts().cwd).resolve()
    if path is not None and not start.exists():
        start.mkdir(parents=True)
    if not start.is_dir():
        raise YgsError(f"{start} is not a folder", path=str(start))
    root = (
        find_root(start) if any((p / ".ygs").is_dir() for p in (start, *start.parents)) else start
    )
    layout = Project.at(root).layout if (root / ".ygs" / "config.yaml").is_file() else None
    report = run_init(root, *(() if layout is None else (layout.docs, layout.tasks)))
    from ygs.project import foreign_specs

    foreign = foreign_specs(root)

    def human(console) -> None:
        if not report.git:
            console.print(
                "Not a git repository: docs-only use works; git features need `git init`."
            )
        for item in report.created:
            console.print(f"  created  {item}")
        for item in report.updated:
            console.print(f"  updated  {item}")
        if not report.created and not report.updated:
            console.print("Already initialised: nothing changed.")
        console.print(
            f"languages: {', '.join(report.detected.languages) or 'none detected'}; "
            f"test: {report.detected.test or 'not detected'}; "
            f"build: {report.detected.build or 'not detected'}; base branch: {report.base_branch}"
        )
        for note in report.detected.notes:
            console.print(f"  note: {note}")
        for item in foreign:
            console.print(f"found {item['format']} specs in {item['where']}: {item['detail']}")
        if foreign:
            console.print(f"Next: {foreign[0]['next']}", markup=False)
        else:
            console.print("Next: `ygs refine-prd` to write the first PRD.")

    return emit({**report.to_dict(), "foreign_specs": foreign}, human)


def status() -> int:
    """The dashboard: artifacts, tasks by folder and wave, blocked tasks, traceability
    coverage, open threats, the last review verdict, and the next skill to run."""
    proj = project()
    catalog = proj.catalog
    data = _status_data(proj, catalog)

    def human(console) -> None:
        _status_human(console, proj, catalog, data)

    return emit(data, human, _input_errors(catalog))


def _status_data(proj, catalog) -> dict:
    import dataclasses

    from ygs.cli.cmd_check import build_trace
    from ygs.core import lifecycle
    from ygs.core import trace as tr
    from ygs.core.specs import Index

    graph, _ = build_trace(proj, catalog, Index(catalog), with_commits=False)
    coverage = tr.coverage(graph)
    review = _last_review(proj.root)
    open_threats = [t for t in graph.threats if t.status == "open"]
    signals = lifecycle.Signals(
        must_without_task=tuple(
            r.id
            for r in graph.requirements
            if r.gated and tr.gated_as_must(r.priority) and not r.tasks
        ),
        must_without_test=tuple(
            r.id
            for r in graph.requirements
            if r.gated and tr.gated_as_must(r.priority) and not r.tests
        ),
        open_high_unplanned=tuple(
            t.id for t in open_threats if t.priority == "High" and not t.tasks
        ),
        review_verdict=str(review.get("verdict", "")) if review else "",
        review_must=int((review.get("counts") or {}).get("MUST", 0)) if review else 0,
    )
    plan = _plan(catalog)
    if plan.cycles:
        signals = dataclasses.replace(signals, cycle=tuple(plan.cycles[0]))
    nxt = lifecycle.suggest(catalog, signals)
    data = {
        "root": str(proj.root),
        "initialised": proj.initialised,
        "artifacts": lifecycle.counts(catalog),
        "formats": _formats(catalog),
        "tasks": lifecycle.tasks_by_folder(catalog),
        "waves": lifecycle.waves(catalog, plan.waves),
        "plan": {
            "critical_path": plan.critical_path,
            "critical_weight": round(plan.critical_weight, 3),
            "ready": plan.ready,
            "next_ready": plan.ready[0] if plan.ready else None,
            "cycles": plan.cycles,
            "bottlenecks": plan.bottlenecks,
        },
        "blocked": [{"id": i, "waiting_on": w} for i, w in lifecycle.blocked(catalog)],
        "traceability": coverage,
        "open_threats": [
            {"id": t.id, "priority": t.priority, "path": t.path, "line": t.line, "threat": t.threat}
            for t in open_threats
        ],
        "last_review": review,
        "problems": [f.to_dict() for f in catalog.findings],
        "assumptions": _assumptions(catalog),
        "next": {"skill": nxt.skill, "command": nxt.command, "reason": nxt.reason},
    }
    return data


def _assumptions(catalog) -> dict[str, int]:
    """Lines still marked [assumed], per document (ygs.core.assumptions)."""
    from ygs.core.assumptions import lines

    found = {a.path: len(lines(a.body)) for a in catalog.artifacts}
    return {path: n for path, n in found.items() if n}


def _plan(catalog):
    """The computed plan graph of the task files (waves, critical path, ready tasks)."""
    from ygs.core import plan_graph
    from ygs.plan import tasks as store

    return plan_graph.analyse(store.nodes(catalog))


def _formats(catalog) -> dict[str, int]:
    """Documents by format: ygs, openspec, spec-kit, nygard, madr."""
    found: dict[str, int] = {}
    for artifact in catalog.artifacts:
        found[artifact.format] = found.get(artifact.format, 0) + 1
    return dict(sorted(found.items()))


LAST_REVIEW = ".ygs/runs/last-review.json"


def _last_review(root) -> dict | None:
    """The verdict `ygs review` recorded last, or None; unreadable files are reported."""
    import json

    from ygs.store import Unreadable, read_bytes

    path = root / LAST_REVIEW
    if not path.is_file():
        return None
    try:
        value = json.loads(read_bytes(path, limit=1_000_000).decode("utf-8"))
    except Unreadable as err:
        return {"error": f"{LAST_REVIEW} {err.message}"}
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        return {"error": f"{LAST_REVIEW} is unreadable: {type(err).__name__}"}
    if not isinstance(value, dict) or "verdict" not in value:
        return {"error": f"{LAST_REVIEW} has no verdict"}
    return value


def _status_lines(data: dict) -> list[tuple[str, list[str]]]:
    """(title, lines) blocks: the same content as rich panels or as plain text."""
    blocks = []
    tasks = data["tasks"]
    task_lines = ["by folder: " + ", ".join(f"{k} {v}" for k, v in tasks.items())]
    for wave, row in data["waves"].items():
        task_lines.append(f"wave {wave}: " + ", ".join(f"{k} {v}" for k, v in row.items() if v))
    plan = data["plan"]
    if plan["critical_path"]:
        task_lines.append("critical path: " + " → ".join(plan["critical_path"]))
    if plan["ready"]:
        task_lines.append(
            "ready: " + ", ".join(plan["ready"][:8]) + ("…" if len(plan["ready"]) > 8 else "")
        )
    for cycle in plan["cycles"]:
        task_lines.append("cycle: " + " → ".join(cycle) + " (`ygs wbs plan`)")
    for item in data["blocked"]:
        task_lines.append(f"blocked: {item['id']} waits on {', '.join(item['waiting_on'])}")
    blocks.append(("Tasks", task_lines))
    c = data["traceability"]
    if c["requirements"] or c["threats"]:
        trace_lines = _coverage_lines(c)
    else:
        trace_lines = ["no requirements yet"]
    blocks.append(("Traceability", trace_lines))
    threats = [f"{t['id']} ({t['priority']}): {t['threat']}" for t in data["open_threats"]]
    blocks.append(("Open threats", threats or ["none"]))
    assumed = data["assumptions"]
    blocks.append(
        (
            "Assumptions",
            [f"{path}: {n} line(s) marked [assumed]" for path, n in assumed.items()] or ["none"],
        )
    )
    review = data["last_review"]
    if review is None:
        review_lines = ["no review yet (`ygs review`)"]
    elif "error" in review:
        review_lines = [review["error"]]
    else:
        counts = review.get("counts") or {}
        shown = ", ".join(f"{k} {v}" for k, v in counts.items()) if isinstance(counts, dict) else ""
        review_lines = [f"{review['verdict']} ({shown}) at {review.get('time', '?')}"]
    blocks.append(("Last review", review_lines))
    return blocks


def _coverage_lines(c: dict) -> list[str]:
    def pct(share: dict) -> str:
        value = share["percent"]
        return f"{share['count']}/{share['total']}" + ("" if value is None else f" ({value:.0f}%)")

    lines = []
    if c["requirements"]:
        lines.append(
            f"MUST requirements with a task {pct(c['must_with_task'])}, "
            f"with a test {pct(c['must_with_test'])}"
        )
        lines.append(
            f"requirements with a decision {pct(c['with_decision'])}, "
            f"task {pct(c['with_task'])}, test {pct(c['with_test'])}"
        )
    if c["threats"]:
        lines.append(
            f"threats mitigated {pct(c['threats_mitigated'])}, with a test "
            f"{pct(c['threats_with_test'])}; open {c['open_threats']} "
            f"({c['open_high_threats']} High)"
        )
    return lines


def _status_human(console, proj, catalog, data: dict) -> None:
    from ygs.cli.render import findings, table

    if not proj.initialised:
        console.print(f"{proj.root}: not initialised (run `ygs init`).", markup=False)
    counts = data["artifacts"]
    rows = [(kind, ", ".join(f"{s} {n}" for s, n in by.items())) for kind, by in counts.items()]
    if rows:
        table(console, ("type", "status"), rows, title="Artifacts")
        foreign = {k: v for k, v in data["formats"].items() if k != "ygs"}
        if foreign:
            shown = ", ".join(f"{k} {v}" for k, v in foreign.items())
            console.print(f"Read in place: {shown} document(s)", markup=False)
    else:
        console.print("No artifacts yet.")
    blocks = _status_lines(data)
    if console.is_terminal:
        from rich.panel import Panel
        from rich.text import Text

        for title, lines in blocks:
            console.print(Panel(Text("\n".join(lines)), title=title, title_align="left"))
    else:
        for title, lines in blocks:
            console.print(f"{title}:", markup=False)
            for line in lines:
                console.print(f"  {line}", markup=False)
    findings(console, catalog.findings)
    nxt = data["next"]
    console.print(f"Next: {nxt['command']}  ({nxt['reason']})", markup=False)


def artifacts(
    kind: Annotated[
        str | None, typer.Option("--type", "-t", help="Only this type (prd, trd, adr, task, …).")
    ] = None,
) -> int:
    """List every artifact with its type, id, status and path (nested folders included)."""
    from ygs.core.artifacts import KINDS
    from ygs.core.formats import FOREIGN_KINDS

    if kind is not None and kind not in KINDS and kind not in FOREIGN_KINDS:
        known = [*KINDS, *FOREIGN_KINDS]
        raise YgsError(f"unknown artifact type '{kind}'", remedy=f"one of: {', '.join(known)}")
    catalog = project().catalog
    items = [a for a in catalog.artifacts if kind is None or a.kind == kind]
    data = {
        "artifacts": [a.summary() for a in items],
        "problems": [f.to_dict() for f in catalog.findings],
    }

    def human(console) -> None:
        from ygs.cli.render import findings, table

        rows = [(a.kind, a.format, a.id, a.status, a.path) for a in items]
        table(console, ("type", "format", "id", "status", "path"), rows)
        findings(console, catalog.findings)

    return emit(data, human, _input_errors(catalog))


def next_id(
    prefix: Annotated[str, typer.Argument(help="REQ, ADR, TASK, THR or MIT.")],
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=1000, help="How many ids to hand out.")
    ] = 1,
) -> int:
    """Hand out the next free id: max + 1 over every id used anywhere in the project.

    The id is reserved (in .ygs/reserved-ids.json) until a file uses it, so parallel runs
    and agents never get the same one, even when they write the file later.
    """
    from ygs.store import allocate

    ids = allocate(project(), prefix, count, by="next-id")
    data = {"prefix": ids[0].split("-")[0], "id": ids[0], "ids": ids}
    return emit(data, lambda console: console.print("\n".join(ids), markup=False))


def doctor() -> int:
    """Check the machine and the project, with a remedy for each problem."""
    from ygs.doctor import run_checks

    checks = run_checks(opts().cwd)
    failed = any(c.status == "fail" for c in checks)

    def human(console) -> None:
        marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "info": "    "}
        for c in checks:
            console.print(f"{marks[c.status]}  {c.name}: {c.detail}", markup=False)
            if c.remedy and c.status in ("warn", "fail"):
                console.print(f"        remedy: {c.remedy}", markup=False)

    return emit(
        {"checks": [c.__dict__ for c in checks]}, human, Exit.FINDINGS if failed else Exit.OK
    )
