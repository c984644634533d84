"""`ygs learn`: one learning entry per finished piece of work (skills/ygs-learn/interview.yaml),
and, with --from-run RUN, a draft of it from what the run left behind: its task, the
checkpoints (green and red, with the first failures), the unplanned files it touched and the
deviations in the task's execution log."""

from __future__ import annotations

import re

from ygs.errors import YgsError

_WORD = re.compile(r"[a-z][a-z0-9_-]{3,}")
_STOP = frozenset({"design", "said", "because", "with", "that", "this", "from", "into", "instead"})


def _terms(text: str, limit: int = 3) -> list[str]:
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in _STOP and word not in seen:
            seen.append(word)
    return seen[:limit]


def draft(project, run_id: str) -> dict:
    """Recommended answers for the learn interview, from a run's artifacts."""
    from ygs.build import policy, runs
    from ygs.plan import tasks as store
    from ygs.ship.memory import deviation_lines

    run = runs.load(project.root, run_id)
    if run is None:
        known = ", ".join(r.id for r in runs.all_runs(project.root)[-5:]) or "none"
        raise YgsError(f"no run '{run_id}'", remedy=f"runs in .ygs/runs/: {known}")
    task = next((t for t in store.tasks(project.catalog) if t.id == run.task), None)
    title = task.title if task else str(run.data.get("title") or run.task)
    records = run.records()
    greens = [r for r in records if r.get("green")]
    reds = [r for r in records if r.get("green") is False]
    touched = sorted({f for r in records for f in r.get("files") or []})
    unplanned = [
        f for f in touched if not policy.is_planned(f, run.planned) and not run.bookkeeping(f)
    ]
    went_well = []
    if greens:
        tests = greens[-1].get("tests") or {}
        passed = f", {tests.get('passed')} tests passing" if tests.get("passed") else ""
        went_well.append(f"{len(greens)} green checkpoint(s){passed}")
    improve = [
        f"checkpoint {r.get('n')} was red ({(r.get('tests') or {}).get('failed', '?')} failing)"
        for r in reds
    ]
    if unplanned:
        improve.append(f"touched {len(unplanned)} unplanned file(s): {', '.join(unplanned[:5])}")
    lessons = []
    if task is not None:
        for line, text in deviation_lines(task.artifact.text):
            _, _, rest = text.partition(" did ")
            why = rest.partition(" because ")[2].strip()
            scope = sorted({p.split("/")[0] for p in task.planned_files}) or ["this task's area"]
            lessons.append(
                {
                    "category": "Process Friction",
                    "lesson": text[:1].upper() + text[1:],
                    "applies_to": scope,
                    "trigger": f"Any change to {' or '.join(scope)}",
                    "cause": why or "see the deviation",
                    "evidence": f"{task.path}:{line} (run {run.id})",
                    "search_terms": _terms(text),
                    "confidence": "MEDIUM",
                }
            )
    return {
        "title": f"Learnings: {title}",
        "refs": [r for r in (run.task, run.id) if r],
        "summary": f"{run.task} ({title}) on branch {run.branch}.",
        "went_well": went_well,
        "improve": improve,
        **({"lessons": lessons[:7]} if lessons else {}),
    }


def run(project, run_opts, title: str | None, from_run: str | None) -> dict:
    from ygs.interview.engine import Spec
    from ygs.interview.session import interview_and_write

    prior = draft(project, from_run) if from_run else None
    result = interview_and_write(
        project,
        Spec("ygs-learn", "learning", status="active"),
        run_opts,
        idea=title or (prior or {}).get("title", ""),
        prior=prior,
    )
    if prior is not None:
        result["draft"] = prior
    if result.get("written"):
        result["next"] = "ygs learnings search TERM (the entry is indexed on the next search)"
    return result
