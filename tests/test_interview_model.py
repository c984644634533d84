"""Interviews with a model: the fake Anthropic server and a fake `claude` are the only stubs."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, make_repo
from ygs.testing.fake_anthropic import FakeAnthropic

FIXTURE = yaml.safe_load((REPO / "tests" / "fixtures" / "templates" / "prd.yaml").read_text())
SECRET_ENV = "PAYMENTS_TOKEN=tok_live_9fQ2mX7vR4pL8zK3"
SECRET_KEY = "MIIEpAIBAAKCAQEA7bq0planted0key0material"


def answers_without(*keys: str) -> dict:
    return {k: v for k, v in FIXTURE["answers"].items() if k not in keys}


@pytest.fixture
def project(tmp_path, ygs, monkeypatch):
    root = make_repo(tmp_path / "repo")
    assert ygs("init", cwd=root).code == 0
    (root / ".env").write_text(SECRET_ENV + "\n")
    (root / "id_rsa").write_text(
        f"-----BEGIN RSA PRIVATE KEY-----\n{SECRET_KEY}\n-----END RSA PRIVATE KEY-----\n"
    )
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
    monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
    return root


def offline_document(tmp_path: Path, ygs, answers: Path) -> str:
    """What the template renders for these answers: the fake model 'drafts' the same text."""
    other = make_repo(tmp_path / "offline")
    ygs("init", cwd=other)
    result = ygs("refine-prd", "--answers", str(answers), "--offline", "--json", cwd=other)
    assert result.code == 0, result.stderr
    return (other / result.json["path"]).read_text()


def texts(body: dict) -> list[str]:
    """Each message's text: a plain string, or the text of its content blocks."""
    out = []
    for message in body["messages"]:
        content = message["content"]
        out.append(content if isinstance(content, str) else "".join(b["text"] for b in content))
    return out


def responder(document: str, questions: list | None = None):
    def reply(body: dict) -> dict:
        text = texts(body)[-1]
        if any("Write the complete artifact" in t for t in texts(body)):
            return {"text": document}
        pending = json.loads(text.rsplit("\n", 1)[-1])["pending"]
        if questions is not None:
            questions.append(pending["key"])
        recommended = pending["bank_recommendation"]
        if pending["key"] == "why_now":
            recommended = "Q3 churn interviews named manual chasing as the top reason (model)"
        return {
            "text": json.dumps(
                {
                    "id": pending["key"],
                    "question": f"Model: {pending['question']}",
                    "recommended": recommended,
                    "rationale": "gap",
                    "done": False,
                }
            )
        }

    return reply


def write(tmp_path: Path, data: dict, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def full(tmp_path: Path) -> Path:
    return write(tmp_path, FIXTURE["answers"], "full.yaml")


def test_model_asks_what_the_file_lacks_drafts_and_records_usage(
    project, tmp_path, ygs, monkeypatch
):
    answers = write(tmp_path, answers_without("why_now"))
    document = offline_document(tmp_path, ygs, full(tmp_path))
    asked: list[str] = []
    with FakeAnthropic(responder(document, asked)) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project)
    assert result.code == 0, result.stderr
    assert asked == ["why_now"]  # answered questions cost no model call
    assert (project / result.json["path"]).read_text() == document
    journal = Path(result.json["journal"]).read_text()
    assert "Q3 churn interviews named manual chasing" in journal
    (usage_file,) = (project / ".ygs" / "runs").glob("*/usage.json")
    usage = json.loads(usage_file.read_text())
    assert len(usage["calls"]) == 2 and usage["cost_usd"] > 0
    assert usage["calls"][1]["cache_read_tokens"] > 0  # the static prefix was cached


def test_request_shape_static_prefix_cached_varying_last_no_secrets(
    project, tmp_path, ygs, monkeypatch
):
    (project / "README.md").write_text(
        "# demo\nkey for staging: sk-ant-api03-abcdefghijklmnopqrstuv\n"
    )
    answers = write(tmp_path, answers_without("why_now", "pain_cost"))
    document = offline_document(tmp_path, ygs, full(tmp_path))
    with FakeAnthropic(responder(document)) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        assert ygs("refine-prd", "--answers", str(answers), cwd=project).code == 0
    assert len(fake.requests) == 3
    for request in fake.requests:
        body = request["body"]
        system = body["system"]
        assert "cache_control" in system[-1] and all("cache_control" not in b for b in system[:-1])
        assert "ygs-refine-prd" in system[0]["text"]  # the skill is the first static block
        assert body["messages"][-1]["role"] == "user"
        # the repository is data in a (cached) user turn, never system text
        summary = body["messages"][0]
        assert summary["role"] == "user" and "cache_control" in summary["content"][0]
        assert "<repository-summary>" in summary["content"][0]["text"]
        assert all("# demo" not in b["text"] for b in system)
        raw = request["raw"]
        for secret in (
            "tok_live_9fQ2mX7vR4pL8zK3",
            SECRET_KEY,
            "sk-ant-api03-abcdefghijklmnopqrstuv",
        ):
            assert secret not in raw
        auth = request["headers"].get("x-api-key", "") + request["headers"].get("authorization", "")
        assert "test-key-not-real" in auth


