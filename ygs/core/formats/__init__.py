"""Foreign spec formats, read in place: OpenSpec and spec-kit.

One pure parser per format (`openspec`, `speckit`) turns a file's text into a
`Parsed` value: its requirements, scenarios, tasks and open questions, each with a
1-based line, plus the per-file problems the format's own rules find. The
catalogue (`ygs.core.artifacts.build_catalog`) wraps each in an `Artifact`
tagged with its format, so check, trace, status and artifacts see one list.

    kind, fmt = classify_foreign("openspec/specs/auth/spec.md")   # ("spec", "openspec")
    parsed = parse(path, text, kind, fmt)

Ids (documented in README, "Already using OpenSpec or spec-kit?"):
- OpenSpec: `<capability>#<requirement-slug>`, e.g. `auth/session#user-logs-in`;
  change tasks `<change>#<number>`, e.g. `add-2fa#1.2`.
- spec-kit: `FR-001`, `NFR-002`, `US1`, `T012` while one feature folder defines them;
  `<feature-folder>/FR-001` when several do (the qualified form is always accepted).
"""

from __future__ import annotations

import re
from typing import NamedTuple

OPENSPEC = "openspec"
SPECKIT = "spec-kit"
FOREIGN_FORMATS = (OPENSPEC, SPECKIT)
ADR_FORMATS = ("nygard", "madr")
FOREIGN_ROOTS = ("openspec", "specs", ".specify/memory")  # folders the two tools keep

# kind -> what it is; the statuses a foreign document can have are whatever it says.
FOREIGN_KINDS = {
    "spec": "a capability spec (OpenSpec) or feature spec (spec-kit)",
    "spec-delta": "an OpenSpec change's delta spec (ADDED/MODIFIED/REMOVED/RENAMED)",
    "change": "an OpenSpec change proposal",
    "change-design": "an OpenSpec change design",
    "plan": "a spec-kit implementation plan",
    "tasks": "a task list (OpenSpec tasks.md, spec-kit tasks.md)",
    "constitution": "spec-kit project principles (.specify/memory/constitution.md)",
}


class Scenario(NamedTuple):
    line: int
    name: str
    text: str  # the steps joined with spaces


class Req(NamedTuple):
    id: str  # the format's id: `cap#slug`, `FR-001`, `US1`, `SC-001`
    name: str
    line: int
    statement: str
    statement_line: int
    priority: str  # MUST | SHOULD | MAY | "" (unknown: the gate treats it as MUST)
    scenarios: tuple[Scenario, ...] = ()
    kind: str = "requirement"  # requirement | story | criterion
    op: str = ""  # delta specs: ADDED | MODIFIED | REMOVED | RENAMED


class Task(NamedTuple):
    id: str  # `T012`, `change#1.2`
    title: str
    line: int
    done: bool
    story: str = ""  # spec-kit `[US1]`
    parallel: bool = False
    deps: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # requirement ids the line names


class Problem(NamedTuple):
    rule: str
    line: int
    message: str


