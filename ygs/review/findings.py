"""Review findings: the skill's JSON shape, anchoring to the diff, suppression, baseline (pure).

A `ReviewFinding` is a `Finding` plus what a reviewer adds (lens, confidence,
title, why, fix). Offline rules, the model and `--merge` all end up here, and
every one is verified the same deterministic way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from ygs.core import jsonshape
from ygs.core.findings import Finding, Severity
from ygs.review.diff import DELETED, Diff
from ygs.review.lang import LENSES
from ygs.review.rules import CATALOGUE, Hit

CONFIDENCE = ("HIGH", "MEDIUM", "LOW")
_CONFIDENCE_RANK = {"HIGH": 3, "MEDIUM": 2, "LOW": 1}
# Older scales, translated once on the way in (severity-and-verdict.md).
_OLD_SEVERITY = {
    "critical": "MUST",
    "high": "MUST",
    "blocker": "MUST",
    "error": "MUST",
    "medium": "SHOULD",
    "major": "SHOULD",
    "warning": "SHOULD",
    "low": "MAY",
    "minor": "MAY",
    "nit": "MAY",
    "info": "MAY",
    "note": "MAY",
    "suggestion": "MAY",
}

FINDING_SCHEMA: dict = {
    "type": "object",
    "required": ["lens", "severity", "confidence", "file", "line", "title", "why", "fix"],
    "additionalProperties": False,
    "properties": {
        "lens": {"type": "string", "enum": list(LENSES)},
        "severity": {"type": "string", "enum": ["MUST", "SHOULD", "MAY"]},
        "confidence": {"type": "string", "enum": list(CONFIDENCE)},
        "file": {"type": "string", "minLength": 1},
        "line": {"type": "integer"},
        "title": {"type": "string", "minLength": 1},
        "why": {"type": "string"},
        "fix": {"type": "string"},
    },
}
REPLY_SCHEMA: dict = {"type": "array", "items": FINDING_SCHEMA}
# --merge accepts what ygs itself prints: rule, fingerprint and source may come back.
_MERGE_EXTRA = {
    "rule": {"type": "string"},
    "fingerprint": {"type": "string"},
    "source": {"type": "string"},
}
MERGE_SCHEMA: dict = {
    **FINDING_SCHEMA,
    "properties": {**FINDING_SCHEMA["properties"], **_MERGE_EXTRA},
}


def judgment_rule(lens: str) -> str:
    """Rule id of judgment findings (model or merged) of one lens, e.g. `LENS-CODE`."""
    return f"LENS-{lens.upper()}"


@dataclass(frozen=True)
class ReviewFinding:
    lens: str
    severity: Severity
    confidence: str
    file: str
    line: int | None
    title: str
    why: str
    fix: str
    rule: str = ""  # offline rule id; judgment findings use LENS-<lens>
    source: str = "offline"  # offline | model | merge
    fingerprint: str = ""

    @property
    def rule_id(self) -> str:
        return self.rule or judgment_rule(self.lens)

    def to_finding(self) -> Finding:
        return Finding(self.rule_id, self.severity, self.file, self.line, self.title, self.fix)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lens": self.lens,
            "severity": self.severity.value,
            "confidence": self.confidence,
            "file": self.file,
            "line": self.line,
            "title": self.title,
            "why": self.why,
            "fix": self.fix,
            "rule": self.rule_id,
            "source": self.source,
            "fingerprint": self.fingerprint,
        }

    def fingerprinted(self, line_text: str) -> ReviewFinding:
        """Stable across re-runs: rule (or normalised title) + file + normalised line content."""
        key = self.rule or "title:" + " ".join(self.title.lower().split())
        probe = Finding(key, self.severity, self.file, self.line, "")
        return replace(self, fingerprint=probe.fingerprint(line_text))


def rank_key(f: ReviewFinding) -> tuple:
    return (
        -f.severity.rank,
        -_CONFIDENCE_RANK.get(f.confidence, 0),
        f.file,
        f.line or 0,
        f.rule_id,
    )


def ranked(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    return sorted(findings, key=rank_key)


def numbered(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    """Identical lines are separate findings: the second and later finding with the same
    fingerprint (same rule, file and line text) get their own, numbered in line order. The
    first keeps the plain one, so baselines written before stay valid."""
    seen: dict[str, int] = {}
    out = []
    for f in sorted(findings, key=lambda f: (f.file, f.line or 0)):
        count = seen.get(f.fingerprint, 0)
        seen[f.fingerprint] = count + 1
        if count:
            digest = hashlib.sha256(f"{f.fingerprint}#{count + 1}".encode()).hexdigest()[:16]
            f = replace(f, fingerprint=digest)
        out.append(f)
    return out


def dedupe(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    """First one wins per fingerprint (offline findings come first)."""
    seen: set[str] = set()
    kept = []
    for f in findings:
        if f.fingerprint not in seen:
            seen.add(f.fingerprint)
            kept.append(f)
    return kept


def counts(findings: list[ReviewFinding]) -> dict[str, int]:
    return {s.value: sum(f.severity is s for f in findings) for s in Severity}


# ------------------------------------------------------------- offline hits

_SEVERITY_WORDS = {"must": Severity.MUST, "should": Severity.SHOULD, "may": Severity.MAY}


def from_hits(hits: list[Hit], diff: Diff, overrides: dict[str, str]) -> list[ReviewFinding]:
    """Offline rule hits as findings, with `review.rules` severity overrides ("off" drops)."""
    found = []
    for hit in hits:
        rule = CATALOGUE[hit.rule]
        choice = overrides.get(hit.rule, "").lower()
        if choice == "off":
            continue
        severity = _SEVERITY_WORDS.get(choice) or hit.severity or rule.severity
        f = ReviewFinding(
            rule.family,
            severity,
            "HIGH",
            hit.path,
            hit.line,
            hit.detail or rule.title,
            hit.why or rule.rationale.split(". ")[0].rstrip(".") + ".",
            rule.remedy,
            rule=rule.id,
        )
        file = diff.file(hit.path)
        found.append(f.fingerprinted(file.line_text(hit.line) if file else ""))
    return found


def check_overrides(overrides: dict) -> list[str]:
    """Problems in `review.rules`: unknown rule ids or values."""
    problems = []
    for rule, value in overrides.items():
        if rule.upper() not in CATALOGUE:
            problems.append(f"review.rules: unknown rule '{rule}' (see `ygs review --rules`)")
        elif str(value).lower() not in ("must", "should", "may", "off"):
            problems.append(f"review.rules.{rule}: '{value}' is not must, should, may or off")
    return problems


# ------------------------------------------------------------- suppression

_SUPPRESS = re.compile(r"ygs:\s*ignore\[([A-Za-z0-9_,\s-]+)\]\s*(.*)")


def suppression(text: str) -> tuple[set[str], str] | None:
    """Rules and reason of an inline `ygs: ignore[RULE,…] reason` on a line."""
    match = _SUPPRESS.search(text)
    if match is None:
        return None
    rules = {r.strip().upper() for r in match.group(1).split(",") if r.strip()}
    reason = re.sub(r"(\*/|-->|#}|%}|\*\))\s*$", "", match.group(2)).strip()
    return rules, reason


def suppress(findings: list[ReviewFinding], diff: Diff) -> tuple[list[ReviewFinding], list[dict]]:
    """Drop findings suppressed on their line or the line above; a reason is required."""
    kept, suppressed = [], []
    for f in findings:
        file = diff.file(f.file)
        marks = (
            [suppression(file.line_text(n)) for n in (f.line, (f.line or 1) - 1)]
            if (file and f.line)
            else []
        )
        mark = next((m for m in marks if m and f.rule_id in m[0]), None)
        if mark and mark[1]:
            suppressed.append({**f.to_dict(), "reason": mark[1]})
            continue
        if mark:
            f = replace(
                f,
                why=f"{f.why} (the `ygs: ignore[{f.rule_id}]` here has no reason, so "
                "it does not apply)",
            )
        kept.append(f)
    return kept, suppressed


# ------------------------------------------------- judgment findings (model, merge)


def normalise(raw: Any) -> Any:
    """Case and older-scale words fixed on the way in; anything else is left for validation."""
    if not isinstance(raw, dict):
        return raw
    item = dict(raw)
    for key in ("severity", "confidence", "lens"):
        if isinstance(item.get(key), str):
            item[key] = item[key].strip()
    if isinstance(item.get("severity"), str):
        word = item["severity"]
        item["severity"] = _OLD_SEVERITY.get(word.lower(), word.upper())
    if isinstance(item.get("confidence"), str):
        item["confidence"] = item["confidence"].upper()
    if isinstance(item.get("lens"), str):
        item["lens"] = item["lens"].lower()
    if isinstance(item.get("line"), str) and item["line"].strip().isdigit():
        item["line"] = int(item["line"])
    if isinstance(item.get("file"), str):
        item["file"] = item["file"].replace("\\", "/").removeprefix("./")
    return item


@dataclass(frozen=True)
class Dropped:
    item: dict
    reason: str

    def to_dict(self) -> dict:
        return {**self.item, "reason": self.reason}


def judged(
    items: list, diff: Diff, *, source: str, context_ok: bool, schema: dict = MERGE_SCHEMA
) -> tuple[list[ReviewFinding], list[Dropped]]:
    """Validate each finding and keep only those anchored on a line the diff shows.

    `context_ok`: the model may anchor on context lines it was shown; merged findings
    must sit on added lines.
    """
    kept, dropped = [], []
    for raw in items:
        item = normalise(raw)
        problems = jsonshape.problems(item, schema)
        if problems:
            shown = item if isinstance(item, dict) else {"value": item}
            dropped.append(Dropped(shown, "malformed: " + "; ".join(problems[:4])))
            continue
        reason = _unanchored(item, diff, context_ok)
        if reason:
            dropped.append(Dropped(item, reason))
            continue
        kept.append(_finding(item, diff, source))
    return kept, dropped


def _unanchored(item: dict, diff: Diff, context_ok: bool) -> str:
    file = diff.file(item["file"])
    line = item["line"]
    if file is None:
        return f"{item['file']} is not in the diff"
    if file.status == DELETED or not file.reviewable:
        return f"{item['file']} has no reviewable new lines ({', '.join(file.notes) or 'deleted'})"
    lines = file.visible if context_ok else file.added
    if line in lines:
        return ""
    if file.new_lines is not None and line > len(file.new_lines):
        return f"line {line} is past the end of {item['file']} ({len(file.new_lines)} lines)"
    kind = "shown in" if context_ok else "added by"
    return f"line {line} of {item['file']} is not a line {kind} the diff"


def _finding(item: dict, diff: Diff, source: str) -> ReviewFinding:
    severity = Severity(item["severity"])
    why = item["why"]
    if severity is Severity.MUST and item["confidence"] == "LOW":
        severity = Severity.SHOULD
        why = f"{why} (filed as SHOULD: a MUST needs HIGH or MEDIUM confidence)"
    rule = item.get("rule", "")
    rule = rule if rule in CATALOGUE else ""
    f = ReviewFinding(
        item["lens"],
        severity,
        item["confidence"],
        item["file"],
        item["line"],
        item["title"].strip(),
        why,
        item["fix"],
        rule=rule,
        source=source,
    )
    return f.fingerprinted(diff.file(item["file"]).line_text(item["line"]))


# ------------------------------------------------------------------ baseline


def baseline_doc(findings: list[ReviewFinding]) -> dict:
    entries = [
        {"fingerprint": f.fingerprint, "rule": f.rule_id, "file": f.file, "title": f.title}
        for f in ranked(findings)
    ]
    return {"version": 1, "tool": "ygs review", "findings": entries}


def baseline_fingerprints(data: Any) -> set[str] | str:
    """Fingerprints in a baseline document, or a message saying what is wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        return "expected an object with a 'findings' list (written by --update-baseline)"
    prints = {e.get("fingerprint") for e in data["findings"] if isinstance(e, dict)}
    return {p for p in prints if isinstance(p, str)}
