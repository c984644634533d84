"""Every `ygs check` rule: a fixture that violates it and one that passes.

The passing fixture is tests/fixtures/check/clean/ (no findings at all); each
violation in tests/fixtures/check/rules.yaml is a small edit to a copy of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ygs.core.lint import RULES

FIXTURES = Path(__file__).parent / "fixtures" / "check"
CLEAN = FIXTURES / "clean"
CASES = yaml.safe_load((FIXTURES / "rules.yaml").read_text(encoding="utf-8"))
ALIASES = {
    "prd": "docs/prd/2026-01-10-alert-delivery.md",
    "trd": "docs/trd/2026-01-12-alert-delivery.md",
    "design": "docs/design/2026-01-14-alert-delivery.md",
    "adr1": "docs/adr/0001-publish-after-commit.md",
    "adr2": "docs/adr/0002-use-an-outbox.md",
    "tm": "docs/threat-models/2026-01-15-alert-delivery.md",
    "task1": "tasks/done/TASK-001-signed-ingest.md",
    "task2": "tasks/in-progress/TASK-002-p0-pool.md",
    "task3": "tasks/backlog/TASK-003-rate-limit.md",
}


def project(tmp_path: Path, edits: list[dict]) -> Path:
    root = tmp_path / "project"
    shutil.copytree(CLEAN, root)
    for edit in edits:
        path = root / ALIASES.get(edit.get("file", ""), edit.get("file", ""))
        if "replace" in edit:
            old, new = edit["replace"]
            text = path.read_text(encoding="utf-8")
            assert text.count(old) == 1, f"{edit['file']}: {old!r} must occur once"
            path.write_text(text.replace(old, new), encoding="utf-8")
        elif "write" in edit:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(edit["write"], encoding="utf-8")
        elif "latin1" in edit:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(edit["latin1"].encode("latin-1"))
        elif edit.get("delete"):
            path.unlink()
        elif "symlink" in edit:
            path.symlink_to(edit["symlink"])
        elif edit.get("git") == "merge-spike":
            merge_a_spike(root)
    return root


def merge_a_spike(root: Path) -> None:
    """A real repository whose main branch merged a spike branch (SPK002)."""
    from tests.conftest import git

    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    git(root, "switch", "-q", "-c", "spike/queue-rate-ab12")
    (root / "bench.py").write_text("print('10k writes/s')\n")
    git(root, "add", "bench.py")
    git(root, "commit", "-q", "-m", "experiment")
    git(root, "switch", "-q", "main")
    git(
        root,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'spike/queue-rate-ab12'",
        "spike/queue-rate-ab12",
    )


def findings(ygs, root: Path) -> list[dict]:
    result = ygs("check", "--json", "--fail-on", "never", cwd=root)
    assert result.code == 0, result.stderr
    return result.json["findings"]


def test_the_clean_project_passes_every_rule(ygs):
    result = ygs("check", "--json", "--fail-on", "may", cwd=CLEAN)
    assert result.code == 0, result.stdout
    assert result.json["findings"] == []
    assert result.json["verdict"] == "APPROVE"


def test_every_rule_has_a_violating_fixture():
    assert set(RULES) == set(CASES), "rules.yaml and the catalogue must list the same rules"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_violation(ygs, tmp_path, rule):
    case = CASES[rule]
    found = [f for f in findings(ygs, project(tmp_path, case["violate"])) if f["rule"] == rule]
    assert found, f"{rule} did not fire"
    first = found[0]
    assert first["severity"] == RULES[rule].severity.value
    assert first["message"] and first["remedy"] and first["path"]
    if "line" in case:
        assert first["line"] == case["line"], first


@pytest.mark.parametrize("rule", sorted(r for r in CASES if "pass" in CASES[r]))
def test_boundary_passes(ygs, tmp_path, rule):
    found = findings(ygs, project(tmp_path, CASES[rule]["pass"]))
    assert [f for f in found if f["rule"] == rule] == []


def test_the_readme_lists_every_rule():
    from ygs.core.lint import all_rules

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [rule for rule in all_rules() if f"| {rule} |" not in readme]
    assert missing == []
