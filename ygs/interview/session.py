"""One interview command, end to end: ask (or replay), plan, draft or render, write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ygs.cli.output import log, opts
from ygs.errors import YgsError
from ygs.interview import author
from ygs.interview import engine as iv
from ygs.interview import machine as core

NEXT = {
    "prd": "ygs review-prd {path}",
    "trd": "ygs refine-architecture (large changes) or ygs wbs",
    "architecture": 'ygs adr "…" for contested decisions, then ygs wbs',
    "design-doc": "ygs review-architecture {path}",
    "adr": "ygs check {path}",
    "threat-model": "ygs check {path}, then plan the mitigations with ygs wbs",
    "estimate": 'ygs spike "question" for a risky feature, else ygs wbs',
}
HARD_TO_REVERSE = {"irreversible", "costly", "one-way", "one-way door", "hard to reverse"}


def _prompter(run):
    from ygs.interview.prompts import FilePrompter, TerminalPrompter

    if opts().interactive and run.answers is None:
        return TerminalPrompter()
    return FilePrompter.from_file(run.answers)


def _advisor(project, skill, run, bank_path: Path, kind: str):
    from ygs import llm

    session = llm.connect(
        project,
        backend=run.backend,
        offline=run.offline,
        max_cost=run.max_cost,
        run_dir=llm.run_dir(project.root, skill.name.removeprefix("ygs-")),
    )
    if session is None:
        return None
    from ygs.interview.advisor import Advisor
    from ygs.llm.context import summary

    log(f"model: {session.backend.name} ({session.backend.model_for(skill.tier or 'reasoning')})")
    session.around_call = _spinner(session)
    template = author.template_source(kind, project.root / ".ygs" / "templates")
    return Advisor(
        session,
        skill,
        bank_path.read_text(encoding="utf-8"),
        summary(project.root, project.catalog),
        template,
    )


def _spinner(session):
    """A rich spinner with running tokens and cost while the model thinks (terminals only)."""
    import sys
    from contextlib import contextmanager, nullcontext

    if not sys.stderr.isatty():
        return nullcontext

    @contextmanager
    def thinking():
        from rich.console import Console

        total = session.ledger.total
        tokens = total.input_tokens + total.output_tokens + total.cache_read_tokens
        text = f"thinking … {tokens:,} tokens, ${session.ledger.spent_usd:.4f} so far"
        with Console(stderr=True).status(text):
            yield

    return thinking


def _converse(project, spec, run, skill, bank, bank_hash, header, prior=None):
    journal = iv.start_or_resume(project, skill.name, bank_hash, header, resume=run.resume)
    context = journal.header.get("context", header["context"])
    prior = journal.header.get("prior", prior)
    prompter = _prompter(run)
    advisor = _advisor(project, skill, run, skill.interview_path, spec.kind)
    conversation = iv.Conversation(bank, context, journal, prompter, advisor, prior)
    context["_timeout_s"] = project.config["model.timeout_s"]
    try:
        state = conversation.run()
    except KeyboardInterrupt:
        raise iv.interrupted(journal) from None
    finally:
        context.pop("_timeout_s", None)
    gaps = core.gaps(bank, context, state)
    return journal, context, state, prompter, advisor, gaps


def interview_and_write(
    project, spec, run, *, idea: str = "", source=None, design_doc: bool = False, superseding=None
) -> dict:
    skill = iv.load_skill(project, spec.skill)
    bank, bank_hash = iv.load_bank(skill)
    if run.replay:
        return _replay(project, spec, run, bank)
    context = iv.context_for(project, idea=idea, source=source, design_doc=design_doc)
    header = {"context": context, "links": spec.links}
    journal, context, state, prompter, advisor, gaps = _converse(
        project, spec, run, skill, bank, bank_hash, header
    )
    links = journal.header.get("links", spec.links)
    plan = _plan(project, bank, state, spec.kind, links, spec.status)
    if not prompter.confirm(iv.summary(bank, state), gaps, plan.path):
        return {"written": False, "journal": str(journal.path), "path": plan.path}
    text = _text(project, plan, context, advisor, skill)
    result = _write(project, plan, text, run.force, journal, bank, state, gaps)
    if superseding is not None:
        _mark_superseded(project, superseding, plan.meta["id"])
        result["superseded"] = superseding.id
    result["notes"] = [*getattr(prompter, "notes", []), *result["notes"]]
    return result


def refine_in_place(project, spec, path: Path, run) -> dict:
    """Ask again with the existing PRD's answers recommended; keep its ids; rewrite it in place."""
    from ygs.core.importers import prd_answers

    rel = project.rel(path)
    artifact = project.catalog.find(rel)
    if artifact is None or artifact.kind != spec.kind:
        raise YgsError(
            f"{rel} is not a {spec.kind.upper()} of this project",
            path=str(path),
            remedy=f"`ygs artifacts --type {spec.kind}` lists them",
        )
    skill = iv.load_skill(project, spec.skill)
    bank, bank_hash = iv.load_bank(skill)
    prior = prd_answers(artifact)
    context = iv.context_for(project, idea=artifact.title)
    header = {
        "context": context,
        "links": spec.links,
        "prior": prior,
        "refines": {"path": artifact.path, "id": artifact.id, "status": artifact.status},
    }
    journal, context, state, prompter, advisor, gaps = _converse(
        project, spec, run, skill, bank, bank_hash, header, prior
    )
    refines = journal.header["refines"]
    answers = _keep_ids(state.answers, journal.header.get("prior") or {})
    state.answers = answers
    plan = _plan(
        project,
        bank,
        state,
        spec.kind,
        dict(artifact.meta.get("links") or {}),
        refines["status"] or spec.status,
        refines["path"],
        refines["id"],
    )
    if not prompter.confirm(iv.summary(bank, state), gaps, plan.path):
        return {"written": False, "journal": str(journal.path), "path": plan.path}
    text = _text(project, plan, context, advisor, skill)
    return _write(project, plan, text, True, journal, bank, state, gaps)


