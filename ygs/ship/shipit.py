"""`ygs ship`: the gate table, then (when every gate passes) the version bump, the changelog,
one release commit and a pull request through `gh pr create`. Never merges; never pushes
without --push.

The release is journalled in `.ygs/ship/pending.json` with the files' original text before
anything is written. A kill between the bump and the commit leaves the journal behind: the
next `ygs ship` finishes it when the release commit landed, and otherwise puts the files
back as they were and starts the release again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ygs.cli.output import log
from ygs.errors import Exit, YgsError
from ygs.ship import gates as g
from ygs.ship import gitinfo, hygiene, release, semver

PENDING = "ship/pending.json"
TRAILER = "Ygs-Release"


@dataclass(frozen=True)
class Ask:
    dry_run: bool = False
    base: str | None = None
    level: str = "auto"
    pre: str | None = None
    push: bool = False
    pr: bool = True
    title: str | None = None
    body: str | None = None
    offline: bool = False
    backend: str | None = None
    timeout_s: float | None = None


@dataclass
class Context:
    project: object
    top: Path
    base: str
    branch: str | None
    ask: Ask
    release_files: set[str]
    bad_input: list[dict]


# --- the gates ------------------------------------------------------------------------------


def _freeze(ctx: Context) -> g.Gate:
    from ygs.review import gate as freeze
    from ygs.store import Unreadable, read_bytes

    path = ctx.project.root / freeze.FREEZE_FILE
    text = None
    if os.path.lexists(path):
        try:
            text = read_bytes(path, within=ctx.project.root).decode("utf-8", "replace")
        except Unreadable as err:
            return g.Gate("freeze", g.FAIL, f"{freeze.FREEZE_FILE} {err.message}: counts as active")
    result = freeze.compute(text, datetime.now(UTC), [])
    if result.word == "FROZEN":
        return g.Gate(
            "freeze", g.FAIL, result.reason, result.to_dict(), "only the freeze owner lifts it"
        )
    if result.notice:
        return g.Gate("freeze", g.WARN, result.notice, result.to_dict())
    return g.Gate("freeze", g.PASS, "no deploy freeze")


def _worktree(ctx: Context) -> g.Gate:
    if not ctx.branch:
        return g.Gate("worktree", g.FAIL, "HEAD is detached", remedy="switch to the feature branch")
    if ctx.branch == ctx.base:
        return g.Gate(
            "worktree",
            g.FAIL,
            f"on the base branch {ctx.base}: a release goes through a pull request",
            remedy="`git switch -c <feature-branch>`",
        )
    prefix = _prefix(ctx)
    dirty = [p for p in gitinfo.dirty(ctx.top) if not p.startswith(f"{prefix}.ygs/")]
    user = [p for p in dirty if p.removeprefix(prefix) not in ctx.release_files]
    if user:
        return g.Gate(
            "worktree",
            g.FAIL,
            f"{len(user)} uncommitted file(s): {', '.join(user[:5])}",
            {"dirty": user},
            "commit or stash them; ygs never commits your work for you",
        )
    note = f"clean on {ctx.branch}" + (" (release edits pending)" if dirty else "")
    return g.Gate("worktree", g.PASS, note, {"branch": ctx.branch, "release_edits": dirty})


def _prefix(ctx: Context) -> str:
    rel = ctx.project.root.resolve().relative_to(ctx.top.resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def _tests(ctx: Context) -> g.Gate:
    from ygs.build import runner

    project = ctx.project
    command = runner.resolve(project.root, project.config, "test")
    if not command.text:
        return g.Gate(
            "tests",
            g.FAIL,
            "no test command: nothing was checked, so this is not a pass",
            remedy="`ygs config set commands.test 'pytest -q'`",
        )
    folder = project.root / ".ygs" / "runs" / "ship"
    from ygs.build import runs

    runs.ensure_ignored(project.root)
    seconds = ctx.ask.timeout_s or float(project.config["commands.timeout_s"])
    log("ship: running the tests …")
    outcome = runner.run("test", command, project.root, folder, seconds)
    data = outcome.to_dict()
    if outcome.status == "passed":
        return g.Gate("tests", g.PASS, outcome.line(), data)
    failures = [
        f"{f['name']} ({f['file']}:{f['line']})" if f["file"] else f["name"]
        for f in data["failures"]
    ]
    return g.Gate(
        "tests",
        g.FAIL,
        outcome.line() + (f"; failing: {', '.join(failures[:5])}" if failures else ""),
        data,
        "every test passes: not most; fix them (ygs-investigate), never skip them",
    )


def _diff(ctx: Context):
    from ygs.review import source
    from ygs.review.diff import Limits

    diff, _ = source.load(
        ctx.project.root,
        staged=False,
        base=ctx.base,
        paths=[],
        limits=Limits(),
        base_branch=ctx.base,
    )
    return diff


def _hygiene(ctx: Context, diff) -> g.Gate:
    if diff is None:
        return g.Gate("diff", g.FAIL, "the diff against the base could not be read")
    if not diff.files:
        return g.Gate("diff", g.FAIL, f"nothing changed against {ctx.base}: nothing to ship")
    files = []
    for f in diff.files:
        size = 0
        if f.binary and f.status != "deleted":
            try:
                size = (ctx.top / f.path).stat().st_size
            except OSError:
                size = 0
        files.append((f.path, f.status, f.binary, size, f.added))
    hits = hygiene.scan(files, int(ctx.project.config["ship.max_file_kb"]) * 1024)
    evidence = {"files": len(diff.files), "hits": [h.to_dict() for h in hits]}
    if hits:
        shown = [f"{h.path}{f':{h.line}' if h.line else ''} ({h.what})" for h in hits[:6]]
        return g.Gate(
            "diff",
            g.FAIL,
            f"{len(hits)} problem(s) in the diff: {'; '.join(shown)}",
            evidence,
            "remove them from the change (a .env that was ever pushed needs its secrets rotated)",
        )
    return g.Gate(
        "diff", g.PASS, f"{len(diff.files)} file(s): no debug code, secrets or artifacts", evidence
    )


def _review(ctx: Context) -> g.Gate:
    from ygs.review.run import Ask as ReviewAsk
    from ygs.review.run import review

    ask = ReviewAsk(base=ctx.base, offline=ctx.ask.offline, backend=ctx.ask.backend)
    try:
        result = review(ctx.project, ask, log)
    except YgsError as err:
        return g.Gate("review", g.FAIL, f"the review could not run: {err.message}")
    must = [f for f in result.findings if f.severity.value == "MUST"]
    model = result.data.get("model") or {}
    evidence = {"findings": len(result.findings), "must": len(must), "model": model.get("backend")}
    if model.get("error"):
        return g.Gate(
            "review", g.FAIL, f"the model review failed: {model['error'].get('message')}", evidence
        )
    if must:
        shown = [f"{f.file}:{f.line} {f.title}" for f in must[:5]]
        return g.Gate(
            "review",
            g.FAIL,
            f"{len(must)} MUST finding(s): {'; '.join(shown)}",
            evidence,
            "fix them (ygs review --base " + ctx.base + ")",
        )
    how = (
        "rules only"
        if model.get("backend") in (None, "offline", "none")
        else f"rules and {model.get('backend')}"
    )
    return g.Gate(
        "review", g.PASS, f"no MUST finding ({len(result.findings)} finding(s), {how})", evidence
    )


def _listed(gate: str, items: list[str], noun: str, key: str, remedy: str) -> g.Gate:
    """A failed gate that counts what it found and shows the first few."""
    shown = "; ".join(items[:5]) + (" …" if len(items) > 5 else "")
    return g.Gate(gate, g.FAIL, f"{len(items)} {noun}: {shown}", {key: len(items)}, remedy)


def _check(ctx: Context) -> g.Gate:
    from ygs.core.catalogue import OverrideError, parse_overrides
    from ygs.core.lint import all_rules, lint

    project = ctx.project
    try:
        overrides = parse_overrides(project.config["check.rules"], all_rules())
    except OverrideError as err:
        return g.Gate("check", g.FAIL, f"check.rules: {err.message}")
    findings = lint(
        project.catalog, exists=lambda p: (project.root / p).exists(), overrides=overrides
    )
    must = [f"{f.location} {f.rule}" for f in findings if f.severity.value == "MUST"]
    if must:
        return _listed("check", must, "MUST finding(s)", "must", "`ygs check` lists them")
    return g.Gate(
        "check", g.PASS, f"no MUST finding in {len(project.catalog.artifacts)} artifact(s)"
    )


def _newest(project, kind: str, **match) -> list:
    found = [
        a
        for a in project.catalog.of_kind(kind)
        if all(str(a.meta.get(k)) == v for k, v in match.items())
    ]
    return sorted(found, key=lambda a: (a.date, a.path))


def _qa(ctx: Context) -> g.Gate:
    project = ctx.project
    minimum = int(project.config["ship.qa_min"])
    reports = _newest(project, "qa", branch=ctx.branch or "") or _newest(project, "qa")
    if not reports:
        return g.Gate(
            "qa", g.FAIL, "no QA report", remedy="run ygs-qa: `ygs qa`, then `ygs qa score`"
        )
    report = reports[-1]
    result = str(report.meta.get("result") or "")
    health = report.meta.get("health")
    evidence = {"path": report.path, "health": health, "result": result, "minimum": minimum}
    if result != "PASS" or not isinstance(health, int) or health < minimum:
        why = f"{report.path}: result {result or 'TBD'}, health {health}/50 (minimum {minimum})"
        return g.Gate(
            "qa", g.FAIL, why, evidence, "fix the findings and re-score with `ygs qa score`"
        )
    return g.Gate("qa", g.PASS, f"{report.path}: health {health}/50, PASS", evidence)


def prds_in_release(project) -> list[str]:
    """PRDs whose requirements the tasks of this release satisfy (done since the last tag,
    or in progress)."""
    from ygs.core.specs import Index
    from ygs.plan import tasks as store

    found = release.changes(project)
    ids = {c.ref for c in found["tasks"]}
    active = [
        t for t in store.tasks(project.catalog) if t.id in ids or t.status == store.IN_PROGRESS
    ]
    requirements = Index(project.catalog).requirements
    prds = {requirements[r].prd for t in active for r in t.satisfies if r in requirements}
    prds |= {str(t.artifact.meta.get("prd")) for t in active if t.artifact.meta.get("prd")}
    known = {a.id for a in project.catalog.of_kind("prd")}
    return sorted(p for p in prds if p in known)


def _uat(ctx: Context) -> g.Gate:
    project = ctx.project
    prds = prds_in_release(project)
    if not prds:
        return g.Gate(
            "uat",
            g.FAIL,
            "no PRD in this release (no done task satisfies a requirement): nothing was "
            "accepted, so this is not a pass",
            remedy="link the tasks to requirements (`satisfies:`), then `ygs uat --prd ID`",
        )
    missing, failed, passed = [], [], []
    for prd in prds:
        reports = _newest(project, "uat", prd=prd)
        if not reports:
            missing.append(prd)
        elif str(reports[-1].meta.get("result")) != "PASS":
            failed.append(f"{prd} ({reports[-1].path}: {reports[-1].meta.get('result')})")
        else:
            passed.append(reports[-1].path)
    evidence = {"prds": prds, "passed": passed, "missing": missing, "failed": failed}
    if missing or failed:
        parts = ([f"no UAT report for {', '.join(missing)}"] if missing else []) + (
            [f"not PASS: {', '.join(failed)}"] if failed else []
        )
        return g.Gate("uat", g.FAIL, "; ".join(parts), evidence, "`ygs uat --prd ID`")
    return g.Gate("uat", g.PASS, f"PASS for {', '.join(prds)}", evidence)


def _trace(ctx: Context) -> g.Gate:
    from ygs.cli.cmd_check import build_trace
    from ygs.core import trace as tr
    from ygs.core.specs import Index

    project = ctx.project
    graph, unreadable = build_trace(
        project, project.catalog, Index(project.catalog), with_commits=False
    )
    problems = [*unreadable, *tr.gate(graph)]
    if not graph.requirements:
        return g.Gate("trace", g.FAIL, "no requirement to trace: the gate checked nothing")
    if problems:
        shown = [f"{p.location} {p.message}" for p in problems]
        return _listed("trace", shown, "gap(s)", "gaps", "`ygs trace --gate` lists them")
    return g.Gate(
        "trace", g.PASS, f"{len(graph.requirements)} requirement(s) traced to tasks and tests"
    )


def _bad(ctx: Context, err: YgsError, gate: str) -> g.Gate:
    ctx.bad_input.append({"gate": gate, **err.to_dict()})
    where = f"{err.location}: " if err.location else ""
    return g.Gate(
        gate, g.FAIL, where + err.message, {"file": err.path, "line": err.line}, err.remedy or ""
    )


def version_state(ctx: Context) -> dict:
    """The current version, the last tag's, and whether this release still needs a bump."""
    version, spots = release.current(ctx.project.root)
    tag = gitinfo.last_tag(ctx.top)
    tagged = release._tag_version(tag)
    prefix = _prefix(ctx)
    dirty = {p.removeprefix(prefix) for p in gitinfo.dirty(ctx.top)}
    edited = bool({s.path for s in spots} & dirty)
    bumped = (tagged is not None and tagged < version) or edited
    return {"version": version, "spots": spots, "tag": tag, "bumped": bumped}


