"""Reports as text, markdown or Slack mrkdwn. Pure.

Each report becomes a document (sections of lines and tables); three small renderers turn
it into terminal text, GitHub-flavoured markdown or Slack's mrkdwn (no tables there: rows
become bullets). Item and PR keys become links where the data has a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMATS = ("text", "markdown", "slack", "json")


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None


@dataclass
class Document:
    title: str
    sections: list[Section]
    links: dict[str, str] = field(default_factory=dict)  # "#103" / "PR #7" → URL
    footer: str = ""


# ------------------------------------------------------------------ renderers


def render(doc: Document, fmt: str) -> str:
    return {"text": _text, "markdown": _markdown, "slack": _slack}[fmt](doc)


def _text(doc: Document) -> str:
    out = [doc.title, "=" * len(doc.title)]
    for s in doc.sections:
        out += ["", s.title, "-" * len(s.title)]
        out += [f"  {line}" for line in s.lines]
        if s.table:
            out += _aligned(*s.table)
    if doc.footer:
        out += ["", doc.footer]
    return "\n".join(out) + "\n"


def _aligned(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]
    fmt = "  " + "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*headers).rstrip(), *(fmt.format(*map(str, r)).rstrip() for r in rows)]


def _link_pattern(links: dict[str, str]) -> re.Pattern | None:
    if not links:
        return None
    keys = sorted(links, key=len, reverse=True)
    return re.compile(r"(?<![\w#-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")


def _linked(text: str, pattern: re.Pattern | None, links: dict, wrap) -> str:
    if pattern is None:
        return text
    return pattern.sub(lambda m: wrap(m.group(1), links[m.group(1)]), text)


def _markdown(doc: Document) -> str:
    pattern = _link_pattern(doc.links)

    def md(text: str) -> str:
        return _linked(text, pattern, doc.links, lambda t, u: f"[{t}]({u})")

    out = [f"# {doc.title}"]
    for s in doc.sections:
        out += ["", f"## {s.title}", ""]
        out += [f"- {md(line)}" for line in s.lines]
        if s.table:
            headers, rows = s.table
            if s.lines:
                out.append("")
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(md(_cell(c)) for c in r) + " |" for r in rows]
    if doc.footer:
        out += ["", f"_{doc.footer}_"]
    return "\n".join(out) + "\n"


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack(doc: Document) -> str:
    pattern = _link_pattern(doc.links)

    def sl(text: str) -> str:
        return _linked(slack_escape(text), pattern, doc.links, lambda t, u: f"<{u}|{t}>")

    out = [f"*{slack_escape(doc.title)}*"]
    for s in doc.sections:
        out += ["", f"*{slack_escape(s.title)}*"]
        out += [f"• {sl(line)}" for line in s.lines]
        if s.table:
            headers, rows = s.table
            out += [
                "• "
                + " · ".join(
                    sl(f"{h}: {c}" if n else str(c))
                    for n, (h, c) in enumerate(zip(headers, r, strict=False))
                    if str(c) not in ("", "—")
                )
                for r in rows
            ]
    if doc.footer:
        out += ["", f"_{slack_escape(doc.footer)}_"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ documents


def _risk_lines(risks: list[dict]) -> list[str]:
    return [f"{r['severity']} {r['summary']} → {r['action']}: {r['step']}" for r in risks]


def _sprint_line(data: dict) -> str:
    s = data.get("sprint")
    if not s:
        return "no active sprint"
    items, points = s["items"], s["points"]
    return (
        f"{s['name']} ends {s['end']}: {s['days_left']} of {s['working_days']} working days "
        f"left; {items['done']} of {items['total']} items done; {points['done']:g} of "
        f"{points['total']:g} points done"
    )


def _narrative(data: dict) -> Section:
    story = data.get("narrative") or {}
    lines = [p for p in str(story.get("text", "")).split("\n") if p.strip()]
    if story.get("note"):
        lines.append(f"({story['note']})")
    return Section("Summary", lines)


def _footer(data: dict) -> str:
    extra = "; ".join(data.get("notes") or [])
    base = f"ygs · {data.get('tracker')} · as of {data.get('as_of', '')[:16].replace('T', ' ')}"
    if data.get("roster") == "derived":
        base += " · no team roster: everyone seen is shown"
    return f"{base}{' · ' + extra if extra else ''}"


def links(data: dict) -> dict[str, str]:
    return dict(data.get("links") or {})


DID = {
    "commit": "committed",
    "pr_opened": "opened",
    "pr_merged": "merged",
    "review": "reviewed",
    "comment": "commented on",
    "status": "moved",
    "closed": "closed",
    "change": "updated",
}


def standup_doc(data: dict) -> Document:
    who = f" for {data['person']}" if data.get("person") else ""
    sections = [_narrative(data), Section("Sprint", [_sprint_line(data)])]
    sections.append(Section("Call to action", [data["call_to_action"]]))
    for p in data["people"]:
        lines = []
        did = p["did"]
        if did:
            kinds: dict[str, list[str]] = {}
            for e in did:
                shown = (
                    f"“{e['detail']}”" if e["kind"] == "commit" and e["detail"] else e["subject"]
                )
                kinds.setdefault(DID.get(e["kind"], e["kind"]), []).append(shown)
            lines.append(
                "did: " + "; ".join(f"{k} {', '.join(dict.fromkeys(v))}" for k, v in kinds.items())
            )
        else:
            lines.append("did: nothing recorded since the last working day")
        for i in p["doing"]:
            lines.append(
                f"doing: {i['key']} {i['title']} ({i['status'].replace('_', ' ')}, idle "
                f"{i['idle_days']} working days)"
            )
        if p["next"]:
            lines.append("next: " + ", ".join(f"{i['key']} {i['title']}" for i in p["next"]))
        if p["reviews_waiting"]:
            lines.append("reviews waiting: " + ", ".join(f"PR #{n}" for n in p["reviews_waiting"]))
        lines += [f"risk: {r}" for r in p["risks"]]
        title = p["name"] + (" (silent)" if p["silent"] else "")
        sections.append(Section(title, lines))
    risk_lines = _risk_lines(data["risks"]) or ["none"]
    if data.get("more_risks"):
        risk_lines.append(f"… and {data['more_risks']} more (`ygs risk-scan`)")
    sections.append(Section("Risks", risk_lines))
    sections.append(Section("For discussion", data["questions"] or ["none"]))
    return Document(f"Stand-up{who} · {data['as_of'][:10]}", sections, links(data), _footer(data))


def risk_doc(data: dict) -> Document:
    c = data["counts"]
    sections = [
        _narrative(data),
        Section("Sprint", [_sprint_line(data)]),
        Section(
            f"Risks: {c['HIGH']} HIGH, {c['MEDIUM']} MEDIUM, {c['LOW']} LOW",
            [] if data["risks"] else ["none: nothing passed a threshold"],
            (
                ["severity", "risk", "action", "step"],
                [[r["severity"], r["summary"], r["action"], r["step"]] for r in data["risks"]],
            )
            if data["risks"]
            else None,
        ),
    ]
    if data["chains"]:
        sections.append(Section("Dependency chains", [" → ".join(ch) for ch in data["chains"]]))
    sections.append(Section("Capacity", capacity_lines(data["capacity"])))
    return Document(f"Risk scan · {data['as_of'][:10]}", sections, links(data), _footer(data))


def capacity_lines(view: dict) -> list[str]:
    lines = [
        f"{view['days_left']} working days left of {view['sprint_days']} (today included)",
        f"items: {view['items']['done']} done, {view['items']['active']} active, "
        f"{view['items']['not_started']} not started, {view['items']['total']} in all",
        f"points: {view['points']['remaining']:g} remaining of {view['points']['total']:g}; "
        f"{view['points']['unestimated']} open items without an estimate",
        f"available: {view['available_hours']:g} person-hours of feature time "
        "(present days × hours per day × feature share)",
    ]
    if view["velocity"] is not None:
        lines.append(
            f"velocity: {view['velocity']:g} points per working day (last 3 sprints); "
            f"forecast {view['forecast_points']:g} points in the days left"
        )
    if view["needed_hours"] is not None:
        lines.append(
            f"needed: {view['needed_hours']:g} h ({view['points']['remaining']:g} points × "
            f"{view['hours_per_point']:g} h per point)"
        )
    if view["load"] is not None:
        lines.append(f"load: {view['load']:.2f} (needed ÷ available, in {view['load_basis']})")
    return lines


def pr_doc(data: dict) -> Document:
    titles = {
        "needs_review": "Needs review",
        "in_review": "In review (comments only)",
        "changes_requested": "Changes requested",
        "approved": "Approved",
        "draft": "Draft",
    }
    sections = [_narrative(data)]
    for name, cards in data["board"].items():
        if not cards:
            continue
        rows = [
            [
                f"PR #{c['number']}",
                c["title"],
                c["author"],
                f"{c['age_hours']:g} h",
                ", ".join(c["requested"]) or "—",
                c["checks"],
                f"+{c['size']['additions']}/-{c['size']['deletions']}",
            ]
            for c in cards
        ]
        headers = ["PR", "title", "author", "age (working h)", "waiting for", "checks", "size"]
        sections.append(Section(f"{titles[name]} ({len(cards)})", [], (headers, rows)))
    loads = data["review_loads"]
    if loads:
        sections.append(
            Section(
                "Review load",
                [
                    f"{n}: {len(v)} pending ({', '.join(f'PR #{x}' for x in v)})"
                    for n, v in sorted(loads.items())
                ],
            )
        )
    sections.append(Section("Risks", _risk_lines(data["risks"]) or ["none"]))
    return Document(
        f"PR queue · {data['open']} open · {data['as_of'][:10]}",
        sections,
        links(data),
        _footer(data),
    )


def plan_doc(data: dict) -> Document:
    unit = "h" if data["unit"] == "hours" else " pt"
    t = data["target"]
    budget = "unknown" if data["budget"] is None else f"{data['budget']:g}{unit}"
    sections = [
        _narrative(data),
        Section(
            "Capacity",
            [
                f"{t['name']}: {t['working_days']} working days"
                + (f", {t['start']} to {t['end']}" if t["start"] else ""),
                f"budget: {budget} ({data['source']}); {data['unit_note']}",
                f"carry-over: {len(data['carry_over'])} open items "
                f"({sum(i['cost'] for i in data['carry_over']):g}{unit})",
                f"planned: {data['used']:g}{unit} of {budget}",
            ],
        ),
    ]
    if data["pulled"]:
        rows = [
            [
                p["key"],
                p["title"],
                f"P{p['priority']}",
                _pts(p["points"]),
                f"{p['total']:g}{unit}",
                ", ".join(p["flags"]),
            ]
            for p in data["pulled"]
        ]
        sections.append(
            Section(
                "Pull in",
                [],
                (["item", "title", "priority", "points", "running total", "flags"], rows),
            )
        )
    if data["flagged"]:
        sections.append(
            Section(
                "Not ready",
                [f"{f['key']} {f['title']}: {'; '.join(f['reasons'])}" for f in data["flagged"]],
            )
        )
    if data["left_out"]:
        sections.append(
            Section(
                "Left out (capacity)",
                [f"{f['key']} {f['title']} ({f['cost']:g}{unit})" for f in data["left_out"]],
            )
        )
    applied = data.get("applied")
    if applied:
        sections.append(
            Section(
                "Applied", [f"moved {', '.join(applied['moved']) or 'nothing'} into {t['name']}"]
            )
        )
    return Document(f"Sprint plan · {t['name']}", sections, links(data), _footer(data))


def _pts(points) -> str:
    return "—" if points is None else f"{points:g}"


def ask_doc(data: dict) -> Document:
    sections = [Section("Question", [data["question"]]), _narrative(data)]
    sections[1].title = "Answer"
    for s in data["sections"]:
        rows = s["rows"]
        table = None
        if rows and all(isinstance(r, dict) for r in rows):
            headers = [k for k in rows[0] if _flat(rows[0][k])][:7]
            table = (headers, [[_short(r.get(h)) for h in headers] for r in rows])
        sections.append(Section(f"Data: {s['topic']}", [s["answer"]], table))
    return Document("Ask", sections, links(data), _footer(data))


def _flat(value) -> bool:
    return not isinstance(value, dict)


def _short(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


DOCS = {
    "standup": standup_doc,
    "risk-scan": risk_doc,
    "pr-queue": pr_doc,
    "sprint-plan": plan_doc,
    "ask": ask_doc,
}


def report(command: str, data: dict, fmt: str) -> str:
    return render(DOCS[command](data), fmt)
