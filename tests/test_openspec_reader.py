"""Edge cases of the OpenSpec spec reader, where its old line-loop fast path disagreed
with the heading tree (now the one reader): what counts as a section's content, and
the line a requirement's statement is on."""

from __future__ import annotations

from ygs.core.formats import openspec

SPEC = "openspec/specs/auth/spec.md"


def test_a_heading_after_a_section_is_not_its_content():
    parsed = openspec.parse(SPEC, "## Purpose\n# Auth Specification\n", "spec")
    (problem,) = parsed.problems
    assert problem.message == "missing or empty: ## Purpose, ## Requirements"


def test_an_empty_scenario_followed_by_a_sibling_is_skipped():
    text = "\n".join(
        [
            "# auth Specification",
            "## Purpose",
            "Owners learn about events within minutes instead of days, so fewer ship late.",
            "## Requirements",
            "### Requirement: User logs in",
            "The system SHALL let a user log in.",
            "#### Scenario: Empty",
            "#### Scenario: Valid credentials",
            "- **WHEN** a user submits valid credentials",
            "- **THEN** a session is created",
        ]
    )
    (req,) = openspec.parse(SPEC, text, "spec").reqs
    assert [(s.line, s.name) for s in req.scenarios] == [(8, "Valid credentials")]


def test_the_statement_line_skips_whitespace_only_lines():
    text = "## Purpose\nx\n## Requirements\n### Requirement: A\n   \nThe system SHALL log in.\n"
    (req,) = openspec.parse(SPEC, text, "spec").reqs
    assert (req.statement, req.statement_line) == ("The system SHALL log in.", 6)
