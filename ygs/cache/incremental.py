"""The last full check, kept so that `ygs check` and `ygs check --changed` lint again
only the files edited since.

    state = State.build(catalog, Snapshot.of(entries), result, settings, index)  # full lint
    state.save(path, env); State.load(path, settings, env)       # MISS when stale or damaged
    update = relint(proj, state, Snapshot.of(entries), also, overrides, merges)  # or None

A full check's findings depend on each file's own text and on what other files show of
themselves: their header (kind, id, title, status, date, frontmatter), the ids they define
(and where, for duplicates), their heading anchors and, for a PRD that a TRD cites, its
requirements. That is a file's *interface*; the state keeps a digest of each. When only a
few files changed since the state was written and each still shows the same interface,
the other files' findings are unchanged: only the changed files are linted again, against
the few artifacts they name (parsed from disk) and the project's id sets kept here. Any
other change (a file added or removed, an interface changed, a task, spike, TRD or
OpenSpec/spec-kit file edited, a link target created or deleted) falls back to the full
catalogue.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import posixpath
import re
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any

from ygs.cache import MISS, RACY_S, digest, read_blob, write_blob

# Edits the state can absorb in one run; more go through the catalogue.
MAX_CHANGED = 64
# Kinds whose lint reads other files' contents beyond their interface (tasks: dependency
# cycles over all tasks; spikes: merges; TRDs: every PRD's requirements).
GLOBAL_KINDS = frozenset({"task", "spike", "trd"})
_NAME_STOP = frozenset(" \t\r\n/()[]<>#?\"'`|")  # what ends a file name in text
_NAME_MAX = 255
_ID, _PATH = attrgetter("id"), attrgetter("path")
_REQ = re.compile(r"REQ-\d+")  # no \b: a leading one makes the scan ~40x slower
_HEADING_LINE = re.compile(r"\n[ \t]*#[^\n]*")
_HTML_ANCHOR = re.compile(r"<a\s[^>]{0,300}")


def interface(artifact, defs, with_reqs: bool) -> bytes:
    """What other files' lint may read of this artifact (see the module docstring). When
    a TRD may read a PRD's requirements (`with_reqs`), the REQ ids the PRD's text mentions
    stand in for its requirements' aliases."""
    return interfaces(artifact, [d.id for d in defs])[with_reqs]


def interfaces(artifact, ids: list[str]) -> tuple[bytes, bytes]:
    """`interface` without and with the REQ ids (the same for all but a PRD), given the
    ids the artifact defines: one digest of what both show, copied before the REQ ids go
    in."""
    text, tail = artifact.text, artifact.tail
    if type(tail) is int and 0 < tail <= len(text) and text[tail - 1] == "\n":
        anchors = _HEADING_LINE.findall(text, tail - 1)  # the body's, read in place
    else:
        anchors = _HEADING_LINE.findall("\n" + artifact.body)
    body = artifact.body if "<a" in text else ""
    if "<a" in body:
        anchors += _HTML_ANCHOR.findall(body)
    meta = artifact.meta
    shown = [
        artifact.kind,
        artifact.id,
        artifact.title,
        artifact.status,
        artifact.date,
        meta,
        artifact.format,
        ids,
        anchors,
    ]
    # marshal: strings, numbers and lists and dicts of them, written unambiguously, several
    # times faster than repr; version 2, which writes a value alone (3 and later also write
    # whether a string is interned, and back-references to objects met twice: not a
    # function of the value). Frontmatter marshal cannot write (a date) is written as repr.
    try:
        shown_bytes = marshal.dumps(shown, 2)
    except ValueError:
        shown[5] = repr(meta)
        shown_bytes = marshal.dumps(shown, 2)
    h = hashlib.blake2b(shown_bytes, digest_size=16)
    plain = h.copy().digest()
    if artifact.kind != "prd":
        return plain, plain
    h.update(b"\0" + "\0".join(_REQ.findall(text)).encode())
    return plain, h.digest()


