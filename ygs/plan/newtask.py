"""`ygs task new`: one task file, with the id allocated and the size computed."""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from datetime import date

from ygs.core import decomposition as dec
from ygs.core import plan_graph
from ygs.core.estimate import EstimateError, as_mapping, check_three
from ygs.errors import YgsError
from ygs.plan import tasks as store

GLOB_CHARS = frozenset("*?[")


@dataclass
class Request:
    title: str
    satisfies: list[str] = field(default_factory=list)
    mitigates: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    lines: int | None = None
    points: int | None = None
    mode: str = "AFK"
    priority: str | None = None
    estimate: str | None = None
    goal: str | None = None


def planned_files(root, patterns: list[str]) -> list[str]:
    """Globs expanded against the repository (sorted); a pattern that matches nothing, or
    a plain path, is kept as written (a file the task will create)."""
    found: list[str] = []
    for pattern in (p.strip() for p in patterns):
        if not pattern:
            continue
        matches = []
        if GLOB_CHARS & set(pattern):
            matches = sorted(
                p for p in glob.glob(pattern, root_dir=root, recursive=True) if (root / p).is_file()
            )
        for item in matches or [pattern]:
            if item not in found:
                found.append(item)
    return found


def _estimate(text: str | None) -> dict | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.replace("/", ",").split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 3:
        raise YgsError(
            f"--estimate '{text}' is not best,likely,worst", remedy="e.g. --estimate 1,2,4"
        )
    try:
        check_three(*numbers)
    except EstimateError as err:
        raise YgsError(f"--estimate: {err.message}", remedy=err.remedy) from None
    return as_mapping(numbers)


def create(project, req: Request) -> dict:
    from ygs.plan.wbs import requirement_priorities
    from ygs.store import inside, write_new

    title = " ".join(req.title.split())
    if not title:
        raise YgsError("the title is empty", remedy='ygs task new "Save a card at checkout"')
    mode = req.mode.strip().upper()
    if mode not in dec.MODES:
        raise YgsError(f"--mode '{req.mode}'", remedy="AFK or HITL")
    if req.points is not None and req.points < 1:
        raise YgsError(f"--points {req.points}", remedy="one of 1 2 3 5 8 13")
    if req.lines is not None and req.lines < 0:
        raise YgsError(
            f"--lines {req.lines} is negative", remedy="estimated changed lines, e.g. 120"
        )
    priority = (req.priority or "").strip().upper()
    if priority and priority not in plan_graph.PRIORITIES:
        raise YgsError(f"--priority '{req.priority}'", remedy="P0, P1 or P2")
    known = requirement_priorities(project)
    unknown = [r for r in req.satisfies if r not in known]
    if unknown:
        raise YgsError(
            f"--satisfies {', '.join(unknown)}: no PRD defines it",
            remedy="`ygs trace` lists the requirements",
        )
    existing = {t.id for t in store.tasks(project.catalog)}
    missing = [d for d in req.depends_on if d not in existing]
    if missing:
        raise YgsError(
            f"--depends-on {', '.join(missing)}: no such task", remedy="`ygs task list` lists them"
        )
    files = planned_files(project.root, req.files)
    ident = store.allocate_ids(project, 1, by="task new")[0]
    path = store.task_path(project.layout, ident, title)
    today = date.today().isoformat()
    meta = {
        "id": ident,
        "title": title,
        "status": store.BACKLOG,
        "date": today,
        "priority": priority or dec.priority_for(tuple(req.satisfies), known),
        "size": plan_graph.size_of(files, req.lines),
        "points": req.points,
        "mode": mode,
        "depends_on": req.depends_on,
        "satisfies": req.satisfies,
        "mitigates": req.mitigates,
        "prd": _prd_of(project, req.satisfies),
        "planned_files": files,
        "planned_lines": req.lines,
        "estimate": _estimate(req.estimate),
    }
    text = store.render(
        meta, {"goal": req.goal or "", "mode": mode}, project.root / ".ygs" / "templates", today
    )
    write_new(inside(project.root, path), text)
    notes = []
    problem = plan_graph.fibonacci_problem(req.points)
    if problem:
        notes.append(problem)
    return {
        "id": ident,
        "path": path,
        "size": meta["size"],
        "size_class": plan_graph.CLASS_OF_SIZE[meta["size"]],
        "priority": meta["priority"],
        "planned_files": files,
        "notes": notes,
    }


def _prd_of(project, satisfies: list[str]) -> str:
    from ygs.core.specs import Index

    requirements = Index(project.catalog).requirements
    prds = [requirements[r].prd for r in satisfies if r in requirements]
    return prds[0] if prds else ""
