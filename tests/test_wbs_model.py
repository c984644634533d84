"""`ygs wbs` with a model: the decomposition comes back as JSON, ygs checks it and sends it
back at most twice. The fake Anthropic server is the only stub."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, make_repo
from ygs.core import frontmatter
from ygs.testing.fake_anthropic import FakeAnthropic

DATA = REPO / "tests" / "data" / "plan"


def task(key, title, satisfies, depends_on=(), files=("src/a.py",)):
    return {
        "key": key,
        "title": title,
        "goal": f"{title}, end to end.",
        "satisfies": list(satisfies),
        "depends_on": list(depends_on),
        "planned_files": list(files),
        "acceptance": [
            {"given": "a due invoice", "when": "the clock passes", "then": "one reminder is sent"},
            {"given": "the mailbox rejects it", "when": "retries fail", "then": "it shows failed"},
        ],
        "points": 3,
        "mode": "AFK",
    }


GOOD = {
    "tasks": [
        task("outbox", "Outbox for alert events", ["REQ-002"]),
        task("pool", "P0 worker pool", ["REQ-001"], ["outbox"]),
        task("digest", "Hourly digest", ["REQ-003"], ["outbox"]),
    ]
}
BAD = {
    "tasks": [
        task("a", "First", ["REQ-001", "REQ-999"], ["b"]),
        task("b", "Second", ["REQ-002"], ["a"], [f"src/f{i}.py" for i in range(9)]),
    ]
}


@pytest.fixture
def project(tmp_path, ygs, monkeypatch):
    root = make_repo(tmp_path / "repo")
    ygs("init", cwd=root)
    assert ygs("refine-prd", "--answers", str(DATA / "prd.yaml"), cwd=root).code == 0
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
    monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
    return root


def replies(*items):
    return [{"text": json.dumps(item)} for item in items]


def test_the_model_proposes_ygs_checks_and_sends_it_back(project, ygs, monkeypatch):
    with FakeAnthropic(replies(BAD, GOOD)) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("wbs", "--non-interactive", "--json", cwd=project)
    assert result.code == 0, result.stderr
    assert len(fake.requests) == 2
    repair = fake.requests[1]["body"]["messages"][-1]["content"]
    assert "REQ-999" in repair and "dependency cycle a → b → a" in repair and "too big" in repair
    ids = {t["key"]: t["id"] for t in result.json["tasks"]}
    assert ids == {"outbox": "TASK-001", "pool": "TASK-002", "digest": "TASK-003"}
    pool = frontmatter.parse((project / result.json["tasks"][1]["path"]).read_text()).meta
    assert pool["depends_on"] == ["TASK-001"] and pool["wave"] == 2 and pool["priority"] == "P0"
    assert result.json["plan"]["uncovered"] == []


def test_a_decomposition_that_stays_wrong_exits_5_and_writes_nothing(project, ygs, monkeypatch):
    with FakeAnthropic(replies(BAD)) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("wbs", "--non-interactive", cwd=project)
    assert result.code == 5 and "after 2 repairs" in result.stderr
    assert len(fake.requests) == 3
    assert not list((project / "tasks").rglob("*.md"))


def test_a_reply_that_is_not_the_schema_is_repaired_by_the_port(project, ygs, monkeypatch):
    with FakeAnthropic([{"text": "here is a plan"}, {"text": json.dumps(GOOD)}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("wbs", "--non-interactive", "--json", cwd=project)
    assert result.code == 0, result.stderr
    assert len(result.json["written"]) == 3
