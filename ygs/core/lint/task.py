"""Task rules: frontmatter schema (status = folder, priority, size, points, wave, mode,
planned files), dependencies that exist and form no cycle, acceptance criteria, size limits."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ygs.core.artifacts import Artifact
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy
from ygs.core.specs import as_list, is_gwt

F = "task"
MUST, SHOULD = Severity.MUST, Severity.SHOULD
MAX_FILES = 8
MAX_LINES = 800

RULES = (
    Rule(
        "TSK001",
        MUST,
        "a task's status equals its folder",
        "status does not match the folder",
        "move the file to tasks/<status>/ or fix `status:`",
        """The folder is the status (tasks/backlog, tasks/in-progress, tasks/done): people see
        folders, programs read frontmatter. When they disagree, one of them lies.""",
        F,
    ),
    Rule(
        "TSK002",
        MUST,
        "priority, size, points, wave and mode are valid",
        "task field missing or invalid",
        "priority P0|P1|P2, size S|M|L, points 1|2|3|5|8|13, wave a whole number from 1 "
        "(`ygs wbs plan --write` computes it), mode AFK|HITL",
        """Planning reads these fields: waves order the work, mode decides whether an agent may
        run the task alone (AFK) or needs a human (HITL), size and points feed estimates.""",
        F,
    ),
    Rule(
        "TSK003",
        SHOULD,
        "planned files are listed",
        "no planned files",
        "list the files the task will touch in `planned_files: [...]`",
        """The implementation guardrail counts files touched outside the plan; with no plan
        every file is unplanned and the run stops early.""",
        F,
    ),
    Rule(
        "TSK004",
        MUST,
        "depends_on names existing tasks",
        "dependency on an unknown task",
        "point depends_on at existing TASK ids, or remove the entry",
        """A dependency on a task that does not exist can never be satisfied: the task looks
        blocked forever and waves cannot be computed.""",
        F,
    ),
    Rule(
        "TSK005",
        MUST,
        "dependencies form no cycle",
        "dependency cycle",
        "break the cycle: one of these tasks does not really need the other first",
        """Tasks in a cycle each wait for the other; none can start. Usually one dependency is
        a wish to go in order, not a real prerequisite.""",
        F,
    ),
    Rule(
        "TSK006",
        MUST,
        "at least 2 Given/When/Then acceptance criteria",
        "fewer than 2 acceptance criteria",
        "add `- Given …, when …, then …` bullets to `## Acceptance criteria`, one for the "
        "failure path",
        """Acceptance criteria are how an agent knows it is done. One criterion is almost
        always only the happy path.""",
        F,
    ),
    Rule(
        "TSK007",
        MUST,
        "a task is small enough to review (under 8 files and 800 lines)",
        "task too large: split it",
        "split it into tasks that each touch fewer than 8 files and 800 lines",
        """Changes over 8 files or 800 lines are reviewed badly and fail more often; agents
        drift further from the plan the longer they run.""",
        F,
    ),
    Rule(
        "TSK008",
        SHOULD,
        "the task id matches its file name",
        "task id does not match the file name",
        "name the file TASK-NNN-slug.md with the same id as `id:`",
        """Tasks are found by id and by file name; when they differ, links and humans disagree
        about which task is which.""",
        F,
    ),
)
R = {r.id: r for r in RULES}

CHOICES: dict[str, tuple[str, ...]] = {
    "priority": ("P0", "P1", "P2"),
    "size": ("S", "M", "L"),
    "points": ("1", "2", "3", "5", "8", "13"),
    "mode": ("AFK", "HITL"),
}
_NAME_ID = Lazy(lambda: re.compile(r"^(TASK-\d+)"))


def check(ctx: Context) -> Iterator[Finding]:
    tasks = ctx.of_kind("task")
    ids = {t.id for t in tasks}
    for task in ctx.mine("task"):
        yield from fields(task)
        yield from dependencies(task, ids)
        yield from criteria(ctx, task)
    yield from cycles(tasks)


def fields(task: Artifact) -> Iterator[Finding]:
    folder = task.path.split("/")[-2]
    if str(task.meta.get("status") or folder) != folder:
        yield R["TSK001"].at(
            task.path,
            task.line_of("status"),
            f"status '{task.meta.get('status')}' but the file is in {folder}/",
        )
    for key, allowed in CHOICES.items():
        value = task.meta.get(key)
        text = "" if value is None else str(value).strip()
        if key == "size" and text.upper() == "XL":
            yield R["TSK007"].at(task.path, task.line_of(key), "size XL: split the task")
        elif text.upper() not in allowed:
            shown = f"'{text}'" if text else "missing"
            yield R["TSK002"].at(
                task.path, task.line_of(key), f"{key} is {shown}, not one of {'|'.join(allowed)}"
            )
    wave = task.meta.get("wave")
    if wave is not None and str(wave).strip() and not _positive(wave):
        yield R["TSK002"].at(
            task.path, task.line_of("wave"), f"wave is '{wave}', not a whole number from 1"
        )
    planned = as_list(task.meta.get("planned_files"))
    if not planned:
        yield R["TSK003"].at(task.path, task.line_of("planned_files"))
    elif len(planned) >= MAX_FILES:
        yield R["TSK007"].at(
            task.path, task.line_of("planned_files"), f"{len(planned)} planned files"
        )
    lines = task.meta.get("planned_lines")
    if isinstance(lines, int) and not isinstance(lines, bool) and lines >= MAX_LINES:
        yield R["TSK007"].at(task.path, task.line_of("planned_lines"), f"{lines} planned lines")
    match = _NAME_ID.match(posixpath.basename(task.path))
    if match and task.meta.get("id") and str(task.meta["id"]) != match.group(1):
        yield R["TSK008"].at(
            task.path, task.line_of("id"), f"id {task.meta['id']} but file {match.group(1)}"
        )


def _positive(value: object) -> bool:
    text = str(value).strip()
    return not isinstance(value, bool) and text.isdigit() and int(text) >= 1


def dependencies(task: Artifact, ids: set[str]) -> Iterator[Finding]:
    for dep in as_list(task.meta.get("depends_on")):
        if dep == task.id:
            yield R["TSK005"].at(
                task.path, task.line_of("depends_on"), f"{task.id} depends on itself"
            )
        elif dep not in ids:
            yield R["TSK004"].at(
                task.path, task.line_of("depends_on"), f"depends_on {dep}: no such task"
            )


def criteria(ctx: Context, task: Artifact) -> Iterator[Finding]:
    doc = ctx.index.doc(task)
    section = doc.section("acceptance criteria", "acceptance")
    found = [b for b in section.bullets()] if section else []
    count = sum(1 for b in found if is_gwt(b.text) and "TBD" not in b.text)
    if count < 2:
        yield R["TSK006"].at(
            task.path,
            section.line if section else doc.first_line,
            f"{count} Given/When/Then acceptance criteria",
        )


def graph(tasks: list[Artifact]) -> dict[str, list[str]]:
    """TASK id -> ids it depends on (only ids that exist)."""
    ids = {t.id for t in tasks}
    return {t.id: [d for d in as_list(t.meta.get("depends_on")) if d in ids] for t in tasks}


def cycles(tasks: list[Artifact]) -> Iterator[Finding]:
    if not tasks:
        return
    from ygs.core.plan_graph import strongly_connected  # with tasks only: plan's graph code

    by_id = {t.id: t for t in tasks}
    for component in strongly_connected(graph(tasks)):
        first = by_id[component[0]]
        yield R["TSK005"].at(
            first.path,
            first.line_of("depends_on"),
            f"dependency cycle among {', '.join(component)}",
        )
