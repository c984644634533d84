"""`ygs status`: useful on an empty project and on a full one; waves, blocked tasks,
traceability coverage, open threats, the last review and the next skill."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import edit, ygs_executable

CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
TM = "docs/threat-models/2026-01-15-alert-delivery.md"


def review(root: Path, payload) -> None:
    runs = root / ".ygs" / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    text = payload if isinstance(payload, str) else json.dumps(payload)
    (runs / "last-review.json").write_text(text)


def move_all_tasks_to_done(root: Path) -> None:
    for task in (root / "tasks").rglob("TASK-*.md"):
        if task.parent.name != "done":
            text = task.read_text()
            for status in ("backlog", "in-progress"):
                text = text.replace(f"status: {status}\n", "status: done\n")
            (root / "tasks/done" / task.name).write_text(text)
            task.unlink()


def test_status_on_an_empty_folder(ygs, tmp_path):
    result = ygs("status", "--json", cwd=tmp_path)
    assert result.code == 0
    data = result.json
    assert data["initialised"] is False
    assert data["tasks"] == {"backlog": 0, "in-progress": 0, "done": 0}
    assert data["waves"] == {} and data["blocked"] == [] and data["open_threats"] == []
    assert data["traceability"]["requirements"] == 0 and data["last_review"] is None
    assert data["next"]["command"] == "ygs refine-prd"
    text = ygs("status", cwd=tmp_path).stdout
    assert "not initialised" in text and "no requirements yet" in text
    assert "Next: ygs refine-prd" in text


def test_status_on_a_full_project(ygs, proj):
    data = ygs("status", "--json", cwd=proj).json
    assert data["artifacts"]["adr"] == {"accepted": 1, "superseded": 1}
    assert data["tasks"] == {"backlog": 1, "in-progress": 1, "done": 1}
    assert data["waves"] == {
        "1": {"backlog": 0, "in-progress": 0, "done": 1},
        "2": {"backlog": 0, "in-progress": 1, "done": 0},
        "3": {"backlog": 1, "in-progress": 0, "done": 0},
    }
    assert data["blocked"] == [{"id": "TASK-003", "waiting_on": ["TASK-002"]}]
    assert data["traceability"]["must_with_task"]["percent"] == 100.0
    assert data["traceability"]["must_with_test"]["percent"] == 100.0
    assert data["open_threats"] == []
    assert data["next"]["skill"] == "ygs-implement"
    text = ygs("status", cwd=proj).stdout
    for expected in (
        "Artifacts",
        "wave 3: backlog 1",
        "blocked: TASK-003 waits on TASK-002",
        "MUST requirements with a task 1/1 (100%)",
        "Open threats:\n  none",
        "no review yet",
        "Next: ygs implement",
    ):
        assert expected in text, expected


def test_open_threats_and_unplanned_high_threats(ygs, proj):
    edit(proj, TM, "| Pager | MIT-001 | mitigated |", "| Pager | MIT-009 | open |")
    edit(proj, TM, "| Signed requests per integration | THR-001 |", "| Signed requests | - |")
    data = ygs("status", "--json", cwd=proj).json
    (threat,) = data["open_threats"]
    assert threat["id"] == "THR-001" and threat["priority"] == "High" and threat["path"] == TM
    assert data["traceability"]["open_high_threats"] == 1
    assert data["next"]["command"] == "ygs wbs" and "THR-001" in data["next"]["reason"]


def test_last_review_verdict(ygs, proj):
    review(
        proj,
        {
            "verdict": "REQUEST_CHANGES",
            "counts": {"MUST": 2, "SHOULD": 1, "MAY": 0},
            "time": "2026-01-20T10:00:00Z",
        },
    )
    data = ygs("status", "--json", cwd=proj).json
    assert data["last_review"]["verdict"] == "REQUEST_CHANGES"
    assert data["next"]["command"] == "ygs review" and "2 MUST" in data["next"]["reason"]
    text = ygs("status", cwd=proj).stdout
    assert "REQUEST_CHANGES (MUST 2, SHOULD 1, MAY 0) at 2026-01-20T10:00:00Z" in text
    review(proj, {"verdict": "APPROVE", "counts": {}, "time": "2026-01-21T10:00:00Z"})
    assert ygs("status", "--json", cwd=proj).json["next"]["skill"] == "ygs-implement"


def test_an_unreadable_review_file_is_reported_not_fatal(ygs, proj):
    review(proj, "{not json")
    result = ygs("status", cwd=proj)
    assert result.code == 0 and "last-review.json is unreadable" in result.stdout
    review(proj, "[1, 2]")
    assert "has no verdict" in ygs("status", "--json", cwd=proj).json["last_review"]["error"]


def test_next_skill_follows_the_gaps(ygs, proj):
    edit(proj, "tasks/backlog/TASK-003-rate-limit.md", "satisfies: [REQ-002]", "satisfies: []")
    edit(proj, PRD, "- **Priority:** SHOULD (P1)", "- **Priority:** MUST (P0)")
    edit(proj, PRD, "the system SHOULD batch", "the system MUST batch")
    nxt = ygs("status", "--json", cwd=proj).json["next"]
    assert nxt["command"] == "ygs wbs" and "REQ-002" in nxt["reason"]
    edit(proj, "tasks/backlog/TASK-003-rate-limit.md", "satisfies: []", "satisfies: [REQ-002]")
    move_all_tasks_to_done(proj)
    nxt = ygs("status", "--json", cwd=proj).json["next"]
    assert nxt["command"] == "ygs qa" and "REQ-002" in nxt["reason"]  # done, but untested


def test_status_renders_panels_on_a_terminal(proj):
    pexpect = pytest.importorskip("pexpect")
    exe = ygs_executable()
    child = pexpect.spawn(
        exe[0],
        [*exe[1:], "status"],
        cwd=str(proj),
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 100),
    )
    child.expect(pexpect.EOF)
    output = child.before
    assert "╭" in output and "Traceability" in output and "Next: ygs implement" in output
