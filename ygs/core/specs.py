"""Typed views of artifact bodies: requirements, decisions, traceability rows, threats,
mitigations, and task links. Shared by `ygs check`, `ygs trace` and `ygs status`.

Pure: built from a Catalog; each body is parsed once (`Index.doc`).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from ygs.core import markdown
from ygs.core.artifacts import ID_RE, Artifact, Catalog, body_doc, last_doc
from ygs.core.formats import rfc_priority
from ygs.core.markdown import Bullet, Doc, Field, Table
from ygs.core.scan import in_order

_REQ_TITLE = re.compile(r"^(REQ-\d+)\b\s*[:.\-–—]?\s*(.*)$")
_PRIORITY = re.compile(r"\b(MUST|SHOULD|MAY|P0|P1|P2)\b")
_P_LEVEL = {"P0": "MUST", "P1": "SHOULD", "P2": "MAY"}
_GWT = in_order(r"\bgiven\b", r"\bwhen\b", r"\bthen\b", flags=re.IGNORECASE)
_WHEN_THEN = in_order(r"\bWHEN\b", r"\bTHEN\b")  # OpenSpec-style steps
_SCENARIO_HEADING = re.compile(r"^scenario\b\s*:?\s*", re.IGNORECASE)
_RFC = re.compile(r"\b(MUST|SHALL|REQUIRED|SHOULD|RECOMMENDED|MAY|OPTIONAL)\b")
_DECISION_ID = re.compile(r"^(D\d+)\b\s*[:.\-–—]?\s*(.*)$")
LINK_KEYS = ("satisfies", "mitigates", "depends_on")
_new = tuple.__new__


def ids_in(text: str, *prefixes: str) -> list[str]:
    """Ids of the given prefixes in order of appearance, without repeats."""
    found: list[str] = []
    for match in ID_RE.finditer(text):
        value = match.group(0)
        if (not prefixes or match.group(1) in prefixes) and value not in found:
            found.append(value)
    return found


def as_list(value: Any) -> list[str]:
    """A frontmatter link value as a list of strings: list, comma text, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def is_gwt(text: str) -> bool:
    """Given/When/Then, or the WHEN/THEN steps of an OpenSpec-style `#### Scenario:`."""
    if markdown.is_placeholder(text):
        return False
    return bool(_GWT.search(text)) or bool(_WHEN_THEN.search(text))


class Requirement(NamedTuple):
    id: str
    title: str
    path: str
    line: int
    prd: str  # the PRD artifact id
    prd_status: str
    priority: str  # MUST | SHOULD | MAY | "" (missing or unreadable: gated as MUST)
    fields: dict[str, Field]
    scenarios: tuple[Bullet, ...]
    format: str = "ygs"  # ygs | openspec | spec-kit
    kind: str = "requirement"  # requirement | story (spec-kit user story)
    aliases: tuple[str, ...] = ()  # other ids that name it (spec-kit: feature/FR-001)
    inferred: bool = False  # priority read from the statement's keyword, not a Priority line

    def field(self, name: str) -> Field | None:
        return self.fields.get(name)


class Decision(NamedTuple):
    id: str
    title: str
    line: int
    fields: dict[str, Field]


class TraceRow(NamedTuple):
    requirements: tuple[str, ...]
    decision: str
    line: int


class Threat(NamedTuple):
    id: str
    path: str
    line: int
    subsystem: str
    stride: str
    priority: str
    threat: str
    assets: str
    mitigations: tuple[str, ...]
    status: str
    owner: str
    has_columns: frozenset[str]


class Mitigation(NamedTuple):
    id: str
    path: str
    line: int
    threats: tuple[str, ...]
    tasks: tuple[str, ...]
    test: str
    status: str


def keyword_priority(text: str) -> str:
    """The strongest RFC 2119 keyword in a statement (MUST > SHOULD > MAY), or ""."""
    return rfc_priority(text) if _RFC.search(text) else ""


@lru_cache(maxsize=1024)
def parse_priority(value: str) -> str:
    """MUST, SHOULD or MAY from a Priority value (P0-P2 mapped), else "" (values recur)."""
    match = _PRIORITY.search(value.upper())
    if not match:
        return ""
    return _P_LEVEL.get(match.group(1), match.group(1))


