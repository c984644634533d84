"""Where a project stands in the lifecycle, and which skill to run next."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ygs.core.artifacts import TASK_STATUSES, Catalog


@dataclass(frozen=True)
class Suggestion:
    skill: str
    command: str
    reason: str


def counts(catalog: Catalog) -> dict[str, dict[str, int]]:
    """{type: {status: n}}, every type and status as found."""
    table: dict[str, Counter] = {}
    for artifact in catalog.artifacts:
        table.setdefault(artifact.kind, Counter())[artifact.status or "unset"] += 1
    return {kind: dict(sorted(c.items())) for kind, c in sorted(table.items())}


def tasks_by_folder(catalog: Catalog) -> dict[str, int]:
    folders = dict.fromkeys(TASK_STATUSES, 0)
    for task in catalog.of_kind("task"):
        folder = task.path.split("/")[-2]
        if folder in folders:
            folders[folder] += 1
    return folders


def suggest(catalog: Catalog) -> Suggestion:
    prds = catalog.of_kind("prd")
    trds = catalog.of_kind("trd")
    tasks = tasks_by_folder(catalog)
    if not prds:
        return Suggestion("ygs-refine-prd", "ygs refine-prd", "no PRD yet: start with the problem")
    unapproved = [p for p in prds if p.status not in ("approved", "superseded")]
    if unapproved and not trds:
        first = unapproved[0]
        return Suggestion(
            "ygs-review-prd",
            f"ygs review-prd {first.path}",
            f"PRD '{first.id}' is {first.status or 'without a status'}: review it, then approve",
        )
    linked = {str(t.meta.get("prd")) for t in trds}
    missing = [p for p in prds if p.status == "approved" and p.id not in linked]
    if missing:
        return Suggestion(
            "ygs-refine-trd",
            f"ygs refine-trd --prd {missing[0].id}",
            f"PRD '{missing[0].id}' is approved and has no TRD yet",
        )
    if sum(tasks.values()) == 0:
        return Suggestion("ygs-wbs", "ygs wbs", "design exists but no tasks: break the work down")
    if tasks["in-progress"] or tasks["backlog"]:
        return Suggestion(
            "ygs-implement",
            "ygs implement",
            f"{tasks['in-progress']} task(s) in progress, {tasks['backlog']} in the backlog",
        )
    return Suggestion("ygs-qa", "ygs qa", "every task is done: test it, then ship")
