"""Guard benchmark: `ygs guard status` and `ygs guard hook` on a 10,000-file repository.

Run: python bench/guard.py [--files N] [--rounds R]
Budget: median <= 100 ms for `ygs guard status` and for each `ygs guard hook` case. Exits 1
when a budget is missed. Rounds interleave the commands, so load on the machine hits them
alike; the ratio to `git status --porcelain` (run in the same rounds) is printed beside each
median, with `python -c pass` as the floor every Python tool pays.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MS = 100.0


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def make_repo(root: Path, files: int) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "gc.auto", "0")  # no background repacking between rounds
    for i in range(files):
        folder = root / f"pkg{i % 40}" / f"mod{i % 9}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i}.py").write_text(f"VALUE = {i}\n")
    (root / ".ygs").mkdir()
    (root / ".ygs" / "config.yaml").write_text("commands:\n  test: 'true'\n")
    tasks = root / "tasks" / "backlog"
    tasks.mkdir(parents=True)
    (tasks / "TASK-001-bench.md").write_text(
        "---\nid: TASK-001\ntype: task\ntitle: Bench\nstatus: backlog\npriority: P0\n"
        "planned_files: [pkg1/mod1/f1.py, pkg2/**]\n---\n\n# TASK-001: Bench\n"
    )
    commit_all(root, "bench")


def commit_all(root: Path, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b"}
    env.update(GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True, env=env)


def event(root: Path, name: str, tool: str, path: str) -> str:
    payload = {
        "session_id": "bench",
        "transcript_path": "/dev/null",
        "cwd": str(root),
        "permission_mode": "default",
        "hook_event_name": name,
        "tool_name": tool,
        "tool_input": {"file_path": str(root / path), "content": "x"},
    }
    if name == "PostToolUse":
        payload["tool_response"] = {"filePath": str(root / path), "success": True}
    return json.dumps(payload)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    ygs = ygs_command()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        make_repo(root, args.files)
        outside = Path(tmp) / "outside"  # a repository on main: no run, whatever its size
        outside.mkdir()
        make_repo(outside, 10)
        started = subprocess.run([*ygs, "implement", "TASK-001", "-q"], cwd=root)
        if started.returncode != 0:
            return 2
        (root / "pkg1" / "mod1" / "f1.py").write_text("VALUE = -1\n")  # planned
        (root / "pkg3" / "mod3" / "f3.py").write_text("VALUE = -3\n")  # unplanned
        (root / "notes.md").write_text("new\n")  # unplanned, untracked
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], root, None),
            "git status --porcelain": (["git", "status", "--porcelain"], root, None),
            "ygs guard status --json": ([*ygs, "guard", "status", "--json"], root, None),
            "hook, outside a run": (
                [*ygs, "guard", "hook"],
                outside,
                event(outside, "PreToolUse", "Write", ".git/config"),
            ),
            "hook PreToolUse, planned": (
                [*ygs, "guard", "hook"],
                root,
                event(root, "PreToolUse", "Write", "pkg2/mod2/f2.py"),
            ),
            "hook PreToolUse, unplanned": (
                [*ygs, "guard", "hook"],
                root,
                event(root, "PreToolUse", "Write", "pkg4/mod4/f4.py"),
            ),
            "hook PostToolUse": (
                [*ygs, "guard", "hook"],
                root,
                event(root, "PostToolUse", "Write", "pkg1/mod1/f1.py"),
            ),
        }
        samples = {name: [] for name in cases}
        env = {**os.environ, "NO_COLOR": "1"}
        for cmd, cwd, stdin in cases.values():  # warm-up (and the limits cache)
            subprocess.run(cmd, cwd=cwd, input=stdin, text=True, capture_output=True, env=env)
        for _ in range(args.rounds):
            for name, (cmd, cwd, stdin) in cases.items():
                start = time.perf_counter()
                done = subprocess.run(
                    cmd, cwd=cwd, input=stdin, text=True, capture_output=True, env=env
                )
                samples[name].append((time.perf_counter() - start) * 1000)
                if name.startswith("ygs") and done.returncode not in (0, 3):
                    print(done.stderr, file=sys.stderr)
                    return 2
    medians = {name: statistics.median(values) for name, values in samples.items()}
    git_ms = medians["git status --porcelain"]
    print(f"{args.files} files, {args.rounds} interleaved rounds, medians")
    print(f"{'command':<30} {'ms':>8} {'x git status':>13} {'budget':>8}")
    missed = []
    for name, ms in medians.items():
        guarded = name.startswith(("ygs", "hook"))
        budget = f"{BUDGET_MS:.0f}" if guarded else ""
        print(f"{name:<30} {ms:>8.1f} {ms / git_ms:>13.2f} {budget:>8}")
        if guarded and ms > BUDGET_MS:
            missed.append(name)
    if missed:
        print(f"over budget: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
