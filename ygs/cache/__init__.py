"""The incremental cache: parsed files and whole results, under `.ygs/cache/`.

    cache = FileCache.open(root, "catalog", salt=("docs", "tasks"))
    value = cache.get(rel, stat_result)          # MISS unless path, size and mtime match
    value = cache.get_by_digest(rel, data)       # MISS unless the content hash matches
    cache.put(rel, stat_result, data, value)
    cache.save()                                  # atomic replace; a no-op when unchanged

A file is trusted by (size, mtime_ns) only when its mtime is older than the cache's
write time by more than RACY_S (the "racy clean" rule git uses); otherwise its content
hash is compared. Each cache file starts with a header (format version, ygs version,
salt) and an HMAC-SHA256 of the pickled body under a per-user key kept outside the
project (`$XDG_CACHE_HOME/ygs/key`), so a cache that is stale, truncated, corrupt or
copied from elsewhere (a committed `.ygs/cache/`) is ignored and rebuilt, never
unpickled. Concurrent runs are safe: each writes a complete file and renames it into
place; the last rename wins.

Where: `.ygs/cache/` in an initialised project, else `$XDG_CACHE_HOME/ygs/projects/<hash>/`
(nothing is written into a project that has no `.ygs/`). `YGS_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT_VERSION = 4
RACY_S = 2.0
FEW = 0.005  # the share of a cache's entries that may be stale before it is rewritten
MISS: Any = object()
_MAGIC = b"ygs-cache\n"


def enabled(env: dict[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("YGS_NO_CACHE", "") in ("", "0")


def user_cache_dir(env: dict[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "ygs"


def cache_dir(root: Path, env: dict[str, str] | None = None) -> Path:
    if (root / ".ygs").is_dir():
        return root / ".ygs" / "cache"
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return user_cache_dir(env) / "projects" / digest


def _key(env: dict[str, str] | None = None) -> bytes:
    """The per-user HMAC key, created 0600 on first use."""
    path = user_cache_dir(env) / "key"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    data = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        pass  # an unwritable home: the key lives for this run only
    return data


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _version() -> str:
    from ygs import __version__

    return __version__


def read_blob(path: Path, salt: Any, env: dict[str, str] | None = None) -> Any:
    """The value stored at `path`, or MISS when it is absent, stale or not intact."""
    body = _signed_body(path, salt, env)
    if body is None:
        return MISS
    try:
        return pickle.loads(body)
    except Exception:
        return MISS


def _signed_body(path: Path, salt: Any, env: dict[str, str] | None) -> memoryview | None:
    """What `write_blob` (or a `PartWriter`) wrote after the header at `path`, when it is
    there, of this format and salt, and intact; else None."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    prefix = _prefix(salt)
    start = len(prefix) + 32
    if not raw.startswith(prefix) or len(raw) < start:
        return None
    view = memoryview(raw)
    check = hmac.new(_key(env), prefix, hashlib.sha256)
    check.update(view[start:])
    if not hmac.compare_digest(bytes(view[len(prefix) : start]), check.digest()):
        return None
    return view[start:]


def _read_part(path: Path, salt: Any, env: dict[str, str] | None) -> dict | None:
    """The entries a `PartWriter` stored at `path` (dicts, one after another), or None."""
    import io

    body = _signed_body(path, salt, env)
    if body is None:
        return None
    found: dict = {}
    stream = io.BytesIO(body)
    try:
        while stream.tell() < len(body):
            some = pickle.load(stream)
            if not isinstance(some, dict):
                return None
            found.update(some)
    except Exception:
        return None
    return found


