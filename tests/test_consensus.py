"""`review-architecture --parallel N`: N independent reviewers merged by agreement.

The merge rules are pure and tested on their own; the command runs N real requests against
the fake Messages server and lets the merged findings decide verdict and exit code."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import REPO
from ygs.review.consensus import Opinion, merge
from ygs.testing.fake_anthropic import FakeAnthropic

FIXTURES = REPO / "tests" / "fixtures" / "templates"


def finding(severity="MUST", criterion="A5", line=10, title="Dual write", why="w", fix="f"):
    return {
        "severity": severity,
        "confidence": "HIGH",
        "criterion": criterion,
        "title": title,
        "why": why,
        "fix": fix,
        "line": line,
    }


def opinion(*items, fine=()):
    return Opinion.of({"findings": list(items), "fine": list(fine)})


def test_all_reviewers_agree_is_high_and_a_majority_is_medium():
    merged = merge(
        [opinion(finding()), opinion(finding()), opinion(finding(), finding("SHOULD", "A2", 4))]
    )
    by = {f["criterion"]: f for f in merged.findings}
    assert by["A5"]["consensus"] == "3/3" and by["A5"]["confidence"] == "HIGH"
    assert by["A2"]["consensus"] == "1/3" and by["A2"]["confidence"] == "LOW"
    two = merge([opinion(finding()), opinion(finding()), opinion()])
    assert two.findings[0]["consensus"] == "2/3" and two.findings[0]["confidence"] == "MEDIUM"
    assert two.findings[0]["severity"] == "MUST"


def test_a_lone_must_becomes_a_should_question_to_recheck():
    merged = merge([opinion(finding(title="No outbox.")), opinion(), opinion()])
    [item] = merged.findings
    assert item["severity"] == "SHOULD" and item["recheck"] is True
    assert item["title"] == "Is this so: No outbox?"


def test_severity_is_the_most_common_and_the_higher_on_a_tie():
    three = merge([opinion(finding("SHOULD")), opinion(finding("SHOULD")), opinion(finding())])
    assert three.findings[0]["severity"] == "SHOULD"
    tie = merge([opinion(finding("SHOULD")), opinion(finding())])
    assert tie.findings[0]["severity"] == "MUST"


def test_a_reviewer_who_judged_the_criterion_fine_makes_it_split():
    merged = merge([opinion(finding()), opinion(finding()), opinion(fine=["a5"])])
    assert merged.findings == []
    [split] = merged.split
    assert split.criterion == "A5" and split.must is True
    assert split.positions == ("2 reviewers raised it as MUST", "1 reviewer judged A5 fine")


def test_must_against_may_is_split_and_never_averaged():
    merged = merge([opinion(finding("MUST")), opinion(finding("MAY")), opinion(finding("SHOULD"))])
    assert merged.findings == [] and len(merged.split) == 1
    assert merged.split[0].positions[0] == "1 reviewer raised it as MUST"


def test_same_problem_is_same_criterion_and_line_and_a_reviewer_counts_once():
    twice = opinion(finding(), finding(why="again"))
    merged = merge([twice, opinion(finding(line=11)), opinion()])
    assert sorted((f["line"], f["consensus"]) for f in merged.findings) == [
        (10, "1/3"),
        (11, "1/3"),
    ]
    untitled = merge(
        [
            opinion(finding(criterion="", title="Cache  unneeded")),
            opinion(finding(criterion="", title="cache unneeded")),
        ]
    )
    assert [f["consensus"] for f in untitled.findings] == ["2/2"]


def test_the_fullest_wording_is_kept():
    merged = merge(
        [
            opinion(finding(fix="outbox")),
            opinion(finding(fix="write the event in the order's transaction")),
        ]
    )
    assert merged.findings[0]["fix"] == "write the event in the order's transaction"


@pytest.mark.parametrize(
    "reply",
    [
        None,
        [],
        {"findings": "x"},
        {"findings": [{"line": "3"}, 5, {"line": True, "severity": "MUST"}]},
    ],
)
def test_malformed_replies_raise_nothing(reply):
    assert Opinion.of(reply).findings == ()


# --- the command ------------------------------------------------------------------------


@pytest.fixture
def architecture(repo, ygs, tmp_path):
    ygs("init", cwd=repo)
    for name in ("prd", "trd", "architecture"):
        answers = tmp_path / f"{name}.yaml"
        data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())["answers"]
        answers.write_text(yaml.safe_dump(data))
        command = "refine-architecture" if name == "architecture" else f"refine-{name}"
        result = ygs(command, "--answers", str(answers), "--offline", "--json", cwd=repo)
        assert result.code == 0, result.stderr
    return repo, result.json["path"]


def reply(*items, fine=()):
    return {"text": json.dumps({"findings": list(items), "fine": list(fine)})}


def parallel_review(ygs, architecture, monkeypatch, replies, *args):
    """`review-architecture --parallel len(replies)` against the fake Messages server."""
    repo, path = architecture
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with FakeAnthropic(replies) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = ygs(
            "review-architecture",
            path,
            *("--parallel", str(len(replies)), "--model-backend", "anthropic", *args),
            cwd=repo,
        )
    return result, fake.requests


def test_three_reviewers_merge_into_one_verdict(ygs, architecture, monkeypatch):
    replies = [
        reply(finding(line=3), finding("SHOULD", "A2", 5)),
        reply(finding(line=3)),
        reply(finding(line=3), finding("SHOULD", "A9", 6), fine=["A2"]),
    ]
    result, requests = parallel_review(ygs, architecture, monkeypatch, replies, "--json")
    assert len(requests) == 3
    bodies = [r["body"]["messages"] for r in requests]
    assert bodies[0] == bodies[1] == bodies[2]  # identical inputs, no shared notes
    assert result.code == 1 and result.json["verdict"] == "REQUEST_CHANGES"
    judged = {f["criterion"]: f for f in result.json["findings"] if f["source"] == "review"}
    assert judged["A5"]["consensus"] == "3/3" and judged["A5"]["confidence"] == "HIGH"
    assert judged["A5"]["message"].endswith("[3/3 HIGH]")
    assert judged["A9"]["consensus"] == "1/3"
    assert result.json["consensus"] == {"requested": 3, "reviewers": 3}
    assert [s["criterion"] for s in result.json["split"]] == ["A2"]
    assert all(f["source"] == "ygs" for f in result.json["findings"] if f["rule"] != "RVW001")


def test_a_split_must_needs_a_human_and_is_listed(ygs, architecture, monkeypatch):
    replies = [reply(finding(line=3)), reply(fine=["A5"])]
    result, _ = parallel_review(ygs, architecture, monkeypatch, replies, "--fail-on", "never")
    assert result.code == 3, result.stderr
    assert "Needs a human call" in result.stdout
    assert (
        '- SPLIT A5 line 3 "Dual write": 1 reviewer raised it as MUST; 1 reviewer judged A5 fine'
        in result.stdout
    )


def test_parallel_without_a_model_says_no_consensus(ygs, architecture):
    repo, path = architecture
    result = ygs("review-architecture", path, "--parallel", "3", "--offline", "--json", cwd=repo)
    assert result.code in (0, 1)
    assert result.json["consensus"] == {"requested": 3, "reviewers": 0}
    assert "no consensus" in result.stderr


@pytest.mark.parametrize("n", ["1", "6"])
def test_parallel_outside_two_to_five_is_a_usage_error(ygs, architecture, n):
    repo, path = architecture
    result = ygs("review-architecture", path, "--parallel", n, "--offline", cwd=repo)
    assert result.code == 2 and "2 to 5 reviewers" in result.stderr
