"""`ygs wbs`: the plan graph over task files or a decomposition file, drafting a
decomposition from a PRD or TRD (offline or with a model), and writing task files."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ygs.core import decomposition as dec
from ygs.core import plan_graph
from ygs.core.estimate import as_mapping
from ygs.errors import Exit, YgsError
from ygs.plan import tasks as store

WBS_DIR = ".ygs/wbs"
MAX_REPAIRS = 2


# --- reading ----------------------------------------------------------------------------------


def requirement_priorities(project) -> dict[str, str]:
    """REQ id -> MUST | SHOULD | MAY, for every requirement of a PRD that is not skipped."""
    from ygs.core.specs import Index

    skip = set(project.config["trace.skip_statuses"])
    return {
        r.id: r.priority
        for r in Index(project.catalog).requirement_list
        if r.prd_status not in skip
    }


def requirements(project, prd: str = "") -> list[plan_graph.Requirement]:
    """The requirements coverage is checked against: one PRD's, or every active PRD's."""
    from ygs.core.specs import Index

    skip = set(project.config["trace.skip_statuses"])
    return [
        plan_graph.Requirement(r.id, r.priority, r.title)
        for r in Index(project.catalog).requirement_list
        if r.prd_status not in skip and (not prd or r.prd == prd)
    ]


def analyse_tasks(project) -> plan_graph.Analysis:
    return plan_graph.analyse(store.nodes(project.catalog), requirements(project))


def read_decomposition(path: Path, shown: str) -> dec.Decomposition:
    from ygs.store import read_text

    try:
        return dec.parse(read_text(path, shown))
    except dec.DecompositionError as err:
        raise YgsError(
            err.message,
            path=shown,
            line=err.line,
            remedy=err.remedy or "see skills/ygs-wbs/references/decomposition-format.md",
        ) from None


def analyse_decomposition(project, decomposition: dec.Decomposition) -> plan_graph.Analysis:
    """The decomposition's tasks (by key) together with the project's existing tasks."""
    priorities = requirement_priorities(project)
    nodes = [e.node(priorities) for e in decomposition.entries]
    nodes += store.nodes(project.catalog)
    return plan_graph.analyse(
        nodes,
        requirements(project, decomposition.prd),
        [k for k, _ in decomposition.milestones],
    )


def unknown_requirements(decomposition: dec.Decomposition, known: dict[str, str]) -> list[str]:
    return [
        f"{e.key} satisfies {r}, which no PRD defines"
        for e in decomposition.entries
        for r in e.satisfies
        if r not in known
    ]


# --- writing computed fields ------------------------------------------------------------------


def write_waves(project, analysis: plan_graph.Analysis) -> list[str]:
    """Store each task's computed wave (and size) in its frontmatter; returns changed paths."""
    changed = []
    for task in store.tasks(project.catalog):
        wave = analysis.waves.get(task.id)
        values: dict[str, Any] = {"wave": wave} if wave != task.wave else {}
        if str(task.artifact.meta.get("size") or "") != task.size:
            values["size"] = task.size
        if values and store.write_computed(project.root, task, **values):
            changed.append(task.path)
    return changed


# --- decomposition -> task files -------------------------------------------------------------


@dataclass(frozen=True)
class NewTask:
    id: str
    key: str
    path: str
    meta: dict[str, Any]
    answers: dict[str, Any]


def materialise(project, decomposition: dec.Decomposition) -> list[NewTask]:
    """Ids allocated, keys resolved, sizes, priorities and waves computed: the files to write,
    before any byte is written. Exits 2 on unknown requirements and 1 on a cycle."""
    priorities = requirement_priorities(project)
    problems = unknown_requirements(decomposition, priorities)
    if problems:
        raise YgsError(
            problems[0],
            details=problems[1:],
            remedy="satisfy REQ ids that a PRD defines (`ygs trace` lists them)",
        )
    from ygs.store import release

    ids = store.allocate_ids(project, len(decomposition.entries), by="wbs")
    try:
        return _materialise(project, decomposition, priorities, ids)
    except BaseException:
        release(project, ids)  # nothing will be written: the ids stay free
        raise