def requirements_of(artifact: Artifact, doc: Doc) -> list[Requirement]:
    """Every `### REQ-NNN: title` section of a PRD, with its field lines and scenarios.

    Without a `**Priority:**` line the priority is the statement's RFC 2119 keyword.
    Scenarios are the bullets (continuation lines joined) and any `#### Scenario:`
    sub-section, whose steps count as one scenario."""
    found = []
    path, prd, prd_status = artifact.path, artifact.id, artifact.status
    last_doc(artifact, doc)  # its definitions, read next as it is parsed, need not parse it
    for at, heading in enumerate(doc.headings):
        title = heading.title
        if title[:4] != "REQ-" or heading.level < 2:
            continue
        match = _REQ_TITLE.match(title)
        if not match:
            continue
        plain = doc.plain_fields_and_items(at)
        if plain is None:  # a sub-heading, a hidden line, or a line the loop must read
            section = doc.section_of(heading)
            fields, items = section.scanned(bold=False)
            scenarios = _scenarios(section, items)
        else:  # no sub-section: no `#### Scenario:` either, the items are the scenarios
            section = None
            fields, scenarios = plain  # a fresh list
        inferred = False
        if "statement" not in fields:
            prose = _prose(section or doc.section_of(heading))
            if prose:
                fields = {
                    **fields,
                    _PROSE: Field(prose[0][0], _PROSE, " ".join(t for _, t in prose)),
                }
        if "priority" in fields:
            priority = parse_priority(fields["priority"].value)
        else:
            priority = keyword_priority(statement_of_fields(fields))
            inferred = bool(priority)
        inline = fields.get("scenarios")
        if inline and inline.value and not markdown.is_placeholder(inline.value):
            scenarios.insert(0, Bullet(inline.line, 0, inline.value))
        aliases = _source_aliases(fields["source"].value) if "source" in fields else ()
        ident, rest = match.groups()
        # positional, without the named tuple's Python-level __new__ (a PRD has many)
        found.append(
            _new(
                Requirement,
                (
                    ident,
                    rest.strip(),
                    path,
                    heading.line,
                    prd,
                    prd_status,
                    priority,
                    fields,
                    tuple(scenarios),
                    "ygs",
                    "requirement",
                    aliases,
                    inferred,
                ),
            )
        )
    return found


def statement_of(req: Requirement) -> str:
    """The requirement's statement: its Statement line, else its prose."""
    return statement_of_fields(req.fields)


def statement_of_fields(fields: dict[str, Field]) -> str:
    field = fields.get("statement") or fields.get(_PROSE)
    return field.value if field else ""


_PROSE = "statement prose"  # a pseudo field: the prose of a requirement with no Statement line


def _source_aliases(value: str) -> tuple[str, ...]:
    """An imported requirement answers to its old id (its Source line's `value`): `auth#x`,
    `001-chat/FR-001` and `FR-001`."""
    source = value.strip("` ")
    if not source:
        return ()
    bare = source.rsplit("/", 1)[-1]
    return (source, bare) if "#" not in source and bare != source else (source,)


def _prose(section) -> list[tuple[int, str]]:
    """Own lines that are not bullets, field lines or table rows."""
    found = []
    for line, text in section.content(own_only=True):
        stripped = text.strip()
        if not stripped or stripped[0] in "|-*+" or markdown.FIELD.match(stripped):
            continue
        found.append((line, stripped))
    return found


def _scenarios(section, items: list[Bullet]) -> list[Bullet]:
    """`items` are the section's bullets, joined, but those that start with `**`
    (`Section.fields_and_bullets(bold=False)`)."""
    if not section.doc.headings_between(section.start, section.end):
        return list(items)  # no sub-section, so no `#### Scenario:` (most requirements)
    subs = [s for s in section.subsections() if _SCENARIO_HEADING.match(s.title)]
    found = list(items)
    if not subs:
        return found
    inside = {n for s in subs for n, _ in s.content()}
    found = [b for b in found if b.line not in inside]
    for sub in subs:
        steps = " ".join(t.strip() for _, t in sub.content() if t.strip())
        found.append(Bullet(sub.line, 0, steps))
    return found


def decisions_of(doc: Doc) -> list[Decision]:
    section = doc.section("decisions", "decision log")
    if section is None:
        return []
    found = []
    for sub in section.subsections():
        match = _DECISION_ID.match(sub.title)
        ident, title = (match.group(1), match.group(2)) if match else (sub.title, sub.title)
        found.append(Decision(ident, title.strip(), sub.line, sub.fields()))
    return found


def traceability_of(doc: Doc) -> list[TraceRow]:
    section = doc.section("traceability")
    if section is None:
        return []
    rows = []
    for table in section.tables():
        req_col = max(table.column("requirement", "requirements", "req", "id"), 0)
        dec_col = table.column("decision", "decisions", "design element", "design")
        for row in table.rows:
            reqs = ids_in(row.cell(req_col), "REQ")
            if reqs:
                rows.append(TraceRow(tuple(reqs), row.cell(dec_col), row.line))
    return rows


