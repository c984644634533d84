"""The judgment halves of triage and sync with a model: the fake Anthropic server is the
only stub. The model's word is checked (a requirement it invents is dropped), what it is
sent is redacted, and a proposed sync plan is written for review, never applied."""

from __future__ import annotations

import json

import pytest

from tests import shipkit
from tests.conftest import git
from tests.shipkit import implemented, ok
from ygs.testing.fake_anthropic import FakeAnthropic

PLANTED = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@pytest.fixture
def model(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
    monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")

    def serve(*replies):
        return FakeAnthropic([{"text": json.dumps(r)} for r in replies])

    return serve


def test_triage_takes_the_models_judgment_and_sends_it_redacted(tmp_path, ygs, model, monkeypatch):
    root = shipkit.calculator(tmp_path / "repo")
    text = f"The total is off by one cent on refunds; my token {PLANTED} shows it"
    judged = {"severity": "SHOULD", "requirement": "REQ-001", "rationale": "degraded sums"}
    with model(judged) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        out = ok(ygs("triage", "--text", text, "--category", "bug", "--json", cwd=root))
    assert (out["severity"], out["requirement"], out["judged_by"]) == ("SHOULD", "REQ-001", "model")
    sent = json.dumps(fake.requests[0]["body"])
    assert PLANTED not in sent and "REQ-001" in sent and "off by one cent" in sent

    invented = {"severity": "MAY", "requirement": "REQ-999", "rationale": "made up"}
    with model(invented) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        args = ("--text", "Please add a dark mode", "--category", "enhancement")
        other = ok(ygs("triage", *args, "--json", cwd=root))
    assert other["requirement"] != "REQ-999"


def test_sync_with_a_model_writes_a_plan_for_review_and_changes_no_doc(
    tmp_path, ygs, model, monkeypatch
):
    root = implemented(tmp_path, ygs)
    (root / "docs" / "trd").mkdir(parents=True)
    trd = root / "docs" / "trd" / "2026-01-11-calculator-trd.md"
    trd.write_text(
        "---\nid: calculator-trd\ntype: trd\ntitle: Calculator design\nstatus: approved\n"
        "date: 2026-01-11\nprd: calculator\n---\n# Calculator design\n\n## Interfaces\n\n"
        "`calc/ops.py` has `add(a, b)`.\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "docs: TRD")
    before = trd.read_text()
    row = {
        "document": "calculator-trd",
        "section": "Interfaces",
        "dimension": "interfaces",
        "severity": "SHOULD",
        "direction": "update doc",
        "design_said": "a new module",
        "code_does": "calc/ops.py",
        "rationale": "the deviation of TASK-001",
        "new_text": "`calc/ops.py` has `add(a, b)` and `sub(a, b)`.",
    }
    with model({"rows": [row]}) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        out = ygs("sync", "--json", cwd=root)
    assert out.code == 1, out.stdout  # drift is still drift
    plan = out.json["plan"]
    assert plan["valid"] and plan["rows"][0]["document"].endswith("calculator-trd.md")
    assert (root / plan["file"]).exists() and trd.read_text() == before
    assert "unreflected-deviation" in json.dumps(fake.requests[0]["body"])
    applied = ok(ygs("sync", "--plan", plan["file"], "--apply", "--yes", "--json", cwd=root))
    assert "`sub(a, b)`" in trd.read_text() and applied["applied_rows"] == [1]
