"""Plain text: `file:line: SEVERITY RULE: message`, the remedy indented below."""

from __future__ import annotations

from ygs.report import Report


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        lines.append(str(f))
        if f.remedy:
            lines.append(f"  remedy: {f.remedy}")
    lines.append(report.summary())
    return "\n".join(lines)
