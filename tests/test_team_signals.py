"""The pure half of the team commands: signals, ranking, capacity and the reports, on the
recorded sprint (tests/team_fakes.py), parsed by the GitHub and Jira parsers. No network, no
subprocess; the clock is passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from team_fakes import (
    BACKLOG,
    CONFIG,
    NEXT,
    NOW,
    SPRINT,
    github_recording,
    jira_data,
    jira_issue,
    t,
)

from ygs.errors import YgsError
from ygs.team import config as conf
from ygs.team import github as gh
from ygs.team import jira as jr
from ygs.team import reports
from ygs.team import signals as sig
from ygs.team.model import (
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    TODO,
    Item,
    Member,
    PastSprint,
    PullRequest,
    Review,
    Roster,
    Snapshot,
    Sprint,
    attribute,
)

CLOCK = sig.Clock(datetime.fromisoformat(NOW.replace("Z", "+00:00")))


def github_snapshot(cfg: conf.TrackerConfig) -> Snapshot:
    rec = github_recording()
    working = set(cfg.capacity.working_days)
    items, events = [], []
    for rank, node in enumerate(rec["sprint"]["14"]):
        item, found = gh.parse_issue(node, cfg.github, rank)
        items.append(item)
        events += found
    prs = [gh.parse_pull(n) for n in rec["pulls"]["open"]]
    events += gh.pull_events(rec["pulls"]["open"], rec["pulls"]["merged"])
    history = []
    for m in rec["milestones"]:
        if m["state"] == "closed":
            s = gh.sprint_of(m, 10, working)
            labels = [
                tuple(x["name"] for x in i["labels"])
                for i in rec["closed_issues"][str(m["number"])]
            ]
            done = sum(gh.points_of(lb, cfg.github.points_prefixes) or 0 for lb in labels)
            history.append(PastSprint(s.name, s.start, s.end, done, len(labels)))
    current, upcoming = gh.choose_milestones(rec["milestones"], "", CLOCK.today)
    planned = [gh.parse_issue(n, cfg.github, r)[0] for r, n in enumerate(rec["sprint"]["15"])]
    backlog = [gh.parse_issue(n, cfg.github, r + 1)[0] for r, n in enumerate(rec["backlog"])]
    return Snapshot(
        tracker="github",
        sprint=gh.sprint_of(current, 10, working),
        items=tuple(gh.link_pulls(items, prs)),
        prs=tuple(prs),
        events=tuple(events),
        history=tuple(history),
        backlog=tuple([*planned, *backlog]),
        next_sprint=gh.sprint_of(upcoming, 10, working),
        planned=tuple(i.key for i in planned),
        pr_source="github",
    )


def jira_snapshot(cfg: conf.TrackerConfig) -> Snapshot:
    data = jira_data()
    aliases: dict = {}
    items, events = [], []
    for rank, raw in enumerate(data["issues"]["414"]):
        item, found = jr.parse_issue(raw, cfg.jira, rank, aliases)
        items.append(item)
        events += found
    rec = github_recording()
    prs = [gh.parse_pull(n) for n in rec["pulls"]["open"]]
    events += gh.pull_events(rec["pulls"]["open"], rec["pulls"]["merged"])
    history = [
        PastSprint(s["name"], jr.parse_sprint(s).start, jr.parse_sprint(s).end, sum(s["points"]), 0)
        for s in data["closed"]
    ]
    planned = [
        jr.parse_issue(r, cfg.jira, n, aliases)[0] for n, r in enumerate(data["issues"]["415"])
    ]
    backlog = [
        jr.parse_issue(r, cfg.jira, n + 1, aliases)[0] for n, r in enumerate(data["backlog"])
    ]
    return Snapshot(
        tracker="jira",
        sprint=jr.parse_sprint(data["active"]),
        items=tuple(gh.link_pulls(items, prs, set_status=False)),
        prs=tuple(prs),
        events=tuple(events),
        history=tuple(history),
        backlog=tuple([*planned, *backlog]),
        next_sprint=jr.parse_sprint(data["future"]),
        planned=tuple(i.key for i in planned),
        pr_source="github",
        aliases=aliases,
    )


@pytest.fixture(params=["github", "jira"])
def team(request):
    cfg = conf.parse(CONFIG.format(tracker=request.param))
    build = github_snapshot if request.param == "github" else jira_snapshot
    roster = Roster(cfg.team)
    snapshot = attribute(build(cfg), roster)
    analysis = sig.analyse(snapshot, roster, cfg.capacity, cfg.thresholds, CLOCK)
    prefix = "#" if request.param == "github" else "PROJ-"
    return cfg, snapshot, roster, analysis, prefix


def by_kind(analysis, kind: str) -> list[sig.Risk]:
    return [r for r in analysis.risks if r.kind == kind]


def test_the_sprint_has_15_items_4_people_6_prs(team):
    _cfg, snapshot, roster, _analysis, k = team
    assert len(snapshot.items) == 15 and len(snapshot.prs) == 6
    assert roster.names == ["Ana", "Ben", "Carla", "Dev"]
    status = {i.key: i.status for i in snapshot.items}
    assert [key for key, s in status.items() if s == DONE] == [f"{k}101", f"{k}110", f"{k}114"]
    assert [key for key, s in status.items() if s == TODO] == [f"{k}105", f"{k}111", f"{k}112"]
    assert status[f"{k}102"] == status[f"{k}113"] == IN_REVIEW
    assert status[f"{k}103"] == status[f"{k}106"] == IN_PROGRESS


def test_people_off_the_roster_are_never_named(team):
    _, snapshot, _, analysis, k = team
    cleanup = snapshot.item(f"{k}115")
    assert cleanup.assignee is None and cleanup.off_roster
    assert next(p for p in snapshot.prs if p.number == 206).author is None
    assert all(e.person in {"Ana", "Ben", "Carla", "Dev"} for e in snapshot.events)
    text = repr(analysis.to_dict())
    for name in ("Zed", "zed-contractor", "acc-zed"):
        assert name not in text


def test_stale_work_by_working_days(team):
    _, _, _, analysis, k = team
    stale = {r.subject: r for r in by_kind(analysis, "stale")}
    assert set(stale) == {f"{k}103", f"{k}106"}
    # Wed 5 Mar 10:00 → Thu 13 Mar 10:00 is 8 calendar days but 6 working days
    assert stale[f"{k}103"].evidence["idle_days"] == 6.0
    assert (stale[f"{k}103"].severity, stale[f"{k}103"].action) == ("HIGH", "escalate")
    # Fri 7 Mar 09:00 → 4.0 working days; its owner is silent, so the action is reassign
    assert stale[f"{k}106"].evidence["idle_days"] == 4.0
    assert (stale[f"{k}106"].severity, stale[f"{k}106"].action) == ("MEDIUM", "reassign")


def test_two_dependency_chains_and_handoff_risk(team):
    _, _, _, analysis, k = team
    assert analysis.chains == [[f"{k}103", f"{k}104", f"{k}105"], [f"{k}107", f"{k}108"]]
    chain = {r.subject: r for r in by_kind(analysis, "chain")}
    assert set(chain) == {f"{k}104", f"{k}108"}
    first = chain[f"{k}104"]
    assert first.severity == "HIGH" and first.action == "unblock" and first.owner == "Carla"
    assert first.evidence == {"upstream": f"{k}103", "downstream": f"{k}104", "handoff": True}
    assert "blocked" in chain[f"{k}108"].summary  # upstream #107 carries the blocked label


def test_blocked_item(team):
    _, _, _, analysis, k = team
    [risk] = by_kind(analysis, "blocked")
    assert (risk.subject, risk.severity, risk.action) == (f"{k}107", "MEDIUM", "unblock")
    assert risk.evidence["idle_days"] == 2.8  # Mon 10 Mar 15:00 → Thu 10:00


def test_review_bottlenecks(team):
    _, _, _, analysis, _ = team
    waits = {r.subject: r for r in by_kind(analysis, "review_wait")}
    assert {s: (r.severity, r.evidence["wait_hours"]) for s, r in waits.items()} == {
        "PR #203": ("HIGH", 120.0),
        "PR #202": ("MEDIUM", 73.0),
        "PR #206": ("MEDIUM", 50.0),
    }
    assert all(r.action == "reassign" for r in waits.values())
    # Ana holds four requests; the review goes to the lightest active reviewer, not Dev
    assert "ask Carla to review PR #203" in waits["PR #203"].step
    [load] = by_kind(analysis, "reviewer_load")
    assert load.subject == "Ana" and load.evidence["prs"] == [201, 202, 203, 206]
    [red] = by_kind(analysis, "red_checks")
    assert (red.subject, red.severity, red.action, red.owner) == (
        "PR #205",
        "MEDIUM",
        "unblock",
        "Carla",
    )
    assert analysis.review_loads == {"Ana": [201, 202, 203, 206]}


def test_silence_finds_the_one_silent_person(team):
    _, _, _, analysis, k = team
    assert analysis.silent == ["Dev"]
    [risk] = by_kind(analysis, "silence")
    assert risk.severity == "MEDIUM" and risk.action == "reassign"
    assert risk.evidence["quiet_days"] == 4.0 and f"{k}106" in risk.step


def test_sprint_end_wip_and_capacity_arithmetic(team):
    _, _, _, analysis, k = team
    ends = by_kind(analysis, "sprint_end")
    assert sorted(r.subject for r in ends) == [f"{k}105", f"{k}111", f"{k}112"]
    assert {r.severity for r in ends} == {"HIGH"} and {r.action for r in ends} == {"descope"}
    [wip] = by_kind(analysis, "wip")
    assert wip.evidence == {"wip": 9, "limit": 8.0} and wip.severity == "MEDIUM"
    view = analysis.capacity
    assert (view.sprint_days, view.days_left) == (10, 2)
    assert view.items == {"total": 15, "done": 3, "active": 9, "not_started": 3}
    assert view.points == {"total": 50, "done": 8, "remaining": 42, "unestimated": 0}
    # 2 days × 6 h × 60 % for Ana, Ben and Dev; Carla is off Friday and lists her days off,
    # so the vacation share is not taken twice: 1 day × 6 h × 60/90
    hours = {p["name"]: p["hours"] for p in view.people}
    assert hours == {"Ana": 7.2, "Ben": 7.2, "Carla": 4.0, "Dev": 7.2}
    assert view.available_hours == 25.6
    assert view.needed_hours == 84.0  # 42 points × 2 h per point
    assert view.load == round(84 / 25.6, 3) and view.load_basis == "hours"
    assert view.velocity == 2.2 and view.forecast_points == 4.4  # (20+24+22) / 30 days
    [cap] = by_kind(analysis, "capacity")
    assert cap.severity == "HIGH" and cap.action == "descope"
    assert cap.evidence["descope"] == [f"{k}112", f"{k}111", f"{k}105"]


def test_ranking_is_severity_then_distance_past_the_threshold(team):
    _, _, _, analysis, k = team
    assert analysis.counts() == {"HIGH": 8, "MEDIUM": 8, "LOW": 0}
    order = [(r.severity, r.kind, r.subject) for r in analysis.risks]
    assert order[:5] == [
        ("HIGH", "capacity", "sprint"),
        ("HIGH", "chain", f"{k}104"),
        ("HIGH", "review_wait", "PR #203"),
        ("HIGH", "stale", f"{k}103"),
        ("HIGH", "chain", f"{k}108"),
    ]
    assert all(r.action in sig.ACTIONS for r in analysis.risks)
    severities = [r.severity for r in analysis.risks]
    assert severities == sorted(severities, key=sig.SEVERITIES.index)


def test_standup_report(team):
    _, snapshot, roster, analysis, k = team
    data = reports.standup(snapshot, roster, analysis, CLOCK)
    people = {p["name"]: p for p in data["people"]}
    assert data["since"].startswith("2025-03-12T00:00")
    assert [e["kind"] for e in people["Ben"]["did"]] == [
        "pr_opened",
        "comment",
    ]  # + git, in the CLI
    assert people["Dev"]["did"] == [] and people["Dev"]["silent"]
    assert [i["key"] for i in people["Carla"]["doing"]] == [f"{k}103", f"{k}107"]
    assert people["Ana"]["reviews_waiting"] == [201, 202, 203, 206]
    assert data["call_to_action"] == analysis.risks[0].step
    assert len(data["risks"]) == 5 and data["more_risks"] == 11
    assert data["questions"][0].startswith("Which items move out of the sprint")
    carla = reports.standup(snapshot, roster, analysis, CLOCK, person="@carla-s")
    assert carla["person"] == "Carla" and [p["name"] for p in carla["people"]] == ["Carla"]
    with pytest.raises(YgsError, match="not on the team"):
        reports.standup(snapshot, roster, analysis, CLOCK, person="zed-contractor")


def test_pr_queue_board(team):
    _, snapshot, roster, analysis, _ = team
    data = reports.pr_queue(snapshot, roster, analysis, CLOCK)
    board = {c: [x["number"] for x in cards] for c, cards in data["board"].items()}
    assert board == {
        "needs_review": [203, 202, 206, 201],
        "in_review": [],
        "changes_requested": [],
        "approved": [205],
        "draft": [204],
    }
    assert data["board"]["needs_review"][2]["author"] == "(not on the team)"


def test_sprint_plan_by_priority_readiness_and_capacity(team):
    cfg, snapshot, roster, analysis, k = team
    data = reports.sprint_plan(
        snapshot, roster, analysis, CLOCK, cfg.capacity, cfg.design_labels, {"ADR-0001"}
    )
    assert data["target"] == {
        "name": "Sprint 15",
        "id": data["target"]["id"],
        "start": "2025-03-17",
        "end": "2025-03-28",
        "working_days": 10,
    }
    # 10 days × 6 h: 60 % for three people, 60/90 for Carla who lists her days off
    assert (data["unit"], data["budget"]) == ("hours", 148.0)
    assert sum(i["cost"] for i in data["carry_over"]) == 84.0  # 42 open points carried over
    pulled = [(p["key"], p["total"], p["flags"]) for p in data["pulled"]]
    assert pulled == [
        (f"{k}121", 94.0, []),
        (f"{k}120", 100.0, ["already in the sprint"]),
        (f"{k}123", 110.0, []),  # needs design, and ADR-0001 is linked
        (f"{k}127", 136.0, ["consider a split"]),
        (f"{k}128", 140.0, []),  # waits on #121, which is pulled first
    ]
    reasons = {f["key"]: f["reasons"] for f in data["flagged"]}
    assert set(reasons) == {f"{k}122", f"{k}124", f"{k}125", f"{k}126"}
    assert "design decision" in reasons[f"{k}122"][0]
    assert reasons[f"{k}124"] == [f"waits on {k}130 (not done, not planned)"]
    assert reasons[f"{k}125"] == ["21 points: split it first"]
    assert reasons[f"{k}126"] == ["needs an estimate"]
    assert [(x["key"], x["cost"]) for x in data["left_out"]] == [(f"{k}129", 10.0)]
    assert data["to_apply"] == [f"{k}121", f"{k}123", f"{k}127", f"{k}128"]
    points = reports.sprint_plan(
        snapshot, roster, analysis, CLOCK, cfg.capacity, (), set(), override=(100.0, "points")
    )
    assert points["unit"] == "points" and points["used"] == 42 + 5 + 3 + 8 + 5 + 13 + 2 + 5


def test_ask_picks_the_data_by_topic_key_and_person(team):
    _, snapshot, roster, analysis, k = team
    data = reports.ask(
        snapshot, roster, analysis, CLOCK, f"What is blocked, and what about {k}104? Is dev away?"
    )
    assert data["intents"] == ["blocked", "silence"]
    assert data["items"] == [f"{k}104"] and data["people"] == ["Dev"]
    topics = [s["topic"] for s in data["sections"]]
    assert topics == ["blocked", "silence", f"{k}104", "Dev"]
    blocked = data["sections"][0]
    assert sorted(r["key"] for r in blocked["rows"]) == [f"{k}104", f"{k}107", f"{k}108"]
    sprint = reports.ask(snapshot, roster, analysis, CLOCK, "Will we make the sprint?")
    assert sprint["intents"] == ["capacity"]
    assert sprint["sections"][0]["answer"] == (
        "42 points left in 2 working days; load 3.28 (hours)"
    )
    fallback = reports.ask(snapshot, roster, analysis, CLOCK, "hello?")
    assert fallback["intents"] == ["overview"]


# ------------------------------------------------------------------ units


def test_working_time_skips_weekends_and_days_off():
    clock = sig.Clock(t(10, 12))  # Monday noon
    assert clock.working_time(t(7, 12)) == 1.0  # Friday noon → Monday noon: one working day
    assert clock.working_time(t(7, 12), off=[date(2025, 3, 7)]) == 0.5
    assert clock.working_time(t(10, 18)) == 0.0  # the future
    sunday = sig.Clock(t(9, 12), working_days=frozenset({6}))
    assert sunday.days_left(date(2025, 3, 23)) == 3


def test_member_hours_never_count_vacation_twice():
    alloc = conf.Allocation(feature=50, ktlo=25, on_call=10, vacation=10, meetings=5)
    days = [date(2025, 3, d) for d in (10, 11, 12, 13, 14)]
    plain = sig.member_hours(Member("A"), days, 8, alloc)
    assert plain["hours"] == 5 * 8 * 0.5
    away = sig.member_hours(Member("B", days_off=(date(2025, 3, 14),)), days, 8, alloc)
    assert away["days"] == 4 and away["hours"] == round(4 * 8 * 50 / 90, 2)
    custom = sig.member_hours(Member("C", hours_per_day=4), days, 8, alloc)
    assert custom["hours"] == 10.0


def test_allocation_is_never_100_percent_feature():
    assert conf.Allocation().problems() == []
    assert "never 100" in conf.Allocation(100, 0, 0, 0, 0).problems()[0]
    assert "add up to 90" in conf.Allocation(50, 20, 5, 10, 5).problems()[0]


def test_chains_survive_a_cycle():
    now = t(10)
    items = [
        Item("A", "a", IN_PROGRESS, now, now, blocked_by=("B",)),
        Item("B", "b", IN_PROGRESS, now, now, blocked_by=("A",)),
    ]
    assert sig.chains(items) == [["A", "B"]]


def test_velocity_uses_the_last_three_sprints():
    clock = sig.Clock(t(13))
    sprints = [
        PastSprint("s1", date(2025, 1, 6), date(2025, 1, 17), 100, 0),
        PastSprint("s2", date(2025, 1, 20), date(2025, 1, 31), 10, 0),
        PastSprint("s3", date(2025, 2, 3), date(2025, 2, 14), 20, 0),
        PastSprint("s4", date(2025, 2, 17), date(2025, 2, 28), 30, 0),
    ]
    assert sig.velocity(sprints, clock) == 2.0
    assert sig.velocity([], clock) is None


def test_review_risk_respects_reviews_by_others_only():
    created = t(6, 10)
    own = PullRequest(1, "x", "Ana", created, created, reviews=(Review("Ana", "COMMENTED", t(7)),))
    other = PullRequest(
        2, "y", "Ana", created, created, reviews=(Review("Ben", "COMMENTED", t(7)),)
    )
    roster = Roster((Member("Ana"), Member("Ben")))
    risks = sig.review_risks([own, other], roster, sig.Clock(t(13, 10)), conf.Thresholds(), set())
    assert [r.subject for r in risks] == ["PR #1"]


def test_capacity_without_estimates_falls_back_to_points_or_nothing():
    now = t(13, 10)
    sprint = Sprint("s", date(2025, 3, 3), date(2025, 3, 14))
    items = (Item("A", "a", TODO, now, now, points=8),)
    history = (PastSprint("p", date(2025, 2, 17), date(2025, 2, 28), 10, 5),)
    snap = Snapshot("github", sprint, items, history=history)
    view = sig.capacity(snap, Roster((Member("A"),)), conf.Capacity(), sig.Clock(now))
    assert view.load_basis == "points" and view.load == round(8 / (1.0 * 2), 3)
    bare = sig.capacity(
        Snapshot("github", sprint, items), Roster(), conf.Capacity(), sig.Clock(now)
    )
    assert bare.load is None and sig.capacity_risk(bare, list(items), conf.Thresholds()) == []


def test_parse_budget_needs_a_unit():
    assert reports.parse_budget("120h") == (120.0, "hours")
    assert reports.parse_budget(" 30 pt ") == (30.0, "points")
    with pytest.raises(YgsError, match="its unit"):
        reports.parse_budget("30")


def test_github_parsers_read_dependencies_priority_and_points():
    cfg = conf.Github()
    assert gh.depends_on("Blocked by #12 and #13.\nDepends on #14") == ["#12", "#13", "#14"]
    assert gh.priority_of(("p3", "priority: p1")) == 1 and gh.priority_of(()) == 2
    assert gh.points_of(("points:5",), cfg.points_prefixes) == 5.0
    node = github_recording()["sprint"]["14"][3]  # #104: blockedBy and a body mention
    item, _ = gh.parse_issue(node, cfg, 0)
    assert item.blocked_by == ("#103",) and item.status == IN_PROGRESS
    assert item.started == t(10, 9)


def test_jira_parser_reads_links_history_and_ignores_rank_noise():
    cfg = conf.Jira()
    aliases: dict = {}
    item, events = jr.parse_issue(jira_issue(SPRINT[3]), cfg, 0, aliases)
    assert item.key == "PROJ-104" and item.blocked_by == ("PROJ-103",)
    assert item.updated == t(12, 14)  # the comment, not the rank change at 08:00 today
    assert {e.kind for e in events} == {"status", "comment"}
    assert aliases["acc-ben"] == ("Ben Kim", "ben@example.com")
    assert "Repro" in item.body  # ADF description flattened to text
    assert jr._time("2025-03-05T10:00:00.000+0000") == datetime(2025, 3, 5, 10, tzinfo=UTC)


def test_milestone_sprints_and_choice():
    rec = github_recording()
    current, upcoming = gh.choose_milestones(rec["milestones"], "", date(2025, 3, 13))
    assert (current["title"], upcoming["title"]) == ("Sprint 14", "Sprint 15")
    sprint = gh.sprint_of(current, 10, {0, 1, 2, 3, 4})
    assert (sprint.start, sprint.end) == (date(2025, 3, 3), date(2025, 3, 14))
    with pytest.raises(YgsError, match="no milestone titled"):
        gh.choose_milestones(rec["milestones"], "Sprint 99", date(2025, 3, 13))
    with pytest.raises(YgsError, match="no open milestone"):
        gh.choose_milestones([], "", date(2025, 3, 13))


def test_not_started_rule_waits_for_the_last_two_days():
    cfg = conf.parse(CONFIG.format(tracker="github"))
    snapshot = github_snapshot(cfg)
    roster = Roster(cfg.team)
    monday = sig.Clock(t(10, 10))
    early = sig.analyse(attribute(snapshot, roster), roster, cfg.capacity, cfg.thresholds, monday)
    assert [r for r in early.risks if r.kind == "sprint_end"] == []
    assert early.capacity.days_left == 5


def test_scenario_data_is_what_the_docstring_says():
    assert len(SPRINT) == 15 and len(NEXT) == 1 and len(BACKLOG) == 9
    assert CLOCK.now - timedelta(days=8) == t(5, 10)


def test_an_empty_sprint_is_quiet_not_broken():
    cfg = conf.parse(CONFIG.format(tracker="github"))
    roster = Roster(cfg.team)
    sprint = Sprint("s", date(2025, 3, 3), date(2025, 3, 14))
    for snapshot in (Snapshot("github", None), Snapshot("github", sprint)):
        analysis = sig.analyse(snapshot, roster, cfg.capacity, cfg.thresholds, CLOCK)
        assert {r.kind for r in analysis.risks} <= {"silence"}  # nobody did anything
        assert analysis.chains == [] and not analysis.capacity.load  # nothing needed
        data = reports.risk_scan(snapshot, roster, analysis, CLOCK)
        assert data["counts"]["HIGH"] == 0
