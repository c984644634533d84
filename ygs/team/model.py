"""The neutral picture of a team's work that both trackers are parsed into. Pure values.

Backends fill people fields with the tracker's own identity (a GitHub login, a Jira account
id or e-mail, a git author e-mail). `attribute` maps them to roster names once; everything
after it speaks roster names only, and people off the roster never appear in a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

TODO, IN_PROGRESS, IN_REVIEW, DONE = "todo", "in_progress", "in_review", "done"
STATUSES = (TODO, IN_PROGRESS, IN_REVIEW, DONE)
ACTIVE = (IN_PROGRESS, IN_REVIEW)
OFF_ROSTER = "(not on the team)"


@dataclass(frozen=True)
class Member:
    """One person under `team:` in .ygs/tracker.yml."""

    name: str
    github: str = ""
    jira: str = ""  # account id, e-mail or display name
    emails: tuple[str, ...] = ()  # git author e-mails
    hours_per_day: float | None = None  # overrides capacity.hours_per_day
    days_off: tuple[date, ...] = ()

    def identities(self) -> set[str]:
        found = {self.name, self.github, self.jira, *self.emails}
        if self.github:
            found.add(f"{self.github}@users.noreply.github.com")
        return {x.strip().lower() for x in found if x and x.strip()}


@dataclass(frozen=True)
class Item:
    """An issue or ticket. `assignee` and people in events are identities until attributed."""

    key: str  # "#103" (GitHub) or "PROJ-103" (Jira)
    title: str
    status: str  # one of STATUSES
    created: datetime
    updated: datetime  # last activity on the item
    assignee: str | None = None
    started: datetime | None = None  # moved to in progress
    blocked: bool = False  # blocked label or flag
    blocked_by: tuple[str, ...] = ()  # keys this item waits on
    points: float | None = None
    priority: int = 2  # 0 highest … 4 lowest
    rank: int = 0  # the tracker's own order
    labels: tuple[str, ...] = ()
    url: str = ""
    raw_status: str = ""
    body: str = ""  # given to the model for `ask`; never printed
    off_roster: bool = False  # assigned to someone not on the team

    def summary(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status,
            "assignee": self.assignee or (OFF_ROSTER if self.off_roster else None),
            "points": self.points,
            "priority": self.priority,
            "blocked": self.blocked,
            "blocked_by": list(self.blocked_by),
            "labels": list(self.labels),
            "url": self.url,
        }


@dataclass(frozen=True)
class Review:
    reviewer: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    time: datetime


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    author: str | None
    created: datetime
    updated: datetime
    draft: bool = False
    requested: tuple[str, ...] = ()  # reviewers asked who have not reviewed since
    reviews: tuple[Review, ...] = ()
    checks: str = "none"  # passing | failing | pending | none
    items: tuple[str, ...] = ()  # item keys it closes
    url: str = ""
    additions: int = 0
    deletions: int = 0
    off_roster: bool = False

    @property
    def key(self) -> str:
        return f"PR #{self.number}"

    def reviewed(self) -> bool:
        return any(r.reviewer != self.author for r in self.reviews)


@dataclass(frozen=True)
class Event:
    """Evidence that a person did something: the input to silence and stand-up."""

    person: str
    time: datetime
    kind: str  # commit | pr_opened | pr_merged | review | comment | status | closed
    subject: str  # item key, PR key or commit sha
    detail: str = ""


@dataclass(frozen=True)
class Sprint:
    name: str
    start: date
    end: date  # last day, inclusive
    id: str = ""  # milestone number or Jira sprint id
    goal: str = ""


@dataclass(frozen=True)
class PastSprint:
    name: str
    start: date
    end: date
    points_done: float
    items_done: int


@dataclass(frozen=True)
class Snapshot:
    tracker: str  # github | jira
    sprint: Sprint | None
    items: tuple[Item, ...] = ()
    prs: tuple[PullRequest, ...] = ()
    events: tuple[Event, ...] = ()
    history: tuple[PastSprint, ...] = ()
    backlog: tuple[Item, ...] = ()  # candidates for the next sprint
    next_sprint: Sprint | None = None
    planned: tuple[str, ...] = ()  # backlog keys already in the next sprint
    notes: tuple[str, ...] = ()  # what could not be read, said once
    pr_source: str = ""  # where pull requests came from, "" when none
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # identity → other names

    def item(self, key: str) -> Item | None:
        return next((i for i in (*self.items, *self.backlog) if i.key == key), None)


@dataclass(frozen=True)
class Roster:
    members: tuple[Member, ...] = field(default_factory=tuple)
    derived: bool = False  # no `team:` configured: everyone seen in the data

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def who(self, *identities: str | None) -> str | None:
        """The roster name for any of a person's identities, or None when off the roster."""
        wanted = {i.strip().lower() for i in identities if i and i.strip()}
        return next((m.name for m in self.members if wanted & m.identities()), None)


def derive_roster(snapshot: Snapshot) -> Roster:
    """Without a configured team, everyone assigned or authoring a PR in the data."""
    seen: dict[str, None] = {}
    for person in (*(i.assignee for i in snapshot.items), *(p.author for p in snapshot.prs)):
        if person:
            seen.setdefault(person)
    members = []
    for identity in seen:
        names = snapshot.aliases.get(identity, ())
        members.append(Member(name=names[0] if names else identity, github=identity, jira=identity))
    return Roster(tuple(members), derived=True)


def attribute(snapshot: Snapshot, roster: Roster) -> Snapshot:
    """Replace identities with roster names; drop evidence about people off the roster."""

    def who(identity: str | None) -> str | None:
        return roster.who(identity, *snapshot.aliases.get(identity or "", ()))

    def item(i: Item) -> Item:
        name = who(i.assignee)
        return replace(i, assignee=name, off_roster=bool(i.assignee) and name is None)

    def pull(p: PullRequest) -> PullRequest:
        author = who(p.author)
        return replace(
            p,
            author=author,
            off_roster=bool(p.author) and author is None,
            requested=tuple(n for n in (who(r) for r in p.requested) if n),
            reviews=tuple(replace(r, reviewer=n) for r in p.reviews if (n := who(r.reviewer))),
        )

    events = tuple(
        replace(e, person=n) for e in snapshot.events if (n := who(e.person)) is not None
    )
    return replace(
        snapshot,
        items=tuple(item(i) for i in snapshot.items),
        backlog=tuple(item(i) for i in snapshot.backlog),
        prs=tuple(pull(p) for p in snapshot.prs),
        events=events,
    )
