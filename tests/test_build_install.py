"""The guard hook registered in Claude Code: merged into settings.json by `ygs install`,
removed exactly by `ygs uninstall`, shipped in the plugin, and obeyed by the real Claude Code
CLI (its model replaced by the local fake Anthropic API, the one stub)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from buildkit import calc_project
from conftest import git

from ygs.testing.fake_anthropic import FakeAnthropic

USER_HOOKS = {
    "model": "opus",
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}


def settings(root) -> dict:
    return json.loads((root / ".claude" / "settings.json").read_text())


def ours(data: dict) -> list[tuple[str, str | None]]:
    found = []
    for event, groups in data.get("hooks", {}).items():
        for group in groups:
            for hook in group["hooks"]:
                if hook["command"].endswith("guard hook"):
                    found.append((event, group.get("matcher")))
    return found


def test_install_merges_the_hook_and_uninstall_removes_exactly_it(tmp_path, ygs):
    root = tmp_path / "proj"
    (root / ".claude").mkdir(parents=True)
    original = json.dumps(USER_HOOKS, indent=4)
    (root / ".claude" / "settings.json").write_text(original)
    args = ("--agent", "claude", "--scope", "project", "--skills", "ygs-implement", "--json")
    dry = ygs("install", *args, "--dry-run", cwd=root)
    assert dry.code == 0 and (root / ".claude" / "settings.json").read_text() == original
    done = ygs("install", *args, cwd=root)
    assert done.code == 0, done.stderr
    step = next(s for s in done.json["steps"] if s["path"] == ".claude/settings.json")
    assert step["action"] == "update"
    merged = settings(root)
    assert merged["model"] == "opus"
    assert merged["hooks"]["PreToolUse"][0] == USER_HOOKS["hooks"]["PreToolUse"][0]
    assert merged["hooks"]["Stop"][0] == USER_HOOKS["hooks"]["Stop"][0]
    matcher = "Write|Edit|MultiEdit|NotebookEdit|Bash"
    assert ours(merged) == [("PreToolUse", matcher), ("Stop", None), ("PostToolUse", matcher)]
    again = ygs("install", *args, cwd=root)
    assert settings(root) == merged
    assert {s["action"] for s in again.json["steps"]} == {"keep"}
    gone = ygs("uninstall", "--agent", "claude", "--scope", "project", "--json", cwd=root)
    assert gone.code == 0, gone.stderr
    assert settings(root) == USER_HOOKS


def test_the_hook_stays_while_claude_has_skills(tmp_path, ygs):
    root = tmp_path / "proj"
    root.mkdir()
    base = ("--agent", "claude", "--scope", "project")
    assert ygs("install", *base, "--skills", "ygs-implement,ygs-adr", cwd=root).code == 0
    created = settings(root)
    assert len(ours(created)) == 3
    assert ygs("uninstall", *base, "--skills", "ygs-adr", cwd=root).code == 0
    assert settings(root) == created
    assert ygs("uninstall", *base, cwd=root).code == 0
    assert not (root / ".claude" / "settings.json").exists()  # ygs's hook was all it held


def test_settings_ygs_cannot_read_are_left_alone(tmp_path, ygs):
    root = tmp_path / "proj"
    (root / ".claude").mkdir(parents=True)
    (root / ".claude" / "settings.json").write_text('{"hooks": [oops')
    result = ygs("install", "--agent", "claude", "--scope", "project", cwd=root)
    assert result.code == 0 and "not valid JSON" in result.stdout
    assert (root / ".claude" / "settings.json").read_text() == '{"hooks": [oops'
    other = ygs("install", "--agent", "codex", "--scope", "project", "--json", cwd=root)
    assert all(s["path"] != ".claude/settings.json" for s in other.json["steps"])


def _claude() -> str:
    path = shutil.which("claude")
    if path is None:
        pytest.skip("`claude` is not installed: npm install @anthropic-ai/claude-code")
    return path


def test_the_plugin_ships_the_hook_and_claude_accepts_it(tmp_path, ygs):
    out = tmp_path / "plugin"
    assert ygs("plugin", "build", str(out), cwd=tmp_path).code == 0
    hooks = json.loads((out / "hooks" / "hooks.json").read_text())
    assert ours(hooks) and hooks["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == (
        "ygs guard hook"
    )
    check = subprocess.run(
        [_claude(), "plugin", "validate", "--strict", str(out / ".claude-plugin/plugin.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    hooks["hooks"]["PreToolUse"][0]["matcher"] = 5
    (out / "hooks" / "hooks.json").write_text(json.dumps(hooks))
    broken = subprocess.run(
        [_claude(), "plugin", "validate", "--strict", str(out / ".claude-plugin/plugin.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert broken.returncode != 0  # the validator does read hooks/hooks.json


PERMISSIONS = ("--permission-mode", "acceptEdits", "--allowedTools", "Write", "Edit", "Bash")


def _write(path) -> dict:
    return {"tool_use": {"name": "Write", "input": {"file_path": str(path), "content": "X = 1\n"}}}


def test_claude_code_obeys_the_installed_hook(tmp_path, ygs):
    """A scripted model asks Claude Code to write into .git/, to add a 3rd unplanned file
    and a planned test file, then to stop with unchecked files; the hooks decide."""
    claude = _claude()
    root = calc_project(tmp_path / "calc")
    assert ygs("install", "--agent", "claude", "--scope", "project", cwd=root).code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "claude settings")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    (root / "docs").mkdir()
    for name in ("a.md", "b.md"):
        (root / "docs" / name).write_text("unplanned\n")
    moves = [
        _write(root / ".git" / "evil"),
        _write(root / "calc" / "c.py"),
        _write(root / "tests" / "unit" / "test_ops.py"),
        {"text": "done"},
        {"text": "stopping: the user decides"},
    ]
    seen: list[dict] = []

    def model(body: dict) -> dict:
        if not body.get("tools"):
            return {"text": "ok"}  # side requests (titles and the like)
        seen.append(body)
        return moves[min(len(seen), len(moves)) - 1]

    with FakeAnthropic(model) as fake:
        env = {
            **os.environ,
            "ANTHROPIC_BASE_URL": fake.url,
            "ANTHROPIC_API_KEY": "sk-ant-test-not-a-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        run = subprocess.run(
            [claude, "-p", "implement TASK-001", "--output-format", "json", *PERMISSIONS],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (root / ".git" / "evil").exists()
    assert not (root / "calc" / "c.py").exists()
    assert (root / "tests" / "unit" / "test_ops.py").exists()  # tests a planned module
    sent = json.dumps([b["messages"] for b in seen])
    assert "is inside .git/" in sent
    assert "STOP: writing calc/c.py would make 3 unplanned files" in sent
    assert "files touched since the last checkpoint" in sent  # the Stop hook's reminder
    denials = json.loads(run.stdout)["permission_denials"]
    assert [d["tool_input"]["file_path"] for d in denials] == [
        str(root / ".git/evil"),
        str(root / "calc/c.py"),
    ]
