"""GitHub through `gh api` (REST and GraphQL): milestones as sprints, issues with assignees,
labels, dependencies and timelines, pull requests with reviews, review requests and checks.

Uses the shared `gh` runner (`ygs.review.github.run_gh`: PATH lookup, timeout). `check` runs
first: a logged-out `gh` must fail loudly, never look like a quiet day. Parsing is pure.

A sprint is a milestone: it ends on its due date and starts `capacity.sprint_days` working
days earlier, or on the date in a `start: YYYY-MM-DD` line of its description.
Dependencies: GitHub's issue dependencies (`blockedBy`) and sub-issues where the server has
them, and "blocked by #N" / "depends on #N" in issue bodies everywhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from ygs.errors import YgsError
from ygs.team.config import Github
from ygs.team.model import (
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    TODO,
    Event,
    Item,
    PastSprint,
    PullRequest,
    Review,
    Sprint,
)

MAX_PAGES = 10
_DEPENDS = re.compile(r"(?i)\b(?:blocked by|depends on)\b([^\n]{0,200})")
_NUMBER = re.compile(r"#(\d{1,7})\b")
_START = re.compile(r"(?im)^\s*start\s*:\s*(\d{4}-\d{2}-\d{2})\s*$")
_JIRA_KEY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,9}-\d{1,7})(?![\w-])")
_PRIORITY = re.compile(r"^(?:priority[:/ ]\s*)?p([0-4])$")

ISSUE_FIELDS = """
  number title body url state createdAt updatedAt
  assignees(first: 5) { nodes { login } }
  labels(first: 30) { nodes { name } }
  timelineItems(last: 40, itemTypes: [ISSUE_COMMENT, LABELED_EVENT, UNLABELED_EVENT,
      CLOSED_EVENT, REOPENED_EVENT, ASSIGNED_EVENT]) {
    nodes {
      __typename
      ... on IssueComment { author { login } createdAt }
      ... on LabeledEvent { actor { login } createdAt label { name } }
      ... on UnlabeledEvent { actor { login } createdAt label { name } }
      ... on ClosedEvent { actor { login } createdAt }
      ... on ReopenedEvent { actor { login } createdAt }
      ... on AssignedEvent { actor { login } createdAt }
    }
  }
"""
DEPENDENCY_FIELDS = """
  blockedBy(first: 20) { nodes { number state } }
  subIssues(first: 50) { nodes { number state } }
