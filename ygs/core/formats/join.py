"""Join the foreign documents of a catalogue into requirements, tasks and task links.

Pure. What the trace graph, the lint and `ygs status` read for OpenSpec and spec-kit:

- OpenSpec: every requirement of `openspec/specs/`; an active change's ADDED requirement
  that the specs do not have yet (status `proposed`); a change's tasks are linked to the
  requirements its deltas add, modify or rename (archived changes included).
- spec-kit: FR/NFR requirements and user stories of every feature; `[US1]` tasks are
  linked to their story, tasks that name an FR to that FR. An id is bare (`FR-001`)
  while one feature defines it and `<feature>/FR-001` when several do; the qualified
  form is an alias in both cases.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from ygs.core.formats import OPENSPEC, SPECKIT, Req
from ygs.core.markdown import Bullet, Field


class ForeignTask(NamedTuple):
    id: str
    title: str
    path: str
    line: int
    done: bool
    format: str
    qualified: str = ""  # spec-kit: `feature/T001` whatever the canonical id


class Joined(NamedTuple):
    requirements: list  # ygs.core.specs.Requirement
    tasks: dict[str, ForeignTask]
    links: dict[str, list[str]]  # requirement id -> task ids
    criteria: int  # spec-kit success criteria (not traced)
    questions: int  # open [NEEDS CLARIFICATION] markers


def join(artifacts) -> Joined:
    foreign = [a for a in artifacts if a.parsed is not None]
    reqs: list = []
    tasks: dict[str, ForeignTask] = {}
    links: dict[str, list[str]] = {}
    _openspec([a for a in foreign if a.format == OPENSPEC], reqs, tasks, links)
    criteria = _speckit([a for a in foreign if a.format == SPECKIT], reqs, tasks, links)
    questions = sum(len(a.parsed.questions) for a in foreign)
    return Joined(reqs, tasks, links, criteria, questions)


def count(artifacts, imported: frozenset[str] = frozenset()) -> tuple[int, int, int]:
    """(requirements, stories, scenarios) that `join` would list, without building them:
    what `ygs check` reports as its inputs."""
    listed = [
        a
        for a in artifacts
        if a.parsed is not None and a.kind in ("spec", "spec-delta") and not a.parsed.archived
    ]
    main: set[str] = set()  # what the specs define: a delta adding it again adds nothing
    if any(a.kind == "spec-delta" for a in listed):
        main.update(
            r.id
            for a in artifacts
            if a.parsed is not None and a.format == OPENSPEC and a.kind == "spec"
            for r in a.parsed.reqs
        )
    reqs = stories = scenarios = 0
    for a in listed:
        delta, doc = a.kind == "spec-delta", a.parsed.doc
        for r in a.parsed.reqs:
            if r.kind == "criterion" or (delta and (r.op != "ADDED" or r.id in main)):
                continue
            if imported and (r.id in imported or f"{doc}/{r.id}" in imported):
                continue
            if delta:
                main.add(r.id)
            reqs += r.kind == "requirement"
            stories += r.kind == "story"
            scenarios += len(r.scenarios)
    return reqs, stories, scenarios


def _requirement(req: Req, artifact, doc: str, status: str, ident: str = "", aliases=()):
    from ygs.core.specs import Requirement

    fields = {"statement": Field(req.statement_line, "statement", req.statement)}
    return Requirement(
        id=ident or req.id,
        title=req.name,
        path=artifact.path,
        line=req.line,
        prd=doc,
        prd_status=status,
        priority=req.priority,
        fields=fields,
        scenarios=tuple(Bullet(s.line, 0, s.text) for s in req.scenarios),
        format=artifact.format,
        kind=req.kind,
        aliases=tuple(aliases),
        inferred=req.kind == "requirement",
    )


def _openspec(docs, reqs: list, tasks: dict, links: dict) -> None:
    specs = [a for a in docs if a.kind == "spec"]
    known = set()
    for spec in specs:
        for req in spec.parsed.reqs:
            reqs.append(_requirement(req, spec, spec.parsed.doc, "current"))
            known.add(req.id)
    change_tasks: dict[tuple[str, bool], list[str]] = {}
    for doc in docs:
        if doc.kind != "tasks":
            continue
        for task in doc.parsed.tasks:
            tasks[task.id] = ForeignTask(
                task.id, task.title, doc.path, task.line, task.done, OPENSPEC
            )
            change_tasks.setdefault((doc.parsed.doc, doc.parsed.archived), []).append(task.id)
    for delta in (a for a in docs if a.kind == "spec-delta"):
        parsed = delta.parsed
        for req in parsed.reqs:
            if req.op == "ADDED" and not parsed.archived and req.id not in known:
                reqs.append(_requirement(req, delta, parsed.doc, "proposed"))
                known.add(req.id)
            if req.op in ("ADDED", "MODIFIED", "RENAMED"):
                for task_id in change_tasks.get((parsed.doc, parsed.archived), []):
                    target = links.setdefault(req.id, [])
                    if task_id not in target:
                        target.append(task_id)


def _speckit(docs, reqs: list, tasks: dict, links: dict) -> int:
    specs = [a for a in docs if a.kind == "spec"]
    task_docs = [a for a in docs if a.kind == "tasks"]
    counts = Counter(r.id for a in specs for r in a.parsed.reqs)
    counts.update(t.id for a in task_docs for t in a.parsed.tasks)

    def canon(feature: str, local: str) -> str:
        return f"{feature}/{local}" if counts[local] > 1 else local

    criteria = 0
    for spec in specs:
        feature = spec.parsed.doc
        for req in spec.parsed.reqs:
            if req.kind == "criterion":
                criteria += 1
                continue
            qualified = f"{feature}/{req.id}"
            ident = canon(feature, req.id)
            aliases = [qualified]
            reqs.append(_requirement(req, spec, feature, spec.status or "draft", ident, aliases))
    for doc in task_docs:
        feature = doc.parsed.doc
        for task in doc.parsed.tasks:
            ident = canon(feature, task.id)
            tasks[ident] = ForeignTask(
                ident, task.title, doc.path, task.line, task.done, SPECKIT, f"{feature}/{task.id}"
            )
            for local in (task.story, *task.refs):
                if local:
                    links.setdefault(canon(feature, local), []).append(ident)
    return criteria
