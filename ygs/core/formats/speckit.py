"""spec-kit, read in place (https://github.com/github/spec-kit).

- `specs/<NNN-feature>/spec.md` (or `<YYYYMMDD-HHMMSS>-feature`): `### User Story N - Title
  (Priority: P1)` with numbered `**Given** …, **When** …, **Then** …` acceptance scenarios;
  `- **FR-001**: System MUST …` functional requirements (also NFR-, table rows
  `| FR-001 | … |`); `- **SC-001**: …` success criteria; `[NEEDS CLARIFICATION: …]` markers.
- `specs/<feature>/tasks.md`: `- [ ] T001 [P] [US1] Description (depends on T012)`.
- `specs/<feature>/plan.md` and `.specify/memory/constitution.md`: documents.

Story priority P1 is MUST, P2 SHOULD, P3 and lower MAY; a requirement's priority is the
RFC 2119 keyword of its statement.
"""

from __future__ import annotations

import re

from ygs.core.formats import SPECKIT, Lines, Parsed, Problem, Req, Scenario, Task, rfc_priority
from ygs.core.scan import in_order

_TITLE = re.compile(r"^#\s+(?:[^:\n]*:\s*)?(.+?)\s*$")
_STATUS = re.compile(r"^\s*\*\*Status\*\*\s*:?\s*(.+?)\s*$", re.IGNORECASE)
_STORY = re.compile(
    r"^#{2,6}\s+User Story\s+(\d+)\s*[-–—:]?\s*(.*?)\s*(?:\(Priority:\s*(P\d+)\s*\))?[^()]*$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^(#{1,6})\s")
