"""Drift candidates between the design documents and the code, each with its evidence
(pure: the shell hands in what it read from git and the project).

A candidate is not a verdict: it says where a reader of the design could be misled, and
why ygs thinks so. The agent (or a model) decides the direction in a sync plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

DESIGN_KINDS = ("trd", "architecture", "design-doc", "adr")
DIMENSIONS = (
    "interfaces",
    "data model",
    "decisions",
    "module structure",
    "failure handling",
    "nfrs and configuration",
    "dependencies",
)
DIRECTIONS = ("update doc", "fix code", "supersede", "ask")
SEVERITIES = ("MUST", "SHOULD", "MAY")
_SPAN = re.compile(r"`([^`\n]{2,100})`")
_PATHY = re.compile(r"^[A-Za-z0-9_.@-]+(/[A-Za-z0-9_.@*-]+)*/?$")
_SOURCE_EXT = (".py", ".ts", ".tsx", ".js", ".go", ".rs", ".java", ".rb", ".sql", ".kt", ".cs")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    kind: str
    message: str
    evidence: str
    document: str = ""  # the design document it concerns
    file: str = ""  # the code file it concerns
    line: int | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "evidence": self.evidence,
            "document": self.document,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class DesignDoc:
    path: str
    id: str
    kind: str
    status: str
    text: str
    body: str
    body_line: int
    covers: tuple[str, ...] = ()
    decision: str = ""  # an ADR's `## Decision` text


def path_tokens(text: str) -> list[str]:
    """Backticked spans that look like repository paths (`src/orders/service.py`, `pkg/`)."""
    found = []
    for span in _SPAN.findall(text):
        span = span.strip()
        if "://" in span or span.startswith(("/", "-", ".")) or " " in span:
            continue
        if not _PATHY.fullmatch(span):
            continue
        if "/" in span or span.endswith(_SOURCE_EXT):
            found.append(span)
    return list(dict.fromkeys(found))


def code_tokens(text: str) -> list[str]:
    """Backticked names in a decision: dependencies, tables, endpoints, identifiers."""
    found = []
    for span in _SPAN.findall(text):
        span = " ".join(span.split())
        if len(span) < 3 or "TBD" in span:
            continue
        found.append(span)
    return list(dict.fromkeys(found))


def _mentions(text: str, folder: str) -> bool:
    """`folder` (ending in /) named on its own, not as the start of a longer path."""
    start = text.find(folder)
    while start >= 0:
        before = text[start - 1] if start else " "
        end = start + len(folder)
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "./-_") and not (after.isalnum() or after in "._-"):
            return True
        start = text.find(folder, start + 1)
    return False


def _named(path: str, texts: Iterable[str], globs: Iterable[Callable[[str], bool]]) -> bool:
    parts = path.split("/")
    folders = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
    for text in texts:
        if path in text or any(_mentions(text, f) for f in folders):
            return True
    return any(match(path) for match in globs)


def unnamed_files(
    changed: list[str], texts: list[str], globs: list[Callable[[str], bool]]
) -> list[Candidate]:
    return [
        Candidate(
            "unnamed-file",
            f"{path} changed, and no TRD, architecture doc or task names it",
            "not in any design document's text, planned_files or covers",
            file=path,
        )
        for path in changed
        if not _named(path, texts, globs)
    ]


def _keywords(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 3}


def unreflected_deviations(
    deviations: list[tuple[str, str, int, str]], docs: list[DesignDoc]
) -> list[Candidate]:
    """(task, path, line, text) deviations that no TRD or ADR mentions: neither the task id
    nor most of what the deviation says it did."""
    texts = [d.text for d in docs if d.kind in ("trd", "adr", "architecture", "design-doc")]
    found = []
    for task, path, line, text in deviations:
        did = text.lower().split(" did ", 1)[-1].split(" because ", 1)[0]
        words = _keywords(did)
        reflected = any(task in t for t in texts) or any(
            words and len(words & _keywords(t)) >= max(2, (2 * len(words) + 2) // 3) for t in texts
        )
        if not reflected:
            found.append(
                Candidate(
                    "unreflected-deviation",
                    f"{task}: a deviation no TRD section or ADR reflects",
                    text,
                    file=path,
                    line=line,
                )
            )
    return found


def missing_planned(
    tasks: list[tuple[str, str, list[str]]], exists: Callable[[str], bool]
) -> list[Candidate]:
    """(task, path, planned files) of done tasks: planned files that are not there."""
    return [
        Candidate(
            "missing-planned-file",
            f"{task} planned {planned}, which does not exist",
            f"planned_files in {path}",
            file=planned,
        )
        for task, path, files in tasks
        for planned in files
        if not exists(planned)
    ]


def gone_modules(docs: list[DesignDoc], exists: Callable[[str], bool]) -> list[Candidate]:
    found = []
    for doc in docs:
        if doc.kind not in ("trd", "architecture", "design-doc"):
            continue
        for token in path_tokens(doc.body):
            if not exists(token.rstrip("/")):
                found.append(
                    Candidate(
                        "missing-module",
                        f"{doc.path} names {token}, which the code no longer has",
                        f"`{token}` in {doc.path}",
                        document=doc.path,
                        file=token,
                    )
                )
    return found


def gone_references(docs: list[DesignDoc], present: set[str]) -> list[Candidate]:
    found = []
    for doc in docs:
        if doc.kind != "adr" or doc.status != "accepted":
            continue
        for token in code_tokens(doc.decision):
            if token not in present:
                found.append(
                    Candidate(
                        "adr-reference-gone",
                        f"{doc.id} decided on `{token}`, which the code no longer has",
                        f"the Decision of {doc.path}",
                        document=doc.path,
                    )
                )
    return found


def deleted_tests(lost: dict[str, str], covered: set[str]) -> list[Candidate]:
    """REQ id -> the test file whose `covers:` line was removed; still covered ones drop."""
    return [
        Candidate(
            "tests-deleted",
            f"{req} lost its test ({path}) and nothing covers it now",
            f"a removed `covers: {req}` line in {path}",
            file=path,
        )
        for req, path in sorted(lost.items())
        if req not in covered
    ]


@dataclass
class Record:
    """What `ygs sync --record` stored for a document: the commit and its files' hashes."""

    commit: str
    recorded: str
    files: dict[str, str] = field(default_factory=dict)


