"""`ygs review-prd|review-trd|review-architecture PATH`: lint plus judgment, one verdict.

No `from __future__ import annotations` here: the per-command help texts are built in a
closure, and typer must be able to evaluate the annotations.
"""

from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from ygs.cli.output import log, opts
from ygs.cli.reports import FailOn, OutputForce, ReportFormat
from ygs.errors import Exit, YgsError


class Output(NamedTuple):
    path: Path | None
    force: bool


class Model(NamedTuple):
    offline: bool
    backend: str | None
    max_cost: float | None
    reviewers: int  # 1, or N for a consensus review


def _reviewers(parallel: int | None) -> int:
    from ygs.review.consensus import MAX_REVIEWERS, MIN_REVIEWERS

    if parallel is None:
        return 1
    if not MIN_REVIEWERS <= parallel <= MAX_REVIEWERS:
        raise YgsError(
            f"--parallel {parallel}: a consensus review takes {MIN_REVIEWERS} to "
            f"{MAX_REVIEWERS} reviewers",
            remedy="above 5 the cost grows and agreement stops improving; try --parallel 3",
        )
    return parallel


DOCS = {
    "review-prd": ("ygs-review-prd", ("prd",)),
    "review-trd": ("ygs-review-trd", ("trd",)),
    "review-architecture": ("ygs-review-architecture", ("architecture", "design-doc")),
}


def register(app: typer.Typer) -> None:
    for name in DOCS:
        app.command(name)(_command(name))


def _command(name: str):
    skill, kinds = DOCS[name]

    def command(
        path: Annotated[Path, typer.Argument(help=f"The {' or '.join(kinds)} to review.")],
        fmt: ReportFormat = "text",
        fail_on: FailOn = "must",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write to FILE.")
        ] = None,
        merge: Annotated[
            str | None,
            typer.Option("--merge", help="Add an agent's findings: a JSON file, or - for stdin."),
        ] = None,
        offline: Annotated[bool, typer.Option("--offline", help="No model critique.")] = False,
        backend: Annotated[
            str | None,
            typer.Option("--model-backend", help="auto, anthropic, claude-code, offline."),
        ] = None,
        max_cost: Annotated[float | None, typer.Option("--max-cost", help="Budget in USD.")] = None,
        force: OutputForce = False,
        parallel: Annotated[
            int | None,
            typer.Option(
                "--parallel",
                metavar="N",
                help="Consensus review: N (2-5) independent model reviewers, merged by "
                "agreement (N/N HIGH, majority MEDIUM, minority LOW, conflicts SPLIT for a human).",
            ),
        ] = None,
    ) -> int:
        where = Output(output, force)
        model = Model(offline, backend, max_cost, _reviewers(parallel))
        return review(name, path, fmt, fail_on, where, merge, model)

    what = " or ".join(k.upper() if len(k) == 3 else k for k in kinds)
    command.__doc__ = (
        f"Critique {'an' if what[0] in 'aeiouAEIOU' else 'a'} {what}: `ygs check` rules plus "
        "model or agent judgment "
        f"({skill}); verdict APPROVE / COMMENT / REQUEST_CHANGES, exit 1 on MUST findings."
    )
    return command


def _overrides(proj, rules):
    from ygs.core.catalogue import OverrideError, parse_overrides

    try:
        return parse_overrides(proj.config["check.rules"], rules)
    except OverrideError as err:
        raise YgsError(err.message, remedy=err.remedy) from None


