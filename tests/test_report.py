"""Report renderers: SARIF 2.1.0 validates against the official schema; GitHub annotations,
reviewdog rdjsonl, markdown and JSON carry every finding; fingerprints survive line moves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from ygs.core.findings import Finding, Severity
from ygs.core.lint import all_rules
from ygs.report import FORMATS, Report, render

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())
CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"


@pytest.fixture
def broken(tmp_path) -> Path:
    """The clean project with a MUST, a SHOULD and a MAY finding, and a malformed file."""
    root = tmp_path / "broken"
    shutil.copytree(CLEAN, root)
    prd = root / PRD
    text = prd.read_text()
    text = text.replace("- New delivery channels beyond SMS, push and e-mail.", "- TBD")
    text = text.replace("- 0 lost P0 alerts in the first 90 days.", "- No lost alerts.")
    prd.write_text(text)
    design = root / "docs/design/2026-01-14-alert-delivery.md"
    design.write_text(design.read_text().replace("we propose", "the MTTR doubles, so we propose"))
    (root / "docs/adr/0009-bad.md").write_text("---\nid: [ADR-0009\n---\n")
    return root


def validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(document)


def test_sarif_from_the_cli_validates_against_the_official_schema(ygs, broken):
    result = ygs("check", "--format", "sarif", cwd=broken)
    assert result.code == 1
    document = json.loads(result.stdout)
    validate(document)
    run = document["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"PRD012", "PRD014", "DD010", "ART001"} <= {r["ruleId"] for r in run["results"]}
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert (levels["PRD012"], levels["PRD014"], levels["DD010"]) == ("error", "warning", "note")
    for res in run["results"]:
        location = res["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert res["partialFingerprints"]
        assert rules[res["ruleId"]] is run["tool"]["driver"]["rules"][res["ruleIndex"]]


def test_sarif_with_no_findings_and_a_finding_without_a_line_validates():
    rules = all_rules()
    empty = json.loads(render("sarif", Report("ygs check", [], rules, "0.1.0")))
    validate(empty)
    assert empty["runs"][0]["results"] == []
    odd = Finding("XYZ001", Severity.SHOULD, "weird path/ä #1%\n.md", None, "no line", "")
    document = json.loads(render("sarif", Report("ygs review", [odd], rules)))
    validate(document)
    result = document["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 1}  # a whole-file finding points at line 1
    assert location["artifactLocation"]["uri"] == "weird%20path/%C3%A4%20%231%25%0A.md"
    assert "ruleIndex" not in result  # not in the catalogue
    assert document["runs"][0]["tool"]["driver"]["name"] == "ygs"


def test_fingerprints_follow_the_line_text_not_the_line_number(ygs, broken):
    before = {
        (f["rule"], f["fingerprint"]) for f in ygs("check", "--json", cwd=broken).json["findings"]
    }
    prd = broken / PRD
    prd.write_text(prd.read_text().replace("## Problem\n", "## Problem\n\n\n\n"))
    after = ygs("check", "--json", cwd=broken).json["findings"]
    moved = [f for f in after if f["path"] == PRD]
    assert moved and all((f["rule"], f["fingerprint"]) in before for f in moved)


def test_github_annotations_escape_properties_and_data(ygs, broken):
    result = ygs("check", "--format", "github", cwd=broken)
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(f"::error file={PRD},line=") and "title=PRD012%3A " in line
        for line in lines
    )
    assert any(line.startswith("::warning ") for line in lines)
    assert any(line.startswith("::notice ") for line in lines)
    tricky = Finding("PRD001", Severity.MUST, "a,b:c.md", 3, "50% done\nnext line", "fix: it")
    text = render("github", Report("ygs check", [tricky], all_rules()))
    assert text.startswith("::error file=a%2Cb%3Ac.md,line=3,title=PRD001%3A ")
    assert "::50%25 done%0Anext line (remedy: fix: it)" in text


def test_rdjsonl_lines_are_reviewdog_diagnostics(ygs, broken):
    result = ygs("check", "--format", "rdjsonl", cwd=broken)
    diagnostics = [json.loads(line) for line in result.stdout.splitlines()]
    assert diagnostics
    for d in diagnostics:
        assert d["severity"] in ("ERROR", "WARNING", "INFO")
        assert d["location"]["path"] and d["code"]["value"] and d["message"]
    assert any(d["location"]["range"]["start"]["line"] >= 1 for d in diagnostics)


def test_markdown_and_text_summaries(ygs, broken):
    markdown = ygs("check", "--format", "markdown", cwd=broken).stdout
    assert markdown.startswith("### ygs check: REQUEST_CHANGES")
    assert "| MUST | `PRD012` |" in markdown
    text = ygs("check", cwd=broken).stdout
    assert f"{PRD}:" in text and "remedy:" in text
    assert "finding(s):" in text.splitlines()[-1]
    clean = render("markdown", Report("ygs check", [], all_rules()))
    assert "APPROVE" in clean and "No findings." in clean


def test_every_format_renders_every_finding():
    findings = [
        Finding("PRD001", Severity.MUST, "docs/prd/x.md", 4, "no problem", "add it"),
        Finding("DD010", Severity.MAY, "docs/design/y.md", 9, "acronym", ""),
    ]
    report = Report("ygs check", findings, all_rules(), "1.0")
    for fmt in FORMATS:
        text = render(fmt, report)
        assert "docs/prd/x.md" in text and "docs/design/y.md" in text, fmt
    with pytest.raises(ValueError):
        render("xml", report)
