"""Signals from a team snapshot, ranked into risks with one action each. Pure; the clock is
an argument.

Units, stated once and used everywhere:
- an item's idle time and a person's silence are in working days: the part of the elapsed
  time that falls on working days (`capacity.working_days`), 24 h of a working day = 1 day;
- a pull request's wait is in working hours, the same measure × 24;
- days left in a sprint are whole working dates from today to the last day, today included;
- capacity is in person-hours: present working days × hours per day × the feature share;
- estimates are story points; velocity is points per working day; hours per point converts.

Rules (thresholds from `thresholds:` in .ygs/tracker.yml, defaults in brackets), each with
its severity and its one action:
- stale: in progress and idle > stale_days [3] MEDIUM, > stale_days_high [5] HIGH; unblock
  (escalate when HIGH; reassign when the owner is silent or off the team);
- blocked: marked blocked MEDIUM, HIGH when also idle > stale_days_high; unblock/escalate;
- chain: a stale or blocked item upstream of work in progress, MEDIUM, HIGH when the two
  owners differ (handoff risk); unblock the upstream item;
- review_wait: no review after > review_hours [48] MEDIUM, > review_hours_high [96] HIGH;
  reassign the review;
- reviewer_load: one reviewer holding >= reviewer_load [3] requests, MEDIUM; reassign;
- red_checks: failing checks, LOW, MEDIUM once older than review_hours; unblock;
- sprint_end: not started with fewer than sprint_end_days [2] working days after today,
  HIGH; descope;
- wip: work in progress > wip_per_person [2] × team size, MEDIUM; descope;
- capacity: needed ÷ available > over_capacity [1.0] MEDIUM, > over_capacity_high [1.5]
  HIGH; descope the least important items not started;
- silence: no commit, PR, review, comment or status change for >= silent_days [2], MEDIUM
  when the person holds active work (reassign), LOW otherwise (escalate: the lead checks in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ygs.team.config import Allocation, Capacity, Thresholds
from ygs.team.model import (
    ACTIVE,
    DONE,
    IN_PROGRESS,
    OFF_ROSTER,
    TODO,
    Item,
    Member,
    PastSprint,
    PullRequest,
    Roster,
    Snapshot,
)

HIGH, MEDIUM, LOW = "HIGH", "MEDIUM", "LOW"
SEVERITIES = (HIGH, MEDIUM, LOW)
ACTIONS = ("reassign", "descope", "unblock", "escalate")
KINDS = (
    "sprint_end",
    "capacity",
    "chain",
    "stale",
    "blocked",
    "review_wait",
    "reviewer_load",
    "red_checks",
    "wip",
    "silence",
)
VELOCITY_SPRINTS = 3
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class Clock:
    """Now, and which days count as working days, in the team's time zone."""

    now: datetime  # aware
    tz: tzinfo = UTC
    working_days: frozenset[int] = frozenset(range(5))

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def is_working(self, day: date, off: Iterable[date] = ()) -> bool:
        return day.weekday() in self.working_days and day not in set(off)

    def working_time(self, start: datetime, end: datetime | None = None, off=()) -> float:
        """Working days elapsed between two instants (fractional; days off do not count)."""
        end = self.now if end is None else end
        if end <= start:
            return 0.0
        start = max(start, end - timedelta(days=MAX_SPAN_DAYS))
        off = set(off)
        total = 0.0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            if self.is_working(day, off):
                begin = datetime.combine(day, time(0), tzinfo=self.tz)
                finish = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
                overlap = min(end, finish) - max(start, begin)
                total += max(overlap.total_seconds(), 0.0) / 86400
            day += timedelta(days=1)
        return total

    def working_dates(self, first: date, last: date, off=()) -> list[date]:
        last = min(last, first + timedelta(days=MAX_SPAN_DAYS))
        count = (last - first).days + 1
        days = (first + timedelta(days=n) for n in range(max(count, 0)))
        return [d for d in days if self.is_working(d, off)]

    def days_left(self, end: date) -> int:
        """Working dates from today to `end`, today included."""
        return len(self.working_dates(self.today, end))


