"""Threat-model rules: every threat row has a STRIDE letter, a priority, assets, a mitigation
id and a status; an open High threat blocks (MUST); the 13 sections are present."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ygs.core import markdown
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy
from ygs.core.specs import Threat, threats_of

F = "threat-model"
MUST, SHOULD = Severity.MUST, Severity.SHOULD

RULES = (
    Rule(
        "TM001",
        MUST,
        "every threat has a STRIDE letter",
        "threat without a STRIDE letter",
        "set the STRIDE column to one of S, T, R, I, D, E",
        """The STRIDE letter says which property is attacked (authentication, integrity,
        non-repudiation, confidentiality, availability, authorization), which decides the
        kind of mitigation. Walking all six letters per subsystem is how gaps are found.""",
        F,
    ),
    Rule(
        "TM002",
        MUST,
        "every threat has a priority",
        "threat without a priority",
        "set Priority to High, Medium or Low",
        """Priority decides what ships first and what blocks approval: an open High threat is
        a release blocker.""",
        F,
    ),
    Rule(
        "TM003",
        SHOULD,
        "every threat names the assets at risk",
        "threat without assets",
        "name the assets from section 4 that the threat reaches",
        """A threat without assets cannot be weighed: the same attack on a public page and on
        payment data deserve different answers.""",
        F,
    ),
    Rule(
        "TM004",
        MUST,
        "every threat has a mitigation id",
        "threat without a mitigation id",
        "give it a `MIT-NNN` id (`ygs next-id MIT`) and a row in `## 9. Mitigations`",
        """Mitigations link threats to tasks (`mitigates: [MIT-003]`) and to tests. A threat
        without a mitigation id cannot be traced to the work that answers it.""",
        F,
    ),
    Rule(
        "TM005",
        MUST,
        "every threat has a status",
        "threat status missing or unknown",
        "set Status to open, mitigated, accepted or transferred",
        """Status is how a threat model stays honest over time: what is still open, what was
        fixed, and which risks someone accepted.""",
        F,
    ),
    Rule(
        "TM006",
        MUST,
        "no High-priority threat is left open",
        "open High-priority threat",
        "ship its mitigation and mark it mitigated, or record a risk acceptance "
        "(status accepted, with who and why)",
        """An open High threat is a known, likely, damaging attack with no answer. It blocks
        approval until it is mitigated or someone with the authority accepts the risk in
        writing. In a draft it is expected work in progress and reported at SHOULD, so a new
        threat model does not block every commit; once approved it is a MUST.""",
        F,
    ),
    Rule(
        "TM007",
        MUST,
        "the threat model lists threats",
        "no threats table",
        "add under `## 7. Threats by subsystem` a table "
        "`| ID | STRIDE | Priority | Threat | Assets | Mitigation | Status | Owner |`",
        """A threat model without threats is a diagram. Each row needs a THR id so that
        mitigations, tasks and tests can point at it.""",
        F,
    ),
    Rule(
        "TM008",
        SHOULD,
        "the 13 sections are present",
        "threat-model section missing",
        "add the missing sections (templates/README.md lists all 13)",
        """The sections are the method: scope, assets, actors and assumptions before threats;
        mitigations, tests and risk acceptance after. A missing section is a skipped step.""",
        F,
    ),
)
R = {r.id: r for r in RULES}

STRIDE = frozenset("STRIDE")
PRIORITIES = ("high", "medium", "low")
STATUSES = ("open", "mitigated", "accepted", "transferred")
SECTIONS = (
    ("purpose", "Purpose, scope and tenets"),
    ("stride", "STRIDE reference"),
    ("architecture", "Architecture and trust boundaries"),
    ("assets", "Assets and data classification"),
    ("threat actors", "Threat actors"),
    ("assumptions", "Assumptions"),
    ("threats", "Threats by subsystem"),
    ("anti pattern", "Anti-pattern review"),
    ("mitigations", "Mitigations"),
    ("security tests", "Security tests"),
    ("compliance", "Compliance"),
    ("open items", "Open items and risk acceptance"),
    ("appendix", "Appendix"),
)
_LETTERS = Lazy(lambda: re.compile(r"[\s,/+&]+"))


def check(ctx: Context) -> Iterator[Finding]:
    for model in ctx.mine("threat-model"):
        doc = ctx.index.doc(model)
        threats = threats_of(model, doc)
        if not threats:
            section = doc.section("threats by subsystem", "threats")
            yield R["TM007"].at(model.path, section.line if section else doc.first_line)
        for threat in threats:
            yield from row(threat, draft=model.status == "draft")
        missing = [label for key, label in SECTIONS if doc.section(key) is None]
        if missing:
            yield R["TM008"].at(model.path, model.body_line, f"missing: {', '.join(missing)}")


def row(t: Threat, draft: bool = False) -> Iterator[Finding]:
    letters = [x for x in _LETTERS.split(t.stride.strip().upper()) if x]
    if not letters or any(x not in STRIDE or len(x) != 1 for x in letters):
        yield R["TM001"].at(t.path, t.line, f"{t.id} STRIDE is '{t.stride or 'empty'}'")
    priority = t.priority.strip().lower()
    if priority not in PRIORITIES:
        yield R["TM002"].at(t.path, t.line, f"{t.id} priority is '{t.priority or 'empty'}'")
    if markdown.is_placeholder(t.assets):
        yield R["TM003"].at(t.path, t.line, f"{t.id} names no assets")
    if not t.mitigations:
        yield R["TM004"].at(t.path, t.line, f"{t.id} has no MIT id")
    status = t.status.strip().lower()
    if status not in STATUSES:
        yield R["TM005"].at(t.path, t.line, f"{t.id} status is '{t.status or 'empty'}'")
    if priority == "high" and status == "open":
        # a draft may still be open (SHOULD); approving it with the threat open is a MUST
        found = R["TM006"].at(t.path, t.line, f"{t.id} is High and open")
        yield replace(found, severity=SHOULD) if draft else found
