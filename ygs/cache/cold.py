"""A cold `ygs check` of a large project in one pass over worker processes.

    done = cold.check(proj, overrides, merges)   # None: not a cold run, lint the catalogue

Each worker reads, parses and lints the chunks of files it takes (`parallel.stream`, in
path order), writes their cache entries to a part of the catalogue's cache, and sends the
parent each chunk's slim results as soon as it is done: the artifacts without their texts
(tasks and spikes keep theirs: the rules that look across all of them run in the parent)
and OpenSpec and spec-kit files with only what counting their requirements needs
(`formats.counted`), their definitions, findings, the texts of the lines those are on,
their interfaces for the check's state, the tallies of their requirements and the stats
taken as they were read. No file's text outlives its chunk; what the parent reads
beyond that it reads from disk again (`SlimIndex`).

The per-file rules look a few things up in other files: whether an id is defined, what a
link names, another artifact (by id, path or name). A worker answers from the files it
has parsed when it can be sure, and otherwise guesses (an id is defined, a link
resolves, no artifact answers to a name) and notes the guess against the file. The parent,
with every file's definitions and header, checks each guess; a file linted on a wrong
guess is linted again there, read from disk. On a project whose references resolve, no
guess is wrong. So the parent never holds the texts of all the files, and each file is
read, parsed and linted once.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ygs.core.lint import CHUNK
from ygs.core.lint.context import Context, normal_id
from ygs.core.specs import Index

if TYPE_CHECKING:
    from ygs.core.artifacts import Artifact

# Kinds whose text the parent keeps: the rule families that read across files lint them.
WHOLE_KINDS = frozenset({"task", "spike"})
# where a record (`ygs.core.artifacts.to_record`) holds the frontmatter, a foreign file's
# parse and the definitions
_META, _PARSED, _DEFS = 6, 12, 13
_new = tuple.__new__  # a named tuple without its Python-level __new__
_EMPTY: dict = {}
CHUNK_RECORDS = 500  # records made artifacts at a time (`_digest`)


@dataclass
class Cold:
    """A cold check's outcome: the findings and what else `_lint_index`'s result holds,
    the slim catalogue's Index, and what the check's state needs that only texts gave."""

    findings: list
    lines: dict[tuple[str, int], str]
    exists: dict[str, bool]
    index: Index
    faces: dict[str, bytes]
    watched: set[str]


@dataclass
class Share:
    """What a worker sends back of one chunk."""

    records: list = field(default_factory=list)  # (entry index, slim record or Finding)
    parsed: list = field(default_factory=list)  # the records as Artifacts (see `_digest`)
    known: dict = field(default_factory=dict)  # their definitions, by path
    findings: list = field(default_factory=list)
    guesses: dict[str, list] = field(default_factory=dict)  # path -> guesses its lint made
    lines: dict = field(default_factory=dict)  # (path, line) -> text
    texts: dict = field(default_factory=dict)  # path -> (text, body line): may suppress
    faces: dict = field(default_factory=dict)  # path -> interfaces without, with REQ ids
    tallies: dict = field(default_factory=dict)  # PRD path -> `Index.tally_in` of it
    stats: dict = field(default_factory=dict)  # path -> (size, mtime ns), taken as it was read
    watched: set = field(default_factory=set)  # what TRDs mention


class Guesses:
    """The lookups into other files one worker's lint makes, answered from what it has
    parsed when that is sure, else guessed; each guess noted (`notes`) for the parent."""

    def __init__(self) -> None:
        self.defined: set[str] = set()  # ids defined in the files parsed here
        self.notes: list[tuple] = []
        self.headers: list[tuple[str, str, str, str]] = []  # (path, kind, id, format) parsed
        self._tables: dict[str | None, dict[str, tuple]] = {None: {}}
        self._tabled = 0  # how many of `headers` are in `_tables`

    def artifact(self, ref: str, kind: str | None, own: dict):
        """`Context.artifact` over the artifacts parsed here (the first in path order
        wins, as there); its path (or None) noted for the parent to check."""
        tables = self._tables
        for header in self.headers[self._tabled :]:
            name = posixpath.basename(header[0]).removesuffix(".md")
            keys = (name, header[0], normal_id(header[2]), header[2])
            for table in (tables[None], tables.setdefault(header[1], {})):
                for key in keys:
                    table.setdefault(key, header)
        self._tabled = len(self.headers)
        table = tables.get(kind, {})
        found = table.get(ref) or table.get(normal_id(ref))
        if found is None and "/" in ref:
            found = next((h for h in table.values() if h[0].endswith("/" + ref)), None)
        self.notes.append(("artifact", (ref, kind), found[0] if found else None))
        return None if found is None else own.get(found[0]) or Stub(*found)

    def is_defined(self, ident: str) -> bool:
        if ident in self.defined:
            return True
        self.notes.append(("defined", ident, True))
        return True

    def guess(self, kind: str, key: Any, answer: Any) -> Any:
        self.notes.append((kind, key, answer))
        return answer


class _Guessed:
    """A set whose answers come from `Guesses`: `kind` names which set it stands for."""

    def __init__(self, guesses: Guesses, kind: str) -> None:
        self.guesses = guesses
        self.kind = kind
        self.sure = guesses.defined if kind == "defined" else frozenset()

    def __contains__(self, item: object) -> bool:
        if item in self.sure:  # defined in a file parsed here (most ids a file names)
            return True
        if self.kind == "defined":
            return self.guesses.is_defined(item)  # type: ignore[arg-type]
        return self.guesses.guess(self.kind, item, True)


class GuessingContext(Context):
    """A Context whose lookups into other files are `Guesses`."""

    guesses: Guesses | None = None

    def artifact(self, ref: str, kind: str | None = None):
        return self.guesses.artifact(ref, kind, self.index._own)


class Stub:
    """An artifact parsed in an earlier chunk, as a lookup finds it: its path, kind, id
    and format; anything else is read from its file (`Stub.load`)."""

    __slots__ = ("format", "id", "kind", "path")
    load: Any = None  # path -> its Artifact (set by the worker)

    def __init__(self, path: str, kind: str, ident: str, fmt: str) -> None:
        self.path, self.kind, self.id, self.format = path, kind, ident, fmt

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or Stub.load is None:
            raise AttributeError(name)
        return getattr(Stub.load(self.path), name)


class SlimIndex(Index):
    """An Index over a catalogue in which only the `own` artifacts carry their texts: the
    others' are read from disk (`load(path)`, an Artifact or None) when a rule asks."""

    def __init__(self, catalog, own: dict[str, Artifact], load) -> None:
        super().__init__(catalog)
        self._own = own
        self._load = load
        self._loaded: dict[str, Artifact] = {}

    def full(self, artifact: Artifact) -> Artifact:
        path = artifact.path
        found = self._own.get(path) or self._loaded.get(path)
        if found is None:
            found = self._load(path)
            if found is None:  # gone from disk since: what the lookup showed of it
                from ygs.core.artifacts import Artifact

                a = artifact
                found = Artifact(a.path, a.kind, a.id, "", "", "", {}, 0, 1, "", {}, a.format)
            self._loaded[path] = found
        return found

    def load(self, path: str) -> Artifact:
        """The artifact at `path` with its text (one that went: a blank one)."""
        return self.full(self._by_path.get(path) or Stub(path, "", "", "ygs"))

    def doc(self, artifact: Artifact):
        return super().doc(self.full(artifact))

    def _transient_doc(self, artifact: Artifact):
        return super()._transient_doc(self.full(artifact))

    def requirements_in(self, path: str) -> list:
        if path not in self._own and path not in self._requirements_in:
            artifact = self._by_path.get(path)
            if artifact is not None:
                self._by_path[path] = self.full(artifact)
        return super().requirements_in(path)

    @property
    def foreign(self):
        found = self.__dict__.get("_foreign")
        if found is None:
            from ygs.core.formats.join import join

            found = self.__dict__["_foreign"] = join([self.full(a) for a in self.catalog.artifacts])
        return found

    @property
    def requirement_list(self) -> list:
        found = self.__dict__.get("_requirement_list")
        if found is None:
            for a in self.catalog.of_kind("prd"):
                self.requirements_in(a.path)
            found = self.__dict__["_requirement_list"] = Index.requirement_list.func(self)
        return found


