"""`.ygs/tracker.yml`: which tracker, the team roster, capacity and signal thresholds.

Parsing is pure (text in, `TrackerConfig` out, every error a `YgsError` naming file and
line). Unknown keys are errors, so a typo never silently turns a signal off. When the file
is absent, `detect` chooses a tracker from the environment and the git remote.

    tracker: github            # github | jira
    github:  {repo: owner/name, milestone: "", blocked_labels: [blocked], ...}
    jira:    {board: 42, project: PROJ, points_field: customfield_10016, ...}
    slack:   {channel: "#team"}   # SLACK_BOT_TOKEN, or an incoming webhook in SLACK_WEBHOOK_URL
    team:    [{name: Ana, github: ana, jira: ana@example.com, emails: [ana@example.com]}]
    capacity: {hours_per_day: 8, hours_per_point: 4, allocation: {feature: 55, ...}}
    thresholds: {stale_days: 3, review_hours: 48, silent_days: 2, ...}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from ygs.core import yamltext
from ygs.errors import YgsError
from ygs.team.model import Member

CONFIG_FILE = ".ygs/tracker.yml"
TRACKERS = ("github", "jira")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
JIRA_ENV = ("JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN")


@dataclass(frozen=True)
class Allocation:
    """Percent of a person's working time; sums to 100. Only `feature` is sprint capacity."""

    feature: float = 55.0
    ktlo: float = 20.0
    on_call: float = 10.0
    vacation: float = 10.0
    meetings: float = 5.0

    def problems(self) -> list[str]:
        found = [
            f"{k} is {v}: a percentage is 0-100" for k, v in self._items() if not 0 <= v <= 100
        ]
        total = sum(v for _, v in self._items())
        if abs(total - 100) > 0.5:
            found.append(f"the shares add up to {total:g} %, not 100 %")
        if self.feature >= 100:
            found.append("feature is 100 %: capacity is never 100 % (KTLO, on-call, meetings)")
        return found

    def _items(self) -> list[tuple[str, float]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


@dataclass(frozen=True)
class Capacity:
    hours_per_day: float = 8.0  # the length of a working day
    hours_per_point: float | None = None  # converts story points to hours
    sprint_days: int = 10  # working days in a sprint, when the tracker does not say
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    timezone: str = "UTC"
    allocation: Allocation = field(default_factory=Allocation)


@dataclass(frozen=True)
class Thresholds:
    stale_days: float = 3.0  # in progress, no activity for more than this: MEDIUM
    stale_days_high: float = 5.0  # … for more than this: HIGH
    review_hours: float = 48.0  # PR waiting for a first review longer than this: MEDIUM
    review_hours_high: float = 96.0  # … longer than this: HIGH
    reviewer_load: int = 3  # one reviewer holding this many pending requests
    silent_days: float = 2.0  # no commit, PR, review, comment or status change
    sprint_end_days: float = 2.0  # sprint ends in fewer working days, item not started: HIGH
    wip_per_person: float = 2.0  # work in progress above this × team size
    over_capacity: float = 1.0  # needed / available above this: MEDIUM
    over_capacity_high: float = 1.5  # … above this: HIGH
    lookback_days: int = 14  # how far back evidence is read


@dataclass(frozen=True)
class Github:
    repo: str = ""  # owner/name; "" = the repository `gh` sees in this folder
    milestone: str = ""  # the sprint; "" = the open milestone due first
    blocked_labels: tuple[str, ...] = ("blocked",)
    in_progress_labels: tuple[str, ...] = ("in progress", "in-progress", "wip", "doing")
    design_labels: tuple[str, ...] = ("needs-design", "design", "rfc")
    points_prefixes: tuple[str, ...] = ("points:", "sp:", "estimate:")


@dataclass(frozen=True)
class Jira:
    base_url: str = ""  # "" = JIRA_BASE_URL
    board: int | None = None  # "" = the only scrum board the account sees
    project: str = ""
    points_field: str = "customfield_10016"  # Jira Cloud's "Story point estimate"
    review_statuses: tuple[str, ...] = ("in review", "code review", "review")
    blocked_statuses: tuple[str, ...] = ("blocked",)
    blocked_labels: tuple[str, ...] = ("blocked",)
    design_labels: tuple[str, ...] = ("needs-design", "design", "rfc")


@dataclass(frozen=True)
class Slack:
    channel: str = ""
    token_env: str = "SLACK_BOT_TOKEN"
    webhook_env: str = "SLACK_WEBHOOK_URL"


@dataclass(frozen=True)
class TrackerConfig:
    tracker: str
    github: Github | None = None  # also where pull requests come from for a Jira team
    jira: Jira | None = None
    slack: Slack = field(default_factory=Slack)
    team: tuple[Member, ...] = ()
    capacity: Capacity = field(default_factory=Capacity)
    thresholds: Thresholds = field(default_factory=Thresholds)
    path: str | None = None  # None: detected, no file

    @property
    def design_labels(self) -> tuple[str, ...]:
        section = self.jira if self.tracker == "jira" else self.github
        return section.design_labels if section else Github.design_labels


# ------------------------------------------------------------------ parsing

TOP = ("tracker", "github", "jira", "slack", "team", "capacity", "thresholds")
MEMBER_KEYS = ("name", "github", "jira", "emails", "email", "hours_per_day", "days_off")


class _Reader:
    """Walks the parsed YAML with its line map; every problem names file and line."""

    def __init__(self, path: str, lines: dict) -> None:
        self.path = path
        self.lines = lines

    def fail(self, where: tuple, message: str, remedy: str | None = None) -> YgsError:
        line = self.lines.get(where) or self.lines.get(where[:-1]) or 1
        return YgsError(message, path=self.path, line=line, remedy=remedy)

    def mapping(self, value: Any, where: tuple, known: tuple[str, ...]) -> dict:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(where, f"{_dotted(where)} must be a mapping")
        for key in value:
            if key not in known:
                raise self.fail(
                    (*where, key),
                    f"unknown key '{_dotted((*where, key))}'",
                    remedy=f"known keys here: {', '.join(known)}",
                )
        return dict(value)

    def section(self, value: Any, where: tuple, cls: type) -> Any:
        kinds = {f.name: str(f.type) for f in fields(cls)}
        raw = self.mapping(value, where, tuple(kinds))
        return cls(**{k: self.scalar(v, (*where, k), kinds[k]) for k, v in raw.items()})

    def scalar(self, value: Any, where: tuple, kind: str) -> Any:
        """One value of the given annotation: words, text, a whole number or a number."""
        name = _dotted(where)
        if kind.startswith("tuple[str"):
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
                raise self.fail(where, f"{name} must be a list of words")
            return tuple(str(v).strip().lower() for v in items)
        if kind == "str":
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise self.fail(where, f"{name} must be text")
            return str(value).strip()
        if value is None and "None" in kind:
            return None
        whole = kind.startswith("int")
        number = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, number) or value < (1 if whole else 0):
            what = "a whole number above 0" if whole else "a number of 0 or more"
            raise self.fail(where, f"{name} must be {what}, not {value!r}")
        return value if whole else float(value)


