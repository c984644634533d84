"""Findings reports shared by `ygs check`, `ygs trace --gate` and the document reviews:
the --format / --fail-on / --output options and how a report reaches the user."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

from ygs.cli.output import emit, log, opts
from ygs.errors import YgsError

REPORT_FORMATS = ("text", "json", "sarif", "github", "markdown", "rdjsonl")
FAIL_ON = ("must", "should", "may", "never")


def __getattr__(name: str) -> Any:
    """ReportFormat, FailOn and OutputForce: the typer option types, built on first use so
    that delivering a report (`ygs check`'s fast path) does not import typer."""
    if name not in ("ReportFormat", "FailOn", "OutputForce"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import typer

    types = {
        "ReportFormat": Annotated[
            str,
            typer.Option("--format", "-f", help="text, json, sarif, github, markdown or rdjsonl."),
        ],
        "FailOn": Annotated[
            str, typer.Option("--fail-on", help="Exit 1 at or above: must, should, may, never.")
        ],
        "OutputForce": Annotated[
            bool,
            typer.Option(
                "--force",
                help="Let --output replace an artifact or a file tracked by git (a backup is "
                "kept).",
            ),
        ],
    }
    globals().update(types)
    return types[name]


# Files of the project that --output never replaces without --force, besides every file
# in the docs and tasks folders and every file git tracks.
PROTECTED = ("CONTEXT.md", ".ygs/config.yaml", ".ygs/install-manifest.json")


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    value = value.lower()
    if value not in allowed:
        raise YgsError(f"{option} must be one of {', '.join(allowed)}, not '{value}'")
    return value


def deliver(
    report, fmt: str, output: Path | None, code: int, extra: dict, *, force: bool = False
) -> int:
    """Write the report in `fmt` to stdout or `--output`; JSON goes through emit()."""
    from ygs.report import render

    if output is not None:
        write_output(output, render(fmt, report), force=force)
        log(f"ygs: wrote {fmt} report to {output}")
    if opts().json or fmt == "json":
        from ygs.report.json import payload

        opts().json = True  # --format json is --json
        return emit({**extra, **payload(report)}, None, code)
    if output is not None:
        return emit({}, lambda console: console.print(report.summary(), markup=False), code)
    if fmt == "text" and sys.stdout.isatty():
        return emit({}, lambda console: _text(console, report), code)
    sys.stdout.write(render(fmt, report))  # plain text needs no rich console
    return code


def _text(console, report) -> None:
    from ygs.cli.render import findings

    findings(console, report.findings)
    console.print(report.summary(), markup=False)


def write_output(output: Path, text: str, *, force: bool = False) -> Path:
    """Write an `--output FILE` report (see `check_output`), keeping a backup of a project
    file it replaces (--force)."""
    from ygs.store import atomic_write, backup_copy, state_folder

    target, replaces = check_output(output, force=force)
    if replaces is not None:
        proj = _proj()
        backup = backup_copy(target, state_folder(proj.root, "backups"))
        log(f"ygs: the previous {replaces} is kept at {proj.rel(backup)}")
    try:
        atomic_write(target, text)
    except OSError as err:
        raise YgsError(
            f"cannot write --output {output}: {err.strerror}",
            path=str(output),
            remedy="name a file in a writable folder",
        ) from None
    return target


def check_output(output: Path, *, force: bool = False) -> tuple[Path, str | None]:
    """Where `--output FILE` goes, and the project file it would replace (None: none).

    Inside the project the path must go through real folders (no symbolic links), and an
    artifact (any file in the docs or tasks folders, CONTEXT.md, the config, the install
    manifest) or a file git tracks is replaced only with --force. A folder is refused.
    Outside the project the path is the user's choice. Call it before long work, so a
    refused path fails fast.
    """
    from ygs.store import inside

    proj = _proj()
    target = output if output.is_absolute() else opts().cwd.resolve() / output
    target = Path(os.path.abspath(target))
    if target.is_dir():
        raise YgsError(f"--output {output} is a folder", path=str(output), remedy="name a file")
    rel = _relative(target, proj.root)
    if rel is None:
        return target, None
    target = inside(proj.root, rel, opt_in=None)
    if not os.path.lexists(target) or not _protected(proj, rel):
        return target, None
    if not force:
        raise YgsError(
            f"--output {output}: {rel} is part of the project (an artifact or a file git "
            "tracks): not overwritten",
            path=rel,
            remedy="write the report to another file, or pass --force to replace it "
            "(a backup is kept in .ygs/backups/)",
        )
    return target, rel


def _proj():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _relative(target: Path, root: Path) -> str | None:
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        return None


def _protected(proj, rel: str) -> bool:
    from ygs import repo

    layout = proj.layout
    if rel in PROTECTED or rel.startswith((f"{layout.docs}/", f"{layout.tasks}/")):
        return True
    return repo.tracked(proj.root, rel)