def leaves(value: Any) -> list[str]:
    """Every string a frontmatter value holds (lists and comma text split)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in leaves(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in leaves(v)]
    if value is None:
        return []
    text = str(value)
    return [text.strip(), *(part.strip() for part in text.split(",") if part.strip())]


def names(path: str, ident: str) -> list[str]:
    """The keys that find an artifact: path, file name, stem, id and normalised id."""
    from ygs.core.lint.context import normal_id

    name = posixpath.basename(path)
    return [path, name, name.removesuffix(".md"), ident, normal_id(ident)]


def mentions(artifact) -> set[str]:
    """Everything an artifact's lint may look up in other files: frontmatter strings,
    ids and `.md` file names in its text (a superset)."""
    from ygs.core.artifacts import ID_RE
    from ygs.core.lint.context import normal_id

    found = set(leaves(artifact.meta))
    found.update(m.group(0) for m in ID_RE.finditer(artifact.text))
    found.update(md_names(artifact.text))
    return found | {normal_id(v) for v in found}


_SEP = "\0"  # joins paths and ids in one string each: quick to load, however many


def md_names(text: str) -> set[str]:
    """The `.md` file names a text mentions (each at most _NAME_MAX characters: linear
    however the text runs on)."""
    found = set()
    at = text.find(".md")
    while at >= 0:
        end = at + 3
        if end == len(text) or not (text[end].isalnum() or text[end] == "_"):
            start = at
            while start > 0 and at - start < _NAME_MAX and text[start - 1] not in _NAME_STOP:
                start -= 1
            if start < at:
                found.add(text[start:end])
        at = text.find(".md", end)
    return found


@dataclass(repr=False, eq=False)
class Snapshot:
    """The artifact files as the walk found them: paths joined by _SEP, sizes and
    mtime_ns as arrays, and why each unreadable one cannot be read."""

    entries: str
    sizes: bytes
    mtimes: bytes
    odd: dict[str, str]

    @classmethod
    def of(cls, found) -> Snapshot:
        """From (path, stat or the reason it cannot be read) pairs; a stat is an
        os.stat_result or a `ygs.project.Sized` (tuples both: a reason is none)."""
        paths, sizes, mtimes, odd = [], array("q"), array("q"), {}
        for rel, st in found:
            paths.append(rel)
            if isinstance(st, tuple):
                sizes.append(st.st_size)
                mtimes.append(st.st_mtime_ns)
            else:
                sizes.append(-1)
                mtimes.append(0)
                odd[rel] = str(st)
        return cls(_SEP.join(paths), sizes.tobytes(), mtimes.tobytes(), odd)

    def key(self) -> tuple:
        """What a result cache's key needs of the files."""
        return (
            digest(self.entries.encode("utf-8", "surrogatepass")),
            self.sizes,
            self.mtimes,
            sorted(self.odd.items()),
        )

    def newest(self) -> int:
        return max(array("q", self.mtimes), default=0)


@dataclass(frozen=True, repr=False, eq=False)
class GitMark:
    """What git showed when a state was written: HEAD, and the files to look at again on
    every run (untracked, ignored, edited or staged then, or links)."""

    head: str
    loose: frozenset[str]
    # the artifact folders (rel path, mtime_ns; -1: missing) when their listing was the
    # walk's, none of them changed within RACY_S, and no file was a link: while each one
    # keeps its mtime, its listing is the same (see `folders_unchanged`)
    folders: tuple[tuple[str, int], ...] | None = None


def mark(
    root,
    files: Snapshot,
    plain: set[str],
    pathspecs: tuple[str, ...],
    listing=None,
    started: tuple | None = None,
    began: float | None = None,
) -> GitMark | None:
    """The GitMark of a walk's `files` (`plain`: those found as regular files, no links),
    or None when git cannot tell (no repository, no commit yet, an unreadable file).
    `listing(folders)` (`Project.artifact_listing`): the folders are marked too.
    `started`: `repo.status_started(..., untracked=False)` and `repo.tracked_started` of
    `pathspecs`, begun before the files were read (else they are run now). `began`: when
    the check began (time.time()); files changed since, or within RACY_S before, are loose
    too: one edited and reverted while the check ran looks clean to git but was read
    edited."""
    from ygs import repo

    if files.odd:
        return None
    folders = _folders(root, files, plain, listing) if listing is not None else None
    if started is None:  # untracked files are not `tracked`: status need not list them
        started = (
            repo.status_started(root, pathspecs, untracked=False),
            repo.tracked_started(root, pathspecs),
        )
    seen, tracked = started[0](), started[1]()
    if seen is None or tracked is None or not seen.head:
        return None
    paths = files.entries.split(_SEP) if files.entries else []
    clean = tracked - seen.listed
    if began is not None:
        recent = int((began - RACY_S) * 1e9)
        clean -= {p for p, ns in zip(paths, array("q", files.mtimes), strict=True) if ns >= recent}
    loose = frozenset(paths).difference(clean.intersection(plain))  # not clean, or a link
    return GitMark(seen.head, loose, folders)


