"""The ship gate table and its exit code (pure).

Each gate passes, fails, warns or was skipped, with a reason and its evidence. A gate that
could check nothing fails and says so: no test command, no QA report, no requirement in
scope for UAT is never a pass. Exit codes: 3 when frozen, 4 when tests are red, 1 when any
other gate fails, 0 when every gate passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, WARN = "pass", "fail", "warn"
ORDER = (
    "freeze",
    "worktree",
    "tests",
    "review",
    "diff",
    "check",
    "qa",
    "uat",
    "trace",
    "version",
    "changelog",
)
TITLES = {
    "freeze": "deploy freeze",
    "worktree": "branch and working tree",
    "tests": "ALL tests pass",
    "review": "review: no MUST finding",
    "diff": "diff hygiene against the base",
    "check": "ygs check: no MUST finding",
    "qa": "QA report PASS",
    "uat": "UAT PASS for the PRDs in this release",
    "trace": "traceability (ygs trace --gate)",
    "version": "version bump",
    "changelog": "changelog section",
}


@dataclass(frozen=True)
class Gate:
    name: str
    status: str  # pass | fail | warn
    reason: str
    evidence: dict = field(default_factory=dict)
    remedy: str = ""

    @property
    def blocks(self) -> bool:
        return self.status == FAIL

    def to_dict(self) -> dict:
        return {
            "gate": self.name,
            "title": TITLES.get(self.name, self.name),
            "status": self.status,
            "reason": self.reason,
            "remedy": self.remedy,
            "evidence": self.evidence,
        }


def exit_code(gates: list[Gate]) -> int:
    failed = {g.name for g in gates if g.blocks}
    if "freeze" in failed:
        return 3
    if "tests" in failed:
        return 4
    return 1 if failed else 0


def ordered(gates: list[Gate]) -> list[Gate]:
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(gates, key=lambda g: rank.get(g.name, len(ORDER)))


def summary(gates: list[Gate]) -> dict:
    return {
        "passed": sum(g.status == PASS for g in gates),
        "failed": [g.name for g in gates if g.status == FAIL],
        "warnings": [g.name for g in gates if g.status == WARN],
    }
