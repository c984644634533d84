"""A small real Python project with pytest, in a real git repository, for the build loop."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from conftest import git, make_repo

PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider"

OPS = "def add(a, b):\n    return a + b\n"
TEST_OPS = "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"

TASK = """\
---
id: {id}
type: task
title: {title}
status: backlog
priority: {priority}
size: {size}
depends_on: {deps}
planned_files: {planned}
---

# {id}: {title}

## Goal

{title}.

## Acceptance criteria

- [ ] it works
"""


def write_task(
    root: Path,
    number: int,
    title: str,
    planned: list[str],
    *,
    deps: list[str] = (),
    priority: str = "P1",
    size: str = "S",
) -> str:
    tid = f"TASK-{number:03d}"
    slug = title.lower().replace(" ", "-")
    rel = f"tasks/backlog/{tid}-{slug}.md"
    text = TASK.format(
        id=tid,
        title=title,
        priority=priority,
        size=size,
        deps=json.dumps(list(deps)),
        planned=json.dumps(planned),
    )
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
    return rel


def calc_project(path: Path, *, test_command: str | None = PYTEST) -> Path:
    """calc/ops.py with a passing test, a config naming the test command, two tasks:
    TASK-001 (plans calc/ops.py) and TASK-002 (depends on TASK-001)."""
    root = make_repo(path)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "calc"\nversion = "0.1"\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    )
    (root / ".gitignore").write_text("__pycache__/\n*.pyc\n")
    (root / "calc").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "ops.py").write_text(OPS)
    (root / "tests").mkdir()
    (root / "tests" / "test_ops.py").write_text(TEST_OPS)
    (root / ".ygs").mkdir()
    command = "null" if test_command is None else json.dumps(test_command)
    (root / ".ygs" / "config.yaml").write_text(f"commands:\n  test: {command}\n")
    write_task(root, 1, "Subtract", ["calc/ops.py"], priority="P0")
    write_task(root, 2, "Multiply", ["calc/ops.py"], deps=["TASK-001"])
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "calc project")
    return root


def add_sub(root: Path, *, correct: bool = True) -> None:
    """The TASK-001 change: sub() and its test (a wrong sub() when not `correct`)."""
    op = "-" if correct else "+"
    with open(root / "calc" / "ops.py", "a") as handle:
        handle.write(f"\n\ndef sub(a, b):\n    return a {op} b\n")
    with open(root / "tests" / "test_ops.py", "a") as handle:
        handle.write(
            "\n\ndef test_sub():\n    from calc.ops import sub\n\n    assert sub(3, 1) == 2\n"
        )


def fix_sub(root: Path) -> None:
    """Make the wrong sub() of `add_sub(correct=False)` right."""
    path = root / "calc" / "ops.py"
    text = path.read_text()
    cut = text.rindex("return a + b")
    path.write_text(text[:cut] + "return a - b\n")


def run_json(root: Path) -> dict:
    found = sorted((root / ".ygs" / "runs").glob("TASK-*/run.json"))
    assert found, "no run folder"
    return json.loads(found[-1].read_text())


def records(root: Path) -> list[dict]:
    run = run_json(root)
    path = root / ".ygs" / "runs" / run["id"] / "checkpoints.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def snapshot(root: Path, paths: list[str]) -> dict[str, bytes | None]:
    return {p: (root / p).read_bytes() if (root / p).exists() else None for p in paths}


def gone(pid: int, wait: float = 10.0) -> bool:
    """Has process `pid` ended (a zombie counts as ended) within `wait` seconds?"""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split()[2] == "Z":
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
