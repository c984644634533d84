"""Findings: the one shape every check, lint rule and validator reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"

    @property
    def rank(self) -> int:
        return {"MUST": 3, "SHOULD": 2, "MAY": 1}[self.value]


FAIL_ON = {"must": 3, "should": 2, "may": 1, "never": 99}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    path: str
    line: int | None
    message: str
    remedy: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.rule}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "remedy": self.remedy,
        }

    def fingerprint(self, line_text: str = "") -> str:
        key = "\0".join((self.rule, self.path, " ".join(line_text.split())))
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def fails(findings: list[Finding], fail_on: str) -> bool:
    threshold = FAIL_ON[fail_on]
    return any(f.severity.rank >= threshold for f in findings)


def verdict(findings: list[Finding]) -> str:
    if any(f.severity is Severity.MUST for f in findings):
        return "REQUEST_CHANGES"
    return "COMMENT" if findings else "APPROVE"
