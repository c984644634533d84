"""The PRD rules (`ygs.core.lint.prd.check`), with all their fast paths, find exactly what
the plain reading below finds: each rule written with markdown's public Section API and
the regexes the fast paths stand in for. Generated PRDs mix every section the rules read
(and near-misses of their headings) with the shapes that take a fast path or leave it:
fences, comments, tables with escaped pipes, placeholders, numbered lists, vague words."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ygs.core import markdown
from ygs.core.artifacts import Catalog, parse_file
from ygs.core.findings import Finding
from ygs.core.lint import prd
from ygs.core.lint.context import Context
from ygs.core.scan import in_order
from ygs.core.specs import Index, is_gwt, statement_of

_RFC = re.compile(r"\b(MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b")
_IF_THEN = in_order(r"\bif\b", r"\bthen\b", flags=re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.+#-]*")
_TOKEN = re.compile(r"[^\s.,;:!?()\[\]\"'*`]+")
_PUNCTUATION = ".,;:!?()[]\"'*`"
R = prd.R


def reference(path: str, doc: markdown.Doc, reqs) -> Iterator[Finding]:
    """PRD001-015 and PRD011 as the rules read before any fast path."""
    section = doc.section("problem", "problem statement")
    if section is None or section.is_empty():
        yield R["PRD001"].at(path, section.line if section else doc.first_line)
    else:
        content = [(n, t) for n, t in section.content(own_only=True) if t.strip()]
        text = " ".join(t.strip() for _, t in content)
        first = content[0][0] if content else section.line
        count = len(markdown.sentences(text))
        if count > 1:
            yield R["PRD002"].at(path, first, f"problem statement has {count} sentences")
        named = sorted({w.lower() for w in _WORD.findall(text) if w.lower() in prd.TECHNOLOGY})
        if named:
            yield R["PRD003"].at(path, first, f"problem statement names {', '.join(named)}")
        yield from vague(path, content)

    section = doc.section("requirements", "functional requirements")
    if not reqs:
        yield R["PRD004"].at(path, section.line if section else doc.first_line)
    if section is not None:
        for sub in section.subsections():
            if not sub.title.upper().startswith("REQ-"):
                yield R["PRD005"].at(path, sub.line, f"requirement '{sub.title}' has no REQ id")
    for req in reqs:
        yield from requirement(req)

    non_goals = doc.section("non goals", "non goals and out of scope", "out of scope")
    if non_goals is None or non_goals.is_empty():
        yield R["PRD012"].at(path, non_goals.line if non_goals else doc.first_line)
    success = doc.section("success criteria", "success metrics")
    if success is None or success.is_empty():
        yield R["PRD013"].at(path, success.line if success else doc.first_line)
    else:
        for bullet in success.bullets():
            if not markdown.is_placeholder(bullet.text) and not re.search(r"\d", bullet.text):
                yield R["PRD014"].at(path, bullet.line, f"'{short(bullet.text)}' has no number")
        yield from vague(path, [(b.line, b.text) for b in success.bullets()])

    section = doc.section("capabilities")
    tables = section.tables() if section else []
    if section is None or not tables:
        where = section.line if section else doc.first_line
        yield R["PRD015"].at(path, where, "no Capabilities table with a Change column")
        return
    for table in tables:
        change = table.column("change", "type", "classification")
        if change < 0:
            yield R["PRD015"].at(path, table.line, "Capabilities table has no Change column")
            continue
        for row in table.rows:
            value = row.cell(change).strip().strip("*").strip()
            if value.lower() not in ("new", "modified", "removed"):
                yield R["PRD015"].at(
                    path,
                    row.line,
                    f"capability '{short(row.cell(0))}' has Change '{value or 'empty'}', "
                    "not New, Modified or Removed",
                )


def requirement(req) -> Iterator[Finding]:
    path, prio = req.path, req.field("priority")
    if not req.priority:
        yield R["PRD006"].at(path, prio.line if prio else req.line, f"{req.id} has no priority")
    statement = req.field("statement")
    text = statement.value if statement else statement_of(req)
    keywords = {prd._RFC_LEVEL[k] for k in _RFC.findall(text)}
    where = statement.line if statement else req.line
    if not keywords:
        yield R["PRD007"].at(
            path,
            where,
            f"{req.id} statement has no MUST, SHOULD or MAY"
            if statement
            else f"{req.id} has no `- **Statement:**` line",
        )
    elif req.priority and req.priority not in keywords:
        says = ", ".join(sorted(keywords))
        yield R["PRD008"].at(
            path, where, f"{req.id} is {req.priority} but its statement says {says}"
        )
    failure = req.field("failure mode")
    if req.priority == "MUST":
        if not any(is_gwt(s.text) for s in req.scenarios):
            yield R["PRD009"].at(path, req.line, f"{req.id} (MUST) has no Given/When/Then scenario")
        if failure is None or markdown.is_placeholder(failure.value):
            yield R["PRD010"].at(path, req.line, f"{req.id} (MUST) has no failure mode")
        elif not _IF_THEN.search(failure.value):
            yield R["PRD010"].at(
                path, failure.line, f"{req.id} failure mode is not in If …, then … form"
            )
    lines = [(f.line, f.value) for f in (statement, failure) if f is not None]
    yield from vague(path, lines)


def vague(path: str, lines) -> Iterator[Finding]:
    for line, text in lines:
        if prd.VAGUE.isdisjoint(_TOKEN.findall(text.lower())):
            continue
        tokens = text.split()
        seen: set[str] = set()
        for i, token in enumerate(tokens):
            word = token.strip(_PUNCTUATION).lower()
            if word not in prd.VAGUE or word in seen:
                continue
            near = tokens[max(0, i - prd.WINDOW) : i + prd.WINDOW + 1]
            if not any(is_number(t) for t in near):
                seen.add(word)
                yield R["PRD011"].at(path, line, f"'{word}' has no number next to it")


def is_number(token: str) -> bool:
    if re.search(r"\d", token):
        return True
    word = token.strip(_PUNCTUATION).lower()
    return word in prd.NUMBER_WORDS or any(p in prd.NUMBER_WORDS for p in word.split("-"))


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def findings_both_ways(body: str) -> tuple[list, list]:
    data = f"---\nid: p\ntype: prd\ntitle: P\nstatus: draft\ndate: 2026-01-01\n---\n{body}"
    artifact = parse_file("docs/prd/2026-01-01-p.md", data.encode())
    index = Index(Catalog([artifact], []))
    fast = list(prd.check(Context(index)))
    doc = markdown.Doc(artifact.body, artifact.body_line)
    slow = list(reference(artifact.path, doc, index.requirements_in(artifact.path)))
    return sorted(fast, key=repr), sorted(slow, key=repr)


HEADINGS = [
    "# Feature", "## Problem", "## Problem statement", "## 1. Problem", "## Problems",
    "## Requirements", "## Functional requirements", "## Requirements (draft)",
    "### REQ-001: Deliver", "### REQ-002 Notify", "### req-003: low", "### Something else",
    "#### Scenario: retry", "#### Detail", "## Non-goals", "## Non goals and out of scope",
    "## Out of scope", "## Out of scope later", "## Success criteria", "## Success metrics",
    "### Success criteria", "## Capabilities", "## Capabilities today", "### Capabilities",
    "## Notes", "###### Deep", "#NoSpace", "## Pain ##",
]  # fmt: skip
LINES = [
    "", "Owners miss notices for 3 days, so 12 % of orders ship late.",
    "Users wait. The page is slow! Is it? e.g. sometimes 1.5 s.",
    "We have no Kafka or node.js, python.",
    "TBD", "None.", "N/A", "nothıng", "…", "---", "- Text messages.", "- TBD", "* none", "+ x",
    "1. Late orders fall from 12 % to 4 %.", "2) it is fast", "  - nested fast bullet",
    "- **Priority:** MUST (P0)", "- **Priority:** SHOULD", "- **Priority:** P2",
    "- **Priority:** ?",
    "- **Statement:** When X, the system MUST notify in 1 min.",
    "- **Statement:** The system SHOULD be fast and reliable.", "- **Statement:** it works",
    "**Statement:** The system MAY OPTIONAL things", "- **Statement:**MUSTY quickly",
    "- **Failure mode:** If delivery fails, then retry 3 times.", "- **Failure mode:** TBD",
    "- **Failure mode:** retry then alert", "- **Failure mode:** IF x THEN y",
    "- **Scenarios:**", "- **Scenarios:** Given a, when b, then c",
    "  - Given event 1 is recorded, when 1 minutes pass, then one notice.",
    "  - Given a", "    when b then c", "  - WHEN x THEN y", "- Given x, then y, when z",
    "| Capability | Change | Notes |", "| Capability | Type |", "| Name | Kind |",
    "|---|---|---|", "|:--|--:|", "| Notice | New | first |", "| Old | **Removed** |",
    "| Mixed | maybe | x |", "| Short |", "| a \\| b | Modified |", "|  | |",
    "```", "~~~", "<!-- hidden fast -->", "<!--", "-->", "text <!-- c --> fast",
    "The system MUST be easy, user-friendly and real-time within two seconds.",
    "Quick, scalable and secure; etc.", "fast-ish fast fast", "within twenty-five ms fast",
    "  - Given é is fast, when b, then c.", "  - Given a when b, thenx c", "  - Given x then",
    "- **Failure mode:** If İ fails, then retry.", "- **Failure mode:** If x, thenceforth y",
    "- **Failure mode:** If TBD then", "- ", " ", "\t", "-  fast item", "- **Scenarios:** Given",
    "  | Indented | New |", "\t| Tab | gone |", "x | not a row |",
]  # fmt: skip
PIECES = ["fast", "Given", "when", "then", "MUST", "|", "**", "-", " ", "2", "TBD", "\t", "İ"]
line = st.one_of(
    st.sampled_from(HEADINGS),
    st.sampled_from(LINES),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=40))
def test_prd_rules_match_the_plain_reading(lines):
    fast, slow = findings_both_ways("\n".join(lines) + "\n")
    assert fast == slow


def test_a_complete_prd_and_a_faulty_one():
    good = "\n".join(
        [
            "# F",
            "## Problem",
            "Owners miss notices for 3 days, so 12 % ship late.",
            "## Success criteria",
            "- Late orders fall from 12 % to 4 % within 60 days.",
            "## Capabilities",
            "| Capability | Change | Notes |",
            "|---|---|---|",
            "| Notice | New | first |",
            "## Requirements",
            "### REQ-001: Deliver",
            "- **Priority:** MUST (P0)",
            "- **Statement:** When X, the system MUST notify in 1 min.",
            "- **Failure mode:** If delivery fails, then retry 3 times.",
            "- **Scenarios:**",
            "  - Given x, when 1 min passes, then one notice.",
            "## Non-goals",
            "- SMS.",
        ]
    )
    fast, slow = findings_both_ways(good)
    assert fast == slow == []
    bad = good.replace("12 % ship late.", "Our Kafka is slow. Users wait.").replace(
        "| Notice | New |", "| Notice | maybe |"
    )
    fast, slow = findings_both_ways(bad.replace("If delivery", "When delivery"))
    assert fast == slow
    assert {f.rule for f in fast} == {"PRD002", "PRD003", "PRD010", "PRD011", "PRD015"}


STEPS = ["Given ", "given ", "GIVEN ", " when ", "When", " then ", "then", "thenx", "If ", "if ",
         "IF ", "TBD", "é", "İ", "x", ",", " ", "WHEN ", " THEN ", "…"]  # fmt: skip
steps = st.lists(st.sampled_from(STEPS), max_size=8).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, max_size=3), steps)
def test_a_must_requirement_s_scenarios_and_failure_mode_match_the_plain_reading(
    scenarios, failure
):
    body = (
        "## Requirements\n### REQ-001: A\n- **Priority:** MUST (P0)\n"
        f"- **Statement:** The system MUST x.\n- **Failure mode:** {failure}\n- **Scenarios:**\n"
        + "".join(f"  - {scenario}\n" for scenario in scenarios)
    )
    fast, slow = findings_both_ways(body)
    assert fast == slow


ITEMS = ["- Late orders fall by 4 %.", "- no number", "- TBD", "-  spaced", "- ", "-", "* none",
         "1. fast 2", "  - nested", "\t- tab", "Prose line.", "", " ", "\t", "- **Bold:** x",
         "Two. Sentences here. With python", "- İ fast", "+ plus"]  # fmt: skip


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ITEMS), max_size=6), st.lists(st.sampled_from(ITEMS), max_size=6))
def test_the_problem_and_success_criteria_lines_match_the_plain_reading(problem, success):
    body = "## Problem\n{}\n## Success criteria\n{}\n## Non-goals\n{}\n".format(
        "\n".join(problem), "\n".join(success), "\n".join(success)
    )
    fast, slow = findings_both_ways(body)
    assert fast == slow