def _id_tables(doc: Doc, prefix: str) -> list[tuple[Table, str]]:
    """Tables whose first column is ID and whose rows start with `prefix` ids, with the
    title of the nearest heading above each."""
    found = []
    for table in doc.whole.tables():
        if markdown.words(table.header[0] if table.header else "") != "id":
            continue
        if not any(r.cell(0).startswith(prefix + "-") for r in table.rows):
            continue
        above = [h for h in doc.headings if h.line < table.line]
        found.append((table, above[-1].title if above else ""))
    return found


def threats_of(artifact: Artifact, doc: Doc) -> list[Threat]:
    found = []
    for table, heading in _id_tables(doc, "THR"):
        cols = {
            name: table.column(*alts)
            for name, alts in {
                "stride": ("stride", "stride letter", "category"),
                "priority": ("priority", "risk", "severity"),
                "threat": ("threat", "description"),
                "assets": ("assets", "asset"),
                "mitigation": ("mitigation", "mitigations", "mitigation id"),
                "status": ("status",),
                "owner": ("owner",),
            }.items()
        }
        present = frozenset(k for k, v in cols.items() if v >= 0)
        for row in table.rows:
            ident = ids_in(row.cell(0), "THR")
            if not ident:
                continue
            found.append(
                Threat(
                    id=ident[0],
                    path=artifact.path,
                    line=row.line,
                    subsystem=markdown.words(heading),
                    stride=row.cell(cols["stride"]),
                    priority=row.cell(cols["priority"]),
                    threat=row.cell(cols["threat"]),
                    assets=row.cell(cols["assets"]),
                    mitigations=tuple(ids_in(row.cell(cols["mitigation"]), "MIT")),
                    status=row.cell(cols["status"]),
                    owner=row.cell(cols["owner"]),
                    has_columns=present,
                )
            )
    return found


def mitigations_of(artifact: Artifact, doc: Doc) -> list[Mitigation]:
    found = []
    for table, _heading in _id_tables(doc, "MIT"):
        threats = table.column("threats", "threat")
        task = table.column("task", "tasks")
        test = table.column("test", "tests")
        status = table.column("status")
        for row in table.rows:
            ident = ids_in(row.cell(0), "MIT")
            if ident:
                found.append(
                    Mitigation(
                        ident[0],
                        artifact.path,
                        row.line,
                        tuple(ids_in(row.cell(threats), "THR")),
                        tuple(ids_in(row.cell(task), "TASK")),
                        row.cell(test),
                        row.cell(status),
                    )
                )
    return found


NOTHING = (0, 0, 0, frozenset())  # the `tally` of no requirements


def tally(shapes) -> tuple[int, int, int, frozenset]:
    """Requirements, stories and scenarios of (kind, scenarios, aliases) shapes, and the
    ids their aliases import."""
    reqs = stories = scenarios = 0
    names: set = set()
    for kind, n, aliases in shapes:
        if kind == "requirement":
            reqs += 1
        elif kind == "story":
            stories += 1
        scenarios += n
        if aliases:
            names.update(aliases)
    return reqs, stories, scenarios, frozenset(names)