def check(proj, overrides, merges) -> Cold | None:
    """The check of the whole project over worker processes, every file parsed afresh (the
    catalogue's cache is not read: a full lint reads every file anyway, and the parent
    holds none of their texts); None for a project of fewer than `parallel.MIN_ITEMS`
    files, which the catalogue lint checks from the cache."""
    plan = proj.cold_plan()
    if plan is None:
        return None
    from datetime import date

    from ygs.cache import parallel
    from ygs.core.lint.context import SpikeMerge

    cache, values = plan
    entries = proj.artifact_entries
    order = sorted(range(len(entries)), key=lambda i: entries[i][0])
    today = date.today().isoformat()
    spikes = tuple(SpikeMerge(*m) for m in merges)

    def work(chunks):
        return _shares(proj, cache, values, chunks, today, spikes)

    shares, closing = parallel.stream(
        order, work, most=CHUNK, then=lambda share: _digest(proj, share)
    )
    cache.entries = {}  # all in the parts
    cache.save_parts([part for part, _seen in closing])
    seen = {rel: there for _part, found in closing for rel, there in found.items()}
    return _join(proj, shares, seen, overrides, today, spikes)


def _shares(proj, cache, values: list, chunks, today: str, spikes):
    """A worker's chunks, as it takes them, each read, parsed, linted and made slim: one
    Share each; then its part of the cache and the link targets it looked up."""
    writer = cache.part_writer()
    guesses = Guesses()
    seen: dict[str, bool] = {}
    root = proj.root
    proj.fresh = {}  # the artifacts parsed here: no record made an artifact again
    entries = proj.artifact_entries

    def exists(rel: str) -> bool:
        if rel not in seen:
            seen[rel] = (root / rel).exists()
        return seen[rel]

    try:
        for chunk in chunks:
            found = proj.parse_some(cache, values, chunk)
            cache.hand_over((entries[i][0] for i in chunk), writer)
            share = Share()
            taken = proj.stats_taken
            share.stats = {  # a whole os.stat_result costs ~10 µs a file to pickle and load
                rel: (st.st_size, st.st_mtime_ns)
                for rel, _ in map(entries.__getitem__, chunk)
                if (st := taken.pop(rel, None)) is not None
            }
            _chunk(proj, share, guesses, chunk, found, exists, today, spikes)
            yield share
    finally:
        Stub.load = None  # let the last chunk go
        proj.fresh = None
    return (writer.close() if writer is not None else None), seen


