"""`ygs task new`, `task list`, `task show`: ids allocated, sizes computed, ready tasks."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, make_repo
from ygs.core import frontmatter
from ygs.plan import tasks as store
from ygs.project import Project


@pytest.fixture
def root(tmp_path, ygs):
    root = make_repo(tmp_path / "repo")
    ygs("init", cwd=root)
    assert (
        ygs("refine-prd", "--answers", str(REPO / "tests/data/plan/prd.yaml"), cwd=root).code == 0
    )
    (root / "src").mkdir()
    for name in ("a.py", "b.py", "c.py", "d.py"):
        (root / "src" / name).write_text("")
    return root


def new(ygs, root, *args):
    result = ygs("task", "new", *args, "--json", cwd=root)
    assert result.code == 0, result.stderr
    return result.json


def test_new_allocates_ids_computes_size_and_priority(ygs, root):
    first = new(ygs, root, "Send the reminder", "--satisfies", "REQ-001", "--files", "src/*.py")
    assert (
        first["id"] == "TASK-001" and first["path"] == "tasks/backlog/TASK-001-send-the-reminder.md"
    )
    assert first["planned_files"] == ["src/a.py", "src/b.py", "src/c.py", "src/d.py"]
    assert first["size"] == "M" and first["size_class"] == "standard" and first["priority"] == "P0"
    second = new(
        ygs, root, "Route by rule", "--satisfies", "req-004", "--depends-on", "TASK-001",
        "--files", "src/routing.py", "--lines", "80", "--points", "3", "--mode", "hitl",
        "--estimate", "1,2,4",
    )  # fmt: skip
    meta = frontmatter.parse((root / second["path"]).read_text()).meta
    assert second["id"] == "TASK-002" and meta["priority"] == "P1" and meta["mode"] == "HITL"
    assert meta["depends_on"] == ["TASK-001"] and meta["satisfies"] == ["REQ-004"]
    assert meta["size"] == "S" and meta["planned_lines"] == 80 and meta["wave"] is None
    assert meta["estimate"] == {"best": 1.0, "likely": 2.0, "worst": 4.0}
    assert meta["prd"] == "overdue-invoice-reminders"
    task = store.find(Project.at(root).catalog, "TASK-002")
    assert task.size_class == "light" and task.estimate == (1.0, 2.0, 4.0)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["Thing", "--satisfies", "REQ-404"], "REQ-404"),
        (["Thing", "--depends-on", "TASK-404"], "TASK-404"),
        (["Thing", "--mode", "sometimes"], "AFK or HITL"),
        (["Thing", "--estimate", "5,2,9"], "inverted"),
        (["Thing", "--estimate", "1,2"], "best,likely,worst"),
        (["  "], "title is empty"),
    ],
)
def test_new_refuses_bad_input(ygs, root, args, text):
    result = ygs("task", "new", *args, cwd=root)
    assert result.code == 2 and text in result.stderr + result.stdout
    assert not list((root / "tasks").rglob("*.md"))


def test_list_and_show(ygs, root):
    new(ygs, root, "Outbox", "--satisfies", "REQ-002", "--points", "3")
    new(ygs, root, "Pool", "--satisfies", "REQ-001", "--depends-on", "TASK-001")
    new(ygs, root, "Logo", "--satisfies", "REQ-005")
    listed = ygs("task", "list", "--json", cwd=root).json
    assert [t["id"] for t in listed["tasks"]] == ["TASK-001", "TASK-002", "TASK-003"]
    assert listed["next"] == "TASK-001"
    ready = ygs("task", "list", "--ready", "--json", cwd=root).json
    assert [t["id"] for t in ready["tasks"]] == ["TASK-001", "TASK-003"]  # P0 before P2
    wave2 = ygs("task", "list", "--wave", "2", "--json", cwd=root).json
    assert [t["id"] for t in wave2["tasks"]] == ["TASK-002"]
    assert ygs("task", "list", "--status", "done", "--json", cwd=root).json["tasks"] == []
    assert ygs("task", "list", "--status", "finished", cwd=root).code == 2
    show = ygs("task", "show", "task-002", "--json", cwd=root).json
    assert show["waiting_on"] == ["TASK-001"] and show["wave"] == 2 and show["ready"] is False
    assert show["size_class"] == "light" and show["text"].startswith("---\nid: TASK-002")
    human = ygs("task", "show", "TASK-001", cwd=root).stdout
    assert "blocks TASK-002" in human and "ready to start" in human
    assert ygs("task", "show", "TASK-404", cwd=root).code == 2
