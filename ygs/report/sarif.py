"""SARIF 2.1.0: rules with short, full and help text; results with level, location and
partial fingerprints. Validates against the official schema (tests/data/sarif-2.1.0.json)."""

from __future__ import annotations

import json
from urllib.parse import quote

from ygs.core.catalogue import Rule
from ygs.core.findings import Finding
from ygs.report import INFO_URI, LEVELS, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "ygsFindingHash/v1"


def _rule(rule: Rule) -> dict:
    rationale = " ".join(rule.rationale.split())
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.message.replace("-", " ").split())[:100],
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rationale},
        "help": {
            "text": f"{rule.remedy}\n\n{rationale}",
            "markdown": f"**Remedy:** {rule.remedy}\n\n{rationale}",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.family or "ygs"], "severity": rule.severity.value},
    }


def _result(report: Report, finding: Finding, index: dict[str, int]) -> dict:
    text = finding.message + (f" Remedy: {finding.remedy}" if finding.remedy else "")
    location: dict = {"artifactLocation": {"uri": uri(finding.path), "uriBaseId": "%SRCROOT%"}}
    # GitHub and other consumers need a region: a whole-file finding points at line 1.
    location["region"] = {"startLine": finding.line if finding.line and finding.line >= 1 else 1}
    result = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_KEY: report.fingerprint(finding)},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if report.properties is not None:
        result["properties"] = report.properties(finding)
    return result


def _invocation(report: Report) -> dict:
    """The run, with a note for each file the tool could not check in full."""
    notes = [
        {
            "level": "note",
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1},
                    }
                }
            ],
        }
        for path, text in report.notes
    ]
    invocation: dict = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def uri(path: str) -> str:
    """A repository path as a relative URI reference (RFC 3986): every byte outside the
    unreserved set and `/` percent-encoded (a space, `%`, `#`, a newline in a file name)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def document(report: Report) -> dict:
    rules = [report.rules[r] for r in sorted(report.rules)]
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": report.tool.split()[0] if report.tool else "ygs",
        "informationUri": INFO_URI,
        "rules": [_rule(r) for r in rules],
    }
    if report.version:
        driver["version"] = report.version
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": report.tool.replace(" ", "/") + "/"},
                "columnKind": "unicodeCodePoints",
                "results": [_result(report, f, index) for f in report.findings],
                "invocations": [_invocation(report)],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, indent=2)
