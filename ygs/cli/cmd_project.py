"""Project commands: init, status, artifacts, next-id, doctor."""

from __future__ import annotations

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


def init() -> int:
    """Create docs/, tasks/, CONTEXT.md and .ygs/config.yaml with detected commands.

    Safe to run again: what exists is kept, nothing is overwritten.
    """
    from ygs.init import init as run_init
    from ygs.project import Project, find_root

    start = opts().cwd.resolve()
    if not start.is_dir():
        raise YgsError(f"{start} is not a folder", path=str(start))
    root = (
        find_root(start) if any((p / ".ygs").is_dir() for p in (start, *start.parents)) else start
    )
    layout = Project.at(root).layout if (root / ".ygs" / "config.yaml").is_file() else None
    report = run_init(root, *(() if layout is None else (layout.docs, layout.tasks)))

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
        console.print("Next: `ygs refine-prd` to write the first PRD.")

    return emit(report.to_dict(), human)


def status() -> int:
    """The dashboard: artifacts by type and status, tasks, and the next skill to run."""
    from ygs.core import lifecycle

    proj = project()
    catalog = proj.catalog
    counts = lifecycle.counts(catalog)
    tasks = lifecycle.tasks_by_folder(catalog)
    nxt = lifecycle.suggest(catalog)
    data = {
        "root": str(proj.root),
        "initialised": proj.initialised,
        "artifacts": counts,
        "tasks": tasks,
        "problems": [f.to_dict() for f in catalog.findings],
        "next": {"skill": nxt.skill, "command": nxt.command, "reason": nxt.reason},
    }

    def human(console) -> None:
        from ygs.cli.render import findings, table

        if not proj.initialised:
            console.print(f"{proj.root}: not initialised (run `ygs init`).")
        rows = [(kind, ", ".join(f"{s} {n}" for s, n in by.items())) for kind, by in counts.items()]
        if rows:
            table(console, ("type", "status"), rows, title="Artifacts")
        else:
            console.print("No artifacts yet.")
        console.print("Tasks: " + ", ".join(f"{k} {v}" for k, v in tasks.items()))
        findings(console, catalog.findings)
        console.print(f"Next: {nxt.command}  ({nxt.reason})")

    return emit(data, human, _input_errors(catalog))


def artifacts(
    kind: Annotated[
        str | None, typer.Option("--type", "-t", help="Only this type (prd, trd, adr, task, …).")
    ] = None,
) -> int:
    """List every artifact with its type, id, status and path (nested folders included)."""
    from ygs.core.artifacts import KINDS

    if kind is not None and kind not in KINDS:
        raise YgsError(f"unknown artifact type '{kind}'", remedy=f"one of: {', '.join(KINDS)}")
    catalog = project().catalog
    items = [a for a in catalog.artifacts if kind is None or a.kind == kind]
    data = {
        "artifacts": [a.summary() for a in items],
        "problems": [f.to_dict() for f in catalog.findings],
    }

    def human(console) -> None:
        from ygs.cli.render import findings, table

        rows = [(a.kind, a.id, a.status, a.path) for a in items]
        table(console, ("type", "id", "status", "path"), rows)
        findings(console, catalog.findings)

    return emit(data, human, _input_errors(catalog))


def next_id(
    prefix: Annotated[str, typer.Argument(help="REQ, ADR, TASK, THR or MIT.")],
) -> int:
    """Print the next free id: max + 1 over every id used anywhere in the project."""
    from ygs.core.artifacts import ID_WIDTH
    from ygs.core.artifacts import next_id as allocate

    prefix = prefix.upper().rstrip("-")
    if prefix not in ID_WIDTH:
        raise YgsError(f"unknown id prefix '{prefix}'", remedy=f"one of: {', '.join(ID_WIDTH)}")
    catalog = project().catalog
    value = allocate(catalog, prefix)
    return emit({"prefix": prefix, "id": value}, lambda console: console.print(value))


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
