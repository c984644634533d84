"""OpenSpec, read in place (https://github.com/Fission-AI/OpenSpec).

- `openspec/specs/<capability>/spec.md` (capability may nest: `platform/auth`):
  `## Purpose`, `## Requirements`, each child heading (`### Requirement: <name>`) a
  requirement whose body carries SHALL/MUST, each child of that (`#### Scenario: <name>`
  with `- **WHEN**` / `- **THEN**` / `- **AND**` bullets) a scenario. As OpenSpec's own
  parser: the first heading titled "Requirements" at any level, its direct children are
  the requirements, their non-empty children the scenarios; fenced code is not structure.
- `openspec/changes/<id>/{proposal,design,tasks}.md` and delta specs
  `changes/<id>/specs/<capability>/spec.md` with `## ADDED|MODIFIED|REMOVED|RENAMED
  Requirements`; archived changes under `changes/archive/<date>-<id>/`.
- `tasks.md`: every `- [ ]` / `- [x]` line is a task, numbered `1.2` where it says so.

Requirement ids are `<capability>#<slug of the name>`.
"""

from __future__ import annotations

import re

from ygs.core.formats import (
    OPENSPEC,
    Lines,
    Parsed,
    Problem,
    Req,
    Scenario,
    Task,
    rfc_priority,
    uncomment,
)

_new = tuple.__new__  # a NamedTuple from a tuple, at C speed
_REQUIREMENT = Req._field_defaults["kind"]  # the kind a Req has unless told
_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
_REQ_PREFIX = re.compile(r"^requirement:\s*", re.IGNORECASE)
_SCENARIO_PREFIX = re.compile(r"^scenario:\s*", re.IGNORECASE)
_METADATA = re.compile(r"^\*\*[^*]+\*\*:")
_TASK = re.compile(r"^\s*[-*]\s*\[([\sxX])\]\s*(.*)")
_TASK_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")
_SHALL = re.compile(r"\b(SHALL|MUST)\b")
_CAPABILITY = re.compile(r"^\s*[-*]\s*`([^`]+)`")
_DELTA_OPS = ("ADDED", "MODIFIED", "REMOVED", "RENAMED")
_FROM_TO = re.compile(
    r"^[ \t]*(?:-[ \t]*)?(FROM|TO):[ \t]*`?###[ \t]*Requirement:[ \t]*(.+)$", re.I
)
_REMOVED_BULLET = re.compile(r"^[ \t]*-[ \t]*`?###[ \t]*Requirement:[ \t]*(.+)$", re.IGNORECASE)
MIN_PURPOSE = 50


_SLUG_WORD = re.compile(r"[a-z0-9]+")


def slug(name: str) -> str:
    """The requirement's slug: lower-case ASCII words joined by hyphens (at most 100)."""
    if not name.isascii():
        from ygs.core.artifacts import slugify

        return slugify(name, max_len=100)
    text = "-".join(_SLUG_WORD.findall(name.lower()))
    if len(text) > 100:
        text = text[:101].rsplit("-", 1)[0]
    return text or "untitled"


def requirement_id(capability: str, name: str) -> str:
    return f"{capability}#{slug(name)}"


def location(path: str) -> tuple[str, str, bool]:
    """(change id or "", capability path or "", archived) for a file under openspec/."""
    parts = path.split("/")[1:]
    if parts[0] == "specs":
        return "", "/".join(parts[1:-1]), False
    archived = parts[1] == "archive"
    change = parts[2] if archived else parts[1]
    rest = parts[3:] if archived else parts[2:]
    capability = "/".join(rest[1:-1]) if rest and rest[0] == "specs" else ""
    return change, capability, archived


def parse(path: str, text: str, kind: str) -> Parsed:
    change, capability, archived = location(path)
    if kind == "tasks":
        return _tasks(text, change, archived)
    doc = _Text(text)
    if kind == "spec":
        return _spec(doc, capability)
    if kind == "spec-delta":
        return _delta(doc, change, capability, archived)
    return _change(doc, kind, change, archived)


class _Heading:
    __slots__ = ("body", "children", "end", "level", "line", "next", "start", "title")

    def __init__(self, start: int, body: int, level: int, title: str, line: int) -> None:
        self.start = start  # offset of the heading line
        self.body = body  # offset just after it
        self.level = level
        self.title = title
        self.line = line
        self.end = 0  # offset of the next heading of the same or a higher level
        self.next = 0  # offset of the next heading of any level
        self.children: list[_Heading] = []


_HEAD = re.compile(r"^(#{1,6})[ \t]+(.+)$", re.MULTILINE)