def _materialise(project, decomposition, priorities, ids: list[str]) -> list[NewTask]:
    by_key = {e.key: i for e, i in zip(decomposition.entries, ids, strict=True)}
    nodes = store.nodes(project.catalog)
    for entry, ident in zip(decomposition.entries, ids, strict=True):
        node = entry.node(priorities)
        deps = tuple(by_key.get(d, d) for d in entry.depends_on)
        nodes.append(replace(node, id=ident, depends_on=deps))
    analysis = plan_graph.analyse(nodes)
    if analysis.cycles:
        raise YgsError(
            "dependency cycle: " + " → ".join(_keys(analysis.cycles[0], by_key)),
            code=Exit.FINDINGS,
            remedy="break the cycle in the decomposition; check it with `ygs wbs plan --from FILE`",
        )
    if analysis.unknown:
        u = analysis.unknown[0]
        raise YgsError(
            f"{_keys([u.task], by_key)[0]} depends on {u.dependency}: no such task or key",
            code=Exit.FINDINGS,
            remedy="name a key of this file or an existing TASK id",
        )
    today = date.today().isoformat()
    found = []
    for entry, ident in zip(decomposition.entries, ids, strict=True):
        meta = {
            "id": ident,
            "title": entry.title,
            "status": store.BACKLOG,
            "date": today,
            "priority": entry.priority or dec.priority_for(entry.satisfies, priorities),
            "size": entry.size,
            "points": entry.points,
            "wave": analysis.waves.get(ident),
            "mode": entry.mode,
            "depends_on": [by_key.get(d, d) for d in entry.depends_on],
            "satisfies": list(entry.satisfies),
            "mitigates": list(entry.mitigates),
            "prd": decomposition.prd,
            "planned_files": list(entry.planned_files),
            "planned_lines": entry.planned_lines,
            "estimate": as_mapping(entry.estimate),
        }
        answers = entry.to_answers()
        answers["milestone"] = (
            decomposition.milestone_title(entry.milestone) if entry.milestone else ""
        )
        path = store.task_path(project.layout, ident, entry.title)
        found.append(NewTask(ident, entry.key, path, meta, answers))
    return found


def _keys(ids: list[str], by_key: dict[str, str]) -> list[str]:
    back = {v: k for k, v in by_key.items()}
    return [f"{back[i]} ({i})" if i in back else i for i in ids]


def write_tasks(project, planned: list[NewTask]) -> list[str]:
    from ygs.store import inside, write_new

    overrides = project.root / ".ygs" / "templates"
    written = []
    for item in planned:
        text = store.render(item.meta, item.answers, overrides, item.meta["date"])
        write_new(inside(project.root, item.path), text)
        written.append(item.path)
    return written


def save_decomposition(project, decomposition: dec.Decomposition, slug: str) -> str:
    from ygs.core import yamltext
    from ygs.store import atomic_write, inside

    rel = f"{WBS_DIR}/{slug}.yaml"
    atomic_write(inside(project.root, rel), yamltext.dump(dec.to_data(decomposition)))
    return rel


# --- drafting ---------------------------------------------------------------------------------


def source_artifact(project, ref: str | None):
    """The PRD or TRD to decompose: the one named, else the newest TRD, else the newest PRD."""
    catalog = project.catalog
    if ref:
        found = catalog.find(ref)
        if found is None or found.kind not in ("prd", "trd"):
            raise YgsError(
                f"no PRD or TRD '{ref}'",
                remedy="`ygs artifacts --type prd` and `--type trd` list them",
            )
        return found
    for kind in ("trd", "prd"):
        items = sorted(catalog.of_kind(kind), key=lambda a: (a.date, a.path))
        if items:
            return items[-1]
    raise YgsError(
        "nothing to decompose: no PRD or TRD yet",
        code=Exit.BLOCKED,
        remedy="write one with `ygs refine-prd`, or pass a decomposition with --from FILE",
    )


