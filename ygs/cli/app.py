"""The typer application: the root callback and the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs import __version__
from ygs.cli.output import opts

HELP = """\
ygs: you got skills. A spec-driven lifecycle for AI coding agents.

Refine requirements, design, plan, build inside guardrails, review, test and
ship, with artifacts in your repository and the same skills installed into
your coding agent. Every command works offline for its deterministic half.

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error or bad
input, 3 needs a human decision, 4 tests failing, 5 model unavailable or
over budget.
"""


# Each module defines `register(app)`; its commands import heavy libraries lazily.
COMMAND_MODULES = (
    "cmd_project",
    "cmd_config",
    "cmd_skills",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ygs {__version__}")
        raise typer.Exit(0)


def build() -> typer.Typer:
    app = typer.Typer(
        name="ygs",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object on stdout.")
        ] = False,
        non_interactive: Annotated[
            bool, typer.Option("--non-interactive", help="Never prompt (also when CI is set).")
        ] = False,
        directory: Annotated[
            Path | None, typer.Option("-C", "--directory", help="Run as if started in DIR.")
        ] = None,
        verbose: Annotated[
            int, typer.Option("-v", "--verbose", count=True, help="More detail.")
        ] = 0,
        quiet: Annotated[
            bool, typer.Option("-q", "--quiet", help="Only results and errors.")
        ] = False,
        version: Annotated[
            bool,
            typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
        ] = False,
    ) -> None:
        opts().command = ctx.invoked_subcommand or ""

    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(f"ygs.cli.{name}").register(app)
    return app