@dataclass(frozen=True)
class Risk:
    kind: str  # one of KINDS
    severity: str  # HIGH | MEDIUM | LOW
    subject: str  # an item key, "PR #N", a person, or "sprint"
    owner: str | None  # who acts (a roster name), when one person does
    summary: str  # one line, with the numbers
    action: str  # reassign | descope | unblock | escalate
    step: str  # the concrete step: who does what to which item
    rule: str  # the rule that fired, in words
    score: float = 0.0  # how far past the threshold; orders risks of one severity
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["score"] = round(self.score, 2)
        return data


def _r(x: float) -> float:
    return round(x, 1)


def _owner(item: Item) -> str:
    return item.assignee or (OFF_ROSTER if item.off_roster else "unassigned")


def _severity(value: float, medium: float, high: float) -> str | None:
    if value > high:
        return HIGH
    if value > medium:
        return MEDIUM
    return None


# ------------------------------------------------------------------ items


def idle_days(item: Item, clock: Clock) -> float:
    return clock.working_time(item.updated)


def stale(items: Iterable[Item], clock: Clock, th: Thresholds, silent: set[str]) -> list[Risk]:
    risks = []
    for item in items:
        if item.status != IN_PROGRESS or item.blocked:  # a blocked item has its own rule
            continue
        idle = idle_days(item, clock)
        severity = _severity(idle, th.stale_days, th.stale_days_high)
        if severity is None:
            continue
        who = _owner(item)
        if item.assignee is None or item.assignee in silent:
            action = "reassign"
            why = "it has no owner on the team" if item.assignee is None else f"{who} is silent"
            step = f"reassign {item.key} to someone active: {why}"
        elif severity == HIGH:
            action, step = "escalate", f"raise {item.key} with the lead: {who} has had it idle"
        else:
            action, step = "unblock", f"ask {who} what {item.key} needs to move"
        risks.append(
            Risk(
                "stale",
                severity,
                item.key,
                item.assignee,
                f"{item.key} {item.title!r} in progress ({who}), no activity for "
                f"{_r(idle)} working days",
                action,
                step,
                f"in progress with no activity for more than {th.stale_days:g} working days "
                f"(HIGH above {th.stale_days_high:g})",
                idle / th.stale_days if th.stale_days else idle,
                {"idle_days": _r(idle), "owner": who},
            )
        )
    return risks


def blocked(items: Iterable[Item], clock: Clock, th: Thresholds) -> list[Risk]:
    risks = []
    for item in items:
        if not item.blocked or item.status == DONE:
            continue
        idle = idle_days(item, clock)
        high = idle > th.stale_days_high
        who = _owner(item)
        step = (
            f"escalate {item.key}: blocked and idle for {_r(idle)} working days"
            if high
            else f"clear the blocker on {item.key} with {who}"
        )
        risks.append(
            Risk(
                "blocked",
                HIGH if high else MEDIUM,
                item.key,
                item.assignee,
                f"{item.key} {item.title!r} is marked blocked ({who}), idle {_r(idle)} "
                "working days",
                "escalate" if high else "unblock",
                step,
                "marked blocked (HIGH when also idle more than "
                f"{th.stale_days_high:g} working days)",
                1.0 + idle / max(th.stale_days_high, 1.0),
                {"idle_days": _r(idle), "owner": who},
            )
        )
    return risks


def chains(items: Iterable[Item]) -> list[list[str]]:
    """Dependency chains among open items, upstream first: every maximal path of 2 or more."""
    open_items = {i.key: i for i in items if i.status != DONE}
    downstream: dict[str, list[str]] = {k: [] for k in open_items}
    for item in open_items.values():
        for up in item.blocked_by:
            if up in open_items and item.key not in downstream[up]:
                downstream[up].append(item.key)
    has_upstream = {d for ds in downstream.values() for d in ds}
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        nexts = [d for d in downstream[path[-1]] if d not in path]
        if not nexts:
            if len(path) > 1:
                found.append(path)
            return
        for d in nexts:
            walk([*path, d])

    roots = [k for k in open_items if k not in has_upstream] or list(open_items)[:1]
    for root in roots:
        walk([root])
    return found