def _keep_ids(answers: dict, prior: dict) -> dict:
    for key, items in prior.items():
        if isinstance(items, list) and isinstance(answers.get(key), list):
            for mine, theirs in zip(answers[key], items, strict=False):
                if isinstance(theirs, dict) and theirs.get("id") and isinstance(mine, dict):
                    mine["id"] = theirs["id"]
    return answers


def _replay(project, spec, run, bank) -> dict:
    from ygs.interview.journal import find

    journal = find(project.root, run.replay)
    context = journal.header.get("context", {})
    try:
        state = core.fold(bank, context, journal.events)
    except core.JournalMismatch as err:
        raise YgsError(str(err), path=str(journal.path)) from None
    refines = journal.header.get("refines")
    state.answers = _keep_ids(state.answers, journal.header.get("prior") or {})
    plan = _plan(
        project,
        bank,
        state,
        spec.kind,
        journal.header.get("links", spec.links),
        (refines or {}).get("status") or spec.status,
        (refines or {}).get("path") or journal.written,
        (refines or {}).get("id") or _id_of(project, journal.written),
    )
    text = author.render(plan, context, project.root / ".ygs" / "templates")
    gaps = core.gaps(bank, context, state)
    return _write(
        project, plan, text, run.force or bool(journal.written), journal, bank, state, gaps
    )


def _id_of(project, path: str | None) -> str | None:
    artifact = project.catalog.find(path) if path else None
    return artifact.id if artifact else None


def _plan(project, bank, state, kind, links, status, path=None, ident=None) -> author.Plan:
    answers = author.with_ids(project.catalog, bank, state.answers)
    answers = author.with_open_questions(answers, state.kept)
    return author.plan(
        project.catalog, project.layout, bank, answers, kind, links, status, path, ident
    )


# Artifacts whose numbers or fields are computed: always rendered from the template.
RENDERED_ONLY = frozenset({"estimate", "spike", "task"})


def _text(project, plan, context, advisor, skill) -> str:
    if advisor is None or plan.kind in RENDERED_ONLY:
        return author.render(plan, context, project.root / ".ygs" / "templates")
    from ygs.interview.advisor import draft_problems

    ids = _item_ids(plan.answers)
    log("drafting the document with the model …")
    return advisor.draft(
        plan.meta,
        plan.answers,
        context,
        lambda text: draft_problems(text, plan.meta, ids) + _lint(project, plan, text),
    )


def _item_ids(answers: dict) -> list[str]:
    from ygs.core.artifacts import ID_RE

    return [
        v
        for items in answers.values()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
        for v in item.values()
        if isinstance(v, str) and ID_RE.fullmatch(v)
    ]


def _lint(project, plan, text: str) -> list[str]:
    """MUST findings of `ygs check` on the draft, as repair instructions."""
    from ygs.core.artifacts import build_catalog
    from ygs.core.lint import lint

    files = [(p, b) for p, b in project.artifact_files() if p != plan.path]
    catalog = build_catalog([*files, (plan.path, text.encode("utf-8"))], project.layout)
    return [
        f"line {f.line}: {f.rule} {f.message}"
        for f in lint(catalog, paths=[plan.path])
        if f.severity.value == "MUST"
    ]


def _write(project, plan, text, force, journal, bank, state, gaps) -> dict:
    from ygs.store import write_new

    target = project.root / plan.path
    backup = write_new(target, text, force=force, backup_dir=project.root / ".ygs" / "backups")
    journal.mark_written(plan.path)
    added = author.update_glossary(project.root, plan.answers)
    notes = [f"{added} glossary term(s) added to CONTEXT.md"] if added else []
    notes += [f"kept without a number: {key} ({', '.join(w)})" for key, w, _ in state.kept]
    notes += _adr_offers(plan.answers)
    if backup is not None:
        notes.append(f"the previous version is kept at {project.rel(backup)}")
    return {
        "written": True,
        "path": plan.path,
        "id": plan.meta["id"],
        "type": plan.kind,
        "journal": str(journal.path),
        "answers": state.asked,
        "gaps": gaps,
        "open_questions": [k for k, _, _ in state.kept],
        "notes": notes,
        "next": NEXT.get(plan.kind, "").format(path=plan.path),
    }


def _adr_offers(answers: dict) -> list[str]:
    """A decision that is hard to reverse deserves its own ADR."""
    offers = []
    for items in answers.values():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            values = {str(v).strip().lower() for v in item.values() if isinstance(v, str)}
            if values & HARD_TO_REVERSE:
                title = item.get("title") or item.get("decision") or item.get("id", "a decision")
                offers.append(f"'{title}' is hard to reverse: record it with `ygs adr \"{title}\"`")
    return offers


def _mark_superseded(project, old, new_id: str) -> None:
    from ygs.core import frontmatter
    from ygs.store import atomic_write, read_text

    path = project.root / old.path
    doc = frontmatter.parse(read_text(path))
    meta: dict[str, Any] = {**doc.meta, "status": "superseded", "superseded_by": new_id}
    atomic_write(path, frontmatter.render(meta, doc.body))
