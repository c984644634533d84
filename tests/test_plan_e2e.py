"""The planning half on a real project, as a new user would run it:
init → refine-prd → refine-trd → wbs → wbs plan → estimate → trace --gate,
with the answers files checked in under tests/data/plan/."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, git, make_repo
from ygs.core import frontmatter

DATA = REPO / "tests" / "data" / "plan"


@pytest.fixture
def planned(tmp_path, ygs):
    root = make_repo(tmp_path / "repo")
    assert ygs("init", cwd=root).code == 0
    for command, name in (("refine-prd", "prd"), ("refine-trd", "trd")):
        result = ygs(command, "--answers", str(DATA / f"{name}.yaml"), cwd=root)
        assert result.code == 0, result.stderr
    status = ygs("status", "--json", cwd=root).json
    assert status["next"]["command"] == "ygs wbs"
    result = ygs("wbs", "--answers", str(DATA / "wbs.yaml"), "--json", cwd=root)
    assert result.code == 0, result.stderr
    return root, result.json


def test_the_whole_planning_flow(planned, ygs):
    root, wrote = planned
    assert [t["id"] for t in wrote["tasks"]] == ["TASK-001", "TASK-002", "TASK-003", "TASK-004"]
    assert wrote["decomposition"] == ".ygs/wbs/alert-delivery.yaml"
    # the files: ids allocated, keys resolved, sizes and waves computed
    meta = {t["id"]: frontmatter.parse((root / t["path"]).read_text()).meta for t in wrote["tasks"]}
    assert meta["TASK-002"]["depends_on"] == ["TASK-001"]
    assert meta["TASK-004"]["depends_on"] == ["TASK-002", "TASK-003"]
    assert [meta[i]["wave"] for i in sorted(meta)] == [1, 2, 2, 3]
    assert {m["size"] for m in meta.values()} == {"S"}
    assert meta["TASK-001"]["priority"] == "P0" and meta["TASK-004"]["priority"] == "P1"
    assert ygs("check", "tasks", cwd=root).code == 0

    plan = ygs("wbs", "plan", "--json", cwd=root)
    assert plan.code == 0, plan.stderr
    data = plan.json
    assert data["critical_path"]["tasks"] == ["TASK-001", "TASK-002", "TASK-004"]
    assert data["critical_path"]["basis"] == "points" and data["critical_path"]["weight"] == 10
    assert data["ready"] == ["TASK-001"] and data["next"] == "TASK-001"
    assert data["peak_parallelism"] == {"wave": 2, "tasks": 2}
    assert data["uncovered"] == [] and data["cycles"] == []
    slack = {t["id"]: t["slack"] for t in data["tasks"]}
    assert slack == {"TASK-001": 0, "TASK-002": 0, "TASK-003": 2, "TASK-004": 0}

    estimate = ygs("estimate", "--answers", str(DATA / "estimate.yaml"), "--json", cwd=root)
    assert estimate.code == 0, estimate.stderr
    text = (root / estimate.json["path"]).read_text()
    assert "**Effort:** 55.4-65.4 engineer-days, expected 60.4" in text

    (root / "tests").mkdir()
    (root / "tests" / "test_alerts.py").write_text(
        "# covers: REQ-001\n# covers: REQ-002\n# covers: REQ-003\n"
    )
    gate = ygs("trace", "--gate", cwd=root)
    assert gate.code == 0, gate.stdout + gate.stderr

    status = ygs("status", "--json", cwd=root).json
    assert status["plan"]["critical_path"] == ["TASK-001", "TASK-002", "TASK-004"]
    assert status["plan"]["next_ready"] == "TASK-001"
    assert status["waves"]["2"]["backlog"] == 2
    human = ygs("status", cwd=root).stdout
    assert "critical path: TASK-001 → TASK-002 → TASK-004" in human and "ready: TASK-001" in human


def test_the_trace_gate_fails_closed_without_tasks(tmp_path, ygs):
    root = make_repo(tmp_path / "repo")
    ygs("init", cwd=root)
    ygs("refine-prd", "--answers", str(DATA / "prd.yaml"), cwd=root)
    assert ygs("trace", "--gate", cwd=root).code == 1


def test_wbs_plan_write_changes_only_the_wave(planned, ygs):
    root, wrote = planned
    path = root / wrote["tasks"][2]["path"]
    text = path.read_text()
    edited = text.replace("wave: 2", "wave: 9  # stale, by hand").replace(
        "## Notes\n", "## Notes\n\n<!-- my own note -->\n"
    )
    path.write_text(edited)
    result = ygs("wbs", "plan", "--write", "--json", cwd=root)
    assert result.code == 0
    assert result.json["written"] == [wrote["tasks"][2]["path"]]
    assert path.read_text() == edited.replace("wave: 9  # stale", "wave: 2  # stale")


def test_the_offline_draft_covers_every_requirement(tmp_path, ygs):
    root = make_repo(tmp_path / "repo")
    ygs("init", cwd=root)
    ygs("refine-prd", "--answers", str(DATA / "prd.yaml"), cwd=root)
    result = ygs("wbs", "--non-interactive", "--json", cwd=root)
    assert result.code == 0, result.stderr
    satisfied = set()
    for task in result.json["tasks"]:
        satisfied |= set(frontmatter.parse((root / task["path"]).read_text()).meta["satisfies"])
    assert satisfied == {"REQ-001", "REQ-002", "REQ-003", "REQ-004", "REQ-005"}
    assert result.json["plan"]["uncovered"] == []
    again = ygs("wbs", "--non-interactive", cwd=root)
    assert again.code == 0 and "already has a task" in again.stdout
    git(root, "status")


def test_the_draft_is_reviewed_in_a_terminal(tmp_path, ygs):
    from tests.pty_driver import Interview

    root = make_repo(tmp_path / "repo")
    ygs("init", cwd=root)
    for command, name in (("refine-prd", "prd"), ("refine-trd", "trd")):
        assert ygs(command, "--answers", str(DATA / f"{name}.yaml"), cwd=root).code == 0
    session = Interview(["wbs", "--offline"], cwd=root)
    session.answer(
        {"tasks[0].title": "Run P0 reminders on their own pool", "tasks[1].goal": "done"}
    )
    assert session.finish() == 0, session.transcript
    assert "tasks[0].planned_files" in session.keys and "tasks[2].title" not in session.keys
    written = sorted((root / "tasks" / "backlog").glob("TASK-*.md"))
    assert len(written) == 5  # `done` keeps the rest of the draft as drafted
    first = frontmatter.parse(written[0].read_text())
    assert first.meta["title"] == "Run P0 reminders on their own pool"
    assert first.meta["satisfies"] == ["REQ-001"] and first.meta["wave"] == 1