def _chunk(proj, share: Share, guesses: Guesses, chunk, found, exists, today, spikes) -> None:
    from ygs.cache.incremental import interfaces, mentions
    from ygs.core.artifacts import Catalog, from_record
    from ygs.core.formats import counted

    mine, ids_of, fresh = [], {}, proj.fresh or {}
    for i, value in zip(chunk, found, strict=True):
        if isinstance(value, tuple):
            artifact = fresh.pop(value[0], None)
            if artifact is None:  # from the cache
                artifact = from_record(value)[0]
            mine.append(artifact)
            ids = ids_of[artifact.path] = [d for d, _line in value[_DEFS]]
            guesses.defined.update(ids)
            guesses.headers.append((artifact.path, artifact.kind, artifact.id, artifact.format))
            if artifact.kind == "trd":
                share.watched |= mentions(artifact)
            if artifact.kind not in WHOLE_KINDS:  # the parent reads none of these
                plain = value[_PARSED]
                # (path, kind, id, title, status, date, meta, tail, body line, text, key
                # lines, format, parsed, definitions): no meta, text or key lines
                value = (
                    *value[:_META],
                    _EMPTY,
                    value[7],
                    value[8],
                    "",
                    _EMPTY,
                    value[11],
                    None if plain is None else counted(plain),
                    *value[_PARSED + 1 :],
                )
        share.records.append((i, value))
    if not mine:
        return
    own = {a.path: a for a in mine}
    index = SlimIndex(Catalog(mine, []), own, proj.artifact_at)
    Stub.load = index.load

    def lint(artifacts: list) -> tuple[list, dict]:
        from ygs.core.lint import per_file

        ctx = GuessingContext(index, exists, None, today=today, spike_merges=spikes)
        ctx.guesses = guesses
        ctx.__dict__["known_ids"] = _Guessed(guesses, "known_ids")
        ctx.__dict__["refs"] = _Guessed(guesses, "refs")
        index.__dict__["defined"] = _Guessed(guesses, "defined")
        return per_file(ctx, artifacts)

    guesses.notes = []
    findings, shapes = lint(mine)
    if guesses.notes:  # which file made them: each file alone
        findings = []
        for artifact in mine:
            guesses.notes = []
            some, more = lint([artifact])
            findings.extend(some)
            shapes.update(more)
            if guesses.notes:
                share.guesses[artifact.path] = guesses.notes
        guesses.notes = []
    index.learn(shapes)
    share.findings.extend(findings)
    share.tallies.update((a.path, index.tally_in(a.path)) for a in mine if a.kind == "prd")
    at: dict[str, set[int]] = {}
    for f in findings:
        if f.line:
            at.setdefault(f.path, set()).add(f.line)
    for a in mine:
        if a.path in at:
            split = a.text.split("\n")
            share.lines.update(((a.path, n), _line(split, n)) for n in at[a.path])
        if "ygs:" in a.text:  # it may hold a suppression
            share.texts[a.path] = (a.text, a.body_line)
        share.faces[a.path] = interfaces(a, ids_of[a.path])


