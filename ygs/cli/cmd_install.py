"""`ygs install | installed | update | uninstall` and `ygs plugin build`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.errors import Exit

AgentOption = Annotated[
    str | None,
    typer.Option(
        "--agent",
        "-a",
        help="claude, codex, gemini, cursor, copilot, a comma list, or all.",
    ),
]
ScopeOption = Annotated[
    str | None,
    typer.Option("--scope", "-s", help="user (your home folder) or project (this repository)."),
]
SkillsOption = Annotated[
    str | None,
    typer.Option("--skills", help="Only these skills: a,b (the ygs- prefix is optional)."),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan; write nothing.")]
FollowOption = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Write and delete through symbolic links in the target folders "
        "(refused by default: a cloned repository could point them anywhere).",
    ),
]
FromOption = Annotated[
    Path | None,
    typer.Option("--from", help="A skill pack folder to use instead of the packaged one."),
]

WORDS = {
    "create": "created",
    "update": "updated",
    "merge": "merged",
    "keep": "unchanged",
    "conflict": "in conflict",
    "remove": "removed",
    "link": "linked",
    "relink": "relinked",
    "unlink": "unlinked",
    "kept": "kept",
    "refused": "refused",
}


def register(app: typer.Typer) -> None:
    app.command("install")(install)
    app.command("installed")(installed)
    app.command("update")(update)
    app.command("uninstall")(uninstall)
    group = typer.Typer(help="Build a Claude Code plugin from the skill pack.")

    @group.callback()
    def _plugin(ctx: typer.Context) -> None:
        opts().command = f"plugin {ctx.invoked_subcommand or ''}".strip()

    group.command("build")(plugin_build)
    app.add_typer(group, name="plugin")


def _source(path: Path | None) -> str:
    from ygs.install import pack

    if path is None:
        return pack.PACKAGED
    from ygs.errors import YgsError

    if not path.exists():
        raise YgsError(f"{path} does not exist", path=str(path), remedy="pass a pack folder")
    return pack.source_label(path if path.is_absolute() else opts().cwd / path)


def _scopes(scope: str | None) -> list[str]:
    from ygs.errors import YgsError

    if scope in (None, "all"):
        return ["user", "project"]
    if scope not in ("user", "project"):
        raise YgsError(f"unknown scope '{scope}'", remedy="use user, project or all")
    return [scope]


def install(
    agent: AgentOption = None,
    scope: ScopeOption = None,
    skills: SkillsOption = None,
    link: Annotated[
        bool,
        typer.Option("--link", help="Symlink the source folders (for skill authors)."),
    ] = False,
    dry_run: DryRunOption = False,
    from_: FromOption = None,
    status: Annotated[
        bool, typer.Option("--status", help="List what is installed (same as `ygs installed`).")
    ] = False,
    follow_symlinks: FollowOption = False,
) -> int:
    """Install the skill pack into a coding agent (default: Claude Code, user scope).

    Never overwrites a file you changed: changed files are merged three ways, and a
    conflict leaves your file and writes the new version beside it as `<file>.ygs-new`
    (exit 1). Skills ygs did not install are left alone. Running it twice changes
    nothing the second time. Writes stay inside the agents' folders: a folder on the way
    that is a symbolic link is refused unless --follow-symlinks.
    """
    if status:
        return installed(agent=agent, scope=scope)
    from ygs.install import run

    outcome = run.install(
        agent or "claude",
        scope or "user",
        opts().cwd,
        run.names(skills),
        link=link,
        dry_run=dry_run,
        source=_source(from_),
        follow_symlinks=follow_symlinks,
    )
    return _emit_outcomes([outcome], "conflict")


def update(
    agent: AgentOption = None,
    scope: Annotated[
        str | None, typer.Option("--scope", "-s", help="user, project or all (default).")
    ] = None,
    skills: SkillsOption = None,
    dry_run: DryRunOption = False,
    from_: FromOption = None,
    follow_symlinks: FollowOption = False,
) -> int:
    """Bring installed skills up to the packaged version (after upgrading ygs).

    Each skill is updated from the pack it was installed from, or from --from PATH for
    the skills that pack has. Your changes are merged in; conflicts exit 1.
    """
    from ygs.install import run

    outcomes = run.update(
        agent,
        _scopes(scope),
        opts().cwd,
        run.names(skills),
        dry_run=dry_run,
        source=_source(from_) if from_ else None,
        follow_symlinks=follow_symlinks,
    )
    if not outcomes:
        log("Nothing installed by ygs here yet: run `ygs install`.")
    return _emit_outcomes(outcomes, "conflict", single=False)


def uninstall(
    agent: AgentOption = None,
    scope: ScopeOption = None,
    skills: SkillsOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also remove files you changed (a copy is kept)."),
    ] = False,
    dry_run: DryRunOption = False,
    follow_symlinks: FollowOption = False,
) -> int:
    """Remove what ygs installed (default: every agent, in every scope where ygs installed).

    Only files that still hold what ygs wrote are removed; files you changed are kept and
    listed (exit 1) unless --force. Skills ygs did not install are never touched, and
    neither is a manifest entry outside the agents' folders (reported, exit 2). Each
    removed file is listed.
    """
    from ygs.install import run

    outcomes = [
        run.uninstall(
            agent,
            where,
            opts().cwd,
            run.names(skills),
            force=force,
            dry_run=dry_run,
            follow_symlinks=follow_symlinks,
        )
        for where in _scopes(scope)
    ]
    outcomes = [o for o in outcomes if o.steps] or outcomes[:1]
    if not any(o.steps for o in outcomes):
        log("Nothing installed by ygs here: nothing removed.")
    return _emit_outcomes(outcomes, "kept", single=len(outcomes) == 1)


def installed(
    agent: AgentOption = None,
    scope: Annotated[
        str | None, typer.Option("--scope", "-s", help="user, project or all (default).")
    ] = None,
) -> int:
    """What ygs installed where, at which version, and which files you changed."""
    from ygs.install import run

    rows, refused = run.status(_scopes(scope), opts().cwd, agent)

    def human(console) -> None:
        from ygs.cli.render import table

        for item in refused:
            log(f"refused: {item['scope']} manifest entry {item['path']!r}: {item['detail']}")
        if not rows:
            console.print("Nothing installed by ygs. Run `ygs install`.", markup=False)
            return
        cells = [
            (r["scope"], r["agent"], r["skill"], r["version"], r["mode"], _state(r)) for r in rows
        ]
        table(console, ("scope", "agent", "skill", "version", "mode", "state"), cells)
        for row in rows:
            for path in row["modified"]:
                console.print(f"  changed by you: {path}", markup=False)
            for path in row["conflicts"]:
                console.print(f"  conflict waiting: {path}", markup=False)
            if row.get("unreadable"):
                console.print(f"  not read: {row['unreadable']}", markup=False)

    code = Exit.USAGE if refused else Exit.OK
    return emit({"installs": rows, "refused": refused}, human, code)


def _state(row: dict) -> str:
    parts = ["not read"] if row.get("unreadable") else []
    if row["conflicts"]:
        parts.append(f"conflict ({len(row['conflicts'])})")
    if row["modified"]:
        parts.append(f"changed by you ({len(row['modified'])})")
    if row["missing"]:
        parts.append(f"missing ({len(row['missing'])})")
    if row["update_available"]:
        parts.append("update available")
    return ", ".join(parts) or "ok"


def plugin_build(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the plugin into.")],
    skills: SkillsOption = None,
    from_: FromOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace .claude-plugin/ and skills/ in a non-empty folder."),
    ] = False,
) -> int:
    """Write a Claude Code plugin (.claude-plugin/plugin.json + skills/) and marketplace.json.

    Install it with `claude plugin marketplace add OUT_DIR` then `claude plugin install ygs@ygs`.
    """
    from ygs.install import pack, plugin, run

    source = _source(from_)
    loaded = pack.load(source, validate=source != pack.PACKAGED)
    chosen = run.select(loaded, run.names(skills))
    out = out_dir if out_dir.is_absolute() else opts().cwd / out_dir
    written = plugin.build(out, chosen, force)
    data = {"out": str(out), "skills": [s.name for s in chosen], "files": sorted(written)}

    def human(console) -> None:
        console.print(f"Wrote a plugin with {len(chosen)} skills to {out}", markup=False)
        console.print(
            f"  try it: claude plugin validate --strict {out}/.claude-plugin/plugin.json\n"
            f"  install: claude plugin marketplace add {out} && claude plugin install ygs@ygs",
            markup=False,
        )

    return emit(data, human)


# ----------------------------------------------------------------------------- rendering


def _emit_outcomes(outcomes, failing: str, single: bool = True) -> int:
    actions = {s.action for o in outcomes for s in o.steps}
    failed = bool(actions & {failing, "conflict"})
    code = Exit.USAGE if "refused" in actions else Exit.FINDINGS if failed else Exit.OK
    data = outcomes[0].to_dict() if single else _combined([o.to_dict() for o in outcomes])

    def human(console) -> None:
        for outcome in outcomes:
            _show(console, outcome)

    return emit(data, human, code)


def _combined(scopes: list[dict]) -> dict:
    """Several scopes (update): each one, plus every step and the totals."""
    summary: dict[str, int] = {}
    for scope in scopes:
        for action, count in scope["summary"].items():
            summary[action] = summary.get(action, 0) + count
    steps = [step for scope in scopes for step in scope["steps"]]
    return {"scopes": scopes, "summary": summary, "steps": steps}


def _show(console, outcome) -> None:
    from ygs.install.plan import NEW_SUFFIX, RANK

    groups: dict[tuple[str, str], list] = {}
    for step in outcome.steps:
        groups.setdefault((step.agent, step.skill), []).append(step)
    counts: dict[str, int] = {}
    for (agent, skill), steps in groups.items():
        top = max(steps, key=lambda s: RANK[s.action]).action
        counts[top] = counts.get(top, 0) + 1
        if top != "keep" or opts().verbosity > 0:
            console.print(f"  {top:<9} {agent:<8} {skill}", markup=False)
        for step in steps:
            if step.detail and (step.action != "keep" or opts().verbosity > 0):
                where = outcome.scope.show(step.path)
                extra = f"; the new version is in {where}{NEW_SUFFIX}" if step.new else ""
                console.print(f"            {where}: {step.detail}{extra}", markup=False)
    summary = ", ".join(f"{n} {WORDS[a]}" for a, n in sorted(counts.items())) or "nothing to do"
    console.print(f"{outcome.scope.name} scope: {summary}.", markup=False)
    if outcome.dry_run:
        console.print("Dry run: nothing was written.", markup=False)
    if any(s.action == "refused" for s in outcome.steps):
        console.print(
            f"The {outcome.scope.name} manifest ({outcome.scope.manifest_path}) listed paths "
            "outside the agents' folders: they were left alone and dropped from it.",
            markup=False,
        )
    if outcome.conflicts:
        console.print(
            "Resolve a conflict by merging <file>.ygs-new into your file, then delete the "
            ".ygs-new file; the next `ygs update` records it as settled.",
            markup=False,
        )
