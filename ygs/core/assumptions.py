"""Assumptions: text an interview wrote from ygs's own offline recommendation, which no
person confirmed. Each such line carries the inline marker `[assumed]`; the marker is the
single source of truth (no frontmatter list to drift), so deleting it — when you edit or
confirm the line — clears the assumption, and `ygs refine-* --from FILE` clears the ones
it re-asks. `ygs check` reports what is left (ART014)."""

from __future__ import annotations

from typing import Any

MARK = "[assumed]"


def marked(value: Any) -> Any:
    """The answer with the marker after its text (each item of a list)."""
    if isinstance(value, list):
        return [marked(v) for v in value]
    if isinstance(value, str) and value.strip() and MARK not in value:
        return f"{value.rstrip()} {MARK}"
    return value


def unmarked(value: Any) -> Any:
    """The answer without markers (nested lists and dicts too)."""
    if isinstance(value, str):
        return value.replace(f" {MARK}", "").replace(MARK, "")
    if isinstance(value, list):
        return [unmarked(v) for v in value]
    if isinstance(value, dict):
        return {k: unmarked(v) for k, v in value.items()}
    return value


def lines(text: str) -> list[int]:
    """0-based indexes of the lines that carry the marker."""
    if MARK not in text:
        return []
    return [i for i, line in enumerate(text.splitlines()) if MARK in line]
