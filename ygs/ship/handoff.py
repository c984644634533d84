"""`ygs handoff`: the state of the work for the next session, written to
docs/handoffs/YYYY-MM-DD-slug.md, and `ygs handoff --latest` to read it back.

The state comes from the repository (branch, commit, the open run and its last checkpoint,
touched files, failing tests, open tasks, deviations); the judgment (summary, decisions,
the one next step, risks, questions) comes from an answers file, else from ygs status.
"""

from __future__ import annotations

from datetime import date

from ygs.errors import YgsError
from ygs.ship import evidence, gitinfo


def state(project) -> dict:
    from ygs.build import runs
    from ygs.plan import tasks as store
    from ygs.ship.memory import deviation_lines

    top = gitinfo.top(project.root)
    branch = gitinfo.branch(top) if top else None
    head = gitinfo.head(top) if top else None
    run = runs.for_branch(project.root, branch) if branch else None
    last = run.records()[-1] if run is not None and run.records() else None
    touched = gitinfo.changed_since(top, run.base) if run is not None and top else []
    dirty = gitinfo.dirty(top) if top else []
    tests = evidence.latest_tests(project.root)
    open_tasks = [t for t in store.tasks(project.catalog) if t.status != store.DONE]
    deviations = [
        f"{t.id}: {text}"
        for t in open_tasks
        if t.status == store.IN_PROGRESS
        for _, text in deviation_lines(t.artifact.text)
    ]
    return {
        "branch": branch,
        "commit": head,
        "run": run.id if run is not None else None,
        "task": run.task if run is not None else None,
        "last_checkpoint": last,
        "touched": touched,
        "dirty": dirty,
        "tests": tests,
        "failing": [f["name"] for f in (tests or {}).get("failures", [])],
        "open_tasks": [{"id": t.id, "title": t.title, "status": t.status} for t in open_tasks],
        "deviations": deviations,
    }


def _next_action(task: dict, run_task: str | None) -> str:
    if task["status"] == "in-progress":
        return (
            "`ygs implement --resume`"
            if task["id"] == run_task
            else f"`ygs implement {task['id']}`"
        )
    return f"`ygs implement {task['id']}` when its dependencies are done"


def _answers(project, facts: dict, given: dict) -> dict:
    from ygs.cli.cmd_project import _status_data

    status = _status_data(project, project.catalog)
    nexts = given.get("open_tasks") or {}
    if isinstance(nexts, list):
        nexts = {str(t.get("id")): t.get("next") for t in nexts if isinstance(t, dict)}
    open_tasks = [
        {**t, "next": nexts.get(t["id"]) or _next_action(t, facts["task"])}
        for t in facts["open_tasks"]
    ]
    checkpoint = facts["last_checkpoint"]
    tests = facts["tests"]
    tests_line = evidence.tests_line(tests)
    suggestion = status["next"]
    return {
        "title": given.get("title")
        or f"Handoff: {facts['branch'] or project.config['project.name']}",
        "summary": given.get("summary")
        or f"{facts['task'] or 'No run open'} on {facts['branch'] or 'no branch'}",
        "phase": given.get("phase") or suggestion["skill"],
        "branch": facts["branch"],
        "commit": (facts["commit"] or "")[:12],
        "base": project.config["git.base_branch"],
        "tests": tests_line,
        "working_tree": f"{len(facts['dirty'])} uncommitted file(s)"
        + (f": {', '.join(facts['dirty'][:8])}" if facts["dirty"] else ""),
        "done": given.get("done") or [],
        "open_tasks": open_tasks,
        "decisions": given.get("decisions") or [],
        "deviations": [*facts["deviations"], *(given.get("deviations") or [])],
        "next_step": given.get("next_step") or f"`{suggestion['command']}`: {suggestion['reason']}",
        "risks": given.get("risks") or [],
        "questions": given.get("questions") or [],
        "read_first": (given.get("read_first") or [])[:5],
        "commands": given.get("commands") or ["ygs status --json", "ygs test --json"],
        "artifacts": given.get("artifacts") or [],
        "run": facts["run"],
        "task": facts["task"],
        "checkpoint": (
            f"{checkpoint.get('n')} ({'green' if checkpoint.get('green') else 'red'}, "
            f"commit {str(checkpoint.get('commit') or '')[:10]})"
            if checkpoint
            else "none"
        ),
        "touched": facts["touched"],
        "failing": facts["failing"],
    }


def write(project, given: dict, *, force: bool) -> dict:
    from ygs.core.artifacts import artifact_path, slugify
    from ygs.core.render import render_template
    from ygs.store import allocate_slug, inside, project_lock, release, write_new

    facts = state(project)
    answers = _answers(project, facts, given)
    today = date.today().isoformat()
    with project_lock(project.root):
        slug = allocate_slug(
            project, "handoff", slugify(answers["title"]), date=today, by="handoff"
        )
        try:
            rel = artifact_path("handoff", slug, date=today, layout=project.layout)
            meta = {
                "id": slug,
                "type": "handoff",
                "title": answers["title"],
                # without answers, the judgment sections are still TBD: a draft, not final
                "status": "final" if given else "draft",
                "date": today,
            }
            text = render_template(
                "handoff",
                meta,
                answers,
                {"today": today, "base_branch": answers["base"]},
                project.root / ".ygs" / "templates",
            )
            write_new(inside(project.root, rel), text, force=force)
        finally:
            release(project, [f"handoff:{slug}"])
    return {
        "path": rel,
        "id": slug,
        "state": facts,
        "next_step": answers["next_step"],
        "written": True,
    }


def latest(project) -> dict:
    found = sorted(project.catalog.of_kind("handoff"), key=lambda a: (a.date, a.path))
    if not found:
        raise YgsError("no handoff yet", remedy="write one with `ygs handoff`")
    newest = found[-1]
    return {
        "path": newest.path,
        "id": newest.id,
        "date": newest.date,
        "meta": newest.meta,
        "text": newest.text,
    }
