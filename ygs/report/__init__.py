"""Renderers for findings: text, json, sarif, github, markdown, rdjsonl.

Generic over `Finding` values, a rule catalogue (`{id: Rule}`) and a tool
name, so `ygs check`, `ygs trace --gate` and `ygs review` share them:

    text = render("sarif", Report("ygs check", findings, rules, version=__version__))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

from ygs.core.findings import Finding, Severity, verdict

if TYPE_CHECKING:  # importing ygs.core.lint loads every rule family
    from ygs.core.catalogue import Rule

FORMATS = ("text", "json", "sarif", "github", "markdown", "rdjsonl")
INFO_URI = "https://github.com/ygs-dev/ygs"


def _no_source(_path: str, _line: int | None) -> str:
    return ""


@dataclass(frozen=True)
class Report:
    tool: str  # e.g. "ygs check": the first word names the SARIF driver
    findings: Sequence[Finding]
    rules: Mapping[str, Rule]
    version: str = ""
    fail_on: str = "must"
    # the text of a line, for stable fingerprints (rule + path + normalised line text)
    source: Callable[[str, int | None], str] = field(default=_no_source)
    # optional: a finding's own fingerprint (e.g. `ygs review` keys judgment findings by title)
    fingerprints: Callable[[Finding], str] | None = None
    # optional: extra SARIF result properties per finding (e.g. lens, confidence)
    properties: Callable[[Finding], dict] | None = None
    # (path, text): files the tool could not check in full, shown as notes in every format
    notes: Sequence[tuple[str, str]] = ()
    checked: int | None = None  # inputs read, when the command knows: 0 never reads "passed"

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(f.severity.value for f in self.findings)
        return {s.value: tally.get(s.value, 0) for s in Severity}

    @property
    def verdict(self) -> str:
        return verdict(list(self.findings))

    def fingerprint(self, finding: Finding) -> str:
        if self.fingerprints is not None:
            return self.fingerprints(finding)
        return finding.fingerprint(self.source(finding.path, finding.line))

    def rule(self, finding: Finding) -> Rule | None:
        return self.rules.get(finding.rule)

    def summary(self) -> str:
        c = self.counts
        if not self.findings:
            return "Nothing checked: no inputs." if self.checked == 0 else "No findings."
        return (
            f"{len(self.findings)} finding(s): {c['MUST']} MUST, {c['SHOULD']} SHOULD, "
            f"{c['MAY']} MAY"
        )


def render(fmt: str, report: Report) -> str:
    """The report in `fmt` (one of FORMATS), as text ending in a newline."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    text = import_module(f"ygs.report.{fmt}").render(report)
    return text if text.endswith("\n") else text + "\n"


LEVELS = {Severity.MUST: "error", Severity.SHOULD: "warning", Severity.MAY: "note"}
