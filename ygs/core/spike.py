"""Spikes, the pure half: time boxes, branch names, merges of spike branches, and the edits
`ygs spike close` makes to a findings document."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

PREFIXES = ("spike", "fafo")
VERDICTS = ("CONFIRMED", "REFUTED", "INCONCLUSIVE")
MIN_DAYS, MAX_DAYS = 0.5, 5.0
_TIMEBOX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|day|days|h|hour|hours|w|week|weeks)?\s*$", re.I)
_UNIT_DAYS = {"d": 1.0, "h": 1 / 8, "w": 5.0}  # working days: 8 hours a day, 5 a week
_MERGE_BRANCH = re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'")
_MERGE_PR = re.compile(r"^Merge pull request #\d+ from [^/\s]+/(\S+)")


class TimeboxError(ValueError):
    pass


def parse_timebox(text: str) -> float:
    """'2d', '1.5 days', '12h' (working hours), '1w' -> working days, 0.5 to 5."""
    match = _TIMEBOX.match(str(text))
    if not match:
        raise TimeboxError(f"time box '{text}' is not a duration like 2d, 12h or 1w")
    value = float(match.group(1)) * _UNIT_DAYS[(match.group(2) or "d")[0].lower()]
    if not MIN_DAYS <= value <= MAX_DAYS:
        raise TimeboxError(
            f"time box '{text}' is {value:g} working days; a spike takes "
            f"{MIN_DAYS:g} to {MAX_DAYS:g}"
        )
    return value


def end_of(start: date, days: float) -> date:
    """The last working day of a box of `days` working days starting on `start`."""
    left = max(1, math.ceil(days))
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    left -= 1
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def branch_name(prefix: str, slug: str, nonce: str) -> str:
    return f"{prefix}/{slug[:40].rstrip('-')}-{nonce}"


def is_spike_branch(name: str) -> bool:
    return name.split("/", 1)[0] in PREFIXES and "/" in name


def merged_branch(subject: str) -> str:
    """The spike/ or fafo/ branch a merge commit's subject names, or ''."""
    for pattern in (_MERGE_BRANCH, _MERGE_PR):
        match = pattern.match(subject)
        if match:
            name = match.group(1).removeprefix("origin/")
            return name if is_spike_branch(name) else ""
    return ""


def overdue(ends: str, verdict: str, today: str) -> bool:
    """Past its time box without a verdict."""
    return bool(ends) and not verdict and today > ends


@dataclass(frozen=True)
class Closing:
    verdict: str
    today: str
    reason: str = ""
    next_step: str = ""
    evidence: tuple[str, ...] = ()
    fate: str = ""
    spent_days: float | None = None
    follow_ups: tuple[str, ...] = ()


def _section(text: str, heading: str) -> tuple[int, int] | None:
    """(start of body, end of body) of `## heading`, or None."""
    marker = f"\n## {heading}\n"
    start = text.find(marker)
    if start < 0:
        return None
    body = start + len(marker)
    after = text.find("\n## ", body)
    return body, len(text) if after < 0 else after + 1


def set_section(text: str, heading: str, body: str) -> str:
    span = _section(text, heading)
    if span is None:
        return text.rstrip("\n") + f"\n\n## {heading}\n\n{body.strip()}\n"
    start, end = span
    return text[:start] + "\n" + body.strip() + "\n\n" + text[end:].lstrip("\n")


def add_bullets(text: str, heading: str, lines: tuple[str, ...]) -> str:
    """Append bullets to a section, dropping its `- TBD` placeholder."""
    if not lines:
        return text
    span = _section(text, heading)
    new = "\n".join(f"- {' '.join(line.split())}" for line in lines)
    if span is None:
        return set_section(text, heading, new)
    start, end = span
    kept = [line for line in text[start:end].strip("\n").split("\n") if line.strip() != "- TBD"]
    body = "\n".join(kept).strip("\n")
    return text[:start] + "\n" + (body + "\n" if body else "") + new + "\n\n" + text[end:]


def close(text: str, c: Closing) -> str:
    """The findings document with its verdict recorded; frontmatter keys edited in place."""
    from ygs.core.frontmatter import set_value as set_field

    text = set_field(text, "status", "done")
    text = set_field(text, "verdict", c.verdict)
    text = set_field(text, "closed", c.today)
    text = add_bullets(text, "Evidence", c.evidence)
    verdict = f"**Verdict:** {c.verdict}"
    text = set_section(text, "Verdict", verdict + (f"\n\n{c.reason}" if c.reason else ""))
    if c.next_step:
        text = set_section(text, "Next step", c.next_step)
    if c.fate:
        text = set_section(
            text,
            "Prototype code",
            f"- **Fate:** {c.fate}\n- The prototype is evidence, not a foundation: it reaches "
            "production only through the TRD or an ADR, rewritten to production standards.",
        )
    if c.spent_days is not None:
        text = re.sub(
            r"^- \*\*Spent:\*\* .*$", f"- **Spent:** {c.spent_days:g} days", text, flags=re.M
        )
    return add_bullets(text, "Follow-up questions", c.follow_ups)
