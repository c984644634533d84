"""The project on disk: its root, config, layout and artifact catalog."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple

from ygs import config as config_mod
from ygs.errors import YgsError

if TYPE_CHECKING:  # the catalogue's modules load only when a command parses files
    from ygs.core.artifacts import Artifact, Catalog, Layout
    from ygs.core.findings import Finding
    from ygs.store import Unreadable

CONTEXT_FILE = "CONTEXT.md"
# The artifact folders under docs/ (ygs.core.artifacts.DOC_FOLDERS, kept here so finding the
# root does not load the catalogue's modules; a test keeps the two equal).
DOC_DIRS = (
    "adr",
    "architecture",
    "design",
    "estimates",
    "handoffs",
    "learnings",
    "prd",
    "qa",
    "retros",
    "spikes",
    "threat-models",
    "trd",
)
# Folders that never hold the project's own sources: tools' state, caches, builds, vendored deps.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".ygs", ".venv", "venv", "node_modules", "__pycache__", ".tox"}
    | {".mypy_cache", ".ruff_cache", ".pytest_cache", "dist", "build", "target", ".hypothesis"}
)


def find_root(start: Path) -> Path:
    """Nearest folder with .ygs/; else, below the git work-tree root, the nearest folder that
    holds specs (a monorepo package with its own docs/prd, openspec/ or specs/NNN-x/); else
    the git work-tree root; else `start`."""
    for folder in (start, *start.parents):
        if (folder / ".ygs").is_dir():
            return folder
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
        if holds_specs(folder):
            return folder
    return start


def holds_specs(folder: Path) -> bool:
    """A folder with ygs artifact folders, OpenSpec or spec-kit specs in it."""
    from ygs.core.formats import speckit_feature

    if (folder / "openspec" / "specs").is_dir() or (folder / ".specify").is_dir():
        return True
    if any((folder / "docs" / name).is_dir() for name in DOC_DIRS):
        return True
    if any((folder / "tasks" / name).is_dir() for name in ("backlog", "in-progress", "done")):
        return True
    specs = folder / "specs"
    try:
        return specs.is_dir() and any(speckit_feature(p.name) for p in specs.iterdir())
    except OSError:
        return False


def _md_names(
    folder: str, rel: str, keep, folders: list | None = None
) -> Iterator[tuple[str, os.DirEntry | OSError]]:
    """(rel path, entry) of each .md name under `folder`, in path order (dot-folders
    skipped; links to folders never followed); with `keep`, only those it accepts. (rel
    path, the error) for a folder that cannot be listed; nothing for a missing one. With
    `folders`, (rel path, mtime_ns taken before it was listed, -1 when missing) of each
    folder looked at goes there."""
    try:
        if folders is not None:
            folders.append((rel, os.stat(folder, follow_symlinks=False).st_mtime_ns))
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=_NAME)  # in name order, so the output is in path order
    except FileNotFoundError:
        if folders is not None:
            folders.append((rel, -1))
        return  # no docs/ or tasks/ yet
    except OSError as err:
        yield rel, err
        return
    for entry in entries:
        name = entry.name
        path = f"{rel}/{name}"
        if name.endswith(".md"):
            if keep is None or keep(path) is not None:
                yield path, entry
        elif not name.startswith(".") and entry.is_dir(follow_symlinks=False):
            yield from _md_names(entry.path, path, keep, folders)


def _walk_md(
    folder: str,
    rel: str,
    keep,
    out: list,
    plain: set | None,
    folders: list | None = None,
    later: bool = False,
) -> None:
    """Append (rel path, stat) of the .md files `_md_names` finds. A file that is not a
    regular file, a dangling link or a folder that cannot be listed is appended as (rel
    path, Unreadable), never opened. The paths of files that are no link go into `plain`
    (when given: the walk started inside the project); `folders`: see `_md_names`. With
    `later`, a file that the folder listing shows to be a regular one (no link) gets
    LATER for its stat, taken when it is read (`Project.fill_stats`)."""
    from ygs.store import Unreadable, special_kind

    for path, entry in _md_names(folder, rel, keep, folders):
        if isinstance(entry, OSError):
            why = f"cannot be listed: {entry.strerror}"
            out.append((path, Unreadable(why, "check its permissions")))
            continue
        if later and entry.is_file(follow_symlinks=False):  # the listing's type: no stat
            out.append((path, LATER))
            if plain is not None:
                plain.add(path)
            continue
        try:
            st = entry.stat()  # follows a link: the target must be a regular file
        except OSError as err:
            dangling = isinstance(err, FileNotFoundError) and entry.is_symlink()
            why = f"is a link to {os.readlink(entry.path)}, which does not exist"
            out.append(
                (path, Unreadable(why if dangling else f"cannot be read: {err.strerror}", ""))
            )
            continue
        if S_ISREG(st.st_mode):  # the common case, decided at once
            out.append((path, st))
            if plain is not None and not entry.is_symlink():
                plain.add(path)
            continue
        kind = special_kind(st.st_mode)
        if kind is not None:
            out.append((path, Unreadable(f"is {kind}, not a regular file", "")))
        elif not entry.is_dir():
            out.append((path, st))
            if plain is not None and not entry.is_symlink():
                plain.add(path)


_NAME = attrgetter("name")
LATER = "stat when read"  # an artifact entry's stat, not taken yet (`Project.lazy_stats`)


class Sized(NamedTuple):
    """What a snapshot of the files reads of a stat (`ygs.cache.incremental.Snapshot`): a
    stat taken in a worker process comes back as this, in place of an os.stat_result."""

    st_size: int
    st_mtime_ns: int


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    flags: dict
    # Set before `catalog` is read: also computed for each file the catalogue parses afresh
    # (in the worker that parses it), found in `extras` by path with the file's content
    # digest, so a command needing more of each file does not read and parse it again.
    extra: Callable[[Artifact], Any] | None = field(default=None, compare=False, repr=False)
    extras: dict[str, tuple[bytes, Any]] = field(default_factory=dict, compare=False, repr=False)
    # Set before `artifact_entries` is read: the walk notes each folder it lists, with its
    # mtime taken before (`_md_names`), in `walked_folders` (else None)
    note_folders: bool = field(default=False, compare=False, repr=False)
    walked_folders: list | None = field(default=None, compare=False, repr=False)
    # Set before `artifact_entries` is read, for a run that reads every file (a cold one):
    # the walk stats no regular file (LATER), each is stat'ed as it is read, into
    # `stats_taken` (in the process that reads it), and `fill_stats` puts them in place
    lazy_stats: bool = field(default=False, compare=False, repr=False)
    stats_taken: dict = field(default_factory=dict, compare=False, repr=False)
    # Set (to {}) for the parse to keep each artifact it parses afresh here, by path, as
    # well as its record: who reads it then needs no `from_record` (it takes them out)
    fresh: dict[str, Artifact] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def at(cls, start: Path, env: dict[str, str] | None = None, flags: dict | None = None):
        if not start.is_dir():
            raise YgsError(f"{start} is not a folder", path=str(start), remedy="check -C DIR")
        return cls(
            find_root(start.resolve()), dict(os.environ if env is None else env), flags or {}
        )

    @cached_property
    def config(self) -> config_mod.Config:
        return config_mod.load(self.root, self.env, self.flags).require_valid()

    @property
    def layout(self) -> Layout:
        from ygs.core.artifacts import Layout

        return Layout(docs=self.config["paths.docs"], tasks=self.config["paths.tasks"])

    @property
    def is_git(self) -> bool:
        return (self.root / ".git").exists()

    @property
    def initialised(self) -> bool:
        return (self.root / config_mod.PROJECT_FILE).is_file()

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def artifact_paths(self) -> list[str]:
        """Relative paths of the files the catalogue reads: every .md under the docs and tasks
        roots, and the OpenSpec and spec-kit files where those tools keep them."""
        return [rel for rel, _ in self.artifact_entries]

    @cached_property
    def artifact_entries(self) -> list[tuple[str, os.stat_result | Unreadable]]:
        """(relative path, stat) of each file `artifact_paths` names, in one walk; (path,
        Unreadable) for one that ygs will not open. paths.docs and paths.tasks must resolve
        inside the project (exit 2 otherwise)."""
        found: list[tuple[str, os.stat_result | Unreadable]] = []
        self.inside(self.config["paths.docs"], "paths.docs")
        self.inside(self.config["paths.tasks"], "paths.tasks")
        real_root = os.path.realpath(self.root)
        self.plain_files.clear()
        folders = [] if self.note_folders else None
        for top, keep in self.artifact_roots:
            folder = os.path.join(self.root, top)
            inside = Path(os.path.realpath(folder)).is_relative_to(real_root)
            plain = self.plain_files if inside else None
            _walk_md(folder, top, keep, found, plain, folders, self.lazy_stats and inside)
        self.walked_folders = folders
        stat_result = os.stat_result
        return [
            (rel, st)
            for rel, st in dict(found).items()
            if type(st) is stat_result or st is LATER or self._belongs(rel, st)
        ]

    def fill_stats(self) -> None:
        """Put the stats taken as files were read (`stats_taken`: an os.stat_result, or a
        `Sized` from a worker process) in place of LATER in `artifact_entries`, and take
        the others now."""
        from ygs.store import Unreadable

        taken, entries = self.stats_taken, self.artifact_entries
        for i, (rel, st) in enumerate(entries):
            if st is LATER:
                st = taken.get(rel)
                if st is None:
                    try:
                        st = os.stat(os.path.join(self.root, rel))
                    except OSError as err:
                        st = Unreadable(f"cannot be read: {err.strerror}", "")
                entries[i] = (rel, st)
        taken.clear()

    @property
    def artifact_roots(self) -> list[tuple[str, Callable[[str], Any] | None]]:
        """The folders the artifact walk reads, each with the test of which `.md` files in
        it are artifacts (None: all): docs, tasks, then OpenSpec's and spec-kit's."""
        from ygs.core.formats import FOREIGN_ROOTS, classify_foreign

        tops = (self.config["paths.docs"], self.config["paths.tasks"], *FOREIGN_ROOTS)
        return [(top, classify_foreign if top in FOREIGN_ROOTS else None) for top in tops]

    def artifact_listing(self, folders: list | None = None) -> str | None:
        """The paths `artifact_entries` lists when every file is a regular one, joined by
        NUL, from the folder listings alone (no file is opened or looked at, but for a link
        whose target kind decides); None when a folder cannot be listed. `folders`: see
        `_md_names`."""
        found: list[str] = []
        for top, keep in self.artifact_roots:
            for path, entry in _md_names(os.path.join(self.root, top), top, keep, folders):
                if isinstance(entry, OSError):
                    return None
                if not entry.is_dir():
                    found.append(path)
        return "\0".join(dict.fromkeys(found))

    @cached_property
    def plain_files(self) -> set[str]:
        """Artifact paths the walk found as regular files, not links, reached from inside
        the project without following a link: read without resolving their path again."""
        return set()

    def _belongs(self, rel: str, st) -> bool:
        """A file ygs will not open is reported only where an artifact belongs."""
        if isinstance(st, os.stat_result):
            return True
        from ygs.core.artifacts import classify
        from ygs.core.formats import classify_foreign

        return classify(rel, self.layout) is not None or classify_foreign(rel) is not None

    def artifact_files(self) -> list[tuple[str, bytes | Finding]]:
        """(path, bytes) of every artifact file; (path, Finding) for one that cannot be read."""
        return [(rel, self._read(rel, st)) for rel, st in self.artifact_entries]

    def _read(self, rel: str, st) -> bytes | Finding:
        from ygs.store import Unreadable

        try:
            if isinstance(st, Unreadable):
                raise st
            return self._reader(self.root / rel, rel)()
        except Unreadable as err:
            return _unreadable(rel, err)

    def artifact_at(self, rel: str) -> Artifact | None:
        """The artifact in `rel` as it is on disk now; None when the file cannot be read
        or holds no artifact."""
        from ygs.core.artifacts import Artifact, parse_file
        from ygs.store import Unreadable

        try:
            data = self._reader(self.root / rel, rel)()
        except (Unreadable, OSError):
            return None
        value = parse_file(rel, data, self.layout)
        return value if isinstance(value, Artifact) else None

    def _reader(self, path: Path | str, rel: str = ""):
        """Reads `path` as a regular file inside the project (raises Unreadable)."""
        return self._readers()(path, rel)

    def _readers(self):
        """`_reader`, its imports done once (a cold run reads thousands of files)."""
        from ygs.store import read_bytes, read_walked

        plain, root = self.plain_files, self.root

        def reader(path: Path | str, rel: str = ""):
            if rel and rel in plain:
                return lambda: read_walked(str(path), within=root)
            return lambda: read_bytes(path, within=root)

        return reader

    def inside(self, rel: str, key: str) -> Path:
        """`root/rel`, which must resolve inside the project (a link may not lead out)."""
        path = self.root / rel
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(self.root)):
            where = self.config.sources.get(key, "")
            raise YgsError(
                f"{key} ({rel}) resolves to {real}, outside the project at {self.root}",
                path=where.split(": ", 1)[1] if ": " in where else None,
                remedy=f"point {key} at a folder inside the project, not a link out of it",
            )
        return path

    @cached_property
    def catalog(self) -> Catalog:
        from ygs.core.artifacts import assemble

        known: dict = {}
        return assemble(self._parsed_files(known), self.context_text(), known)

    def context_text(self) -> list[str]:
        """CONTEXT.md's text, when there is one: ids it mentions count as used."""
        context = self.root / CONTEXT_FILE
        if not context.is_file():
            return []
        from ygs.store import Unreadable, read_bytes

        with contextlib.suppress(Unreadable):  # it only adds id mentions
            return [read_bytes(context, within=self.root).decode("utf-8", "replace")]
        return []

    def _parsed_files(self, known: dict) -> list:
        """Every artifact file parsed, unchanged ones from the cache (`ygs.cache`); each
        artifact's definitions go into `known` by path."""
        from ygs.store import many_reads

        with many_reads():  # each folder's real path resolved once
            return self._parse_all(known)

    def catalog_cache(self, read: bool = True):
        """The catalogue's FileCache (`ygs.cache`), read now or kept by `cold_plan`;
        without `read`, an empty one that will replace it when saved."""
        cache = self.__dict__.pop("_catalog_cache", None)
        if cache is None:
            from ygs.cache import FileCache

            layout = self.layout
            salt = (layout.docs, layout.tasks)
            cache = FileCache.open(self.root, "catalog", salt, self.env, read=read)
        return cache

    def cold_plan(self):
        """For a full run over worker processes (at least `parallel.MIN_ITEMS` files): the
        catalogue's cache, not read, and MISS for each artifact entry: every file is parsed
        afresh. At scale, over worker processes, that takes no longer than the parent
        reading the whole cache, and holds far less. None for fewer files (then, with stats
        not taken yet, `lazy_stats`, which no cached record can be matched with, the cache
        that `catalog` reads is an empty one)."""
        from ygs.cache import MISS, parallel

        entries = self.artifact_entries
        if len(entries) >= parallel.MIN_ITEMS:
            return self.catalog_cache(read=False), [MISS] * len(entries)
        if self.lazy_stats:
            self.__dict__["_catalog_cache"] = self.catalog_cache(read=False)
        return None

    def cached(self, cache) -> list:
        """Each artifact entry's value in `cache` (a FileCache), MISS when it has none."""
        from ygs.cache import MISS

        stat_result = os.stat_result  # not Unreadable, nor LATER (no cache had it then)
        return [
            cache.get(rel, st) if type(st) is stat_result else MISS
            for rel, st in self.artifact_entries
        ]

    def parse_some(self, cache, values: list, part: list[int]) -> list:
        """The artifact entries at the indexes `part` parsed (`values`: `cold_plan`'s) as
        records (`ygs.core.artifacts.to_record`), Findings, or MISS for a file that went;
        their cache entries are in `cache.entries`."""
        from ygs.cache import MISS
        from ygs.store import many_reads

        fetch = self._fetcher(cache)
        entries = self.artifact_entries
        with many_reads():
            return [values[i] if values[i] is not MISS else fetch(*entries[i]) for i in part]

    def _fetcher(self, cache):
        """fetch(rel, st): one file's record from `cache` or parsed (and cached), or the
        Finding that it cannot be read; computes `extra` for it too (see `extras`)."""
        from ygs.cache import MISS, digest
        from ygs.core.artifacts import Artifact, parse_file, to_record
        from ygs.store import Unreadable, read_walked_stat

        layout = self.layout
        extra, extras, fresh = self.extra, self.extras, self.fresh

        def compute(rel: str):
            def parse(data: bytes):
                value = parse_file(rel, data, layout)
                if not isinstance(value, Artifact):
                    return value
                more = extra(value) if extra is not None else None
                if more is not None:
                    extras[rel] = (digest(data), more)
                if fresh is not None:
                    fresh[rel] = value
                return to_record(value)

            return parse

        root, root_path = os.path.join(self.root, ""), self.root  # root/: + rel, a path
        reader = self._readers()
        taken = self.stats_taken

        def fetch(rel: str, st):
            if isinstance(st, Unreadable):
                return _unreadable(rel, st)
            path = root + rel
            if st is LATER:  # stat'ed as it is read, on the open file (one call less)
                try:
                    st, data = read_walked_stat(path, within=root_path)
                except OSError:
                    return MISS
                except Unreadable as err:
                    return _unreadable(rel, err)
                taken[rel] = st
                read = lambda: data  # noqa: E731
            else:
                read = reader(path, rel)
            try:
                return cache.fetch(rel, st, path, compute(rel), read=read)
            except Unreadable as err:
                return _unreadable(rel, err)

        return fetch

    def _parse_all(self, known: dict) -> list:
        from ygs.cache import MISS, parallel

        cache = self.catalog_cache()
        extras = self.extras
        fetch = self._fetcher(cache)
        entries = self.artifact_entries
        values = self.cached(cache)
        todo = [i for i, value in enumerate(values) if value is MISS]
        if len(todo) >= parallel.MIN_ITEMS:  # a cold run: parse over workers

            def work(part: list[int]) -> list:
                return [
                    (
                        fetch(*entries[i]),
                        cache.entries.get(entries[i][0]),
                        extras.pop(entries[i][0], None),
                    )
                    for i in part
                ]

            from ygs.core.artifacts import hold_docs

            held = hold_docs(False)  # a lint that follows parses these bodies itself
            try:
                done = parallel.fan_out(todo, work)
            finally:
                hold_docs(held)
            for i, (value, entry, more) in zip(todo, done, strict=True):
                values[i] = value
                rel = entries[i][0]
                if entry is not None:
                    cache.entries[rel] = entry
                if more is not None:
                    extras[rel] = more
            cache.dirty = True
            cache.changed += len(todo)
        else:
            for i in todo:
                values[i] = fetch(*entries[i])
        parsed = from_values(entries, values, known)
        cache.save()
        return parsed


