"""TRD rules: a PRD link, every MUST requirement traced, decisions with rationale and
alternatives, and the failure-mode, test-strategy and security sections."""

from __future__ import annotations

from collections.abc import Iterator

from ygs.core import markdown
from ygs.core.artifacts import Artifact
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context
from ygs.core.markdown import Doc
from ygs.core.specs import decisions_of, traceability_of


def gated_as_must(priority: str) -> bool:
    from ygs.core.trace import gated_as_must as must

    return must(priority)


F = "trd"
MUST, SHOULD = Severity.MUST, Severity.SHOULD

RULES = (
    Rule(
        "TRD001",
        MUST,
        "the TRD links its PRD",
        "no PRD link",
        "add `prd: <prd id>` to the frontmatter",
        """A TRD answers a PRD's requirements. Without the link nothing can check that every
        requirement has a design decision, and the trace graph loses the REQ -> decision
        step.""",
        F,
    ),
    Rule(
        "TRD002",
        MUST,
        "every MUST requirement of the PRD is in the Traceability table",
        "MUST requirement missing from the Traceability table",
        "add a row `| REQ-NNN | decision | rationale |` to `## Traceability`",
        """A MUST requirement with no design decision is the most common way a design
        silently drops scope. The Traceability table makes the omission visible before any
        code is written.""",
        F,
    ),
    Rule(
        "TRD003",
        SHOULD,
        "every decision carries a rationale and alternatives",
        "decision without rationale or alternatives",
        "give each `### Dn: title` a `- **Rationale:**` and an `- **Alternatives:**` line",
        """A decision without its rationale is re-argued at every review; without the
        alternatives nobody knows what was weighed, so the cheaper option is rediscovered
        later.""",
        F,
    ),
    Rule(
        "TRD004",
        MUST,
        "failure modes, test strategy and security sections are present",
        "required section missing or empty",
        "write the section; say explicitly when something does not apply and why",
        """These are the sections that designs skip and production punishes: what happens when
        a dependency fails, how the change is verified, and who can do what with which
        data.""",
        F,
    ),
)
RULES = (
    *RULES,
    Rule(
        "TRD005",
        MUST,
        "Traceability rows cite requirements of the TRD's own PRD",
        "traceability row cites a requirement of another PRD",
        "cite the REQ ids of the PRD named in `prd:`, or link the right PRD",
        """A row that cites another PRD's requirement looks like coverage but traces nothing
        this design answers; the trace graph does not count it as a decision.""",
        F,
    ),
)
R = {r.id: r for r in RULES}

REQUIRED = (
    (("failure modes", "failure modes and fault tolerance"), "Failure modes"),
    (("test strategy", "testing strategy", "test plan"), "Test strategy"),
    (("security", "security and privacy"), "Security"),
)


def check(ctx: Context) -> Iterator[Finding]:
    for trd in ctx.mine("trd"):
        doc = ctx.index.doc(trd)
        yield from prd_link(ctx, trd, doc)
        yield from decisions(trd, doc)
        for names, label in REQUIRED:
            section = doc.section(*names)
            if section is None or section.is_empty():
                where = section.line if section else doc.first_line
                state = "empty" if section else "missing"
                yield R["TRD004"].at(trd.path, where, f"`## {label}` is {state}")


def prd_link(ctx: Context, trd: Artifact, doc: Doc) -> Iterator[Finding]:
    value = str(trd.meta.get("prd") or "").strip()
    if not value:
        yield R["TRD001"].at(trd.path, trd.line_of("id"))
        return
    prd = ctx.artifact(value, "prd")
    if prd is None:
        return  # an unresolved link is ART004
    rows = traceability_of(doc)
    traced = {r for row in rows for r in row.requirements}
    table = doc.section("traceability")
    where = table.line if table else doc.first_line
    own = {r.id for r in ctx.index.requirements_in(prd.path)}
    for row in rows:
        for req_id in row.requirements:
            if req_id not in own:
                other = ctx.index.requirements.get(req_id)
                where_from = f"{other.prd}, not {prd.id}" if other else "no PRD"
                yield R["TRD005"].at(trd.path, row.line, f"{req_id} belongs to {where_from}")
    for req in ctx.index.requirements_in(prd.path):
        if gated_as_must(req.priority) and req.id not in traced:
            yield R["TRD002"].at(
                trd.path, where, f"{req.id} (MUST, {prd.id}) is not in the Traceability table"
            )


def decisions(trd: Artifact, doc: Doc) -> Iterator[Finding]:
    found = decisions_of(doc)
    if not found:
        section = doc.section("decisions")
        where = section.line if section else doc.first_line
        yield R["TRD003"].at(trd.path, where, "no `### Dn: title` decisions")
        return
    for decision in found:
        missing = [
            label
            for key, label in (("rationale", "rationale"), ("alternatives", "alternatives"))
            if key not in decision.fields or markdown.is_placeholder(decision.fields[key].value)
        ]
        if missing:
            yield R["TRD003"].at(
                trd.path, decision.line, f"{decision.id} has no {' and no '.join(missing)}"
            )
