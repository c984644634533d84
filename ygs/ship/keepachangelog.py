"""CHANGELOG.md in Keep a Changelog 1.1.0 form: parse (with file:line problems), and merge new
entries into a version section without duplicating any entry already in the file (pure).

Sections that do not change keep their bytes. A section that changes is rendered again from
its entries (their own text kept, categories in the standard order) by the template
`changelog-entry.md.j2`, so a project's override shapes every section ygs writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ygs.ship.commits import CATEGORIES, CHORE

UNRELEASED = "Unreleased"
ORDER = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security", "Performance")
HEADER = (
    "# Changelog\n\n"
    "All notable changes to this project are recorded here. The format follows\n"
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and the project uses\n"
    "[Semantic Versioning](https://semver.org/).\n\n"
    "## [Unreleased]\n"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LINK_REF = re.compile(r"^\[[^\]\n]+\]:\s")
_BREAKING = "**Breaking:** "


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class NotKeepAChangelog(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


@dataclass
class Entry:
    lines: list[str]  # the raw lines: "- text" and its indented continuation lines

    @property
    def text(self) -> str:
        first = self.lines[0][2:] if self.lines else ""
        rest = [ln.strip() for ln in self.lines[1:]]
        return " ".join([first.strip(), *rest]).strip()


@dataclass
class Section:
    name: str  # "Unreleased" or the version
    date: str
    line: int  # 1-based line of the `## ` heading
    start: int  # index of the heading line
    end: int  # index after the section's last line
    notes: list[str] = field(default_factory=list)  # text before the first ### heading
    groups: dict[str, list[Entry]] = field(default_factory=dict)
    yanked: bool = False

    def entries(self) -> list[tuple[str, Entry]]:
        return [(cat, e) for cat, items in self.groups.items() for e in items]


@dataclass
class Changelog:
    lines: list[str]
    sections: list[Section]
    body_start: int  # index where the first `## ` heading is (or where one would go)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def released(self) -> list[Section]:
        return [s for s in self.sections if s.name != UNRELEASED]


def normalise(text: str) -> str:
    """What makes two entries the same: case, spacing, a Breaking prefix and a final full
    stop do not count."""
    text = text.strip().removeprefix(_BREAKING).removeprefix("- ")
    return " ".join(text.lower().split()).rstrip(".")


def _heading(line: str, number: int, problems: list[Problem]) -> tuple[str, str, bool] | None:
    """(name, date, yanked) of a `## ` heading, or None after recording the problem."""
    from ygs.ship.semver import VersionError, parse

    rest = line[3:].strip()
    if not rest.startswith("[") or "]" not in rest:
        problems.append(
            Problem(
                number, f"'{line.strip()}' is not '## [Unreleased]' or '## [x.y.z] - YYYY-MM-DD'"
            )
        )
        return None
    name, tail = rest[1:].split("]", 1)
    tail = tail.strip()
    if name == UNRELEASED:
        return (UNRELEASED, "", False) if not tail else _bad(line, number, problems)
    try:
        parse(name)
    except VersionError as err:
        problems.append(Problem(number, f"version {err.message}"))
        return None
    yanked = tail.endswith("[YANKED]")
    tail = tail.removesuffix("[YANKED]").strip()
    if not tail.startswith("- ") or not _DATE.fullmatch(tail[2:].strip()):
        problems.append(Problem(number, f"'{line.strip()}' has no '- YYYY-MM-DD' release date"))
        return None
    return name, tail[2:].strip(), yanked


def _bad(line: str, number: int, problems: list[Problem]) -> None:
    problems.append(Problem(number, f"'{line.strip()}': nothing may follow [Unreleased]"))
    return None


def parse(text: str) -> Changelog:
    """Raises NotKeepAChangelog with every problem (line numbers 1-based)."""
    lines = text.split("\n")
    problems: list[Problem] = []
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None or not lines[first].startswith("# "):
        problems.append(Problem((first or 0) + 1, "the file does not start with a '# ' title"))
    sections: list[Section] = []
    current: Section | None = None
    group: list[Entry] | None = None
    body_start = len(lines)
    seen: dict[str, int] = {}
    for i, line in enumerate(lines):
        number = i + 1
        if line.startswith("## "):
            if current is not None:
                current.end = i
            body_start = min(body_start, i)
            parsed = _heading(line, number, problems)
            current, group = None, None
            if parsed is not None:
                name, date, yanked = parsed
                if name in seen:
                    problems.append(Problem(number, f"[{name}] is also at line {seen[name]}"))
                seen[name] = number
                current = Section(name, date, number, i, len(lines), yanked=yanked)
                sections.append(current)
            continue
        if current is None:
            continue
        if _LINK_REF.match(line):
            current.end = i
            current = None
            continue
        if line.startswith("### "):
            name = line[4:].strip()
            if name not in CATEGORIES:
                problems.append(
                    Problem(number, f"'### {name}' is not one of {', '.join(CATEGORIES)}")
                )
                group = None
                continue
            group = current.groups.setdefault(name, [])
            continue
        if line.startswith("#"):
            problems.append(Problem(number, f"'{line.strip()}': only ## and ### headings"))
            continue
        if group is None:
            current.notes.append(line)
        elif line.startswith(("- ", "* ")):
            group.append(Entry(["- " + line[2:]]))
        elif line.strip() and group:
            group[-1].lines.append(line)
        elif line.strip():
            problems.append(Problem(number, "text under a category must be '- ' bullet entries"))
    if problems:
        raise NotKeepAChangelog(problems)
    return Changelog(lines, sections, body_start)


def entry_line(entry: dict) -> str:
    refs = [r for r in entry.get("refs") or [] if r]
    text = str(entry.get("summary") or "").strip()
    prefix = _BREAKING if entry.get("breaking") else ""
    return f"- {prefix}{text}" + (f" ({', '.join(refs)})" if refs else "")


Render = Callable[[dict], str]  # answers -> the rendered section (the template)


def merge(
    text: str | None, target: str, date: str, entries: list[dict], render: Render
) -> tuple[str, dict]:
    """The changelog with `entries` in section `target` (a version, or Unreleased).

    Entries already present anywhere in the file, and Chore entries, are left out. For a
    version, what is listed under Unreleased moves into it. Returns (new text, what
    happened); the text is unchanged when nothing is new and the section exists.
    """
    text = text if text is not None else HEADER
    log = parse(text)
    present = {normalise(e.text) for s in log.sections for _, e in s.entries()}
    fresh: list[dict] = []
    skipped: list[dict] = []
    for entry in entries:
        key = normalise(entry_line(entry))
        if entry.get("category") == CHORE or key in present:
            skipped.append(entry)
            continue
        if entry.get("category") not in CATEGORIES:
            raise ValueError(f"unknown category '{entry.get('category')}'")
        present.add(key)
        fresh.append(entry)
    unreleased = log.section(UNRELEASED)
    moved = unreleased.entries() if unreleased is not None and target != UNRELEASED else []
    section = log.section(target)
    report = {
        "section": target,
        "added": [entry_line(e)[2:] for e in fresh],
        "moved": [e.text for _, e in moved],
        "skipped": [entry_line(e)[2:] for e in skipped],
        "created": section is None,
    }
    if section is not None and not fresh and not moved:
        return text, report
    items = [(c, e.lines) for c, e in section.entries()] if section is not None else []
    items += [(c, e.lines) for c, e in moved]
    items += [(e["category"], entry_line(e).split("\n")) for e in fresh]
    new_section = _render_section(target, section.date if section else date, section, items, render)
    lines = list(log.lines)
    if section is not None:
        lines[section.start : section.end] = new_section
        if unreleased is not None and moved:
            _empty(lines, log, unreleased, section)
    else:
        where = unreleased.end if unreleased is not None else log.body_start
        if unreleased is not None and moved:
            lines[unreleased.start : unreleased.end] = ["## [Unreleased]", ""]
            where = unreleased.start + 2
        elif where == len(lines) and lines and lines[-1] == "":
            where -= 1
        if where > 0 and lines[where - 1].strip():
            new_section = ["", *new_section]
        lines[where:where] = new_section
    if unreleased is None and target != UNRELEASED:
        at = next(i for i, ln in enumerate(lines) if ln.startswith("## "))
        lines[at:at] = ["## [Unreleased]", ""]
    return "\n".join(lines).rstrip("\n") + "\n", report


def _empty(lines: list[str], log: Changelog, unreleased: Section, section: Section) -> None:
    """Leave only the heading of Unreleased (it sits above `section`, whose lines moved)."""
    if unreleased.start < section.start:
        lines[unreleased.start : unreleased.end] = ["## [Unreleased]", ""]


def _render_section(name, date, section, items, render: Render) -> list[str]:
    groups: dict[str, list[list[str]]] = {}
    for category, raw in items:
        groups.setdefault(category, []).append(raw)
    entries = [
        {"category": cat, "summary": "\n".join(raw)[2:], "refs": [], "breaking": False}
        for cat in ORDER
        for raw in groups.get(cat, [])
    ]
    notes = "\n".join(section.notes).strip("\n") if section is not None else ""
    answers = {
        "version": name,
        "date": date,
        "entries": entries,
        "notes": notes,
        "yanked": bool(section and section.yanked),
    }
    out = render(answers).rstrip("\n").split("\n")
    return [*out, ""]
