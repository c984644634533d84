"""The shell behind the five team commands: config, credential checks, fetching, the pure
signals and reports, the narrative, rendering and Slack.

Order matters: Slack's token (with --post) and the tracker's credentials are checked before
anything is fetched, so a bad token is an exit 2 with a remedy, never an empty report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path

from ygs.errors import Exit, YgsError
from ygs.team import config as conf
from ygs.team import reports
from ygs.team import signals as sig
from ygs.team.model import Event, Roster, Snapshot, attribute, derive_roster

SKILLS = {
    "standup": "ygs-standup",
    "risk-scan": "ygs-risk-scan",
    "sprint-plan": "ygs-sprint-plan",
    "pr-queue": "ygs-pr-queue",
    "ask": "ygs-ask",
}
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Request:
    """What one command run asks for: flags only, so a scheduler can run it."""

    command: str
    date: str | None = None
    person: str | None = None
    question: str = ""
    capacity: str | None = None
    post: bool = False
    offline: bool = False
    backend: str | None = None
    max_cost: float | None = None
    fail_on: str = "never"
    extra: dict = field(default_factory=dict)


@dataclass
class Outcome:
    data: dict
    code: int = 0
    text_for: Callable[[str], str] | None = None


# ------------------------------------------------------------------ config and clock


def load_config(root: Path, env: Mapping[str, str]) -> conf.TrackerConfig:
    path = root / conf.CONFIG_FILE
    if path.is_file():
        from ygs.store import read_text

        return conf.parse(read_text(path, conf.CONFIG_FILE), conf.CONFIG_FILE)
    return conf.detect(env, _remote_url(root), shutil.which("gh") is not None)


def _git(root: Path, *args: str) -> str:
    """git's output, or "" when git fails or is missing: these reads are best effort."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout if proc.returncode == 0 else ""


def _remote_url(root: Path) -> str:
    return _git(root, "remote", "get-url", "origin").strip()