_ITEM = re.compile(r"^(\s*)(?:\d+[.)]|[-*+])\s+(.*)$")
_BOLD_ID = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*((?:N?FR|SC)-\d+):?\*\*\s*:?\s*(.*)$")
_PLAIN_ID = re.compile(r"^\s*[-*+]\s+((?:N?FR|SC)-\d+)\s*:\s*(.*)$")
_ROW_ID = re.compile(r"^\s*\|\s*\**((?:N?FR|SC)-\d+)\**\s*\|(.*)$")
_CLARIFY = re.compile(r"\[NEEDS CLARIFICATION\s*:?\s*([^\]\n]*)\]", re.IGNORECASE)
_TASK = re.compile(r"^\s*[-*]\s*\[([ xX])\]\s*(T\d+)\b\s*(.*)$")
_STORY_TAG = re.compile(r"\[(US\d+)\]")
_DEPENDS = re.compile(r"\b(?:depends on|after|requires|blocked by)\s+((?:T\d+[\s,and&]*)+)", re.I)
_TASK_ID = re.compile(r"\bT\d+\b")
_REF = re.compile(r"\b(?:N?FR|SC)-\d+\b")
_GIVEN = re.compile(r"\bgiven\b", re.IGNORECASE)
_WHEN_THEN = in_order(r"\bwhen\b", r"\bthen\b", flags=re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_STORY_LEVEL = {"P1": "MUST", "P2": "SHOULD"}


def feature_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if parts[0] == "specs" and len(parts) >= 3 else ""


def parse(path: str, text: str, kind: str) -> Parsed:
    lines = Lines(text)
    feature = feature_of(path)
    title, status = _title_status(lines, feature or "constitution")
    questions = tuple(
        (n, m.group(1).strip()) for n, line in lines.visible() for m in _CLARIFY.finditer(line)
    )
    if kind == "tasks":
        tasks, problems = _tasks(lines)
        done = bool(tasks) and all(t.done for t in tasks)
        return Parsed(
            SPECKIT,
            kind,
            feature,
            title,
            "done" if done else "open",
            tasks=tasks,
            questions=questions,
            problems=problems,
        )
    if kind != "spec":
        return Parsed(SPECKIT, kind, feature, title, status, questions=questions)
    reqs = (*_stories(lines), *_requirements(lines))
    problems = [*_problems(reqs)]
    problems += [
        Problem("SKT002", n, f"needs clarification: {q or '(no detail)'}") for n, q in questions
    ]
    return Parsed(
        SPECKIT,
        kind,
        feature,
        title,
        status,
        tuple(reqs),
        questions=questions,
        problems=tuple(sorted(problems, key=lambda p: p.line)),
    )


def _title_status(lines: Lines, fallback: str) -> tuple[str, str]:
    title, status = "", ""
    for _, line in lines.visible():
        if not title and line.startswith("# "):
            match = _TITLE.match(line)
            title = match.group(1) if match else line[2:].strip()
        elif not status and "**" in line:
            match = _STATUS.match(line)
            status = match.group(1).strip().lower() if match else ""
        if title and status:
            break
    return title or fallback, status


def _items(lines: Lines, start: int, end: int) -> list[tuple[int, str]]:
    """The first list between two 0-based indexes: its top-level items, continuation lines
    joined; the list ends at a heading, a rule or the first paragraph after it."""
    items: list[list] = []
    open_item = False
    for i in range(start, end):
        if lines.hidden[i]:
            continue
        line = lines.lines[i]
        stripped = line.strip()
        match = _ITEM.match(line)
        if match and not match.group(1):
            items.append([i + 1, match.group(2).strip()])
            open_item = True
        elif open_item and stripped and not _HEADING.match(line) and stripped != "---":
            items[-1][1] += " " + stripped
        elif stripped and items:
            break
        else:
            open_item = False
    return [(n, t) for n, t in items]


def _stories(lines: Lines) -> list[Req]:
    heads = []
    for i, line in enumerate(lines.lines):
        if lines.hidden[i] or not line.startswith("#"):
            continue
        match = _STORY.match(line)
        level = len(_HEADING.match(line).group(1)) if _HEADING.match(line) else 0
        heads.append((i, level, match))
    stories = []
    for k, (i, level, match) in enumerate(heads):
        if match is None:
            continue
        end = next((j for j, lv, _ in heads[k + 1 :] if lv <= level), len(lines.lines))
        label = next(
            (j for j in range(i + 1, end) if "acceptance scenario" in lines.lines[j].lower()),
            None,
        )
        scenarios = ()
        if label is not None:
            scenarios = tuple(
                Scenario(n, f"scenario {s + 1}", text)
                for s, (n, text) in enumerate(_items(lines, label + 1, end))
            )
        number, title, priority = match.group(1), match.group(2).strip(" -–—"), match.group(3)
        level_word = _STORY_LEVEL.get((priority or "").upper(), "MAY" if priority else "")
        stories.append(
            Req(f"US{number}", title, i + 1, title, i + 1, level_word, scenarios, kind="story")
        )
    return stories


def _requirements(lines: Lines) -> list[Req]:
    found = []
    last = None
    for n, line in lines.visible():
        if "FR-" in line or "SC-" in line:
            match = _BOLD_ID.match(line) or _PLAIN_ID.match(line)
            row = None if match else _ROW_ID.match(line)
            if match or row:
                ident = (match or row).group(1)
                text = (
                    match.group(2)
                    if match
                    else " ".join(c.strip() for c in row.group(2).split("|") if c.strip())
                )
                last = [ident, n, text.strip()]
                found.append(last)
                continue
        if last is not None and line.startswith((" ", "\t")) and line.strip():
            last[2] += " " + line.strip()
        else:
            last = None
    reqs = []
    for ident, n, text in found:
        kind = "criterion" if ident.startswith("SC-") else "requirement"
        priority = "" if kind == "criterion" else rfc_priority(text)
        reqs.append(Req(ident, _short(text), n, text, n, priority, kind=kind))
    return reqs


def _problems(reqs) -> list[Problem]:
    problems = []
    for req in reqs:
        if req.kind == "requirement" and not req.priority:
            problems.append(Problem("SKT001", req.line, f"{req.id} states no MUST, SHOULD or MAY"))
        elif req.kind == "story" and not any(_is_scenario(s.text) for s in req.scenarios):
            problems.append(
                Problem("SKT003", req.line, f"{req.id} has no Given/When/Then acceptance scenario")
            )
        elif req.kind == "criterion" and not _DIGIT.search(req.statement.replace(req.id, "")):
            problems.append(Problem("SKT005", req.line, f"{req.id} has no number"))
    return problems


def _is_scenario(text: str) -> bool:
    return bool(_GIVEN.search(text) and _WHEN_THEN.search(text))


def _tasks(lines: Lines) -> tuple[tuple[Task, ...], tuple[Problem, ...]]:
    tasks = []
    for n, line in lines.visible():
        match = _TASK.match(line)
        if not match:
            continue
        rest = match.group(3)
        story = _STORY_TAG.search(rest)
        deps = tuple(
            dict.fromkeys(t for d in _DEPENDS.finditer(rest) for t in _TASK_ID.findall(d.group(1)))
        )
        title = _STORY_TAG.sub("", rest.replace("[P]", "", 1)).strip()
        tasks.append(
            Task(
                match.group(2),
                title,
                n,
                match.group(1) in "xX",
                story.group(1) if story else "",
                "[P]" in rest,
                deps,
                tuple(dict.fromkeys(_REF.findall(rest))),
            )
        )
    known = {t.id for t in tasks}
    problems = tuple(
        Problem("SKT004", t.line, f"{t.id} depends on {dep}, which this list does not define")
        for t in tasks
        for dep in t.deps
        if dep not in known
    )
    return tuple(tasks), problems


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