"""
SPRINT_QUERY = """
query SprintIssues($owner: String!, $name: String!, $milestone: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    milestone(number: $milestone) {
      issues(first: 50, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { %s }
      }
    }
  }
}
"""
BACKLOG_QUERY = """
query BacklogIssues($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    issues(first: 50, after: $cursor, states: OPEN, filterBy: {milestoneNumber: "none"},
           orderBy: {field: CREATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { %s }
    }
  }
}
"""
PULLS_QUERY = """
query Pulls($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    open: pullRequests(states: OPEN, first: 100, orderBy: {field: CREATED_AT, direction: ASC}) {
      nodes {
        number title url isDraft createdAt updatedAt additions deletions headRefName
        author { login }
        reviewRequests(first: 10) {
          nodes { requestedReviewer { ... on User { login } ... on Team { slug } } }
        }
        reviews(last: 30) { nodes { author { login } state submittedAt } }
        commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }
        closingIssuesReferences(first: 10) { nodes { number } }
      }
    }
    merged: pullRequests(states: MERGED, first: 30,
                         orderBy: {field: UPDATED_AT, direction: DESC}) {
      nodes {
        number title createdAt mergedAt headRefName
        author { login }
        reviews(last: 20) { nodes { author { login } state submittedAt } }
        closingIssuesReferences(first: 10) { nodes { number } }
      }
    }
  }
}
"""


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _login(node) -> str | None:
    return (node or {}).get("login") if isinstance(node, dict) else None


def _nodes(value) -> list:
    return [n for n in ((value or {}).get("nodes") or []) if isinstance(n, dict)]


# ------------------------------------------------------------------ parsing (pure)


def points_of(labels: tuple[str, ...], prefixes: tuple[str, ...]) -> float | None:
    for label in labels:
        for prefix in prefixes:
            if label.startswith(prefix):
                try:
                    return float(label[len(prefix) :].strip())
                except ValueError:
                    continue
    return None


def priority_of(labels: tuple[str, ...]) -> int:
    found = [int(m.group(1)) for lb in labels if (m := _PRIORITY.match(lb.replace(" ", "")))]
    return min(found) if found else 2


def depends_on(body: str) -> list[str]:
    found = []
    for match in _DEPENDS.finditer(body or ""):
        found += [f"#{n}" for n in _NUMBER.findall(match.group(1))]
    return found


def parse_issue(node: dict, cfg: Github, rank: int) -> tuple[Item, list[Event]]:
    key = f"#{node['number']}"
    labels = tuple(str(lb.get("name", "")).lower() for lb in _nodes(node.get("labels")))
    created = _time(node.get("createdAt")) or _time(node.get("updatedAt"))
    events, started = [], None
    for entry in _nodes(node.get("timelineItems")):
        kind = entry.get("__typename", "")
        who = _login(entry.get("author")) or _login(entry.get("actor"))
        when = _time(entry.get("createdAt"))
        if not who or when is None:
            continue
        label = str((entry.get("label") or {}).get("name", "")).lower()
        if kind == "IssueComment":
            events.append(Event(who, when, "comment", key))
        elif kind in ("LabeledEvent", "UnlabeledEvent"):
            sign = "+" if kind == "LabeledEvent" else "-"
            events.append(Event(who, when, "status", key, f"{sign}{label}"))
            if sign == "+" and label in cfg.in_progress_labels and started is None:
                started = when
        elif kind in ("ClosedEvent", "ReopenedEvent"):
            events.append(Event(who, when, "closed" if kind == "ClosedEvent" else "status", key))
        else:
            events.append(Event(who, when, "change", key, "assigned"))
    closed = str(node.get("state", "")).upper() == "CLOSED"
    status = DONE if closed else IN_PROGRESS if set(labels) & set(cfg.in_progress_labels) else TODO
    deps = [f"#{n['number']}" for n in _nodes(node.get("blockedBy")) if n.get("number")]
    deps += [
        f"#{n['number']}"
        for n in _nodes(node.get("subIssues"))
        if n.get("number") and str(n.get("state", "")).upper() != "CLOSED"
    ]
    deps += depends_on(node.get("body") or "")
    assignees = [_login(a) for a in _nodes(node.get("assignees"))]
    item = Item(
        key=key,
        title=str(node.get("title", "")),
        status=status,
        created=created,
        updated=max([created, *(e.time for e in events)]),
        assignee=next((a for a in assignees if a), None),
        started=started,
        blocked=bool(set(labels) & set(cfg.blocked_labels)),
        blocked_by=tuple(d for d in dict.fromkeys(deps) if d != key),
        points=points_of(labels, cfg.points_prefixes),
        priority=priority_of(labels),
        rank=rank,
        labels=labels,
        url=str(node.get("url", "")),
        raw_status="closed" if closed else "open",
        body=str(node.get("body") or "")[:4000],
    )
    return item, events


def _checks(node: dict) -> str:
    commits = _nodes(node.get("commits"))
    rollup = ((commits[-1].get("commit") or {}).get("statusCheckRollup") or {}) if commits else {}
    state = str(rollup.get("state") or "").upper()
    if state == "SUCCESS":
        return "passing"
    if state in ("FAILURE", "ERROR"):
        return "failing"
    return "pending" if state in ("PENDING", "EXPECTED") else "none"


def _linked(node: dict) -> tuple[str, ...]:
    keys = [f"#{n['number']}" for n in _nodes(node.get("closingIssuesReferences"))]
    text = f"{node.get('title', '')} {node.get('headRefName', '')}"
    keys += _JIRA_KEY.findall(text)
    return tuple(dict.fromkeys(keys))


def _reviews(node: dict) -> list[Review]:
    found = []
    for r in _nodes(node.get("reviews")):
        who, when = _login(r.get("author")), _time(r.get("submittedAt"))
        if who and when:
            found.append(Review(who, str(r.get("state", "")).upper(), when))
    return found


def parse_pull(node: dict) -> PullRequest:
    reviews = _reviews(node)
    reviewed = {r.reviewer for r in reviews}
    requested = []
    for entry in _nodes(node.get("reviewRequests")):
        person = entry.get("requestedReviewer") or {}
        name = person.get("login") or person.get("slug")
        if name and name not in reviewed:
            requested.append(name)
    created = _time(node.get("createdAt"))
    return PullRequest(
        number=int(node["number"]),
        title=str(node.get("title", "")),
        author=_login(node.get("author")),
        created=created,
        updated=_time(node.get("updatedAt")) or created,
        draft=bool(node.get("isDraft")),
        requested=tuple(requested),
        reviews=tuple(reviews),
        checks=_checks(node),
        items=_linked(node),
        url=str(node.get("url", "")),
        additions=int(node.get("additions") or 0),
        deletions=int(node.get("deletions") or 0),
    )


def pull_events(open_nodes: list, merged_nodes: list) -> list[Event]:
    events = []
    for node in [*open_nodes, *merged_nodes]:
        key = f"PR #{node['number']}"
        author = _login(node.get("author"))
        opened, merged = _time(node.get("createdAt")), _time(node.get("mergedAt"))
        if author and opened:
            events.append(Event(author, opened, "pr_opened", key, str(node.get("title", ""))))
        if author and merged:
            events.append(Event(author, merged, "pr_merged", key, str(node.get("title", ""))))
        for r in _reviews(node):
            events.append(Event(r.reviewer, r.time, "review", key, r.state.lower()))
    return events


def link_pulls(items: list[Item], prs: list[PullRequest], set_status: bool = True) -> list[Item]:
    """The PR's activity counts as the item's; on GitHub (`set_status`), an open item with an
    open PR is in review, or in progress while the PR is a draft (Jira's status stands)."""
    by_item: dict[str, list[PullRequest]] = {}
    for pr in prs:
        for key in pr.items:
            by_item.setdefault(key, []).append(pr)
    linked = []
    for item in items:
        prs_for = by_item.get(item.key, [])
        if item.status == DONE or not prs_for:
            linked.append(item)
            continue
        ready = any(not p.draft for p in prs_for)
        status = (IN_REVIEW if ready else IN_PROGRESS) if set_status else item.status
        started = item.started or min(p.created for p in prs_for)
        updated = max([item.updated, *(p.updated for p in prs_for)])
        linked.append(replace(item, status=status, started=started, updated=updated))
    return linked


def sprint_of(raw: dict, sprint_days: int, working: set[int]) -> Sprint:
    """A milestone as a sprint: ends on its due date, starts on `start:` in its description
    or `sprint_days` working days before the end."""
    end = (_time(raw.get("due_on")) or datetime.now()).date()
    found = _START.search(raw.get("description") or "")
    if found:
        start = date.fromisoformat(found.group(1))
    else:
        start, counted = end, 1
        while counted < sprint_days:
            start -= timedelta(days=1)
            counted += start.weekday() in working
    return Sprint(
        name=str(raw.get("title", "")),
        start=start,
        end=end,
        id=str(raw.get("number", "")),
        goal=(raw.get("description") or "").strip().splitlines()[0][:200]
        if raw.get("description")
        else "",
    )


def choose_milestones(raw: list[dict], title: str, today: date) -> tuple[dict, dict | None]:
    """(the sprint, the next sprint): the named milestone, or the open one due first that is
    not over; the next is the open one due after it."""
    open_ms = sorted(
        (m for m in raw if m.get("state") == "open" and m.get("due_on")),
        key=lambda m: m["due_on"],
    )
    if title:
        current = next((m for m in raw if m.get("title") == title), None)
        if current is None:
            raise YgsError(
                f"no milestone titled {title!r}",
                path=".ygs/tracker.yml",
                remedy="fix github.milestone, or leave it empty for the open milestone due first",
            )
    else:
        current = next((m for m in open_ms if m["due_on"][:10] >= today.isoformat()), None)
        current = current or (open_ms[-1] if open_ms else None)
    if current is None:
        raise YgsError(
            "no open milestone with a due date: the sprint is unknown",
            remedy="give the sprint's milestone a due date, or set github.milestone",
        )
    later = [m for m in open_ms if (m.get("due_on") or "") > (current.get("due_on") or "")]
    return current, (later[0] if later else None)


# ------------------------------------------------------------------ transport


def classify(stderr: str, args: tuple[str, ...]) -> YgsError:
    text = stderr.strip()
    low = text.lower()
    last = text.splitlines()[-1] if text else "no message"
    if any(s in low for s in ("gh auth login", "not logged", "bad credentials", "http 401")):
        return YgsError(
            "`gh` is not logged in to GitHub (or its token was rejected)",
            remedy="run `gh auth login`, or export GH_TOKEN with repo scope",
        )
    if any(s in low for s in ("error connecting", "could not resolve host", "no such host")) or (
        "connection refused" in low or "dial tcp" in low
    ):
        return YgsError(
            f"GitHub is unreachable: {last}",
            remedy="check the network, VPN or proxy, and https://www.githubstatus.com",
        )
    if "rate limit" in low:
        return YgsError(
            "GitHub's API rate limit is exhausted",
            remedy="wait for the reset (`gh api rate_limit`)",
        )
    if "could not resolve to a repository" in low or "http 404" in low:
        return YgsError(
            f"GitHub has no such repository or milestone: {last}",
            remedy="set github.repo (owner/name) in .ygs/tracker.yml, or run in the repository",
        )
    return YgsError(f"`gh {' '.join(args[:2])}` failed: {last}", remedy="run `gh auth status`")


class _MissingField(Exception):
    pass


class GithubTracker:
    name = "github"

    def __init__(self, cfg: Github, cwd=None) -> None:
        self.cfg = cfg
        self.cwd = cwd
        self.dependencies = True  # blockedBy / subIssues; off when the server lacks them

    def _gh(self, *args: str) -> str:
        from ygs.review.github import run_gh

        proc = run_gh(*args, cwd=self.cwd)
        if proc.returncode != 0:
            if "doesn't exist on type" in proc.stderr:
                raise _MissingField(proc.stderr)
            raise classify(proc.stderr, args)
        return proc.stdout

    def _json(self, *args: str):
        text = self._gh(*args)
        try:
            return json.loads(text)
        except ValueError:
            raise YgsError(f"`gh {' '.join(args[:2])}` did not return JSON") from None

    def _repo_args(self) -> list[str]:
        """GraphQL variables for the repository: explicit as raw strings (-f), or gh's
        `{owner}`/`{repo}` placeholders, which only -F fills in."""
        if self.cfg.repo:
            owner, _, name = self.cfg.repo.partition("/")
            return ["-f", f"owner={owner}", "-f", f"name={name}"]
        return ["-F", "owner={owner}", "-F", "name={repo}"]

    def _rest(self, path: str) -> str:
        prefix = f"repos/{self.cfg.repo}" if self.cfg.repo else "repos/{owner}/{repo}"
        return f"{prefix}/{path}"

    def _graphql(self, query: str, **variables) -> dict:
        args = ["api", "graphql", "-f", f"query={query}", *self._repo_args()]
        for key, value in variables.items():
            if value is not None:
                args += ["-F" if isinstance(value, int) else "-f", f"{key}={value}"]
        data = self._json(*args)
        if data.get("errors"):
            message = "; ".join(str(e.get("message")) for e in data["errors"][:3])
            if "doesn't exist on type" in message:
                raise _MissingField(message)
            raise YgsError(f"GitHub GraphQL error: {message}", remedy="run `gh auth status`")
        return data.get("data") or {}

    def _issue_pages(self, template: str, path: tuple[str, ...], **variables) -> list[dict]:
        """Every issue node of a paged GraphQL query; without the dependency fields when the
        server does not know them (older GitHub Enterprise)."""
        while True:
            fields = ISSUE_FIELDS + (DEPENDENCY_FIELDS if self.dependencies else "")
            try:
                return self._pages(template % fields, path, **variables)
            except _MissingField:
                if not self.dependencies:
                    raise YgsError("GitHub's GraphQL schema lacks a field ygs needs") from None
                self.dependencies = False

    def _pages(self, query: str, path: tuple[str, ...], **variables) -> list[dict]:
        nodes, cursor = [], None
        for _ in range(MAX_PAGES):
            data = self._graphql(query, **variables, cursor=cursor)
            for key in path:
                data = data.get(key) or {}
            nodes += _nodes(data)
            page = data.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                break
            cursor = page.get("endCursor")
        return nodes

    # ---------------------------------------------------------------- port

    def check(self) -> dict:
        user = self._json("api", "user")
        return {"tracker": "github", "user": user.get("login")}

    def milestones(self) -> list[dict]:
        found = self._json("api", self._rest("milestones?state=all&per_page=100"))
        return found if isinstance(found, list) else []

    def issues(self, milestone: int) -> tuple[list[Item], list[Event]]:
        nodes = self._issue_pages(
            SPRINT_QUERY, ("repository", "milestone", "issues"), milestone=milestone
        )
        return self._parsed(nodes)

    def backlog(self) -> tuple[list[Item], list[Event]]:
        return self._parsed(self._issue_pages(BACKLOG_QUERY, ("repository", "issues")))

    def _parsed(self, nodes: list[dict]) -> tuple[list[Item], list[Event]]:
        items, events = [], []
        for rank, node in enumerate(nodes):
            item, found = parse_issue(node, self.cfg, rank)
            items.append(item)
            events += found
        return items, events

    def pulls(self) -> tuple[list[PullRequest], list[Event]]:
        data = self._graphql(PULLS_QUERY).get("repository") or {}
        open_nodes, merged = _nodes(data.get("open")), _nodes(data.get("merged"))
        return [parse_pull(n) for n in open_nodes], pull_events(open_nodes, merged)

    def history(self, closed: list[dict], sprint_days: int, working: set[int]) -> list[PastSprint]:
        recent = sorted((m for m in closed if m.get("due_on")), key=lambda m: m["due_on"])[-3:]
        found = []
        for raw in recent:
            sprint = sprint_of(raw, sprint_days, working)
            issues = self._json(
                "api", self._rest(f"issues?milestone={raw['number']}&state=closed&per_page=100")
            )
            issues = [i for i in issues if isinstance(i, dict) and "pull_request" not in i]
            labels = [
                tuple(str(lb.get("name", "")).lower() for lb in i.get("labels", [])) for i in issues
            ]
            points = [points_of(lb, self.cfg.points_prefixes) or 0 for lb in labels]
            found.append(
                PastSprint(sprint.name, sprint.start, sprint.end, sum(points), len(issues))
            )
        return found

    def people(self) -> list[tuple[str, str]]:
        found = self._json("api", self._rest("assignees?per_page=100"))
        return [(u["login"], u["login"]) for u in found if isinstance(u, dict) and u.get("login")]

    def apply(self, milestone: str | None, keys: list[str]) -> dict:
        if not milestone:
            raise YgsError(
                "there is no next milestone to move issues into",
                remedy="create the next sprint's milestone with a due date, then re-run",
            )
        for key in keys:
            self._gh(
                "api",
                "--method",
                "PATCH",
                self._rest(f"issues/{key.lstrip('#')}"),
                "-F",
                f"milestone={milestone}",
            )
        return {"moved": keys, "milestone": milestone}