def stale(
    doc: DesignDoc, record: Record | None, now: dict[str, str]
) -> tuple[list[str], Candidate | None]:
    """(files changed since the record, a candidate when there are any). `now`: the hashes
    of the files the doc's covers globs match today."""
    if record is None:
        return [], None
    changed = sorted(
        {p for p in now if record.files.get(p) != now[p]}
        | {p for p in record.files if p not in now}
    )
    if not changed:
        return [], None
    return changed, Candidate(
        "stale-doc",
        f"{doc.path} was recorded at {record.commit[:10]}; {len(changed)} covered file(s) "
        "changed since",
        ", ".join(changed[:8]) + (" …" if len(changed) > 8 else ""),
        document=doc.path,
    )


# --- the sync plan ----------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(str(text).lower()))


def check_plan(
    rows: list, docs: dict[str, DesignDoc], headings: Callable[[DesignDoc], list[str]]
) -> dict:
    """Number the rows, check each, and flag sections with 3 or more deviations."""
    checked = []
    sections: dict[tuple[str, str], list[int]] = {}
    for number, row in enumerate(rows, start=1):
        problems = []
        if not isinstance(row, dict):
            checked.append({"n": number, "problems": ["a row must be a JSON object"]})
            continue
        doc = docs.get(str(row.get("document") or ""))
        section = str(row.get("section") or "").strip()
        if doc is None:
            problems.append(
                f"document '{row.get('document')}' is not a TRD, architecture doc, "
                "design doc or ADR"
            )
        elif not section:
            problems.append("no document section named")
        elif _norm(section) not in {_norm(h) for h in headings(doc)}:
            problems.append(f"{doc.path} has no section '{section}'")
        dimension = str(row.get("dimension") or "").strip().lower()
        if dimension not in DIMENSIONS:
            problems.append(f"dimension '{row.get('dimension')}': one of {', '.join(DIMENSIONS)}")
        severity = str(row.get("severity") or "").strip().upper()
        if severity not in SEVERITIES:
            problems.append(f"severity '{row.get('severity')}': MUST, SHOULD or MAY")
        direction = str(row.get("direction") or "").strip().lower()
        if direction not in DIRECTIONS:
            problems.append(f"direction '{row.get('direction')}': one of {', '.join(DIRECTIONS)}")
        rationale = str(row.get("rationale") or row.get("change") or "").strip()
        if not rationale:
            problems.append("no rationale: a row without a reason is not proposed")
        entry = {
            "n": number,
            "document": doc.path if doc else str(row.get("document") or ""),
            "section": section,
            "dimension": dimension,
            "severity": severity,
            "design_said": str(row.get("design_said") or ""),
            "code_does": str(row.get("code_does") or ""),
            "direction": direction,
            "rationale": rationale,
            "new_text": row.get("new_text"),
            "problems": problems,
        }
        checked.append(entry)
        if doc is not None and section:
            sections.setdefault((doc.path, _norm(section)), []).append(number)
    flagged = [
        {
            "document": path,
            "section": next(r["section"] for r in checked if r["n"] == rows_[0]),
            "rows": rows_,
        }
        for (path, _), rows_ in sections.items()
        if len(rows_) >= 3
    ]
    return {"rows": checked, "flagged": flagged, "valid": all(not r["problems"] for r in checked)}
