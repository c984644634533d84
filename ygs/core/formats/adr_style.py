"""ADRs written in other tools' styles: Nygard (adr-tools) and MADR.

Nygard: `# 1. Title`, a `Date: 2024-01-01` line, `## Status` whose first line is the
status ("Accepted", "Superseded by [2. …](…)"), `## Context`, `## Decision`,
`## Consequences`. MADR: `## Context and Problem Statement`, `## Considered Options`,
`## Decision Outcome`; the status in frontmatter (`status: accepted`), a
`* Status: accepted` line or a `**Status**: Accepted` line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TITLE = re.compile(r"^#\s+(?:ADR[- ]?\d+\s*[:.\-–—]?\s*|\d+\.\s*)?(.+?)\s*$", re.IGNORECASE)
_FIELD = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*)?(status|date)(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.+?)\s*$", re.I
)
_WORD = re.compile(r"[A-Za-z]+")
_MADR = ("considered options", "decision outcome", "context and problem statement")


class Style(NamedTuple):
    format: str  # nygard | madr
    title: str
    status: str
    date: str


def read(body: str) -> Style:
    title = status = date = ""
    section = ""
    madr = False
    for line in body.split("\n"):
        if line.startswith("# ") and not title:
            match = _TITLE.match(line)
            title = match.group(1) if match else line[2:].strip()
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip().lower()
            madr = madr or section in _MADR
            continue
        stripped = line.strip()
        if not stripped:
            continue
        field = _FIELD.match(line)
        if field:
            key, value = field.group(1).lower(), field.group(2)
            if key == "status" and not status:
                status = _status(value)
            elif key == "date" and not date:
                date = value
        elif section == "status" and not status:
            status = _status(stripped)
    return Style("madr" if madr else "nygard", title, status, date)


def _status(value: str) -> str:
    word = _WORD.search(value)
    return word.group(0).lower() if word else ""
