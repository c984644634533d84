"""ADR rules: number and title, a superseded link that resolves, context, a one-sentence
decision, alternatives, consequences, reversibility. (The status set is ART009.)"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ygs.core import markdown
from ygs.core.artifacts import Artifact
from ygs.core.catalogue import ADR_STYLES, YGS, Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy, normal_id
from ygs.core.markdown import Doc

F = "adr"
MUST, SHOULD = Severity.MUST, Severity.SHOULD

RULES = (
    Rule(
        "ADR001",
        MUST,
        "the ADR has a number that matches its id, and a title",
        "ADR number or title missing",
        "name the file `docs/adr/NNNN-slug.md`, set `id: ADR-NNNN` to the same number and a title",
        """ADRs are cited by number ("see ADR-0007"). A file whose number and id disagree is
        cited two ways, and one of them points nowhere.""",
        F,
    ),
    Rule(
        "ADR002",
        MUST,
        "a superseded ADR links the ADR that replaces it",
        "superseded ADR without a valid link",
        "set `superseded_by: ADR-NNNN` (and `supersedes:` on the newer ADR) to an existing ADR",
        """Readers land on old ADRs from code comments and search. A superseded ADR that does
        not say what replaced it sends them back to a decision that no longer holds.""",
        F,
    ),
    Rule(
        "ADR003",
        MUST,
        "the context explains the forces",
        "no context",
        "write `## Context`: the problem, the forces and the constraints",
        """Without the context, the decision cannot be re-evaluated when the forces change;
        nobody knows what it was balancing.""",
        F,
    ),
    Rule(
        "ADR004",
        MUST,
        "the decision is stated",
        "no decision",
        "write `## Decision` as one sentence in active voice: 'We will …'",
        """An ADR records a decision. Without one it is a discussion document.""",
        F,
    ),
    Rule(
        "ADR005",
        SHOULD,
        "the decision is one sentence",
        "decision longer than one sentence",
        "state the decision in one sentence; move the reasoning to Context or Consequences",
        """A decision that needs several sentences is usually several decisions, or a
        decision mixed with its justification. One sentence is quotable and testable.""",
        F,
    ),
    Rule(
        "ADR006",
        SHOULD,
        "alternatives are listed with why they were rejected",
        "no alternatives",
        "add `## Alternatives`: one bullet per option and why it lost",
        """Without the rejected options, the next team proposes them again and re-runs the
        same debate.""",
        F,
    ),
    Rule(
        "ADR007",
        SHOULD,
        "consequences are listed, good and bad",
        "no consequences",
        "add `## Consequences`: what gets easier, what gets harder, follow-up work",
        """Every decision has costs. An ADR that lists none hides the price the team agreed to
        pay.""",
        F,
    ),
    Rule(
        "ADR008",
        SHOULD,
        "reversibility is stated",
        "reversibility not stated",
        "set `reversibility: reversible | costly | irreversible` and say how to back out",
        """One-way doors deserve more scrutiny than two-way doors. Stating reversibility tells
        reviewers how much care the decision needs and how to undo it.""",
        F,
    ),
)
_FORMATS = {"ADR005": YGS, "ADR006": ("ygs", "madr"), "ADR008": YGS}
RULES = tuple(r._replace(formats=_FORMATS.get(r.id, ADR_STYLES)) for r in RULES)
R = {r.id: r for r in RULES}

_NUMBER = Lazy(lambda: re.compile(r"^(?:ADR-?)?(\d{1,6})-", re.IGNORECASE))
REVERSIBILITY = ("reversible", "costly", "irreversible")


def check(ctx: Context) -> Iterator[Finding]:
    for adr in ctx.mine("adr"):
        doc = ctx.index.doc(adr)
        yield from number(adr)
        yield from supersession(ctx, adr)
        yield from body(adr, doc)


def number(adr: Artifact) -> Iterator[Finding]:
    match = _NUMBER.match(posixpath.basename(adr.path))
    declared = str(adr.meta.get("id") or ("" if adr.format == "ygs" else adr.id))
    if match is None:
        yield R["ADR001"].at(adr.path, 1, "file name does not start with a number (NNNN-slug.md)")
    elif normal_id(declared) != f"ADR-{int(match.group(1))}":
        yield R["ADR001"].at(
            adr.path,
            adr.line_of("id"),
            f"id '{declared or 'missing'}' does not match the file number {match.group(1)}",
        )
    title = adr.meta.get("title") if adr.format == "ygs" else adr.title
    if not str(title or "").strip():
        yield R["ADR001"].at(adr.path, 1, "no title in the frontmatter")


def supersession(ctx: Context, adr: Artifact) -> Iterator[Finding]:
    successor = str(adr.meta.get("superseded_by") or "").strip()
    if adr.status == "superseded" and not successor:
        yield R["ADR002"].at(
            adr.path, adr.line_of("status"), "status is superseded but superseded_by is not set"
        )
    for key in ("supersedes", "superseded_by"):
        value = str(adr.meta.get(key) or "").strip()
        target = (ctx.artifact(value, "adr") or ctx.artifact(value)) if value else None
        if target is not None and target.kind != "adr":
            yield R["ADR002"].at(
                adr.path, adr.line_of(key), f"{key}: {value} is a {target.kind}, not an ADR"
            )


def body(adr: Artifact, doc: Doc) -> Iterator[Finding]:
    for rule, names in (
        ("ADR003", ("context", "context and problem statement")),
        ("ADR006", ("alternatives", "considered options", "options considered")),
        ("ADR007", ("consequences",)),
    ):
        section = doc.section(*names)
        if section is None or section.is_empty():
            yield R[rule].at(adr.path, section.line if section else doc.first_line)
    decision = doc.section("decision", "decision outcome")
    if decision is None or decision.is_empty():
        yield R["ADR004"].at(adr.path, decision.line if decision else doc.first_line)
    else:
        count = len(markdown.sentences(decision.text))
        if count > 1:
            yield R["ADR005"].at(adr.path, decision.line, f"the decision has {count} sentences")
    declared = str(adr.meta.get("reversibility") or "").strip().lower()
    section = doc.section("reversibility")
    if declared and declared not in REVERSIBILITY:
        yield R["ADR008"].at(
            adr.path,
            adr.line_of("reversibility"),
            f"reversibility '{declared}' is not one of {', '.join(REVERSIBILITY)}",
        )
    elif not declared and (section is None or section.is_empty()):
        yield R["ADR008"].at(adr.path, section.line if section else doc.first_line)