def _dotted(where: tuple) -> str:
    return ".".join(str(w) if not isinstance(w, int) else f"[{w}]" for w in where).replace(
        ".[", "["
    )


def parse(text: str, path: str = CONFIG_FILE) -> TrackerConfig:
    """The config in `text`; exit 2 with file:line on any problem."""
    try:
        data, lines = yamltext.load_with_lines(text)
    except yamltext.YamlError as err:
        raise YgsError(err.message, path=path, line=err.line, remedy="fix the YAML") from None
    r = _Reader(path, lines)
    top = r.mapping(data, (), TOP)
    tracker = str(top.get("tracker") or "").strip().lower()
    if tracker not in TRACKERS:
        raise r.fail(("tracker",), f"tracker must be one of {', '.join(TRACKERS)}, not {tracker!r}")
    github = r.section(top["github"], ("github",), Github) if "github" in top else None
    jira = r.section(top["jira"], ("jira",), Jira) if "jira" in top else None
    if tracker == "github" and github is None:
        github = Github()
    if tracker == "jira" and jira is None:
        jira = Jira()
    return TrackerConfig(
        tracker=tracker,
        github=github,
        jira=jira,
        slack=r.section(top.get("slack"), ("slack",), Slack),
        team=_team(r, top.get("team")),
        capacity=_capacity(r, top.get("capacity")),
        thresholds=_thresholds(r, top.get("thresholds")),
        path=path,
    )