def chain_risks(items: list[Item], clock: Clock, th: Thresholds) -> list[Risk]:
    """A stale or blocked item upstream of work in progress; handoff risk when owners differ."""
    by_key = {i.key: i for i in items}
    risks = []
    for down in items:
        if down.status not in ACTIVE:
            continue
        for key in down.blocked_by:
            up = by_key.get(key)
            if up is None or up.status == DONE:
                continue
            idle = idle_days(up, clock)
            is_stale = up.status == IN_PROGRESS and idle > th.stale_days
            if not (up.blocked or is_stale):
                continue
            handoff = up.assignee != down.assignee or up.assignee is None
            state = "blocked" if up.blocked else f"idle {_r(idle)} working days"
            risks.append(
                Risk(
                    "chain",
                    HIGH if handoff else MEDIUM,
                    down.key,
                    up.assignee,
                    f"{down.key} ({_owner(down)}, {down.status.replace('_', ' ')}) waits on "
                    f"{up.key} ({_owner(up)}), which is {state}"
                    + (": a handoff between two people" if handoff else ""),
                    "unblock",
                    f"unblock {up.key} ({_owner(up)}) first: {down.key} ({_owner(down)}) "
                    "waits on it",
                    "a stale or blocked item upstream of work in progress (HIGH when the "
                    "owners differ: handoff risk)",
                    1.0 + idle / max(th.stale_days, 1.0),
                    {"upstream": up.key, "downstream": down.key, "handoff": handoff},
                )
            )
    return risks


# ------------------------------------------------------------------ reviews


def review_loads(prs: Iterable[PullRequest]) -> dict[str, list[int]]:
    """Pending review requests per reviewer, on open non-draft PRs."""
    loads: dict[str, list[int]] = {}
    for pr in prs:
        if pr.draft:
            continue
        for name in pr.requested:
            loads.setdefault(name, []).append(pr.number)
    return loads


def _lightest(roster: Roster, loads: dict, exclude: set[str]) -> str | None:
    free = [n for n in roster.names if n not in exclude]
    return min(free, key=lambda n: (len(loads.get(n, [])), n)) if free else None


def wait_hours(pr: PullRequest, clock: Clock) -> float:
    return clock.working_time(pr.created) * 24


def review_risks(
    prs: list[PullRequest], roster: Roster, clock: Clock, th: Thresholds, silent: set[str]
) -> list[Risk]:
    loads = review_loads(prs)
    risks = []
    for pr in prs:
        if pr.draft:
            continue
        hours = wait_hours(pr, clock)
        author = pr.author or OFF_ROSTER
        severity = (
            None if pr.reviewed() else _severity(hours, th.review_hours, th.review_hours_high)
        )
        if severity is not None:
            busy = {n for n in pr.requested if len(loads.get(n, [])) >= th.reviewer_load}
            alt = _lightest(roster, loads, {pr.author or "", *pr.requested, *silent})
            asked = ", ".join(pr.requested) or "nobody"
            if alt and (busy or not pr.requested):
                step = f"ask {alt} to review {pr.key} (requested: {asked})"
            elif pr.requested:
                step = f"remind {asked} to review {pr.key}, or hand it to {alt or 'someone else'}"
            else:
                step = f"request a reviewer for {pr.key}"
            risks.append(
                Risk(
                    "review_wait",
                    severity,
                    pr.key,
                    pr.requested[0] if pr.requested else None,
                    f"{pr.key} {pr.title!r} by {author} has waited {_r(hours)} working hours "
                    f"for a first review (requested: {asked})",
                    "reassign",
                    step,
                    f"no review after more than {th.review_hours:g} working hours "
                    f"(HIGH above {th.review_hours_high:g})",
                    hours / th.review_hours if th.review_hours else hours,
                    {"wait_hours": _r(hours), "requested": list(pr.requested)},
                )
            )
        if pr.checks == "failing":
            late = hours > th.review_hours
            risks.append(
                Risk(
                    "red_checks",
                    MEDIUM if late else LOW,
                    pr.key,
                    pr.author,
                    f"{pr.key} {pr.title!r} by {author} has failing checks "
                    f"({_r(hours)} working hours old)",
                    "unblock",
                    f"{author} fixes the failing checks on {pr.key}",
                    f"failing checks (MEDIUM when the PR is older than {th.review_hours:g} "
                    "working hours)",
                    hours / th.review_hours if th.review_hours else 1.0,
                    {"age_hours": _r(hours)},
                )
            )
    for name, numbers in sorted(loads.items()):
        if len(numbers) < th.reviewer_load:
            continue
        alt = _lightest(roster, loads, {name, *silent})
        newest = max(numbers)
        risks.append(
            Risk(
                "reviewer_load",
                MEDIUM,
                name,
                name,
                f"{name} holds {len(numbers)} pending review requests "
                f"({', '.join(f'#{n}' for n in sorted(numbers))})",
                "reassign",
                f"move the review of PR #{newest} from {name} to {alt or 'another reviewer'}",
                f"one reviewer holding {th.reviewer_load} or more pending requests",
                len(numbers) / th.reviewer_load,
                {"prs": sorted(numbers)},
            )
        )
    return risks