def test_429_then_200_succeeds(project, tmp_path, ygs, monkeypatch):
    answers = write(tmp_path, answers_without("why_now"))
    document = offline_document(tmp_path, ygs, full(tmp_path))
    answer = responder(document)
    calls = {"n": 0}

    def script(body: dict) -> dict:
        calls["n"] += 1
        if calls["n"] == 1:
            return {"status": 429, "headers": {"retry-after": "0"}}
        return answer(body)

    with FakeAnthropic(script) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 0, result.stderr
    assert calls["n"] == 3


def test_repeated_529_exits_5_keeps_journal_writes_nothing(project, tmp_path, ygs, monkeypatch):
    answers = write(tmp_path, answers_without("why_now"))
    with FakeAnthropic([{"status": 529, "headers": {"retry-after": "0"}}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 5
    assert "529" in result.stderr and "--resume" in result.stderr
    assert len(fake.requests) == 5  # the first try and 4 retries
    assert not list((project / "docs" / "prd").glob("*.md"))
    (journal,) = (project / ".ygs" / "sessions").glob("*.jsonl")
    assert len(journal.read_text().splitlines()) > 5  # the answers given so far survive


def test_invalid_json_twice_exits_5_and_writes_nothing(project, tmp_path, ygs, monkeypatch):
    answers = write(tmp_path, answers_without("why_now"))
    with FakeAnthropic([{"text": "Sure! Here is my question: why now?"}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 5
    assert "not valid JSON" in result.stderr and "2 repair" in result.stderr
    assert len(fake.requests) == 3  # the question and two repairs
    assert not list((project / "docs" / "prd").glob("*.md"))


def test_timeout_exits_5_with_a_clear_message(project, tmp_path, ygs, monkeypatch):
    monkeypatch.setenv("YGS_MODEL_TIMEOUT_S", "0.5")
    answers = write(tmp_path, answers_without("why_now"))
    with FakeAnthropic([{"text": "{}", "delay": 3}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 5
    assert "did not answer within 0.5 s" in result.stderr


def test_budget_stops_before_the_call_that_would_exceed_it(project, tmp_path, ygs, monkeypatch):
    answers = write(tmp_path, answers_without("why_now"))
    with FakeAnthropic([{"text": "{}"}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), "--max-cost", "0.0001", cwd=project)
    assert result.code == 5 and "budget" in result.stderr
    assert fake.requests == []


def test_auth_error_is_not_retried(project, tmp_path, ygs, monkeypatch):
    answers = write(tmp_path, answers_without("why_now"))
    with FakeAnthropic([{"status": 401}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 5 and "rejected the key" in result.stderr
    assert len(fake.requests) == 1
    assert "test-key-not-real" not in result.stderr + result.stdout


def fake_claude(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "claude"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m ygs.testing.fake_claude "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)


def test_claude_code_backend_with_a_fake_claude(project, tmp_path, ygs, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.setenv("YGS_MODEL_BACKEND", "claude-code")
    fake_claude(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    document = offline_document(tmp_path, ygs, full(tmp_path))
    question = json.dumps(
        {
            "id": "why_now",
            "question": "Why now?",
            "rationale": "gap",
            "recommended": "Churn in Q3 (from claude)",
            "done": False,
        }
    )
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([question, document]))
    log = tmp_path / "claude.jsonl"
    monkeypatch.setenv("YGS_FAKE_CLAUDE_REPLIES", str(replies))
    monkeypatch.setenv("YGS_FAKE_CLAUDE_LOG", str(log))
    answers = write(tmp_path, answers_without("why_now"))
    result = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project)
    assert result.code == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2
    argv = calls[0]["argv"]
    assert argv[:3] == ["-p", "--output-format", "json"] and "--append-system-prompt" in argv
    assert calls[0]["cwd"] != str(project)  # no project hooks or MCP servers run
    assert SECRET_ENV not in json.dumps(calls)
    (usage_file,) = (project / ".ygs" / "runs").glob("*/usage.json")
    assert json.loads(usage_file.read_text())["cost_usd"] == pytest.approx(0.0246)