class Index:
    """Everything the checks and the trace graph read, parsed once per catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._docs: dict[str, Doc] = {}
        self._requirements_in: dict[str, list[Requirement]] = {}
        self._shapes: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
        self._tallies: dict[str, tuple[int, int, int, frozenset]] = {}

    def doc(self, artifact: Artifact) -> Doc:
        doc = self._docs.get(artifact.path)
        if doc is None:
            doc = self._docs[artifact.path] = body_doc(artifact)
        return doc

    def _transient_doc(self, artifact: Artifact) -> Doc:
        """The parsed body, without keeping it: requirements are kept instead."""
        return self._docs.get(artifact.path) or body_doc(artifact)

    def shapes_in(self, path: str) -> list[tuple[str, int, tuple[str, ...]]]:
        """(kind, scenario count, aliases) of each requirement one PRD defines: what
        `ygs check` counts, and all a worker process sends back of them (kept: the lint
        asks for them, then `forget` keeps them)."""
        found = self._shapes.get(path)
        if found is None:
            reqs = self.requirements_in(path)
            found = self._shapes[path] = [(r.kind, len(r.scenarios), r.aliases) for r in reqs]
        return found

    def tally_in(self, path: str) -> tuple[int, int, int, frozenset]:
        """`tally` of one PRD's `shapes_in`, computed once (the input totals and the check's
        state both read it)."""
        found = self._tallies.get(path)
        if found is None:
            found = self._tallies[path] = tally(self.shapes_in(path))
        return found

    def parsed_shapes(self, paths) -> dict[str, list[tuple[str, int, tuple[str, ...]]]]:
        """`shapes_in` of the PRDs among these paths already parsed (for another Index)."""
        return {p: self.shapes_in(p) for p in paths if p in self._requirements_in}

    def learn(self, shapes: dict[str, list[tuple[str, int, tuple[str, ...]]]]) -> None:
        """Shapes parsed elsewhere (a worker process) from this same catalogue."""
        self._shapes.update(shapes)

    def learn_tallies(self, tallies: dict[str, tuple[int, int, int, frozenset]]) -> None:
        """`tally_in` of PRDs parsed elsewhere (a worker process) from this catalogue."""
        self._tallies.update(tallies)

    def learn_requirements(self, found: dict[str, tuple[Requirement, ...]]) -> None:
        """PRDs' requirements parsed elsewhere (the cache, a worker) from these same files."""
        self._requirements_in.update((path, list(reqs)) for path, reqs in found.items())

    def forget(self, paths, requirements: bool = False) -> None:
        """Drop the parsed bodies of these files, and with `requirements` their parsed
        requirements too, keeping their shapes (parsed again if asked for)."""
        for path in paths:
            self._docs.pop(path, None)
            if requirements and path in self._requirements_in:
                self.shapes_in(path)
                del self._requirements_in[path]

    @cached_property
    def by_id(self) -> dict[str, Artifact]:
        found: dict[str, Artifact] = {}
        for artifact in self.catalog.artifacts:
            found.setdefault(artifact.id, artifact)
        return found

    @cached_property
    def defined(self) -> set[str]:
        """Every id something defines: artifact ids, REQ headings, THR/MIT rows."""
        return {d.id for defs in self.catalog.definitions().values() for d in defs}

    @cached_property
    def foreign(self):
        """OpenSpec and spec-kit requirements, tasks and links (ygs.core.formats.join)."""
        from ygs.core.formats.join import join

        return join(self.catalog.artifacts)

    @cached_property
    def requirement_list(self) -> list[Requirement]:
        own = [r for a in self.catalog.of_kind("prd") for r in self.requirements_in(a.path)]
        imported = {alias for r in own for alias in r.aliases}
        foreign = [
            r
            for r in self.foreign.requirements
            if r.id not in imported and not imported.intersection(r.aliases)
        ]
        return own + foreign

    def requirements_in(self, path: str) -> list[Requirement]:
        """The requirements one PRD defines; parses only that PRD unless all are parsed."""
        if "requirement_list" in self.__dict__:
            return self.requirements_by_path.get(path, [])
        found = self._requirements_in.get(path)
        if found is None:
            artifact = self._by_path.get(path)
            if artifact is not None and artifact.kind == "prd":
                found = requirements_of(artifact, self._transient_doc(artifact))
            else:
                found = self.requirements_by_path.get(path, [])
            self._requirements_in[path] = found
        return found

    @cached_property
    def _by_path(self) -> dict[str, Artifact]:
        return {a.path: a for a in self.catalog.artifacts}

    @cached_property
    def requirements_by_path(self) -> dict[str, list[Requirement]]:
        found: dict[str, list[Requirement]] = {}
        for req in self.requirement_list:
            found.setdefault(req.path, []).append(req)
        return found

    @cached_property
    def requirements(self) -> dict[str, Requirement]:
        """By id and by alias (spec-kit `feature/FR-001`)."""
        found: dict[str, Requirement] = {}
        for req in self.requirement_list:
            found.setdefault(req.id, req)
        for req in self.requirement_list:
            for alias in req.aliases:
                found.setdefault(alias, req)
        return found

    @cached_property
    def threats(self) -> list[Threat]:
        return [t for a in self.catalog.of_kind("threat-model") for t in threats_of(a, self.doc(a))]

    @cached_property
    def mitigations(self) -> dict[str, Mitigation]:
        found: dict[str, Mitigation] = {}
        for model in self.catalog.of_kind("threat-model"):
            for mit in mitigations_of(model, self.doc(model)):
                found.setdefault(mit.id, mit)
        return found

    @cached_property
    def tasks(self) -> dict[str, Artifact]:
        found: dict[str, Artifact] = {}
        for task in self.catalog.of_kind("task"):
            found.setdefault(task.id, task)
        return found

    def links(self, artifact: Artifact, key: str) -> list[str]:
        return as_list(artifact.meta.get(key))