def from_values(entries: list, values: list, known: dict) -> list:
    """The artifacts and Findings of the catalogue's `values` (records, Findings, MISS for
    a file gone), one for each of the `entries`; each artifact's definitions go into
    `known` by path."""
    from ygs.cache import MISS
    from ygs.core.artifacts import from_record

    parsed = []
    for (rel, _st), value in zip(entries, values, strict=True):
        if isinstance(value, tuple):
            artifact, known[rel] = from_record(value)
            parsed.append(artifact)
        elif value is not MISS:
            parsed.append(value)
    return parsed


def _unreadable(rel: str, err) -> Finding:
    from ygs.core.artifacts import unreadable

    remedy = err.remedy or "replace it with a regular file"
    return unreadable(rel, f"this file {err.message}", remedy)


def foreign_specs(root: Path) -> list[dict]:
    """Specs other tools keep here: what, where, how many, and the command to run next."""
    from ygs.core.formats import speckit_feature

    found = []
    specs = root / "openspec" / "specs"
    if (root / "openspec").is_dir():
        count = sum(1 for _ in specs.rglob("spec.md")) if specs.is_dir() else 0
        changes = root / "openspec" / "changes"
        active = (
            sum(1 for p in changes.iterdir() if p.is_dir() and p.name != "archive")
            if changes.is_dir()
            else 0
        )
        found.append(
            {
                "format": "openspec",
                "where": "openspec/",
                "count": count,
                "detail": f"{count} capability spec(s), {active} active change(s)",
                "next": "ygs check  (reads them in place; `ygs import openspec` moves them)",
            }
        )
    features = root / "specs"
    if features.is_dir():
        names = [p for p in features.iterdir() if p.is_dir() and speckit_feature(p.name)]
        if names or (root / ".specify").is_dir():
            found.append(
                {
                    "format": "spec-kit",
                    "where": "specs/",
                    "count": len(names),
                    "detail": f"{len(names)} feature folder(s)",
                    "next": "ygs check  (reads them in place; `ygs import spec-kit` moves them)",
                }
            )
    return found