def _folders(root, files: Snapshot, plain: set[str], listing) -> tuple | None:
    """The folders' mtimes, taken before they were listed, when the listing is the walk's
    (so those mtimes stand for it), no file is a link (a link's target may change without
    its folder), and no folder changed within RACY_S of now (a change in the same tick
    leaves the mtime as it was); else None."""
    folders: list[tuple[str, int]] = []
    if listing(folders) != files.entries:
        return None
    if files.entries and not all(p in plain for p in files.entries.split(_SEP)):
        return None
    recent = (time.time() - RACY_S) * 1e9
    if any(mtime >= recent for _rel, mtime in folders):
        return None
    return tuple(folders)


def folders_unchanged(root, folders: tuple[tuple[str, int], ...] | None) -> bool:
    """Whether every marked folder has the mtime it had (or is still missing): then the
    artifact listing is what it was, without listing them."""
    if folders is None:
        return False
    for rel, mtime in folders:
        try:
            now = os.stat(os.path.join(root, rel), follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            now = -1
        except OSError:
            return False
        if now != mtime:
            return False
    return True


def since(root, state: State, listing, seen, pathspecs: tuple[str, ...]) -> Snapshot | None:
    """The artifact files as they are now, from the state's walk and what git shows now
    (`seen()`, a `repo.Status` of `pathspecs`): `listing()` (`Project.artifact_listing`)
    must name the same files, and only the files git lists, the state's loose ones and
    those commits since changed are looked at. None when files were added or removed, or
    git cannot tell: walk them all then."""
    from stat import S_ISREG

    from ygs import repo

    was, gm = state.files, state.git
    if gm is None or was.odd:
        return None
    if not folders_unchanged(root, gm.folders) and listing() != was.entries:
        return None  # files added, removed or renamed
    seen = seen()  # git has been at work meanwhile
    if seen is None or not seen.head:
        return None
    head = seen.head
    suspects = set(gm.loose) | {p for p in seen.listed if p.endswith(".md")}
    if head != gm.head:
        moved = repo.changed_commits(root, gm.head, head, pathspecs)
        if moved is None:
            return None
        suspects |= moved
    index = {p: i for i, p in enumerate(was.entries.split(_SEP))} if was.entries else {}
    sizes, mtimes = array("q", was.sizes), array("q", was.mtimes)
    for rel in suspects:
        i = index.get(rel)
        if i is None:
            continue  # not an artifact: the listing has them all
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            return None
        if not S_ISREG(st.st_mode):
            return None
        sizes[i], mtimes[i] = st.st_size, st.st_mtime_ns
    return Snapshot(was.entries, sizes.tobytes(), mtimes.tobytes(), {})


@dataclass(repr=False, eq=False)
class State:
    """Kept compact: the paths, ids and digests of ten thousand files load in a few ms."""

    settings: bytes  # digest of what every finding depends on besides the files
    written: float
    files: Snapshot  # every file read, as the full check found them
    paths: str  # artifact paths, joined by _SEP, in path order
    ids: str  # their ids, in the same order
    normal_ids: str  # and those normalised (ADR-0007: ADR-7)
    faces: bytes  # their interface digests, 16 bytes each, in the same order
    errors: frozenset[str]  # paths of files that did not parse
    findings: dict[str, list]  # path -> the full check's findings there, in order
    lines: dict[tuple[str, int], str]  # (path, line) -> text, for fingerprints
    rules: dict[str, Any]
    exists: dict[str, bool]  # link targets looked up, and whether they existed
    defined: str  # every defined id, each between two _SEP
    dup_defs: dict[str, tuple]  # path -> ((id, line), ...) of its ids defined twice
    raw_dups: dict[str, list]  # path -> its duplicate-id findings before suppression
    watched: frozenset[str]  # what TRDs name (their PRDs' requirements are read)
    inputs: dict  # the full check's input totals
    shapes: bytes  # array("q"): requirements, stories, scenarios of each artifact in turn
    aliases: dict[str, frozenset]  # PRD path -> the ids its requirements import
    git: GitMark | None = None  # what git showed then (see `since`); None: walk every time

    @classmethod
    def build(
        cls,
        catalog,
        files: Snapshot,
        result: dict,
        settings: bytes,
        index,
        faces: dict[str, bytes] | None = None,
        watched: set[str] | None = None,
    ):
        """The state of a full check, or None when an id cannot be stored. `faces` (each
        artifact's `interface`, by path) and `watched` (what the TRDs mention) are given
        when the catalogue holds no texts (worker processes computed them)."""
        from ygs.core.artifacts import DUPLICATE_ID, id_parts, repeated
        from ygs.core.lint.context import normal_id
        from ygs.core.specs import NOTHING

        defs = catalog.definitions()
        by_path: dict[str, list] = {}
        for f in result["findings"]:
            by_path.setdefault(f.path, []).append(f)
        if watched is None:
            watched = set()
            for a in catalog.artifacts:
                if a.kind == "trd":
                    watched |= mentions(a)
        if faces is None:
            faces = {a.path: interface(a, defs[a.path], bool(watched)) for a in catalog.artifacts}
        every = [d.id for found in defs.values() for d in found]
        distinct = dict.fromkeys(every)  # in the order first defined
        seen_twice = repeated(every) if len(distinct) < len(every) else set()
        keys = Counter(  # the ids seen twice, told apart as `duplicate_ids` does
            (a.kind if id_parts(d.id) is None else "", d.id)
            for a in (catalog.artifacts if seen_twice else ())
            for d in defs[a.path]
            if d.id in seen_twice
        )
        dup_defs = {}
        if keys:  # else no id is defined twice (the common case: skip the loop)
            for a in catalog.artifacts:
                twice = tuple(
                    (d.id, d.line)
                    for d in defs[a.path]
                    if d.id in seen_twice
                    and keys.get((a.kind if id_parts(d.id) is None else "", d.id), 0) > 1
                )
                if twice:
                    dup_defs[a.path] = twice
        raw_dups: dict[str, list] = {}
        for f in catalog.findings:
            if f.rule == DUPLICATE_ID:
                raw_dups.setdefault(f.path, []).append(f)
        shapes, aliases = array("q"), {}
        for a in catalog.artifacts:
            prd = a.kind == "prd" and a.parsed is None
            *totals, imported = index.tally_in(a.path) if prd else NOTHING
            shapes.extend(totals)
            if imported:
                aliases[a.path] = imported
        artifacts = catalog.artifacts
        ids = list(map(_ID, artifacts))
        paths = list(map(_PATH, artifacts))
        defined = _SEP.join(distinct)
        if _SEP in "".join(ids) or defined.count(_SEP) != max(len(distinct) - 1, 0):
            return None
        return cls(
            settings=settings,
            written=time.time(),
            files=files,
            paths=_SEP.join(paths),
            ids=_SEP.join(ids),
            normal_ids=_SEP.join(map(normal_id, ids)),
            faces=b"".join(map(faces.__getitem__, paths)),
            errors=frozenset(f.path for f in catalog.findings if f.rule != DUPLICATE_ID),
            findings=by_path,
            lines=result["lines"],
            rules=result["rules"],
            exists=dict(result["exists"]),
            defined=_SEP + defined + _SEP,
            dup_defs=dup_defs,
            raw_dups=raw_dups,
            watched=frozenset(watched),
            inputs=dict(result["inputs"]),
            shapes=shapes.tobytes(),
            aliases=aliases,
        )

    @classmethod
    def load(cls, path, settings: bytes, env=None) -> State | Any:
        stored = read_blob(path, "check-state", env)
        if not isinstance(stored, cls) or stored.settings != settings:
            return MISS
        return stored

    def save(self, path, env=None) -> None:
        write_blob(path, "check-state", self, env)

    def changed_since(self, now: Snapshot) -> set[str] | None:
        """The files that changed since the state was written (racy ones included), or
        None when files were added or removed."""
        was = self.files
        if now.entries != was.entries:
            return None
        racy = int((self.written - RACY_S) * 1e9)
        dirty = {rel for rel, why in now.odd.items() if was.odd.get(rel) != why}
        if now.sizes == was.sizes and now.mtimes == was.mtimes and was.newest() < racy:
            return dirty
        paths = now.entries.split(_SEP)
        old_sizes, old_mtimes = array("q", was.sizes), array("q", was.mtimes)
        new_sizes, new_mtimes = array("q", now.sizes), array("q", now.mtimes)
        for i, rel in enumerate(paths):
            edited = new_sizes[i] != old_sizes[i] or new_mtimes[i] != old_mtimes[i]
            if edited or old_mtimes[i] >= racy:
                dirty.add(rel)
        return dirty

    @cached_property
    def artifacts(self) -> list[str]:
        return self.paths.split(_SEP) if self.paths else []

    @cached_property
    def known(self) -> frozenset[str]:
        """Artifact paths and the paths of files that did not parse."""
        return frozenset(self.artifacts) | self.errors

    def position(self, path: str) -> int | None:
        """Where an artifact is in `paths`, or None when it is not one."""
        found = _positions(self.padded("paths"), _SEP + path + _SEP)
        return found[0] if found else None

    def face(self, path: str) -> bytes | None:
        i = self.position(path)
        return None if i is None else self.faces[16 * i : 16 * i + 16]

    def lookup(self, name: str) -> list[str]:
        """The artifact paths that answer to `name` (see `names`: path, file name, stem,
        id, normalised id), in path order. Searched in the joined text: a changed file
        names a few, the project may hold tens of thousands."""
        if not self.paths or _SEP in name or not name:
            return []
        paths = self.padded("paths")
        hits = set(_positions(paths, _SEP + name + _SEP))
        if "/" not in name:
            hits.update(_positions(paths, "/" + name + _SEP))
            hits.update(_positions(paths, "/" + name + ".md" + _SEP))
        hits.update(_positions(self.padded("ids"), _SEP + name + _SEP))
        hits.update(_positions(self.padded("normal_ids"), _SEP + name + _SEP))
        return [self.artifacts[n] for n in sorted(hits)]

    def padded(self, name: str) -> str:
        """A joined field (`paths`, `ids`, `normal_ids`) between two _SEP, made once."""
        cache = self.__dict__.setdefault("_padded", {})
        if name not in cache:
            cache[name] = _SEP + getattr(self, name) + _SEP
        return cache[name]

    @cached_property
    def defined_ids(self) -> Defined:
        return Defined(self.defined)

    def full_findings(self) -> list:
        return [f for path in sorted(self.findings) for f in self.findings[path]]


def _positions(text: str, needle: str) -> list[int]:
    """The indexes of the items of `text` (items between _SEP, a _SEP at each end: see
    `State.padded`) in which `needle` ends."""
    found = []
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle) - 1  # the _SEP that closes the item
        found.append(text.count(_SEP, 0, end) - 1)
        at = text.find(needle, at + 1)
    return found