def _line(lines: list[str], n: int) -> str:
    return lines[n - 1] if 0 < n <= len(lines) else ""


def _digest(proj, share: Share) -> None:
    """A share's records as Artifacts (and Findings) with their definitions: the parent
    does this for its own share while the workers still work on theirs."""
    from ygs.project import Sized, from_values

    entries = proj.artifact_entries
    proj.stats_taken.update((rel, _new(Sized, pair)) for rel, pair in share.stats.items())
    records, share.records = share.records, []
    records.reverse()  # taken from the end a batch at a time: each record goes once read
    while records:
        batch = records[-CHUNK_RECORDS:]
        del records[-CHUNK_RECORDS:]
        batch.reverse()
        found = from_values([entries[i] for i, _ in batch], [v for _, v in batch], share.known)
        share.parsed.extend(found)


def _join(proj, shares: list[Share], seen: dict, overrides, today: str, spikes) -> Cold:
    """The parent's part: the slim catalogue, the guesses checked (files linted on a wrong
    one linted again), the rules across files, suppressions and overrides."""
    from ygs.core.artifacts import assemble
    from ygs.core.lint import finish

    known: dict = {}
    parsed: list = []
    for share in shares:
        known.update(share.known)
        parsed.extend(share.parsed)
        share.parsed, share.known = [], {}
    catalog = assemble(parsed, proj.context_text(), known)
    del parsed, known
    whole = {a.path: a for a in catalog.artifacts if a.kind in WHOLE_KINDS}
    index = SlimIndex(catalog, whole, proj.artifact_at)
    found_here: list = []
    lines, sent, faces, watched, guesses = {}, {}, {}, set(), {}
    for share in shares:
        found_here.extend(share.findings)
        index.learn_tallies(share.tallies)
        lines.update(share.lines)
        sent.update(share.texts)
        faces.update(share.faces)
        watched |= share.watched
        guesses.update(share.guesses)
    root = proj.root

    def exists(rel: str) -> bool:
        if rel not in seen:
            seen[rel] = (root / rel).exists()
        return seen[rel]

    wrong = _wrong(index, guesses)
    if wrong:
        found_here = [f for f in found_here if f.path not in wrong]
        found_here.extend(_relint(proj, index, wrong, exists, today, spikes, sent))
        lines = {k: v for k, v in lines.items() if k[0] not in wrong}
    findings = [*catalog.findings, *found_here]
    del found_here
    texts = {}
    for a in catalog.artifacts:
        if a.path in sent:
            texts[a.path] = sent[a.path]
        elif "ygs:" in a.text:
            texts[a.path] = (a.text, a.body_line)
    ctx = Context(index, exists, None, today=today, spike_merges=spikes)
    findings = finish(ctx, findings, texts, overrides)
    pick = 1 if watched else 0
    return Cold(
        findings,
        _lines(proj, catalog, findings, lines, texts),
        seen,
        index,
        {path: pair[pick] for path, pair in faces.items()},
        watched,
    )


