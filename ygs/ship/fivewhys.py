"""Five Whys along the Swiss-cheese layers, checked (pure).

Every analysed failure answers all five layers, and its fix names a mechanism. A fix (or an
action) that only asks people to try harder is rejected with the reason; so is "human
error" as a cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAYERS = (
    ("direct_cause", "direct cause"),
    ("missing_guard", "missing guard"),
    ("process_gap", "process gap"),
    ("detection_gap", "detection gap"),
    ("isolation_gap", "isolation gap"),
)
EXHORTATIONS = (
    "be more careful",
    "more careful",
    "be careful",
    "pay attention",
    "pay more attention",
    "remember to",
    "try harder",
    "double-check",
    "double check",
    "be vigilant",
    "more vigilant",
    "more awareness",
    "raise awareness",
    "be more thorough",
    "more thorough",
    "don't forget",
    "do not forget",
)
MECHANISMS = (
    "test",
    "check",
    "lint",
    "rule",
    "validat",
    "alert",
    "threshold",
    "monitor",
    "metric",
    "gate",
    "canary",
    "flag",
    "breaker",
    "timeout",
    "retry",
    "limit",
    "type",
    "schema",
    "constraint",
    "checklist",
    "runbook",
    "hook",
    "ci",
    "criteri",
    "adr",
    "guard",
    "parse",
    "bulkhead",
)


@dataclass(frozen=True)
class Problem:
    where: str  # incidents[1].fix, actions[2].action
    message: str


def exhortation(text: str) -> str | None:
    """The 'be more careful' phrase in `text` when it has no mechanism to go with it."""
    lowered = " ".join(str(text or "").lower().split())
    phrase = next((p for p in EXHORTATIONS if p in lowered), None)
    if phrase is None:
        return None
    tokens = re.findall(r"[a-z]+", lowered.replace(phrase, " "))
    if any(t.startswith(m) for t in tokens for m in MECHANISMS):
        return None
    return phrase


def _blank(value) -> bool:
    return value is None or not str(value).strip() or str(value).strip().upper() == "TBD"


def check(answers: dict) -> list[Problem]:
    """What makes a retro's Five Whys or actions unacceptable."""
    problems: list[Problem] = []
    incidents = answers.get("incidents") or []
    if not incidents:
        problems.append(Problem("incidents", "at least 1 failure needs a Five Whys walk"))
    for n, incident in enumerate(incidents, start=1):
        where = f"incidents[{n}]"
        for key, label in LAYERS:
            if _blank(incident.get(key)):
                problems.append(Problem(f"{where}.{key}", f"the {label} layer is not answered"))
        cause = str(incident.get("direct_cause") or "").lower()
        if "human error" in cause:
            problems.append(
                Problem(
                    f"{where}.direct_cause",
                    "'human error' is not a cause: say what made the error possible and invisible",
                )
            )
        fix = incident.get("fix")
        phrase = exhortation(fix)
        if _blank(fix):
            problems.append(Problem(f"{where}.fix", "no structural fix"))
        elif phrase:
            problems.append(Problem(f"{where}.fix", _rejected(phrase)))
    for n, action in enumerate(answers.get("actions") or [], start=1):
        phrase = exhortation(action.get("action"))
        if phrase:
            problems.append(Problem(f"actions[{n}].action", _rejected(phrase)))
        for key in ("owner", "due"):
            if _blank(action.get(key)):
                problems.append(Problem(f"actions[{n}].{key}", f"the action has no {key}"))
    return problems


def _rejected(phrase: str) -> str:
    return (
        f"'{phrase}' relies on people doing better next time, which changes nothing: name a "
        "mechanism (a test category, validator, alert threshold, circuit breaker, "
        "deployment gate or checklist item) that makes the failure impossible or caught"
    )