def _version(ctx: Context) -> tuple[g.Gate, dict | None]:
    try:
        state = version_state(ctx)
    except YgsError as err:
        return _bad(ctx, err, "version"), None
    if state["bumped"]:
        target = str(state["version"])
        reason = f"already bumped to {target} (last tag {state['tag'] or 'none'})"
        level = None
    else:
        level = ctx.ask.level
        if level == "auto":
            level, _ = release.auto_level(ctx.project, state["version"])
        target = str(semver.bump(state["version"], level, ctx.ask.pre))
        reason = (
            f"{state['version']} → {target} ({level}"
            + (f", {ctx.ask.level}" if ctx.ask.level == "auto" else "")
            + ")"
        )
    plan = {
        "from": str(state["version"]),
        "to": target,
        "level": level,
        "bump": not state["bumped"],
        "files": sorted({s.path for s in state["spots"]}),
    }
    return g.Gate("version", g.PASS, reason, plan), {**plan, "spots": state["spots"]}


def _changelog(ctx: Context, target: str | None) -> g.Gate:
    try:
        _, text = release.read_changelog(ctx.project)
        log_ = release.parse_changelog(text) if text is not None else None
    except YgsError as err:
        return _bad(ctx, err, "changelog")
    if log_ is not None and target and log_.section(target) is not None:
        return g.Gate("changelog", g.PASS, f"{release.CHANGELOG} has [{target}]")
    what = "created" if text is None else "written"
    return g.Gate(
        "changelog",
        g.PASS,
        f"[{target or 'Unreleased'}] will be {what} from the commits and done tasks",
    )


