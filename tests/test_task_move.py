"""`ygs task move`: folder = status, git history follows, rules refuse with exit 3."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, make_repo

from ygs.plan import tasks as store

TASK = """\
---
id: {id}
type: task
title: {title}
status: {status}   # the folder is the truth
priority: P0
depends_on: {deps}
planned_files: [src/a.py]
---

# {id}: {title}

## Goal

Do it.

## Execution log

<!-- deviations -->
"""


def write_task(root: Path, status: str, number: int, deps: str = "[]") -> str:
    tid = f"TASK-{number:03d}"
    rel = f"tasks/{status}/{tid}-thing-{number}.md"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TASK.format(id=tid, title=f"Thing {number}", status=status, deps=deps))
    return rel


def project(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "p")
    (root / ".ygs").mkdir()
    (root / ".ygs" / "config.yaml").write_text("{}\n")
    return root


def test_move_uses_git_mv_and_keeps_the_rest_of_the_file(tmp_path, ygs):
    root = project(tmp_path)
    rel = write_task(root, "backlog", 1)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "task")
    before = (root / rel).read_text()
    result = ygs("task", "move", "TASK-001", "in-progress", "--json", cwd=root)
    assert result.code == 0, result.stderr
    new = "tasks/in-progress/TASK-001-thing-1.md"
    assert result.json["path"] == new
    assert not (root / rel).exists()
    after = (root / new).read_text()
    assert after == before.replace("status: backlog   #", "status: in-progress   #")
    staged = git(root, "diff", "--cached", "--name-status", "-M")
    assert staged.startswith("R") and new in staged


def test_move_to_in_progress_waits_for_dependencies(tmp_path, ygs):
    root = project(tmp_path)
    write_task(root, "backlog", 1)
    write_task(root, "backlog", 2, deps="[TASK-001]")
    result = ygs("task", "move", "TASK-002", "in-progress", cwd=root)
    assert result.code == 3
    assert "TASK-001" in result.stderr
    assert (root / "tasks/backlog/TASK-002-thing-2.md").exists()


def test_done_needs_a_green_checkpoint_or_a_forced_reason(tmp_path, ygs):
    root = project(tmp_path)
    write_task(root, "in-progress", 1)
    refused = ygs("task", "move", "TASK-001", "done", cwd=root)
    assert refused.code == 3
    assert "checkpoint" in refused.stderr
    no_reason = ygs("task", "move", "TASK-001", "done", "--force", cwd=root)
    assert no_reason.code == 2
    forced = ygs(
        "task", "move", "TASK-001", "done", "--force", "--reason", "verified by hand", cwd=root
    )
    assert forced.code == 0, forced.stderr
    text = (root / "tasks/done/TASK-001-thing-1.md").read_text()
    assert "- moved in-progress → done (forced): verified by hand" in text
    assert text.index("## Execution log") < text.index("verified by hand")


def test_a_green_checkpoint_record_allows_done(tmp_path, ygs):
    root = project(tmp_path)
    write_task(root, "in-progress", 1)
    run = root / ".ygs/runs/r1"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"task": "TASK-001"}))
    lines = [
        {"n": 1, "green": False, "commit": "", "time": "2026-01-01T00:00:00", "files": []},
        {"n": 2, "green": True, "commit": "abc", "time": "2026-01-01T00:01:00", "files": []},
    ]
    (run / "checkpoints.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n{torn")
    assert store.latest_checkpoint(root, "task-001").n == 2
    assert ygs("task", "move", "TASK-001", "done", cwd=root).code == 0


def test_unknown_task_and_status_are_usage_errors(tmp_path, ygs):
    root = project(tmp_path)
    write_task(root, "backlog", 1)
    assert ygs("task", "move", "TASK-009", "done", cwd=root).code == 2
    bad = ygs("task", "move", "TASK-001", "doing", cwd=root)
    assert bad.code == 2 and "backlog, in-progress, done" in bad.stderr


def test_set_status_adds_a_missing_line_and_leaves_bodies_alone():
    text = "---\nid: TASK-001\n---\nstatus: not frontmatter\n"
    assert store.set_status(text, "done") == "---\nid: TASK-001\nstatus: done\n---\n" + (
        "status: not frontmatter\n"
    )
    assert store.set_status("no frontmatter\n", "done") == "no frontmatter\n"


def test_append_log_creates_the_section_and_keeps_following_sections(tmp_path):
    path = tmp_path / "t.md"
    path.write_text("# T\n")
    store.append_log(tmp_path, "t.md", "first")
    assert path.read_text() == "# T\n\n## Execution log\n\n- first\n"
    path.write_text("# T\n\n## Execution log\n\n- a\n\n## After\n\nkept\n")
    store.append_log(tmp_path, "t.md", "b  with\nnewline")
    assert (
        path.read_text() == "# T\n\n## Execution log\n\n- a\n- b with newline\n\n## After\n\nkept\n"
    )
