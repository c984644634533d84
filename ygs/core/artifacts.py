"""Project conventions: artifact kinds, paths, slugs, parsing and discovery.

Pure: callers hand in relative paths and raw bytes; nothing here touches disk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, NamedTuple

from ygs.core import frontmatter
from ygs.core.findings import Finding, Severity
from ygs.core.formats import from_plain, to_plain


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str  # folder under the docs root (tasks: the tasks root itself)
    layout: str  # dated | plain | numbered | task
    statuses: tuple[str, ...]
    suffix: str = ""  # file-name suffix before .md (qa/uat share a folder)


_DOC_STATUSES = ("draft", "review", "approved", "superseded")
_REPORT_STATUSES = ("draft", "final")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("prd", "prd", "dated", _DOC_STATUSES),
        Kind("trd", "trd", "dated", _DOC_STATUSES),
        Kind("architecture", "architecture", "plain", _DOC_STATUSES),
        Kind("design-doc", "design", "dated", _DOC_STATUSES),
        Kind("adr", "adr", "numbered", ("proposed", "accepted", "deprecated", "superseded")),
        Kind("threat-model", "threat-models", "dated", ("draft", "review", "approved")),
        Kind("spike", "spikes", "dated", ("in-progress", "done")),
        Kind("estimate", "estimates", "dated", _REPORT_STATUSES),
        Kind("qa", "qa", "dated", _REPORT_STATUSES, suffix="-qa"),
        Kind("uat", "qa", "dated", _REPORT_STATUSES, suffix="-uat"),
        Kind("retro", "retros", "dated", _REPORT_STATUSES),
        Kind("learning", "learnings", "dated", ("active", "stale")),
        Kind("handoff", "handoffs", "dated", _REPORT_STATUSES),
        Kind("task", "", "task", ("backlog", "in-progress", "done")),
    )
}
TASK_STATUSES = KINDS["task"].statuses
_KINDS_IN: dict[str, list[Kind]] = {}  # the kinds each folder holds, in KINDS order
for _kind in KINDS.values():
    _KINDS_IN.setdefault(_kind.folder, []).append(_kind)
DOC_FOLDERS = sorted({k.folder for k in KINDS.values() if k.folder})

ID_WIDTH = {"REQ": 3, "ADR": 4, "TASK": 3, "THR": 3, "MIT": 3}
# `\b(REQ|ADR|TASK|THR|MIT)-(\d+)\b`, spelt so that each branch starts with a letter (the
# word boundary is a look-behind after it): the regex engine then skips ahead to the next
# R, A, T or M instead of trying every position, which makes scans of whole bodies ~4x
# faster. Same matches, same groups.
ID_RE = re.compile(r"(R(?<!\wR)EQ|A(?<!\wA)DR|T(?<!\wT)ASK|T(?<!\wT)HR|M(?<!\wM)IT)-(\d+)\b")
ID_PREFIXES = frozenset(ID_WIDTH)
_ID_STARTS = tuple(f"{p}-" for p in ID_WIDTH)
_ID_TAIL = re.compile(r"\d+\b")  # an id's digits, ending at a word boundary (as in `ID_RE`)


def id_mentions(text: str) -> list[tuple[int, str]]:
    """(offset, id) of every match of `ID_RE` in `text`, in order: each prefix found with a
    string search, then its digits; about twice as fast on a whole body."""
    found = []
    for start in _ID_STARTS:
        at = text.find(start)
        while at >= 0:
            before = text[at - 1] if at else ""
            if not (before.isalnum() or before == "_"):  # `\b` before it
                tail = _ID_TAIL.match(text, at + len(start))
                if tail is not None:
                    found.append((at, text[at : tail.end()]))
            at = text.find(start, at + 1)
    if len(found) > 1:
        found.sort()
    return found


def id_parts(value: str) -> tuple[str, str] | None:
    """(prefix, digits) when `value` is exactly one id (`ID_RE.fullmatch`), else None;
    without a regex, as it is asked for every definition of a large project."""
    prefix, dash, number = value.partition("-")
    if dash and prefix in ID_PREFIXES and number.isdecimal():
        return prefix, number
    return None


_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_NUMBERED = re.compile(r"^(?:ADR-?)?(\d{1,6})-", re.IGNORECASE)
ADR_FOLDERS = frozenset({"adr", "adrs", "decisions"})  # where other tools keep ADRs
_TASK_NAME = re.compile(r"^(TASK-\d+)\b")
# A REQ heading (`## REQ-001: …`) after a newline; `[^\S\n]` is a space within the line.
_HEADING_IDS = re.compile(r"\n#{2,6}[^\S\n]+(REQ-\d+)\b")
_ROW_ID = re.compile(r"^\|\s*((?:THR|MIT)-\d+)\s*\|")


@dataclass(frozen=True)
class Layout:
    """Where the artifact roots live, relative to the project root."""

    docs: str = "docs"
    tasks: str = "tasks"


def slugify(text: str, max_len: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (words[0][:max_len] if words else "untitled")


def format_id(prefix: str, number: int) -> str:
    return f"{prefix}-{number:0{ID_WIDTH[prefix]}d}"


def artifact_path(
    kind: str,
    slug: str,
    *,
    date: str = "",
    number: int | None = None,
    status: str = "backlog",
    subdir: str = "",
    layout: Layout = Layout(),
) -> str:
    """The conventional relative path for a new artifact."""
    spec = KINDS[kind]
    if spec.layout == "task":
        return f"{layout.tasks}/{status}/{format_id('TASK', number or 0)}-{slug}.md"
    folder = "/".join(p for p in (layout.docs, spec.folder, subdir.strip("/")) if p)
    if spec.layout == "numbered":
        name = f"{number or 0:04d}-{slug}"
    elif spec.layout == "dated":
        name = f"{date}-{slug}{spec.suffix}"
    else:
        name = slug
    return f"{folder}/{name}.md"


@dataclass(frozen=True)
class Artifact:
    path: str
    kind: str
    id: str
    title: str
    status: str
    date: str
    meta: dict[str, Any]
    # where the body starts in `text` (the body is its tail, after the frontmatter), or
    # the body itself when it is not a tail: each text is held once (`body`, `tail_of`)
    tail: int | str
    body_line: int
    text: str
    key_lines: dict[str, int] = field(default_factory=dict)
    format: str = "ygs"  # ygs | openspec | spec-kit | nygard | madr
    parsed: Any = None  # foreign formats: ygs.core.formats.Parsed

    @property
    def body(self) -> str:
        """The text after the frontmatter (a fresh slice of `text`: keep it only while
        using it)."""
        tail = self.tail
        if isinstance(tail, str):
            return tail
        return self.text[tail:] if tail else self.text

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.kind,
            "title": self.title,
            "status": self.status,
            "date": self.date,
            "path": self.path,
            "format": self.format,
        }


def classify(path: str, layout: Layout = Layout()) -> str | None:
    """The kind implied by where a file sits, or None when it is not an artifact."""
    parts = path.split("/")
    name = parts[-1]
    if not name.endswith(".md") or name.lower() in ("readme.md", "index.md"):
        return None
    docs, tasks = _roots(layout.docs, layout.tasks)  # two strings hash faster than a Layout
    if parts[: len(tasks)] == tasks and len(parts) > len(tasks) + 1:
        return "task" if parts[len(tasks)] in TASK_STATUSES else None
    if parts[: len(docs)] != docs or len(parts) < len(docs) + 2:
        return None
    folder = parts[len(docs)]
    matches = _KINDS_IN.get(folder, [])
    if not matches and (folder in ADR_FOLDERS or parts[-2] in ADR_FOLDERS):
        return "adr" if _NUMBERED.match(name) else None
    if not matches:
        return None
    stem = name[:-3]
    for kind in matches:
        if kind.suffix and stem.endswith(kind.suffix):
            return kind.name
    for kind in matches:  # a loop: a generator left unfinished raises GeneratorExit in it
        if not kind.suffix:
            return kind.name
    return matches[0].name


@lru_cache(maxsize=8)
def _roots(docs: str, tasks: str) -> tuple[list[str], list[str]]:
    """The docs and tasks roots' path parts (callers must not change them)."""
    return docs.split("/"), tasks.split("/")


