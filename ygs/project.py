"""The project on disk: its root, config, layout and artifact catalog."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ygs import config as config_mod
from ygs.core.artifacts import Catalog, Layout, build_catalog
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

    def artifact_files(self) -> list[tuple[str, bytes]]:
        files = []
        for top in (self.layout.docs, self.layout.tasks):
            base = self.root / top
            for folder, dirs, names in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.endswith(".md"):
                        path = Path(folder) / name
                        files.append((path.relative_to(self.root).as_posix(), path.read_bytes()))
        return files

    @cached_property
    def catalog(self) -> Catalog:
        extra = []
        context = self.root / CONTEXT_FILE
        if context.is_file():
            extra.append(context.read_bytes().decode("utf-8", "replace"))
        return build_catalog(self.artifact_files(), self.layout, extra)
