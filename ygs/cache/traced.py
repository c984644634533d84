"""A cold `ygs trace` of a large project in one pass over worker processes.

    found = traced.parse(proj, open_requirements, slim)  # None: not a cold run
    catalog, rows = found                                 # PRD path -> slim(its rows)

Each worker reads and parses the chunks of files it takes (`parallel.deal`, in path
order), computes each PRD's requirement rows as trace keeps them (`proj.extra`), writes the
files' entries to a part of the catalogue's cache and of the requirements cache, and
sends the parent slim records: the texts, frontmatter and key lines only of the kinds the
trace graph reads (TRDs' traceability tables, threat models' rows, tasks' links). No
file's text outlives its chunk, and the parent never holds the texts of all the PRDs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from operator import attrgetter

from ygs.core.findings import Finding

# Kinds whose frontmatter, text and key lines the trace graph reads (`ygs.core.trace`)
WHOLE_KINDS = frozenset({"trd", "threat-model", "task"})
# where a record (`ygs.core.artifacts.to_record`) holds its kind, frontmatter, body offset,
# key lines and definitions (its last item)
_KIND, _META, _TAIL, _KEYS, _DEFS = 1, 6, 7, 10, 13
_EMPTY: dict = {}
_PATH = attrgetter("path")


@dataclass
class Share:
    """What one worker sends back."""

    parts: tuple = ()  # its parts of the catalogue's and the requirements' caches
    records: list = field(default_factory=list)  # (entry index, slim record or Finding)
    rows: dict = field(default_factory=dict)  # PRD path -> its requirement rows


def parse(proj, open_requirements, slim=None, fresh: bool = False) -> tuple | None:
    """The slim catalogue and each PRD's requirement rows, parsed over worker processes;
    None when most files are in the catalogue's cache (`Project.cold_plan`; with `fresh`,
    that cache is not read). `open_requirements()`: the FileCache of the rows;
    `proj.extra` computes them; `slim(rows)`: what of them is sent to the parent
    (default: all)."""
    plan = proj.cold_plan(fresh)
    if plan is None:
        return None
    requirements = open_requirements()
    from ygs.cache import parallel
    from ygs.core.lint import CHUNK

    cache, values = plan
    entries = proj.artifact_entries
    order = sorted(range(len(entries)), key=lambda i: entries[i][0])

    def work(chunks) -> Share:
        return _share(proj, cache, requirements, values, chunks, slim)

    shares = parallel.deal(order, work, most=CHUNK)
    for store, at in ((cache, 0), (requirements, 1)):
        store.entries = {}  # all in the parts
        store.save_parts([s.parts[at] for s in shares])
    found, rows = {}, {}
    for share in shares:
        found.update(share.records)
        rows.update(share.rows)
        share.records = share.rows = None
    return _catalog(proj, [found[i] for i in sorted(found)]), rows


def _catalog(proj, values: list):
    """The catalogue of the slim records (and Findings) `values`, as the trace reads it:
    its findings are the files' input errors alone (the trace reports no duplicate ids)
    and it holds no definitions (the trace reads none)."""
    from ygs.core.artifacts import Catalog, from_record

    artifacts, findings = [], []
    for value in values:
        if isinstance(value, tuple):
            artifacts.append(from_record(value)[0])
        elif isinstance(value, Finding):
            findings.append(value)
    artifacts.sort(key=_PATH)
    return Catalog(artifacts, findings, tuple(proj.context_text()))


def _share(proj, cache, requirements, values: list, chunks, slim) -> Share:
    """A worker's chunks, as it takes them: read, parsed, rows computed, made slim."""
    writers = (cache.part_writer(), requirements.part_writer())
    share = Share()
    entries = proj.artifact_entries
    for chunk in chunks:
        found = proj.parse_some(cache, values, chunk)
        for i, value in zip(chunk, found, strict=True):
            rel, st = entries[i]
            if isinstance(value, tuple):
                if value[_KIND] == "prd" and isinstance(st, os.stat_result):
                    rows = _rows(proj, requirements, rel, st, value)
                    share.rows[rel] = slim(rows) if slim is not None else rows
                value = _slim(value)
            share.records.append((i, value))
        for store, writer in zip((cache, requirements), writers, strict=True):
            store.hand_over((entries[i][0] for i in chunk), writer)
    share.parts = tuple(w.close() if w is not None else None for w in writers)
    return share


def _rows(proj, requirements, rel: str, st: os.stat_result, record: tuple):
    """A PRD's requirement rows: computed as it was parsed, from the cache, or now."""
    ready = proj.extras.pop(rel, None)
    if ready is not None:
        requirements.put_digest(rel, st, ready[0], ready[1])
        return ready[1]
    from ygs.cache import MISS
    from ygs.core.artifacts import from_record

    rows = requirements.get(rel, st)
    if rows is MISS:
        artifact = from_record(record)[0]
        rows = proj.extra(artifact)
        requirements.put(rel, st, artifact.text.encode("utf-8"), rows)
    return rows


def _slim(record: tuple) -> tuple:
    """The record without the frontmatter, text, key lines and definitions the trace does
    not read."""
    if record[_KIND] in WHOLE_KINDS:
        return (*record[:_DEFS], ())
    return (
        *record[:_META],
        _EMPTY,
        0,
        record[_TAIL + 1],
        "",
        _EMPTY,
        *record[_KEYS + 1 : _DEFS],
        (),
    )
