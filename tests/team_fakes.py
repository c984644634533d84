"""One realistic sprint, and the three outside systems that serve it: a fake `gh` on PATH
replaying recorded GitHub JSON, a local fake Jira REST server and a local fake Slack API.

The sprint (as of Thursday 2025-03-13 10:00 UTC; Sprint 14 runs Mon 3 to Fri 14 March):
15 items, 4 people on the team (Ana, Ben, Carla, Dev) and one contractor off the roster
(Zed), 6 open pull requests, 2 dependency chains (#103 → #104 → #105, #107 → #108) and one
silent person (Dev). The same scenario is written as GitHub and as Jira data, so every
assertion holds for both trackers. Keys are `#N` on GitHub and `PROJ-N` on Jira.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

NOW = "2025-03-13T10:00:00Z"
SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a planted GitHub token


def t(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    name: str
    login: str
    account: str
    display: str
    email: str


PEOPLE = {
    "ana": Person("Ana", "ana-dev", "acc-ana", "Ana Lima", "ana@example.com"),
    "ben": Person("Ben", "benk", "acc-ben", "Ben Kim", "ben@example.com"),
    "carla": Person("Carla", "carla-s", "acc-carla", "Carla Souza", "carla@example.com"),
    "dev": Person("Dev", "devp", "acc-dev", "Dev Patel", "dev@example.com"),
    "zed": Person("Zed", "zed-contractor", "acc-zed", "Zed Outsider", "zed@contractor.io"),
}


@dataclass
class Issue:
    number: int
    title: str
    status: str  # todo | in_progress | in_review | done  (GitHub derives review from PRs)
    owner: str | None
    points: float | None
    priority: int
    created: datetime
    activity: list = field(default_factory=list)  # (who, when, kind, detail)
    labels: list = field(default_factory=list)
    blocked_by: list = field(default_factory=list)
    body: str = ""


SPRINT = [
    Issue(101, "Payment API schema", "done", "ana", 3, 1, t(3), [("ana", t(4, 15), "closed", "")]),
    Issue(
        102,
        "Checkout service",
        "in_review",
        "ben",
        5,
        1,
        t(3),
        [("ben", t(11, 11), "comment", "")],
        blocked_by=[101],
    ),
    Issue(
        103,
        "Token refresh",
        "in_progress",
        "carla",
        5,
        0,
        t(3),
        [("carla", t(5, 10), "status", "in-progress")],
    ),
    Issue(
        104,
        "Session store",
        "in_progress",
        "ben",
        3,
        1,
        t(3),
        [("ben", t(10, 9), "status", "in-progress"), ("ben", t(12, 14), "comment", "")],
        blocked_by=[103],
        body=f"Repro: export TOKEN={SECRET} then call /session",
    ),
    Issue(105, "Login page", "todo", "ana", 2, 2, t(3), blocked_by=[104]),
    Issue(
        106,
        "Audit log",
        "in_progress",
        "dev",
        3,
        2,
        t(3),
        [("dev", t(7, 9), "status", "in-progress")],
    ),
    Issue(
        107,
        "Rate limiter",
        "in_progress",
        "carla",
        5,
        1,
        t(3),
        [("carla", t(6, 9), "status", "in-progress"), ("carla", t(10, 15), "status", "blocked")],
        labels=["blocked"],
    ),
    Issue(
        108,
        "Quota dashboard",
        "in_progress",
        "ana",
        3,
        2,
        t(3),
        [("ana", t(11, 9), "status", "in-progress"), ("ana", t(12, 11), "comment", "")],
        blocked_by=[107],
    ),
    Issue(109, "API docs", "in_review", "ben", 2, 3, t(3), [("ben", t(10, 9), "comment", "")]),
    Issue(110, "Metrics endpoint", "done", "ana", 2, 2, t(3), [("ana", t(10, 14), "closed", "")]),
    Issue(111, "Email templates", "todo", None, 3, 3, t(3)),
    Issue(112, "CSV export", "todo", "carla", 5, 3, t(3)),
    Issue(113, "Search index", "in_review", "ben", 5, 1, t(3), [("ben", t(6, 10), "comment", "")]),
    Issue(114, "Feature flags", "done", "carla", 3, 1, t(3), [("carla", t(11, 16), "closed", "")]),
    Issue(
        115,
        "Cleanup scripts",
        "in_progress",
        "zed",
        1,
        4,
        t(3),
        [("zed", t(12, 12), "status", "in-progress")],
    ),
]
NEXT = [Issue(120, "Billing export", "todo", "ana", 3, 1, t(1))]
BACKLOG = [
    Issue(121, "Invoice PDF", "todo", None, 5, 0, t(1)),
    Issue(122, "SSO login", "todo", None, 8, 1, t(1), labels=["needs-design"]),
    Issue(
        123,
        "Refund flow",
        "todo",
        None,
        5,
        1,
        t(1),
        labels=["needs-design"],
        body="Design: ADR-0001 (refunds go through the ledger).",
    ),
    Issue(124, "Webhooks v2", "todo", None, 3, 2, t(1), blocked_by=[130]),
    Issue(125, "Admin audit UI", "todo", None, 21, 2, t(1)),
    Issue(126, "Dark mode", "todo", None, None, 3, t(1)),
    Issue(127, "Export to S3", "todo", None, 13, 2, t(1)),
    Issue(128, "Rate limit headers", "todo", None, 2, 3, t(1), blocked_by=[121]),
    Issue(129, "Perf budget", "todo", None, 5, 4, t(1)),
]


@dataclass
class Pull:
    number: int
    title: str
    author: str
    created: datetime
    items: list
    requested: list = field(default_factory=list)
    reviews: list = field(default_factory=list)  # (who, state, when)
    checks: str = "SUCCESS"
    draft: bool = False
    updated: datetime | None = None
    merged: datetime | None = None


PULLS = [
    Pull(201, "Checkout service", "ben", t(12, 9), [102], ["ana"]),
    Pull(202, "API docs", "ben", t(10, 9), [109], ["ana"]),
    Pull(203, "Search index", "ben", t(6, 10), [113], ["ana"]),
    Pull(204, "Audit log (WIP)", "dev", t(6, 12), [106], draft=True, updated=t(7, 9)),
    Pull(
        205,
        "Refactor config loader",
        "carla",
        t(10, 12),
        [],
        [],
        [("ben", "APPROVED", t(11, 10))],
        checks="FAILURE",
    ),
    Pull(206, "Cleanup scripts", "zed", t(11, 8), [115], ["ana"]),
]
MERGED = [
    Pull(
        199,
        "Metrics endpoint",
        "ana",
        t(7, 9),
        [110],
        [],
        [("ben", "APPROVED", t(10, 11))],
        merged=t(10, 14),
    ),
]
# closed sprints: (number, title, start, due, points done); velocity uses the last three:
# (20 + 24 + 22) points / 30 working days = 2.2 points per working day
HISTORY = [
    (10, "Sprint 10", "2025-01-06", "2025-01-17", [5, 8, 8, 5, 4]),
    (11, "Sprint 11", "2025-01-20", "2025-01-31", [5, 5, 5, 3, 2]),
    (12, "Sprint 12", "2025-02-03", "2025-02-14", [8, 8, 5, 3]),
    (13, "Sprint 13", "2025-02-17", "2025-02-28", [8, 5, 5, 2, 2]),
]
COMMITS = [  # (who, when, subject)
    ("ana", t(12, 10), "Add quota chart"),
    ("carla", t(12, 15), "Rate limiter: token bucket"),
    ("ben", t(12, 17), "Session store: Redis adapter"),
    ("dev", t(6, 16), "Audit log skeleton"),
    ("zed", t(12, 12), "Cleanup: remove dead scripts"),
]

CONFIG = """\
tracker: {tracker}
github:
  repo: acme/shop
