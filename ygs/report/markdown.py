"""Markdown for PR comments and job summaries: verdict, counts and a findings table."""

from __future__ import annotations

from ygs.report import Report


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(report: Report) -> str:
    c = report.counts
    lines = [
        f"### {report.tool}: {report.verdict}",
        "",
        f"{c['MUST']} MUST, {c['SHOULD']} SHOULD, {c['MAY']} MAY",
        "",
    ]
    if not report.findings:
        lines.append("No findings.")
        return "\n".join(lines)
    lines += ["| Severity | Rule | Location | Finding | Remedy |", "|---|---|---|---|---|"]
    for f in report.findings:
        lines.append(
            f"| {f.severity.value} | `{f.rule}` | `{_cell(f.location)}` | {_cell(f.message)} "
            f"| {_cell(f.remedy)} |"
        )
    return "\n".join(lines)