def run_gates(ctx: Context) -> tuple[list[g.Gate], dict | None]:
    gates = [_freeze(ctx), _worktree(ctx), _tests(ctx)]
    try:
        diff = _diff(ctx)
    except YgsError as err:
        diff = None
        gates.append(
            g.Gate("diff", g.FAIL, f"the diff against {ctx.base} could not be read: {err.message}")
        )
    if diff is not None:
        gates.append(_hygiene(ctx, diff))
    gates += [_review(ctx), _check(ctx), _qa(ctx), _uat(ctx), _trace(ctx)]
    version_gate, plan = _version(ctx)
    gates += [version_gate, _changelog(ctx, plan["to"] if plan else None)]
    return g.ordered(gates), plan


def exit_code(ctx: Context, gates: list[g.Gate]) -> int:
    failed = {x.name for x in gates if x.blocks}
    if "freeze" in failed:
        return Exit.BLOCKED
    if ctx.bad_input:
        return Exit.USAGE
    return g.exit_code(gates)


# --- the journal ---------------------------------------------------------------------------


def _journal_path(root: Path) -> Path:
    from ygs.store import state_folder

    return state_folder(root, "ship") / "pending.json"


def read_journal(root: Path) -> dict | None:
    path = root / ".ygs" / PENDING
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"broken": True}
    return data if isinstance(data, dict) else {"broken": True}


