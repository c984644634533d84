"""Jira Cloud through REST API v3 and the Agile API: the board's active sprint, its issues with
status, assignee, links, comments and history, closed sprints for velocity, the backlog.

Auth: JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (basic auth, HTTPS only). `check` runs
first: a bad token must fail loudly, never look like a quiet day. Parsing is pure.
"""

from __future__ import annotations

import base64
import time
import urllib.parse
from collections.abc import Mapping
from datetime import date, datetime

from ygs.errors import YgsError
from ygs.team import http
from ygs.team.config import Jira
from ygs.team.model import DONE, IN_PROGRESS, IN_REVIEW, TODO, Event, Item, PastSprint, Sprint

PAGE = 100
MAX_PAGES = 20
RETRY_AFTER_MAX_S = 5.0
PRIORITIES = {"highest": 0, "blocker": 0, "high": 1, "critical": 1, "medium": 2, "low": 3}
PRIORITIES |= {"lowest": 4, "trivial": 4, "minor": 3, "major": 1}
NOT_ACTIVITY = {"rank", "sprint"}  # changelog fields that bots and planning move
TOKEN_URL = "https://id.atlassian.com/manage-profile/security/api-tokens"


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 → +00:00
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    found = _time(value)
    return found.date() if found else None


def adf_text(node, depth: int = 0) -> str:
    """Plain text of an Atlassian Document Format value (v3 descriptions and comments)."""
    if depth > 40 or node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_text(n, depth + 1) for n in node)
    if not isinstance(node, Mapping):
        return ""
    text = node.get("text", "") if node.get("type") == "text" else ""
    inner = adf_text(node.get("content"), depth + 1)
    block = node.get("type") in ("paragraph", "heading", "listItem", "codeBlock")
    return text + inner + ("\n" if block else "")


