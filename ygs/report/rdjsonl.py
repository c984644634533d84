"""reviewdog diagnostic JSON lines (`reviewdog -f=rdjsonl`)."""

from __future__ import annotations

import json

from ygs.core.findings import Severity
from ygs.report import Report

SEVERITIES = {Severity.MUST: "ERROR", Severity.SHOULD: "WARNING", Severity.MAY: "INFO"}


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        diagnostic = {
            "message": f.message + (f" (remedy: {f.remedy})" if f.remedy else ""),
            "location": {"path": f.path},
            "severity": SEVERITIES[f.severity],
            "source": {"name": report.tool},
            "code": {"value": f.rule},
        }
        if f.line:
            diagnostic["location"]["range"] = {"start": {"line": f.line}}
        lines.append(json.dumps(diagnostic, ensure_ascii=False))
    for path, text in report.notes:
        note = {"message": text, "location": {"path": path}, "severity": "INFO"}
        lines.append(json.dumps({**note, "source": {"name": report.tool}}, ensure_ascii=False))
    return "\n".join(lines)