# ------------------------------------------------------------------ capacity


def member_hours(
    member: Member, dates: list[date], hours_per_day: float, allocation: Allocation
) -> dict:
    """Feature hours one person has on these working dates (person-hours).

    present days × hours per day × feature share. A person who lists days off has them
    removed, and the vacation share is then not taken a second time: the feature share of
    the time they are present is feature / (100 − vacation).
    """
    present = [d for d in dates if d not in set(member.days_off)]
    hpd = member.hours_per_day if member.hours_per_day is not None else hours_per_day
    if member.days_off:
        share = allocation.feature / max(100.0 - allocation.vacation, 1.0)
    else:
        share = allocation.feature / 100.0
    return {
        "name": member.name,
        "days": len(present),
        "hours_per_day": hpd,
        "feature_share": round(share, 4),
        "hours": round(len(present) * hpd * share, 2),
    }


def available_hours(roster: Roster, dates: list[date], cap: Capacity) -> tuple[float, list]:
    rows = [member_hours(m, dates, cap.hours_per_day, cap.allocation) for m in roster.members]
    return round(sum(r["hours"] for r in rows), 2), rows


def velocity(history: Iterable[PastSprint], clock: Clock) -> float | None:
    """Points done per working day over the last 3 finished sprints."""
    recent = sorted(history, key=lambda s: s.end)[-VELOCITY_SPRINTS:]
    days = sum(len(clock.working_dates(s.start, s.end)) for s in recent)
    if not recent or days == 0:
        return None
    return sum(s.points_done for s in recent) / days


@dataclass(frozen=True)
class CapacityView:
    sprint_days: int  # working days in the sprint
    days_left: int  # working dates from today to the last day, today included
    items: dict  # counts: total, done, active, not_started
    points: dict  # total, done, remaining (story points); unestimated (open items)
    velocity: float | None  # points per working day, last 3 sprints
    forecast_points: float | None  # velocity × days_left
    available_hours: float  # person-hours of feature time left
    hours_per_point: float | None
    needed_hours: float | None  # remaining points × hours per point
    load: float | None  # needed ÷ available hours, or remaining ÷ forecast points
    load_basis: str  # hours | points | none
    people: list  # per person: days, hours per day, feature share, hours

    def to_dict(self) -> dict:
        return asdict(self)


