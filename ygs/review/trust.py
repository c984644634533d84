"""The reviewer comes from the base, not from the change.

A review's skills, prompts and settings (`.ygs/config.yaml`, `.ygs/skills/`)
are read from the trusted revision, the commit the change is compared against,
never from the files the change adds or modifies: otherwise a change could
rewrite its own reviewer ("pre-approved; reply []"). The packaged and user packs
are installed software and stay trusted. When no base revision exists (a
repository without commits, a pull request whose base is not fetched) only those
packs and the defaults are used, and the review says so.

A change that touches one of these files gets a MUST finding naming it
(`SEC006` in ygs.review.rules).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ygs.errors import YgsError

CONFIG = ".ygs/config.yaml"
SKILLS = ".ygs/skills"
REVIEWER_FILES = (CONFIG, f"{SKILLS}/")  # a path equal to, or under, one of these
MAX_FILE_BYTES = 1 << 20
MAX_FILES = 2000
_BLOB_MODES = (b"100644", b"100755")  # regular files only: no symlinks, no submodules


@dataclass
class Reviewer:
    project: Any  # the project, with the trusted revision's config
    prefix: str  # the project root's path inside the git repository ("" at the top)
    rev: str | None  # the trusted commit, or None: installed packs and defaults only
    tree: Path  # the trusted files, copied out of git
    notes: list[str] = field(default_factory=list)

    @functools.cached_property
    def skills(self) -> dict:
        """name → Skill: packaged < user < the trusted revision's .ygs/skills. Read when the
        model review first needs them (an offline review never does)."""
        from ygs import skills as packs

        loaded, _problems = packs.load(packs.sources(self.tree))
        return loaded

    def to_dict(self) -> dict:
        return {"rev": self.rev, "source": "base revision" if self.rev else "installed packs"}

    def file(self, rel: str) -> Path | None:
        """A file of the trusted revision (copied out of git), if it has one."""
        if not self.rev or not _inside(rel):
            return None
        path = self.tree / rel
        return path if path.is_file() else None


def touches_reviewer(path: str, prefix: str = "") -> bool:
    """Whether a diff path (relative to the git top) is one of the reviewer's files."""
    if not path.startswith(prefix):
        return False
    rel = path[len(prefix) :]
    return rel == CONFIG or rel.startswith(REVIEWER_FILES[1])


def guard(diff, prefix: str = "") -> list:
    """SEC006 for every file of the change that is part of the reviewer (file-level, so no
    inline `ygs: ignore` in the change itself can silence it)."""
    from ygs.review.rules import Hit

    return [
        Hit("SEC006", f.path, None, f"Change modifies the reviewer's own configuration: {f.path}")
        for f in diff.files
        if touches_reviewer(f.path, prefix) or touches_reviewer(f.old_path or "", prefix)
    ]


@contextmanager
def reviewer(project, rev: str | None, note: str = "") -> Iterator[Reviewer]:
    """The trusted reviewer for a change based on `rev`, for the length of the review."""
    from ygs import project as projects

    with tempfile.TemporaryDirectory(prefix="ygs-reviewer-") as folder:
        tree = Path(folder)
        prefix = _prefix(project.root)
        if rev is not None:
            _copy_out(project.root, rev, prefix, [CONFIG, SKILLS], tree)
        config = _config(project, tree, rev)
        baseline = config["review.baseline"]
        if rev is not None and baseline and _inside(baseline):
            _copy_out(project.root, rev, prefix, [baseline], tree)
        trusted = projects.Project(project.root, project.env, project.flags)
        trusted.__dict__["config"] = config  # the cached_property, filled with the trusted config
        yield Reviewer(trusted, prefix, rev, tree, [note] if note else [])


def _prefix(root: Path) -> str:
    from ygs.review.source import git

    try:
        return git(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()
    except YgsError:
        return ""  # not a git work tree (a pull request reviewed from elsewhere)


def _config(project, tree: Path, rev: str | None):
    from ygs import config as config_mod

    config = config_mod.load(tree, project.env, project.flags)
    if config.sources.get("project.name") == "default":
        config.values["project.name"] = project.root.name
    try:
        return config.require_valid()
    except YgsError as err:
        raise YgsError(
            f"the base revision's {CONFIG} is not valid: {err.message}",
            path=f"{rev}:{CONFIG}" if rev else CONFIG,
            line=err.line,
            remedy="the review reads its settings from the base revision; fix them there",
        ) from None


def _inside(rel: str) -> bool:
    path = PurePosixPath(rel)
    return not path.is_absolute() and ".." not in path.parts


def _copy_out(root: Path, rev: str, prefix: str, paths: list[str], tree: Path) -> None:
    """Regular files under `paths` (relative to the project root) at `rev`, written below
    `tree`; bounded in count and size, symlinks and submodules skipped."""
    from ygs.review.source import git, objects

    listing = git(
        root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *(prefix + p for p in paths)
    )
    wanted: list[tuple[str, bytes]] = []
    for entry in listing.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[0] not in _BLOB_MODES or parts[1] != b"blob":
            continue
        rel = name.decode("utf-8", "surrogateescape")
        if rel.startswith(prefix) and _inside(rel[len(prefix) :]):
            wanted.append((rel[len(prefix) :], parts[2]))
    wanted = wanted[:MAX_FILES]
    blobs = objects(root, [sha.decode() for _rel, sha in wanted], MAX_FILE_BYTES)
    for (rel, _sha), data in zip(wanted, blobs, strict=True):
        if data is not None:
            target = tree / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
