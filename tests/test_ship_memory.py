"""The rest of the close on real repositories: a UAT walked in a real terminal, killed and
resumed from its journal; handoff and `--latest`; triage of a `gh` issue and of a text; the
learnings index (incremental, stale entries, an unparsable learning); ship gates that
checked nothing; bad version and changelog input; sync's recorded fingerprints and a
confirmed plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import shipkit
from tests.conftest import REPO, git
from tests.pty_driver import Interview
from tests.shipkit import implemented, ok

DATA = REPO / "tests" / "data" / "ship"


@pytest.fixture
def gh_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "gh.log"
    for key, value in shipkit.fake_gh(tmp_path / "bin", log).items():
        monkeypatch.setenv(key, value)
    return log


def test_uat_walked_in_a_terminal_then_killed_and_resumed_from_its_journal(tmp_path, ygs):
    root = implemented(tmp_path, ygs)
    typed = {
        "title": "UAT in a terminal",
        "build": "the run branch of TASK-001",
        "tester": "Test Author",
        "scenarios[0].result": "PASS",
        "scenarios[0].observed": "The difference 2 appears at once",
    }
    session = Interview(["uat", "--prd", "calculator"], cwd=root, timeout=60)
    session.answer(typed, stop_after=9)
    session.kill()
    assert "scenarios[0].observed" in session.keys
    (journal,) = (root / ".ygs" / "sessions").glob("ygs-uat-*.jsonl")
    events = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    assert [e["key"] for e in events] == session.keys[:9]
    assert not (root / "docs" / "qa").exists()  # nothing written before the end

    resumed = ok(ygs("uat", "--resume", "--answers", str(DATA / "uat.yaml"), "--json", cwd=root))
    assert resumed["result"] == "PASS" and resumed["verifies"] == ["REQ-001"]
    report = (root / resumed["path"]).read_text()
    assert "UAT in a terminal" in report and "The difference 2 appears at once" in report


def test_uat_with_a_failed_scenario_is_fail_and_names_it(tmp_path, ygs):
    root = implemented(tmp_path, ygs)
    answers = (DATA / "uat.yaml").read_text().replace("    result: PASS\n", "    result: FAIL\n", 1)
    failing = tmp_path / "uat-fail.yaml"
    failing.write_text(answers)
    out = ygs("uat", "--prd", "calculator", "--answers", str(failing), "--json", cwd=root)
    assert out.code == 1 and out.json["result"] == "FAIL", out.stdout
    assert (root / out.json["path"]).exists()


def test_handoff_records_the_open_run_and_latest_prints_it(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    ok(ygs("implement", "TASK-001", "--manual", "--json", cwd=root))
    shipkit.subtract(root)
    answers = tmp_path / "handoff.yaml"
    answers.write_text(
        "title: Subtraction half done\n"
        "summary: sub() exists; the sign of negative results is open\n"
        "next_step: write the failing test for sub(1, 3) first\n"
        "questions: ['Minus sign or brackets for negative results? (Ana)']\n"
    )
    written = ok(ygs("handoff", "--answers", str(answers), "--json", cwd=root))
    state = written["state"]
    assert state["task"] == "TASK-001" and state["run"]
    assert {"calc/ops.py", "tests/test_ops.py"} <= set(state["dirty"]) | set(state["touched"])
    assert written["path"].startswith("docs/handoffs/") and written["written"]
    text = (root / written["path"]).read_text()
    assert "write the failing test for sub(1, 3) first" in text and "TASK-001" in text

    latest = ygs("handoff", "--latest", cwd=root)
    assert latest.code == 0 and latest.stdout == text
    assert ok(ygs("handoff", "--latest", "--json", cwd=root))["path"] == written["path"]

    plain = ok(ygs("handoff", "--json", cwd=root))  # no answers: facts only, a draft
    assert "status: draft" in (root / plain["path"]).read_text()
    assert ygs("check", plain["path"], "--fail-on", "should", cwd=root).code == 0
    assert "status: final" in text

    answers.write_text("title: [not, a, string\n")
    bad = ygs("handoff", "--answers", str(answers), "--json", cwd=root)
    assert bad.code == 2 and "Traceback" not in bad.stderr


def test_handoff_latest_without_any_says_so(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    out = ygs("handoff", "--latest", "--json", cwd=root)
    assert out.code != 0 and out.code != 70 and "ygs handoff" in out.json["error"]["remedy"]


def test_triage_a_github_issue_and_a_text_into_backlog_tasks(tmp_path, ygs, gh_log):
    root = shipkit.calculator(tmp_path / "repo")
    issue = ok(ygs("triage", "5", "--category", "bug", "--json", cwd=root))
    assert (issue["severity"], issue["requirement"]) == ("MUST", "REQ-001")
    task = root / issue["task"]["path"]
    assert issue["task"]["created"] and task.parent.name == "backlog"
    head = task.read_text().split("---")[1]
    assert "REQ-001" in head.split("satisfies:")[1].split("\n")[0]
    again = ok(ygs("triage", "5", "--category", "bug", "--json", cwd=root))
    assert again["task"] == {**issue["task"], "created": False}  # never filed twice
    assert len(list((root / "tasks" / "backlog").glob("*.md"))) == 2

    text = ok(
        ygs(
            "triage",
            "--text",
            "Offer a dark theme",
            "--category",
            "enhancement",
            "--json",
            cwd=root,
        )
    )
    assert text["issue"] == "text" and text["task"]["created"]
    assert ygs("triage", "5", "--json", cwd=root).code == 2  # the category is the user's

    labelled = ok(
        ygs("triage", "5", "--category", "bug", "--state", "ready-for-agent", "--json", cwd=root)
    )
    edits = [c["args"] for c in shipkit.gh_calls(gh_log) if c["args"][:2] == ["issue", "edit"]]
    assert edits and "ready-for-agent" in " ".join(edits[-1]) and labelled["labels"]


def test_triage_with_gh_logged_out_is_a_clear_message(tmp_path, ygs, gh_log, monkeypatch):
    root = shipkit.calculator(tmp_path / "repo")
    monkeypatch.setenv("FAKE_GH_MODE", "logged-out")
    out = ygs("triage", "5", "--category", "bug", "--json", cwd=root)
    assert out.code in (2, 3) and "gh auth login" in json.dumps(out.json["error"])
    assert len(list((root / "tasks" / "backlog").glob("*.md"))) == 1


def _learning(root: Path, ygs) -> str:
    return ok(ygs("learn", "--answers", str(DATA / "learn.yaml"), "--json", cwd=root))["path"]


def test_learnings_are_indexed_incrementally_and_stale_ones_marked(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    path = _learning(root, ygs)
    first = ok(ygs("learnings", "search", "formatter", "--json", cwd=root))
    assert [r["path"] for r in first["results"]] == [path] and first["index"]["updated"] >= 1
    assert not first["results"][0]["stale"]
    second = ok(ygs("learnings", "search", "formatter", "--json", cwd=root))
    assert second["index"]["updated"] == 0 and second["results"] == first["results"]
    assert (root / ".ygs" / "cache" / "learnings.sqlite").exists()
    assert git(root, "status", "--porcelain", "--", ".ygs") == ""  # the cache is not for git

    learning = root / path
    text = learning.read_text()
    head, sep, body = text.partition("\n---\n")
    dated = "\n".join(
        "reviewed: 2020-01-01" if line.startswith("reviewed:") else line
        for line in head.splitlines()
    )
    if "reviewed:" not in head:
        dated += "\nreviewed: 2020-01-01"
    learning.write_text(dated + sep + body)
    stale = ok(ygs("learnings", "search", "formatter", "--json", cwd=root))
    assert stale["index"]["updated"] == 1 and stale["results"][0]["stale"]

    learning.unlink()
    gone = ok(ygs("learnings", "search", "formatter", "--json", cwd=root))
    assert gone["results"] == [] and gone["index"]["removed"] == 1


def test_an_unparsable_learning_is_exit_2_with_file_and_line(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    path = _learning(root, ygs)
    learning = root / path
    learning.write_text(learning.read_text().replace("date: ", "date: someday-", 1))
    out = ygs("learnings", "search", "formatter", "--json", cwd=root)
    assert out.code == 2 and out.json["error"]["file"] == path and out.json["error"]["line"]
    assert "Traceback" not in out.stderr


def test_gates_that_checked_nothing_do_not_pass(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    git(root, "switch", "-q", "-c", "feature")
    out = ygs("ship", "--dry-run", "--json", cwd=root)
    assert out.code == 1, out.stdout
    table = {g["gate"]: g for g in out.json["gates"]}
    assert table["diff"]["status"] == "fail" and "nothing to ship" in table["diff"]["reason"]
    assert table["qa"]["status"] == "fail" and "no QA report" in table["qa"]["reason"]
    assert table["uat"]["status"] == "fail" and "not a pass" in table["uat"]["reason"]
    assert table["trace"]["status"] == "fail"


def test_versions_that_disagree_or_do_not_parse_are_exit_2(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    (root / "calc" / "__init__.py").write_text('__version__ = "0.1.1"\n')
    out = ygs("version", "bump", "patch", "--json", cwd=root)
    assert out.code == 2, out.stdout
    said = json.dumps(out.json["error"])
    assert "pyproject.toml" in said and "calc/__init__.py" in said
    assert 'version = "0.1.0"' in (root / "pyproject.toml").read_text()  # nothing written

    (root / "calc" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"0.1.0"', '"0.1"'))
    bad = ygs("version", "bump", "patch", "--json", cwd=root)
    assert bad.code == 2 and bad.json["error"]["line"] == 3, bad.stdout
    assert ygs("ship", "--dry-run", "--json", cwd=root).code == 2

    pyproject.write_text(pyproject.read_text().replace('"0.1"', '"0.1.0"'))
    bumped = ok(ygs("version", "bump", "minor", "--json", cwd=root))
    assert (bumped["from"], bumped["to"], bumped["level"]) == ("0.1.0", "0.2.0", "minor")
    assert 'version = "0.2.0"' in pyproject.read_text()
    assert (root / "calc" / "__init__.py").read_text() == '__version__ = "0.2.0"\n'


def test_a_changelog_that_is_not_keep_a_changelog_is_exit_2(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    changelog = root / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n### Stuff\n\n- a thing\n")
    out = ygs("changelog", "--json", cwd=root)
    assert out.code == 2 and out.json["error"]["file"] == "CHANGELOG.md"
    assert out.json["error"]["line"] == 5 and "Traceback" not in out.stderr
    assert changelog.read_text().endswith("- a thing\n")  # untouched


TRD = """\
---
id: calculator-trd
type: trd
title: Calculator design
status: approved
date: 2026-01-11
prd: calculator
covers: [calc/**]
---
# Calculator design

## Interfaces

`calc/ops.py` has `add(a, b)`.
"""


def test_sync_reports_a_recorded_doc_as_stale_and_applies_only_a_confirmed_plan(tmp_path, ygs):
    root = shipkit.calculator(tmp_path / "repo")
    (root / "docs" / "trd").mkdir(parents=True)
    trd = root / "docs" / "trd" / "2026-01-11-calculator-trd.md"
    trd.write_text(TRD)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "docs: the TRD")
    recorded = ok(ygs("sync", "--record", "calculator-trd", "--json", cwd=root))
    assert recorded["recorded"][0]["path"] == "docs/trd/2026-01-11-calculator-trd.md"
    git(root, "add", ".ygs/sync.json")  # the fingerprints are shared with the team
    git(root, "commit", "-qm", "docs: record the TRD's files")
    clean = ygs("sync", "--offline", "--json", cwd=root)
    assert clean.code == 0, clean.stdout

    shipkit.subtract(root)
    git(root, "commit", "-qam", "feat: subtract")
    drift = ygs("sync", "--offline", "--json", cwd=root)
    assert drift.code == 1
    stale = [c for c in drift.json["candidates"] if c["kind"] == "stale-doc"]
    assert stale and stale[0]["document"] == "docs/trd/2026-01-11-calculator-trd.md"
    assert git(root, "status", "--porcelain") == ""  # without a model, nothing written

    row = {
        "document": "calculator-trd",
        "section": "Interfaces",
        "dimension": "interfaces",
        "severity": "SHOULD",
        "direction": "update doc",
        "design_said": "add only",
        "code_does": "add and sub",
        "rationale": "sub() shipped with TASK-001",
        "new_text": "`calc/ops.py` has `add(a, b)` and `sub(a, b)`.",
    }
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([row]))
    checked = ok(ygs("sync", "--plan", str(plan), "--json", cwd=root))
    assert checked["valid"] and checked["rows"][0]["n"] == 1
    refused = ygs("sync", "--plan", str(plan), "--apply", "--json", cwd=root)
    assert refused.code == 3 and trd.read_text() == TRD  # never without confirmation
    applied = ok(ygs("sync", "--plan", str(plan), "--apply", "--yes", "--json", cwd=root))
    assert applied["applied"] == ["docs/trd/2026-01-11-calculator-trd.md"]
    assert "`sub(a, b)`" in trd.read_text() and "## Interfaces" in trd.read_text()
    plan.write_text(json.dumps([{**row, "section": "Nowhere"}]))
    assert ygs("sync", "--plan", str(plan), "--json", cwd=root).code == 2