def capacity(snapshot: Snapshot, roster: Roster, cap: Capacity, clock: Clock) -> CapacityView:
    sprint = snapshot.sprint
    items = snapshot.items
    sprint_days = len(clock.working_dates(sprint.start, sprint.end)) if sprint else 0
    dates = clock.working_dates(clock.today, sprint.end) if sprint else []
    hours, people = available_hours(roster, dates, cap)
    done = [i for i in items if i.status == DONE]
    open_items = [i for i in items if i.status != DONE]
    remaining = sum(i.points or 0 for i in open_items)
    vel = velocity(snapshot.history, clock)
    forecast = vel * len(dates) if vel is not None else None
    needed = remaining * cap.hours_per_point if cap.hours_per_point else None
    load, basis = None, "none"
    if needed is not None and hours > 0:
        load, basis = needed / hours, "hours"
    elif forecast:
        load, basis = remaining / forecast, "points"
    return CapacityView(
        sprint_days=sprint_days,
        days_left=len(dates),
        items={
            "total": len(items),
            "done": len(done),
            "active": sum(1 for i in items if i.status in ACTIVE),
            "not_started": sum(1 for i in items if i.status == TODO),
        },
        points={
            "total": sum(i.points or 0 for i in items),
            "done": sum(i.points or 0 for i in done),
            "remaining": remaining,
            "unestimated": sum(1 for i in open_items if i.points is None),
        },
        velocity=round(vel, 3) if vel is not None else None,
        forecast_points=round(forecast, 1) if forecast is not None else None,
        available_hours=hours,
        hours_per_point=cap.hours_per_point,
        needed_hours=round(needed, 1) if needed is not None else None,
        load=round(load, 3) if load is not None else None,
        load_basis=basis,
        people=people,
    )


def _descope_order(items: Iterable[Item]) -> list[Item]:
    """Not-started items, least important first: lowest priority, then last in rank."""
    todo = [i for i in items if i.status == TODO]
    return sorted(todo, key=lambda i: (-i.priority, -i.rank, i.key))


def capacity_risk(view: CapacityView, items: list[Item], th: Thresholds) -> list[Risk]:
    if view.load is None:
        return []
    severity = _severity(view.load, th.over_capacity, th.over_capacity_high)
    if severity is None:
        return []
    if view.load_basis == "hours":
        have, need, unit = view.available_hours, view.needed_hours or 0.0, "h"
        per_point = view.hours_per_point or 1.0
    else:
        have, need, unit = view.forecast_points or 0.0, view.points["remaining"], " points"
        per_point = 1.0
    cut, freed = [], 0.0
    for item in _descope_order(items):
        if need - freed <= have:
            break
        cut.append(item.key)
        freed += (item.points or 0) * per_point
    step = (
        f"move {', '.join(cut)} out of the sprint (frees {_r(freed)}{unit})"
        if cut
        else "agree with the stakeholders what will not make this sprint"
    )
    return [
        Risk(
            "capacity",
            severity,
            "sprint",
            None,
            f"needs {_r(need)}{unit}, has {_r(have)}{unit} in {view.days_left} working days "
            f"left (load {view.load:.2f})",
            "descope",
            step,
            f"needed ÷ available above {th.over_capacity:g} (HIGH above "
            f"{th.over_capacity_high:g}); basis: {view.load_basis}",
            view.load,
            {"load": view.load, "basis": view.load_basis, "descope": cut},
        )
    ]


def sprint_end(items: list[Item], view: CapacityView, th: Thresholds) -> list[Risk]:
    """Items not started when fewer than `sprint_end_days` working days follow today."""
    after_today = max(view.days_left - 1, 0)
    if not view.sprint_days or after_today >= th.sprint_end_days:
        return []
    return [
        Risk(
            "sprint_end",
            HIGH,
            item.key,
            item.assignee,
            f"{item.key} {item.title!r} ({_owner(item)}) is not started and the sprint ends in "
            f"{view.days_left} working day{'s' if view.days_left != 1 else ''} (today included)",
            "descope",
            f"move {item.key} out of the sprint, or start it today",
            f"not started with fewer than {th.sprint_end_days:g} working days after today",
            1.0 + (4 - item.priority) / 10,
            {"days_left": view.days_left},
        )
        for item in items
        if item.status == TODO
    ]


