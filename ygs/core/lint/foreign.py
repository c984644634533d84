"""Rules for OpenSpec and spec-kit documents, read in place.

The format parsers (`ygs.core.formats`) find the problems while they read a file; this
family turns them into findings, and applies the vague-word rule (PRD011) to foreign
requirement statements.
"""

from __future__ import annotations

from collections.abc import Iterator

from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity

F = "foreign"
MUST, SHOULD = Severity.MUST, Severity.SHOULD
OS, SK = ("openspec",), ("spec-kit",)

RULES = (
    Rule(
        "OSP001",
        MUST,
        "an OpenSpec spec has a Purpose and a Requirements section with requirements",
        "spec without Purpose or Requirements",
        "add `## Purpose` (a sentence or two) and `## Requirements` with "
        "`### Requirement: <name>` blocks",
        """OpenSpec reads a capability spec through its `## Purpose` and `## Requirements`
        headings; `openspec validate` rejects a spec without them, and a spec without
        requirements specifies nothing.""",
        F,
        OS,
    ),
    Rule(
        "OSP002",
        MUST,
        "an OpenSpec requirement says SHALL or MUST in its body",
        "requirement without SHALL or MUST",
        "state the requirement in its body (not only the heading) with SHALL or MUST",
        """OpenSpec treats a requirement as normative only when its text carries SHALL or
        MUST; the keyword tells testers the behaviour is mandatory.""",
        F,
        OS,
    ),
    Rule(
        "OSP003",
        MUST,
        "every OpenSpec requirement has a `#### Scenario:`",
        "requirement without a scenario",
        "add `#### Scenario: <name>` with `- **WHEN** …` and `- **THEN** …` bullets",
        """A scenario is the requirement's acceptance test in words; OpenSpec rejects
        requirements without one, and the scenario is what a test later covers.""",
        F,
        OS,
    ),
    Rule(
        "OSP004",
        SHOULD,
        "an OpenSpec scenario has WHEN and THEN steps",
        "scenario without WHEN/THEN",
        "write the scenario as `- **WHEN** <condition>` and `- **THEN** <observable result>`",
        """A scenario without a condition and an observable result cannot be turned into a
        test.""",
        F,
        OS,
    ),
    Rule(
        "OSP005",
        SHOULD,
        "an OpenSpec spec's Purpose says what the capability is for",
        "Purpose too brief",
        "write one or two sentences (50 characters or more) on what the capability is for",
        """OpenSpec warns about a Purpose under 50 characters: readers and agents use it to
        decide whether a requirement belongs in this capability.""",
        F,
        OS,
    ),
    Rule(
        "OSP006",
        MUST,
        "an OpenSpec delta spec has ADDED/MODIFIED/REMOVED/RENAMED sections OpenSpec can read",
        "delta OpenSpec cannot read",
        "use `## ADDED Requirements` (or MODIFIED, REMOVED, RENAMED) with "
        "`### Requirement: <name>` blocks",
        """OpenSpec applies a change by merging its delta specs into the main specs; a
        heading it does not recognise is skipped silently, and the requirement never
        reaches the spec.""",
        F,
        OS,
    ),
    Rule(
        "OSP007",
        MUST,
        "an OpenSpec proposal has Why and What Changes",
        "proposal without Why or What Changes",
        "add `## Why` (the motivation) and `## What Changes` (the list of changes)",
        """The proposal is what reviewers approve; without the motivation and the list of
        changes there is nothing to approve.""",
        F,
        OS,
    ),
    Rule(
        "SKT001",
        MUST,
        "every spec-kit requirement states MUST, SHOULD or MAY",
        "requirement without an RFC 2119 keyword",
        "write `- **FR-001**: System MUST …` (or SHOULD, MAY)",
        """The keyword says how binding the requirement is; without one it is a wish and
        the trace gate cannot tell what it must enforce (it treats it as MUST).""",
        F,
        SK,
    ),
    Rule(
        "SKT002",
        SHOULD,
        "no `[NEEDS CLARIFICATION: …]` marker is left",
        "open question",
        "answer the question (`/speckit.clarify`) and replace the marker with the decision",
        """A clarification marker is an open question in the spec: code built before it is
        answered builds a guess.""",
        F,
        SK,
    ),
    Rule(
        "SKT003",
        MUST,
        "every spec-kit user story has a Given/When/Then acceptance scenario",
        "user story without an acceptance scenario",
        "add `**Acceptance Scenarios**:` with `1. **Given** …, **When** …, **Then** …`",
        """spec-kit user stories are independently testable slices; the acceptance
        scenario is how they are tested.""",
        F,
        SK,
    ),
    Rule(
        "SKT004",
        MUST,
        "spec-kit task dependencies name tasks in the list",
        "dependency on an unknown task",
        "point `depends on` at a T-number in this tasks.md, or remove it",
        """A dependency on a task that does not exist can never be satisfied, so the
        dependent task looks blocked forever.""",
        F,
        SK,
    ),
    Rule(
        "SKT005",
        SHOULD,
        "every spec-kit success criterion carries a number",
        "success criterion without a number",
        "give it a target and a window: 'SC-001: 90% of sign-ups finish within 2 minutes'",
        """A success criterion without a number cannot fail, so it measures nothing.""",
        F,
        SK,
    ),
)
R = {r.id: r for r in RULES}


def check(ctx) -> Iterator[Finding]:
    from ygs.core.lint.prd import vague

    for artifact in ctx.mine():
        parsed = artifact.parsed
        if parsed is None:
            continue
        for problem in parsed.problems:
            yield R[problem.rule].at(artifact.path, problem.line, problem.message)
        statements = [(r.statement_line, r.statement) for r in parsed.reqs if r.statement]
        if statements:
            yield from vague(artifact.path, statements)