def full_inputs(state: State, update: Update) -> dict | None:
    """The input totals of a full check with the edited files as they are now; None when
    an edit changed which ids its requirements import (other formats' counts move)."""
    from ygs.core.specs import tally

    inputs = dict(state.inputs)
    old = array("q", state.shapes)
    for rel in update.dirty:
        artifact = next(a for a in update.catalog.artifacts if a.path == rel)
        found = update.index.shapes_in(rel) if artifact.kind == "prd" else ()
        *totals, imported = tally(found)
        if imported != state.aliases.get(rel, frozenset()):
            return None
        i = state.position(rel)
        for key, before, now in zip(
            ("requirements", "stories", "scenarios"), old[3 * i : 3 * i + 3], totals, strict=True
        ):
            inputs[key] += now - before
    return inputs


class Defined:
    """The set of defined ids, searched in their joined text: asking about the few ids a
    changed file mentions costs less than building a set of tens of thousands."""

    def __init__(self, joined: str) -> None:
        self.joined = joined

    def __contains__(self, ident: object) -> bool:
        if not isinstance(ident, str) or not ident or _SEP in ident:
            return False
        return f"{_SEP}{ident}{_SEP}" in self.joined

    def __iter__(self):
        return iter(self.joined.strip(_SEP).split(_SEP) if self.joined.strip(_SEP) else ())

    def __len__(self) -> int:
        return self.joined.count(_SEP) - 1 if self.joined.strip(_SEP) else 0