jira:
  board: 7
  project: PROJ
slack:
  channel: "#team"
team:
  - {{name: Ana, github: ana-dev, jira: acc-ana, emails: [ana@example.com]}}
  - {{name: Ben, github: benk, jira: Ben Kim, emails: [ben@example.com]}}
  - {{name: Carla, github: carla-s, jira: carla@example.com, emails: [carla@example.com],
     days_off: [2025-03-14]}}
  - {{name: Dev, github: devp, jira: acc-dev, emails: [dev@example.com]}}
capacity:
  hours_per_day: 6
  hours_per_point: 2
  allocation: {{feature: 60, ktlo: 20, on_call: 5, vacation: 10, meetings: 5}}
"""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ GitHub recording


def _gh_issue(issue: Issue, state_open: bool = True) -> dict:
    labels = [f"points:{issue.points:g}"] if issue.points is not None else []
    labels += [f"p{issue.priority}", *issue.labels]
    if issue.status == "in_progress":
        labels.append("in-progress")
    timeline = []
    for who, when, kind, detail in issue.activity:
        actor = {"login": PEOPLE[who].login}
        if kind == "comment":
            timeline.append({"__typename": "IssueComment", "author": actor, "createdAt": iso(when)})
        elif kind == "closed":
            timeline.append({"__typename": "ClosedEvent", "actor": actor, "createdAt": iso(when)})
        else:
            timeline.append(
                {
                    "__typename": "LabeledEvent",
                    "actor": actor,
                    "createdAt": iso(when),
                    "label": {"name": detail},
                }
            )
    body = issue.body
    if issue.blocked_by:
        body = (body + "\n" if body else "") + f"Depends on #{issue.blocked_by[0]}"
    node = {
        "number": issue.number,
        "title": issue.title,
        "body": body,
        "url": f"https://github.com/acme/shop/issues/{issue.number}",
        "state": "CLOSED" if issue.status == "done" else "OPEN",
        "createdAt": iso(issue.created),
        "updatedAt": iso(t(13, 8)),  # bots touch everything: ygs must not trust this
        "assignees": {"nodes": [{"login": PEOPLE[issue.owner].login}] if issue.owner else []},
        "labels": {"nodes": [{"name": x} for x in labels]},
        "timelineItems": {"nodes": timeline},
        "blockedBy": {"nodes": [{"number": 103, "state": "OPEN"}] if issue.number == 104 else []},
        "subIssues": {"nodes": []},
    }
    return node


def _gh_pull(pull: Pull) -> dict:
    return {
        "number": pull.number,
        "title": pull.title,
        "url": f"https://github.com/acme/shop/pull/{pull.number}",
        "isDraft": pull.draft,
        "createdAt": iso(pull.created),
        "updatedAt": iso(pull.updated or pull.created),
        "mergedAt": iso(pull.merged) if pull.merged else None,
        "additions": 40 * pull.number % 500,
        "deletions": 7 * pull.number % 90,
        "headRefName": f"PROJ-{pull.items[0]}-work" if pull.items else "refactor",
        "author": {"login": PEOPLE[pull.author].login},
        "reviewRequests": {
            "nodes": [{"requestedReviewer": {"login": PEOPLE[r].login}} for r in pull.requested]
        },
        "reviews": {
            "nodes": [
                {"author": {"login": PEOPLE[w].login}, "state": s, "submittedAt": iso(when)}
                for w, s, when in pull.reviews
            ]
        },
        "commits": {"nodes": [{"commit": {"statusCheckRollup": {"state": pull.checks}}}]},
        "closingIssuesReferences": {"nodes": [{"number": n} for n in pull.items]},
    }


def github_recording() -> dict:
    milestones = [
        {
            "number": n,
            "title": title,
            "state": "closed",
            "due_on": f"{due}T07:00:00Z",
            "description": "",
        }
        for n, title, _, due, _ in HISTORY
    ]
    milestones += [
        {
            "number": 14,
            "title": "Sprint 14",
            "state": "open",
            "due_on": "2025-03-14T07:00:00Z",
            "description": "Goal: checkout beta",
        },
        {
            "number": 15,
            "title": "Sprint 15",
            "state": "open",
            "due_on": "2025-03-28T07:00:00Z",
            "description": "start: 2025-03-17",
        },
    ]
    closed = {
        str(n): [
            {"number": 900 + i, "labels": [{"name": f"points:{p}"}]} for i, p in enumerate(pts)
        ]
        + [{"number": 990, "labels": [], "pull_request": {}}]  # PRs are not issues
        for n, _, _, _, pts in HISTORY
    }
    return {
        "user": {"login": "ana-dev"},
        "milestones": milestones,
        "closed_issues": closed,
        "sprint": {"14": [_gh_issue(i) for i in SPRINT], "15": [_gh_issue(i) for i in NEXT]},
        "backlog": [_gh_issue(i) for i in BACKLOG],
        "pulls": {"open": [_gh_pull(p) for p in PULLS], "merged": [_gh_pull(p) for p in MERGED]},
        "assignees": [{"login": p.login} for p in PEOPLE.values()],
        "mode": "",
        "page_size": 8,
    }


FAKE_GH = """\
import json, os, re, sys
args = sys.argv[1:]
data = json.load(open(os.environ["FAKE_GH_DATA"]))
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
mode = data.get("mode", "")
if mode == "logged_out":
    sys.stderr.write("To get started with GitHub CLI, please run:  gh auth login\\n"
                     "Alternatively, populate the GH_TOKEN environment variable.\\n")
    sys.exit(4)
