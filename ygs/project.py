"""The project on disk: its root, config, layout and artifact catalog."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ygs import config as config_mod
from ygs.core.artifacts import Catalog, Layout, build_catalog
from ygs.core.findings import Finding
from ygs.errors import YgsError

CONTEXT_FILE = "CONTEXT.md"
# Folders that never hold the project's own sources: tools' state, caches, builds, vendored deps.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".ygs", ".venv", "venv", "node_modules", "__pycache__", ".tox"}
    | {".mypy_cache", ".ruff_cache", ".pytest_cache", "dist", "build", "target", ".hypothesis"}
)


def find_root(start: Path) -> Path:
    """Nearest folder with .ygs/, else the git work-tree root, else `start`."""
    for folder in (start, *start.parents):
        if (folder / ".ygs").is_dir():
            return folder
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


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

    def artifact_files(self) -> list[tuple[str, bytes | Finding]]:
        """(path, bytes) of every artifact file; (path, Finding) for one that cannot be read.
        Links to folders are not followed; links to files must stay inside the project."""
        from ygs.core.artifacts import classify, unreadable
        from ygs.store import Unreadable, read_bytes

        files: list[tuple[str, bytes | Finding]] = []

        def folder_error(err: OSError) -> None:
            if isinstance(err, FileNotFoundError):
                return  # no docs/ or tasks/ yet
            rel = Path(os.path.relpath(err.filename, self.root)).as_posix()
            problem = f"this folder cannot be listed: {err.strerror}"
            files.append((rel, unreadable(rel, problem, "check its permissions")))

        for key, top in (("paths.docs", self.layout.docs), ("paths.tasks", self.layout.tasks)):
            base = self.inside(top, key)
            for folder, dirs, names in os.walk(base, onerror=folder_error):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    path = Path(folder) / name
                    rel = path.relative_to(self.root).as_posix()
                    if classify(rel, self.layout) is None:
                        continue
                    try:
                        files.append((rel, read_bytes(path, within=self.root)))
                    except Unreadable as err:
                        problem = unreadable(rel, f"this file {err.message}", err.remedy)
                        files.append((rel, problem))
        return files

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
        extra = []
        context = self.root / CONTEXT_FILE
        if context.is_file():
            from ygs.store import Unreadable, read_bytes

            with contextlib.suppress(Unreadable):  # it only adds id mentions
                extra.append(read_bytes(context, within=self.root).decode("utf-8", "replace"))
        return build_catalog(self.artifact_files(), self.layout, extra)
