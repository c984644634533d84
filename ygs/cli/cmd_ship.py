"""Closing commands: `ygs qa` (and `qa score`), `ygs uat`, `ygs sync`, `ygs ship`,
`ygs version` (and `version bump`), `ygs changelog`. The logic is in ygs.ship."""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.cli.cmd_interview import Answers, Backend, Force, MaxCost, Offline, Replay, Resume
from ygs.cli.output import emit, log, opts, plain
from ygs.errors import Exit, YgsError

QA_ABOUT = (
    "QA: `ygs qa` drafts the report with the evidence ygs computes; `ygs qa score` adds "
    "the five scores into the health and applies the pass rule."
)
VERSION_ABOUT = (
    "The project's version: `ygs version` shows it and where it is kept; `ygs version "
    "bump` changes it everywhere."
)


def register(app: typer.Typer) -> None:
    from ygs.cli.cmd_plan import DefaultGroup, _group

    def group(name: str, about: str, default, sub: str, command) -> None:
        """`ygs NAME` runs `default`; `ygs NAME SUB` runs `command`."""
        made = _group(name, about, default)
        made.command(DefaultGroup.default, hidden=True)(default)
        made.command(sub)(command)
        app.add_typer(made, name=name)

    group("qa", QA_ABOUT, qa_run, "score", qa_score)
    app.command("uat")(uat)
    app.command("sync")(sync)
    app.command("ship")(ship)
    group("version", VERSION_ABOUT, version_show, "bump", version_bump)
    app.command("changelog")(changelog)


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _run(answers, resume, replay, force, offline, backend, max_cost):
    from ygs.cli.cmd_interview import Run

    return Run(answers, resume, replay, force, offline, backend, max_cost)


# --- qa --------------------------------------------------------------------------------------