if mode == "offline":
    sys.stderr.write("error connecting to api.github.com\\n"
                     "check your internet connection or https://githubstatus.com\\n")
    sys.exit(1)
def opt(flag, key):
    for n, a in enumerate(args):
        if a == flag and args[n + 1].startswith(key + "="):
            return args[n + 1].split("=", 1)[1]
    return None
if args[:2] == ["api", "graphql"]:
    query = opt("-f", "query")
    if mode == "old_server" and "blockedBy" in query:
        sys.stderr.write("gh: Field 'blockedBy' doesn't exist on type 'Issue'\\n")
        sys.exit(1)
    op = re.search(r"query (\\w+)", query).group(1)
    if op == "Pulls":
        repo = {k: {"nodes": v} for k, v in data["pulls"].items()}
        print(json.dumps({"data": {"repository": repo}}))
        sys.exit(0)
    nodes = data["backlog"] if op == "BacklogIssues" else data["sprint"][opt("-F", "milestone")]
    start = int(opt("-f", "cursor") or 0)
    size = data["page_size"]
    page = {"nodes": nodes[start:start + size],
            "pageInfo": {"hasNextPage": start + size < len(nodes), "endCursor": str(start + size)}}
    if op == "BacklogIssues":
        print(json.dumps({"data": {"repository": {"issues": page}}}))
    else:
        print(json.dumps({"data": {"repository": {"milestone": {"issues": page}}}}))
    sys.exit(0)
