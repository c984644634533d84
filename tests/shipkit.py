"""A tiny real project for the close of the loop (qa, uat, sync, ship, retro, learn), in a
real git repository with a bare remote, and a fake `gh` on PATH that records its calls."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from tests.conftest import git, make_repo

PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider"

PRD = """\
---
id: calculator
type: prd
title: Calculator
status: approved
date: 2026-01-10
---
# Calculator

## Problem

Bookkeepers re-type the same sums into a desk calculator twenty times a day.

## Pain

- **What is broken:** every difference is computed by hand.
- **Who feels it:** the 6 bookkeepers of the finance team.
- **How often:** about 20 times a day each.
- **What it costs:** 30 minutes a day per person.
- **Why now:** the quarter closes in 3 weeks.

## Target users

- Bookkeepers (6 people)

## Success criteria

- 100% of differences computed by the tool within 1 s, measured at quarter close.

## Capabilities

| Capability | Change | Notes |
|---|---|---|
| Subtraction | New | the first operation |

## Requirements

### REQ-001: Subtract two amounts
- **Priority:** MUST (P0)
- **Kind:** business
- **Statement:** When a bookkeeper enters two amounts, the system MUST show their difference.
- **Failure mode:** If an amount is not a number, then the system MUST refuse it by name.
- **Scenarios:**
  - Given the amounts 3 and 1, when the bookkeeper subtracts, then the result is 2.

## Non-goals

- Currency conversion.

## Open questions

- None recorded.
"""

TASK = """\
---
id: TASK-001
type: task
title: Subtract two amounts
status: backlog
date: 2026-01-12
priority: P0
size: S
points: 2
mode: AFK
depends_on: []
satisfies: [REQ-001]
prd: calculator
planned_files: [calc/ops.py, tests/test_ops.py]
estimate: {best: 0.5, likely: 1, worst: 2}
---
# TASK-001: Subtract two amounts

## Goal

Bookkeepers get the difference of two amounts.

## Acceptance criteria

- Given the amounts 3 and 1, when subtracted, then the result is 2.
- Given the amounts 1 and 3, when subtracted, then the result is -2.
"""

OPS = "def add(a, b):\n    return a + b\n"
TEST_OPS = "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"

FAKE_GH = r"""#!{python}
import json, os, sys
log = os.environ["FAKE_GH_LOG"]
with open(log, "a") as handle:
    stdin = sys.stdin.read() if "--body-file" in sys.argv else ""
    handle.write(json.dumps({{"args": sys.argv[1:], "stdin": stdin}}) + "\n")
mode = os.environ.get("FAKE_GH_MODE", "ok")
args = sys.argv[1:]
if mode == "logged-out":
    sys.stderr.write("You are not logged into any GitHub hosts. To log in, run: gh auth login\n")
    sys.exit(4)
if args[:2] == ["auth", "status"]:
    print("github.com: Logged in to github.com as tester")
elif args[:2] == ["pr", "list"]:
    print("[]")
elif args[:2] == ["pr", "create"]:
    print("https://github.com/acme/calc/pull/7")
elif args[:2] == ["issue", "view"]:
    print(json.dumps({{"number": int(args[2]),
        "title": "Subtracting a negative amount shows the wrong sign",
        "body": "When a bookkeeper subtracts -1 from 3 the difference shown is 2, it should be 4.",
        "labels": [{{"name": "needs-triage"}}], "state": "OPEN",
        "url": "https://github.com/acme/calc/issues/" + args[2],
        "author": {{"login": "ana"}}, "comments": []}}))
elif args[:2] == ["issue", "list"]:
    print(json.dumps([{{"number": 12, "title": "Offline mode please",
        "body": "work without network",
        "labels": [], "createdAt": "2026-01-20T10:00:00Z", "url": "u",
        "author": {{"login": "ana"}}, "comments": []}}]))
elif args[:2] in (["issue", "edit"], ["issue", "comment"]):
    pass
else:
    sys.stderr.write("fake gh: unknown command " + " ".join(args) + "\n")
    sys.exit(1)
"""


def fake_gh(folder: Path, log: Path) -> dict:
    """A `gh` on PATH that answers like GitHub and records every call in `log`."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "gh"
    exe.write_text(FAKE_GH.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_LOG": str(log)}


def gh_calls(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def calculator(path: Path, *, remote: Path | None = None) -> Path:
    """A calculator project on main, tagged v0.1.0: a PRD with one MUST requirement, one
    backlog task that satisfies it, add() with its test, pyproject version 0.1.0."""
    root = make_repo(path)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "calc"  # the package\nversion = "0.1.0"\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    )
    (root / ".gitignore").write_text(
        "__pycache__/\n*.pyc\n.ygs/sessions/\n.ygs/runs/\n.ygs/cache/\n.ygs/backups/\n"
    )
    (root / "calc").mkdir()
    (root / "calc" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (root / "calc" / "ops.py").write_text(OPS)
    (root / "tests").mkdir()
    (root / "tests" / "test_ops.py").write_text(TEST_OPS)
    (root / ".ygs").mkdir()
    (root / ".ygs" / "config.yaml").write_text(
        "project:\n  name: calc\ngit:\n  base_branch: main\n"
        f"commands:\n  test: {json.dumps(PYTEST)}\n"
    )
    for folder in ("docs/prd", "tasks/backlog", "tasks/in-progress", "tasks/done"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "docs/prd/2026-01-10-calculator.md").write_text(PRD)
    (root / "tasks/backlog/TASK-001-subtract-two-amounts.md").write_text(TASK)
    (root / "CHANGELOG.md").write_text(
        "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n"
        "## [0.1.0] - 2026-01-05\n\n### Added\n\n- Add two amounts.\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feat: the calculator adds")
    git(root, "tag", "v0.1.0")
    if remote is not None:
        git(remote.parent, "init", "-q", "--bare", remote.name)
        git(root, "remote", "add", "origin", str(remote))
        git(root, "push", "-q", "origin", "main", "--tags")
    return root


def subtract(root: Path) -> None:
    """The TASK-001 change: sub() and its test, which covers REQ-001."""
    with open(root / "calc" / "ops.py", "a") as handle:
        handle.write("\n\ndef sub(a, b):\n    return a - b\n")
    with open(root / "tests" / "test_ops.py", "a") as handle:
        handle.write(
            "\n\n# covers: REQ-001\ndef test_sub():\n    from calc.ops import sub\n\n"
            "    assert sub(3, 1) == 2\n    assert sub(1, 3) == -2\n"
        )


def ok(result):
    """The JSON of a run that exited 0 (the output when it is not JSON)."""
    assert result.code == 0, result.stdout + result.stderr
    return result.json if result.stdout.lstrip().startswith("{") else result


def implemented(tmp_path: Path, ygs) -> Path:
    """TASK-001 built through the guarded loop and moved to done, on its run branch."""
    root = calculator(tmp_path / "repo", remote=tmp_path / "remote.git")
    ok(ygs("implement", "TASK-001", "--manual", "--json", cwd=root))
    subtract(root)
    deviation = (
        "design said a new module for subtraction, did it in calc/ops.py because one "
        "function is enough"
    )
    ok(ygs("deviation", deviation, "--json", cwd=root))
    ok(ygs("checkpoint", "--json", cwd=root))
    ok(ygs("task", "move", "TASK-001", "done", "--json", cwd=root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "TASK-001 done")
    return root
