"""`ygs skills list|show|validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, opts
from ygs.errors import Exit, YgsError

PathsOption = Annotated[
    list[Path] | None, typer.Option("--path", "-p", help="Extra pack folder(s), loaded last.")
]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="List, show and validate skill packs.")

    @group.callback()
    def _skills(ctx: typer.Context) -> None:
        opts().command = f"skills {ctx.invoked_subcommand or ''}".strip()

    group.command("list")(skills_list)
    group.command("show")(skills_show)
    group.command("validate")(skills_validate)
    app.add_typer(group, name="skills")


def _loaded(paths: list[Path] | None):
    from ygs import skills
    from ygs.project import find_root

    root = find_root(opts().cwd.resolve())
    return skills.load(skills.sources(root, list(paths or [])))


def skills_list(paths: PathsOption = None) -> int:
    """Name, phase, model tier, description and source of every skill."""
    loaded, problems = _loaded(paths)
    data = {
        "skills": [s.summary() for s in loaded.values()],
        "problems": [p.to_dict() for p in problems],
    }

    def human(console) -> None:
        from ygs.cli.render import findings, table

        rows = [
            (
                s.name,
                s.phase,
                s.tier,
                s.source + (" (overrides " + ", ".join(s.overrides) + ")" if s.overrides else ""),
                s.description[:70] + ("…" if len(s.description) > 70 else ""),
            )
            for s in loaded.values()
        ]
        table(console, ("name", "phase", "tier", "source", "description"), rows)
        findings(console, problems)

    return emit(data, human, Exit.USAGE if problems else Exit.OK)


def skills_show(
    name: Annotated[str, typer.Argument(help="Skill name, with or without the ygs- prefix.")],
    paths: PathsOption = None,
) -> int:
    """Render one skill."""
    loaded, _ = _loaded(paths)
    skill = loaded.get(name) or loaded.get(f"ygs-{name}")
    if skill is None:
        raise YgsError(f"no skill named '{name}'", remedy="`ygs skills list` shows the names")

    def human(console) -> None:
        from rich.markdown import Markdown

        console.print(f"{skill.name}  [{skill.source}: {skill.folder}]", markup=False)
        if not console.is_terminal:  # a pipe (`| less`): every word, no hard wrap
            console.print(skill.body, markup=False, highlight=False, soft_wrap=True)
            return
        console.print(Markdown(skill.body))

    return emit({**skill.summary(), "body": skill.body}, human)


def skills_validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Pack or skill folders (default: every loaded pack)."),
    ] = None,
) -> int:
    """Check packs against the Agent Skills spec, links, paths and the interview.yaml schema.

    Exit 1 on problems, 2 when a file is not even parseable.
    """
    from ygs import skills
    from ygs.core import skillcheck
    from ygs.project import find_root

    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise YgsError(f"{missing[0]} does not exist", path=str(missing[0]))
        packs = list(paths)
    else:
        root = find_root(opts().cwd.resolve())
        packs = [p for _, p in skills.sources(root) if p.is_dir()]
    count, findings = skills.validate(packs)
    broken = any(f.rule in skillcheck.INPUT_ERROR_RULES for f in findings)
    code = Exit.USAGE if broken else Exit.FINDINGS if findings else Exit.OK

    def human(console) -> None:
        from ygs.cli.render import findings as show

        show(console, findings)
        word = "problem" if len(findings) == 1 else "problems"
        console.print(f"{count} skills checked, {len(findings)} {word}.", markup=False)

    data = {
        "checked": count,
        "packs": [str(p) for p in packs],
        "problems": [f.to_dict() for f in findings],
    }
    return emit(data, human, code)