def wip(items: list[Item], roster: Roster, th: Thresholds) -> list[Risk]:
    active = [i for i in items if i.status in ACTIVE]
    limit = th.wip_per_person * len(roster.members)
    if not roster.members or len(active) <= limit:
        return []
    in_progress = [i for i in active if i.status == IN_PROGRESS]
    back = sorted(in_progress, key=lambda i: (-i.priority, -(i.started or i.created).timestamp()))
    excess = len(active) - int(limit)
    names = ", ".join(i.key for i in back[:excess]) or "the newest item"
    return [
        Risk(
            "wip",
            MEDIUM,
            "sprint",
            None,
            f"{len(active)} items in progress or review for {len(roster.members)} people "
            f"(limit {limit:g})",
            "descope",
            f"stop starting; put {names} back to not started until WIP is at most {limit:g}",
            f"work in progress above {th.wip_per_person:g} × team size",
            len(active) / limit if limit else 1.0,
            {"wip": len(active), "limit": limit},
        )
    ]


# ------------------------------------------------------------------ people


def last_seen(snapshot: Snapshot) -> dict[str, datetime]:
    seen: dict[str, datetime] = {}
    for event in snapshot.events:
        if event.person not in seen or event.time > seen[event.person]:
            seen[event.person] = event.time
    return seen


def silence(snapshot: Snapshot, roster: Roster, clock: Clock, th: Thresholds) -> list[Risk]:
    seen = last_seen(snapshot)
    since = clock.now - timedelta(days=th.lookback_days)
    risks = []
    for member in roster.members:
        if clock.today in member.days_off:
            continue
        last = seen.get(member.name)
        quiet = clock.working_time(last or since, off=member.days_off)
        if quiet < th.silent_days:
            continue
        held = [i.key for i in snapshot.items if i.assignee == member.name and i.status in ACTIVE]
        when = f"since {last:%Y-%m-%d}" if last else f"in the last {th.lookback_days} days"
        risks.append(
            Risk(
                "silence",
                MEDIUM if held else LOW,
                member.name,
                member.name,
                f"{member.name}: no commit, PR, review, comment or status change {when} "
                f"({_r(quiet)} working days)" + (f"; holds {', '.join(held)}" if held else ""),
                "reassign" if held else "escalate",
                (
                    f"check in with {member.name}; reassign {', '.join(held)} if they are away"
                    if held
                    else f"the lead checks in with {member.name}"
                ),
                f"no activity for {th.silent_days:g} working days or more "
                "(MEDIUM when they hold work in progress)",
                quiet / th.silent_days if th.silent_days else quiet,
                {"quiet_days": _r(quiet), "last_seen": last.isoformat() if last else None},
            )
        )
    return risks


# ------------------------------------------------------------------ all of it


def rank(risks: Iterable[Risk]) -> list[Risk]:
    order = {s: n for n, s in enumerate(SEVERITIES)}
    return sorted(
        risks, key=lambda r: (order[r.severity], -r.score, KINDS.index(r.kind), r.subject)
    )


@dataclass(frozen=True)
class Analysis:
    risks: list[Risk]
    chains: list[list[str]]
    capacity: CapacityView
    review_loads: dict[str, list[int]]
    silent: list[str]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.risks if r.severity == s) for s in SEVERITIES}

    def to_dict(self) -> dict:
        return {
            "risks": [r.to_dict() for r in self.risks],
            "counts": self.counts(),
            "chains": self.chains,
            "capacity": self.capacity.to_dict(),
            "review_loads": self.review_loads,
            "silent": self.silent,
        }


def analyse(snapshot: Snapshot, roster: Roster, cap: Capacity, th: Thresholds, clock: Clock):
    """Every signal on an attributed snapshot, ranked."""
    quiet = silence(snapshot, roster, clock, th)
    silent = {r.subject for r in quiet}
    items = list(snapshot.items)
    view = capacity(snapshot, roster, cap, clock)
    found = [
        *stale(items, clock, th, silent),
        *blocked(items, clock, th),
        *chain_risks(items, clock, th),
        *review_risks(list(snapshot.prs), roster, clock, th, silent),
        *sprint_end(items, view, th),
        *wip(items, roster, th),
        *capacity_risk(view, items, th),
        *quiet,
    ]
    return Analysis(
        risks=rank(found),
        chains=chains(items),
        capacity=view,
        review_loads=review_loads(snapshot.prs),
        silent=sorted(silent),
    )
