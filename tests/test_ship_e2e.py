"""The whole close of the loop on a real tiny project, in real git repositories with a bare
remote and a fake `gh` on PATH: implement (manual) → qa → qa score → uat → sync → ship
--dry-run → ship → retro → learn → learnings search; then the faults (a kill between the
bump and the commit, gh missing or logged out, a freeze, red tests)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import shipkit
from tests.conftest import REPO, git
from tests.shipkit import implemented
from tests.shipkit import ok as _ok

DATA = REPO / "tests" / "data" / "ship"


def accepted(root: Path, ygs) -> None:
    """QA scored PASS and UAT PASS, both reports committed."""
    _ok(ygs("qa", "--answers", str(DATA / "qa.yaml"), "--json", cwd=root))
    _ok(ygs("qa", "score", "--json", cwd=root))
    _ok(ygs("uat", "--prd", "calculator", "--answers", str(DATA / "uat.yaml"), "--json", cwd=root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs: QA and UAT reports")


@pytest.fixture
def gh_on_path(tmp_path, monkeypatch):
    log = tmp_path / "gh.log"
    for key, value in shipkit.fake_gh(tmp_path / "bin", log).items():
        monkeypatch.setenv(key, value)
    return log


def test_the_whole_close(tmp_path, ygs, gh_on_path):
    root = implemented(tmp_path, ygs)

    # qa: the draft carries the computed evidence; score does the arithmetic
    drafted = _ok(ygs("qa", "--answers", str(DATA / "qa.yaml"), "--json", cwd=root))
    evidence = drafted["evidence"]
    assert evidence["tests"]["green"] and evidence["tests"]["passed"] == 2
    assert evidence["failure_modes"]["covered"] == ["REQ-001"]
    assert evidence["regressions_line"] == "no fix commits" and evidence["since"] == "v0.1.0"
    report = (root / drafted["path"]).read_text()
    assert "1/1 MUST failure modes have a test" in report and "**Health:** 41/50" in report
    again = _ok(ygs("qa", "--json", cwd=root))  # the same change continues its report
    assert again["existing"] and again["path"] == drafted["path"]
    scored = _ok(
        ygs("qa", "score", "--performance", "8", "--summary", "bench run", "--json", cwd=root)
    )
    assert (scored["health"], scored["result"], scored["round"]) == (42, "PASS", 1)
    assert "| 1 |" in (root / drafted["path"]).read_text().split("## Rounds")[1]
    low = ygs("qa", "score", "--edge-cases", "5", "--amend", "--json", cwd=root)
    assert low.code == 1 and low.json["reasons"][1:] == ["below 6: Edge cases 5"]
    _ok(ygs("qa", "score", "--edge-cases", "8", "--amend", "--json", cwd=root))

    # uat: the PRD's scenarios as a checklist, the verdict computed
    walked = _ok(
        ygs("uat", "--prd", "calculator", "--answers", str(DATA / "uat.yaml"), "--json", cwd=root)
    )
    assert walked["result"] == "PASS" and walked["verifies"] == ["REQ-001"]
    assert walked["checklist"][0]["scenario"].startswith("Given the amounts 3 and 1")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs: QA and UAT reports")

    # sync: the deviation no design document reflects is drift, with its evidence
    drift = ygs("sync", "--json", cwd=root)
    assert drift.code == 1, drift.stderr
    kinds = {c["kind"]: c for c in drift.json["candidates"]}
    assert set(kinds) == {"unreflected-deviation"}
    assert kinds["unreflected-deviation"]["file"] == "tasks/done/TASK-001-subtract-two-amounts.md"

    # ship --dry-run: every gate, nothing changed
    before = git(root, "status", "--porcelain")
    dry = ygs("ship", "--dry-run", "--json", cwd=root)
    assert dry.code == 0, dry.stdout
    table = {g["gate"]: g for g in dry.json["gates"]}
    assert [g["gate"] for g in dry.json["gates"]] == [
        *("freeze", "worktree", "tests", "review", "diff", "check"),
        *("qa", "uat", "trace", "version", "changelog"),
    ]
    assert all(g["status"] == "pass" for g in table.values()), table
    assert dry.json["version"] == {
        "from": "0.1.0",
        "to": "0.2.0",
        "level": "minor",
        "bump": True,
        "files": ["calc/__init__.py", "pyproject.toml"],
    }
    assert git(root, "status", "--porcelain") == before and shipkit.gh_calls(gh_on_path) == []

    # ship: bump, changelog, one release commit, push, PR; never a merge
    shipped = ygs("ship", "--push", "--json", cwd=root)
    assert shipped.code == 0, shipped.stdout
    assert shipped.json["pr"] == {"url": "https://github.com/acme/calc/pull/7", "created": True}
    assert 'version = "0.2.0"' in (root / "pyproject.toml").read_text()
    assert "# the package" in (root / "pyproject.toml").read_text()  # formatting kept
    assert (root / "calc" / "__init__.py").read_text() == '__version__ = "0.2.0"\n'
    changelog = (root / "CHANGELOG.md").read_text()
    assert (
        "## [0.2.0] - " in changelog and "- Subtract two amounts (TASK-001, REQ-001)" in changelog
    )
    assert (
        changelog.index("## [Unreleased]")
        < changelog.index("## [0.2.0]")
        < changelog.index("## [0.1.0]")
    )
    assert git(root, "log", "-1", "--format=%B").startswith("release 0.2.0")
    assert git(root, "status", "--porcelain") == ""
    branch = shipped.json["branch"]
    assert git(tmp_path / "remote.git", "rev-parse", branch) == git(root, "rev-parse", "HEAD")
    calls = [c["args"][:2] for c in shipkit.gh_calls(gh_on_path)]
    assert calls == [["auth", "status"], ["pr", "list"], ["pr", "create"]]
    create = shipkit.gh_calls(gh_on_path)[-1]
    assert create["args"][2:6] == ["--base", "main", "--head", branch]
    assert (
        "REQ-001: Subtract two amounts" in create["stdin"] and "QA: health 42/50" in create["stdin"]
    )
    assert not any("merge" in c for c in calls)
    assert _ok(ygs("changelog", "--json", cwd=root))["written"] is False  # idempotent

    # retro: facts from the repository, the Five Whys checked
    text = (DATA / "retro.yaml").read_text()
    fix = "fix: Add a signed-amount test category to the unit tests, with a failing test first"
    assert fix in text
    bad = tmp_path / "careless.yaml"
    bad.write_text(text.replace(fix, "fix: Be more careful with signs next time"))
    refused = ygs("retro", "--answers", str(bad), "--json", cwd=root)
    assert refused.code == 2 and "relies on people" in refused.json["error"]["message"]
    assert not list((root / "docs").glob("retros/*.md"))
    retro = _ok(ygs("retro", "--answers", str(DATA / "retro.yaml"), "--json", cwd=root))
    facts = retro["facts"]
    assert (
        facts["estimates"][0]["task"] == "TASK-001"
        and facts["estimates"][0]["estimate_days"] == 1.08
    )
    assert facts["escaped_bugs"]["release"] == "v0.1.0" and facts["red_checkpoints"] == 0
    assert "## Facts" in (root / retro["path"]).read_text()

    # learn from the run, then find it again
    run_id = json.loads(next((root / ".ygs" / "runs").glob("TASK-*/run.json")).read_text())["id"]
    learned = _ok(
        ygs(
            "learn", "--from-run", run_id, "--answers", str(DATA / "learn.yaml"), "--json", cwd=root
        )
    )
    assert learned["draft"]["refs"] == ["TASK-001", run_id]
    found = _ok(ygs("learnings", "search", "negative", "formatter", "--json", cwd=root))
    assert found["results"][0]["path"] == learned["path"] and not found["results"][0]["stale"]
    deviation = _ok(ygs("learnings", "search", "module", "--kind", "deviation", "--json", cwd=root))
    assert deviation["results"][0]["id"].startswith("TASK-001:")
    retros = _ok(ygs("learnings", "search", "signed", "--kind", "retro", "--json", cwd=root))
    assert retros["results"][0]["path"] == retro["path"]


def _ready(tmp_path, ygs) -> Path:
    root = implemented(tmp_path, ygs)
    accepted(root, ygs)
    return root


def test_faults_of_a_release(tmp_path, ygs, ygs_proc, monkeypatch):
    root = _ready(tmp_path, ygs)
    path_without_gh = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if p and not (Path(p) / "gh").exists()
    )
    monkeypatch.setenv("PATH", path_without_gh)

    # without gh: the dry run works, the real ship stops before changing anything
    assert ygs("ship", "--dry-run", "--json", cwd=root).code == 0
    missing = ygs("ship", "--json", cwd=root)
    assert missing.code == 3 and "`gh` is not on PATH" in missing.json["error"]["message"]
    assert git(root, "status", "--porcelain") == ""
    env = shipkit.fake_gh(tmp_path / "bin", tmp_path / "gh.log")
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("FAKE_GH_LOG", env["FAKE_GH_LOG"])
    monkeypatch.setenv("FAKE_GH_MODE", "logged-out")
    out = ygs("ship", "--json", cwd=root)
    assert out.code == 3 and "not logged in" in out.json["error"]["message"]
    assert "gh auth login" in out.json["error"]["remedy"]
    assert git(root, "status", "--porcelain") == ""
    monkeypatch.delenv("FAKE_GH_MODE")

    # a kill between the bump and the commit: the next ship rolls back and releases again
    killed = ygs_proc("ship", "--no-pr", cwd=root, env={"YGS_TEST_CRASH_AT": "ship-after-bump"})
    assert killed.code == -9 or killed.code == 137, killed.stderr
    assert 'version = "0.2.0"' in (root / "pyproject.toml").read_text()
    assert (root / ".ygs" / "ship" / "pending.json").exists()
    dry = ygs("ship", "--dry-run", "--json", cwd=root)
    assert "interrupted release (0.1.0 → 0.2.0) is pending" in dry.json["notes"][0]
    again = ygs("ship", "--no-pr", "--json", cwd=root)
    assert again.code == 0, again.stdout
    assert "rolled back" in again.json["notes"][0] and again.json["released"]["version"] == "0.2.0"
    assert not (root / ".ygs" / "ship" / "pending.json").exists()
    assert git(root, "log", "-1", "--format=%s") == "release 0.2.0"
    assert (root / "CHANGELOG.md").read_text().count("## [0.2.0]") == 1

    # a kill after the commit landed: finished, not released twice
    (root / ".ygs" / "ship").mkdir(exist_ok=True)
    (root / ".ygs" / "ship" / "pending.json").write_text(
        json.dumps({"from": "0.1.0", "to": "0.2.0", "originals": {"pyproject.toml": "x"}})
    )
    finished = ygs("ship", "--no-pr", "--json", cwd=root)
    assert "had been committed: finished" in finished.json["notes"][0]
    assert 'version = "0.2.0"' in (root / "pyproject.toml").read_text()

    # a freeze blocks with 3; red tests with 4
    (root / ".deploy-freeze").write_text(
        "reason: peak\nuntil: 2999-01-01T00:00:00+00:00\nby: Ops\n"
    )
    frozen = ygs("ship", "--dry-run", "--json", cwd=root)
    assert frozen.code == 3 and frozen.json["gates"][0]["status"] == "fail"
    (root / ".deploy-freeze").unlink()
    (root / "calc" / "ops.py").write_text(
        "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"
    )
    git(root, "commit", "-qam", "fix: oops")
    red = ygs("ship", "--dry-run", "--json", cwd=root)
    assert red.code == 4
    tests = next(g for g in red.json["gates"] if g["gate"] == "tests")
    assert "test_add" in tests["reason"]
