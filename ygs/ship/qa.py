"""QA arithmetic (pure): five categories scored 0-10, the health out of 50, the pass rule.

PASS needs all of: health at least `minimum` (ship.qa_min, 40), no category below 6, and
no open MUST finding. A category that was not scored makes the result FAIL (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("functional", "edge_cases", "error_paths", "regressions", "performance")
LABELS = {
    "functional": "Functional correctness",
    "edge_cases": "Edge cases",
    "error_paths": "Error paths",
    "regressions": "Regressions",
    "performance": "Performance",
}
FLOOR = 6
MAX_ROUNDS = 3


class ScoreError(ValueError):
    pass


def score_of(value) -> int | None:
    """A score 0-10 from a number or text ('7', '7/10'); None when absent; ScoreError when
    it is not a whole number in range."""
    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "TBD", "-")):
        return None
    if isinstance(value, bool):
        raise ScoreError(f"'{value}' is not a score")
    text = str(value).strip().removesuffix("/10").strip()
    if not text.isdigit():
        raise ScoreError(f"'{value}' is not a whole number from 0 to 10")
    number = int(text)
    if number > 10:
        raise ScoreError(f"{number} is above 10")
    return number


@dataclass(frozen=True)
class Result:
    scores: dict[str, int | None]
    health: int | None
    result: str  # PASS | FAIL
    reasons: tuple[str, ...]
    minimum: int

    def to_dict(self) -> dict:
        return {
            "scores": dict(self.scores),
            "health": self.health,
            "max": 50,
            "minimum": self.minimum,
            "result": self.result,
            "reasons": list(self.reasons),
        }


def judge(scores: dict[str, int | None], open_must: int, minimum: int = 40) -> Result:
    missing = [LABELS[c] for c in CATEGORIES if scores.get(c) is None]
    reasons: list[str] = []
    health = None if missing else sum(int(scores[c]) for c in CATEGORIES)
    if missing:
        reasons.append(f"not scored: {', '.join(missing)}")
    elif health < minimum:
        reasons.append(f"health {health}/50 is below the minimum {minimum}")
    low = [f"{LABELS[c]} {scores[c]}" for c in CATEGORIES if (scores.get(c) or 0) < FLOOR]
    if low and not missing:
        reasons.append(f"below {FLOOR}: {', '.join(low)}")
    if open_must:
        reasons.append(f"{open_must} open MUST finding(s)")
    return Result(
        {c: scores.get(c) for c in CATEGORIES},
        health,
        "FAIL" if reasons else "PASS",
        tuple(reasons),
        minimum,
    )
