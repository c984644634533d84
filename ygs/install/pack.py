"""A skill pack on disk, read into values every target renders from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ygs.errors import Exit, YgsError

PACKAGED = "packaged"
_SKIP_DIRS = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class SourceSkill:
    name: str
    description: str
    meta: dict[str, Any]
    folder: Path  # the source folder (what --link points at)
    source: str  # "packaged" or the pack's absolute path
    files: tuple[tuple[str, bytes], ...]  # (path inside the skill folder, content), SKILL.md too

    @property
    def skill_md(self) -> str:
        return dict(self.files)["SKILL.md"].decode("utf-8")

    @property
    def body(self) -> str:
        from ygs.core import frontmatter

        return frontmatter.parse(self.skill_md).body

    @property
    def short(self) -> str:
        """The name without the `ygs-` prefix (Gemini's `/ygs:<short>`)."""
        return self.name.removeprefix("ygs-") or self.name


def source_label(pack: Path | None) -> str:
    return PACKAGED if pack is None else str(pack.resolve())


def pack_path(source: str) -> Path:
    from ygs.resources import pack_dir

    return pack_dir("skills") if source == PACKAGED else Path(source)


def load(source: str, *, validate: bool) -> dict[str, SourceSkill]:
    """Every skill in a pack, by name. A third-party pack is validated first: any problem
    stops here (exit 2, `file:line` each), before anything is written."""
    from ygs import skills

    pack = pack_path(source)
    if not pack.is_dir():
        raise YgsError(f"{pack} is not a folder", path=str(pack), remedy="pass a pack folder")
    if validate:
        _require_valid(pack)
    loaded, problems = skills.load([(source, pack)])
    if problems:
        _refuse(problems, pack)
    root = pack.resolve()
    return {name: _source_skill(s, source, root) for name, s in loaded.items()}


def _require_valid(pack: Path) -> None:
    from ygs import skills

    _count, findings = skills.validate([pack])
    if findings:
        _refuse(findings, pack)


def _refuse(findings, pack: Path) -> None:
    details = [f"{f.location}: {f.rule}: {f.message}" for f in findings]
    word = "problem" if len(findings) == 1 else "problems"
    raise YgsError(
        f"the pack {pack} has {len(findings)} {word}; nothing was installed",
        code=Exit.USAGE,
        details=details,
        remedy=f"fix them (`ygs skills validate {pack}` lists them again)",
    )


def _source_skill(skill, source: str, root: Path) -> SourceSkill:
    return SourceSkill(
        name=skill.name,
        description=skill.description,
        meta=skill.meta,
        folder=skill.folder.absolute(),
        source=source,
        files=tuple(read_folder(skill.folder, root)),
    )


def read_folder(folder: Path, root: Path) -> list[tuple[str, bytes]]:
    """Every file under `folder`, links followed; a link may not leave `root` (the pack)."""
    found: list[tuple[str, bytes]] = []
    for current, dirs, names in os.walk(folder, followlinks=True):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for d in dirs:
            _inside(here / d, root)
        for name in sorted(names):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = here / name
            _inside(path, root)
            found.append(((path.relative_to(folder)).as_posix(), path.read_bytes()))
    return found


def _inside(path: Path, root: Path) -> None:
    if not path.is_symlink():
        return
    target = path.resolve()
    if not target.is_relative_to(root) or not target.exists():
        raise YgsError(
            f"{path} is a link to {target}, outside the pack or missing",
            path=str(path),
            remedy="links in a pack may only point at files inside the pack",
        )
