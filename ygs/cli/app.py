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
    "cmd_check",
    "cmd_install",
    "cmd_interview",
    "cmd_docreview",
    "cmd_review",
    "cmd_task",
    "cmd_team",
    "cmd_plan",
    "cmd_build",
    "cmd_ship",
    "cmd_memory",
    "cmd_import",
    "cmd_shell",
    "cmd_diagnose",
    "cmd_ci",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ygs {__version__}")
        raise typer.Exit(0)


def build(args: list[str] = ()) -> typer.Typer:
    app = typer.Typer(
        name="ygs",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 200},
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
    return _only_needed(app, args)


def _name(info) -> str:
    callback = getattr(info, "callback", None)
    return info.name or (callback.__name__.replace("_", "-") if callback else "")


def _short_help(info) -> str:
    import inspect

    group = getattr(info, "typer_instance", None)
    callback = getattr(info, "callback", None)
    text = info.help or (group.info.help if group is not None else None)
    text = text or (callback.__doc__ if callback is not None else "") or ""
    return inspect.cleandoc(text).split("\n\n", 1)[0].replace("\n", " ")


def _only_needed(app: typer.Typer, args: list[str]) -> typer.Typer:
    """Typer converts every command's signature when it builds the click group (about 1 ms
    each). Keep only the invoked command; for the root help, list names and first lines."""
    entries = [*app.registered_commands, *app.registered_groups]
    listing = sorted((_name(e), _short_help(e)) for e in entries)
    import os

    if os.environ.get("_YGS_COMPLETE"):  # shell completion needs the whole command tree
        from ygs.cli.cmd_shell import completion_class

        completion_class("bash")  # registers typer's completion classes
        return app
    wanted = next((a for a in args if not a.startswith("-")), None)
    if wanted is not None and any(_name(e) == wanted for e in entries):
        app.registered_commands = [c for c in app.registered_commands if _name(c) == wanted]
        app.registered_groups = [g for g in app.registered_groups if _name(g) == wanted]
        return app
    if wanted is None:  # the root help: nothing to convert but the root options
        app.registered_commands, app.registered_groups = [], []
        app.info.cls = _listing_group(listing)
    return app


def _listing_group(listing: list[tuple[str, str]]):
    from typer.core import TyperGroup

    class ListingGroup(TyperGroup):
        def format_commands(self, ctx, formatter) -> None:
            limit = formatter.width - 6 - max(len(name) for name, _ in listing)
            rows = [(name, _shorten(text, limit)) for name, text in listing]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    return ListingGroup


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(10, limit - 1)].rstrip() + "…"