def _truth(index: Index) -> Context:
    """A Context over the slim catalogue that answers lookups as the full one would."""
    ctx = Context(index)
    defined = index.defined
    ctx.__dict__["known_ids"] = known = {normal_id(i) for i in defined}
    refs = set(known)
    for a in index.catalog.artifacts:
        name = posixpath.basename(a.path)
        refs.update((a.path, name, name.removesuffix(".md")))
    ctx.__dict__["refs"] = refs
    return ctx


def _wrong(index: Index, guesses: dict[str, list]) -> set[str]:
    """The files whose lint took a guess that the whole catalogue contradicts."""
    if not guesses:
        return set()
    truth = _truth(index)
    defined = index.defined
    wrong = set()
    for path, notes in guesses.items():
        for kind, key, answer in notes:
            if kind == "defined":
                right = key in defined
            elif kind == "known_ids":
                right = key in truth.known_ids
            elif kind == "refs":
                right = key in truth.refs
            else:
                found = truth.artifact(*key)
                right = found.path if found is not None else None
            if right != answer:
                wrong.add(path)
                break
    return wrong


def _relint(proj, index: Index, wrong: set[str], exists, today, spikes, sent: dict) -> list:
    """The per-file rules again over these files, read from disk, with true lookups."""
    from ygs.core.lint import per_file

    truth = _truth(index)
    slim = SlimIndex(index.catalog, {}, proj.artifact_at)
    ctx = Context(slim, exists, None, today=today, spike_merges=spikes)
    ctx.__dict__.update(known_ids=truth.known_ids, refs=truth.refs)
    ctx.__dict__["_lookup"] = truth._lookup
    slim.__dict__["defined"] = index.defined
    artifacts = [slim.full(a) for a in index.catalog.artifacts if a.path in wrong]
    found, _shapes = per_file(ctx, artifacts)
    for a in artifacts:
        if "ygs:" in a.text:
            sent[a.path] = (a.text, a.body_line)
    return found


def _lines(proj, catalog, findings: list, known: dict, texts: dict) -> dict:
    """(path, line) -> that line's text for each finding: from the workers, else from the
    texts the parent holds, else read again (for a file whose finding came from elsewhere)."""
    paths = {a.path: a for a in catalog.artifacts}
    split: dict[str, list[str]] = {}
    lines = {}
    for f in findings:
        if not f.line:
            continue
        key = (f.path, f.line)
        if key in known:
            lines[key] = known[key]
            continue
        if f.path not in split:
            artifact = paths.get(f.path)
            text = ""
            if artifact is not None:
                text = artifact.text or (texts.get(f.path) or ("",))[0]
                if not text:
                    loaded = proj.artifact_at(f.path)
                    text = loaded.text if loaded is not None else ""
            split[f.path] = text.split("\n") if artifact is not None else []
        lines[key] = _line(split[f.path], f.line)
    return lines