def clock_for(cfg: conf.TrackerConfig, when: str | None) -> sig.Clock:
    """Now, or `--date`: YYYY-MM-DD means 09:00 that day in capacity.timezone."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(cfg.capacity.timezone)
    working = frozenset(cfg.capacity.working_days)
    if not when:
        return sig.Clock(datetime.now(tz), tz, working)
    text = when.strip()
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            now = datetime.combine(day, time(9), tzinfo=tz)
        else:
            now = datetime.fromisoformat(text.replace("Z", "+00:00"))
            now = now if now.tzinfo else now.replace(tzinfo=tz)
    except ValueError:
        raise YgsError(
            f"--date {when!r} is not a date", remedy="YYYY-MM-DD or an ISO time"
        ) from None
    return sig.Clock(now, tz, working)


# ------------------------------------------------------------------ fetching


def _github(cfg: conf.TrackerConfig, root: Path):
    from ygs.team.github import GithubTracker

    return GithubTracker(cfg.github or conf.Github(), cwd=root)


def check(
    cfg: conf.TrackerConfig, root: Path, env: Mapping[str, str], prs: bool = True, items=True
) -> dict:
    """The credential check for the tracker and the PR source; exit 2 on any failure."""
    found = {}
    if cfg.tracker == "jira" and items:
        from ygs.team.jira import JiraTracker

        found["jira"] = JiraTracker(cfg.jira or conf.Jira(), env).check()
    if cfg.tracker == "github" or (prs and cfg.github is not None):
        found["github"] = _github(cfg, root).check()
    return found


def fetch(
    cfg: conf.TrackerConfig, root: Path, env, clock: sig.Clock, *, sprint=True, plan=False
) -> Snapshot:
    from ygs.team import github as gh_mod

    code = _github(cfg, root) if cfg.tracker == "github" or cfg.github is not None else None
    prs, pr_events = code.pulls() if code is not None else ([], [])
    parts: dict = {"sprint": None, "items": [], "events": [], "history": [], "aliases": {}}
    if sprint and cfg.tracker == "jira":
        from ygs.team.jira import JiraTracker

        parts.update(JiraTracker(cfg.jira or conf.Jira(), env).snapshot_parts(plan=plan))
        parts["items"] = gh_mod.link_pulls(parts["items"], prs, set_status=False)
    elif sprint:
        parts.update(_github_parts(code, cfg, clock, plan))
        parts["items"] = gh_mod.link_pulls(parts["items"], prs)
        if plan:
            parts["backlog"] = gh_mod.link_pulls(parts["backlog"], prs)
    notes = [] if code is not None else ["no pull requests read: set github.repo to use gh"]
    commits, names = git_events(root, clock.now - timedelta(days=cfg.thresholds.lookback_days))
    return Snapshot(
        tracker=cfg.tracker,
        sprint=parts["sprint"],
        items=tuple(parts["items"]),
        prs=tuple(prs),
        events=tuple([*parts["events"], *pr_events, *commits]),
        history=tuple(parts["history"]),
        backlog=tuple(parts.get("backlog", ())),
        next_sprint=parts.get("next_sprint"),
        planned=tuple(parts.get("planned", ())),
        notes=tuple(notes),
        pr_source="github" if code is not None else "",
        aliases={**names, **parts["aliases"]},
    )


def _github_parts(code, cfg: conf.TrackerConfig, clock: sig.Clock, plan: bool) -> dict:
    from ygs.team import github as gh_mod

    days, working = cfg.capacity.sprint_days, set(cfg.capacity.working_days)
    milestones = code.milestones()
    current, upcoming = gh_mod.choose_milestones(
        milestones, (cfg.github or conf.Github()).milestone, clock.today
    )
    items, events = code.issues(int(current["number"]))
    closed = [m for m in milestones if m.get("state") == "closed"]
    parts = {
        "sprint": gh_mod.sprint_of(current, days, working),
        "items": items,
        "events": events,
        "history": code.history(closed, days, working),
    }
    if plan:
        planned: list = []
        if upcoming is not None:
            planned, found = code.issues(int(upcoming["number"]))
            events += found
            planned = [i for i in planned if i.status != "done"]
        backlog, found = code.backlog()
        events += found
        parts["next_sprint"] = gh_mod.sprint_of(upcoming, days, working) if upcoming else None
        parts["backlog"] = [*planned, *(replace(i, rank=i.rank + len(planned)) for i in backlog)]
        parts["planned"] = tuple(i.key for i in planned)
    return parts


def git_events(root: Path, since: datetime) -> tuple[list[Event], dict]:
    """Commits on every local and fetched branch since `since`, by author e-mail."""
    if not (root / ".git").exists():
        return [], {}
    out = _git(
        root,
        "log",
        "--all",
        "--no-merges",
        f"--since={since.isoformat()}",
        "--format=%H%x1f%aI%x1f%ae%x1f%an%x1f%s",
    )
    events, names = [], {}
    for line in out.splitlines():
        parts = line.split("\x1f")
        if len(parts) != 5:
            continue
        sha, when, email, name, subject = parts
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            continue
        events.append(Event(email, moment, "commit", sha[:8], subject[:120]))
        names.setdefault(email, (name,))
    return events, names


def roster_for(cfg: conf.TrackerConfig, snapshot: Snapshot) -> Roster:
    if cfg.team:
        return Roster(cfg.team)
    return derive_roster(snapshot)


# ------------------------------------------------------------------ the commands


def links(snapshot: Snapshot) -> dict[str, str]:
    found = {i.key: i.url for i in (*snapshot.items, *snapshot.backlog) if i.url}
    found |= {p.key: p.url for p in snapshot.prs if p.url}
    return found


def _design_refs(project) -> set[str]:
    kinds = {"adr", "trd", "architecture", "design-doc", "spike"}
    refs = set()
    for artifact in project.catalog.artifacts:
        if artifact.kind in kinds:
            refs.add(artifact.path)
            if artifact.id and len(artifact.id) >= 4:
                refs.add(artifact.id)
    return refs


def build(project, req: Request, log: Callable[[str], None], env=None) -> Outcome:
    env = os.environ if env is None else env
    root = project.root
    cfg = load_config(root, env)
    clock = clock_for(cfg, req.date)
    target = None
    if req.post:
        from ygs.team import slack

        target = slack.target(cfg.slack, env)
        log(f"checking Slack ({target.describe()})")
        slack.check(target)
    if req.command == "pr-queue" and cfg.tracker != "github" and cfg.github is None:
        raise YgsError(
            "pr-queue needs pull requests, and no GitHub repository is configured",
            path=conf.CONFIG_FILE,
            remedy="add `github: {repo: owner/name}` to .ygs/tracker.yml (read with gh)",
        )
    log(f"checking {cfg.tracker} credentials")
    who = check(cfg, root, env, items=req.command != "pr-queue")
    log(f"reading {cfg.tracker}" + (" and GitHub pull requests" if cfg.tracker == "jira" else ""))
    snapshot = fetch(
        cfg,
        root,
        env,
        clock,
        sprint=req.command != "pr-queue",
        plan=req.command == "sprint-plan",
    )
    roster = roster_for(cfg, snapshot)
    snapshot = attribute(snapshot, roster)
    analysis = sig.analyse(snapshot, roster, cfg.capacity, cfg.thresholds, clock)
    data = _report(project, req, cfg, snapshot, roster, analysis, clock)
    data["links"] = links(snapshot)
    data["checked"] = who
    extra = _model_context(req, snapshot, data)
    story = _narrative(project, req, data, extra)
    data["narrative"] = {k: story[k] for k in ("text", "source", "note")}
    code = _exit_code(req, data, story)
    if req.command == "sprint-plan" and req.extra.get("apply"):
        code = max(code, _apply(cfg, root, env, data, req, log))
    if target is not None:
        from ygs.team import slack
        from ygs.team.render import report

        log(f"posting to {target.describe()}")
        data["posted"] = slack.post(target, report(req.command, data, "slack"))
    return Outcome(data, code)


def _report(project, req, cfg, snapshot, roster, analysis, clock) -> dict:
    if req.command == "standup":
        return reports.standup(snapshot, roster, analysis, clock, req.person)
    if req.command == "risk-scan":
        return reports.risk_scan(snapshot, roster, analysis, clock)
    if req.command == "pr-queue":
        return reports.pr_queue(snapshot, roster, analysis, clock)
    if req.command == "ask":
        return reports.ask(snapshot, roster, analysis, clock, req.question)
    override = reports.parse_budget(req.capacity) if req.capacity else None
    data = reports.sprint_plan(
        snapshot,
        roster,
        analysis,
        clock,
        cfg.capacity,
        cfg.design_labels,
        _design_refs(project),
        override,
    )
    if data["budget"] is None:
        raise YgsError(
            "the sprint's capacity is unknown: no hours per point and no finished sprints",
            path=conf.CONFIG_FILE,
            remedy="set capacity.hours_per_point, or pass --capacity 120h / --capacity 30pt",
        )
    return data


def _model_context(req: Request, snapshot: Snapshot, data: dict) -> dict | None:
    """For `ask`, the descriptions of the items the question names (the model's eyes only)."""
    if req.command != "ask":
        return None
    keys = data["items"] or [i.key for i in snapshot.items]
    return {"descriptions": {k: (snapshot.item(k).body or "")[:1500] for k in keys[:20]}}


def _narrative(project, req: Request, data: dict, extra) -> dict:
    from ygs import llm
    from ygs.team import narrative

    folder = None if req.offline else llm.run_dir(project.root, f"team-{req.command}")
    try:
        session = llm.connect(
            project, backend=req.backend, offline=req.offline, max_cost=req.max_cost, run_dir=folder
        )
        if session is None:
            return narrative.write(req.command, data, None)
        return narrative.write(req.command, data, session, _skill(project, req.command), extra)
    except YgsError as err:
        return narrative.failed(req.command, data, err)
    finally:
        if folder is not None and not any(folder.iterdir()):
            folder.rmdir()  # no model call was made: leave no empty run folder behind


def _skill(project, command: str):
    from ygs import skills

    loaded, _ = skills.load(skills.sources(project.root, project.config["skills.paths"]))
    return loaded.get(SKILLS[command])


def _exit_code(req: Request, data: dict, story: dict) -> int:
    code = Exit.OK
    if req.fail_on != "never":
        limit = SEVERITY_RANK[req.fail_on]
        risks = data.get("risks") or []
        if any(SEVERITY_RANK[r["severity"].lower()] <= limit for r in risks):
            code = Exit.FINDINGS
    if story.get("source") == "signals" and story.get("code"):
        code = max(code, story["code"])
    return int(code)


def _apply(cfg, root, env, data: dict, req: Request, log) -> int:
    keys = data["to_apply"]
    if not keys:
        data["applied"] = {"moved": [], "note": "nothing to move"}
        return Exit.OK
    confirm = req.extra.get("confirm")
    if not req.extra.get("yes") and not (confirm and confirm(keys, data["target"]["name"])):
        data["applied"] = None
        data["apply_needs"] = f"confirm moving {', '.join(keys)} into {data['target']['name']}"
        return Exit.BLOCKED
    log(f"moving {len(keys)} items into {data['target']['name']}")
    if cfg.tracker == "jira":
        from ygs.team.jira import JiraTracker

        result = JiraTracker(cfg.jira or conf.Jira(), env).apply(data["target"]["id"], keys)
    else:
        result = _github(cfg, root).apply(data["target"]["id"], keys)
    data["applied"] = result
    return Exit.OK


# ------------------------------------------------------------------ tracker init


def init(project, env, *, tracker: str | None, force: bool, options: dict) -> dict:
    from ygs.store import write_new

    root = project.root
    path = root / conf.CONFIG_FILE
    if path.exists() and not force:
        raise YgsError(
            f"{conf.CONFIG_FILE} already exists",
            path=conf.CONFIG_FILE,
            remedy="edit it, or pass --force (a backup is kept)",
        )
    if tracker:
        cfg = conf.TrackerConfig(
            tracker=tracker,
            github=conf.Github() if tracker == "github" or options.get("repo") else None,
            jira=conf.Jira() if tracker == "jira" else None,
        )
    else:
        cfg = conf.detect(env, _remote_url(root), shutil.which("gh") is not None)
    cfg = _with_options(cfg, options)
    check(cfg, root, env, prs=cfg.tracker == "github")
    cfg, people = _people(cfg, root, env)
    backup = write_new(path, conf.render(cfg, people), force=force)
    conf.parse(path.read_text(encoding="utf-8"), conf.CONFIG_FILE)  # what we wrote reads back
    return {
        "path": conf.CONFIG_FILE,
        "tracker": cfg.tracker,
        "team": [name for _, name in people],
        "backup": str(backup) if backup else None,
    }


def _with_options(cfg: conf.TrackerConfig, options: dict) -> conf.TrackerConfig:
    if cfg.github is not None and options.get("repo"):
        cfg = replace(cfg, github=replace(cfg.github, repo=options["repo"]))
    if cfg.jira is not None:
        jira = cfg.jira
        if options.get("board"):
            jira = replace(jira, board=options["board"])
        if options.get("project"):
            jira = replace(jira, project=options["project"])
        cfg = replace(cfg, jira=jira)
    if options.get("channel"):
        cfg = replace(cfg, slack=replace(cfg.slack, channel=options["channel"]))
    return cfg


def _people(cfg: conf.TrackerConfig, root: Path, env) -> tuple[conf.TrackerConfig, list]:
    """The people the tracker knows (assignable users; Jira: the active sprint's assignees),
    and for Jira the board when the account sees exactly one."""
    if cfg.tracker != "jira":
        return cfg, _github(cfg, root).people()
    from ygs.team.jira import JiraTracker

    tracker = JiraTracker(cfg.jira or conf.Jira(), env)
    try:
        board = tracker.board()
        people = tracker.people()
    except YgsError:
        return cfg, []  # several boards, or no active sprint: the user fills these in
    return replace(cfg, jira=replace(cfg.jira or conf.Jira(), board=board)), people