def _write_journal(root: Path, data: dict) -> None:
    from ygs.store import atomic_write

    atomic_write(_journal_path(root), json.dumps(data, indent=2) + "\n")


def _clear_journal(root: Path) -> None:
    (root / ".ygs" / PENDING).unlink(missing_ok=True)


def _release_commit(top: Path, version: str) -> str | None:
    """HEAD, when it is the release commit of `version`."""
    from ygs.build import git

    done = git.run(top, "log", "-1", "--format=%B", check=False)
    if done.returncode == 0 and f"{TRAILER}: {version}" in done.stdout.decode(errors="replace"):
        return gitinfo.head(top)
    return None


def recover(ctx: Context) -> str | None:
    """Finish or roll back a release a kill interrupted; returns what was done."""
    journal = read_journal(ctx.project.root)
    if journal is None:
        return None
    root = ctx.project.root
    if journal.get("broken") or not isinstance(journal.get("originals"), dict):
        _clear_journal(root)
        return "an unreadable ship journal was removed"
    if _release_commit(ctx.top, str(journal.get("to"))):
        _clear_journal(root)
        return f"the interrupted release {journal.get('to')} had been committed: finished"
    from ygs.store import atomic_write, inside

    for rel, text in journal["originals"].items():
        path = inside(root, rel)
        if text is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, text)
    _clear_journal(root)
    return (
        f"an interrupted release ({journal.get('from')} → {journal.get('to')}) was rolled "
        f"back: {', '.join(sorted(journal['originals']))} restored"
    )


