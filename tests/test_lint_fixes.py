"""Regression tests for the lint false positives and misses found running ygs on real
projects (issue #15, section 3), each built from the document shape that showed it."""

from __future__ import annotations

from conftest import edit

PRD = "docs/prd/2026-01-10-alert-delivery.md"
TRD = "docs/trd/2026-01-12-alert-delivery.md"


def rules_at(ygs, root, path: str | None = None) -> list[tuple[str, int]]:
    found = ygs("check", "--json", "--fail-on", "never", cwd=root).json["findings"]
    return [(f["rule"], f["line"]) for f in found if path is None or f["path"] == path]


def test_wrapped_given_when_then_bullet_is_a_scenario(ygs, proj):
    edit(
        proj,
        PRD,
        "  - Given a P0 alert, when it is raised, then the on-call engineer receives it within "
        "500 ms.",
        "  - Given a P0 alert is raised at night\n    when the primary on-call is offline\n"
        "    then the secondary receives it within 500 ms.",
    )
    assert rules_at(ygs, proj) == []


def test_openspec_style_scenario_under_a_req_counts(ygs, proj):
    edit(
        proj,
        PRD,
        "- **Scenarios:**\n  - Given a P0 alert, when it is raised, then the on-call engineer "
        "receives it within 500 ms.\n",
        "\n#### Scenario: Alert raised\n- **WHEN** a P0 alert is raised\n"
        "- **THEN** the on-call engineer receives it within 500 ms\n",
    )
    assert "PRD009" not in {r for r, _ in rules_at(ygs, proj)}


def test_an_id_in_inline_code_is_not_a_reference(ygs, proj):
    edit(proj, PRD, "- None recorded.", "- New ids look like `REQ-123`; see REQ-777 too.")
    found = rules_at(ygs, proj)
    assert [r for r in found if r[0] == "ART005"] == [("ART005", 69)]  # REQ-777 only


def test_a_number_written_as_a_word_is_a_number(ygs, proj):
    edit(
        proj,
        PRD,
        "- 0 lost P0 alerts in the first 90 days.",
        "- Delivery is fast: within two seconds.\n- Recovery is quick and easy.",
    )
    assert [r for r in rules_at(ygs, proj) if r[0] == "PRD011"] == [("PRD011", 30)] * 2


def test_traceability_row_citing_another_prds_requirement(ygs, proj):
    (proj / "docs/prd/2026-01-11-billing.md").write_text(
        "---\nid: billing\ntype: prd\ntitle: Billing\nstatus: draft\ndate: 2026-01-11\n---\n"
        "# Billing\n\n## Requirements\n\n### REQ-009: Invoice\n- **Priority:** MUST (P0)\n"
        "- **Statement:** The system MUST email invoices.\n"
    )
    edit(
        proj,
        TRD,
        "| REQ-002 | D2 Outbox for alert events | no loss |\n",
        "| REQ-002 | D2 Outbox for alert events | no loss |\n| REQ-009 | D2 Outbox | reuse |\n",
    )
    assert ("TRD005", 33) in rules_at(ygs, proj, TRD)
    reqs = {r["id"]: r for r in ygs("trace", "--json", cwd=proj).json["requirements"]}
    assert reqs["REQ-009"]["decisions"] == []  # not a decision of the billing PRD's design
    assert reqs["REQ-002"]["decisions"]


def test_reference_links_and_anchors_are_checked(ygs, proj):
    edit(
        proj,
        PRD,
        "- None recorded.",
        "- See [the runbook][runbook], [the pager][pager] and [goals](#success-criteria).\n"
        "- Also [nowhere](#no-such-heading) and [TRD](../trd/2026-01-12-alert-delivery.md#nope).\n"
        "\n[runbook]: ../runbook.md\n[pager]: ../trd/2026-01-12-alert-delivery.md#decisions\n",
    )
    messages = [
        f["message"]
        for f in ygs("check", "--json", "--fail-on", "never", cwd=proj).json["findings"]
        if f["rule"] == "ART006"
    ]
    assert sorted(messages) == [
        "anchor #no-such-heading matches no heading in this file",
        "anchor #nope matches no heading in 2026-01-12-alert-delivery.md",
        "link target ../runbook.md not found",
    ]
    edit(proj, PRD, "[the pager][pager]", "[the pager][pagr]")
    found = ygs("check", "--json", "--fail-on", "never", cwd=proj).json["findings"]
    assert "link reference [pagr] is not defined" in [f["message"] for f in found]


PROSE_PRD = """---
id: exports
type: prd
title: Exports
status: approved
date: 2026-02-01
---
# Exports

## Requirements

### REQ-001: CSV export
The system MUST export every order as CSV within 5 minutes of the request.

### REQ-002: Export formats
Exports are available in several formats.
"""


def test_priority_is_inferred_and_unknown_counts_as_must(ygs, tmp_path):
    root = tmp_path / "p"
    (root / "docs/prd").mkdir(parents=True)
    (root / "docs/prd/2026-02-01-exports.md").write_text(PROSE_PRD)
    trace = ygs("trace", "--gate", "--json", cwd=root)
    reqs = {r["id"]: r for r in trace.json["requirements"]}
    assert reqs["REQ-001"]["priority"] == "MUST"  # from the statement's keyword
    assert reqs["REQ-002"]["priority"] == ""  # nothing to read it from
    assert trace.code == 1
    gated = {f["message"] for f in trace.json["gate"]["findings"]}
    assert "REQ-001 (MUST) has no task" in gated
    assert "REQ-002 (priority unknown, gated as MUST) has no task" in gated
    found = ygs("check", "--json", "--fail-on", "never", cwd=root).json["findings"]
    rules = {(f["rule"], f["line"]) for f in found}
    assert ("PRD006", 15) in rules and ("PRD006", 12) not in rules  # REQ-001's is known
    assert ("PRD007", 12) not in rules  # the prose carries MUST