path = next(a for a in args[1:] if not a.startswith("-") and a.startswith(("repos/", "user")))
if "--method" in args:
    print(json.dumps({"ok": True}))
elif path == "user":
    print(json.dumps(data["user"]))
elif "/milestones" in path:
    print(json.dumps(data["milestones"]))
elif "/assignees" in path:
    print(json.dumps(data["assignees"]))
elif "issues?milestone=" in path:
    number = re.search(r"milestone=(\\d+)", path).group(1)
    print(json.dumps(data["closed_issues"][number]))
else:
    sys.stderr.write("gh: Not Found (HTTP 404)\\n")
    sys.exit(1)
"""


def install_fake_gh(tmp: Path, monkeypatch, recording: dict | None = None) -> tuple[Path, Path]:
    """`gh` on PATH serving the recording; returns (recording file, call log)."""
    bin_dir = tmp / "gh-bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "fake_gh.py"
    script.write_text(FAKE_GH)
    exe = bin_dir / "gh"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    exe.chmod(0o755)
    data = tmp / "gh-recording.json"
    data.write_text(json.dumps(recording or github_recording()))
    log = tmp / "gh-calls.jsonl"
    log.write_text("")
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_GH_DATA", str(data))
    monkeypatch.setenv("FAKE_GH_LOG", str(log))
    return data, log


def gh_calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def set_gh_mode(data: Path, mode: str) -> None:
    recording = json.loads(data.read_text())
    recording["mode"] = mode
    data.write_text(json.dumps(recording))


# ------------------------------------------------------------------ Jira


PRIORITY_NAMES = ["Highest", "High", "Medium", "Low", "Lowest"]
STATUS = {
    "todo": ("To Do", "new"),
    "in_progress": ("In Progress", "indeterminate"),
    "in_review": ("In Review", "indeterminate"),
    "done": ("Done", "done"),
}


def jtime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _jira_user(who: str) -> dict:
    p = PEOPLE[who]
    return {"accountId": p.account, "displayName": p.display, "emailAddress": p.email}


def _adf(text: str) -> dict | None:
    if not text:
        return None
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def jira_issue(issue: Issue) -> dict:
    name, category = STATUS[issue.status]
    histories, comments = [], []
    for who, when, kind, detail in issue.activity:
        if kind == "comment":
            comments.append({"author": _jira_user(who), "created": jtime(when), "body": _adf("ok")})
            continue
        to = {"closed": "Done", "blocked": "Blocked"}.get(kind, "In Progress")
        if detail == "blocked":
            item = {"field": "labels", "fromString": "", "toString": "blocked"}
        else:
            item = {"field": "status", "fromString": "To Do", "toString": to}
        histories.append({"author": _jira_user(who), "created": jtime(when), "items": [item]})
    histories.append(  # planning noise that is not activity
        {
            "author": _jira_user("ana"),
            "created": jtime(t(13, 8)),
            "items": [{"field": "Rank", "fromString": "", "toString": "Ranked higher"}],
        }
    )
    links = [
        {
            "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
            "inwardIssue": {"key": f"PROJ-{n}"},
        }
        for n in issue.blocked_by
    ]
    return {
        "key": f"PROJ-{issue.number}",
        "fields": {
            "summary": issue.title,
            "status": {"name": name, "statusCategory": {"key": category}},
            "assignee": _jira_user(issue.owner) if issue.owner else None,
            "issuelinks": links,
            "created": jtime(issue.created),
            "updated": jtime(t(13, 8)),
            "labels": issue.labels,
            "priority": {"name": PRIORITY_NAMES[issue.priority]},
            "comment": {"comments": comments},
            "description": _adf(issue.body),
            "customfield_10016": issue.points,
        },
        "changelog": {"histories": histories},
    }


def jira_data() -> dict:
    closed = [
        {
            "id": 400 + n,
            "name": title,
            "state": "closed",
            "startDate": f"{start}T09:00:00.000+0000",
            "endDate": f"{due}T17:00:00.000+0000",
            "points": pts,
        }
        for n, title, start, due, pts in HISTORY
    ]
    return {
        "boards": [{"id": 7, "name": "PROJ board", "location": {"projectKey": "PROJ"}}],
        "active": {
            "id": 414,
            "name": "Sprint 14",
            "state": "active",
            "startDate": "2025-03-03T09:00:00.000+0000",
            "endDate": "2025-03-14T17:00:00.000+0000",
            "goal": "Checkout beta",
        },
        "future": {
            "id": 415,
            "name": "Sprint 15",
            "state": "future",
            "startDate": "2025-03-17T09:00:00.000+0000",
            "endDate": "2025-03-28T17:00:00.000+0000",
        },
        "closed": closed,
        "issues": {"414": [jira_issue(i) for i in SPRINT], "415": [jira_issue(i) for i in NEXT]},
        "backlog": [jira_issue(i) for i in BACKLOG],
    }


class _LocalServer:
    """An HTTP server on 127.0.0.1 and an ephemeral port, in a thread, as a context manager."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        raise NotImplementedError