# --- the release ---------------------------------------------------------------------------


def _original(root: Path, rel: str) -> str | None:
    from ygs.store import read_text

    path = root / rel
    return read_text(path, rel) if os.path.lexists(path) else None


def apply_release(ctx: Context, plan: dict) -> dict:
    """Bump, changelog, commit: journalled, so a kill in between is recoverable."""
    from ygs.build import git
    from ygs.build.session import crash_point
    from ygs.store import project_lock

    root = ctx.project.root
    target = plan["to"]
    files = [*plan["files"], release.CHANGELOG]
    with project_lock(root):
        originals = {rel: _original(root, rel) for rel in files}
        _write_journal(
            root,
            {
                "from": plan["from"],
                "to": target,
                "head": gitinfo.head(ctx.top),
                "originals": originals,
                "started": datetime.now(UTC).isoformat(),
            },
        )
        bumped = release.write_versions(root, plan["spots"], target) if plan["bump"] else []
        crash_point("ship-after-bump")
        notes = release.changelog(
            ctx.project, version=target, when=None, entries=None, dry_run=False
        )
        crash_point("ship-before-commit")
        prefix = _prefix(ctx)
        changed = [
            prefix + rel
            for rel in files
            if _original(root, rel) != originals[rel]
            or rel in {p.removeprefix(prefix) for p in gitinfo.dirty(ctx.top)}
        ]
        sha = None
        if changed:
            git.run(ctx.top, "add", "--", *changed)
            message = f"release {target}\n\n{TRAILER}: {target}\n"
            done = git.run(ctx.top, "commit", "-q", "-m", message, "--", *changed, check=False)
            if done.returncode != 0:
                recover(ctx)
                raise YgsError(
                    f"the release commit failed: {_said(done)}",
                    code=Exit.FINDINGS,
                    remedy="the version and changelog were put back; fix what the commit hook "
                    "says, then `ygs ship` again",
                )
            sha = gitinfo.head(ctx.top)
        _clear_journal(root)
    return {
        "version": target,
        "bumped_files": bumped,
        "changelog": {k: notes[k] for k in ("section", "added", "moved", "written")},
        "commit": sha,
        "committed": changed,
    }