class _Text:
    """A file's text with its headings as a tree; offsets, not line lists, so a file
    without fences or comment blocks is read by a few regex scans."""

    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n")
        masked = "```" in self.text or "~~~" in self.text or "<!--" in self.text
        self.lines = Lines(self.text) if masked else None
        self.flat: list[_Heading] = []
        text, flat = self.text, self.flat
        hidden = self.lines.hidden if self.lines is not None else None
        stack: list[_Heading] = []
        line, pos = 1, 0
        for match in _HEAD.finditer(text):
            start, body = match.span()
            line += text.count("\n", pos, start)
            pos = start
            if hidden is not None and hidden[line - 1]:
                continue
            title = match.group(2).strip()
            if "<!--" in title:
                title = uncomment(title).strip()
            level = match.end(1) - start
            heading = _Heading(start, body + 1, level, title, line)
            if flat:
                flat[-1].next = start
            while stack and stack[-1].level >= level:
                stack.pop().end = start
            if stack:
                stack[-1].children.append(heading)
            stack.append(heading)
            flat.append(heading)
        size = len(text)
        for heading in stack:
            heading.end = size
        if self.flat:
            self.flat[-1].next = size

    def has_content(self, heading: _Heading) -> bool:
        return not self.text[heading.body : heading.end].isspace() and heading.body < heading.end

    def body_lines(self, heading: _Heading, stop: int) -> list[tuple[int, str]]:
        """(line, text) from just after `heading` up to offset `stop`, fenced lines out."""
        chunk = self.text[heading.body : stop]
        hidden = self.lines.hidden if self.lines is not None else ()
        found = []
        for i, text in enumerate(chunk.split("\n")):
            number = heading.line + 1 + i
            if number <= len(hidden) and hidden[number - 1]:
                continue
            found.append((number, text))
        return found


def _statement(doc: _Text, heading: _Heading) -> tuple[str, int]:
    """OpenSpec's requirement text: body lines up to the first sub-heading, blank and
    `**meta**:` lines skipped (unless that is all there is), fenced lines skipped."""
    if doc.lines is None:
        chunk = doc.text[heading.body : heading.next]
        if "**" not in chunk:  # no metadata lines: every non-blank line is the text
            text = chunk.strip()
            if "\n" not in text:  # one line (the common case), or none
                if not text:
                    return "", heading.line
                blank = chunk.count("\n", 0, len(chunk) - len(chunk.lstrip()))
                return text, heading.line + 1 + blank
            stripped = [line.strip() for line in chunk.split("\n")]
            kept = [line for line in stripped if line]
            if not kept:
                return "", heading.line
            return "\n".join(kept), heading.line + 1 + stripped.index(kept[0])
    captured: list[tuple[int, str]] = []
    metadata: list[tuple[int, str]] = []
    for number, line in doc.body_lines(heading, heading.next):
        stripped = line.strip()
        if "<!--" in stripped:
            stripped = uncomment(stripped).strip()
        if not stripped:
            continue
        (metadata if _METADATA.match(stripped) else captured).append((number, stripped))
    chosen = captured or metadata
    if not chosen:
        return "", heading.line
    return "\n".join(t for _, t in chosen), chosen[0][0]


def _scenario(doc: _Text, heading: _Heading) -> Scenario:
    if doc.lines is None:
        steps = " ".join(doc.text[heading.body : heading.end].split())
    else:
        lines = doc.body_lines(heading, heading.end)
        steps = uncomment(" ".join(" ".join(t.split()) for _, t in lines if t.strip()))
    name = heading.title
    if name[:9].lower() == "scenario:":
        name = name[9:].strip()
    return _new(Scenario, (heading.line, name, steps))


def _requirement(doc: _Text, heading: _Heading, capability: str, op: str = "") -> Req:
    name = heading.title
    if name[:12].lower() == "requirement:":
        name = name[12:].strip()
    statement, at = _statement(doc, heading)
    scenarios = tuple(_scenario(doc, c) for c in heading.children if doc.has_content(c))
    text = statement or name
    ident = requirement_id(capability, name)
    return _new(
        Req, (ident, name, heading.line, text, at, rfc_priority(text), scenarios, _REQUIREMENT, op)
    )


def _requirement_problems(req: Req) -> list[Problem]:
    problems = []
    if not _SHALL.search(req.statement):
        problems.append(Problem("OSP002", req.statement_line, f"'{req.name}' has no SHALL or MUST"))
    if not req.scenarios:
        problems.append(Problem("OSP003", req.line, f"'{req.name}' has no `#### Scenario:`"))
    for scenario in req.scenarios:
        text = scenario.text.upper()
        if "WHEN" not in text or "THEN" not in text:
            problems.append(
                Problem(
                    "OSP004",
                    scenario.line,
                    f"scenario '{scenario.name}' has no - **WHEN** / - **THEN** steps",
                )
            )
    return problems


def _spec(doc: _Text, capability: str) -> Parsed:
    flat = doc.flat
    title = next((h.title for h in flat if h.level == 1), capability)
    requirements = purpose = None
    for heading in flat:
        key = heading.title.lower()
        if key == "requirements" and requirements is None:
            requirements = heading
        elif key == "purpose" and purpose is None:
            purpose = heading
    problems: list[Problem] = []
    if purpose is None or requirements is None or not doc.has_content(purpose):
        missing = [
            label
            for label, h in (("## Purpose", purpose), ("## Requirements", requirements))
            if h is None or (h is purpose and not doc.has_content(h))
        ]
        problems.append(Problem("OSP001", 1, f"missing or empty: {', '.join(missing)}"))
    elif len(" ".join(doc.text[purpose.body : purpose.end].split())) < MIN_PURPOSE:
        problems.append(
            Problem("OSP005", purpose.line, f"Purpose is under {MIN_PURPOSE} characters")
        )
    reqs: tuple[Req, ...] = ()
    if requirements is not None:
        reqs = tuple(_requirement(doc, h, capability) for h in requirements.children)
        if not reqs:
            problems.append(Problem("OSP001", requirements.line, "no requirements"))
    for req in reqs:
        problems.extend(_requirement_problems(req))
    return Parsed(OPENSPEC, "spec", capability, title, "current", reqs, problems=tuple(problems))


