"""`ygs implement --executor anthropic` against the fake Messages API: ygs's own tool loop,
with a real calc project, real pytest and real git."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

from agentkit import (
    DOC_NEW,
    DOC_OLD,
    SUB_OPS,
    SUB_TESTS,
    WRONG_OPS,
    api_env,
    conversation,
    driven_project,
    end,
    result,
    run_folder,
    tool,
    tool_results,
)
from buildkit import records
from conftest import git, ygs_executable
from secret_corpus import FORMATS

from ygs.testing.fake_anthropic import FakeAnthropic

DONE_SCRIPT = [
    tool("read_file", path="calc/ops.py"),
    tool("write_file", path="calc/ops.py", content=SUB_OPS),
    tool("write_file", path="tests/test_ops.py", content=SUB_TESTS),
    tool("edit_file", path="calc/ops.py", old_text=DOC_OLD, new_text=DOC_NEW),
    tool("guard_status"),
    end(),
]


def _implement(ygs, root, *extra):
    return ygs("implement", "--executor", "anthropic", "--json", *extra, cwd=root)


def test_done_with_two_checkpoints_and_a_cached_prefix(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    with FakeAnthropic(DONE_SCRIPT) as fake:
        api_env(monkeypatch, fake)
        done = _implement(ygs, root, "--max-cost", "1")
    assert done.code == 0, done.stderr
    data = done.json
    assert data["status"] == "DONE" and [c["n"] for c in data["checkpoints"]] == [1, 2]
    assert (root / "tasks/done/TASK-001-subtract.md").exists()
    assert data["turns"] == 6 and len(fake.requests) == 6

    bodies = [r["body"] for r in fake.requests]
    assert {t["name"] for t in bodies[0]["tools"]} == {
        "read_file", "list_files", "search", "write_file", "edit_file", "run_tests",
        "guard_status", "checkpoint",
    }  # fmt: skip
    assert "cache_control" in bodies[0]["system"][-1]
    assert "# Implement" in bodies[0]["system"][0]["text"]
    first = bodies[0]["messages"][0]["content"]
    assert first[0]["text"].startswith("# Context for TASK-001") and "cache_control" in first[0]
    read = tool_results(bodies[1])[0]["content"]
    assert "def add(a, b):" in read
    checkpoint_note = tool_results(bodies[3])[0]["content"]
    assert "checkpoint 1: green" in checkpoint_note  # due after 2 files: ygs ran it
    # every call after the first reads the prefix from the cache
    usage = [e for e in conversation(root) if e["kind"] == "assistant"]
    assert len(usage) == 6
    assert data["tokens"]["cache_read"] > 0 and data["tokens"]["cache_write"] > 0
    spent = json.loads((run_folder(root) / "usage.json").read_text())
    assert all(c["cache_read_tokens"] > 0 for c in spent["calls"][1:])
    assert spent["calls"][0]["cache_read_tokens"] == 0
    assert 0 < data["cost_usd"] <= 1 and data["max_cost_usd"] == 1


def test_path_attacks_are_refused_logged_and_never_touch_the_file(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.txt").write_text("OUTSIDE-ORIGINAL\n")
    (root / ".env").write_text("PAYMENTS_TOKEN=pk_live_planted_0123456789abcdef\n")
    (root / "calc" / "link").symlink_to(outside)
    (root / "calc" / "file_link.py").symlink_to(outside / "target.txt")
    git_config = (root / ".git" / "config").read_text()
    before = git(root, "status", "--porcelain", "--", "calc")
    attacks = [
        tool("read_file", path="../../etc/passwd"),
        tool("read_file", path="/etc/passwd"),
        tool("read_file", path=".git/config"),
        tool("write_file", path=".GIT/config", content="[core]\n"),
        tool("read_file", path=".env"),
        tool("write_file", path=".env", content="X=1\n"),
        tool("read_file", path="calc/link/target.txt"),
        tool("write_file", path="calc/link/target.txt", content="pwned\n"),
        tool("write_file", path="calc/file_link.py", content="pwned\n"),
        tool("write_file", path=".ygs/config.yaml", content="guard: {}\n"),
        tool("list_files", path=".."),
        end({"status": "BLOCKED", "task": "TASK-001", "reason": "nothing to do"}),
    ]
    with FakeAnthropic(attacks) as fake:
        api_env(monkeypatch, fake)
        blocked = _implement(ygs, root)
    assert blocked.code == 3, blocked.stderr
    answers = [tool_results(r["body"])[0] for r in fake.requests[1:]]
    assert len(answers) == len(attacks) - 1
    assert all(a["is_error"] and a["content"].startswith("refused:") for a in answers), answers
    raw = "".join(r["raw"] for r in fake.requests)
    assert "root:x:0:0" not in raw and "pk_live_planted" not in raw
    assert "OUTSIDE-ORIGINAL" not in raw and "repositoryformatversion" not in raw
    assert (root / ".git" / "config").read_text() == git_config
    assert (outside / "target.txt").read_text() == "OUTSIDE-ORIGINAL\n"
    assert (root / ".env").read_text().startswith("PAYMENTS_TOKEN=pk_live")
    assert git(root, "status", "--porcelain", "--", "calc") == before
    logged = [json.loads(x) for x in (run_folder(root) / "hook.jsonl").read_text().splitlines()]
    assert len(logged) == len(attacks) - 1
    assert {x["tool"] for x in logged} == {"read_file", "write_file", "list_files"}
    reasons = " ".join(x["answer"]["refused"] for x in logged)
    for needle in ("'..'", "absolute", ".git/", "secret", "outside the repository", ".ygs/"):
        assert needle in reasons, needle


def test_the_third_unplanned_file_is_refused_with_the_reason(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    script = [
        tool("write_file", path="calc/a.py", content="A = 1\n"),
        tool("write_file", path="calc/b.py", content="B = 1\n"),
        tool("write_file", path="calc/c.py", content="C = 1\n"),
        end({"status": "NEEDS_INPUT", "task": "TASK-001", "reason": "c.py"}),
    ]
    with FakeAnthropic(script) as fake:
        api_env(monkeypatch, fake)
        stopped = _implement(ygs, root)
    assert stopped.code == 3, stopped.stderr
    assert stopped.json["unplanned_files"] == ["calc/a.py", "calc/b.py", "calc/c.py"]
    third = tool_results(fake.requests[3]["body"])[0]
    assert (
        third["is_error"]
        and "STOP: writing calc/c.py would make 3 unplanned files" in third["content"]
    )
    assert not (root / "calc/c.py").exists()


def test_red_checkpoints_go_back_to_the_model_then_tests_failing(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    script = [
        tool("write_file", path="calc/ops.py", content=WRONG_OPS),
        tool("write_file", path="tests/test_ops.py", content=SUB_TESTS),
        end(),
        tool("run_tests", args=["tests/test_ops.py"]),
        end(),
        end(),
    ]
    with FakeAnthropic(script) as fake:
        api_env(monkeypatch, fake)
        failing = _implement(ygs, root)
    assert failing.code == 4, failing.stderr
    data = failing.json
    assert data["status"] == "TESTS_FAILING" and data["red_checkpoints"] == 3
    assert [r["green"] for r in records(root)] == [False, False, False]
    fixes = [r["body"]["messages"][-1] for r in fake.requests if _says_red(r["body"])]
    assert len(fixes) >= 2  # the failures went back to the model after each of the first reds
    ran = tool_results(fake.requests[4]["body"])[0]["content"]
    assert "FAILED" in ran and "test_sub" in ran


def _says_red(body: dict) -> bool:
    last = body["messages"][-1]
    content = last["content"] if isinstance(last["content"], str) else json.dumps(last["content"])
    return "RED" in content and "test_sub" in content


def test_the_budget_stops_the_run_with_exit_5(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc", checkpoint_every=5)
    script = [
        {
            **tool("write_file", path="calc/ops.py", content=SUB_OPS),
            "usage": {"output_tokens": 60000},
        },
        end(),
    ]
    with FakeAnthropic(script) as fake:
        api_env(monkeypatch, fake)
        spent = _implement(ygs, root, "--max-cost", "0.5")
    assert spent.code == 5, spent.stderr
    data = spent.json
    assert data["stopped_by"] == "budget" and "budget" in data["reason"]
    assert len(fake.requests) == 1  # the second call was refused before it was sent
    assert (run_folder(root) / "diff.patch").read_text()


def test_no_planted_secret_reaches_the_model(tmp_path, monkeypatch, ygs):
    rng = random.Random(12)
    planted = [FORMATS[name](rng) for name in PLANTED]
    root = driven_project(tmp_path / "calc")
    (root / ".env").write_text(planted[0][0] + "\n")
    comments = "".join(f"# {line}\n" for text, _ in planted[1:] for line in text.splitlines())
    (root / "calc" / "ops.py").write_text(comments + SUB_OPS)
    git(root, "add", "calc/ops.py")
    git(root, "commit", "-qm", "secrets in the code")
    script = [
        tool("read_file", path="calc/ops.py"),
        tool("search", text="e"),
        tool("list_files"),
        tool("read_file", path=".env"),
        end({"status": "BLOCKED", "task": "TASK-001", "reason": "stop"}),
    ]
    with FakeAnthropic(script) as fake:
        api_env(monkeypatch, fake)
        _implement(ygs, root)
    assert len(fake.requests) == 5
    for sent in fake.requests:
        for _, secret in planted:
            assert secret not in sent["raw"], secret
    listed = tool_results(fake.requests[3]["body"])[0]["content"]
    assert "calc/ops.py" in listed and ".env" not in listed.split()
    context = (run_folder(root) / "context.md").read_text()
    assert "[REDACTED" in context and not any(secret in context for _, secret in planted)
    saved = (run_folder(root) / "conversation.jsonl").read_text()
    assert not any(secret in saved for _, secret in planted)


PLANTED = ("env token", "aws secret access key", "GitHub classic", "bearer in code", "Anthropic")


def test_sigkill_in_the_middle_then_resume_continues_from_the_last_checkpoint(
    tmp_path, monkeypatch
):
    root = driven_project(tmp_path / "calc")
    first = [
        tool("write_file", path="calc/ops.py", content=SUB_OPS),
        tool("write_file", path="tests/test_ops.py", content=SUB_TESTS),
        end(),
    ]
    with FakeAnthropic(first) as fake:
        api_env(monkeypatch, fake)
        env = {**os.environ, "YGS_TEST_CRASH_AT": "executor:after-checkpoint"}
        killed = subprocess.run(
            [*ygs_executable(), "implement", "--executor", "anthropic", "--json"],
            cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (point,) = records(root)
    assert point["green"] and point["n"] == 1
    assert not (run_folder(root) / "result.json").exists()

    second = [tool("edit_file", path="calc/ops.py", old_text=DOC_OLD, new_text=DOC_NEW), end()]
    with FakeAnthropic(second) as fake:
        api_env(monkeypatch, fake)
        resumed = subprocess.run(
            [*ygs_executable(), "implement", "--resume", "--executor", "anthropic", "--json"],
            cwd=root, env=dict(os.environ), capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["status"] == "DONE" and [c["n"] for c in data["checkpoints"]] == [1, 2]
    assert data["checkpoints"][0]["commit"] == point["commit"]  # kept, not redone
    prompt = fake.requests[0]["body"]["messages"][0]["content"][1]["text"]
    assert "interrupted" in prompt and "1 green checkpoints" in prompt
    assert len(list((root / ".ygs" / "runs").glob("TASK-*"))) == 1
    assert result(root)["status"] == "DONE"


def test_the_anthropic_executor_needs_a_key(tmp_path, monkeypatch, ygs):
    root = driven_project(tmp_path / "calc")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    refused = _implement(ygs, root)
    assert refused.code == 5 and "API key" in refused.stderr


def test_a_second_executor_on_the_same_run_is_refused(tmp_path, monkeypatch):
    """While one `ygs implement` drives a run, another one on it exits 3."""
    root = driven_project(tmp_path / "calc")
    slow = [{**tool("guard_status"), "delay": 0}, {"text": "thinking", "delay": 30}]
    with FakeAnthropic(slow) as fake:
        api_env(monkeypatch, fake)
        first = subprocess.Popen(
            [*ygs_executable(), "implement", "--executor", "anthropic", "--json"],
            cwd=root, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while len(fake.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            second = subprocess.run(
                [*ygs_executable(), "implement", "--resume", "--executor", "anthropic"],
                cwd=root, env=dict(os.environ), capture_output=True, text=True, timeout=60,
                check=False,
            )  # fmt: skip
        finally:
            first.kill()
            first.wait()
    assert second.returncode == 3, second.stderr
    assert "already working on this run" in second.stderr
