"""Fuzz: arbitrary markdown and frontmatter never crash the parser, the lint rules, the
suppression parser, the trace graph or the renderers."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ygs.core import markdown, trace
from ygs.core.artifacts import KINDS, artifact_path, build_catalog
from ygs.core.lint import all_rules, lint, suppress
from ygs.core.specs import Index
from ygs.report import FORMATS, Report, render

FRAGMENTS = [
    "## Problem\n",
    "## 7. Threats by subsystem\n",
    "### REQ-001: title\n",
    "### REQ-\n",
    "- **Priority:** MUST (P0)\n",
    "- **Statement:** the system MUST\n",
    "- **Failure mode:** If x, then y\n",
    "  - Given a, when b, then c\n",
    "| ID | STRIDE | Priority | Threat | Assets | Mitigation | Status | Owner |\n",
    "|---|---|\n",
    "| THR-001 | S | High | t | a | MIT-001 | open | o |\n",
    "| MIT-001 | m | THR-001 | TASK-001 | t | open |\n",
    "| REQ-001 | D1 | why |\n",
    "| a \\| b | c |\n",
    "<!-- ygs: ignore PRD011 reason -->\n",
    "<!-- ygs: ignore -->\n",
    "<!-- open comment\n",
    "-->\n",
    "```\n",
    "~~~\n",
    "[link](../x.md)\n",
    "[link](<>)\n",
    "TBD\n",
    "## Decisions\n",
    "### D1: choice\n",
    "## Traceability\n",
    "## Alternatives considered\n",
    "## Acceptance criteria\n",
    "## Appendix\n",
    "# \n",
    "####### too deep\n",
    "\n",
    "e.g. 2.5 s. Next sentence! And? \n",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10_000),
    st.text(max_size=20),
    st.lists(st.one_of(st.text(max_size=12), st.integers(), st.none()), max_size=4),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
KEYS = st.sampled_from(
    [
        "id",
        "type",
        "title",
        "status",
        "date",
        "prd",
        "trd",
        "satisfies",
        "mitigates",
        "depends_on",
        "supersedes",
        "superseded_by",
        "priority",
        "size",
        "points",
        "wave",
        "mode",
        "planned_files",
        "planned_lines",
        "reversibility",
    ]
)

body = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=25).map(
    "".join
)


@st.composite
def artifact_text(draw) -> str:
    meta = draw(st.dictionaries(KEYS, VALUES, max_size=8))
    head = draw(
        st.sampled_from(
            ["---\n" + json.dumps(meta) + "\n---\n", "---\n", "", "---\nkey: [\n---\n", "\ufeff"]
        )
    )
    return head + draw(body)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.one_of(body, st.text()), st.integers(1, 50))
def test_markdown_parser_never_crashes(text, first_line):
    doc = markdown.Doc(text, first_line)
    for section in [doc.whole, *doc.whole.subsections()]:
        section.tables()
        section.bullets()
        section.fields()
        section.is_empty()
        section.content(own_only=True)
        section.section("problem", "threats")
    markdown.sentences(text)
    assert all(line >= first_line for line, _ in doc.whole.content())


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(sorted(KINDS)), artifact_text()), max_size=6))
def test_lint_trace_and_reports_never_crash(entries):
    files = []
    for number, (kind, text) in enumerate(entries, start=1):
        path = artifact_path(kind, f"s{number}", date="2026-01-01", number=number)
        files.append((path, text.encode("utf-8", "surrogatepass")))
    files.append(("docs/adr/0099-bad.md", b"---\ntitle: \xff\n---\n"))
    catalog = build_catalog(files)
    findings = lint(catalog)
    for f in findings:
        assert f.path and f.rule and f.message
        assert f.line is None or f.line >= 1
    graph = trace.build(Index(catalog), trace.scan_tests([("t.py", "# covers: REQ-001\n")]))
    trace.gate(graph)
    trace.mermaid(graph)
    trace.markdown(graph)
    report = Report("ygs check", findings, all_rules())
    for fmt in FORMATS:
        render(fmt, report)


@SETTINGS
@given(st.text(), st.integers(1, 10))
def test_suppression_parser_never_crashes(text, body_line):
    for s in suppress.parse("<!-- ygs: ignore " + text + " -->\n" + text, body_line):
        assert s.line >= 1 and s.covers