class _SignedWriter:
    """A file written as `read_blob` reads it: a temp file beside `path` with the header
    and room for the MAC, values pickled into it a frame at a time (`add`), then the MAC
    put in place and the file renamed to `path` (`close`: False, and nothing left behind,
    when any step failed)."""

    def __init__(self, path: Path, salt: Any, env: dict[str, str] | None) -> None:
        self.path = path
        prefix = _prefix(salt)
        self.prefix_size = len(prefix)
        self.mac = hmac.new(_key(env), prefix, hashlib.sha256)
        self.handle = None
        # a fresh name, created exclusively (as tempfile.mkstemp does, without importing it)
        self.tmp = str(path.parent / f".{path.name}.{os.urandom(8).hex()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(self.tmp, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
            self.handle = os.fdopen(fd, "wb")
            self.handle.write(prefix)
            self.handle.write(bytes(self.mac.digest_size))  # the MAC, once all is written
        except OSError:
            self.drop()

    def add(self, value: Any, *, fast: bool) -> None:
        """Pickle `value` (`fast`: see `_dump`; a cyclic value is written with the memo)."""
        if self.handle is None:
            return
        body = self.handle.tell()
        try:
            try:
                self.mac = _dump(value, self.handle, self.mac.copy(), fast=fast)
            except (ValueError, RecursionError):  # cyclic: with the memo after all
                self.handle.seek(body)
                self.handle.truncate()
                self.mac = _dump(value, self.handle, self.mac.copy(), fast=False)
        except (OSError, ValueError, RecursionError):
            self.drop()

    def close(self) -> bool:
        if self.handle is None:
            return False
        try:
            self.handle.seek(self.prefix_size)
            self.handle.write(self.mac.digest())
            self.handle.close()
            os.replace(self.tmp, self.path)
        except OSError:
            self.drop()
            return False
        return True

    def drop(self) -> None:
        if self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
        self.handle = None


class PartWriter:
    """A part of a FileCache written a few entries at a time (`add`), by a worker process
    that parses a share of the files and does not keep them all; `close` gives its name
    for `FileCache.save_parts` (None when it could not be written)."""

    def __init__(self, cache: FileCache) -> None:
        self.name = f"{cache.path.name}.{os.urandom(8).hex()}.part"
        self.file = _SignedWriter(cache.path.parent / self.name, cache.salt, cache.env)

    def add(self, entries: dict) -> None:
        if entries:
            self.file.add(entries, fast=True)

    def close(self) -> str | None:
        return self.name if self.file.close() else None


def _prefix(salt: Any) -> bytes:
    return _MAGIC + repr((FORMAT_VERSION, _version(), salt)).encode() + b"\n"


def write_blob(
    path: Path, salt: Any, value: Any, env: dict[str, str] | None = None, *, fast: bool = False
) -> None:
    """Write atomically (temp file, rename); a cache that cannot be written is skipped,
    never an error. No fsync: a torn file fails its HMAC and is rebuilt. `fast`: `value`
    is a tree, whose shared parts may be written (and read back) as copies (`_dump`)."""
    writer = _SignedWriter(path, salt, env)
    try:
        writer.add(value, fast=fast)
        written = writer.close()
    except BaseException:
        writer.drop()
        raise
    ignore = path.parent / ".gitignore"
    if written and not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("*\n", encoding="utf-8")


def _dump(value: Any, handle, mac, *, fast: bool):
    """Pickle `value` straight to `handle`, a frame at a time (the whole pickle is never
    held in memory: 26 MB for 10,000 PRDs), feeding it to `mac`, which is returned. `fast`
    keeps no memo of the objects written (for a catalogue, whose values are trees of plain
    values, the memo costs more time and memory than the pickle); a cyclic value raises
    ValueError then."""
    pickler = pickle.Pickler(_Signing(handle, mac), protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = fast
    pickler.dump(value)
    return mac


class _Signing:
    """A binary file that also feeds what is written to it to an HMAC."""

    def __init__(self, handle, mac) -> None:
        self.handle = handle
        self.mac = mac

    def write(self, data) -> int:
        self.mac.update(data)
        return self.handle.write(data)


class FileCache:
    """Per-file values keyed by path, size, mtime and content hash."""

    def __init__(self, path: Path, salt: Any, entries: dict, written: float, env=None) -> None:
        self.path = path
        self.salt = salt
        self.entries: dict[str, tuple[int, int, bytes, Any]] = entries
        self.written = written
        self.env = env
        self.dirty = False
        self.changed = 0  # entries parsed afresh since the cache was read
        self.seen: set[str] = set()

    @classmethod
    def open(cls, root: Path, name: str, salt: Any = (), env=None, read: bool = True) -> FileCache:
        """The cache stored as `name` (empty when it is absent or not intact; without
        `read`, empty, not read: saving it replaces what is stored)."""
        path = cache_dir(root, env) / f"{name}.cache"
        stored = read_blob(path, salt, env) if read and enabled(env) else MISS
        if stored is MISS or not isinstance(stored, tuple) or len(stored) not in (2, 3):
            return cls(path, salt, {}, 0.0, env)
        written, entries, *parts = stored
        for name in parts[0] if parts else ():  # written by worker processes (`PartWriter`)
            part = _read_part(path.parent / name, salt, env)
            if part is None:
                return cls(path, salt, {}, 0.0, env)  # a part gone or damaged: start afresh
            entries.update(part)
        return cls(path, salt, entries, written, env)

    def part_writer(self) -> PartWriter | None:
        """A part of this cache for a worker to write (None when caching is off)."""
        return PartWriter(self) if enabled(self.env) else None

    def hand_over(self, rels: Iterable[str], writer: PartWriter | None) -> None:
        """Move these files' entries (those it holds) out of the cache into `writer`, a
        part of it a worker writes; they are dropped when there is none (caching is off)."""
        moved = {}
        for rel in rels:
            entry = self.entries.pop(rel, None)
            if entry is not None:
                moved[rel] = entry
        if writer is not None:
            writer.add(moved)

    def save_parts(self, parts: list[str | None]) -> None:
        """Write the cache as the entries in these parts (those not gone from disk since,
        and this cache's own), replacing what it held; nothing when a part is missing."""
        if not enabled(self.env) or None in parts:
            return
        value = (time.time(), self.entries, tuple(parts))
        write_blob(self.path, self.salt, value, self.env, fast=True)
        self.dirty = False
        self._sweep(set(parts))

    def _sweep(self, keep: set) -> None:
        """Remove this cache's parts that its file no longer names."""
        prefix = self.path.name + "."
        with contextlib.suppress(OSError), os.scandir(self.path.parent) as scan:
            for entry in scan:
                name = entry.name
                if name.startswith(prefix) and name.endswith(".part") and name not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def get(self, rel: str, st: os.stat_result) -> Any:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is None or entry[0] != st.st_size or entry[1] != st.st_mtime_ns:
            return MISS
        if st.st_mtime_ns / 1e9 >= self.written - RACY_S:
            return MISS  # racy: the content may have changed within the mtime's resolution
        return entry[3]

    def get_by_digest(self, rel: str, st: os.stat_result, data: bytes) -> Any:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is None or entry[2] != digest(data):
            return MISS
        if entry[0] != st.st_size or entry[1] != st.st_mtime_ns:
            self.entries[rel] = (st.st_size, st.st_mtime_ns, entry[2], entry[3])
            self.dirty = True
            self.changed += 1
        elif st.st_mtime_ns / 1e9 < time.time() - RACY_S:
            self.dirty = True  # saved now, the entry is no longer racy next time
            self.changed += 1
        return entry[3]

    def put(self, rel: str, st: os.stat_result, data: bytes, value: Any) -> None:
        self.put_digest(rel, st, digest(data), value)

    def put_digest(self, rel: str, st: os.stat_result, content: bytes, value: Any) -> None:
        """`put`, given the content's `digest` instead of the content."""
        self.seen.add(rel)
        self.entries[rel] = (st.st_size, st.st_mtime_ns, content, value)
        self.dirty = True
        self.changed += 1

    def fetch(self, rel: str, st: os.stat_result, path: Path, compute, read=None) -> Any:
        """The value for one file: from the cache by stat or content hash, else
        `compute(data)`, stored. `read()` gives the bytes (default: the whole file); MISS
        when it fails with an OSError (other errors, such as a refusal, propagate)."""
        value = self.get(rel, st)
        if value is not MISS:
            return value
        try:
            data = read() if read is not None else path.read_bytes()
        except OSError:
            return MISS
        value = self.get_by_digest(rel, st, data)
        if value is MISS:
            value = compute(data)
            self.put(rel, st, data, value)
        return value

    def save(self) -> None:
        """Write when something changed (files gone from disk are dropped). A few edits
        in a large cache are not worth rewriting all of it: those files are parsed again
        next time, until more than FEW of the entries are new."""
        gone = set(self.entries) - self.seen
        for rel in gone:
            del self.entries[rel]
        if not (self.dirty or gone) or not enabled(self.env):
            return
        if self.written and not gone and self.changed <= len(self.entries) * FEW:
            return
        write_blob(self.path, self.salt, (time.time(), self.entries), self.env, fast=True)
        self.dirty = False
        self._sweep(set())


class ResultCache:
    """Whole results keyed by a digest of every input: a warm run with nothing changed
    reads its answer instead of recomputing it."""

    def __init__(self, root: Path, name: str, env=None) -> None:
        self.path = cache_dir(root, env) / f"{name}.result"
        self.env = env

    def get(self, key: bytes, newest_mtime_ns: int = 0) -> Any:
        """The stored value for `key`; MISS when an input changed within RACY_S of the
        write (its size and mtime may not show an edit)."""
        if not enabled(self.env):
            return MISS
        stored = read_blob(self.path, "result", self.env)
        if stored is MISS or not isinstance(stored, tuple) or len(stored) != 3:
            return MISS
        stored_key, written, value = stored
        if stored_key != key or newest_mtime_ns / 1e9 >= written - RACY_S:
            return MISS
        return value

    def put(self, key: bytes, value: Any) -> None:
        if enabled(self.env):
            write_blob(self.path, "result", (key, time.time(), value), self.env)


def refs_stamp(root: Path) -> tuple | None:
    """What git's refs look like on disk: (path, size, mtime_ns) of HEAD, packed-refs and
    every folder under refs/ (git moves each updated ref into place, which touches its
    folder). None when `.git` is not a plain folder (a worktree, a submodule): ask git."""
    git = root / ".git"
    if not git.is_dir() or git.is_symlink():
        return None
    found = []
    for rel in ("HEAD", "packed-refs"):
        with contextlib.suppress(OSError):
            st = os.stat(git / rel)
            found.append((rel, st.st_size, st.st_mtime_ns))
    for folder, dirs, _files in os.walk(git / "refs"):
        dirs.sort()
        with contextlib.suppress(OSError):
            st = os.stat(folder)
            found.append((folder, st.st_size, st.st_mtime_ns))
    return tuple(found)


def inputs_key(*parts: Any) -> bytes:
    """A digest of everything a result depends on (reprs of plain values)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.digest()
