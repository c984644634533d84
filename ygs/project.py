"""The project on disk: its root, config, layout and artifact catalog."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ygs import config as config_mod
from ygs.errors import YgsError

if TYPE_CHECKING:  # the catalogue's modules load only when a command parses files
    from ygs.core.artifacts import Catalog, Layout

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


def _path_order(entry: tuple[str, os.stat_result]) -> list[str]:
    return entry[0].split("/")


def _walk_md(folder: str, rel: str, keep, out: list) -> None:
    """Append (rel path, stat) of the .md files under `folder` (sorted, dot-folders
    skipped); with `keep`, only those it accepts."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}"
        if entry.name.endswith(".md"):
            if entry.is_file() and (keep is None or keep(path) is not None):
                try:
                    out.append((path, entry.stat()))
                except OSError:
                    continue
        elif not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
            _walk_md(entry.path, path, keep, out)


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    flags: dict

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
    def artifact_entries(self) -> list[tuple[str, os.stat_result]]:
        """(relative path, stat) of each file `artifact_paths` names, in one walk."""
        from ygs.core.formats import FOREIGN_ROOTS, classify_foreign

        found: list[tuple[str, os.stat_result]] = []
        docs, tasks = self.config["paths.docs"], self.config["paths.tasks"]
        for top in (docs, tasks, *FOREIGN_ROOTS):
            keep = classify_foreign if top in FOREIGN_ROOTS else None
            start = len(found)
            _walk_md(os.path.join(self.root, top), top, keep, found)
            found[start:] = sorted(found[start:], key=_path_order)
        return list(dict(found).items())

    def artifact_files(self) -> list[tuple[str, bytes]]:
        return [(rel, (self.root / rel).read_bytes()) for rel in self.artifact_paths()]

    @cached_property
    def catalog(self) -> Catalog:
        from ygs.core.artifacts import assemble

        extra = []
        context = self.root / CONTEXT_FILE
        if context.is_file():
            extra.append(context.read_bytes().decode("utf-8", "replace"))
        return assemble(self._parsed_files(), extra)

    def _parsed_files(self) -> list:
        """Every artifact file parsed, unchanged ones from the cache (`ygs.cache`)."""
        from ygs.cache import MISS, FileCache
        from ygs.core.artifacts import Artifact, from_record, parse_file, to_record

        layout = self.layout
        cache = FileCache.open(self.root, "catalog", (layout.docs, layout.tasks), self.env)

        def compute(rel: str):
            def parse(data: bytes):
                value = parse_file(rel, data, layout)
                return to_record(value) if isinstance(value, Artifact) else value

            return parse

        parsed = []
        for rel, st in self.artifact_entries:
            value = cache.fetch(rel, st, self.root / rel, compute(rel))
            if value is not MISS:
                parsed.append(from_record(value) if isinstance(value, tuple) else value)
        cache.save()
        return parsed


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
