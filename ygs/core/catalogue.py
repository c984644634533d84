"""Rules: a stable id, a severity, a one-line message, a remedy and a rationale.

A `Rule` is what every renderer in `ygs.report` needs to describe a finding
(SARIF rule metadata, markdown summaries, `--explain`), so `ygs review` builds
its own rules from this same class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from ygs.core.findings import Finding, Severity

RULE_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")
YGS = ("ygs",)
ADR_STYLES = ("ygs", "nygard", "madr")
ALL_FORMATS = ("ygs", "openspec", "spec-kit", "nygard", "madr")
LEVELS = {"must": Severity.MUST, "should": Severity.SHOULD, "may": Severity.MAY}


class Rule(NamedTuple):
    id: str
    severity: Severity
    title: str  # short description: what a good artifact has
    message: str  # the default one-line finding message
    remedy: str
    rationale: str  # why the rule exists: `--explain`
    family: str = ""
    formats: tuple[str, ...] = YGS  # the document formats the rule reads

    def covers(self, fmt: str) -> bool:
        return fmt in self.formats

    def at(self, path: str, line: int | None, message: str = "", remedy: str = "") -> Finding:
        return Finding(
            self.id, self.severity, path, line, message or self.message, remedy or self.remedy
        )

    def explain(self) -> str:
        import textwrap

        body = textwrap.fill(" ".join(self.rationale.split()), width=88)
        return (
            f"{self.id} ({self.severity.value}, {self.family}): {self.title}\n"
            f"Formats: {', '.join(self.formats)}\n\n"
            f"{body}\n\nRemedy: {self.remedy}\n"
            f"Disable or re-rank it in .ygs/config.yaml: check.rules: {{{self.id}: off}}; "
            f"suppress one place with <!-- ygs: ignore {self.id} reason -->"
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "severity": self.severity.value,
            "family": self.family,
            "formats": list(self.formats),
            "title": self.title,
            "message": self.message,
            "remedy": self.remedy,
            "rationale": " ".join(self.rationale.split()),
        }


def catalogue(*groups: Iterable[Rule]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for group in groups:
        for rule in group:
            if rule.id in rules:
                raise ValueError(f"rule id {rule.id} defined twice")
            rules[rule.id] = rule
    return rules


class OverrideError(ValueError):
    def __init__(self, rule: str, message: str, remedy: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.remedy = remedy


def parse_overrides(
    raw: Mapping, rules: Mapping[str, Rule], key: str = "check.rules"
) -> dict[str, Severity | None]:
    """`{RULE: must|should|may|off}` to {RULE: Severity or None (off)}; raises OverrideError.

    `key` names the config key in messages (`review.rules` for `ygs review`)."""
    parsed: dict[str, Severity | None] = {}
    for rule, value in raw.items():
        rule_id = str(rule).strip().upper()
        if rule_id not in rules:
            raise OverrideError(
                rule_id,
                f"unknown rule '{rule}' in {key}",
                "`ygs check --explain all` lists every rule id",
            )
        text = "off" if value is False or value is None else str(value).strip().lower()
        if text in ("off", "false", "disable", "disabled"):
            parsed[rule_id] = None
        elif text in LEVELS:
            parsed[rule_id] = LEVELS[text]
        else:
            raise OverrideError(
                rule_id,
                f"{key}.{rule_id} must be must, should, may or off, not {value!r}",
                f"ygs config set {key} '{{{rule_id}: should}}'",
            )
    return parsed


def apply_overrides(
    findings: Iterable[Finding], overrides: Mapping[str, Severity | None]
) -> list[Finding]:
    out = []
    for f in findings:
        if f.rule not in overrides:
            out.append(f)
            continue
        level = overrides[f.rule]
        if level is not None:
            out.append(Finding(f.rule, level, f.path, f.line, f.message, f.remedy))
    return out