@dataclass(repr=False, eq=False)
class Update:
    """The changed files linted again: the catalogue they were linted in (those files, the
    artifacts they name and `also`), its Index, and the state with their findings."""

    catalog: Any
    index: Any
    state: State
    dirty: set[str]


def relint(proj, state: State, now: Snapshot, also, overrides, merges) -> Update | None:
    """Lint again the files changed since `state`, or None when the state cannot tell
    (see the module docstring). `also`: paths to parse into the catalogue as well;
    `overrides()`: the check.rules overrides (asked only when there is something to lint)."""
    dirty = state.changed_since(now)
    if dirty is None or len(dirty) > MAX_CHANGED:
        return None
    if any((proj.root / p).exists() != seen for p, seen in state.exists.items()):
        return None
    parsed: dict[str, Any] = {}
    for rel in sorted(dirty):
        if state.position(rel) is None and rel not in state.errors and not _artifact(proj, rel):
            dirty.discard(rel)  # a README or the like: read by nothing
            continue
        artifact = _parse(proj, rel)
        if artifact is None or not _same_face(state, artifact):
            return None
        parsed[rel] = artifact
    wanted = {rel for rel in also if state.position(rel) is not None}
    for artifact in list(parsed.values()):
        found = _targets(state, artifact)
        if found is None:
            return None
        wanted |= found
    for rel in sorted(wanted - parsed.keys()):
        artifact = _parse(proj, rel)
        if artifact is None:
            return None
        parsed[rel] = artifact
    return _lint(proj, state, parsed, dirty, overrides, merges)


