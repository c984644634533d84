"""The SRE deploy gate: CLEAR, HOLD or FROZEN, from the findings and `.deploy-freeze` (pure).

FROZEN wins: an active freeze, or a freeze file that cannot be read as
specified (fail closed). An expired freeze is only a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ygs.core.findings import Severity

FREEZE_FILE = ".deploy-freeze"
REQUIRED = ("reason", "until", "by")
EXIT = {"CLEAR": 0, "HOLD": 1, "FROZEN": 3}


@dataclass(frozen=True)
class Gate:
    word: str  # CLEAR | HOLD | FROZEN
    reason: str
    notice: str = ""
    freeze: dict | None = None

    @property
    def exit_code(self) -> int:
        return EXIT[self.word]

    def to_dict(self) -> dict:
        return {
            "gate": self.word,
            "reason": self.reason,
            "notice": self.notice,
            "freeze": self.freeze,
        }


def _parse(text: str) -> dict | str:
    """The freeze file as a mapping with an aware `until`, or what is wrong with it."""
    from ygs.core.yamltext import YamlError, load

    try:
        data = load(text)
    except YamlError as err:
        return f"line {err.line}: {err.message}"
    if not isinstance(data, dict):
        return "expected a mapping with reason, until and by"
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        return f"missing {', '.join(missing)}"
    until = data["until"]
    if isinstance(until, str):
        try:
            until = datetime.fromisoformat(until.strip())
        except ValueError:
            return f"until '{data['until']}' is not an ISO 8601 date-time"
    if not isinstance(until, datetime):
        return f"until '{data['until']}' is not a date-time"
    if until.tzinfo is None or until.utcoffset() is None:
        return f"until '{data['until']}' has no UTC offset"
    return {**{k: str(v) for k, v in data.items() if k != "until"}, "until": until}


def compute(freeze_text: str | None, now: datetime, severities: list[Severity]) -> Gate:
    """`now` must be timezone-aware (the clock is the caller's boundary)."""
    notice = ""
    if freeze_text is not None:
        parsed = _parse(freeze_text)
        if isinstance(parsed, str):
            return Gate("FROZEN", f"{FREEZE_FILE} is malformed: {parsed}")
        shown = {**parsed, "until": parsed["until"].isoformat()}
        if parsed["until"] > now:
            reason = f"deploys frozen until {shown['until']} by {parsed['by']}: {parsed['reason']}"
            return Gate("FROZEN", reason, freeze=shown)
        notice = f"the freeze in {FREEZE_FILE} expired at {shown['until']}: delete the file"
    if any(s is Severity.MUST for s in severities):
        return Gate("HOLD", "at least one MUST finding remains", notice)
    return Gate("CLEAR", "no active freeze and no MUST finding", notice)
