"""What the memory holds, parsed from files (pure): learning entries and their lessons, ADRs,
retros, and the `Deviation:` lines of task execution logs. Each becomes one or more search
documents. A learning that cannot be read as one is a problem with its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

CATEGORIES = (
    "Edge Case",
    "Integration Gotcha",
    "Performance Cliff",
    "Security Trap",
    "Process Friction",
    "Domain Rule",
    "Tooling Quirk",
)
_LESSON = re.compile(r"^### L(\d+): (.*)$")
_FIELD = re.compile(r"^- \*\*([A-Za-z ]+):\*\* ?(.*)$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _deviation(line: str) -> str:
    """The text of a `- Deviation: …` line (bullet optional), else ''. No regex: the
    optional bullet between runs of spaces would backtrack on a long line of spaces."""
    text = line.strip()
    if text[:1] in ("-", "*"):
        text = text[1:].lstrip()
    head, sep, rest = text.partition(":")
    return rest.strip() if sep and head == "Deviation" else ""


@dataclass(frozen=True)
class SearchDoc:
    kind: str  # learning | adr | retro | deviation
    ident: str
    path: str
    line: int
    title: str
    body: str
    tags: str = ""
    category: str = ""
    date: str = ""
    reviewed: str = ""  # the date staleness counts from
    status: str = ""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str


@dataclass
class Lesson:
    number: int
    category: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)


def _date(value) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "").strip()
    if not _DATE.fullmatch(text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


def lessons(body: str, first_line: int) -> list[Lesson]:
    found: list[Lesson] = []
    for offset, line in enumerate(body.split("\n")):
        heading = _LESSON.match(line)
        if heading:
            found.append(
                Lesson(int(heading.group(1)), heading.group(2).strip(), first_line + offset)
            )
            continue
        if line.startswith("## "):
            if found and found[-1].fields:
                break
            continue
        match = _FIELD.match(line)
        if match and found:
            found[-1].fields[match.group(1).strip().lower()] = match.group(2).strip()
    return found


def learning(path: str, text: str) -> tuple[list[SearchDoc], list[Problem]]:
    """The entry's lessons as search documents, or the problems that make it unreadable."""
    from ygs.core import frontmatter

    try:
        doc = frontmatter.parse(text)
    except frontmatter.FrontmatterError as err:
        return [], [Problem(path, err.line, err.message)]
    if not text.startswith("---"):
        return [], [Problem(path, 1, "no YAML frontmatter ('---' block with title, date, …)")]
    meta = doc.meta
    problems: list[Problem] = []
    title = str(meta.get("title") or "").strip()
    if not title:
        problems.append(Problem(path, doc.line_of("title"), "no title"))
    when = _date(meta.get("date"))
    if when is None:
        problems.append(
            Problem(path, doc.line_of("date"), f"date '{meta.get('date')}' is not YYYY-MM-DD")
        )
    reviewed = _date(meta.get("reviewed")) if meta.get("reviewed") is not None else when
    if reviewed is None:
        problems.append(
            Problem(
                path,
                doc.line_of("reviewed"),
                f"reviewed '{meta.get('reviewed')}' is not YYYY-MM-DD",
            )
        )
    categories = meta.get("categories") or []
    if not isinstance(categories, list):
        problems.append(Problem(path, doc.line_of("categories"), "categories must be a list"))
        categories = []
    for category in categories:
        if str(category) not in CATEGORIES:
            problems.append(
                Problem(
                    path,
                    doc.line_of("categories"),
                    f"unknown category '{category}': one of {', '.join(CATEGORIES)}",
                )
            )
    status = str(meta.get("status") or "active").strip().lower()
    if status not in ("active", "stale"):
        problems.append(Problem(path, doc.line_of("status"), f"status '{status}': active or stale"))
    found = lessons(doc.body, doc.body_line)
    for lesson in found:
        if lesson.category not in CATEGORIES and lesson.category.upper() != "TBD":
            problems.append(
                Problem(
                    path,
                    lesson.line,
                    f"lesson L{lesson.number}: unknown category '{lesson.category}'",
                )
            )
        if not lesson.fields.get("rule"):
            problems.append(
                Problem(path, lesson.line, f"lesson L{lesson.number} has no '- **Rule:**' line")
            )
    if problems:
        return [], problems
    ident = str(meta.get("id") or path.rsplit("/", 1)[-1].removesuffix(".md"))
    tags = " ".join(str(t) for t in meta.get("tags") or [] if t)
    common = {"path": path, "date": when or "", "reviewed": reviewed or "", "status": status}
    if not found:
        return [
            SearchDoc("learning", ident, line=1, title=title, body=doc.body, tags=tags, **common)
        ], []
    docs = []
    for lesson in found:
        body = " ".join(f"{k}: {v}" for k, v in lesson.fields.items())
        docs.append(
            SearchDoc(
                "learning",
                f"{ident}#L{lesson.number}",
                line=lesson.line,
                title=f"{title} (L{lesson.number}: {lesson.category})",
                body=body,
                tags=tags,
                category=lesson.category,
                **common,
            )
        )
    return docs, []


def _plain(path: str, text: str, kind: str) -> list[SearchDoc]:
    """An ADR or a retro as one document; unreadable ones are skipped (ygs check reports
    them)."""
    from ygs.core import frontmatter

    try:
        doc = frontmatter.parse(text)
    except frontmatter.FrontmatterError:
        return []
    meta = doc.meta
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    title = str(meta.get("title") or stem)
    status = str(meta.get("status") or "").lower()
    when = _date(meta.get("date")) or ""
    if kind == "adr":
        status = "stale" if status in ("superseded", "deprecated") else status
        reviewed = "9999-12-31"  # an accepted decision does not age; a replaced one is stale
    else:
        reviewed = when
    return [
        SearchDoc(
            kind,
            str(meta.get("id") or stem),
            path,
            1,
            title,
            doc.body,
            "",
            "",
            when,
            reviewed,
            status,
        )
    ]


def adr(path: str, text: str) -> list[SearchDoc]:
    return _plain(path, text, "adr")


def retro(path: str, text: str) -> list[SearchDoc]:
    return _plain(path, text, "retro")


def deviations(path: str, text: str, task_id: str, when: str) -> list[SearchDoc]:
    found = []
    in_log = False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("## "):
            in_log = line[3:].strip().lower() == "execution log"
            continue
        said = _deviation(line) if in_log else ""
        if said:
            found.append(
                SearchDoc(
                    "deviation",
                    f"{task_id}:{number}",
                    path,
                    number,
                    f"{task_id} deviation",
                    said,
                    "",
                    "",
                    when,
                    when,
                    "",
                )
            )
    return found


def deviation_lines(text: str) -> list[tuple[int, str]]:
    """(line, text) of every `Deviation:` line in a task's execution log."""
    return [(d.line, d.body) for d in deviations("", text, "", "")]