def _artifact(proj, rel: str) -> bool:
    """Whether a file at `rel` would be an artifact (its path alone decides)."""
    from ygs.core.artifacts import classify
    from ygs.core.formats import classify_foreign

    return classify(rel, proj.layout) is not None or classify_foreign(rel) is not None


def _parse(proj, rel: str):
    """The artifact in `rel` as it is on disk now, or None when it is not a plain ygs
    artifact (a parse problem, an unreadable file, an OpenSpec or spec-kit file)."""
    artifact = proj.artifact_at(rel)
    return artifact if artifact is not None and artifact.parsed is None else None


def _same_face(state: State, artifact) -> bool:
    """True when others can see no change in this artifact (and it can be linted alone)."""
    from ygs.core.artifacts import definitions
    from ygs.core.lint.context import normal_id

    path = artifact.path
    face = state.face(path)
    if artifact.kind in GLOBAL_KINDS or artifact.format != "ygs" or face is None:
        return False
    defs = definitions(artifact)
    if interface(artifact, defs, bool(state.watched)) != face:
        return False
    stored = state.dup_defs.get(path, ())
    twice = {i for i, _ in stored}
    if tuple((d.id, d.line) for d in defs if d.id in twice) != stored:
        return False
    if artifact.kind != "prd" or not state.watched:
        return True
    keys = set(names(path, artifact.id))
    keys |= {r for m in _REQ.findall(artifact.text) for r in (m, normal_id(m))}
    if keys & state.watched:
        return False  # a TRD reads its requirements
    return not any("/" in w and path.endswith("/" + w) for w in state.watched)


def _targets(state: State, artifact) -> set[str] | None:
    """The artifacts this one's lint may look up (every one answering to each name it
    mentions); None when a partial path could name more than one."""
    found: set[str] = set()
    for name in mentions(artifact):
        hits = state.lookup(name)
        if hits:
            found.update(hits)
        elif "/" in name:
            paths = state.artifacts
            tail = "/" + name
            ends = [p for p in paths if p.endswith(tail)]
            if len(ends) > 1:
                return None
            found.update(ends)
    return found


def _lint(proj, state: State, parsed: dict, dirty: set[str], overrides, merges) -> Update:
    from ygs.core.artifacts import Catalog
    from ygs.core.specs import Index

    artifacts = [parsed[rel] for rel in sorted(parsed)]
    raw = [f for rel in sorted(dirty) for f in state.raw_dups.get(rel, ())]
    catalog = Catalog(artifacts, raw)
    index = Index(catalog)
    if not dirty:  # nothing edited since the full check: its findings stand
        return Update(catalog, index, state, dirty)
    index.__dict__["defined"] = state.defined_ids  # the project's ids: unchanged by these edits
    from ygs.core.lint import all_rules, lint
    from ygs.core.lint.context import SpikeMerge

    seen: dict[str, bool] = {}

    def exists(rel: str) -> bool:
        if rel not in seen:
            seen[rel] = (proj.root / rel).exists()
        return seen[rel]

    findings = lint(
        catalog,
        exists=exists,
        overrides=overrides(),
        paths=dirty,
        index=index,
        spike_merges=[SpikeMerge(*m) for m in merges],
    )
    texts = {a.path: a.text.split("\n") for a in artifacts if a.path in dirty}
    for rel in dirty:
        state.findings.pop(rel, None)
    state.lines = {k: v for k, v in state.lines.items() if k[0] not in dirty}
    for f in findings:
        state.findings.setdefault(f.path, []).append(f)
        lines = texts.get(f.path, ())
        if f.line and 0 < f.line <= len(lines):
            state.lines[(f.path, f.line)] = lines[f.line - 1]
        elif f.line:
            state.lines[(f.path, f.line)] = ""
    known = all_rules()
    state.rules = {
        f.rule: known[f.rule] for fs in state.findings.values() for f in fs if f.rule in known
    }
    state.exists.update(seen)
    return Update(catalog, index, state, dirty)
