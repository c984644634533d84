"""Design-doc rules: the anti-patterns of "How Not to Write a Design Document" that a program
can detect (skills/_shared/design-doc-anti-patterns.md gives the numbers)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ygs.core import markdown
from ygs.core.artifacts import Artifact
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy
from ygs.core.markdown import Doc, Section

F = "design-doc"
MUST, SHOULD, MAY = Severity.MUST, Severity.SHOULD, Severity.MAY

RULES = (
    Rule(
        "DD001",
        SHOULD,
        "at least 3 alternatives are compared (anti-pattern 5)",
        "fewer than 3 alternatives",
        "compare the current system, an incremental change and a larger redesign in the "
        "Alternatives considered table",
        """A design with one option is a request for permission. Three options (keep, improve,
        replace) expose the real trade-offs and make the recommendation arguable.""",
        F,
    ),
    Rule(
        "DD002",
        SHOULD,
        "alternatives are judged on the same criteria (anti-pattern 5)",
        "alternatives judged on different criteria",
        "use one table: a row per option, a column per shared criterion, every cell filled",
        """Options scored on different criteria cannot be compared: the favourite gets its
        strengths listed and the others their weaknesses.""",
        F,
    ),
    Rule(
        "DD003",
        MUST,
        "a rollback plan or big red button exists (anti-pattern 15)",
        "no rollback plan",
        "add `### Rollback`: how to stop or revert, who presses the button, what triggers it",
        """When the canary regresses or a migration is half done, a team without a rollback
        story invents one under pressure. Every risky design needs its big red button.""",
        F,
    ),
    Rule(
        "DD004",
        SHOULD,
        "observability is planned (anti-pattern 12)",
        "no observability plan",
        "add `### Observability`: metrics, logs, traces, dashboards and the alerts that page",
        """A system nobody can see is debugged by guesswork at 2 a.m. Name the signals before
        launch.""",
        F,
    ),
    Rule(
        "DD005",
        SHOULD,
        "a test plan exists (anti-pattern 13)",
        "no test plan",
        "add `### Test plan`: unit, integration, load, failure injection, rollback validation",
        """A system that cannot be tested safely cannot be changed safely. "Unit tests will
        cover it" is not a plan.""",
        F,
    ),
    Rule(
        "DD006",
        SHOULD,
        "the decision log records decisions (anti-pattern 22)",
        "empty decision log",
        "add a row per decision to `## Decision log`, with an ADR id for contested ones",
        """Trade-offs argued in review and recorded nowhere are forgotten, and the architecture
        drifts.""",
        F,
    ),
    Rule(
        "DD007",
        SHOULD,
        "risks or open questions are admitted (anti-pattern 24)",
        "no risks and no open questions",
        "list what can go wrong and what you do not know yet, each with an owner",
        """A document with no risks and no open questions was written to be approved, not to
        be right; the unknowns then surface in production.""",
        F,
    ),
    Rule(
        "DD008",
        MUST,
        "failure paths are described, not only the happy path (anti-pattern 16)",
        "only the happy path",
        "add `### Failure paths`: timeouts, retries, partial failure, startup and shutdown",
        """Production is mostly about the cases where a dependency is slow, down or wrong. A
        design that describes only the steady state leaves those to chance.""",
        F,
    ),
    Rule(
        "DD009",
        MAY,
        "the body carries the argument, not the appendix (anti-pattern 18)",
        "appendix longer than the body",
        "move the reasoning into the body; keep only supporting material in the appendix",
        """Reviewers read the body. When the real reasoning sits in the appendix, most of them
        never see it.""",
        F,
    ),
    Rule(
        "DD010",
        MAY,
        "acronyms are defined (anti-pattern 19)",
        "undefined acronym",
        "define it in `## Glossary`, or spell it out once as 'Full Name (ACR)'",
        """Tribal vocabulary excludes reviewers. Define every acronym once, in the glossary or
        at first use.""",
        F,
    ),
    Rule(
        "DD011",
        SHOULD,
        "stakeholders are named (anti-pattern 8)",
        "no stakeholders",
        "add `### Stakeholders`: consumers, operators, security, migration owners, each with "
        "their concern",
        """Half the constraints come from people who are not the authors: downstream
        consumers, operators, security reviewers. Unnamed, they surface late.""",
        F,
    ),
    Rule(
        "DD012",
        SHOULD,
        "the executive summary states the decision needed (anti-pattern 4)",
        "no decision needed",
        "add `**Decision needed:** …` to the executive summary",
        """Reviewers who do not know what they are approving turn the review into theatre.
        State the exact choice up front.""",
        F,
    ),
)
R = {r.id: r for r in RULES}


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ACRONYM = Lazy(lambda: re.compile(r"\b[A-Z][A-Z0-9&]{1,7}s?\b"))
_CODE_SPAN = Lazy(lambda: re.compile(r"`[^`]*`"))
COMMON_ACRONYMS = _wordset(
    """API APIS HTTP HTTPS URL URI ID IDS UI UX SQL JSON YAML XML HTML CSS CSV PDF TLS SSL DNS IP
    TCP UDP CPU GPU RAM OS CI CD PR QA SLA SLO SLI UTC ISO USD EUR GBP GB MB KB TB SDK CLI REST SMS
    TBD TODO MUST SHOULD MAY NOT SHALL REQUIRED OPTIONAL RECOMMENDED REQ ADR TASK THR MIT PRD TRD
    OK FAQ AI LLM STRIDE AND OR NO YES N/A AM PM EOF"""
)


