"""review-prd / review-trd / review-architecture: lint, verified judgment, verdict, exit codes."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import REPO
from ygs.testing.fake_anthropic import FakeAnthropic

FIXTURES = REPO / "tests" / "fixtures" / "templates"


@pytest.fixture
def prd(repo, ygs, tmp_path):
    ygs("init", cwd=repo)
    answers = tmp_path / "a.yaml"
    answers.write_text(
        yaml.safe_dump(yaml.safe_load((FIXTURES / "prd.yaml").read_text())["answers"])
    )
    result = ygs("refine-prd", "--answers", str(answers), "--offline", "--json", cwd=repo)
    return repo, result.json["path"]


def test_clean_document_is_approved(ygs, prd):
    repo, path = prd
    result = ygs("review-prd", path, "--offline", "--json", cwd=repo)
    assert result.code == 0 and result.json["verdict"] in ("APPROVE", "COMMENT")
    assert all(f["severity"] != "MUST" for f in result.json["findings"])


def test_lint_findings_block_with_exit_1(ygs, prd):
    repo, path = prd
    target = repo / path
    target.write_text(target.read_text().replace("## Non-goals", "## Later"))
    result = ygs("review-prd", path, "--offline", "--json", cwd=repo)
    assert result.code == 1 and result.json["verdict"] == "REQUEST_CHANGES"
    assert any(f["rule"].startswith("PRD") for f in result.json["findings"])


def test_merged_findings_off_the_document_are_dropped(ygs, prd, tmp_path):
    repo, path = prd
    merge = tmp_path / "findings.json"
    merge.write_text(
        json.dumps(
            [
                {
                    "severity": "SHOULD",
                    "confidence": "HIGH",
                    "title": "Vague target",
                    "why": "w",
                    "fix": "f",
                    "line": 12,
                },
                {
                    "severity": "MUST",
                    "confidence": "LOW",
                    "title": "Invented",
                    "why": "w",
                    "fix": "f",
                    "line": 5000,
                },
            ]
        )
    )
    result = ygs("review-prd", path, "--offline", "--merge", str(merge), "--json", cwd=repo)
    assert result.code == 0
    assert [f["line"] for f in result.json["findings"] if f["rule"] == "RVW001"] == [12]
    assert result.json["dropped"][0]["title"] == "Invented"


def test_model_critique_is_verified_against_real_lines(ygs, prd, monkeypatch):
    repo, path = prd
    reply = {
        "findings": [
            {
                "severity": "MUST",
                "confidence": "HIGH",
                "title": "Failure mode too vague",
                "why": "w",
                "fix": "f",
                "line": 20,
            },
            {
                "severity": "MUST",
                "confidence": "HIGH",
                "title": "Hallucinated",
                "why": "w",
                "fix": "f",
                "line": 0,
            },
        ]
    }
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with FakeAnthropic([{"text": json.dumps(reply)}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("review-prd", path, "--model-backend", "anthropic", "--json", cwd=repo)
    assert result.code == 1 and result.json["model"] is True
    assert [f["line"] for f in result.json["findings"] if f["rule"] == "RVW001"] == [20]
    prompt = fake.requests[0]["body"]["messages"][-1]["content"]
    assert "  20  " in prompt  # the document goes with line numbers


def test_wrong_type_is_a_usage_error(ygs, prd):
    repo, path = prd
    result = ygs("review-trd", path, "--offline", cwd=repo)
    assert result.code == 2 and "is not a trd" in result.stderr


def test_secrets_in_the_document_never_reach_the_model_and_lines_still_match(ygs, prd, monkeypatch):
    repo, path = prd
    target = repo / path
    lines = target.read_text().splitlines()
    planted = [
        "DATABASE_URL=postgres://app:Pg7hunterQ2@db.internal/app",
        "Authorization: Bearer tok3nVALUEabcdef123",
        "password=s3cretPassw0rd",
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEpAIBAAKCAQEA7bq0plantedKeyMaterial0123456789",
    ]
    target.write_text("\n".join(lines[:12] + planted + lines[12:]) + "\n")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with FakeAnthropic([{"text": json.dumps({"findings": []})}]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs("review-prd", path, "--model-backend", "anthropic", "--json", cwd=repo)
    assert result.code in (0, 1), result.stderr
    raw = fake.requests[0]["raw"]
    for secret in ("Pg7hunterQ2", "tok3nVALUEabcdef123", "s3cretPassw0rd", "plantedKeyMaterial"):
        assert secret not in raw
    prompt = fake.requests[0]["body"]["messages"][-1]["content"]
    last = len(lines) + len(planted)
    assert f"{last:>4}  {lines[-1]}" in prompt  # redaction kept every line number
