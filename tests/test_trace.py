"""`ygs trace`: the REQ -> decision -> task -> test -> commit graph, threats -> mitigations
-> tasks -> tests, the gate's exit codes, and the table/json/markdown/mermaid outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import edit, git

CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
TM = "docs/threat-models/2026-01-15-alert-delivery.md"
TASK3 = "tasks/backlog/TASK-003-rate-limit.md"
NEW_MUST = """
### REQ-004: Acknowledge from the phone
- **Priority:** MUST (P0)
- **Statement:** When the engineer taps acknowledge, the system MUST stop paging within 5 s.
- **Failure mode:** If the tap is lost, then the system MUST keep paging.
- **Scenarios:**
  - Given a page, when the engineer taps acknowledge, then paging stops within 5 s.

## Non-goals
"""


def nodes(data: dict, kind: str) -> dict[str, dict]:
    return {n["id"]: n for n in data[kind]}


def test_graph_of_the_clean_project(ygs, proj):
    result = ygs("trace", "--json", cwd=proj)
    assert result.code == 0
    data = result.json
    reqs = nodes(data, "requirements")
    assert reqs["REQ-001"]["priority"] == "MUST"
    assert reqs["REQ-001"]["decisions"] == ["alert-delivery: D1 Dedicated P0 worker pool"]
    assert reqs["REQ-001"]["tasks"] == ["TASK-001", "TASK-002"]
    assert reqs["REQ-001"]["tests"] == ["tests/alert_checks.py:4"]
    assert reqs["REQ-002"]["tasks"] == ["TASK-003"] and reqs["REQ-002"]["tests"] == []
    assert reqs["REQ-003"]["tasks"] == []
    threats = nodes(data, "threats")
    assert threats["THR-001"]["mitigations"] == ["MIT-001"]
    assert threats["THR-001"]["tasks"] == ["TASK-001"]
    assert threats["THR-001"]["tests"] == ["tests/alert_checks.py:9"]  # @pytest.mark.covers
    assert threats["THR-002"]["tasks"] == ["TASK-003"]
    coverage = data["coverage"]
    assert coverage["must_with_task"] == {"count": 1, "total": 1, "percent": 100.0}
    assert coverage["with_test"]["count"] == 1 and coverage["with_test"]["total"] == 3
    assert data["gate"] == {
        "enabled": False,
        "passed": True,
        "counts": {"MUST": 0, "SHOULD": 0, "MAY": 0},
        "findings": [],
    }


def test_gate_passes_on_the_clean_project(ygs, proj):
    result = ygs("trace", "--gate", cwd=proj)
    assert result.code == 0, result.stdout
    assert "Gate: passed." in result.stdout


def test_gate_fails_on_a_must_requirement_without_task_or_test(ygs, proj):
    edit(proj, PRD, "\n## Non-goals\n", NEW_MUST)
    assert ygs("trace", cwd=proj).code == 0  # without --gate it only reports
    result = ygs("trace", "--gate", "--json", cwd=proj)
    assert result.code == 1
    rules = sorted((f["rule"], f["message"]) for f in result.json["gate"]["findings"])
    assert rules == [
        ("TRC001", "REQ-004 (MUST) has no task"),
        ("TRC002", "REQ-004 (MUST) has no test"),
    ]
    assert result.json["gate"]["findings"][0]["path"] == PRD


def test_gate_fails_on_a_must_requirement_without_a_test(ygs, proj):
    edit(proj, "tests/alert_checks.py", "# covers: REQ-001\n", "")
    result = ygs("trace", "--gate", "--json", cwd=proj)
    assert result.code == 1
    assert [f["rule"] for f in result.json["gate"]["findings"]] == ["TRC002"]
    # a test that covers one of the requirement's tasks counts for the requirement
    (proj / "tests/web").mkdir()
    (proj / "tests/web/pool.test.js").write_text("// covers: TASK-002\ntest('pool', () => {});\n")
    assert ygs("trace", "--gate", cwd=proj).code == 0


def test_gate_fails_on_a_high_threat_without_mitigation(ygs, proj):
    edit(proj, TM, "| Pager | MIT-001 | mitigated |", "| Pager | - | open |")
    edit(
        proj,
        TM,
        "| MIT-001 | Signed requests per integration | THR-001 |",
        "| MIT-001 | Signed requests | - |",
    )
    result = ygs("trace", "--gate", "--json", cwd=proj)
    assert result.code == 1
    (finding,) = result.json["gate"]["findings"]
    assert finding["rule"] == "TRC003" and finding["path"] == TM
    edit(proj, TM, "| Pager | - | open |", "| Pager | - | accepted |")  # a recorded risk acceptance
    assert ygs("trace", "--gate", cwd=proj).code == 0


def test_gate_fails_on_a_task_that_satisfies_an_unknown_requirement(ygs, proj):
    edit(proj, TASK3, "satisfies: [REQ-002]", "satisfies: [REQ-002, REQ-077]")
    result = ygs("trace", "--gate", "--json", cwd=proj)
    assert result.code == 1
    (finding,) = result.json["gate"]["findings"]
    assert finding["rule"] == "TRC004" and finding["path"] == TASK3 and finding["line"] == 13
    assert "REQ-077" in finding["message"]


def test_superseded_prds_are_skipped_and_the_statuses_are_configurable(ygs, proj):
    edit(proj, PRD, "\n## Non-goals\n", NEW_MUST)
    edit(proj, PRD, "status: approved", "status: superseded")
    assert ygs("trace", "--gate", cwd=proj).code == 0
    edit(proj, PRD, "status: superseded", "status: draft")
    assert ygs("trace", "--gate", cwd=proj).code == 1
    config = proj / ".ygs/config.yaml"
    config.write_text(config.read_text() + "trace:\n  skip_statuses: [superseded, draft]\n")
    assert ygs("trace", "--gate", cwd=proj).code == 0


def test_malformed_artifacts_fail_the_gate(ygs, proj):
    (proj / "docs/prd/2026-02-01-broken.md").write_text("---\ntitle: [x\n---\n")
    result = ygs("trace", "--gate", "--json", cwd=proj)
    assert result.code == 1
    assert [f["rule"] for f in result.json["gate"]["findings"]] == ["ART001"]


def test_test_globs_are_configurable(ygs, proj):
    (proj / "checks").mkdir()
    shutil.move(proj / "tests/alert_checks.py", proj / "checks/alerts.py")
    reqs = nodes(ygs("trace", "--json", cwd=proj).json, "requirements")
    assert reqs["REQ-001"]["tests"] == []
    config = proj / ".ygs/config.yaml"
    config.write_text(config.read_text() + "trace:\n  tests: ['checks/**']\n")
    reqs = nodes(ygs("trace", "--json", cwd=proj).json, "requirements")
    assert reqs["REQ-001"]["tests"] == ["checks/alerts.py:4"]


def test_commits_that_mention_ids(ygs, repo):
    shutil.copytree(CLEAN, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "TASK-002: P0 worker pool\n\nRefs REQ-002.")
    sha = git(repo, "rev-parse", "HEAD")
    data = ygs("trace", "--json", cwd=repo).json
    reqs = nodes(data, "requirements")
    assert reqs["REQ-001"]["commits"] == [sha]  # through TASK-002
    assert reqs["REQ-002"]["commits"] == [sha]  # named directly
    assert reqs["REQ-003"]["commits"] == []
    assert data["commits_scanned"] == 1 and data["tests_scanned"] >= 1


def test_table_markdown_and_mermaid(ygs, proj):
    table = ygs("trace", cwd=proj).stdout
    assert "REQ-001" in table and "TASK-001, TASK-002" in table
    assert "MUST requirements with a task: 1/1 (100%)" in table
    markdown = ygs("trace", "--format", "markdown", cwd=proj).stdout
    assert markdown.startswith("# Traceability")
    assert "| Requirement | Priority | Prd |" in markdown and "| THR-001 | High |" in markdown
    mermaid = ygs("trace", "--format", "mermaid", cwd=proj).stdout
    assert mermaid.startswith("flowchart LR\n")
    assert "  REQ_001 --> TASK_001" in mermaid and "  THR_001 --> MIT_001" in mermaid
    assert '"' not in mermaid.replace('["', "").replace('"]', "").replace('("', "").replace(
        '")', ""
    ).replace('{"', "").replace('"}', "")


def test_gate_findings_in_ci_formats(ygs, proj, tmp_path):
    edit(proj, PRD, "\n## Non-goals\n", NEW_MUST)
    github = ygs("trace", "--gate", "--format", "github", cwd=proj)
    assert github.code == 1
    assert github.stdout.startswith(f"::error file={PRD},line=")
    out = tmp_path / "trace.sarif"
    sarif = ygs("trace", "--gate", "--format", "sarif", "--output", str(out), cwd=proj)
    assert sarif.code == 1 and '"TRC001"' in out.read_text()


def test_the_gate_fails_closed_on_an_empty_project(ygs, tmp_path):
    result = ygs("trace", "--gate", cwd=tmp_path)
    assert result.code == 1
    assert "No requirements yet" in result.stdout
    assert "TRC005" in result.stdout and "Gate: FAILED." in result.stdout
    assert "passed" not in result.stdout
    assert f"of {tmp_path}" in result.stdout and "openspec/" in result.stdout
    assert ygs("trace", cwd=tmp_path).code == 0  # without --gate it only reports
    assert ygs("trace", "--format", "mermaid", cwd=tmp_path).stdout.startswith("flowchart LR")
