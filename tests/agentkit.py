"""Driving the executors in tests: the calc project set up for a driven run, the fake
`claude` on PATH with a script, and the fake Messages API for the anthropic executor."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from buildkit import OPS, calc_project
from conftest import REPO, git

SUB_OPS = OPS + "\n\ndef sub(a, b):\n    return a - b\n"
WRONG_OPS = OPS + "\n\ndef sub(a, b):\n    return a + b\n"
SUB_TESTS = (
    "from calc.ops import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
    "def test_sub():\n    assert sub(3, 1) == 2\n"
)
DOC_OLD = "def sub(a, b):\n"
DOC_NEW = 'def sub(a, b):\n    """a minus b"""\n'
DONE = {"status": "DONE", "task": "TASK-001", "reason": "", "deviations": []}


def driven_project(path: Path, *, checkpoint_every: int = 2) -> Path:
    """The calc project, committed, with checkpoints every `checkpoint_every` files."""
    root = calc_project(path)
    config = root / ".ygs" / "config.yaml"
    config.write_text(config.read_text() + f"guard:\n  checkpoint_every: {checkpoint_every}\n")
    git(root, "commit", "-qam", "checkpoint setting")
    return root


def claude_on_path(tmp: Path, monkeypatch, sessions: list | dict) -> dict[str, Path]:
    """The fake `claude` first on PATH, following `sessions` (a list of step lists, or
    {"tasks": {...}}); returns the script and log paths."""
    folder = tmp / "claude-bin"
    folder.mkdir(exist_ok=True)
    shim = folder / "claude"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m ygs.testing.fake_claude "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    script = tmp / "claude-script.json"
    body = sessions if isinstance(sessions, dict) else {"sessions": sessions}
    script.write_text(json.dumps(body))
    log = tmp / "claude-calls.jsonl"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("YGS_FAKE_CLAUDE_SCRIPT", str(script))
    monkeypatch.setenv("YGS_FAKE_CLAUDE_LOG", str(log))
    return {"script": script, "log": log}


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def api_env(monkeypatch, fake, key: str = "sk-ant-api03-test-key-not-real") -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("YGS_MODEL_MAX_RETRIES", "0")


def tool(name: str, **args) -> dict:
    return {"tool_use": {"name": name, "input": args}}


def end(status: dict | None = None, text: str = "All criteria are covered.") -> dict:
    return {"text": f"{text}\n{json.dumps(status or DONE)}"}


def run_folder(root: Path) -> Path:
    found = sorted((root / ".ygs" / "runs").glob("TASK-*/run.json"))
    assert found, "no run folder"
    return found[-1].parent


def result(root: Path) -> dict:
    return json.loads((run_folder(root) / "result.json").read_text())


def conversation(root: Path) -> list[dict]:
    path = run_folder(root) / "conversation.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def tool_results(body: dict) -> list[dict]:
    """The tool_result blocks of the last message of a request body."""
    last = body["messages"][-1]["content"]
    return [b for b in last if isinstance(b, dict) and b.get("type") == "tool_result"]