def draft(project, source) -> dec.Decomposition | None:
    """Offline: one vertical-slice task per TRD decision group, or per requirement; criteria
    from the requirements' scenarios, `satisfies` filled, nothing already covered. None when
    every requirement already has a task."""
    from ygs.core import markdown, specs

    index = specs.Index(project.catalog)
    prd = source
    if source.kind == "trd" and source.meta.get("prd"):
        prd = project.catalog.find(str(source.meta["prd"])) or source
    reqs = [r for r in index.requirement_list if prd.kind == "prd" and r.path == prd.path]
    covered = {r for t in store.tasks(project.catalog) for r in t.satisfies}
    reqs = [r for r in reqs if r.id not in covered]
    groups: list[tuple[str, list]] = []
    if source.kind == "trd":
        doc = markdown.Doc(source.body, source.body_line)
        decisions = {d.id: d for d in specs.decisions_of(doc)}
        by_decision: dict[str, list[str]] = {}
        for row in specs.traceability_of(doc):
            for ident in specs.ids_in(row.decision, "D") or _decision_ids(row.decision):
                by_decision.setdefault(ident, []).extend(row.requirements)
        placed: set[str] = set()
        for ident, decision in decisions.items():
            members = [r for r in reqs if r.id in by_decision.get(ident, []) and r.id not in placed]
            if members:
                placed.update(r.id for r in members)
                groups.append((f"{decision.title or ident}", members))
        reqs = [r for r in reqs if r.id not in placed]
    groups += [(r.title or r.id, [r]) for r in reqs]
    entries = []
    for n, (title, members) in enumerate(groups, 1):
        statement = " ".join(
            (r.field("statement").value if r.field("statement") else "") for r in members
        ).strip()
        criteria = [b.text for r in members for b in r.scenarios]
        entries.append(
            {
                "key": f"t{n}-{_slug(title)}".rstrip("-"),
                "title": _title(title),
                "goal": statement or f"Deliver {', '.join(r.id for r in members)} end to end.",
                "satisfies": [r.id for r in members],
                "acceptance": criteria,
                "mode": "AFK",
            }
        )
    if not entries:
        return None
    return dec.from_data({"prd": prd.id if prd.kind == "prd" else "", "tasks": entries})


def _decision_ids(text: str) -> list[str]:
    import re

    return re.findall(r"\bD\d+\b", text)


def _slug(text: str) -> str:
    from ygs.core.artifacts import slugify

    return slugify(text, 40)


def _title(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:] if text else "Untitled task"


# --- the model ----------------------------------------------------------------------------------


def proposal_problems(
    decomposition: dec.Decomposition, project, known: dict[str, str]
) -> list[str]:
    """What sends a model's decomposition back: unknown REQ ids, cycles, unknown
    dependencies, heavy tasks."""
    found = unknown_requirements(decomposition, known)
    analysis = analyse_decomposition(project, decomposition)
    found += ["dependency cycle " + " → ".join(c) for c in analysis.cycles]
    found += [f"{u.task} depends on unknown {u.dependency}" for u in analysis.unknown]
    found += [
        f"{key} is too big ({'; '.join(reasons)}): split it"
        for key, reasons in analysis.split.items()
        if key in {e.key for e in decomposition.entries}
    ]
    return found


def propose(project, source, session, context: str) -> dec.Decomposition:
    """Ask the model for a decomposition as JSON; send it back with the problems at most
    twice; then exit 5."""
    from ygs.llm.port import Message, request

    known = requirement_priorities(project)
    skill = _skill_text(project)
    ask = (
        f"Decompose {source.kind.upper()} {source.id} into vertical-slice tasks. Reply with "
        "JSON only, matching the schema. Use short keys (a-z, 0-9, hyphens) and refer to "
        "other tasks by key in depends_on. Satisfy only these requirement ids: "
        f"{', '.join(sorted(known)) or 'none'}. Each task: at least 2 Given/When/Then "
        "criteria, fewer than 8 planned files, under 800 lines, Fibonacci points.\n\n"
        f"{context}\n\n--- {source.path} ---\n{source.text}"
    )
    asked = request(
        "wbs",
        "fast",
        (skill,),
        [ask],
        schema=dec.MODEL_SCHEMA,
        max_tokens=project.config["model.max_tokens"],
        timeout_s=project.config["model.timeout_s"],
    )
    problems: list[str] = []
    for _attempt in range(MAX_REPAIRS + 1):
        reply = session.ask(asked)
        try:
            proposal = dec.from_data({"prd": _prd_id(project, source), **reply.data})
            problems = proposal_problems(proposal, project, known)
        except dec.DecompositionError as err:
            problems = [err.message]
        if not problems:
            return proposal
        asked = asked.followed_by(
            Message("assistant", reply.text),
            Message(
                "user",
                "The decomposition has problems; fix every one and reply with the whole "
                "JSON again:\n- " + "\n- ".join(problems[:20]),
            ),
        )
    raise YgsError(
        f"the model's decomposition still has problems after {MAX_REPAIRS} repairs: "
        + "; ".join(problems[:3]),
        code=Exit.UNAVAILABLE,
        remedy="run again, use --offline for the drafted plan, or write the decomposition "
        "file yourself and pass --from FILE; nothing was written",
    )