def _person(raw) -> tuple[str | None, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        return None, ()
    ident = raw.get("accountId") or raw.get("emailAddress") or raw.get("displayName")
    others = tuple(x for x in (raw.get("displayName"), raw.get("emailAddress")) if x)
    return ident, others


def _depends_on(links) -> tuple[str, ...]:
    found = []
    for link in links or []:
        kind = link.get("type") or {}
        for side, phrase in (("inwardIssue", "inward"), ("outwardIssue", "outward")):
            other = link.get(side)
            words = str(kind.get(phrase, "")).lower()
            if other and ("blocked by" in words or "depends on" in words):
                found.append(other["key"])
    return tuple(dict.fromkeys(found))


def parse_issue(raw: dict, cfg: Jira, rank: int, aliases: dict) -> tuple[Item, list[Event]]:
    """One issue (with `expand=changelog`) as an Item and the events it records."""
    f = raw.get("fields") or {}
    key = raw["key"]
    status = f.get("status") or {}
    name = str(status.get("name", "")).lower()
    category = (status.get("statusCategory") or {}).get("key", "new")
    state = {"new": TODO, "done": DONE}.get(category, IN_PROGRESS)
    if state == IN_PROGRESS and name in cfg.review_statuses:
        state = IN_REVIEW
    labels = tuple(str(x).lower() for x in f.get("labels") or [])
    assignee, names = _person(f.get("assignee"))
    if assignee:
        aliases.setdefault(assignee, names)
    created = _time(f.get("created")) or _time(f.get("updated"))
    events, started = [], None
    for history in (raw.get("changelog") or {}).get("histories", []):
        who, names = _person(history.get("author"))
        when = _time(history.get("created"))
        if not who or when is None:
            continue
        aliases.setdefault(who, names)
        for change in history.get("items", []):
            field = str(change.get("field", "")).lower()
            if field in NOT_ACTIVITY:
                continue
            kind = "status" if field in ("status", "resolution") else "change"
            detail = f"{change.get('fromString') or '—'} → {change.get('toString') or '—'}"
            events.append(Event(who, when, kind, key, f"{field}: {detail}"))
            if field == "status" and (started is None or when < started):
                started = when
    for comment in (f.get("comment") or {}).get("comments", []):
        who, names = _person(comment.get("author"))
        when = _time(comment.get("created"))
        if who and when:
            aliases.setdefault(who, names)
            events.append(Event(who, when, "comment", key, ""))
    last = max([created, *(e.time for e in events)])
    points = f.get(cfg.points_field)
    priority = str((f.get("priority") or {}).get("name", "")).lower()
    item = Item(
        key=key,
        title=str(f.get("summary", "")),
        status=state,
        created=created,
        updated=last,
        assignee=assignee,
        started=started if state != TODO else None,
        blocked=name in cfg.blocked_statuses or bool(set(labels) & set(cfg.blocked_labels)),
        blocked_by=_depends_on(f.get("issuelinks")),
        points=float(points) if isinstance(points, int | float) else None,
        priority=PRIORITIES.get(priority, 2),
        rank=rank,
        labels=labels,
        url="",
        raw_status=str(status.get("name", "")),
        body=adf_text(f.get("description"))[:4000],
    )
    return item, events


def parse_sprint(raw: dict) -> Sprint:
    start = _day(raw.get("startDate")) or _day(raw.get("createdDate")) or date.today()
    end = _day(raw.get("endDate")) or _day(raw.get("completeDate")) or start
    return Sprint(
        name=str(raw.get("name", "")),
        start=start,
        end=end,
        id=str(raw.get("id", "")),
        goal=str(raw.get("goal") or ""),
    )


class JiraTracker:
    name = "jira"

    def __init__(self, cfg: Jira, env: Mapping[str, str]) -> None:
        missing = [k for k in ("JIRA_EMAIL", "JIRA_API_TOKEN") if not env.get(k)]
        base = cfg.base_url or env.get("JIRA_BASE_URL", "")
        if not base:
            missing.insert(0, "JIRA_BASE_URL")
        if missing:
            raise YgsError(
                f"Jira credentials are missing: {', '.join(missing)} not set",
                remedy=f"export JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN ({TOKEN_URL})",
            )
        self.cfg = cfg
        self.base = http.check_url(base, "Jira site", "JIRA_BASE_URL")
        pair = f"{env['JIRA_EMAIL']}:{env['JIRA_API_TOKEN']}".encode()
        self._auth = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        self.board_id = cfg.board

    # ---------------------------------------------------------------- transport

    def _call(self, method: str, path: str, params: dict | None = None, body=None):
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"{self.base}{path}{query}"
        for attempt in range(2):
            reply = http.call(method, url, what="Jira", headers=self._auth, body=body)
            if reply.status != 429 or attempt:
                break
            wait = _retry_after(reply.headers)
            if wait is None or wait > RETRY_AFTER_MAX_S:
                break
            time.sleep(wait)
        if reply.status >= 400:
            raise self._error(reply, path)
        return reply.json(f"Jira {path}") if reply.text.strip() else {}

    def _error(self, reply: http.Response, path: str) -> YgsError:
        status = reply.status
        if status == 401:
            return YgsError(
                "Jira rejected the credentials (HTTP 401)",
                remedy=f"check JIRA_EMAIL and JIRA_API_TOKEN; create a token at {TOKEN_URL}",
            )
        if status == 403:
            return YgsError(
                f"Jira refused access to {path} (HTTP 403)",
                remedy="the account needs Browse Projects permission on the board's project",
            )
        if status == 404:
            return YgsError(
                f"Jira has nothing at {path} (HTTP 404)",
                remedy="check jira.board in .ygs/tracker.yml and JIRA_BASE_URL",
            )
        if status == 429:
            wait = _retry_after(reply.headers)
            later = f"after {wait:g} s" if wait is not None else "in a minute"
            return YgsError(
                "Jira is rate-limiting requests (HTTP 429)",
                remedy=f"retry {later}; spread scheduled runs apart",
            )
        return YgsError(
            f"Jira answered HTTP {status} for {path}",
            remedy="Jira may be down or the URL wrong; check status.atlassian.com and retry",
        )

    def _paged(self, path: str, params: dict, key: str) -> list:
        found: list = []
        for _ in range(MAX_PAGES):
            page = self._call("GET", path, {**params, "startAt": len(found), "maxResults": PAGE})
            values = page.get(key) or []
            found += values
            total = page.get("total")
            last = page.get("isLast")
            if not values or last or (isinstance(total, int) and len(found) >= total):
                break
        return found

    # ---------------------------------------------------------------- port

    def check(self) -> dict:
        me = self._call("GET", "/rest/api/3/myself")
        return {"tracker": "jira", "user": me.get("displayName") or me.get("accountId")}

    def board(self) -> int:
        if self.board_id:
            return self.board_id
        boards = self._paged("/rest/agile/1.0/board", {"type": "scrum"}, "values")
        if self.cfg.project:
            boards = [
                b for b in boards if (b.get("location") or {}).get("projectKey") == self.cfg.project
            ]
        if len(boards) != 1:
            listed = ", ".join(f"{b.get('id')} {b.get('name')!r}" for b in boards[:10])
            raise YgsError(
                f"{len(boards)} Jira scrum boards found: say which one",
                remedy=f"set jira.board in .ygs/tracker.yml ({listed or 'none visible'})",
            )
        self.board_id = int(boards[0]["id"])
        return self.board_id

    def _fields(self) -> str:
        names = (
            "summary,status,assignee,issuelinks,updated,created,labels,priority,comment,description"
        )
        return f"{names},{self.cfg.points_field}"

    def _issues(self, path: str, aliases: dict, params: dict | None = None):
        raw = self._paged(
            path, {"fields": self._fields(), "expand": "changelog", **(params or {})}, "issues"
        )
        items, events = [], []
        for rank, issue in enumerate(raw):
            item, found = parse_issue(issue, self.cfg, rank, aliases)
            items.append(_with_url(item, self.base))
            events += found
        return items, events

    def sprints(self, state: str) -> list[dict]:
        return self._paged(
            f"/rest/agile/1.0/board/{self.board()}/sprint", {"state": state}, "values"
        )

    def active_sprint(self) -> Sprint:
        active = self.sprints("active")
        if not active:
            raise YgsError(
                f"Jira board {self.board()} has no active sprint",
                remedy="start a sprint, or point jira.board at a scrum board with one",
            )
        return parse_sprint(active[0])

    def snapshot_parts(self, plan: bool = False) -> dict:
        aliases: dict = {}
        sprint = self.active_sprint()
        items, events = self._issues(f"/rest/agile/1.0/sprint/{sprint.id}/issue", aliases)
        parts = {
            "sprint": sprint,
            "items": items,
            "events": events,
            "history": self.history(),
            "aliases": aliases,
        }
        if plan:
            parts.update(self._plan_parts(aliases, events))
        return parts

    def _plan_parts(self, aliases: dict, events: list) -> dict:
        future = self.sprints("future")
        target = parse_sprint(future[0]) if future else None
        planned: list[Item] = []
        if target is not None:
            planned, found = self._issues(f"/rest/agile/1.0/sprint/{target.id}/issue", aliases)
            events += found
        backlog, found = self._issues(f"/rest/agile/1.0/board/{self.board()}/backlog", aliases)
        events += found
        offset = len(planned)
        ranked = [*planned, *(_reranked(i, offset) for i in backlog)]
        return {
            "next_sprint": target,
            "backlog": ranked,
            "planned": tuple(i.key for i in planned),
        }

    def history(self) -> list[PastSprint]:
        closed = sorted(self.sprints("closed"), key=lambda s: s.get("endDate") or "")[-3:]
        found = []
        for raw in closed:
            sprint = parse_sprint(raw)
            issues = self._paged(
                f"/rest/agile/1.0/sprint/{sprint.id}/issue",
                {"fields": f"status,{self.cfg.points_field}", "jql": "statusCategory = Done"},
                "issues",
            )
            points = [(i.get("fields") or {}).get(self.cfg.points_field) for i in issues]
            found.append(
                PastSprint(
                    sprint.name,
                    sprint.start,
                    sprint.end,
                    float(sum(p for p in points if isinstance(p, int | float))),
                    len(issues),
                )
            )
        return found

    def people(self) -> list[tuple[str, str]]:
        aliases: dict = {}
        items, _ = self._issues(f"/rest/agile/1.0/sprint/{self.active_sprint().id}/issue", aliases)
        seen = dict.fromkeys(i.assignee for i in items if i.assignee)
        return [(ident, (aliases.get(ident) or (ident,))[0]) for ident in seen]

    def apply(self, sprint_id: str | None, keys: list[str]) -> dict:
        if not sprint_id:
            raise YgsError(
                "there is no future sprint on the board to move items into",
                remedy="create the next sprint in Jira, then run `ygs sprint-plan --apply`",
            )
        for n in range(0, len(keys), 50):
            self._call(
                "POST",
                f"/rest/agile/1.0/sprint/{sprint_id}/issue",
                body={"issues": keys[n : n + 50]},
            )
        return {"moved": keys, "sprint": sprint_id}


def _retry_after(headers: dict) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _with_url(item: Item, base: str) -> Item:
    from dataclasses import replace

    return replace(item, url=f"{base}/browse/{item.key}")


def _reranked(item: Item, offset: int) -> Item:
    from dataclasses import replace

    return replace(item, rank=item.rank + offset)
