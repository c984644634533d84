"""`ygs config get|set|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.cli.output import emit, opts
from ygs.errors import YgsError

SECRET_KEYS = {"anthropic.api_key"}


def _shown(key: str, value):
    return ("***" if value else value) if key in SECRET_KEYS else value


def yaml_value(value) -> str:
    """A value as it would be written in config.yaml: null, true, [python], 0.5, text."""
    import yaml

    if isinstance(value, list | dict):
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    text = yaml.safe_dump(value, allow_unicode=True).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _load():
    import os

    from ygs import config as config_mod
    from ygs.project import Project

    proj = Project.at(opts().cwd)
    return proj, config_mod.load(proj.root, os.environ).require_valid()


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Read and change configuration (project file, user file, YGS_* env).")

    @group.callback()
    def _config(ctx: typer.Context) -> None:
        opts().command = f"config {ctx.invoked_subcommand or ''}".strip()

    group.command("list")(config_list)
    group.command("get")(config_get)
    group.command("set")(config_set)
    app.add_typer(group, name="config")


def config_list() -> int:
    """Every key with its value and where the value came from."""
    from ygs.core.settings import SCHEMA

    _, cfg = _load()
    rows = [
        {
            "key": k,
            "value": _shown(k, cfg.values[k]),
            "source": cfg.sources[k],
            "env": SCHEMA[k].env,
            "doc": SCHEMA[k].doc,
        }
        for k in SCHEMA
    ]

    def human(console) -> None:
        from ygs.cli.render import table

        table(
            console,
            ("key", "value", "source"),
            [(r["key"], yaml_value(r["value"]), r["source"]) for r in rows],
        )

    return emit({"keys": rows}, human)


def config_get(
    key: Annotated[str, typer.Argument(help="A dotted key, e.g. model.backend.")],
) -> int:
    """The effective value of one key."""
    from ygs.core.settings import SCHEMA, suggest

    if key not in SCHEMA:
        raise YgsError(f"unknown config key '{key}'", remedy=suggest(key))
    _, cfg = _load()
    value = _shown(key, cfg.values[key])
    return emit(
        {"key": key, "value": value, "source": cfg.sources[key]},
        lambda console: console.print(yaml_value(value), markup=False),
    )


def config_set(
    key: Annotated[str, typer.Argument(help="A dotted key, e.g. commands.test.")],
    value: Annotated[str, typer.Argument(help="The value; lists as a,b or [a, b].")],
    user: Annotated[bool, typer.Option("--user", help="Write the user config instead.")] = False,
) -> int:
    """Set a key in .ygs/config.yaml (or the user config), keeping comments."""
    from ygs import config as config_mod
    from ygs.project import Project

    if user:
        path = config_mod.user_config_path()
    else:
        path = Project.at(opts().cwd).root / config_mod.PROJECT_FILE
    stored = config_mod.set_value(path, key, value, user_scope=user)
    shown = _shown(key, stored)
    return emit(
        {"key": key, "value": shown, "file": str(path)},
        lambda console: console.print(f"{key} = {shown}  ({path})", markup=False),
    )
