"""`ygs qa`, `ygs qa score` and `ygs uat`: the shell around the QA arithmetic, the report
tables and the interviews."""

from __future__ import annotations

from datetime import date

from ygs.errors import Exit, YgsError
from ygs.ship import evidence as ev
from ygs.ship import gitinfo, qa, qareport


def gather(project, *, run_benchmark: bool = True) -> dict:
    """Everything about the change that a program can compute."""
    from ygs.cli.cmd_check import build_trace
    from ygs.core.specs import Index

    index = Index(project.catalog)
    graph, _ = build_trace(project, project.catalog, index, with_commits=False)
    top = gitinfo.top(project.root)
    since = gitinfo.last_tag(top) if top else None
    tests = ev.latest_tests(project.root)
    modes = ev.failure_modes(index, graph)
    fixes = ev.regressions(top, since, project.config["trace.tests"])
    bench = ev.benchmark(project, run=run_benchmark)
    from ygs.plan import tasks as store

    branch_tasks = [t for t in store.tasks(project.catalog) if t.status != store.BACKLOG]
    return {
        "branch": gitinfo.branch(top) if top else None,
        "commit": gitinfo.head(top) if top else None,
        "since": since,
        "tests": tests,
        "tests_line": ev.tests_line(tests),
        "failure_modes": modes,
        "failure_modes_line": modes["line"],
        "regressions": fixes,
        "regressions_line": fixes["line"],
        "benchmark": bench,
        "benchmark_line": bench["line"],
        "tasks": [t.id for t in branch_tasks],
        "requirements": sorted({r for t in branch_tasks for r in t.satisfies}),
    }


def _reports(project, kind: str) -> list:
    return sorted(project.catalog.of_kind(kind), key=lambda a: (a.date, a.path))


def existing_for(project, branch: str | None):
    """The newest draft QA report of this branch: `ygs qa` continues it."""
    for report in reversed(_reports(project, "qa")):
        if report.status == "draft" and branch and str(report.meta.get("branch")) == branch:
            return report
    return None


def start(project, run, *, prd: str | None) -> dict:
    """The draft report (the interview), or the one this branch already has."""
    facts = gather(project)
    found = existing_for(project, facts["branch"])
    if found is not None and not run.answers and not run.resume and not run.replay:
        done = len(qareport.rounds(found.text))
        return {
            "written": False,
            "existing": True,
            "path": found.path,
            "id": found.id,
            "rounds": done,
            "evidence": facts,
            "next": f"ygs qa score {found.path}",
            "notes": [f"continuing {found.path} (round {done + 1} of at most {qa.MAX_ROUNDS})"],
        }
    from ygs.interview.engine import Spec
    from ygs.interview.session import interview_and_write

    source = project.catalog.find(prd) if prd else None
    if prd and (source is None or source.kind != "prd"):
        raise YgsError(f"no PRD '{prd}'", remedy="`ygs artifacts --type prd` lists them")
    links = {"prd": source.id} if source is not None else {}
    extra = {
        "evidence": facts,
        "branch": facts["branch"],
        "commit": facts["commit"],
        "qa_min": project.config["ship.qa_min"],
    }
    result = interview_and_write(
        project, Spec("ygs-qa", "qa", links), run, source=source, extra_context=extra
    )
    result["evidence"] = facts
    if result.get("written"):
        result["next"] = f"ygs qa score {result['path']}"
    return result


def find_report(project, ref: str | None, kind: str = "qa"):
    if ref:
        found = project.catalog.find(ref)
        if found is None:
            from pathlib import Path

            found = project.catalog.find(project.rel(Path(ref).resolve()))
        if found is None or found.kind != kind:
            raise YgsError(
                f"no {kind.upper()} report '{ref}'",
                remedy=f"`ygs artifacts --type {kind}` lists them",
            )
        return found
    top = gitinfo.top(project.root)
    branch = gitinfo.branch(top) if top else None
    reports = _reports(project, kind)
    mine = [r for r in reports if branch and str(r.meta.get("branch")) == branch]
    if mine or reports:
        return (mine or reports)[-1]
    raise YgsError(
        f"no {kind.upper()} report yet",
        remedy="draft one with `ygs qa` (or name it: ygs qa score PATH)",
    )


