"""The five reports as plain data, from an attributed snapshot and its analysis. Pure.

standup: per-person evidence, the call to action, risks and discussion questions.
risk_scan: every ranked risk with the signals behind them.
sprint_plan: what to pull into the next sprint, by priority, readiness and capacity.
pr_queue: open pull requests as a board.
ask: the data that answers a question, chosen by rules (the model writes the sentence).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from ygs.errors import YgsError
from ygs.team import signals as sig
from ygs.team.config import Capacity
from ygs.team.model import (
    ACTIVE,
    DONE,
    IN_PROGRESS,
    OFF_ROSTER,
    TODO,
    Item,
    PullRequest,
    Roster,
    Snapshot,
    Sprint,
)

TOP_RISKS = 5
QUESTIONS = 3
SPLIT_AT, MUST_SPLIT_AT = 13, 21  # Fibonacci points: consider a split, must split


def sprint_info(snapshot: Snapshot, view: sig.CapacityView) -> dict | None:
    sprint = snapshot.sprint
    if sprint is None:
        return None
    return {
        "name": sprint.name,
        "id": sprint.id,
        "start": sprint.start.isoformat(),
        "end": sprint.end.isoformat(),
        "goal": sprint.goal,
        "working_days": view.sprint_days,
        "days_left": view.days_left,
        "items": view.items,
        "points": view.points,
    }


def _question(risk: sig.Risk) -> str:
    ev = risk.evidence
    who = risk.owner or "Who"
    by_kind = {
        "stale": f"{who}: what does {risk.subject} need to move again?",
        "blocked": f"Who can clear the blocker on {risk.subject} today?",
        "chain": f"{who}: when is {ev.get('upstream')} unblocked? {ev.get('downstream')} is "
        "waiting on it.",
        "review_wait": f"Who can review {risk.subject} today?",
        "reviewer_load": f"{risk.subject}: which of your reviews can someone else take?",
        "red_checks": f"{who}: what broke the checks on {risk.subject}?",
        "sprint_end": f"Do we drop {risk.subject} from this sprint, or who starts it today?",
        "wip": "Which item do we finish before anyone starts another?",
        "capacity": "Which items move out of the sprint: "
        f"{', '.join(ev.get('descope') or []) or 'which ones'}?",
        "silence": f"Is {risk.subject} away this week, and who covers their work?",
    }
    return by_kind[risk.kind]


def questions(risks: list[sig.Risk]) -> list[str]:
    seen: list[str] = []
    for risk in risks:
        q = _question(risk)
        if q not in seen:
            seen.append(q)
        if len(seen) == QUESTIONS:
            break
    return seen


def _common(snapshot: Snapshot, roster: Roster, analysis: sig.Analysis, clock) -> dict:
    return {
        "tracker": snapshot.tracker,
        "pr_source": snapshot.pr_source or None,
        "as_of": clock.now.isoformat(),
        "sprint": sprint_info(snapshot, analysis.capacity),
        "team": roster.names,
        "roster": "derived" if roster.derived else "configured",
        "notes": list(snapshot.notes),
    }


# ------------------------------------------------------------------ standup


def window_start(clock: sig.Clock) -> datetime:
    """Start of the previous working day: a Monday stand-up covers Friday and the weekend."""
    day = clock.today - timedelta(days=1)
    for _ in range(14):
        if clock.is_working(day):
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=clock.tz)


def pick_person(roster: Roster, wanted: str) -> str:
    name = roster.who(wanted.lstrip("@"))
    if name is None:
        raise YgsError(
            f"{wanted} is not on the team",
            remedy=f"one of: {', '.join(roster.names) or '(empty roster)'}; "
            "the roster is `team:` in .ygs/tracker.yml",
        )
    return name


def _person(name: str, snapshot: Snapshot, analysis: sig.Analysis, clock, since) -> dict:
    events = [e for e in snapshot.events if e.person == name and since <= e.time <= clock.now]
    mine = [i for i in snapshot.items if i.assignee == name]
    return {
        "name": name,
        "did": [
            {"kind": e.kind, "subject": e.subject, "detail": e.detail, "time": e.time.isoformat()}
            for e in sorted(events, key=lambda e: e.time)
        ],
        "commits": sum(1 for e in events if e.kind == "commit"),
        "doing": [
            {**i.summary(), "idle_days": round(sig.idle_days(i, clock), 1)}
            for i in mine
            if i.status in ACTIVE
        ],
        "next": [i.summary() for i in sorted(mine, key=_order) if i.status == TODO][:3],
        "reviews_waiting": sorted(
            pr.number for pr in snapshot.prs if name in pr.requested and not pr.draft
        ),
        "risks": [r.step for r in analysis.risks if r.owner == name],
        "silent": name in analysis.silent,
    }


def _order(item: Item) -> tuple:
    return (item.priority, item.rank, item.key)


def standup(snapshot, roster, analysis, clock, person: str | None = None) -> dict:
    since = window_start(clock)
    names = [pick_person(roster, person)] if person else roster.names
    risks = analysis.risks
    if person:
        risks = [r for r in risks if names[0] in (r.owner, r.subject)]
    top = risks[:TOP_RISKS]
    return {
        **_common(snapshot, roster, analysis, clock),
        "person": names[0] if person else None,
        "since": since.isoformat(),
        "people": [_person(n, snapshot, analysis, clock, since) for n in names],
        "call_to_action": top[0].step if top else "nothing at risk: keep going",
        "risks": [r.to_dict() for r in top],
        "more_risks": len(risks) - len(top),
        "counts": analysis.counts(),
        "questions": questions(top),
    }


# ------------------------------------------------------------------ risk-scan


def risk_scan(snapshot, roster, analysis, clock) -> dict:
    return {**_common(snapshot, roster, analysis, clock), **analysis.to_dict()}


# ------------------------------------------------------------------ pr-queue


def _latest_states(pr: PullRequest) -> dict[str, str]:
    states: dict[str, str] = {}
    for review in sorted(pr.reviews, key=lambda r: r.time):
        if review.reviewer != pr.author and review.state != "COMMENTED":
            states[review.reviewer] = review.state
        elif review.reviewer != pr.author:
            states.setdefault(review.reviewer, review.state)
    return states


def column(pr: PullRequest) -> str:
    if pr.draft:
        return "draft"
    states = _latest_states(pr)
    if "CHANGES_REQUESTED" in states.values():
        return "changes_requested"
    if "APPROVED" in states.values():
        return "approved"
    return "needs_review" if not states else "in_review"


COLUMNS = ("needs_review", "in_review", "changes_requested", "approved", "draft")


def card(pr: PullRequest, clock) -> dict:
    return {
        "number": pr.number,
        "title": pr.title,
        "author": pr.author or OFF_ROSTER,
        "age_hours": round(sig.wait_hours(pr, clock), 1),
        "requested": list(pr.requested),
        "reviews": _latest_states(pr),
        "checks": pr.checks,
        "items": list(pr.items),
        "size": {"additions": pr.additions, "deletions": pr.deletions},
        "url": pr.url,
    }


def pr_queue(snapshot, roster, analysis, clock) -> dict:
    board: dict[str, list] = {c: [] for c in COLUMNS}
    for pr in snapshot.prs:
        board[column(pr)].append(card(pr, clock))
    for cards in board.values():
        cards.sort(key=lambda c: -c["age_hours"])
    kinds = ("review_wait", "reviewer_load", "red_checks")
    risks = [r for r in analysis.risks if r.kind in kinds]
    return {
        **_common(snapshot, roster, analysis, clock),
        "board": board,
        "open": len(snapshot.prs),
        "review_loads": analysis.review_loads,
        "risks": [r.to_dict() for r in risks],
        "counts": {s: sum(1 for r in risks if r.severity == s) for s in sig.SEVERITIES},
    }


# ------------------------------------------------------------------ sprint-plan


def parse_budget(text: str) -> tuple[float, str]:
    """`--capacity`: a number with its unit, hours (`120h`) or story points (`30pt`)."""
    spoken = text.strip().lower()
    number = spoken.rstrip("abcdefghijklmnopqrstuvwxyz").strip()
    unit = spoken[len(number) :].strip() if number else ""
    if not _is_amount(number) or unit not in _BUDGET_UNITS:
        raise YgsError(
            f"--capacity {text!r}: give a number and its unit",
            remedy="e.g. --capacity 120h (person-hours) or --capacity 30pt (story points)",
        )
    return float(number), _BUDGET_UNITS[unit]


_BUDGET_UNITS = {"h": "hours", "hour": "hours", "hours": "hours"} | {
    u: "points" for u in ("pt", "pts", "point", "points")
}


def _is_amount(text: str) -> bool:
    """Digits with at most one decimal point: `120`, `7.5`."""
    whole, _, frac = text.partition(".")
    return whole.isdigit() and whole.isascii() and (not frac or (frac.isdigit() and frac.isascii()))


def _next_dates(snapshot: Snapshot, cap: Capacity, clock) -> tuple[Sprint | None, list[date]]:
    target = snapshot.next_sprint
    if target is not None:
        return target, clock.working_dates(target.start, target.end)
    first = (snapshot.sprint.end if snapshot.sprint else clock.today) + timedelta(days=1)
    dates = clock.working_dates(first, first + timedelta(days=cap.sprint_days * 3))
    return None, dates[: cap.sprint_days]


def _budget(snapshot, roster, cap, clock, dates, override) -> dict:
    if override is not None:
        value, unit = override
        if unit == "hours" and not cap.hours_per_point:
            raise YgsError(
                "--capacity in hours needs capacity.hours_per_point to cost items in points",
                path=".ygs/tracker.yml",
                remedy="set capacity.hours_per_point, or give --capacity in points (e.g. 30pt)",
            )
        return {"unit": unit, "budget": value, "source": "--capacity"}
    if cap.hours_per_point:
        hours, people = sig.available_hours(roster, dates, cap)
        return {"unit": "hours", "budget": hours, "source": "roster × allocation", "people": people}
    vel = sig.velocity(snapshot.history, clock)
    if vel is not None:
        return {"unit": "points", "budget": round(vel * len(dates), 1), "source": "velocity"}
    return {"unit": "points", "budget": None, "source": "none"}


def _design_missing(item: Item, design_labels: tuple[str, ...], refs: set[str]) -> bool:
    if not set(item.labels) & set(design_labels):
        return False
    text = f"{item.title}\n{item.body}"
    return not any(ref in text for ref in refs)


def _blockers(item: Item, known: dict[str, Item], chosen: set[str]) -> list[str]:
    waits = []
    for key in item.blocked_by:
        dep = known.get(key)
        if key in chosen or (dep is not None and dep.status == DONE):
            continue
        waits.append(key)
    return waits


def sprint_plan(
    snapshot: Snapshot,
    roster: Roster,
    analysis: sig.Analysis,
    clock,
    cap: Capacity,
    design_labels: tuple[str, ...],
    design_refs: set[str],
    override: tuple[float, str] | None = None,
) -> dict:
    target, dates = _next_dates(snapshot, cap, clock)
    budget = _budget(snapshot, roster, cap, clock, dates, override)
    per_point = cap.hours_per_point if budget["unit"] == "hours" else 1.0
    known = {i.key: i for i in (*snapshot.items, *snapshot.backlog)}
    carry = [i for i in snapshot.items if i.status != DONE]
    used = sum((i.points or 0) * per_point for i in carry)
    chosen = {i.key for i in carry}
    pulled, flagged, left = [], [], []
    for item in sorted(snapshot.backlog, key=_order):
        if item.status == DONE:
            continue
        reasons = []
        if item.blocked:
            reasons.append("marked blocked")
        waits = _blockers(item, known, chosen)
        if waits:
            reasons.append(f"waits on {', '.join(waits)} (not done, not planned)")
        if _design_missing(item, design_labels, design_refs):
            reasons.append("needs a design decision first (no ADR, TRD or design doc linked)")
        if item.points is None:
            reasons.append("needs an estimate")
        elif item.points >= MUST_SPLIT_AT:
            reasons.append(f"{item.points:g} points: split it first")
        if reasons:
            flagged.append({**item.summary(), "reasons": reasons})
            continue
        cost = (item.points or 0) * per_point
        if budget["budget"] is not None and used + cost > budget["budget"]:
            left.append({**item.summary(), "cost": cost, "reason": "does not fit the capacity"})
            continue
        used += cost
        chosen.add(item.key)
        flags = ["consider a split"] if (item.points or 0) >= SPLIT_AT else []
        if item.key in snapshot.planned:
            flags.append("already in the sprint")
        pulled.append({**item.summary(), "cost": cost, "total": round(used, 1), "flags": flags})
    return {
        **_common(snapshot, roster, analysis, clock),
        "target": _target(target, dates),
        **budget,
        "unit_note": "cost = points × hours per point"
        if budget["unit"] == "hours"
        else "cost = story points",
        "carry_over": [{**i.summary(), "cost": (i.points or 0) * per_point} for i in carry],
        "used": round(used, 1),
        "pulled": pulled,
        "flagged": flagged,
        "left_out": left,
        "to_apply": [p["key"] for p in pulled if p["key"] not in snapshot.planned],
    }


def _target(target: Sprint | None, dates: list[date]) -> dict:
    return {
        "name": target.name if target else "next sprint",
        "id": target.id if target else None,
        "start": dates[0].isoformat() if dates else None,
        "end": dates[-1].isoformat() if dates else None,
        "working_days": len(dates),
    }


# ------------------------------------------------------------------ ask

INTENTS = {
    "blocked": ("blocked", "blocking", "blocker", "stuck", "waiting on", "depends", "dependency"),
    "stale": ("stale", "idle", "not moving", "no progress", "stuck"),
    "reviews": ("review", "reviews", "pr", "prs", "pull request", "pull requests", "merge"),
    "capacity": (
        "capacity",
        "finish",
        "make it",
        "make the sprint",
        "on track",
        "on time",
        "deadline",
        "velocity",
        "behind",
        "late",
        "overcommitted",
    ),
    "silence": ("silent", "quiet", "away", "heard from", "absent"),
    "workload": ("working on", "assigned", "overloaded", "busy", "doing", "who has", "workload"),
    "risks": ("risk", "risks", "worry", "worried", "danger"),
}
_KEY = re.compile(r"(?<![\w-])(#\d{1,7}|[A-Z][A-Z0-9]{1,9}-\d{1,7})(?![\w-])")
_WORD = re.compile(r"[a-z0-9#@.'-]+")


def intents(question: str) -> list[str]:
    words = " " + " ".join(_WORD.findall(question.lower())) + " "
    return [name for name, phrases in INTENTS.items() if any(f" {p} " in words for p in phrases)]


def ask(snapshot, roster, analysis, clock, question: str) -> dict:
    """The data that answers the question, by rules; with one deterministic line each."""
    found = intents(question)
    keys = [k for k in dict.fromkeys(_KEY.findall(question)) if snapshot.item(k) is not None]
    words = set(_WORD.findall(question.lower()))
    named = {w.lstrip("@") for w in words}
    people = [
        m.name for m in roster.members if (m.identities() | {m.name.lower().split()[0]}) & named
    ]
    sections = [_ask_section(name, snapshot, analysis, clock) for name in found]
    sections += [_item_section(snapshot.item(k), snapshot, clock) for k in keys]
    sections += [_person_section(n, snapshot, analysis, clock) for n in people]
    if not sections:
        sections = [_ask_section("overview", snapshot, analysis, clock)]
    return {
        **_common(snapshot, roster, analysis, clock),
        "question": question,
        "intents": found or ["overview"],
        "items": keys,
        "people": people,
        "sections": sections,
        "counts": analysis.counts(),
    }


def _rows(items) -> list[dict]:
    return [
        {"key": i.key, "title": i.title, "owner": i.assignee or "—", "status": i.status}
        for i in items
    ]


def _ask_section(name: str, snapshot, analysis, clock) -> dict:
    risks = analysis.risks
    items = list(snapshot.items)
    if name == "blocked":
        waiting = {r.subject for r in risks if r.kind == "chain"}
        rows = _rows(i for i in items if i.blocked or i.key in waiting)
        line = f"blocked, or waiting on blocked or stale work: {len(rows)}"
    elif name == "stale":
        rows = [
            {**_rows([i])[0], "idle_days": round(sig.idle_days(i, clock), 1)}
            for i in items
            if i.status == IN_PROGRESS
        ]
        rows.sort(key=lambda r: -r["idle_days"])
        n = sum(1 for r in risks if r.kind == "stale")
        line = f"stale items in progress: {n}"
    elif name == "reviews":
        rows = [
            {k: c[k] for k in ("number", "title", "author", "age_hours", "requested", "checks")}
            for c in (card(p, clock) for p in snapshot.prs)
        ]
        rows.sort(key=lambda r: -r["age_hours"])
        waiting = sum(1 for p in snapshot.prs if not p.draft and not p.reviewed())
        line = f"open pull requests: {len(rows)}, without a review: {waiting}"
    elif name == "capacity":
        view = analysis.capacity
        rows = [view.to_dict()]
        line = (
            f"{view.points['remaining']:g} points left in {view.days_left} working days; load "
            f"{view.load:.2f} ({view.load_basis})"
            if view.load is not None
            else f"{view.points['remaining']:g} points left in {view.days_left} working days"
        )
    elif name == "silence":
        rows = [r.to_dict() for r in risks if r.kind == "silence"]
        line = f"silent: {', '.join(analysis.silent) or 'nobody'}"
    elif name == "workload":
        rows = [
            {
                "name": n,
                "active": [i.key for i in items if i.assignee == n and i.status in ACTIVE],
                "reviews_waiting": analysis.review_loads.get(n, []),
            }
            for n in sorted({i.assignee for i in items if i.assignee})
        ]
        line = "; ".join(f"{r['name']}: {len(r['active'])} active" for r in rows)
    elif name == "risks":
        rows = [r.to_dict() for r in risks[:TOP_RISKS]]
        c = analysis.counts()
        line = f"{c['HIGH']} HIGH, {c['MEDIUM']} MEDIUM, {c['LOW']} LOW risks"
    else:
        view = analysis.capacity
        rows = [r.to_dict() for r in risks[:TOP_RISKS]]
        line = (
            f"{view.items['done']} of {view.items['total']} items done, {view.days_left} "
            f"working days left, {len(risks)} risks"
        )
    return {"topic": name, "answer": line, "rows": rows}


def _item_section(item: Item, snapshot, clock) -> dict:
    prs = [p.number for p in snapshot.prs if item.key in p.items]
    row = {
        **item.summary(),
        "idle_days": round(sig.idle_days(item, clock), 1),
        "prs": prs,
    }
    state = item.status.replace("_", " ")
    line = f"{item.key} is {state}, owner {item.assignee or 'none'}"
    if item.blocked_by:
        line += f", waits on {', '.join(item.blocked_by)}"
    return {"topic": item.key, "answer": line, "rows": [row]}


def _person_section(name: str, snapshot, analysis, clock) -> dict:
    row = _person(name, snapshot, analysis, clock, clock.now - timedelta(days=7))
    line = (
        f"{name}: {len(row['doing'])} active, {len(row['reviews_waiting'])} reviews waiting, "
        f"{len(row['did'])} actions in the last 7 days"
    )
    return {"topic": name, "answer": line, "rows": [row]}
