"""One JSON object: findings (with fingerprints), counts, verdict, and the rules used."""

from __future__ import annotations

import json

from ygs.report import Report


def payload(report: Report) -> dict:
    used = sorted({f.rule for f in report.findings})
    return {
        "tool": report.tool,
        "version": report.version,
        "verdict": report.verdict,
        "fail_on": report.fail_on,
        "counts": report.counts,
        "findings": [_finding(report, f) for f in report.findings],
        "rules": {r: report.rules[r].to_dict() for r in used if r in report.rules},
    }


def _finding(report: Report, finding) -> dict:
    extra = report.properties(finding) if report.properties is not None else {}
    return {**extra, **finding.to_dict(), "fingerprint": report.fingerprint(finding)}


def render(report: Report) -> str:
    return json.dumps(payload(report), ensure_ascii=False, indent=2)
