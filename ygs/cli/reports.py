"""Findings reports shared by `ygs check`, `ygs trace --gate` and the document reviews:
the --format / --fail-on / --output options and how a report reaches the user."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.errors import YgsError

REPORT_FORMATS = ("text", "json", "sarif", "github", "markdown", "rdjsonl")
FAIL_ON = ("must", "should", "may", "never")

ReportFormat = Annotated[
    str, typer.Option("--format", "-f", help="text, json, sarif, github, markdown or rdjsonl.")
]
FailOn = Annotated[
    str, typer.Option("--fail-on", help="Exit 1 at or above: must, should, may, never.")
]


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    value = value.lower()
    if value not in allowed:
        raise YgsError(f"{option} must be one of {', '.join(allowed)}, not '{value}'")
    return value


def deliver(report, fmt: str, output: Path | None, code: int, extra: dict) -> int:
    """Write the report in `fmt` to stdout or `--output`; JSON goes through emit()."""
    from ygs.report import render
    from ygs.report.json import payload

    if output is not None:
        write_output(output, render(fmt, report))
        log(f"ygs: wrote {fmt} report to {output}")
    if opts().json or fmt == "json":
        opts().json = True  # --format json is --json
        return emit({**extra, **payload(report)}, None, code)
    if output is not None:
        return emit({}, lambda console: console.print(report.summary(), markup=False), code)
    if fmt == "text" and sys.stdout.isatty():
        return emit({}, lambda console: _text(console, report), code)
    sys.stdout.write(render(fmt, report))  # plain text needs no rich console
    return code


def write_output(output: Path, text: str) -> None:
    """`--output FILE`: a folder or an unwritable place is exit 2, never a traceback."""
    from ygs.store import atomic_write

    target = output if output.is_absolute() else opts().cwd / output
    if target.is_dir():
        raise YgsError(
            f"--output {output} is a folder", path=str(output), remedy="name a file to write"
        )
    try:
        atomic_write(target, text)
    except OSError as err:
        raise YgsError(
            f"cannot write --output {output}: {err.strerror}",
            path=str(output),
            remedy="name a file in a writable folder",
        ) from None


def _text(console, report) -> None:
    from ygs.cli.render import findings

    findings(console, report.findings)
    console.print(report.summary(), markup=False)
