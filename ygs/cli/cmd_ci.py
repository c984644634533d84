"""`ygs ci github` and `ygs ci formicary`: write the definitions that run ygs's phases on
an engine that exists (text in ygs.ci.github and ygs.ci.formicary)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, opts
from ygs.errors import Exit, YgsError

ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace files that differ (a backup of each is kept).")
]
SpecOpt = Annotated[
    str | None,
    typer.Option(
        "--ygs-spec",
        metavar="SPEC",
        help="What the jobs pip-install: ygs==X.Y.Z (default: this version) or a git URL "
        "pinned to a 40-hex commit. Unpinned sources are refused.",
    ),
]
TeamOpt = Annotated[
    bool,
    typer.Option(
        "--team",
        help="Also the team reports on a schedule: standup, risk-scan, sprint-plan, "
        "pr-queue (and ask on demand).",
    ),
]


def register(app: typer.Typer) -> None:
    ci = typer.Typer(help="Write CI configuration that runs ygs.", no_args_is_help=True)

    @ci.callback()
    def _ci(ctx: typer.Context) -> None:
        opts().command = f"ci {ctx.invoked_subcommand or ''}".strip()

    ci.command("github")(github)
    ci.command("formicary")(formicary)
    app.add_typer(ci, name="ci")


def _spec(value: str | None) -> str:
    from ygs import __version__
    from ygs.ci.github import spec_problem

    spec = value or f"ygs=={__version__}"
    problem = spec_problem(spec)
    if problem:
        raise YgsError(problem, remedy="--ygs-spec ygs==0.1.0")
    return spec


def _write(root: Path, files: dict[str, str], force: bool) -> list[dict]:
    """Write each file; one that exists with the same text is left alone, one that differs
    needs --force (and is backed up). Nothing is written when any file is refused."""
    from ygs.store import atomic_write, backup_copy, inside, read_text, state_folder

    plan = []
    for rel, text in files.items():
        target = inside(root, rel, opt_in=None)
        old = read_text(target) if target.is_file() else None
        if old is not None and old != text and not force:
            raise YgsError(
                f"{rel} already exists and differs",
                path=rel,
                remedy="pass --force to replace it (a timestamped backup is kept)",
            )
        plan.append((rel, target, text, old))
    done = []
    for rel, target, text, old in plan:
        if old == text:
            done.append({"file": rel, "action": "unchanged", "backup": None})
            continue
        backup = backup_copy(target, state_folder(root, "backups")) if old is not None else None
        atomic_write(target, text)
        action = "replaced" if old is not None else "written"
        done.append({"file": rel, "action": action, "backup": str(backup) if backup else None})
    return done


def _human(done: list[dict], notes: list[str]):
    def show(console) -> None:
        for item in done:
            console.print(f"{item['action']} {item['file']}", markup=False)
            if item["backup"]:
                console.print(f"  previous version kept at {item['backup']}", markup=False)
        for note in notes:
            console.print(f"  {note}", markup=False)

    return show


def github(
    implement: Annotated[
        bool,
        typer.Option(
            "--implement",
            help="Also the issue-to-PR pipeline: an issue labelled ygs:ready → plan → "
            "implement → test → verify → PR.",
        ),
    ] = False,
    wave: Annotated[
        bool,
        typer.Option("--wave", help="Also a wave's ready tasks as a matrix (workflow_dispatch)."),
    ] = False,
    team: TeamOpt = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base", help="Base branch when the event has none (default: git.base_branch)."
        ),
    ] = None,
    pr_comments: Annotated[
        bool,
        typer.Option("--pr-comments", help="Also post one PR review with inline comments via gh."),
    ] = False,
    python: Annotated[str, typer.Option("--python", help="Python version for the jobs.")] = "3.12",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Review: fail at or above must, should, may, never.")
    ] = "must",
    max_parallel: Annotated[
        int, typer.Option("--max-parallel", metavar="K", help="--wave: tasks at a time.")
    ] = 2,
    ygs_spec: SpecOpt = None,
    force: ForceOpt = False,
) -> int:
    """Write GitHub Actions workflows under .github/workflows/.

    Always ygs-review.yml: on each pull request `ygs check`, `ygs trace --gate` and `ygs
    review` (SARIF to code scanning). --implement adds ygs-implement.yml, --wave
    ygs-wave.yml, --team ygs-team.yml. Every action is pinned by commit SHA, ygs by version,
    permissions are per job and minimal; the files pass actionlint and zizmor.
    """
    from ygs.ci import github as gh
    from ygs.cli.reports import FAIL_ON
    from ygs.project import Project

    if fail_on.lower() not in FAIL_ON:
        raise YgsError(f"--fail-on {fail_on}: not one of {', '.join(FAIL_ON)}")
    if max_parallel < 1:
        raise YgsError("--max-parallel must be 1 or more", remedy="--max-parallel 2")
    project = Project.at(opts().cwd)
    options = gh.Options(
        ygs_spec=_spec(ygs_spec),
        python=python,
        base=base or project.config["git.base_branch"],
        max_parallel=max_parallel,
    )
    folder = ".github/workflows/"
    files = {
        folder + "ygs-review.yml": gh.review(
            options, pr_comments=pr_comments, fail_on=fail_on.lower()
        )
    }
    if implement:
        files[folder + "ygs-implement.yml"] = gh.implement(options)
    if wave:
        files[folder + "ygs-wave.yml"] = gh.wave(options)
    if team:
        files[folder + "ygs-team.yml"] = gh.team(options)
    done = _write(project.root, files, force)
    notes = ["add the ANTHROPIC_API_KEY secret (the review runs offline rules without it)"]
    if implement:
        notes.append("create the labels ygs:ready, ygs:in-progress, ygs:blocked, ygs:pr-open")
    if team:
        notes.append("optional: SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL to post the reports")
    data = {
        "workflow": folder + "ygs-review.yml",
        "files": done,
        "ygs_spec": options.ygs_spec,
        "pr_comments": pr_comments,
    }
    return emit(data, _human(done, notes), Exit.OK)


def formicary(
    team: TeamOpt = False,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="Run each task in this container (KUBERNETES method); default: SHELL.",
        ),
    ] = None,
    max_pending: Annotated[
        int,
        typer.Option("--max-pending", metavar="N", help="The picker skips at N pending jobs."),
    ] = 10,
    base: Annotated[
        str | None, typer.Option("--base", help="Base branch (default: git.base_branch).")
    ] = None,
    folder: Annotated[
        str, typer.Option("--dir", help="Where to write the job definitions.")
    ] = ".formicary",
    ygs_spec: SpecOpt = None,
    force: ForceOpt = False,
) -> int:
    """Write Formicary job definitions for the issue-to-PR pipeline.

    ai-gh-issue-picker (cron, skip_if on the pending count), ai-gh-implement (plan →
    implement → unit-test → fix-tests → self-verify → create-pr, routed with on_exit_code on
    ygs's exit codes, a timeout per task, artifacts kept always, cleanup that always runs)
    and ai-gh-cleanup; --team adds the team reports as cron jobs.
    """
    from ygs.ci import formicary as fm
    from ygs.project import Project

    if max_pending < 1:
        raise YgsError("--max-pending must be 1 or more", remedy="--max-pending 10")
    project = Project.at(opts().cwd)
    options = fm.Options(
        ygs_spec=_spec(ygs_spec),
        base=base or project.config["git.base_branch"],
        image=image,
        max_pending=max_pending,
    )
    prefix = folder.strip("/") + "/"
    files = {prefix + name: text for name, text in fm.definitions(options, team=team).items()}
    done = _write(project.root, files, force)
    notes = [
        "upload them with the Formicary CLI or API; secrets: ANTHROPIC_API_KEY, GITHUB_TOKEN",
    ]
    return emit({"files": done, "ygs_spec": options.ygs_spec}, _human(done, notes), Exit.OK)