def id_from_name(kind: str, path: str) -> str:
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    spec = KINDS[kind]
    if spec.layout == "task":
        match = _TASK_NAME.match(stem)
        return match.group(1) if match else stem
    if spec.layout == "numbered":
        match = _NUMBERED.match(stem)
        return format_id("ADR", int(match.group(1))) if match else stem
    stem = _DATE_PREFIX.sub("", stem)
    return stem.removesuffix(spec.suffix) if spec.suffix else stem


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_artifact(path: str, text: str, kind: str) -> Artifact:
    """Raises frontmatter.FrontmatterError for malformed frontmatter."""
    doc = frontmatter.parse(text)
    meta = doc.meta
    declared = meta.get("type")
    if isinstance(declared, str) and declared in KINDS:
        kind = declared
    title = _text(meta.get("title")) or _first_heading(doc.body) or id_from_name(kind, path)
    status = _text(meta.get("status"))
    date = _text(meta.get("date"))
    fmt = "ygs"
    if kind == "adr" and "id" not in meta and "type" not in meta:
        from ygs.core.formats import adr_style

        style = adr_style.read(doc.body)
        fmt, title = style.format, style.title or title
        status, date = status.lower() or style.status, date or style.date
    if kind == "task" and not status:
        status = path.split("/")[-2]
    ident = _text(meta.get("id")) or id_from_name(kind, path)
    tail, line, keys = tail_of(text, doc.body), doc.body_line, doc.key_lines
    return _artifact(
        (path, kind, ident, title, status, date, meta, tail, line, text, keys, fmt, None)
    )