class Parsed(NamedTuple):
    format: str
    kind: str
    doc: str  # capability path, change id or feature folder
    title: str
    status: str
    reqs: tuple[Req, ...] = ()
    tasks: tuple[Task, ...] = ()
    questions: tuple[tuple[int, str], ...] = ()  # [NEEDS CLARIFICATION: …]
    problems: tuple[Problem, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (relation, target): change -> capabilities
    archived: bool = False


_new = tuple.__new__  # builds a NamedTuple from a tuple at C speed (no field checks)


def to_plain(parsed: Parsed) -> tuple:
    """`parsed` as nested plain tuples: pickled three times faster than NamedTuples (the
    catalogue's cache and the worker processes' results hold thousands)."""
    return (
        *parsed[:5],
        tuple((*r[:6], tuple(map(tuple, r.scenarios)), *r[7:]) for r in parsed.reqs),
        tuple(map(tuple, parsed.tasks)),
        parsed.questions,
        tuple(map(tuple, parsed.problems)),
        *parsed[9:],
    )


def counted(plain: tuple, *, names: bool = False) -> tuple:
    """`to_plain`'s tuple without the texts only a reader of the requirements needs (names,
    statements, scenario names and steps): what counting them needs (ids, kinds, ops, how
    many scenarios), at a fraction of the memory. What a cold check's parent holds of the
    files its workers parsed; whatever needs the rest reads the file again. `names`: the
    requirements' names kept too (the trace graph shows them)."""
    reqs = tuple(
        (
            r[0],
            r[1] if names else "",
            r[2],
            "",
            r[4],
            r[5],
            tuple((s[0], "", "") for s in r[6]),
            *r[7:],
        )
        for r in plain[5]
    )
    return (*plain[:5], reqs, *plain[6:])


def from_plain(plain: tuple) -> Parsed:
    """The Parsed that `to_plain` gave `plain`."""
    reqs = tuple(
        _new(Req, (*r[:6], tuple(_new(Scenario, s) for s in r[6]), *r[7:])) for r in plain[5]
    )
    tasks = tuple(_new(Task, t) for t in plain[6])
    problems = tuple(_new(Problem, p) for p in plain[8])
    return _new(Parsed, (*plain[:5], reqs, tasks, plain[7], problems, *plain[9:]))


_FEATURE = re.compile(r"^(?:\d{3,}|\d{8}-\d{6})-[^/]+$")


def speckit_feature(name: str) -> bool:
    """`001-user-auth` or `20250101-120000-user-auth`: a spec-kit feature folder."""
    return bool(_FEATURE.match(name))


def classify_foreign(path: str) -> tuple[str, str] | None:
    """(kind, format) for a file that sits where OpenSpec or spec-kit keep theirs."""
    parts = path.split("/")
    name = parts[-1]
    if not name.endswith(".md"):
        return None
    if parts[0] == "openspec" and len(parts) >= 3:
        return _openspec_kind(parts[1:])
    if parts[0] == "specs" and len(parts) == 3 and _FEATURE.match(parts[1]):
        kind = {"spec.md": "spec", "plan.md": "plan", "tasks.md": "tasks"}.get(name)
        return (kind, SPECKIT) if kind else None
    if path == ".specify/memory/constitution.md":
        return ("constitution", SPECKIT)
    return None


def _openspec_kind(parts: list[str]) -> tuple[str, str] | None:
    if parts[0] == "specs":
        return ("spec", OPENSPEC) if parts[-1] == "spec.md" and len(parts) >= 3 else None
    if parts[0] != "changes" or len(parts) < 3:
        return None
    rest = parts[3:] if parts[1] == "archive" else parts[2:]
    if not rest:
        return None
    if rest[0] == "specs":
        return ("spec-delta", OPENSPEC) if rest[-1] == "spec.md" and len(rest) >= 3 else None
    kind = {"proposal.md": "change", "design.md": "change-design", "tasks.md": "tasks"}
    return (kind[rest[0]], OPENSPEC) if len(rest) == 1 and rest[0] in kind else None


def parse(path: str, text: str, kind: str, fmt: str) -> Parsed:
    if fmt == OPENSPEC:
        from ygs.core.formats import openspec

        return openspec.parse(path, text, kind)
    from ygs.core.formats import speckit

    return speckit.parse(path, text, kind)


_MUST = re.compile(r"\b(?:MUST|SHALL|REQUIRED)\b")
_SHOULD = re.compile(r"\b(?:SHOULD|RECOMMENDED)\b")
_MAY = re.compile(r"\b(?:MAY|OPTIONAL)\b")


def rfc_priority(text: str) -> str:
    """The strongest RFC 2119 keyword in `text` (MUST > SHOULD > MAY), or ""."""
    if _MUST.search(text):
        return "MUST"
    if _SHOULD.search(text):
        return "SHOULD"
    return "MAY" if _MAY.search(text) else ""


class Lines:
    """A file's lines with fenced code and HTML comment blocks masked out."""

    def __init__(self, text: str) -> None:
        self.lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
        hidden = []
        fence = ""
        comment = False
        for line in self.lines:
            stripped = line.lstrip()
            if fence:
                hidden.append(True)
                if stripped.startswith(fence):
                    fence = ""
                continue
            if comment:
                hidden.append(True)
                comment = "-->" not in line
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                hidden.append(True)
                continue
            if stripped.startswith("<!--"):
                comment = "-->" not in line
                hidden.append(True)
                continue
            hidden.append(False)
        self.hidden = hidden

    def visible(self):
        """(1-based line, text) of lines outside fences and comment blocks."""
        for i, line in enumerate(self.lines):
            if not self.hidden[i]:
                yield i + 1, line


_COMMENT = re.compile(r"<!--.*?-->")


def uncomment(text: str) -> str:
    return _COMMENT.sub("", text) if "<!--" in text else text
