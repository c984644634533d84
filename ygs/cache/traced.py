"""The catalogue and requirement rows `ygs trace` reads, kept slim, in caches of its own.

    catalog, rows = traced.parse(proj, slim)  # PRD path -> slim(its requirement rows)

The trace keeps its own caches of what it parses: each file's record, slim
(`trace-catalog.cache`: the texts, frontmatter and key lines only of the kinds the trace
graph reads, TRDs' traceability tables, threat models' rows and tasks' links), and each
PRD's requirement rows as the trace reads them (`trace-requirements.cache`; `proj.extra`
computes them). A cold run over many files reads and parses them over worker processes
(`parallel.deal`, in path order); each writes its part of both caches and sends the parent
slim records. Otherwise the parent takes unchanged files from the caches and parses the
others. Either way no process holds the texts of all the PRDs: memory grows with what
the graph needs, not with the size of the files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from operator import attrgetter

from ygs.core.findings import Finding
from ygs.core.formats import counted

# Kinds whose frontmatter, text and key lines the trace graph reads (`ygs.core.trace`)
WHOLE_KINDS = frozenset({"trd", "threat-model", "task"})
# where a record (`ygs.core.artifacts.to_record`) holds its kind, frontmatter, body offset,
# text, key lines and definitions (its last item)
_KIND, _META, _TAIL, _TEXT, _KEYS, _PARSED, _DEFS = 1, 6, 7, 9, 10, 12, 13
_EMPTY: dict = {}
_PATH = attrgetter("path")


@dataclass
class Share:
    """What one worker sends back."""

    parts: tuple = ()  # its parts of the catalogue's and the requirements' caches
    records: list = field(default_factory=list)  # (entry index, slim record or Finding)
    rows: dict = field(default_factory=dict)  # PRD path -> its requirement rows


def parse(proj, slim) -> tuple:
    """The slim catalogue and each PRD's requirement rows, `slim(rows)` of them. With at
    least `parallel.MIN_ITEMS` files to parse, they are parsed over worker processes.
    Without requirement rows cached, neither cache is read: every PRD would be read
    again anyway."""
    from ygs.cache import MISS, cache_dir, parallel
    from ygs.core.lint import CHUNK

    fresh = not (cache_dir(proj.root, proj.env) / f"{ROWS}.cache").exists()
    cache, requirements = (open_cache(proj, name, not fresh) for name in (RECORDS, ROWS))
    entries = proj.artifact_entries
    values = [MISS] * len(entries) if fresh else proj.cached(cache)
    order = sorted(range(len(entries)), key=lambda i: entries[i][0])
    if sum(1 for value in values if value is MISS) < parallel.MIN_ITEMS:
        shares = [_share(proj, cache, requirements, values, [order], slim, parts=False)]
        for store in (cache, requirements):
            store.save()
            store.entries = {}  # what is left of them is in the share
    else:

        def work(chunks) -> Share:
            return _share(proj, cache, requirements, values, chunks, slim, parts=True)

        shares = parallel.deal(order, work, most=CHUNK)
        for store, at in ((cache, 0), (requirements, 1)):
            store.entries = {}  # all in the parts
            store.save_parts([s.parts[at] for s in shares])
    found, rows = {}, {}
    for share in shares:
        found.update(share.records)
        rows.update(share.rows)
        share.records = share.rows = None
    return _catalog(proj, [found.pop(i) for i in sorted(found)]), rows


RECORDS, ROWS = "trace-catalog", "trace-requirements"  # the names of the two caches


def open_cache(proj, name: str, read: bool = True):
    """One of the trace's FileCaches, RECORDS or ROWS (without `read`: empty, not read)."""
    from ygs.cache import FileCache

    salt = (proj.layout.docs, proj.layout.tasks, 1)
    return FileCache.open(proj.root, name, salt, proj.env, read=read)


def _catalog(proj, values: list):
    """The catalogue of the slim records (and Findings) `values` (emptied), as the trace reads it:
    its findings are the files' input errors alone (the trace reports no duplicate ids)
    and it holds no definitions (the trace reads none)."""
    from ygs.core.artifacts import Catalog, from_record

    artifacts, findings = [], []
    values.reverse()
    while values:  # each record let go once it is an artifact
        value = values.pop()
        if isinstance(value, tuple):
            artifacts.append(from_record(value)[0])
        elif isinstance(value, Finding):
            findings.append(value)
    artifacts.sort(key=_PATH)
    return Catalog(artifacts, findings, tuple(proj.context_text()))


def _share(proj, cache, requirements, values: list, chunks, slim, *, parts: bool) -> Share:
    """The chunks, as they are taken: read (or taken from the caches), parsed, rows
    computed, made slim, the slim records put in the trace's cache; with `parts`, each
    chunk's entries of both caches handed over to a part of them this process writes."""
    writers = (cache.part_writer(), requirements.part_writer()) if parts else (None, None)
    share = Share()
    entries = proj.artifact_entries
    kept = cache.entries
    for chunk in chunks:
        found = proj.parse_some(cache, values, chunk)
        for i, value in zip(chunk, found, strict=True):
            rel, st = entries[i]
            if isinstance(value, tuple):
                if value[_KIND] == "prd" and isinstance(st, os.stat_result):
                    share.rows[rel] = _rows(proj, requirements, rel, st, value, slim)
                if value is not values[i]:  # parsed now (a cached record is slim already)
                    value = _slim(value)
                    entry = kept.get(rel)
                    if entry is not None:
                        kept[rel] = (*entry[:3], value)
            share.records.append((i, value))
        if parts:
            for store, writer in zip((cache, requirements), writers, strict=True):
                store.hand_over((entries[i][0] for i in chunk), writer)
    share.parts = tuple(w.close() if w is not None else None for w in writers)
    return share


def _rows(proj, requirements, rel: str, st: os.stat_result, record: tuple, slim):
    """A PRD's requirement rows, `slim` (and cached so): computed as it was parsed, from
    the cache, or now (from the file itself when its record is a slim one)."""
    ready = proj.extras.pop(rel, None)
    if ready is not None:
        rows = slim(ready[1])
        requirements.put_digest(rel, st, ready[0], rows)
        return rows
    from ygs.cache import MISS
    from ygs.core.artifacts import from_record

    rows = requirements.get(rel, st)
    if rows is MISS:
        artifact = from_record(record)[0] if record[_TEXT] else proj.artifact_at(rel)
        if artifact is None:  # gone since
            return []
        rows = slim(proj.extra(artifact))
        requirements.put(rel, st, artifact.text.encode("utf-8"), rows)
    return rows


def _slim(record: tuple) -> tuple:
    """The record without the frontmatter, text, key lines and definitions the trace does
    not read, nor an OpenSpec or spec-kit file's statements and scenarios' texts."""
    if record[_KIND] in WHOLE_KINDS:
        return (*record[:_DEFS], ())
    plain = record[_PARSED]
    return (
        *record[:_META],
        _EMPTY,
        0,
        record[_TAIL + 1],
        "",
        _EMPTY,
        record[_KEYS + 1],
        plain if plain is None else counted(plain, names=True),
        (),
    )