def parse_foreign(path: str, text: str, kind: str, fmt: str) -> Artifact:
    """An OpenSpec or spec-kit file; frontmatter is optional and never fatal here."""
    from ygs.core import formats

    parsed = formats.parse(path, text, kind, fmt)
    try:
        meta = frontmatter.parse(text).meta
    except frontmatter.FrontmatterError:
        meta = {}
    return Artifact(
        path=path,
        kind=kind,
        id=foreign_id(kind, parsed),
        title=parsed.title,
        status=parsed.status,
        date="",
        meta=meta,
        tail=0,
        body_line=1,
        text=text,
        format=fmt,
        parsed=parsed,
    )


def foreign_id(kind: str, parsed: Any) -> str:
    if kind in ("spec", "change") or (kind == "constitution"):
        return parsed.doc or kind
    if kind == "spec-delta":
        return f"{parsed.doc}/specs/{parsed.title}"
    suffix = {"change-design": "design"}.get(kind, kind)
    return f"{parsed.doc}/{suffix}"


_ARTIFACT_FIELDS = tuple(f.name for f in fields(Artifact))


def _artifact(values: tuple) -> Artifact:
    """`Artifact(*values)` (extra values ignored), its fields set at once rather than one
    `object.__setattr__` each as the frozen dataclass's `__init__` does: an Artifact is
    built for every file, twice in a cold check."""
    artifact = object.__new__(Artifact)
    artifact.__dict__.update(zip(_ARTIFACT_FIELDS, values, strict=False))  # a record: + defs
    return artifact


_new = tuple.__new__  # builds a named tuple without its Python-level __new__


def tail_of(text: str, body: str) -> int | str:
    """`Artifact.tail`: the body's offset in `text` when it is its tail, else the body."""
    return len(text) - len(body) if text.endswith(body) else body


def to_record(artifact: Artifact) -> tuple:
    """A plain tuple (faster to pickle than the dataclass); the body is kept as an offset
    into the text when it is its tail, as it always is."""
    return (
        artifact.path,
        artifact.kind,
        artifact.id,
        artifact.title,
        artifact.status,
        artifact.date,
        artifact.meta,
        artifact.tail,
        artifact.body_line,
        artifact.text,
        artifact.key_lines,
        artifact.format,
        None if artifact.parsed is None else to_plain(artifact.parsed),
        tuple(defined(artifact)),  # (id, line)
    )


