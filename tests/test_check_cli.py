"""`ygs check` through the CLI: exit codes, --fail-on, paths, config overrides, suppression,
--explain, --output, bad input reported as findings (never a crash)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import edit

CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
TASK3 = "tasks/backlog/TASK-003-rate-limit.md"


def test_fail_on_thresholds(ygs, proj):
    # one SHOULD (PRD014) and nothing else
    edit(proj, PRD, "- 0 lost P0 alerts in the first 90 days.", "- No lost alerts.")
    assert ygs("check", cwd=proj).code == 0
    assert ygs("check", "--fail-on", "must", cwd=proj).code == 0
    assert ygs("check", "--fail-on", "should", cwd=proj).code == 1
    assert ygs("check", "--fail-on", "may", cwd=proj).code == 1
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")  # MUST
    assert ygs("check", cwd=proj).code == 1
    assert ygs("check", "--fail-on", "never", cwd=proj).code == 0
    bad = ygs("check", "--fail-on", "sometimes", cwd=proj)
    assert bad.code == 2 and "--fail-on" in bad.stderr


def test_json_shape(ygs, proj):
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")
    result = ygs("check", "--json", cwd=proj)
    data = result.json
    assert result.code == 1 and data["exit_code"] == 1 and data["ok"] is False
    assert data["command"] == "check" and data["verdict"] == "REQUEST_CHANGES"
    assert data["counts"] == {"MUST": 1, "SHOULD": 0, "MAY": 0}
    (finding,) = data["findings"]
    assert finding["rule"] == "PRD012" and finding["path"] == PRD and finding["line"] > 1
    assert data["rules"]["PRD012"]["rationale"]
    assert data["checked"] == 9
    same = ygs("check", "--format", "json", cwd=proj)
    assert json.loads(same.stdout)["findings"] == data["findings"]


def test_malformed_non_utf8_and_duplicates_are_findings_not_crashes(ygs, proj):
    (proj / "docs/adr/0003-broken.md").write_text("---\ntitle: [oops\n---\n# x\n")
    (proj / "docs/adr/0004-latin.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    edit(proj, TASK3, "id: TASK-003", "id: TASK-002")
    result = ygs("check", "--json", cwd=proj)
    assert result.code == 1
    rules = {(f["rule"], f["path"]) for f in result.json["findings"]}
    assert ("ART001", "docs/adr/0003-broken.md") in rules
    assert ("ART002", "docs/adr/0004-latin.md") in rules
    assert any(rule == "ART003" for rule, _ in rules)
    assert "Traceback" not in result.stderr


def test_paths_limit_the_report(ygs, proj):
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")
    edit(proj, TASK3, "priority: P1", "priority: soon")
    everything = {f["path"] for f in ygs("check", "--json", cwd=proj).json["findings"]}
    assert everything == {PRD, TASK3}
    only_tasks = ygs("check", "tasks", "--json", cwd=proj).json
    assert {f["path"] for f in only_tasks["findings"]} == {TASK3}
    only_prd = ygs("check", str(proj / PRD), "--json", cwd=proj).json
    assert {f["path"] for f in only_prd["findings"]} == {PRD}
    missing = ygs("check", "docs/nope.md", cwd=proj)
    assert missing.code == 2 and "does not exist" in missing.stderr
    (proj / "notes.md").write_text("# notes\n")
    skipped = ygs("check", "notes.md", cwd=proj)
    assert skipped.code == 0 and "not an artifact" in skipped.stderr


def test_path_outside_the_project_is_a_usage_error(ygs, proj, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x")
    result = ygs("check", str(outside), cwd=proj)
    assert result.code == 2 and "outside the project" in result.stderr


def test_config_turns_rules_off_and_changes_severity(ygs, proj):
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")
    config = proj / ".ygs/config.yaml"
    base = config.read_text()
    config.write_text(base + "check:\n  rules:\n    PRD012: should\n")
    result = ygs("check", "--json", cwd=proj)
    assert result.code == 0 and result.json["findings"][0]["severity"] == "SHOULD"
    config.write_text(base + "check:\n  rules:\n    prd012: off\n")
    assert ygs("check", "--json", cwd=proj).json["findings"] == []
    config.write_text(base + "check:\n  rules:\n    PRD999: off\n")
    unknown = ygs("check", cwd=proj)
    assert unknown.code == 2 and "PRD999" in unknown.stderr and "--explain all" in unknown.stderr
    config.write_text(base + "check:\n  rules:\n    PRD012: loud\n")
    wrong = ygs("check", cwd=proj)
    assert wrong.code == 2 and "must, should, may or off" in wrong.stderr


def test_suppression_needs_a_reason(ygs, proj):
    old = "## Non-goals\n\n- New delivery channels beyond SMS, push and e-mail."
    edit(
        proj,
        PRD,
        old,
        "## Non-goals\n\n<!-- ygs: ignore PRD012 non-goals live in the TRD -->\n- None.",
    )
    assert ygs("check", "--json", cwd=proj).json["findings"] == []
    edit(
        proj,
        PRD,
        "<!-- ygs: ignore PRD012 non-goals live in the TRD -->",
        "<!-- ygs: ignore PRD012 -->",
    )
    rules = [f["rule"] for f in ygs("check", "--json", cwd=proj).json["findings"]]
    assert sorted(rules) == ["ART007", "PRD012"]  # not suppressed, and reported


def test_file_wide_and_frontmatter_suppressions(ygs, proj):
    edit(
        proj,
        TASK3,
        "planned_files: [src/limits.py]",
        "planned_files: []  # ygs: ignore TSK003 spike",
    )
    assert ygs("check", "--json", cwd=proj).json["findings"] == []
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")
    edit(
        proj,
        PRD,
        "## Open questions\n",
        "## Open questions\n\n<!-- ygs: ignore-file PRD012 draft -->\n",
    )
    assert ygs("check", "--json", cwd=proj).json["findings"] == []


def test_explain(ygs):
    one = ygs("check", "--explain", "prd010")
    assert one.code == 0
    assert one.stdout.startswith("PRD010 (MUST, prd):") and "Remedy:" in one.stdout
    listing = ygs("check", "--explain", "all", "--json")
    ids = [r["id"] for r in listing.json["rules"]]
    assert {"ART001", "PRD001", "TRD002", "DD003", "ADR004", "TM006", "TSK005", "TRC001"} <= set(
        ids
    )
    assert all(r["rationale"] and r["remedy"] and r["title"] for r in listing.json["rules"])
    unknown = ygs("check", "--explain", "PRD01")
    assert unknown.code == 2 and "did you mean" in unknown.stderr


def test_output_file_gets_the_report_and_stdout_the_summary(ygs, proj):
    edit(proj, PRD, "- New delivery channels beyond SMS, push and e-mail.", "- None.")
    result = ygs("check", "--format", "sarif", "--output", "out/report.sarif", cwd=proj)
    assert result.code == 1
    assert "1 finding(s)" in result.stdout
    document = json.loads((proj / "out/report.sarif").read_text())
    assert document["version"] == "2.1.0"


def test_unknown_format_is_a_usage_error(ygs, proj):
    result = ygs("check", "--format", "xml", cwd=proj)
    assert result.code == 2 and "--format" in result.stderr


def test_check_in_a_fresh_project_says_nothing_was_checked(ygs, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = ygs("check", "--json", cwd=empty)
    assert result.code == 0 and result.json["checked"] == 0
    assert [f["rule"] for f in result.json["findings"]] == ["ART013"]
    assert "docs/" in result.json["findings"][0]["message"]
    text = ygs("check", cwd=empty)
    assert "No findings" not in text.stdout and "nothing was checked" in text.stdout


def test_a_check_process_ends_quickly_with_all_of_its_output(ygs, ygs_proc, proj):
    # the process ends without freeing its heap (os._exit): every byte of a report larger
    # than a pipe's buffer must be out first, and the exit code must be the report's
    for n in range(120):
        head = f"---\nid: bare-{n}\ntype: prd\ntitle: Bare {n}\n---\n"
        body = f"# Bare {n}\n\nSee REQ-9{n:03d}.\n"
        (proj / f"docs/prd/2026-02-01-bare-{n}.md").write_text(head + body, encoding="utf-8")
    inside = ygs("check", "--format", "json", cwd=proj)
    outside = ygs_proc("check", "--format", "json", cwd=proj)
    assert outside.code == inside.code == 1
    assert len(outside.stdout) > 65536
    assert json.loads(outside.stdout)["findings"] == json.loads(inside.stdout)["findings"]
    text = ygs_proc("check", "--fail-on", "never", cwd=proj)
    assert text.code == 0 and text.stdout.count("remedy:") == len(inside.json["findings"])


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("command", [("check",), ("trace", "--gate"), ("status",), ("--version",)])
def test_a_full_device_for_the_output_is_exit_2_with_a_remedy_not_a_bug(proj, command):
    import subprocess

    from tests.conftest import ygs_executable

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [*ygs_executable(), *command], cwd=proj, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert proc.returncode == 2, proc.stderr
    assert "cannot write: No space left on device" in proc.stderr
    assert "remedy:" in proc.stderr and "internal error" not in proc.stderr
