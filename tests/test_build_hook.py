"""`ygs guard hook` fed the JSON Claude Code documents for each tool (code.claude.com/docs/en/
hooks: common fields session_id, transcript_path, cwd, permission_mode, hook_event_name)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from buildkit import add_sub, calc_project, run_json
from conftest import run_proc, ygs_executable


def event(root, name: str, tool: str | None = None, tool_input=None, **extra) -> str:
    payload = {
        "session_id": "abc123",
        "transcript_path": "/home/u/.claude/projects/p/abc123.jsonl",
        "cwd": str(root),
        "permission_mode": "default",
        "hook_event_name": name,
    }
    if tool is not None:
        payload.update(tool_name=tool, tool_input=tool_input or {}, tool_use_id="toolu_01ABC")
    payload.update(extra)
    return json.dumps(payload)


def write(root, path, content="x = 1\n") -> str:
    return event(root, "PreToolUse", "Write", {"file_path": str(path), "content": content})


def decision(result) -> tuple[str | None, str]:
    assert result.code == 0, result.stderr
    if not result.stdout.strip():
        return None, ""
    answer = json.loads(result.stdout)
    specific = answer.get("hookSpecificOutput", {})
    if "permissionDecision" in specific:
        return specific["permissionDecision"], specific["permissionDecisionReason"]
    if answer.get("decision") == "block":
        return "block", answer["reason"]
    return "note", specific.get("additionalContext", "")


@pytest.fixture
def running(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    return root


def hook(ygs, root, payload: str):
    return ygs("guard", "hook", cwd=root, stdin=payload)


def test_outside_a_run_everything_is_allowed(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    for payload in (
        write(root, root / ".git" / "config"),
        write(root, "/etc/passwd"),
        event(root, "PreToolUse", "Bash", {"command": "git reset --hard"}),
        event(root, "PostToolUse", "Write", {"file_path": "a"}, tool_response={"success": True}),
        event(root, "Stop", stop_hook_active=False),
    ):
        assert decision(hook(ygs, root, payload)) == (None, "")


def test_each_write_tool_is_checked(running, ygs):
    root = running
    ops = str(root / "calc" / "ops.py")
    git_file = str(root / ".git" / "config")
    allowed = {
        "Write": {"file_path": ops, "content": "x"},
        "Edit": {"file_path": ops, "old_string": "a", "new_string": "b", "replace_all": False},
        "MultiEdit": {"file_path": ops, "edits": [{"old_string": "a", "new_string": "b"}]},
        "NotebookEdit": {"notebook_path": str(root / "calc" / "nb.ipynb"), "new_source": "1"},
    }
    for tool, tool_input in allowed.items():
        payload = event(root, "PreToolUse", tool, tool_input)
        assert decision(hook(ygs, root, payload))[0] is None, tool
    for tool in allowed:
        key = "notebook_path" if tool == "NotebookEdit" else "file_path"
        payload = event(root, "PreToolUse", tool, {key: git_file})
        verdict, reason = decision(hook(ygs, root, payload))
        assert verdict == "deny" and ".git/" in reason, tool


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("../outside.py", "contains '..'"),
        ("calc/../calc/ops.py", "contains '..'"),
        (".GIT/config", "inside .git/"),
        (".Git/hooks/pre-commit", "inside .git/"),
        ("/etc/hosts", "outside the repository"),
        (".env", "secrets file"),
        (".env.production", "secrets file"),
        ("deploy/id_ed25519", "secrets file"),
        ("certs/server.pem", "secrets file"),
        (".ygs/config.yaml", "ygs's run state"),
    ],
)
def test_refused_paths(running, ygs, target, words):
    path = target if target.startswith("/") else os.path.join(str(running), target)
    verdict, reason = decision(hook(ygs, running, write(running, path)))
    assert verdict == "deny" and words in reason


def test_a_symlink_out_of_the_repository_is_refused(running, ygs, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (running / "calc" / "link").symlink_to(outside)
    verdict, reason = decision(hook(ygs, running, write(running, running / "calc/link/x.py")))
    assert verdict == "deny" and str(outside) in reason
    (running / "gitlink").symlink_to(running / ".git")
    verdict, reason = decision(hook(ygs, running, write(running, running / "gitlink/config")))
    assert verdict == "deny" and ".git/" in reason


def test_env_examples_and_relative_paths_are_fine(running, ygs):
    assert decision(hook(ygs, running, write(running, running / ".env.example")))[0] is None
    relative = event(running, "PreToolUse", "Write", {"file_path": "calc/ops.py", "content": ""})
    assert decision(hook(ygs, running, relative))[0] is None


def test_the_write_that_makes_the_third_unplanned_file_is_refused(running, ygs):
    (running / "calc" / "a.py").write_text("A = 1\n")
    (running / "calc" / "b.py").write_text("B = 1\n")
    verdict, reason = decision(hook(ygs, running, write(running, running / "calc/c.py")))
    assert verdict == "deny" and reason.startswith("STOP")
    assert "calc/a.py, calc/b.py" in reason and "ygs deviation" in reason
    again = decision(hook(ygs, running, write(running, running / "calc/a.py")))
    assert again[0] is None  # already unplanned: no new file
    log = running / ".ygs" / "runs" / run_json(running)["id"] / "hook.jsonl"
    assert "STOP" in log.read_text()


def test_the_users_own_changes_are_not_edited(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "README.md").write_text("mine\n")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    verdict, reason = decision(hook(ygs, root, write(root, root / "README.md")))
    assert verdict == "deny" and "uncommitted changes" in reason


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("echo hi > ../outside.txt", "deny"),
        ("echo hi | tee -a .env", "deny"),
        ("cp calc/ops.py .git/hooks/pre-commit", "deny"),
        ("python -m pytest -q 2>&1 > /tmp/out.txt", None),
        ("sed -i 's/a/b/' calc/ops.py", None),
        ("ls -la && cat calc/ops.py", None),
        ("git reset --hard HEAD~1", "ask"),
        ("git stash", "ask"),
        ("git stash list", None),
        ("git status && git diff", None),
        ("echo 'unclosed", None),
    ],
)
def test_bash_commands(running, ygs, command, expected):
    payload = event(running, "PreToolUse", "Bash", {"command": command, "description": "d"})
    assert decision(hook(ygs, running, payload))[0] == expected


def test_bash_writes_count_towards_the_unplanned_limit(running, ygs):
    (running / "calc" / "a.py").write_text("A = 1\n")
    (running / "calc" / "b.py").write_text("B = 1\n")
    payload = event(running, "PreToolUse", "Bash", {"command": "touch calc/c.py"})
    assert decision(hook(ygs, running, payload))[0] == "deny"


def test_post_tool_use_says_when_to_checkpoint_and_when_to_stop(running, ygs):
    done = {"filePath": str(running / "calc/ops.py"), "success": True}
    post = event(running, "PostToolUse", "Write", {"file_path": "x"}, tool_response=done)
    assert decision(hook(ygs, running, post)) == (None, "")
    task = running / "tasks/in-progress/TASK-001-subtract.md"
    task.write_text(task.read_text().replace('["calc/ops.py"]', '["calc/*.py"]'))
    assert ygs("implement", "--resume", cwd=running).code == 0
    for i in range(5):
        (running / "calc" / f"m{i}.py").write_text(f"M = {i}\n")
    verdict, text = decision(hook(ygs, running, post))
    assert verdict == "note" and "ygs checkpoint --json" in text
    for name in ("x.md", "y.md", "z.md"):
        (running / name).write_text("z\n")
    verdict, text = decision(hook(ygs, running, post))
    assert verdict == "block" and text.startswith("STOP: 3 unplanned files")


def test_stop_reminds_once_about_unchecked_files(running, ygs):
    assert decision(hook(ygs, running, event(running, "Stop", stop_hook_active=False)))[0] is None
    add_sub(running)
    stop = event(running, "Stop", stop_hook_active=False, last_assistant_message="done")
    verdict, reason = decision(hook(ygs, running, stop))
    assert verdict == "block" and "ygs checkpoint --json" in reason
    again = event(running, "Stop", stop_hook_active=True)
    assert decision(hook(ygs, running, again))[0] is None
    assert ygs("checkpoint", cwd=running).code == 0
    assert decision(hook(ygs, running, stop))[0] is None


def test_malformed_input_allows_and_says_why(running, ygs):
    for text in ("not json", "[1, 2]", "", '{"hook_event_name": "PreToolUse", "tool_input": 5}'):
        result = hook(ygs, running, text)
        assert result.code == 0 and result.stdout == ""
    assert "not JSON" in hook(ygs, running, "{oops").stderr


def test_the_installed_command_reads_claude_project_dir(running):
    payload = json.loads(write(running, running / ".git" / "HEAD"))
    del payload["cwd"]
    result = run_proc_stdin(running, json.dumps(payload))
    assert result.returncode == 0
    answer = json.loads(result.stdout)
    assert answer["hookSpecificOutput"]["permissionDecision"] == "deny"


def run_proc_stdin(root, text: str):
    return subprocess.run(
        [*ygs_executable(), "guard", "hook"],
        cwd="/",
        input=text,
        capture_output=True,
        text=True,
        env={**os.environ, "CLAUDE_PROJECT_DIR": str(root)},
        timeout=60,
    )


def test_guard_status_answers_without_typer(running):
    result = run_proc("-v", "guard", "status", "--json", cwd=running)
    assert result.code == 0 and json.loads(result.stdout)["run"] == run_json(running)["id"]
    probe = (
        "import sys, json, io, contextlib\n"
        "sys.argv = ['ygs', 'guard', 'status', '--json']\n"
        "from ygs.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=running, capture_output=True, text=True, check=True
    )
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    for heavy in ("typer", "rich", "git", "yaml", "ruamel"):
        assert heavy not in modules, heavy