def check(ctx: Context) -> Iterator[Finding]:
    for design in ctx.mine("design-doc"):
        doc = ctx.index.doc(design)
        yield from alternatives(design, doc)
        yield from sections(design, doc)
        yield from appendix(design, doc)
        yield from acronyms(design, doc)


def _missing(doc: Doc, *names: str) -> tuple[bool, int]:
    section = doc.section(*names)
    if section is None:
        return True, doc.first_line
    return section.is_empty(), section.line


def sections(design: Artifact, doc: Doc) -> Iterator[Finding]:
    singles = (
        ("DD003", ("rollback", "rollback plan", "big red button")),
        ("DD004", ("observability", "monitoring")),
        ("DD005", ("test plan", "testing", "test strategy")),
        ("DD008", ("failure paths", "failure modes", "failure states", "failure handling")),
        ("DD011", ("stakeholders",)),
    )
    for rule, names in singles:
        empty, line = _missing(doc, *names)
        if empty:
            yield R[rule].at(design.path, line)
    log = doc.section("decision log", "decisions")
    if log is None or not _has_rows(log):
        yield R["DD006"].at(design.path, log.line if log else doc.first_line)
    risks = [doc.section(n) for n in ("risks", "open questions", "risks and open questions")]
    if all(s is None or s.is_empty() for s in risks):
        where = next((s.line for s in risks if s is not None), doc.first_line)
        yield R["DD007"].at(design.path, where)
    summary = doc.section("executive summary", "summary")
    if summary is None or "decision needed" not in summary.text.lower():
        yield R["DD012"].at(design.path, summary.line if summary else doc.first_line)


def _has_rows(section: Section) -> bool:
    rows = [r for t in section.tables() for r in t.rows]
    if rows:
        return any(not markdown.is_placeholder(c) for r in rows for c in r.cells)
    return bool(section.subsections()) or not section.is_empty()


def alternatives(design: Artifact, doc: Doc) -> Iterator[Finding]:
    section = doc.section("alternatives considered", "alternatives", "options considered")
    tables = section.tables() if section else []
    if section is None:
        yield R["DD001"].at(design.path, doc.first_line, "no Alternatives considered section")
        return
    if not tables:
        count = len(section.bullets(top_only=True))
        if count < 3:
            yield R["DD001"].at(design.path, section.line, f"{count} alternative(s) listed")
        yield R["DD002"].at(design.path, section.line, "alternatives are not compared in a table")
        return
    table = tables[0]
    options = [r for r in table.rows if not markdown.is_placeholder(r.cell(0))]
    if len(options) < 3:
        yield R["DD001"].at(design.path, table.line, f"{len(options)} alternative(s) compared")
    if len(table.header) < 3:
        yield R["DD002"].at(design.path, table.line, "fewer than 2 shared criteria columns")
        return
    for row in options:
        blank = [
            table.header[i]
            for i in range(1, len(table.header))
            if markdown.is_placeholder(row.cell(i))
        ]
        if blank:
            yield R["DD002"].at(
                design.path,
                row.line,
                f"'{row.cell(0)}' is not judged on {', '.join(blank)}",
            )


def appendix(design: Artifact, doc: Doc) -> Iterator[Finding]:
    section = doc.section("appendix", "appendices")
    if section is None or section.is_empty():
        return
    extra = section.words_count()
    body = doc.whole.words_count() - extra
    if extra > body:
        yield R["DD009"].at(
            design.path, section.line, f"appendix has {extra} words, the body {body}"
        )


def acronyms(design: Artifact, doc: Doc) -> Iterator[Finding]:
    glossary = doc.section("glossary", "terms", "definitions")
    glossary_text = glossary.text if glossary else ""
    defined = set(_ACRONYM.findall(glossary_text))
    text = doc.whole.text
    defined.update(re.findall(r"\(([A-Z][A-Z0-9&]{1,7})s?\)", text))
    defined.update(m.rstrip("s") for m in list(defined))
    seen: set[str] = set()
    for line, content in doc.whole.content():
        if glossary and glossary.start <= line - doc.first_line < glossary.end:
            continue
        for word in _ACRONYM.findall(_CODE_SPAN.sub("", content)):
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            letters = sum(ch.isalpha() for ch in base)
            if letters < 2 or base in COMMON_ACRONYMS or base in defined or base in seen:
                continue
            seen.add(base)
            yield R["DD010"].at(design.path, line, f"acronym {base} is not defined")
