"""A skill pack on disk, read into values every target renders from."""

from __future__ import annotations

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
    """Every file under `folder`, links followed only inside `root` (the pack); a link out of
    it, a dangling link, a loop or a special file refuses the pack (exit 2)."""
    from ygs import skills
    from ygs.store import Unreadable, read_bytes

    def skip(name: str, is_dir: bool) -> bool:
        hidden = name.startswith(".")
        return hidden or (name in _SKIP_DIRS if is_dir else name.endswith(".pyc"))

    tree = skills.walk(folder, root, skip)
    problems = [(rel, why) for rel, why in tree.problems]
    found: list[tuple[str, bytes]] = []
    for rel in sorted(tree.files):
        try:
            found.append((rel, read_bytes(tree.files[rel])))
        except Unreadable as err:
            problems.append((rel, err.message))
    if problems:
        rel, why = problems[0]
        raise YgsError(
            f"{folder / rel} {why}; nothing was installed",
            path=str(folder / rel),
            details=[f"{folder / r}: {w}" for r, w in problems[1:]],
            remedy="links in a pack may only point at regular files inside the pack",
        )
    return found