def _team(r: _Reader, value: Any) -> tuple[Member, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise r.fail(("team",), "team must be a list of people (name, github, jira, emails)")
    members = []
    for n, entry in enumerate(value):
        where = ("team", n)
        if isinstance(entry, str):
            entry = {"name": entry, "github": entry}
        raw = r.mapping(entry, where, MEMBER_KEYS)
        name = str(raw.get("name") or "").strip()
        if not name:
            raise r.fail(where, f"team[{n}] has no name")
        if name in (m.name for m in members):
            raise r.fail(where, f"team lists {name} twice")
        emails = raw.get("emails", raw.get("email", []))
        members.append(
            Member(
                name=name,
                github=str(raw.get("github") or "").strip().lstrip("@"),
                jira=str(raw.get("jira") or "").strip(),
                emails=tuple(
                    str(e).strip() for e in (emails if isinstance(emails, list) else [emails])
                ),
                hours_per_day=r.scalar(
                    raw.get("hours_per_day"), (*where, "hours_per_day"), "float | None"
                ),
                days_off=_dates(r, raw.get("days_off", []), (*where, "days_off")),
            )
        )
    return tuple(members)


def _dates(r: _Reader, value: Any, where: tuple) -> tuple[date, ...]:
    items = value if isinstance(value, list) else [value]
    found = []
    for n, item in enumerate(items):
        try:
            found.append(date.fromisoformat(str(item)))
        except ValueError:
            raise r.fail(
                (*where, n), f"{_dotted(where)}: {item!r} is not a YYYY-MM-DD date"
            ) from None
    return tuple(found)


def _capacity(r: _Reader, value: Any) -> Capacity:
    keys = tuple(f.name for f in fields(Capacity))
    raw = r.mapping(value, ("capacity",), keys)
    allocation = r.section(raw.pop("allocation", None), ("capacity", "allocation"), Allocation)
    problems = allocation.problems()
    if problems:
        raise r.fail(
            ("capacity", "allocation"),
            f"capacity.allocation: {problems[0]}",
            remedy="feature, ktlo, on_call, vacation and meetings are percentages adding to 100",
        )
    days = raw.pop("working_days", None)
    base = r.section(raw, ("capacity",), Capacity)
    return replace(
        base,
        working_days=_weekdays(r, days) if days is not None else base.working_days,
        timezone=_timezone(r, base.timezone),
        allocation=allocation,
    )


def _weekdays(r: _Reader, value: Any) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        word = str(item).strip().lower()[:3]
        if word not in WEEKDAYS:
            raise r.fail(
                ("capacity", "working_days"),
                f"capacity.working_days: {item!r} is not a weekday",
                remedy="e.g. [mon, tue, wed, thu, fri]",
            )
        found.append(WEEKDAYS.index(word))
    if not found:
        raise r.fail(("capacity", "working_days"), "capacity.working_days is empty")
    return tuple(sorted(set(found)))


def _timezone(r: _Reader, name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail(
            ("capacity", "timezone"), f"capacity.timezone: unknown time zone {name!r}"
        ) from None
    return name


def _thresholds(r: _Reader, value: Any) -> Thresholds:
    found = r.section(value, ("thresholds",), Thresholds)
    if found.stale_days_high < found.stale_days or found.review_hours_high < found.review_hours:
        raise r.fail(
            ("thresholds",), "a *_high threshold is below its MEDIUM threshold", remedy="swap them"
        )
    return found


# ------------------------------------------------------------------ detection


def detect(env: Mapping[str, str], remote_url: str, gh_on_path: bool) -> TrackerConfig:
    """No tracker.yml: Jira when its three variables are set, else GitHub when the remote or
    `gh` says so. Defaults everywhere else; the roster is derived from the data."""
    if all(env.get(k) for k in JIRA_ENV):
        github = Github() if "github.com" in remote_url or gh_on_path else None
        return TrackerConfig(tracker="jira", jira=Jira(), github=github)
    if "github" in remote_url or gh_on_path:
        return TrackerConfig(tracker="github", github=Github())
    raise YgsError(
        "no tracker configured and none detected",
        remedy="run `ygs tracker init` (GitHub: a github.com remote and `gh auth login`; "
        f"Jira: set {', '.join(JIRA_ENV)})",
    )


# ------------------------------------------------------------------ writing


def render(config: TrackerConfig, people: list[tuple[str, str]]) -> str:
    """The file `ygs tracker init` writes: the detected tracker, a roster to edit, defaults."""
    data: dict[str, Any] = {"tracker": config.tracker}
    if config.github is not None:
        data["github"] = {
            "repo": config.github.repo,
            "milestone": config.github.milestone,
            "blocked_labels": list(config.github.blocked_labels),
            "in_progress_labels": list(config.github.in_progress_labels),
        }
    if config.jira is not None:
        data["jira"] = {
            "board": config.jira.board,
            "project": config.jira.project,
            "points_field": config.jira.points_field,
        }
        if not config.jira.board:
            del data["jira"]["board"]
    data["slack"] = {"channel": config.slack.channel}
    key = "jira" if config.tracker == "jira" else "github"
    data["team"] = [{"name": name, key: ident} for ident, name in people] or [
        {"name": "Your Name", key: "your-login", "emails": ["you@example.com"]}
    ]
    cap = config.capacity
    data["capacity"] = {
        "hours_per_day": cap.hours_per_day,
        "hours_per_point": cap.hours_per_point or 4,
        "sprint_days": cap.sprint_days,
        "working_days": [WEEKDAYS[d] for d in cap.working_days],
        "timezone": cap.timezone,
        "allocation": {f.name: getattr(cap.allocation, f.name) for f in fields(Allocation)},
    }
    data["thresholds"] = {f.name: getattr(config.thresholds, f.name) for f in fields(Thresholds)}
    body = yamltext.dump(data)
    if config.jira is not None and not config.jira.board:
        body = body.replace(
            "jira:\n", "jira:\n  # board: 42   (several boards or none found: set yours)\n", 1
        )
    return HEADER + body


HEADER = """\
# ygs team intelligence: standup, risk-scan, sprint-plan, pr-queue, ask.
# Secrets stay in the environment: GH via `gh auth login`; Jira via JIRA_BASE_URL, JIRA_EMAIL,
# JIRA_API_TOKEN; Slack via SLACK_BOT_TOKEN (chat.postMessage) or SLACK_WEBHOOK_URL.
# Only people under `team:` appear in reports: remove anyone who is not on the team.
# Units: hours_per_day in hours; allocation in percent of working time (sum 100, feature is
# the sprint's share); thresholds in working days (*_days) or working hours (*_hours).
"""