def _delta(doc: _Text, change: str, capability: str, archived: bool) -> Parsed:
    flat = doc.flat
    reqs: list[Req] = []
    problems: list[Problem] = []
    found = False
    for heading in flat:
        if heading.level != 2:
            continue
        words = heading.title.split()
        op = words[0].upper() if words else ""
        if op not in _DELTA_OPS or [w.lower() for w in words[1:]] != ["requirements"]:
            continue
        found = True
        if op in ("ADDED", "MODIFIED"):
            for child in heading.children:
                if not _REQ_PREFIX.match(child.title):
                    problems.append(
                        Problem(
                            "OSP006",
                            child.line,
                            f"'### {child.title}' under {heading.title} is not "
                            "`### Requirement: <name>`, so OpenSpec skips it",
                        )
                    )
                    continue
                req = _requirement(doc, child, capability, op)
                reqs.append(req)
                problems.extend(_requirement_problems(req))
        else:
            reqs.extend(_names(doc, heading, capability, op))
    if not found:
        problems.append(
            Problem("OSP006", 1, "no ## ADDED/MODIFIED/REMOVED/RENAMED Requirements section")
        )
    status = "archived" if archived else "proposed"
    return Parsed(
        OPENSPEC,
        "spec-delta",
        change,
        capability,
        status,
        tuple(reqs),
        problems=tuple(problems),
        links=(("capability", capability),),
        archived=archived,
    )


def _names(doc: _Text, heading: _Heading, capability: str, op: str) -> list[Req]:
    """REMOVED names and RENAMED FROM/TO pairs (the TO name is the requirement)."""
    found = []
    pending = ""
    for number, line in doc.body_lines(heading, heading.end):
        i = number - 1
        if op == "RENAMED":
            match = _FROM_TO.match(line)
            if match and match.group(1).upper() == "FROM":
                pending = _renamed(match.group(2))
            elif match and pending:
                name = _renamed(match.group(2))
                found.append(
                    Req(requirement_id(capability, name), name, i + 1, pending, i, "", op=op)
                )
                pending = ""
            continue
        match = _HEADING.match(line)
        name = _REQ_PREFIX.sub("", match.group(2)).strip() if match else ""
        if not name:
            bullet = _REMOVED_BULLET.match(line)
            name = _renamed(bullet.group(1)) if bullet else ""
        if name:
            found.append(Req(requirement_id(capability, name), name, i + 1, "", i + 1, "", op=op))
    return found


def _tasks(text: str, change: str, archived: bool) -> Parsed:
    tasks = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TASK.match(line)
        if not match:
            continue
        text = uncomment(match.group(2)).strip()
        numbered = _TASK_NUMBER.match(text)
        ident = numbered.group(1) if numbered else str(len(tasks) + 1)
        title = numbered.group(2) if numbered else text
        tasks.append(Task(f"{change}#{ident}", title, number, match.group(1) in "xX"))
    done = bool(tasks) and all(t.done for t in tasks)
    status = "archived" if archived else ("done" if done else "open")
    return Parsed(OPENSPEC, "tasks", change, change, status, tasks=tuple(tasks), archived=archived)


def _change(doc: _Text, kind: str, change: str, archived: bool) -> Parsed:
    flat = doc.flat
    titles = {h.title.lower(): h for h in flat}
    links: list[tuple[str, str]] = []
    for heading in flat:
        key = heading.title.lower()
        relation = next((r for r in ("new", "modified", "removed") if key.startswith(r)), "")
        if not relation or "capabilit" not in key:
            continue
        for _, line in doc.body_lines(heading, heading.end):
            match = _CAPABILITY.match(line)
            if match and not match.group(1).startswith("<"):
                links.append((relation, match.group(1).strip()))
    problems = []
    if kind == "change":
        missing = [
            label
            for key, label in (("why", "## Why"), ("what changes", "## What Changes"))
            if key not in titles or not doc.has_content(titles[key])
        ]
        if missing:
            problems.append(Problem("OSP007", 1, f"missing or empty: {', '.join(missing)}"))
    status = "archived" if archived else "active"
    return Parsed(
        OPENSPEC,
        kind,
        change,
        change,
        status,
        problems=tuple(problems),
        links=tuple(links),
        archived=archived,
    )


def _renamed(text: str) -> str:
    """The requirement name of a FROM/TO line, without the closing backtick."""
    return text.strip().removesuffix("`").strip()