def from_record(record: tuple) -> tuple[Artifact, list[Definition]]:
    """The artifact and its definitions, as `to_record` stored them."""
    path, plain, defs = record[0], record[12], record[13]
    artifact = _artifact(record if plain is None else (*record[:12], from_plain(plain)))
    return artifact, [_new(Definition, (i, path, n)) for i, n in defs]


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


class Definition(NamedTuple):  # a tuple: a large project has tens of thousands
    id: str
    path: str
    line: int


def definitions(artifact: Artifact) -> list[Definition]:
    """Ids this artifact defines: its own id, REQ headings, THR/MIT table rows."""
    path = artifact.path
    return [_new(Definition, (ident, path, line)) for ident, line in defined(artifact)]


def defined(artifact: Artifact) -> list[tuple[str, int]]:
    """`definitions` as (id, line) pairs: all a record keeps of them (`to_record`), made
    without a named tuple each."""
    found = [(artifact.id, artifact.key_lines.get("id", 1))]
    if artifact.kind == "prd":
        doc = _parsed_body(artifact)
        if doc.hidden or doc._visible is not None:  # a fence or a comment: raw lines
            found.extend(_req_lines(artifact))
        else:  # every line that looks like a heading is one of the Doc's
            found.extend(_req_definitions(doc))
        return found
    if artifact.kind != "threat-model":
        return found
    in_id_table = False  # a THR/MIT row defines its id only in a table whose first column is ID
    previous = ""
    for offset, line in enumerate(artifact.body.splitlines()):
        if line.startswith("|") and not previous.startswith("|"):
            in_id_table = line.strip("| \t").split("|")[0].strip().lower() == "id"
        previous = line
        match = _ROW_ID.match(line)
        if match and in_id_table:
            found.append((match.group(1), artifact.body_line + offset))
    return found


# Parsed bodies (`ygs.core.markdown.Doc`) by path, with what they were parsed from, so that
# a PRD's body is parsed once: `definitions` parses it and holds it for the lint
# (`body_doc` lets it go), and reads the one `requirements_of` just parsed (`_LAST`).
_DOCS: dict[str, tuple[str, int | str, int, Any]] = {}
_DOCS_HELD = 2048  # at most: a cold check of fewer files parses them all, then lints
_LAST: list[tuple[str, str, int | str, int, Any]] = []


def body_doc(artifact: Artifact) -> Any:
    """The artifact's body parsed (`ygs.core.markdown.Doc`): the one `definitions` held
    (let go now), else parsed now. Callers must not change it."""
    held = _DOCS.pop(artifact.path, None)
    if held is not None and held[:3] == (artifact.text, artifact.tail, artifact.body_line):
        return held[3]  # the same text: `is`, before `==`
    return _parse_body(artifact)


_DOC_CLASS: list = []  # `ygs.core.markdown.Doc`, imported on first use


def _parse_body(artifact: Artifact) -> Any:
    """`Doc(artifact.body, artifact.body_line)`. The class is imported once and held: an
    import statement that runs per file costs more than a small body's headings (in
    CPython 3.11, `from module import name` looks up and formats the module's missing
    `__path__` each time)."""
    if not _DOC_CLASS:
        from ygs.core.markdown import Doc

        _DOC_CLASS.append(Doc)
    return _DOC_CLASS[0](artifact.body, artifact.body_line)


def last_doc(artifact: Artifact, doc: Any) -> None:
    """`doc` is the artifact's parsed body, just read (`definitions` may read it next)."""
    _LAST[:] = [(artifact.path, artifact.text, artifact.tail, artifact.body_line, doc)]


def _parsed_body(artifact: Artifact) -> Any:
    """For `definitions`: the body `last_doc` holds, else parsed now and held for the lint."""
    key = (artifact.path, artifact.text, artifact.tail, artifact.body_line)
    if _LAST and _LAST[0][:4] == key:
        return _LAST.pop()[4]
    doc = _parse_body(artifact)
    if not _HOLD:
        return doc
    if len(_DOCS) >= _DOCS_HELD:
        _DOCS.clear()
    _DOCS[artifact.path] = (*key[1:], doc)
    return doc


