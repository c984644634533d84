"""GitHub Actions workflow commands: `::error file=…,line=…,title=…::message`."""

from __future__ import annotations

from ygs.core.findings import Severity
from ygs.report import Report

COMMANDS = {Severity.MUST: "error", Severity.SHOULD: "warning", Severity.MAY: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        rule = report.rule(f)
        title = f"{f.rule}: {rule.title}" if rule else f.rule
        props = [f"file={_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_property(title)}")
        message = f.message + (f" (remedy: {f.remedy})" if f.remedy else "")
        lines.append(f"::{COMMANDS[f.severity]} {','.join(props)}::{_data(message)}")
    for path, text in report.notes:
        where = f"file={_property(path)}," if path else ""
        lines.append(f"::notice {where}title={_property(report.tool)}::{_data(text)}")
    return "\n".join(lines)
