"""`ygs import openspec|spec-kit`: move foreign specs into ygs artifacts, for good."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.errors import YgsError

FORMATS = ("openspec", "spec-kit")


def register(app: typer.Typer) -> None:
    app.command("import")(import_specs)


def import_specs(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="openspec or spec-kit.")],
    path: Annotated[
        Path | None,
        typer.Argument(help="The project that holds the specs (default: this one)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be written; write nothing.")
    ] = False,
) -> int:
    """Convert OpenSpec or spec-kit specs to PRDs and tasks, with a mapping table.

    ygs reads both formats in place, so this is only for a team that moves for good.
    Requirements get REQ ids (`**Source:**` keeps the old id, so tests that cover it
    still count); tasks keep their links. The originals are not touched. Running it
    again reuses the ids in docs/import-<format>.md and changes nothing.
    """
    from datetime import date

    from ygs import migrate
    from ygs.project import Project
    from ygs.store import atomic_write

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise YgsError(f"unknown format '{fmt}'", remedy=f"one of: {', '.join(FORMATS)}")
    start = (opts().cwd / path) if path is not None else opts().cwd
    proj = Project.at(start.resolve())
    catalog = proj.catalog
    if not any(a.format == fmt for a in catalog.artifacts):
        raise YgsError(
            f"no {fmt} specs found in {proj.root}",
            remedy="point at the project that holds openspec/ or specs/NNN-feature/",
        )
    mapping_path = proj.root / migrate.MAPPING.format(format=fmt)
    mapping = migrate.read_mapping(
        mapping_path.read_text(encoding="utf-8") if mapping_path.is_file() else ""
    )
    taken: dict[str, set[int]] = {}
    plan = migrate.plan(
        catalog,
        fmt,
        mapping,
        lambda prefix: allocate_id(catalog, prefix, taken),
        date.today().isoformat(),
    )
    mapping_rel = proj.rel(mapping_path)
    files = [*plan.files, (mapping_rel, migrate.mapping_text(fmt, plan.rows))]
    written, unchanged = [], []
    for rel, text in files:
        target = proj.root / rel
        if target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text:
            unchanged.append(rel)
            continue
        written.append(rel)
        if not dry_run:
            atomic_write(target, text)
    if not dry_run and written:
        log(f"ygs: wrote {len(written)} file(s); {len(unchanged)} unchanged")
    data = {
        "format": fmt,
        "dry_run": dry_run,
        "written" if not dry_run else "would_write": written,
        "unchanged": unchanged,
        "mapping": [r._asdict() for r in plan.rows],
    }

    def human(console) -> None:
        verb = "would write" if dry_run else "wrote"
        for rel in written:
            console.print(f"  {verb}  {rel}", markup=False)
        if not written:
            console.print("Nothing to do: every file is up to date.", markup=False)
        console.print(
            f"{len(plan.rows)} mapped ({mapping_rel}); {len(unchanged)} unchanged.", markup=False
        )

    return emit(data, human)


def allocate_id(catalog, prefix: str, taken: dict[str, set[int]]) -> str:
    """The next free id for `prefix`, counting ids handed out earlier in this run.

    The one place this command allocates ids, so it can take the project lock."""
    from ygs.core.artifacts import next_id

    numbers = taken.setdefault(prefix, set())
    ident = next_id(catalog, prefix, numbers)
    numbers.add(int(ident.split("-")[1]))
    return ident