_HOLD = [True]  # whether `definitions` holds the bodies it parses (see `hold_docs`)


def hold_docs(on: bool) -> bool:
    """Whether `definitions` holds the bodies it parses for a lint that follows (off where
    none does, such as in worker processes that only parse); the setting it had."""
    was = bool(_HOLD)
    _HOLD[:] = [True] if on else []
    if not on:
        _DOCS.clear()
    return was


_REQ_ID = re.compile(r"REQ-\d+\b")


def _req_definitions(doc: Any) -> list[tuple[str, int]]:
    """(id, line) of the REQ headings (level 2 or more) of a parsed body; what `_req_lines`
    finds in a body with no fence or comment."""
    found = []
    for h in doc.headings:
        if h[2][:4] == "REQ-" and h[1] > 1:  # title, level
            match = _REQ_ID.match(h[2])
            if match is not None:
                found.append((match.group(), h[4]))
    return found


def _req_lines(artifact: Artifact) -> list[tuple[str, int]]:
    """(id, line) of the REQ headings of the body's raw lines (inside fences and comments
    too)."""
    text, at = artifact.text, artifact.tail
    if isinstance(at, str) or not at or text[at - 1] != "\n":
        text, at = "\n" + artifact.body, 1
    if text.find("REQ-", at) < 0:  # each heading follows a newline: a fast literal scan
        return []
    return _req_headings(text, at - 1, artifact.body_line)


def _req_headings(text: str, at: int, line: int) -> list[tuple[str, int]]:
    """(id, line) of the REQ headings after offset `at` of `text`, a line break on line
    `line`."""
    found = []
    for match in _HEADING_IDS.finditer(text, at):
        line += text.count("\n", at, match.start())
        at = match.start()
        found.append((match.group(1), line))
    return found


@dataclass(frozen=True)
class Catalog:
    artifacts: list[Artifact]
    findings: list[Finding]  # parse problems and duplicate ids
    extra_text: tuple[str, ...] = ()  # other text that may mention ids (CONTEXT.md)
    defs: dict[str, list[Definition]] = field(default_factory=dict, compare=False, repr=False)

    def definitions(self) -> dict[str, list[Definition]]:
        """Each artifact's definitions by path, computed once."""
        if not self.defs and self.artifacts:
            self.defs.update((a.path, definitions(a)) for a in self.artifacts)
        return self.defs

    @property
    def input_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.rule in INPUT_ERROR_RULES]

    def of_kind(self, kind: str) -> list[Artifact]:
        return [a for a in self.artifacts if a.kind == kind]

    def by_id(self) -> dict[str, Artifact]:
        return {a.id: a for a in self.artifacts}

    def find(self, ref: str) -> Artifact | None:
        """An artifact by id, path or slug."""
        for artifact in self.artifacts:
            if ref in (artifact.id, artifact.path) or artifact.path.endswith("/" + ref):
                return artifact
        return None


MALFORMED = "ART001"
NOT_UTF8 = "ART002"
DUPLICATE_ID = "ART003"
UNREADABLE = "ART012"
INPUT_ERROR_RULES = frozenset({MALFORMED, NOT_UTF8, UNREADABLE})


def decode(path: str, data: bytes) -> str | Finding:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return Finding(
            NOT_UTF8,
            Severity.MUST,
            path,
            line,
            f"not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded",
            "re-save the file as UTF-8",
        )


def unreadable(path: str, message: str, remedy: str) -> Finding:
    """An artifact that could not be read at all (a dangling link, a FIFO, a device)."""
    return Finding(UNREADABLE, Severity.MUST, path, None, message, remedy)


def parse_file(path: str, data: bytes, layout: Layout = Layout()) -> Artifact | Finding | None:
    """One file: its artifact, the finding that stops it being read, or None when the path
    is not an artifact."""
    kind, fmt = classify(path, layout), "ygs"
    if kind is None:
        from ygs.core.formats import classify_foreign

        kind, fmt = classify_foreign(path) or (None, "")
    if kind is None:
        return None
    text = decode(path, data)
    if isinstance(text, Finding):
        return text
    if fmt != "ygs":
        return parse_foreign(path, text, kind, fmt)
    try:
        return parse_artifact(path, text, kind)
    except frontmatter.FrontmatterError as err:
        return Finding(
            MALFORMED,
            Severity.MUST,
            path,
            err.line,
            err.message,
            "fix the YAML between the '---' lines",
        )


