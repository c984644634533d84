"""`ygs learnings search`: ranked full-text search over learnings, ADRs, retros and
deviation lines, in SQLite FTS5 (Python's own sqlite3), kept in `.ygs/cache/learnings.sqlite`.

The index is brought up to date before every search: files whose size or modification time
changed are parsed again, files that are gone leave it. A learning that cannot be parsed
stops the search with its file and line (exit 2). Stale entries (a learning or retro not
reviewed for `learn.stale_days` days, a superseded ADR) are marked and ranked after the
active ones.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ygs.errors import YgsError
from ygs.ship import memory

INDEX = ".ygs/cache/learnings.sqlite"
SCHEMA_VERSION = "1"
LIMIT = 20
_TOKEN = re.compile(r"\w+", re.UNICODE)
_TASK_ID = re.compile(r"(TASK-[0-9]+)")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER);
CREATE TABLE IF NOT EXISTS docs (
  id INTEGER PRIMARY KEY, path TEXT, line INTEGER, kind TEXT, ident TEXT, title TEXT,
  category TEXT, date TEXT, reviewed TEXT, status TEXT);
CREATE INDEX IF NOT EXISTS docs_path ON docs(path);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, body, tags, tokenize='unicode61');
"""


@dataclass(frozen=True)
class Source:
    path: str  # relative to the project root
    kind: str  # learning | adr | retro | task


def sources(root: Path, docs: str, tasks: str) -> dict[str, tuple[str, int, int]]:
    """Every file the index reads: rel path -> (kind, mtime_ns, size). Links are not
    followed; files under hidden folders are skipped. Runs before every search, so it
    stays lean: strings, not pathlib, and one stat per file."""
    found: dict[str, tuple[str, int, int]] = {}
    skip = ("readme.md", "index.md")
    folders = [
        (f"{docs}/learnings", "learning"),
        (f"{docs}/adr", "adr"),
        (f"{docs}/retros", "retro"),
        *((f"{tasks}/{status}", "task") for status in ("backlog", "in-progress", "done")),
    ]
    for folder, kind in folders:
        stack = [folder.strip("/")]  # relative paths as strings: pathlib per file is slow
        while stack:
            current = stack.pop()
            try:
                entries = list(os.scandir(root / current))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if name[-3:] == ".md" and entry.is_file(follow_symlinks=False):
                    if name.lower() not in skip:
                        info = entry.stat(follow_symlinks=False)
                        found[f"{current}/{name}"] = (kind, info.st_mtime_ns, info.st_size)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(f"{current}/{name}")
    return found


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"  # a cache never shows in `git status`
    if not ignore.exists():
        ignore.write_text("# written by ygs: a cache, rebuilt when missing\n*\n")
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.executescript(_SCHEMA)
        version = connection.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None:
            connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif version[0] != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("old index schema")
    except sqlite3.OperationalError as err:
        connection.close()
        if "fts5" in str(err).lower():
            raise YgsError(
                "this Python's SQLite has no FTS5 full-text search",
                remedy="use a Python build whose sqlite3 includes FTS5 (python.org and most "
                "distributions do)",
            ) from None
        raise
    return connection


def open_index(root: Path) -> sqlite3.Connection:
    """The index, created when missing; a damaged one (it is only a cache) is rebuilt."""
    from ygs.store import inside

    path = inside(root, INDEX, opt_in=None)
    try:
        return _connect(path)
    except sqlite3.DatabaseError:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return _connect(path)


def _parse(root: Path, source: Source) -> list[memory.SearchDoc]:
    from ygs.store import Unreadable, read_bytes

    try:
        text = read_bytes(root / source.path, within=root).decode("utf-8", "replace")
    except Unreadable:
        return []
    if source.kind == "learning":
        docs, problems = memory.learning(source.path, text)
        if problems:
            first = problems[0]
            raise YgsError(
                f"unparsable learning: {first.message}",
                path=first.path,
                line=first.line,
                details=[f"{p.path}:{p.line}: {p.message}" for p in problems[1:]],
                remedy="fix the entry (templates/learning.md.j2 shows the shape), or run "
                "`ygs check` on it",
            )
        return docs
    if source.kind == "adr":
        return memory.adr(source.path, text)
    if source.kind == "retro":
        return memory.retro(source.path, text)
    if "Deviation:" not in text:
        return []
    stem = source.path.rsplit("/", 1)[-1].removesuffix(".md")
    found = _TASK_ID.match(stem)
    when = date.fromtimestamp(os.stat(root / source.path).st_mtime).isoformat()
    return memory.deviations(source.path, text, found.group(1) if found else stem, when)


