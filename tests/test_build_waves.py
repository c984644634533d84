"""`ygs implement --wave N --parallel K`: the ready tasks of a wave in their own worktrees,
on their own branches, with the user's work tree left exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

from agentkit import DONE, SUB_OPS, SUB_TESTS, claude_on_path, driven_project
from buildkit import write_task
from conftest import git

DIV = "def div(a, b):\n    return a / b\n"
SUBTRACT = {
    "sessions": [
        [
            {"write": "calc/ops.py", "content": SUB_OPS},
            {"write": "tests/test_ops.py", "content": SUB_TESTS},
            {"end": DONE},
        ]
    ]
}
DIV_TESTS = "from calc.div import div\n\n\ndef test_div():\n    assert div(6, 3) == 2\n"


def _tree(root) -> dict[str, str]:
    files = git(root, "ls-files", "-co", "--exclude-standard").splitlines()
    return {f: hashlib.sha1((root / f).read_bytes()).hexdigest() for f in files}


def test_a_wave_of_two_independent_tasks_in_two_worktrees(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    write_task(root, 3, "Divide", ["calc/div.py"], priority="P1")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "TASK-003")
    (root / "notes.txt").write_text("the user's own work in progress\n")  # untracked
    (root / "README.md").write_text("# demo, edited by the user\n")  # modified
    before = (git(root, "status", "--porcelain"), git(root, "rev-parse", "HEAD"), _tree(root))
    scripts = {
        "tasks": {
            "TASK-001": SUBTRACT,
            "TASK-003": {
                "sessions": [
                    [
                        {"write": "calc/div.py", "content": DIV},
                        {"write": "tests/test_div.py", "content": DIV_TESTS},
                        {"end": {**DONE, "task": "TASK-003"}},
                    ]
                ]
            },
        }
    }
    claude_on_path(tmp_path, monkeypatch, scripts)
    wave = ygs(
        "implement", "--wave", "1", "--parallel", "2", "--executor", "claude-code", "--json",
        cwd=root,
    )  # fmt: skip
    assert wave.code == 0, wave.stderr
    data = wave.json
    assert [t["task"] for t in data["tasks"]] == ["TASK-001", "TASK-003"]
    assert data["done"] == ["TASK-001", "TASK-003"]
    branches = [t["branch"] for t in data["tasks"]]
    assert branches[0].startswith("ygs/TASK-001-subtract-")
    assert branches[1].startswith("ygs/TASK-003-divide-")
    for branch, path in zip(branches, ("calc/ops.py", "calc/div.py"), strict=True):
        assert "def " in git(root, "show", f"{branch}:{path}")
        assert "Ygs-Checkpoint: 1" in git(root, "log", "-3", "--format=%B", branch)
    # the user's work tree: the same branch, the same files, the same changes
    assert git(root, "branch", "--show-current") == "main"
    after = (git(root, "status", "--porcelain"), git(root, "rev-parse", "HEAD"), _tree(root))
    assert after == before
    assert (root / "tasks/backlog/TASK-001-subtract.md").exists()  # main is not the run's branch
    # DONE runs: the evidence copied home, the worktrees removed
    for item in data["tasks"]:
        assert item["worktree"] is None
        assert (root / ".ygs/runs" / item["run"] / "result.json").exists()
    assert "worktree" not in git(root, "worktree", "list").split("\n", 1)[-1]


def test_a_wave_needs_an_executor_and_a_ready_task(tmp_path, ygs):
    root = driven_project(tmp_path / "calc")
    manual = ygs("implement", "--wave", "1", cwd=root)
    assert manual.code == 2 and "needs an executor" in manual.stderr
    empty = ygs("implement", "--wave", "7", "--executor", "claude-code", cwd=root)
    assert empty.code == 3 and "no ready task in wave 7" in empty.stderr


def test_a_task_that_stops_keeps_its_worktree_and_sets_the_exit_code(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    write_task(root, 3, "Divide", ["calc/div.py"], priority="P1")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "TASK-003")
    needs = {"status": "NEEDS_INPUT", "task": "TASK-003", "reason": "which rounding?"}
    scripts = {
        "tasks": {
            "TASK-001": SUBTRACT,
            "TASK-003": {"sessions": [[{"end": needs}]]},
        }
    }
    claude_on_path(tmp_path, monkeypatch, scripts)
    wave = ygs("implement", "--wave", "1", "--parallel", "1", "--executor", "claude-code", cwd=root)
    assert wave.code == 3, wave.stderr
    assert "wave 1: 1 of 2 tasks done" in wave.stdout
    kept = [line for line in wave.stdout.splitlines() if "worktree kept" in line]
    assert len(kept) == 1 and "TASK-003" in kept[0]
    path = kept[0].split("worktree kept: ", 1)[1].split(":", 1)[0].strip()
    assert (root / ".ygs" / "worktrees").resolve() in map(
        lambda p: p.resolve(), [Path(path).parent]
    )
    assert git(root, "branch", "--show-current") == "main"
