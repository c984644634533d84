"""Where a project stands in the lifecycle, and which skill to run next."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ygs.core.artifacts import TASK_STATUSES, Catalog
from ygs.core.specs import as_list


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


@dataclass(frozen=True)
class Signals:
    """What `ygs status` knows beyond the catalog: trace gaps and the last review."""

    must_without_task: tuple[str, ...] = ()
    must_without_test: tuple[str, ...] = ()
    open_high_unplanned: tuple[str, ...] = ()  # High, open threats that no task mitigates
    review_verdict: str = ""
    review_must: int = 0
    cycle: tuple[str, ...] = ()  # the first dependency cycle among the tasks, as a path


def waves(catalog: Catalog, computed: Mapping[str, int] | None = None) -> dict[str, dict[str, int]]:
    """{wave: {folder: n}} for every task; tasks without a wave (in or behind a dependency
    cycle, or not planned yet) count under '?'. `computed`: the plan graph's waves, which win
    over the frontmatter."""
    table: dict[str, dict[str, int]] = {}
    for task in catalog.of_kind("task"):
        if computed is not None:
            wave = str(computed.get(task.id, "?"))
        else:
            wave = str(task.meta.get("wave") or "?")
        folder = task.path.split("/")[-2]
        row = table.setdefault(wave, dict.fromkeys(TASK_STATUSES, 0))
        row[folder] = row.get(folder, 0) + 1
    return dict(
        sorted(
            table.items(),
            key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0),
        )
    )


def blocked(catalog: Catalog) -> list[tuple[str, list[str]]]:
    """Tasks not done that wait on a task which is not done (or does not exist)."""
    tasks = catalog.of_kind("task")
    done = {t.id for t in tasks if t.path.split("/")[-2] == "done"}
    found = []
    for task in tasks:
        if task.id in done:
            continue
        waiting = [d for d in as_list(task.meta.get("depends_on")) if d not in done]
        if waiting:
            found.append((task.id, waiting))
    return found


def _first(items: tuple[str, ...], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (
        f" and {len(items) - limit} more" if len(items) > limit else ""
    )


def suggest(catalog: Catalog, signals: Signals | None = None) -> Suggestion:
    signals = signals or Signals()
    prds = catalog.of_kind("prd")
    trds = catalog.of_kind("trd")
    tasks = tasks_by_folder(catalog)
    if signals.cycle:
        return Suggestion(
            "ygs-wbs",
            "ygs wbs plan",
            f"dependency cycle {' → '.join(signals.cycle)}: no task in it can start",
        )
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
    if signals.must_without_task:
        gaps = signals.must_without_task
        return Suggestion(
            "ygs-wbs", "ygs wbs", f"{len(gaps)} MUST requirement(s) have no task: {_first(gaps)}"
        )
    if signals.open_high_unplanned:
        gaps = signals.open_high_unplanned
        return Suggestion(
            "ygs-wbs",
            "ygs wbs",
            f"High threat(s) open with no mitigating task: {_first(gaps)}",
        )
    if signals.review_verdict == "REQUEST_CHANGES":
        return Suggestion(
            "ygs-code-review",
            "ygs review",
            f"the last review requested changes ({signals.review_must} MUST): fix them, "
            "then review again",
        )
    if tasks["in-progress"] or tasks["backlog"]:
        return Suggestion(
            "ygs-implement",
            "ygs implement",
            f"{tasks['in-progress']} task(s) in progress, {tasks['backlog']} in the backlog",
        )
    if signals.must_without_test:
        gaps = signals.must_without_test
        return Suggestion(
            "ygs-qa", "ygs qa", f"every task is done but {_first(gaps)} (MUST) have no test"
        )
    return _closing(catalog)


def _newest_result(catalog: Catalog, kind: str) -> str:
    found = sorted(catalog.of_kind(kind), key=lambda a: (a.date, a.path))
    return str(found[-1].meta.get("result") or "") if found else ""


def _closing(catalog: Catalog) -> Suggestion:
    """Every task is done: QA, then UAT, then the ship gates."""
    qa = _newest_result(catalog, "qa")
    if qa != "PASS":
        why = "the last QA report is not PASS" if qa else "every task is done: test it"
        return Suggestion("ygs-qa", "ygs qa", f"{why}, then ship")
    if _newest_result(catalog, "uat") != "PASS":
        return Suggestion("ygs-uat", "ygs uat", "QA passed: walk the PRD's scenarios as a user")
    return Suggestion(
        "ygs-ship", "ygs ship --dry-run", "QA and UAT passed: check the gates, then ship"
    )