def refresh(connection: sqlite3.Connection, root: Path, docs: str, tasks: str) -> dict:
    """Bring the index up to date; returns counts of files read again and removed."""
    current = sources(root, docs, tasks)
    known = {p: (m, s) for p, m, s in connection.execute("SELECT path, mtime_ns, size FROM files")}
    changed = [Source(rel, k) for rel, (k, m, s) in current.items() if known.get(rel) != (m, s)]
    gone = [rel for rel in known if rel not in current]
    if not changed and not gone:
        return {"files": len(current), "updated": 0, "removed": 0}
    parsed = {src.path: _parse(root, src) for src in changed}  # may raise: nothing written
    connection.execute("BEGIN IMMEDIATE")
    try:
        for rel in [*gone, *parsed]:
            ids = [r[0] for r in connection.execute("SELECT id FROM docs WHERE path=?", (rel,))]
            connection.executemany("DELETE FROM fts WHERE rowid=?", [(i,) for i in ids])
            connection.execute("DELETE FROM docs WHERE path=?", (rel,))
            connection.execute("DELETE FROM files WHERE path=?", (rel,))
        for rel, items in parsed.items():
            for d in items:
                cursor = connection.execute(
                    "INSERT INTO docs (path, line, kind, ident, title, category, date, reviewed,"
                    " status) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        d.path,
                        d.line,
                        d.kind,
                        d.ident,
                        d.title,
                        d.category,
                        d.date,
                        d.reviewed,
                        d.status,
                    ),
                )
                connection.execute(
                    "INSERT INTO fts (rowid, title, body, tags) VALUES (?,?,?,?)",
                    (cursor.lastrowid, d.title, d.body, d.tags),
                )
            _, mtime, size = current[rel]
            connection.execute("INSERT INTO files VALUES (?,?,?)", (rel, mtime, size))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return {"files": len(current), "updated": len(parsed), "removed": len(gone)}


def match_query(term: str, *, any_word: bool = False) -> str:
    """An FTS5 query from free text: every word quoted (no operator syntax gets through),
    all words required, or any word."""
    words = [w for w in _TOKEN.findall(term)]
    if not words:
        return ""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*" if len(words[-1]) >= 3 else ""
    return (" OR " if any_word else " ").join(quoted)


_QUERY = """
SELECT d.kind, d.ident, d.path, d.line, d.title, d.category, d.date, d.reviewed, d.status,
       snippet(fts, 1, '[', ']', '…', 12) AS snippet,
       bm25(fts, 8.0, 1.0, 4.0) AS score,
       CASE WHEN d.status = 'stale' OR d.reviewed < ? THEN 1 ELSE 0 END AS stale
FROM fts JOIN docs d ON d.id = fts.rowid
WHERE fts MATCH ? {kind}
ORDER BY stale, score
LIMIT ?
"""


def search(
    connection: sqlite3.Connection,
    term: str,
    *,
    stale_days: int,
    today: date,
    limit: int = LIMIT,
    kinds: tuple[str, ...] = (),
) -> list[dict]:
    cutoff = (today - timedelta(days=stale_days)).isoformat()
    where = f"AND d.kind IN ({','.join('?' * len(kinds))})" if kinds else ""
    sql = _QUERY.format(kind=where)
    rows: list = []
    for any_word in (False, True):
        query = match_query(term, any_word=any_word)
        if not query:
            return []
        rows = connection.execute(sql, (cutoff, query, *kinds, limit)).fetchall()
        if rows:
            break
    keys = ("kind", "id", "path", "line", "title", "category", "date", "reviewed", "status")
    results = []
    for rank, row in enumerate(rows, start=1):
        item = dict(zip(keys, row[:9], strict=True))
        item.update(
            rank=rank,
            snippet=" ".join(str(row[9]).split()),
            score=round(-float(row[10]), 4),
            stale=bool(row[11]),
        )
        results.append(item)
    return results