def _prd_id(project, source) -> str:
    if source.kind == "prd":
        return source.id
    return str(source.meta.get("prd") or "")


def _skill_text(project) -> str:
    from ygs.interview.engine import load_skill

    skill = load_skill(project, "ygs-wbs")
    parts = [skill.body]
    for name in ("decomposition.md", "decomposition-format.md"):
        ref = skill.folder / "references" / name
        if ref.is_file():
            parts.append(ref.read_text(encoding="utf-8"))
    return "\n\n".join(parts)


def answers_to_decomposition(answers: dict, prd: str) -> dec.Decomposition:
    """The wbs interview's answers (a `tasks` group) as a decomposition."""
    items = []
    for item in answers.get("tasks") or []:
        entry = {k: v for k, v in item.items() if v not in (None, "", [])}
        if "points" in entry:
            entry["points"] = _as_int(entry["points"])
        if "planned_lines" in entry:
            entry["planned_lines"] = _as_int(entry["planned_lines"])
        items.append(entry)
    return dec.from_data({"prd": prd, "tasks": items})


def _as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def as_prior(decomposition: dec.Decomposition) -> dict[str, Any]:
    """The draft as the interview's recommended answers."""
    data = dec.to_data(decomposition)
    for item in data["tasks"]:
        item["acceptance"] = [
            c if isinstance(c, str) else f"Given {c['given']}, when {c['when']}, then {c['then']}"
            for c in item.get("acceptance", [])
        ]
    return {"tasks": data["tasks"]}


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2)


def prompter_for(answers: Path | None):
    from ygs.cli.output import opts
    from ygs.interview.prompts import FilePrompter, TerminalPrompter

    if opts().interactive and answers is None:
        return TerminalPrompter()
    return FilePrompter.from_file(answers)


def with_the_rest(answers: dict, prior: dict) -> dict:
    """Answered tasks over the drafted ones, and the drafted tasks not reached yet."""
    drafted = prior.get("tasks") or []
    edited = answers.get("tasks") or []
    merged = [
        {**d, **{k: v for k, v in e.items() if v is not None}}
        for d, e in zip(drafted, edited, strict=False)
    ]
    merged += edited[len(drafted) :] + drafted[len(edited) :]
    return {**answers, "tasks": merged}


def review_draft(project, draft_plan: dec.Decomposition, source, answers, resume: bool):
    """The drafted decomposition through the wbs interview (skills/ygs-wbs/interview.yaml):
    each task's fields recommended from the draft, edited or accepted one at a time.
    Returns (decomposition, plan name, prompter)."""
    from ygs.interview import engine as iv

    skill = iv.load_skill(project, "ygs-wbs")
    bank, bank_hash = iv.load_bank(skill)
    context = iv.context_for(project, idea=source.title, source=source)
    prior = as_prior(draft_plan)
    header = {"context": context, "links": {}, "prior": prior, "prd": draft_plan.prd}
    journal = iv.start_or_resume(project, skill.name, bank_hash, header, resume=resume)
    prompter = prompter_for(answers)
    conversation = iv.Conversation(
        bank,
        journal.header.get("context", context),
        journal,
        prompter,
        None,
        journal.header.get("prior", prior),
    )
    try:
        state = conversation.run()
    except KeyboardInterrupt:
        raise iv.interrupted(journal) from None
    answers = state.answers
    if state.finished_early:  # `done`: the rest of the draft stands as drafted
        answers = with_the_rest(answers, journal.header.get("prior", prior))
    try:
        result = answers_to_decomposition(answers, journal.header.get("prd", ""))
    except dec.DecompositionError as err:
        raise YgsError(
            f"the edited plan is not valid: {err.message}",
            path=str(answers) if answers else str(journal.path),
            remedy=err.remedy or "fix the answer and run again (--resume keeps the others)",
        ) from None
    name = str(state.answers.get("plan_name") or source.title or "plan")
    return result, name, prompter