def _said(done) -> str:
    """The last line git printed (stderr first)."""
    text = (done.stderr or b"").decode(errors="replace").strip()
    text = text or (done.stdout or b"").decode(errors="replace").strip()
    lines = text.splitlines()
    return lines[-1] if lines else "no message"


def _upstream_has_head(top: Path) -> bool:
    from ygs.build import git

    done = git.run(top, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    if done.returncode != 0:
        return False
    upstream = done.stdout.decode().strip()
    return git.rev(top, upstream) == gitinfo.head(top)


def push(ctx: Context) -> str:
    from ygs.build import git

    remote = str(ctx.project.config["ship.remote"])
    if ctx.branch in (None, ctx.base):
        raise YgsError(f"refusing to push {ctx.branch or 'a detached HEAD'}", code=Exit.BLOCKED)
    done = git.run(ctx.top, "push", "-u", remote, f"HEAD:refs/heads/{ctx.branch}", check=False)
    if done.returncode != 0:
        raise YgsError(
            f"git push to {remote} failed: {_said(done)}",
            code=Exit.UNAVAILABLE,
            remedy="check the remote and your access; the release commit is kept, run "
            "`ygs ship --push` again",
        )
    return remote


def pr_body(ctx: Context, gates: list[g.Gate], plan: dict) -> str:
    from ygs.core.specs import Index
    from ygs.plan import tasks as store

    project = ctx.project
    found = release.changes(project)
    ids = [c.ref for c in found["tasks"]]
    tasks = {t.id: t for t in store.tasks(project.catalog)}
    reqs = sorted({r for i in ids if i in tasks for r in tasks[i].satisfies})
    mits = sorted({m for i in ids if i in tasks for m in tasks[i].mitigates})
    titles = Index(project.catalog).requirements
    top = ctx.top
    since = found["last_tag"] or gitinfo.merge_base(top, ctx.base)
    changed = set(gitinfo.changed_since(top, since)) if since else set()
    prefix = _prefix(ctx)
    adrs = [a for a in project.catalog.of_kind("adr") if (prefix + a.path) in changed or not since]
    by = {x.name: x for x in gates}
    tests = by["tests"].evidence
    qa_ = by["qa"].evidence
    uat = by["uat"].evidence
    lines = [
        "## What and why",
        "",
        f"Release {plan['to']} (from {plan['from']}): "
        + ("; ".join(c.subject for c in found["tasks"]) or "see the commits")
        + ".",
        "",
        "## Requirements and tasks",
        "",
        *(
            [f"- {r}: {titles[r].title}" if r in titles else f"- {r}" for r in reqs]
            or ["- none linked"]
        ),
        f"- Tasks: {', '.join(ids) or 'none'}",
        "",
        "## ADRs and threat mitigations",
        "",
        *([f"- {a.id}: {a.title} ({a.status})" for a in adrs] or ["- no ADR changed"]),
        f"- Mitigations: {', '.join(mits) or 'none'}",
        "",
        "## Test evidence",
        "",
        f"- Tests: {tests.get('passed', 0)}/{tests.get('total', 0)} passed (ygs test)",
        f"- QA: health {qa_.get('health')}/50, {qa_.get('result')} ({qa_.get('path')})",
        f"- UAT: PASS ({', '.join(uat.get('passed') or []) or 'none'})",
        "",
        "## Risk and rollback",
        "",
        *[
            f"- {x.title if hasattr(x, 'title') else x.name}: {x.reason}"
            for x in gates
            if x.status == g.WARN
        ],
        f"- Review: {by['review'].reason}",
        "- Roll back by reverting the release commit and the change's commits; the version "
        f"returns to {plan['from']}.",
        "",
        "## Deployment notes",
        "",
        "None recorded.",
    ]
    return "\n".join(lines) + "\n"


def open_pr(ctx: Context, title: str, body: str) -> dict:
    from ygs.ship import gh

    existing = gh.pr_for_branch(ctx.branch, cwd=ctx.top)
    if existing:
        return {"url": existing.get("url"), "number": existing.get("number"), "created": False}
    url = gh.create_pr(ctx.base, ctx.branch, title, body, cwd=ctx.top)
    return {"url": url, "created": True}


def context(project, ask: Ask) -> Context:
    top = gitinfo.require_top(project.root)
    if not gitinfo.has_commits(top):
        raise YgsError("the repository has no commits yet", remedy="commit the change first")
    base = ask.base or project.config["git.base_branch"]
    try:
        spots = release.sources(project.root)
    except YgsError:
        spots = []
    files = {s.path for s in spots} | {release.CHANGELOG}
    return Context(project, top, base, gitinfo.branch(top), ask, files, [])


def ship(project, ask: Ask) -> tuple[dict, int]:
    ctx = context(project, ask)
    notes = []
    journal = read_journal(project.root)
    if journal is not None:
        if ask.dry_run:
            notes.append(
                f"an interrupted release ({journal.get('from')} → {journal.get('to')}) is "
                "pending: `ygs ship` will finish or roll it back"
            )
        else:
            notes.append(recover(ctx))
            project.__dict__.pop("catalog", None)
    gates, plan = run_gates(ctx)
    code = exit_code(ctx, gates)
    data = {
        "dry_run": ask.dry_run,
        "base": ctx.base,
        "branch": ctx.branch,
        "gates": [x.to_dict() for x in gates],
        "summary": g.summary(gates),
        "version": {k: v for k, v in (plan or {}).items() if k != "spots"},
        "bad_input": ctx.bad_input,
        "notes": notes,
        "released": None,
        "pr": None,
    }
    if code != 0 or ask.dry_run:
        data["next"] = _next(gates, code, ask)
        return data, code
    if ask.pr:
        from ygs.ship import gh

        gh.require_login(cwd=ctx.top)  # before anything changes
    data["released"] = apply_release(ctx, plan)
    pushed = None
    if ask.push:
        pushed = push(ctx)
    data["pushed"] = pushed
    if not ask.pr:
        data["next"] = "open the pull request when ready: `ygs ship`"
        return data, Exit.OK
    if pushed is None and not _upstream_has_head(ctx.top):
        data["next"] = "push the branch and open the PR: `ygs ship --push`"
        data["notes"].append(
            "not pushed (no --push): the pull request needs the branch on the remote"
        )
        return data, Exit.OK
    title = ask.title or f"Release {plan['to']}"
    body = ask.body or pr_body(ctx, gates, plan)
    data["pr"] = open_pr(ctx, title, body)
    data["next"] = "review and merge the pull request (ygs never merges)"
    return data, Exit.OK


def _next(gates: list[g.Gate], code: int, ask: Ask) -> str:
    failed = [x for x in gates if x.blocks]
    if not failed:
        return (
            "`ygs ship` bumps, writes the changelog, commits and opens the PR"
            if ask.dry_run
            else ""
        )
    first = failed[0]
    return f"fix the {first.name} gate first: {first.remedy or first.reason}"
