"""Review commands: review, review-pr, hooks install --git."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.cli.reports import FAIL_ON
from ygs.errors import YgsError

LensOpt = Annotated[
    str | None,
    typer.Option(
        "--lens",
        help="Comma-separated lenses: code,security,sre,api,ui (default: every lens that applies).",
    ),
]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Offline rules only, no model.")]
BackendOpt = Annotated[
    str | None,
    typer.Option("--model-backend", help="auto, anthropic, claude-code or offline."),
]
CostOpt = Annotated[float | None, typer.Option("--max-cost", help="Model budget, USD.")]
FailOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 at or above: must, should, may or never (default: review.fail_on, must).",
    ),
]
BaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="Accepted findings to suppress by fingerprint "
        "(default: .ygs/review-baseline.json when it exists).",
    ),
]
NoBaselineOpt = Annotated[bool, typer.Option("--no-baseline", help="Ignore the baseline.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", help="text (rich on a terminal), markdown, json, sarif, github or rdjsonl."
    ),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the --format report to FILE.")
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Let --output replace an artifact or a file tracked by git (a backup is kept).",
    ),
]
MergeOpt = Annotated[
    str | None,
    typer.Option(
        "--merge",
        help="Add a reviewer's findings: a JSON array in FILE, or - "
        "for stdin. Off-diff and malformed ones are dropped.",
    ),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ignore cached model results.")]
PathsOpt = Annotated[
    list[str] | None, typer.Option("--paths", help="Limit the review to these paths.")
]


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("review-pr")(review_pr)
    hooks = typer.Typer(help="Install or remove ygs as a git hook.", no_args_is_help=True)
    hooks.command("install")(hooks_install)
    hooks.command("uninstall")(hooks_uninstall)
    app.add_typer(hooks, name="hooks")


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def review(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Limit the review to these paths.")
    ] = None,
    staged: Annotated[
        bool, typer.Option("--staged", help="Review the index (pre-commit).")
    ] = False,
    base: Annotated[
        str | None, typer.Option("--base", help="Review merge-base(REF, HEAD)..HEAD.")
    ] = None,
    pr: Annotated[
        int | None, typer.Option("--pr", help="Review pull request N (needs gh).")
    ] = None,
    more_paths: PathsOpt = None,
    lens: LensOpt = None,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
    fail_on: FailOpt = None,
    baseline: BaselineOpt = None,
    no_baseline: NoBaselineOpt = False,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Accept every current finding: write the baseline and exit 0."
        ),
    ] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    merge: MergeOpt = None,
    gate: Annotated[
        bool,
        typer.Option(
            "--gate", help="SRE deploy gate: CLEAR (0), HOLD (1) or FROZEN (3, .deploy-freeze)."
        ),
    ] = False,
    no_cache: NoCacheOpt = False,
    post_pr: Annotated[
        int | None,
        typer.Option("--post-pr", help="Post the result as one review on pull request N (CI)."),
    ] = None,
    explain: Annotated[
        str | None, typer.Option("--explain", help="Print a rule's rationale and exit.")
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--rules", help="List the offline rules and exit.")
    ] = False,
    force: ForceOpt = False,
) -> int:
    """Review a change: offline rules, then a two-pass model review when a backend is set.

    Scope: the working tree against HEAD (when it is clean, the branch against the
    configured base branch); --staged for the index; --base REF for a branch; --pr N for a
    pull request. Every finding points at a changed line; the verdict is APPROVE, COMMENT or
    REQUEST_CHANGES, and the exit code follows --fail-on.
    """
    if explain is not None or list_rules:
        return _explain(explain)
    if sum(bool(x) for x in (staged, base, pr is not None)) > 1:
        raise YgsError("choose one of --staged, --base and --pr", remedy="see `ygs review --help`")
    proj = _project()
    ask = _ask(
        proj,
        staged=staged,
        base=base,
        pr=pr,
        paths=[*(paths or []), *(more_paths or [])],
        lens=lens,
        offline=offline,
        backend=model_backend,
        max_cost=max_cost,
        fail_on=fail_on,
        baseline=baseline,
        no_baseline=no_baseline,
        update_baseline=update_baseline,
        merge=merge,
        gate=gate,
        no_cache=no_cache,
    )
    return _finish(proj, ask, fmt, (output, force), post=post_pr, title="Review")


def review_pr(
    number: Annotated[int, typer.Argument(help="Pull request number.")],
    more_paths: PathsOpt = None,
    lens: LensOpt = None,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
    fail_on: FailOpt = None,
    baseline: BaselineOpt = None,
    no_baseline: NoBaselineOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    merge: MergeOpt = None,
    no_cache: NoCacheOpt = False,
    post: Annotated[
        bool,
        typer.Option("--post", help="Post one review with inline comments (re-runs update it)."),
    ] = False,
    force: ForceOpt = False,
) -> int:
    """Review pull request N through every lens that applies: ranked findings and one verdict.

    Fetches the PR with `gh`. With --post, posts one review whose event follows the verdict,
    an inline comment per finding; a re-run edits that review instead of adding another.
    """
    proj = _project()
    ask = _ask(
        proj,
        staged=False,
        base=None,
        pr=number,
        paths=more_paths or [],
        lens=lens,
        offline=offline,
        backend=model_backend,
        max_cost=max_cost,
        fail_on=fail_on,
        baseline=baseline,
        no_baseline=no_baseline,
        update_baseline=False,
        merge=merge,
        gate=False,
        no_cache=no_cache,
        combined=True,
    )
    return _finish(
        proj, ask, fmt, (output, force), post=number if post else None, title=f"PR #{number} review"
    )


def _ask(proj, *, paths, lens, fail_on, baseline, no_baseline, merge, no_cache, **rest):
    from ygs.review.run import Ask
    from ygs.store import read_findings_input

    return Ask(
        paths=tuple(_relative(proj, p) for p in paths),
        lenses=_lenses(lens),
        fail_on=_fail_on(fail_on or proj.config["review.fail_on"]),
        baseline=baseline,
        use_baseline=not no_baseline,
        merge=read_findings_input(merge, opts().cwd) if merge is not None else None,
        cache=not no_cache,
        **rest,
    )


def _relative(proj, path: str) -> str:
    full = (opts().cwd / path).resolve()
    try:
        return full.relative_to(proj.root.resolve()).as_posix() or "."
    except ValueError:
        raise YgsError(f"{path} is outside the repository {proj.root}", path=path) from None


def _lenses(value: str | None) -> tuple[str, ...]:
    from ygs.review.lang import LENSES

    if not value:
        return ()
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in LENSES]
    if unknown:
        raise YgsError(f"unknown lens '{unknown[0]}'", remedy=f"one of: {', '.join(LENSES)}")
    return chosen


def _fail_on(value: str) -> str:
    if value.lower() not in FAIL_ON:
        raise YgsError(f"--fail-on {value}: not one of {', '.join(FAIL_ON)}")
    return value.lower()


def _explain(rule_id: str | None) -> int:
    from ygs.review.present import catalogue, explain

    rules = catalogue()
    if rule_id is None:
        items = [r.to_dict() for r in rules.values()]

        def listing(console) -> None:
            for r in rules.values():
                console.print(
                    f"{r.id:<14} {r.severity.value:<6} {r.family:<9} {r.title}", markup=False
                )

        return emit({"rules": items}, listing)
    rule = rules.get(rule_id.strip().upper())
    if rule is None:
        raise YgsError(f"unknown rule '{rule_id}'", remedy="`ygs review --rules` lists them")
    return emit(
        {"rule": rule.to_dict(), "explain": explain(rule)},
        lambda console: console.print(explain(rule), markup=False),
    )


def _finish(
    proj, ask, fmt: str | None, out: tuple[Path | None, bool], *, post: int | None, title: str
) -> int:
    from ygs import __version__
    from ygs.review import present
    from ygs.review.run import review as run_review

    output, force = out
    fmt = _format(fmt, output)
    if output is not None:
        from ygs.cli.reports import check_output

        check_output(output, force=force)  # refuse before the review, not after
    result = run_review(proj, ask, log=log)
    data = result.data
    if result.pr is not None:
        data = {"pr": result.pr.to_dict(), "checks": result.pr.checks, **data}
    if post is not None:
        data["posted"] = _post(proj, result, post, present.markdown(data, title))
    body = present.render(fmt, data, result.findings, __version__, title) if fmt else ""
    if output is not None:
        from ygs.cli.reports import write_output

        write_output(output, body, force=force)
        log(f"wrote {fmt} report to {output}")
        return emit(data, lambda console: _human(console, data), result.code)
    if fmt and fmt not in ("text", "rich"):
        return emit(data, lambda console: sys.stdout.write(body), result.code)
    return emit(data, lambda console: _human(console, data), result.code)


def _format(fmt: str | None, output: Path | None) -> str | None:
    from ygs.review.present import FORMATS

    if fmt is None:
        return "text" if output is not None else None
    if fmt not in FORMATS:
        raise YgsError(f"unknown format '{fmt}'", remedy=f"one of: {', '.join(FORMATS)}")
    if opts().json and output is None and fmt not in ("json", "text", "rich"):
        raise YgsError(
            f"--format {fmt} with --json needs --output FILE",
            remedy="--json prints one JSON object on stdout; write the report to a file",
        )
    return fmt


def _post(proj, result, number: int, body: str) -> dict:
    from ygs.review import github

    pr = result.pr
    if pr is None:
        pr, _diff = github.fetch(number, cwd=proj.root)
    log(f"posting the review to PR #{number}")
    return github.post(pr, result.data["findings"], result.data["verdict"], body, cwd=proj.root)


_STYLE = {"MUST": "bold red", "SHOULD": "yellow", "MAY": "cyan"}


def _human(console, data: dict) -> None:
    from rich.markup import escape

    from ygs.review.present import headline

    for f in data["findings"]:
        where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
        style = _STYLE[f["severity"]]
        console.print(
            f"{escape(where)}: [{style}]{f['severity']}[/{style}] {f['rule']} "
            f"[dim]\\[{f['lens']}][/dim] {escape(f['title'])}"
        )
        console.print(f"  fix: {f['fix']}", markup=False, highlight=False)
    for note in data["notes"]:
        prefix = f"{note['file']}: " if note["file"] else ""
        console.print(f"note: {prefix}{note['note']}", markup=False, style="dim")
    if "posted" in data:
        console.print(f"posted: {data['posted']}", markup=False)
    console.print(headline(data), markup=False)


# ------------------------------------------------------------------ hooks, ci


def hooks_install(
    git_hook: Annotated[
        bool, typer.Option("--git", help="Install a plain git pre-commit hook.")
    ] = False,
    model: Annotated[
        bool,
        typer.Option(
            "--model", help="Let the hook use the model too (default: offline rules only)."
        ),
    ] = False,
) -> int:
    """Install `ygs check --changed` and `ygs review --staged` as a git pre-commit hook.

    Refuses to replace a pre-commit hook that ygs did not write. With the pre-commit
    framework, use the `ygs-review` hook from .pre-commit-hooks.yaml instead.
    """
    if not git_hook:
        raise YgsError("say which hook to install", remedy="ygs hooks install --git")
    from ygs.review import ci
    from ygs.store import atomic_write

    target = _hook_path()
    existed = os.path.lexists(target)
    if existed and not ci.is_ours(_hook_text(target)):
        raise YgsError(
            f"{target} exists and was not written by ygs: left unchanged",
            path=str(target),
            remedy="add `ygs review --staged --offline` to that hook yourself, or use the "
            "pre-commit framework's `ygs-review` hook",
        )
    atomic_write(target, ci.git_hook(sys.executable, model=model), mode=0o755)
    action = "updated" if existed else "installed"
    return emit(
        {"hook": str(target), "action": action, "model": model},
        lambda console: console.print(f"{action} {target}", markup=False),
    )


def _hook_path() -> Path:
    from ygs.review.source import git

    root = _project().root
    hooks = Path(git(root, "rev-parse", "--git-path", "hooks").decode().strip())
    return (hooks if hooks.is_absolute() else root / hooks) / "pre-commit"


def hooks_uninstall() -> int:
    """Remove the git pre-commit hook that `ygs hooks install --git` wrote.

    A hook ygs did not write is left unchanged (exit 2); no hook at all is not an error.
    """
    from ygs.review import ci

    target = _hook_path()
    if not os.path.lexists(target):
        action = "absent"
    elif not ci.is_ours(_hook_text(target)):
        raise YgsError(
            f"{target} was not written by ygs: left unchanged",
            path=str(target),
            remedy="edit that hook yourself to remove the ygs line",
        )
    else:
        target.unlink()
        action = "removed"
    return emit(
        {"hook": str(target), "action": action},
        lambda console: console.print(
            f"removed {target}" if action == "removed" else f"no pre-commit hook at {target}",
            markup=False,
        ),
    )


def _hook_text(path: Path) -> str:
    """An existing hook's text; one that cannot be read (a FIFO, a dangling link) is not ours."""
    from ygs.store import Unreadable, read_bytes

    try:
        return read_bytes(path).decode("utf-8", "replace")
    except Unreadable:
        return ""