def score(
    project,
    ref: str | None,
    given: dict[str, int | None],
    proofs: dict[str, str],
    *,
    amend: bool,
    summary: str,
) -> tuple[dict, int]:
    from ygs.store import atomic_write, inside, project_lock, read_text

    report = find_report(project, ref)
    with project_lock(project.root):
        path = inside(project.root, report.path)
        text = read_text(path, report.path)
        table = qareport.scores(text)
        values: dict[str, int | None] = {}
        for category in qa.CATEGORIES:
            if given.get(category) is not None:
                values[category] = given[category]
                continue
            cell = table.get(category, ("", ""))[0]
            try:
                values[category] = qa.score_of(cell)
            except qa.ScoreError as err:
                raise YgsError(
                    f"{qa.LABELS[category]}: {err}",
                    path=report.path,
                    line=_line_of(text, qa.LABELS[category]),
                    remedy="a whole number from 0 to 10, or pass --" + category.replace("_", "-"),
                ) from None
        missing = [c for c in qa.CATEGORIES if values[c] is None]
        if missing:
            flags = " ".join(f"--{c.replace('_', '-')} N" for c in missing)
            raise YgsError(
                f"not scored yet: {', '.join(qa.LABELS[c] for c in missing)}",
                code=Exit.BLOCKED,
                path=report.path,
                remedy=f"fill the Scores table in the report, or pass {flags}",
            )
        done = qareport.rounds(text)
        if len(done) >= qa.MAX_ROUNDS and not amend:
            raise YgsError(
                f"{report.path} has used its {qa.MAX_ROUNDS} rounds: a 4th never starts",
                code=Exit.BLOCKED,
                path=report.path,
                remedy="stop and report the result; deferred findings become tasks "
                "(--amend corrects the last round's scores)",
            )
        result = qa.judge(values, qareport.open_must(text), int(project.config["ship.qa_min"]))
        row = (date.today().isoformat(), summary, result.result)
        updated = qareport.update(text, result, proofs, row, amend=amend)
        if updated != text:
            atomic_write(path, updated)
    rounds = len(qareport.rounds(updated))
    data = {
        "path": report.path,
        "id": report.id,
        **result.to_dict(),
        "open_must": qareport.open_must(updated),
        "round": rounds,
        "rounds_left": max(qa.MAX_ROUNDS - rounds, 0),
    }
    return data, Exit.OK if result.result == "PASS" else Exit.FINDINGS


def _line_of(text: str, label: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(f"| {label} |"):
            return number
    return None


# --- uat ---------------------------------------------------------------------------------


def checklist(source: dict) -> list[dict]:
    """Every PRD scenario, in order, as the walk's checklist."""
    items = []
    for req in source.get("requirements") or []:
        for scenario in req.get("scenarios") or []:
            items.append(
                {"requirement": req["id"], "priority": req.get("priority"), "scenario": scenario}
            )
        if not req.get("scenarios"):
            items.append(
                {"requirement": req["id"], "priority": req.get("priority"), "scenario": ""}
            )
    return items


def uat(project, run, prd: str | None) -> dict:
    from ygs.interview import engine as iv
    from ygs.interview.engine import Spec
    from ygs.interview.session import interview_and_write

    prds = _reports(project, "prd")
    source = project.catalog.find(prd) if prd else (prds[-1] if prds else None)
    if source is None or source.kind != "prd":
        raise YgsError(
            f"no PRD '{prd}'" if prd else "no PRD to accept against",
            remedy="`ygs artifacts --type prd` lists them; pass --prd ID",
        )
    context = iv.source_context(project, source)
    items = checklist(context)
    if not any(i["scenario"] for i in items) and not run.replay:
        raise YgsError(
            f"{source.path} has no requirement with Given/When/Then scenarios to walk",
            code=Exit.BLOCKED,
            path=source.path,
            remedy="add scenarios to the PRD (ygs-refine-prd), then run ygs uat again",
        )
    result = interview_and_write(
        project,
        Spec("ygs-uat", "uat", {"prd": source.id}),
        run,
        source=source,
        extra_context={"checklist": items},
    )
    if result.get("written"):
        written = project.root / result["path"]
        from ygs.core import frontmatter

        meta = frontmatter.parse(written.read_text(encoding="utf-8")).meta
        result["result"] = meta.get("result")
        result["verifies"] = meta.get("verifies")
        result["next"] = (
            "ygs ship --dry-run"
            if meta.get("result") == "PASS"
            else "ygs implement (the follow-up tasks), then ygs uat again"
        )
    result["checklist"] = items
    return result
