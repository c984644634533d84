"""One interview command, end to end: ask (or replay), plan, draft or render, write."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ygs.cli.output import log, opts
from ygs.errors import YgsError
from ygs.interview import author
from ygs.interview import engine as iv
from ygs.interview import machine as core
from ygs.store import project_lock

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
    project,
    spec,
    run,
    *,
    idea: str = "",
    source=None,
    design_doc: bool = False,
    superseding=None,
    extra_context: dict | None = None,
    prior: dict | None = None,
    check=None,
) -> dict:
    """`extra_context`: computed facts the bank and template read (`context.<key>`);
    `prior`: drafted answers offered as the recommendations; `check(answers)`: problems
    that stop the write (exit 2, the answers stay in the journal)."""
    skill = iv.load_skill(project, spec.skill)
    bank, bank_hash = iv.load_bank(skill)
    if run.replay:
        return _replay(project, spec, run, bank)
    _check_folder(project, spec.kind, run)  # before the questions, not after
    context = iv.context_for(project, idea=idea, source=source, design_doc=design_doc)
    context.update(extra_context or {})
    header = {"context": context, "links": spec.links, **({"prior": prior} if prior else {})}
    journal, context, state, prompter, advisor, gaps = _converse(
        project, spec, run, skill, bank, bank_hash, header, prior
    )
    links = journal.header.get("links", spec.links)
    plan = _plan(project, bank, state, spec.kind, links, spec.status)
    problems = check(plan.answers) if check is not None else []
    if problems:
        from ygs.store import release

        release(project, plan.reserved)
        raise YgsError(
            problems[0],
            details=problems[1:],
            remedy=f"nothing was written: change those answers and run again (every answer "
            f"so far is in {journal.path.name})",
        )
    with _reservation(project, plan):
        if not prompter.confirm(iv.summary(bank, state), gaps, plan.path):
            return {"written": False, "journal": str(journal.path), "path": plan.path}
        text = _text(project, plan, context, advisor, skill)
        with project_lock(project.root):
            result = _write(project, plan, text, run, journal, state, gaps)
            if superseding is not None:
                _mark_superseded(project, superseding, plan.meta["id"], run)
                result["superseded"] = superseding.id
    result["notes"] = [*getattr(prompter, "notes", []), *result["notes"]]
    return result


@contextmanager
def _reservation(project, plan):
    """Give the plan's ids and names back when done: written, they are in the catalogue
    now; not written (declined, failed), they are free again."""
    from ygs.store import release

    try:
        yield
    finally:
        release(project, plan.reserved)


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
    from ygs.core.assumptions import unmarked

    prior = unmarked(prd_answers(artifact))  # re-asked here: what is confirmed is no longer assumed
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
    with _reservation(project, plan):
        if not prompter.confirm(iv.summary(bank, state), gaps, plan.path):
            return {"written": False, "journal": str(journal.path), "path": plan.path}
        text = _text(project, plan, context, advisor, skill)
        with project_lock(project.root):  # refining in place is the --force this asks for
            return _write(project, plan, text, replace(run, force=True), journal, state, gaps)


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
    with _reservation(project, plan), project_lock(project.root):
        return _write(project, plan, text, run, journal, state, gaps)


def _id_of(project, path: str | None) -> str | None:
    artifact = project.catalog.find(path) if path else None
    return artifact.id if artifact else None


def _plan(project, bank, state, kind, links, status, path=None, ident=None) -> author.Plan:
    answers, ids = author.with_ids(project, bank, state.answers, by=kind)
    answers = author.mark_assumptions(bank, answers, state.origins)
    answers = author.with_open_questions(answers, state.kept)
    answers = author.with_not_applicable(bank, answers, state.not_applicable)
    return author.plan(project, bank, answers, kind, links, status, path, ident, tuple(ids))


# Artifacts whose numbers or fields are computed: always rendered from the template.
RENDERED_ONLY = frozenset(
    {"estimate", "spike", "task", "qa", "uat", "retro", "learning", "handoff"}
)


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


def _write(project, plan, text, run, journal, state, gaps) -> dict:
    """Create the artifact (exclusively, or over the old one with --force and a backup),
    then the journal mark and the glossary. The caller holds the project lock."""
    from ygs.project import CONTEXT_FILE
    from ygs.store import Exists, clean_temps, state_folder, write_new

    target = _contained(project, plan.path, run)
    clean_temps(target.parent)  # what a killed run left beside it (we hold the lock)
    clean_temps(project.root, names=[CONTEXT_FILE])
    try:
        backups = state_folder(project.root, "backups") if run.force else None
        backup = write_new(target, text, force=run.force, backup_dir=backups)
    except Exists:
        raise _not_written(plan, journal, run) from None
    journal.mark_written(plan.path)
    notes = _glossary(project, plan, run)
    notes += [f"open question: {key}: {author.kept_text(w, ask)}" for key, w, ask in state.kept]
    notes += _adr_offers(plan.answers)
    if _assumed_count(text):
        notes.append(
            f"{_assumed_count(text)} line(s) are ygs's own recommendations, marked [assumed]: "
            "confirm or edit them and delete the marker (`ygs check` reports them, ART014)"
        )
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
        "assumptions": _assumed_count(text),
        "not_applicable": dict(state.not_applicable),
        "notes": notes,
        "next": NEXT.get(plan.kind, "").format(path=plan.path),
    }


def _assumed_count(text: str) -> int:
    from ygs.core.assumptions import lines

    return len(lines(text))


def _contained(project, rel: str, run) -> Path:
    from ygs.store import inside

    return inside(project.root, rel, follow_symlinks=run.follow_symlinks)


def _check_folder(project, kind: str, run) -> None:
    """Refuse a linked artifact folder (docs/prd -> elsewhere) up front."""
    from ygs.core.artifacts import artifact_path

    _contained(project, artifact_path(kind, "x", date="d", layout=project.layout), run)


def _not_written(plan, journal, run) -> YgsError:
    """The artifact exists (another run, or a file of yours): say so, keep the answers."""
    again = "" if run.replay else f"`--replay {journal.path.name}` writes them again, or "
    return YgsError(
        f"{plan.path} already exists: not overwritten, nothing was written",
        path=plan.path,
        remedy=f"your answers are kept in {journal.path}; {again}add --force to replace "
        "the file (a backup is kept)",
    )


def _glossary(project, plan, run) -> list[str]:
    from ygs.core.assumptions import unmarked

    try:
        added = author.update_glossary(
            project.root, unmarked(plan.answers), follow_symlinks=run.follow_symlinks
        )
    except YgsError as err:
        return [f"CONTEXT.md not updated: {err.message}"]
    return [f"{added} glossary term(s) added to CONTEXT.md"] if added else []


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


def _mark_superseded(project, old, new_id: str, run) -> None:
    from ygs.core import frontmatter
    from ygs.store import atomic_write, read_text

    path = _contained(project, old.path, run)
    doc = frontmatter.parse(read_text(path))
    meta: dict[str, Any] = {**doc.meta, "status": "superseded", "superseded_by": new_id}
    atomic_write(path, frontmatter.render(meta, doc.body))