def qa_run(
    prd: Annotated[str | None, typer.Option("--prd", help="The PRD the change delivers.")] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Draft docs/qa/YYYY-MM-DD-slug-qa.md for the change on this branch, with the evidence
    ygs computes: the latest `ygs test` result, MUST failure modes covered by a test
    (`# covers: REQ-…`), regression tests for fix commits since the last tag, and the
    configured benchmark (qa.benchmark). When this branch has a draft report, it is
    continued instead (the next round). Scores come from the interview (or --answers);
    `ygs qa score` does the arithmetic.
    """
    from ygs.ship.qarun import start

    run = _run(answers, resume, replay, force, offline, backend, max_cost)
    result = start(_project(), run, prd=prd)

    def human(console) -> None:
        for note in result.get("notes", []):
            log(f"note: {note}")
        facts = result.get("evidence") or {}
        for key, label in (
            ("tests_line", "tests"),
            ("failure_modes_line", "failure modes"),
            ("regressions_line", "regressions"),
            ("benchmark_line", "benchmark"),
        ):
            plain(f"  {label}: {facts.get(key)}")
        verb = (
            "Wrote"
            if result.get("written")
            else "Continuing"
            if result.get("existing")
            else "Not written:"
        )
        plain(f"{verb} {result.get('path')}")
        if result.get("next"):
            plain(f"Next: {result['next']}")

    return emit(result, human)


def _score_option(name: str, label: str):
    return Annotated[
        int | None,
        typer.Option(f"--{name}", min=0, max=10, help=f"{label}, 0-10 (else the report's table)."),
    ]


def qa_score(
    report: Annotated[
        str | None,
        typer.Argument(
            metavar="[REPORT]", help="The QA report (path or id); default: this branch's."
        ),
    ] = None,
    functional: _score_option("functional", "Functional correctness") = None,
    edge_cases: _score_option("edge-cases", "Edge cases") = None,
    error_paths: _score_option("error-paths", "Error paths") = None,
    regressions: _score_option("regressions", "Regressions") = None,
    performance: _score_option("performance", "Performance") = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence",
            metavar="CATEGORY=TEXT",
            help="One line of evidence for a category (repeatable), e.g. functional='12 tests'.",
        ),
    ] = None,
    summary: Annotated[
        str, typer.Option("--summary", help="What changed in this round (the rounds table).")
    ] = "",
    amend: Annotated[
        bool, typer.Option("--amend", help="Correct the last round instead of adding one.")
    ] = False,
) -> int:
    """Add the five scores (0-10 each) into the health (0-50), apply the pass rule and write
    health, result and the round into the report.

    PASS needs health at least ship.qa_min (40), no category below 6 and no open MUST
    finding. Scores come from the flags, else from the report's Scores table. At most 3
    rounds. Exit 0 PASS, 1 FAIL, 3 when scores are missing or the rounds are used up.
    """
    from ygs.ship import qa
    from ygs.ship.qarun import score

    given = {
        "functional": functional,
        "edge_cases": edge_cases,
        "error_paths": error_paths,
        "regressions": regressions,
        "performance": performance,
    }
    proofs = {}
    for item in evidence or []:
        key, _, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if key not in qa.CATEGORIES or not text.strip():
            raise YgsError(
                f"--evidence '{item}'",
                remedy=f"CATEGORY=TEXT with CATEGORY one of {', '.join(qa.CATEGORIES)}",
            )
        proofs[key] = " ".join(text.split()).replace("|", "\\|")
    data, code = score(_project(), report, given, proofs, amend=amend, summary=summary)

    def human(console) -> None:
        plain(
            f"{data['path']}: health {data['health']}/50, {data['result']} (round {data['round']})"
        )
        for reason in data["reasons"]:
            plain(f"  {reason}")

    return emit(data, human, code)


# --- uat -------------------------------------------------------------------------------------


def uat(
    prd: Annotated[
        str | None, typer.Option("--prd", help="The PRD (id or path); default: the newest.")
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Walk the PRD's Given/When/Then scenarios as a checklist, then the weird paths (double
    submit, back mid-flow, 10,000 items, …) and the error messages a user can trigger; write
    docs/qa/YYYY-MM-DD-slug-uat.md.

    Each scenario is PASS, PARTIAL, FAIL or BLOCKED with a note. The result is computed: PASS
    only when every scenario and weird path passed, every reviewed message helps, and every
    MUST requirement was walked. Resumable (--resume). Exit 0 PASS, 1 FAIL.
    """
    from ygs.ship.qarun import uat as walk

    run = _run(answers, resume, replay, force, offline, backend, max_cost)
    result = walk(_project(), run, prd)
    code = Exit.OK if result.get("result") == "PASS" or not result.get("written") else Exit.FINDINGS

    def human(console) -> None:
        for note in result.get("notes", []):
            log(f"note: {note}")
        if result.get("written"):
            plain(f"Wrote {result['path']}: {result.get('result')}")
            plain(f"Next: {result['next']}")
        else:
            plain(
                f"Not written. Answers are saved in {result.get('journal')}; "
                "continue with --resume."
            )

    return emit(result, human, code)


# --- sync ------------------------------------------------------------------------------------


def sync(
    plan: Annotated[
        str | None,
        typer.Option("--plan", metavar="FILE|-", help="A sync plan (JSON rows) to check or apply."),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply the plan's doc updates after confirmation.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="The user confirmed the plan (needed without a terminal).")
    ] = False,
    rows: Annotated[
        str | None, typer.Option("--rows", metavar="1,3", help="Apply only these row numbers.")
    ] = None,
    record: Annotated[
        list[str] | None,
        typer.Option(
            "--record",
            metavar="DOC",
            help="Record the fingerprint of an approved doc's `covers:` files (repeatable; "
            "'all' for every approved doc).",
        ),
    ] = None,
    base: Annotated[str | None, typer.Option("--base", help="Compare against REF.")] = None,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
) -> int:
    """Drift between the design and the code: candidates with evidence.

    Files the branch changed that no TRD, architecture doc or task names; Deviation: lines
    no TRD or ADR reflects; planned files and TRD modules that do not exist; accepted ADRs
    naming something the code no longer has; requirements whose tests were deleted; docs
    whose `covers:` files changed since they were recorded (--record). With a model, a sync
    plan is proposed. --plan checks a plan (numbers rows, flags sections with 3+
    deviations); --apply applies its doc updates only after confirmation. Exit 1 on drift.
    """
    from ygs.ship import sync as syncing

    project = _project()
    if record:
        data = syncing.record(project, record)
        return emit(
            data,
            lambda _c: plain(
                "\n".join(f"recorded {d['path']} at {d['commit'][:10]}" for d in data["recorded"])
                or "nothing to record"
            ),
        )
    if plan is not None:
        rows_data = _plan_rows(plan)
        data, code = syncing.check_or_apply(
            project,
            rows_data,
            apply=apply,
            confirmed=yes,
            only=_numbers(rows),
            interactive=opts().interactive,
        )
        return emit(data, lambda _c: plain(syncing.render_plan(data)), code)
    if apply:
        raise YgsError("--apply needs --plan FILE|-", remedy="ygs sync --plan plan.json --apply")
    data, code = syncing.report(
        project, base=base, offline=offline, backend=backend, max_cost=max_cost
    )
    return emit(data, lambda _c: plain(syncing.render_report(data)), code)


def _plan_rows(source: str) -> list:
    from ygs.store import read_json_list

    return read_json_list(
        source,
        opts().cwd,
        key="rows",
        not_json="the sync plan is not JSON",
        not_list="the sync plan must be a JSON array of rows",
        remedy="a JSON array of rows (document, section, dimension, severity, design_said, "
        "code_does, direction, rationale)",
    )


def _numbers(text: str | None) -> set[int] | None:
    if not text:
        return None
    try:
        return {int(p) for p in text.replace(" ", "").split(",") if p}
    except ValueError:
        raise YgsError(f"--rows '{text}'", remedy="row numbers, e.g. --rows 1,3") from None


# --- ship ------------------------------------------------------------------------------------


def ship(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show every gate; change nothing (no gh needed).")
    ] = False,
    base: Annotated[
        str | None, typer.Option("--base", help="The base branch (default git.base_branch).")
    ] = None,
    level: Annotated[
        str,
        typer.Option("--level", help="The bump: patch, minor, major or auto (from the changes)."),
    ] = "auto",
    pre: Annotated[
        str | None, typer.Option("--pre", help="Make it a prerelease with this label (rc).")
    ] = None,
    push: Annotated[
        bool, typer.Option("--push", help="Push the branch (ygs never pushes without it).")
    ] = False,
    no_pr: Annotated[bool, typer.Option("--no-pr", help="Commit the release; open no PR.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="The pull request's title.")] = None,
    body_file: Annotated[
        str | None,
        typer.Option("--body-file", metavar="FILE|-", help="The PR description (- for stdin)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Review with the rules only (no model).")
    ] = False,
    backend: Backend = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", metavar="S", help="Seconds for the test run.")
    ] = None,
) -> int:
    """Run the merge gates in order and skip none: deploy freeze, branch and working tree,
    ALL tests, review (no MUST), diff hygiene (.env, keys, debug code, build artifacts),
    `ygs check`, QA PASS at ship.qa_min, UAT PASS for the PRDs in this release, `ygs trace
    --gate`, version and changelog.

    When every gate passes: bump the version (--level, default auto), write the changelog
    section, make one release commit (journalled: a kill is finished or rolled back by the
    next run) and open a pull request with `gh pr create`. Never merges; never pushes
    without --push. Exit 0 all pass, 1 a gate failed, 2 bad input (file:line), 3 frozen or
    gh not logged in, 4 tests red.
    """
    from ygs.ship.shipit import Ask
    from ygs.ship.shipit import ship as run_ship

    body = None
    if body_file is not None:
        from ygs.store import read_source

        _, body = read_source(body_file, opts().cwd)
    if level not in ("auto", "patch", "minor", "major"):
        raise YgsError(f"--level '{level}'", remedy="patch, minor, major or auto")
    ask = Ask(dry_run, base, level, pre, push, not no_pr, title, body, offline, backend, timeout)
    data, code = run_ship(_project(), ask)
    return emit(data, lambda _c: plain(_gate_table(data)), code)


def _gate_table(data: dict) -> str:
    mark = {"pass": "pass", "fail": "FAIL", "warn": "warn"}
    lines = [f"{'DRY RUN: ' if data['dry_run'] else ''}ship {data['branch']} → {data['base']}"]
    for gate in data["gates"]:
        lines.append(f"  {mark[gate['status']]:<5} {gate['title']}: {gate['reason']}")
    lines += [f"note: {n}" for n in data["notes"] if n]
    released = data.get("released")
    if released:
        lines.append(f"released {released['version']}: commit {str(released['commit'])[:10]}")
    if data.get("pr"):
        lines.append(f"pull request: {data['pr']['url']}")
    if data.get("next"):
        lines.append(f"Next: {data['next']}")
    return "\n".join(lines)


# --- version and changelog ----------------------------------------------------------------------


def version_show() -> int:
    """The project's version and every place it is kept (pyproject.toml, package.json,
    Cargo.toml, VERSION, __version__); sources that disagree exit 2 naming both."""
    from ygs.ship.release import show

    data = show(_project().root)

    def human(console) -> None:
        plain(f"{data['version']} (last tag {data['last_tag'] or 'none'})")
        for s in data["sources"]:
            plain(f"  {s['file']}:{s['line']} ({s['kind']})")

    return emit(data, human)


def version_bump(
    level: Annotated[
        str,
        typer.Argument(
            metavar="[LEVEL]", help="patch, minor, major, auto (from the changes) or prerelease."
        ),
    ] = "auto",
    pre: Annotated[
        str | None, typer.Option("--pre", help="Bump to a prerelease with this label (rc).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what it would be.")] = False,
) -> int:
    """Bump the version by SemVer 2.0.0 in every place the project keeps it, editing only
    the version string (all other formatting stays).

    auto: major for a breaking change (minor before 1.0.0), minor for a feature, else patch,
    from the Conventional Commits and the done tasks since the last tag. A malformed
    version or two sources that disagree exit 2 with file:line.
    """
    from ygs.ship.release import bump

    if level not in ("patch", "minor", "major", "auto", "prerelease"):
        raise YgsError(f"unknown level '{level}'", remedy="patch, minor, major, auto or prerelease")
    data = bump(_project(), level, pre, dry_run=dry_run)

    def human(console) -> None:
        verb = "would bump" if dry_run else "bumped"
        plain(f"{verb} {data['from']} → {data['to']} ({data['level']}): {', '.join(data['files'])}")

    return emit(data, human)


def changelog(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            metavar="FILE|-",
            help="Curated entries (version, date, entries: category, summary, refs, breaking).",
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="The section's version (default: current).")
    ] = None,
    when: Annotated[
        str | None, typer.Option("--date", help="The release date (YYYY-MM-DD).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Collect and show; write nothing.")
    ] = False,
) -> int:
    """Write the Keep a Changelog section `## [x.y.z] - YYYY-MM-DD` into CHANGELOG.md from
    the commits since the last tag and the tasks done since, grouped into Added, Changed,
    Fixed, Removed, Security and Performance (Chore is never written).

    The section is the current version when it is not released yet, else Unreleased.
    Entries already in the file are never added again, so a second run writes nothing;
    what sits under Unreleased moves into the new version. --answers gives curated entries
    instead; --dry-run (with --json) lists the commits and tasks with a suggested category.
    """
    from ygs.ship.release import changelog as write

    entries, version, when = _entries(answers, version, when)
    data = write(_project(), version=version, when=when, entries=entries, dry_run=dry_run)

    def human(console) -> None:
        state = "would write" if dry_run else ("wrote" if data["written"] else "nothing new for")
        plain(f"{state} [{data['section']}] in {data['path']}: {len(data['added'])} new entries")
        for line in data["added"]:
            plain(f"  + {line}")

    return emit(data, human)


def _entries(source: str | None, version: str | None, when: str | None):
    if source is None:
        return None, version, when
    from ygs.core import yamltext
    from ygs.store import read_source

    name, text = read_source(source, opts().cwd)
    try:
        data = yamltext.load(text)
    except yamltext.YamlError as err:
        raise YgsError(err.message, path=name, line=err.line, remedy="fix the YAML") from None
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(e, dict) for e in items):
        raise YgsError(
            "expected `entries:` as a list of {category, summary, refs, breaking}", path=name
        )
    for n, item in enumerate(items, start=1):
        if not str(item.get("summary") or "").strip():
            raise YgsError(f"entry {n} has no summary", path=name)
        refs = item.get("refs") or []
        item["refs"] = [str(r) for r in (refs if isinstance(refs, list) else [refs])]
    head = data if isinstance(data, dict) else {}
    return items, version or _text(head.get("version")), when or _text(head.get("date"))


def _text(value) -> str | None:
    return None if value is None else str(value)
