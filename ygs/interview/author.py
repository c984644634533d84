"""Write an interview's result: fresh ids, conventional path, template or model draft, glossary."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ygs.core.artifacts import artifact_path, slugify
from ygs.interview.bank import Bank


@dataclass(frozen=True)
class Plan:
    """Everything needed to write one artifact, before any byte is written."""

    kind: str
    path: str
    meta: dict[str, Any]
    answers: dict[str, Any]
    reserved: tuple[str, ...] = ()  # ids and names allocated for it (released if not written)


def with_ids(project, bank: Bank, answers: dict, by: str = "") -> tuple[dict, list[str]]:
    """Allocate REQ/THR/MIT/… ids for group items that have none (refined items keep theirs).

    Ids come from `ygs.store.allocate`: distinct from every id in the project and from
    those parallel runs hold. Returns the answers and the ids allocated.
    """
    from ygs.store import allocate

    answers = copy.deepcopy(answers)
    slots: dict[str, list[tuple[dict, str]]] = {}
    held: set[str] = set()
    for dim in bank.dimensions:
        repeat = dim.repeat
        if repeat is None:
            continue
        wanted = ({"id": repeat.id_prefix} if repeat.id_prefix else {}) | repeat.extra_ids
        for item in answers.get(repeat.key) or []:
            for key, prefix in wanted.items():
                if item.get(key):
                    held.add(str(item[key]))
                else:
                    slots.setdefault(prefix, []).append((item, key))
    allocated: list[str] = []
    for prefix, places in slots.items():
        ids = allocate(project, prefix, len(places), avoid=held, by=by)
        for (item, key), ident in zip(places, ids, strict=True):
            item[key] = ident
        allocated += ids
    return answers, allocated


# Answers never marked as assumed: names and ids are structure, not claims to confirm.
_UNMARKED_KINDS = ("choice", "priority", "number", "scenario")
_STRUCTURAL = frozenset({"states", "transitions", "satisfies", "mitigates", "depth"})


def mark_assumptions(bank: Bank, answers: dict, origins: dict[str, str]) -> dict:
    """Mark each answer accepted from ygs's offline recommendation (origin `recommended`)
    with the inline `[assumed]` marker (ygs.core.assumptions)."""
    from ygs.core.assumptions import marked

    answers = copy.deepcopy(answers)
    questions = {(d.repeat.key if d.repeat else None, q.id): q for d, q in bank.questions()}
    for key, origin in origins.items():
        if origin != "recommended":
            continue
        group, _, rest = key.partition("[")
        scope = (group, rest.split(".", 1)[1]) if rest else (None, key)
        question = questions.get(scope)
        if question is None or not _markable(bank, question):
            continue
        holder = answers
        if rest:
            index = int(rest.split("]", 1)[0])
            items = answers.get(group) or []
            if index >= len(items) or not isinstance(items[index], dict):
                continue
            holder = items[index]
        if holder.get(question.id) not in (None, "", []):
            holder[question.id] = marked(holder[question.id])
    return answers


def _markable(bank: Bank, question) -> bool:
    if question.kind in _UNMARKED_KINDS or question.id in _STRUCTURAL:
        return False
    if question.id == bank.title:
        return False
    return not any(v.name == "max_words" and v.arg <= 4 for v in question.validators)


def with_not_applicable(bank: Bank, answers: dict, skipped: dict[str, str]) -> dict:
    """A section marked not applicable says so, with the reason, where its answers go."""
    if not skipped:
        return answers
    answers = dict(answers)
    for dim in bank.dimensions:
        if dim.id not in skipped or dim.repeat is not None:
            continue
        note = f"Not applicable: {skipped[dim.id]}"
        for q in dim.questions:
            if answers.get(q.id) in (None, "", []) and q.kind != "scenario":
                answers[q.id] = [note] if q.kind == "list" else note
    answers["not_applicable"] = [
        f"{d.title}: {skipped[d.id]}" for d in bank.dimensions if d.id in skipped
    ]
    return answers


def kept_text(words: tuple[str, ...], ask: str) -> str:
    """Why a kept answer is still open: a challenge without a number, or a failed check."""
    if words:
        return f"'{', '.join(words)}' has no number yet ({ask})"
    return f"kept as typed although it fails a check ({ask})"


def with_open_questions(answers: dict, kept: list[tuple[str, tuple[str, ...], str]]) -> dict:
    """Challenges the person kept, and answers kept despite a failed check, become open
    questions in the artifact."""
    if not kept:
        return answers
    notes = [f"{key}: {kept_text(words, ask)}" for key, words, ask in kept]
    existing = answers.get("open_questions") or []
    existing = existing if isinstance(existing, list) else [existing]
    return {**answers, "open_questions": [*existing, *notes]}


def plan(
    project,
    bank: Bank,
    answers: dict,
    kind: str,
    links: dict,
    status: str,
    existing_path: str | None = None,
    existing_id: str | None = None,
    reserved: tuple[str, ...] = (),
) -> Plan:
    """Id, name and path of the artifact: an ADR number or a unique slug is allocated
    (`ygs.store.allocate` / `allocate_slug`) unless the artifact exists already."""
    from ygs.store import allocate, allocate_slug

    title = str(answers.get(bank.title) or "untitled").strip()
    today = date.today().isoformat()
    number = None
    if existing_id:
        ident = existing_id
    elif kind == "adr":
        ident = allocate(project, "ADR", by=kind)[0]
        number = int(ident.split("-")[1])
        reserved = (*reserved, ident)
    else:
        ident = allocate_slug(project, kind, slugify(title), date=today, by=kind)
        reserved = (*reserved, f"{kind}:{ident}")
    slug = slugify(title) if kind == "adr" else ident
    if status == "draft" and kind == "adr":
        status = str(answers.get("status") or "proposed")
    meta = {
        "id": ident,
        "type": kind,
        "title": title,
        "status": status,
        "date": today,
        "slug": slug,
        **links,
    }
    layout = project.layout
    path = existing_path or artifact_path(kind, slug, date=today, number=number, layout=layout)
    return Plan(kind, path, meta, answers, reserved)


def render(plan: Plan, context: dict, overrides: Path) -> str:
    from ygs.core.render import render_template

    return render_template(plan.kind, plan.meta, plan.answers, context, overrides_dir=overrides)


def template_source(kind: str, overrides: Path) -> str:
    """The template's own text (the project's override first), to show a model the shape."""
    from ygs.core.render import template_dirs

    for folder in template_dirs(overrides):
        path = Path(folder) / f"{kind}.md.j2"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


_TERM_SEPARATOR = re.compile(r"[:—–-]\s")  # `Term: definition`, `Term — definition`


def glossary_rows(answers: dict, current: str) -> list[str]:
    """`Term: definition` answers not yet in CONTEXT.md, as table rows."""
    terms = answers.get("glossary") or []
    known = {
        line.split("|")[1].strip().lower()
        for line in current.splitlines()
        if line.startswith("|") and line.count("|") >= 3
    }
    rows = []
    for entry in terms if isinstance(terms, list) else [terms]:
        term, definition = _term(str(entry))
        if term and term.lower() not in known:
            known.add(term.lower())
            escaped = definition.replace("|", "\\|")
            rows.append(f"| {term} | {escaped} | |")
    return rows


def _term(entry: str) -> tuple[str, str]:
    """(term, definition), or ("", "") when the entry is not `Term: definition`."""
    for match in _TERM_SEPARATOR.finditer(entry):
        term, definition = entry[: match.start()].strip(), entry[match.end() :].strip()
        if ":" in term or "|" in term:
            break
        if term and definition:
            return term, definition
    return "", ""


def update_glossary(root: Path, answers: dict, *, follow_symlinks: bool = False) -> int:
    """Add the new terms to CONTEXT.md (read-modify-write under the project lock, so
    parallel interviews keep each other's terms). A CONTEXT.md that is a symbolic link,
    or not UTF-8, is left alone (YgsError)."""
    from ygs.project import CONTEXT_FILE
    from ygs.store import Escape, atomic_write, inside, project_lock, read_text

    path = inside(root, CONTEXT_FILE, follow_symlinks=follow_symlinks)
    with project_lock(root):
        if path.is_symlink() and not follow_symlinks:
            raise Escape(f"{CONTEXT_FILE} is a symbolic link: not updated", path=CONTEXT_FILE)
        current = read_text(path, CONTEXT_FILE) if path.is_file() else ""
        rows = glossary_rows(answers, current)
        if not rows:
            return 0
        if "| Term |" not in current:
            current = current.rstrip("\n") + "\n\n" if current else "# Context\n\n"
            current += "| Term | Meaning | Not to be confused with |\n|---|---|---|\n"
        atomic_write(path, current.rstrip("\n") + "\n" + "\n".join(rows) + "\n")
    return len(rows)