def build_catalog(
    files: Iterable[tuple[str, bytes | Finding]],
    layout: Layout = Layout(),
    extra_text: Iterable[str] = (),
) -> Catalog:
    """Parse every artifact file; collect problems instead of raising. A file the shell
    could not read comes as its Finding instead of its bytes."""
    parsed = (d if isinstance(d, Finding) else parse_file(p, d, layout) for p, d in files)
    return assemble(parsed, extra_text)


def assemble(
    parsed: Iterable[Artifact | Finding | None],
    extra_text: Iterable[str] = (),
    known: dict[str, list[Definition]] | None = None,
) -> Catalog:
    """The catalogue from parsed files: artifacts sorted by path, problems, duplicate ids.
    `known`: definitions already computed, by path (from the cache)."""
    artifacts: list[Artifact] = []
    findings: list[Finding] = []
    for item in parsed:
        if isinstance(item, Artifact):
            artifacts.append(item)
        elif item is not None:
            findings.append(item)
    artifacts.sort(key=lambda a: a.path)
    catalog = Catalog(artifacts, findings, tuple(extra_text))
    if known:
        catalog.defs.update(
            (a.path, known[a.path] if a.path in known else definitions(a)) for a in artifacts
        )
    findings.extend(duplicate_ids(artifacts, catalog.definitions()))
    return catalog


def duplicate_ids(
    artifacts: list[Artifact], known: dict[str, list[Definition]] | None = None
) -> list[Finding]:
    of = [known[a.path] if known is not None else definitions(a) for a in artifacts]
    twice = repeated([d.id for defs in of for d in defs])
    if not twice:
        return []
    first: dict[tuple[str, str], Definition] = {}
    found = []
    for artifact, defs in zip(artifacts, of, strict=True):
        kind = artifact.kind
        for d in defs:
            if d.id not in twice:  # defined once: no key of its can repeat
                continue
            prefix, dash, number = d.id.partition("-")  # `id_parts`, inline: ids are many
            key = ("" if dash and prefix in ID_PREFIXES and number.isdecimal() else kind, d.id)
            if key in first:
                other = first[key]
                found.append(
                    Finding(
                        DUPLICATE_ID,
                        Severity.MUST,
                        d.path,
                        d.line,
                        f"duplicate id {d.id}: also defined at {other.path}:{other.line}",
                        f"renumber one of them; `ygs next-id {d.id.split('-')[0]}` gives a free id"
                        if id_parts(d.id) is not None
                        else "rename one of the files",
                    )
                )
            else:
                first[key] = d
    return found


def repeated(ids: list[str]) -> set[str]:
    """The ids that occur more than once (none, the common case, found at C speed)."""
    if len(set(ids)) == len(ids):
        return set()
    from collections import Counter

    return {i for i, n in Counter(ids).items() if n > 1}


def used_numbers(catalog: Catalog, prefix: str) -> set[int]:
    """Every number ever used with this prefix: definitions, mentions, file names."""
    numbers: set[int] = set()
    texts = [a.text for a in catalog.artifacts] + list(catalog.extra_text)
    texts += [a.path.rsplit("/", 1)[-1] for a in catalog.artifacts]
    for text in texts:
        numbers.update(int(n) for p, n in ID_RE.findall(text) if p == prefix)
    if prefix == "ADR":
        for adr in catalog.of_kind("adr"):
            match = _NUMBERED.match(adr.path.rsplit("/", 1)[-1])
            if match:
                numbers.add(int(match.group(1)))
    return numbers


def next_id(catalog: Catalog, prefix: str, taken: Iterable[int] = ()) -> str:
    """max + 1 over everything used: robust to gaps, nesting and stray mentions."""
    numbers = used_numbers(catalog, prefix) | set(taken)
    return format_id(prefix, max(numbers, default=0) + 1)
