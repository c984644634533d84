"""`ygs implement --executor claude-code` against the fake `claude` on PATH: a real calc
project with pytest, real git, the real guard hook run by the fake as Claude Code would."""

from __future__ import annotations

import json

from agentkit import (
    DOC_NEW,
    DOC_OLD,
    DONE,
    SUB_OPS,
    SUB_TESTS,
    WRONG_OPS,
    calls,
    claude_on_path,
    conversation,
    driven_project,
    result,
    run_folder,
)
from buildkit import gone, records
from conftest import git

from ygs.build import claude_exec

DONE_SESSION = [
    {"write": "calc/ops.py", "content": SUB_OPS},
    {"write": "tests/test_ops.py", "content": SUB_TESTS},
    {"edit": "calc/ops.py", "old": DOC_OLD, "new": DOC_NEW},
    {"end": {**DONE, "deviations": ["design said no docstrings, did one because sub is public"]}},
]


def test_done_end_to_end_with_two_checkpoints(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    fake = claude_on_path(tmp_path, monkeypatch, [DONE_SESSION])
    done = ygs(
        "implement", "TASK-001", "--executor", "claude-code", "--max-cost", "2", "--json", cwd=root
    )
    assert done.code == 0, done.stderr
    data = done.json
    assert data["status"] == "DONE" and data["exit_code"] == 0
    assert [c["n"] for c in data["checkpoints"]] == [1, 2]  # one due mid-session, one final
    assert data["files"]["unplanned"] == [] and data["files"]["touched"] == [
        "calc/ops.py",
        "tests/test_ops.py",
    ]
    assert (root / "tasks/done/TASK-001-subtract.md").exists()
    subjects = git(root, "log", "--format=%s", f"{data['base']}..{data['branch']}").splitlines()
    assert subjects == [
        "TASK-001: done",
        "TASK-001: checkpoint 2 (1 file)",
        "TASK-001: checkpoint 1 (2 files)",
    ]
    assert git(root, "status", "--porcelain", "--", "calc", "tests", "tasks") == ""
    log = (root / "tasks/done/TASK-001-subtract.md").read_text()
    assert "- Deviation: design said no docstrings, did one because sub is public" in log
    assert "ended: DONE" in log

    folder = run_folder(root)
    for name in (
        "context.md",
        "conversation.jsonl",
        "diff.patch",
        "commits.txt",
        "test_output.txt",
    ):
        assert (folder / name).is_file(), name
    assert "+def sub(a, b):" in (folder / "diff.patch").read_text()
    assert "Ygs-Checkpoint: 2" in (folder / "commits.txt").read_text()
    assert result(root) == {k: v for k, v in data.items() if k not in ("command", "ok")}
    events = [e for e in conversation(root) if e["kind"] == "claude"]
    assert any(b.get("name") == "Write" for e in events for b in _blocks(e))

    (call,) = calls(fake["log"])
    argv = call["argv"]
    assert argv[:4] == ["-p", "--output-format", "stream-json", "--verbose"]
    assert _value(argv, "--permission-mode") == "dontAsk"
    assert "--dangerously-skip-permissions" not in argv
    assert float(_value(argv, "--max-budget-usd")) == 2.0 and _value(argv, "--max-turns") == "80"
    allowed = argv[argv.index("--allowedTools") + 1 : argv.index("--disallowedTools")]
    assert "Bash(ygs checkpoint *)" in allowed and "Bash(ygs guard status)" in allowed
    assert any(a.startswith("Bash(") and "pytest" in a for a in allowed)
    assert not any(a in ("Bash", "Bash(*)") for a in allowed)
    settings = json.loads(_value(argv, "--settings"))
    assert {"PreToolUse", "PostToolUse", "Stop"} <= set(settings["hooks"])
    assert "Read(**/.env)" in settings["permissions"]["deny"]
    assert "name: ygs-implement" not in _value(argv, "--append-system-prompt")  # the body only
    assert "# Implement" in _value(argv, "--append-system-prompt")
    assert "Implement TASK-001" in call["prompt"] and "## Planned files now" in call["prompt"]


def _blocks(event: dict) -> list[dict]:
    content = (event.get("event", {}).get("message") or {}).get("content")
    return content if isinstance(content, list) else []


def _value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_the_third_unplanned_file_is_refused_and_the_run_needs_a_human(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    session = [
        {"write": "calc/ops.py", "content": SUB_OPS},
        {"write": "calc/a.py", "content": "A = 1\n"},
        {"write": "calc/b.py", "content": "B = 1\n"},
        {"write": "calc/c.py", "content": "C = 1\n"},
        {"end": {"status": "NEEDS_INPUT", "task": "TASK-001", "reason": "c.py is needed"}},
    ]
    claude_on_path(tmp_path, monkeypatch, [session])
    stopped = ygs("implement", "--executor", "claude-code", "--json", cwd=root)
    assert stopped.code == 3, stopped.stderr
    data = stopped.json
    assert data["status"] == "NEEDS_INPUT"
    assert data["unplanned_files"] == ["calc/a.py", "calc/b.py", "calc/c.py"]
    assert not (root / "calc/c.py").exists()  # refused, never written
    refusals = [json.loads(x) for x in (run_folder(root) / "hook.jsonl").read_text().splitlines()]
    assert any("STOP: writing calc/c.py" in json.dumps(r) for r in refusals)
    assert (root / "tasks/in-progress/TASK-001-subtract.md").exists()  # not done


def test_red_checkpoints_go_back_to_claude_then_tests_failing(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    first = [
        {"write": "calc/ops.py", "content": WRONG_OPS},
        {"write": "tests/test_ops.py", "content": SUB_TESTS},
        {"end": DONE},
    ]
    retry = [{"edit": "calc/ops.py", "old": DOC_OLD, "new": DOC_NEW}, {"end": DONE}]
    fake = claude_on_path(tmp_path, monkeypatch, [first, retry, retry, retry])
    failing = ygs("implement", "--executor", "claude-code", "--json", cwd=root)
    assert failing.code == 4, failing.stderr
    data = failing.json
    assert data["status"] == "TESTS_FAILING" and data["exit_code"] == 4
    assert data["red_checkpoints"] == 3 and data["fix_attempts"] == 3 and data["checkpoints"] == []
    assert [r["green"] for r in records(root)] == [False, False, False]
    made = calls(fake["log"])
    assert len(made) == 3  # the session, then a fix turn after each of the first two reds
    for fix in made[1:]:
        assert "--resume" in fix["argv"]
        assert "RED" in fix["prompt"] and "test_sub" in fix["prompt"]  # the failing output
    assert data["fix_turns"] == 2
    assert "assert 4 == 2" in (run_folder(root) / "test_output.txt").read_text()


def test_a_hung_executor_is_killed_at_the_timeout_and_everything_is_kept(
    tmp_path, monkeypatch, ygs
):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    session = [{"write": "calc/ops.py", "content": SUB_OPS}, {"sleep": 120}, {"end": DONE}]
    fake = claude_on_path(tmp_path, monkeypatch, [session])
    hung = ygs("implement", "--executor", "claude-code", "--timeout", "6s", "--json", cwd=root)
    assert hung.code == 5, hung.stderr
    data = hung.json
    assert data["status"] == "BLOCKED" and data["stopped_by"] == "timeout"
    folder = run_folder(root)
    assert "+def sub(a, b):" in (folder / "diff.patch").read_text()
    assert any(e["kind"] == "claude" for e in conversation(root))
    assert json.loads((folder / "result.json").read_text())["exit_code"] == 5
    (call,) = calls(fake["log"])
    assert gone(call["pid"])  # the whole process group is gone
    assert (root / "calc/ops.py").read_text() == SUB_OPS  # the work is left for a human


def test_the_budget_ends_the_run_with_exit_5(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    session = [{"write": "calc/ops.py", "content": SUB_OPS}, {"cost": 1.0}, {"end": DONE}]
    claude_on_path(tmp_path, monkeypatch, [session])
    spent = ygs("implement", "--executor", "claude-code", "--max-cost", "0.5", "--json", cwd=root)
    assert spent.code == 5, spent.stderr
    assert spent.json["stopped_by"] == "budget"
    assert spent.json["cost_usd"] > 0.5 and spent.json["max_cost_usd"] == 0.5


def test_skipping_permissions_needs_the_flag_and_warns(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    session = [{"bash": "echo hi > calc/shell.py"}, {"end": DONE}]
    fake = claude_on_path(tmp_path, monkeypatch, [session, session])
    ygs("implement", "--executor", "claude-code", "--json", cwd=root)
    assert not (root / "calc/shell.py").exists()  # dontAsk: not on the allowlist
    denied = [b for e in conversation(root) for b in _blocks(e) if b.get("is_error")]
    assert "not allowed" in denied[0]["content"]
    argv = claude_exec.command(
        "claude", model="m", max_turns=3, max_cost=None, allowed=["Read"], settings_json="{}",
        system="s", skip_permissions=True,
    )  # fmt: skip
    assert "--dangerously-skip-permissions" in argv and "--permission-mode" not in argv
    assert "--max-budget-usd" not in argv
    assert calls(fake["log"])


def test_the_allowlist_names_only_the_configured_commands():
    allowed = claude_exec.allowed_tools("pytest -q", "make  build")
    assert "Bash(pytest -q)" in allowed and "Bash(pytest -q *)" in allowed
    assert "Bash(make build *)" in allowed
    assert {"Read", "Edit", "Write"} <= set(allowed)
    assert all(a in claude_exec.FILE_TOOLS or a.startswith("Bash(") for a in allowed)
    settings = claude_exec.settings("ygs guard hook", 120)
    hooks = [h for groups in settings["hooks"].values() for g in groups for h in g["hooks"]]
    assert {h["timeout"] for h in hooks} == {120}
    assert "Edit(**/*.pem)" in settings["permissions"]["deny"]