class FakeJira(_LocalServer):
    """Jira Cloud's REST v3 and Agile endpoints that ygs reads, on 127.0.0.1."""

    PAGE = 6  # smaller than ygs asks for, so paging is exercised

    def __init__(self, email="ana@example.com", token="jira-token") -> None:
        import base64

        self.data = jira_data()
        self.auth = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.mode = ""  # "" | "rate_limit" | "server_error"
        self.requests: list[tuple[str, str]] = []
        self.posted: list[tuple[str, dict]] = []
        super().__init__()

    def answer(self, method: str, path: str, query: dict, headers, body) -> tuple[int, object]:
        self.requests.append((method, path))
        if headers.get("Authorization") != self.auth:
            return 401, {"errorMessages": ["Client must be authenticated to access this resource."]}
        if self.mode == "rate_limit":
            return 429, {"errorMessages": ["Rate limit exceeded."]}
        if self.mode == "server_error":
            return 503, {"errorMessages": ["Service unavailable"]}
        d = self.data
        if path == "/rest/api/3/myself":
            return 200, {"accountId": "acc-ana", "displayName": "Ana Lima"}
        if path == "/rest/agile/1.0/board":
            return 200, {"values": d["boards"], "isLast": True}
        match = re.fullmatch(r"/rest/agile/1\.0/board/(\d+)/(sprint|backlog)", path)
        if match and match.group(1) != "7":
            return 404, {"errorMessages": ["Board does not exist."]}
        if match and match.group(2) == "sprint":
            state = query.get("state", [""])[0]
            values = {"active": [d["active"]], "future": [d["future"]], "closed": d["closed"]}
            return 200, self._page(values.get(state, []), query, "values")
        if match:
            return 200, self._page(d["backlog"], query, "issues")
        match = re.fullmatch(r"/rest/agile/1\.0/sprint/(\d+)/issue", path)
        if match and method == "POST":
            self.posted.append((match.group(1), body))
            return 204, None
        if match:
            sprint = match.group(1)
            if "statusCategory = Done" in query.get("jql", [""])[0]:
                closed = next(s for s in d["closed"] if str(s["id"]) == sprint)
                issues = [
                    {"key": f"OLD-{i}", "fields": {"customfield_10016": p}}
                    for i, p in enumerate(closed["points"])
                ]
                return 200, self._page(issues, query, "issues")
            return 200, self._page(d["issues"].get(sprint, []), query, "issues")
        return 404, {"errorMessages": [f"no route {path}"]}

    def _page(self, values: list, query: dict, key: str) -> dict:
        start = int(query.get("startAt", ["0"])[0])
        size = min(int(query.get("maxResults", ["50"])[0]), self.PAGE)
        chunk = values[start : start + size]
        return {
            key: chunk,
            "startAt": start,
            "maxResults": size,
            "total": len(values),
            "isLast": start + size >= len(values),
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, method: str):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                status, payload = fake.answer(
                    method, parts.path, parse_qs(parts.query), self.headers, body
                )
                raw = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler


# ------------------------------------------------------------------ Slack


class FakeSlack(_LocalServer):
    """chat.postMessage, auth.test and one incoming webhook, on 127.0.0.1."""

    def __init__(self, token="xoxb-test-token") -> None:
        self.token = token
        self.messages: list[dict] = []
        self.webhook: list[dict] = []
        super().__init__()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/hooks/T000/B000/XXX":
                    fake.webhook.append(body)
                    self._reply(200, b"ok")
                    return
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._reply(200, json.dumps({"ok": False, "error": "invalid_auth"}).encode())
                    return
                if self.path == "/api/auth.test":
                    self._reply(
                        200, json.dumps({"ok": True, "team": "Acme", "user": "ygs"}).encode()
                    )
                    return
                fake.messages.append(body)
                ts = f"1710320400.00{len(fake.messages)}"
                self._reply(200, json.dumps({"ok": True, "channel": "C123", "ts": ts}).encode())

            def _reply(self, status: int, raw: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler


# ------------------------------------------------------------------ the repository


def make_team_repo(root: Path, tracker: str) -> Path:
    """A git repo with the team's recent commits, an ADR and .ygs/tracker.yml."""
    import subprocess

    root.mkdir(parents=True, exist_ok=True)

    def git(*args, env=None):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    (root / ".ygs").mkdir()
    (root / ".ygs" / "tracker.yml").write_text(CONFIG.format(tracker=tracker))
    adr = root / "docs" / "adr" / "0001-refunds-through-the-ledger.md"
    adr.parent.mkdir(parents=True)
    adr.write_text(
        "---\nid: ADR-0001\ntype: adr\ntitle: Refunds go through the ledger\nstatus: accepted\n"
        "date: 2025-02-20\n---\n# ADR-0001: Refunds go through the ledger\n"
    )
    import os

    for n, (who, when, subject) in enumerate(COMMITS):
        person = PEOPLE[who]
        (root / f"change-{n}.txt").write_text(subject + "\n")
        stamp = when.isoformat()
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": person.display,
            "GIT_AUTHOR_EMAIL": person.email,
            "GIT_COMMITTER_NAME": person.display,
            "GIT_COMMITTER_EMAIL": person.email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        git("add", "-A", env=env)
        git("commit", "-q", "-m", subject, env=env)
    return root