def review(name, path, fmt, fail_on, output, merge, model: Model) -> int:
    from ygs import __version__, llm
    from ygs.cli.reports import FAIL_ON, REPORT_FORMATS, check_output, choice, deliver
    from ygs.core.findings import fails
    from ygs.core.lint import all_rules, lint
    from ygs.interview.engine import load_skill
    from ygs.project import Project
    from ygs.report import Report
    from ygs.review import documents as docreview
    from ygs.store import read_findings_input

    fmt, fail_on = choice(fmt, REPORT_FORMATS, "--format"), choice(fail_on, FAIL_ON, "--fail-on")
    if output.path is not None:
        check_output(output.path, force=output.force)  # refuse before the model runs
    proj = Project.at(opts().cwd)
    skill_name, kinds = DOCS[name]
    rel = proj.rel(path if path.is_absolute() else opts().cwd / path)
    artifact = proj.catalog.find(rel)
    if artifact is None or artifact.kind not in kinds:
        raise YgsError(
            f"{rel} is not a {' or '.join(kinds)} of this project",
            path=rel,
            remedy=f"`ygs artifacts --type {kinds[0]}` lists them",
        )
    rules = {**all_rules(), docreview.JUDGMENT.id: docreview.JUDGMENT}
    found = lint(
        proj.catalog,
        exists=lambda p: (proj.root / p).exists(),
        overrides=_overrides(proj, rules),
        paths=[rel],
    )
    session = llm.connect(
        proj,
        backend=model.backend,
        offline=model.offline,
        max_cost=model.max_cost,
        run_dir=llm.run_dir(proj.root, name),
    )
    raw, agreed = _judgment(session, load_skill(proj, skill_name), rel, artifact.text, found, model)
    if merge is not None:
        raw += read_findings_input(merge, opts().cwd)
    lines = artifact.text.splitlines()
    judged = docreview.judged(raw, rel, lines)
    findings = docreview.dedupe(found + judged.findings, lines)
    findings.sort(key=lambda f: (-f.severity.rank, f.line or 0))
    report = Report(
        f"ygs {name}",
        findings,
        rules,
        __version__,
        fail_on,
        lambda p, n: lines[n - 1] if p == rel and n and n <= len(lines) else "",
        properties=lambda f: judged.properties.get(id(f), {"confidence": "HIGH", "source": "ygs"}),
    )
    code = Exit.FINDINGS if fails(findings, fail_on) else Exit.OK
    if code == Exit.OK and any(s.must for s in agreed.split):
        code = Exit.BLOCKED  # a SPLIT with a MUST side waits for a human call
    from ygs.core.assumptions import lines as assumed_lines

    assumed = len(assumed_lines(artifact.body))
    if assumed:
        log(f"assumptions: {assumed} line(s) marked [assumed] (ygs's guesses nobody confirmed)")
    extra = {
        "path": rel,
        "model": session is not None,
        "dropped": judged.dropped,
        "assumptions": assumed,
    }
    extra |= _consensus_fields(agreed, model.reviewers)
    delivered = deliver(report, fmt, output.path, code, extra, force=output.force)
    if agreed.split and not opts().json:
        _needs_a_human(agreed.split)
    return delivered


def _judgment(session, skill, rel, text, found, model: Model):
    """The model's findings (one reviewer, or N merged by agreement) and the consensus."""
    from ygs.review import documents as docreview
    from ygs.review.consensus import Consensus

    if session is None:
        if model.reviewers > 1:
            log(
                f"ygs: --parallel {model.reviewers} needs a model: rules only, no consensus "
                "(configure a backend, or run N reviewers as subagents and pass --merge)"
            )
        else:
            log("rules only, no model (ygs check rules; the model critique did not run)")
        return [], Consensus(0)
    log(f"model critique: {session.backend.name}")
    if model.reviewers == 1:
        return docreview.model_findings(session, skill, rel, text, found), Consensus(1)
    agreed = docreview.consensus_review(session, skill, rel, text, found, model.reviewers, log)
    return agreed.findings, agreed


def _consensus_fields(agreed, requested: int) -> dict:
    if requested == 1:
        return {"split": []}
    return {
        "consensus": {"requested": requested, "reviewers": agreed.reviewers},
        "split": [s.to_dict() for s in agreed.split],
    }


def _needs_a_human(split) -> None:
    import sys

    lines = ["", "Needs a human call"]
    for s in split:
        where = f"{s.criterion} " if s.criterion else ""
        lines.append(f'- SPLIT {where}line {s.line} "{s.title}": ' + "; ".join(s.positions))
    sys.stdout.write("\n".join(lines) + "\n")
