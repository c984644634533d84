"""Skill packs: find them, load them (later sources override earlier by name), validate."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ygs.core import frontmatter, skillcheck
from ygs.core.findings import Finding, Severity
from ygs.resources import pack_dir
from ygs.store import Unreadable, read_bytes, special_kind


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    folder: Path
    source: str  # packaged | user | project | path
    meta: dict[str, Any]
    body: str
    overrides: tuple[str, ...] = ()  # sources this one replaced

    def _meta(self, key: str) -> str:
        metadata = self.meta.get("metadata")
        return str(metadata.get(key, "")) if isinstance(metadata, dict) else ""

    @property
    def phase(self) -> str:
        return self._meta("ygs-phase")

    @property
    def tier(self) -> str:
        return self._meta("ygs-tier")

    @property
    def command(self) -> str:
        return self._meta("ygs-command")

    @property
    def artifact(self) -> str:
        return self._meta("ygs-artifact")

    @property
    def interview_path(self) -> Path | None:
        path = self.folder / "interview.yaml"
        return path if path.is_file() else None

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phase": self.phase,
            "tier": self.tier,
            "command": self.command,
            "artifact": self.artifact,
            "description": self.description,
            "source": self.source,
            "path": str(self.folder),
            "overrides": list(self.overrides),
        }


def user_skills_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("ygs", appauthor=False)) / "skills"


def sources(project_root: Path | None, extra: list[Path] = ()) -> list[tuple[str, Path]]:
    """Packaged < user < project < explicit paths (the last one wins)."""
    found = [("packaged", pack_dir("skills")), ("user", user_skills_dir())]
    if project_root is not None:
        found.append(("project", project_root / ".ygs" / "skills"))
    found += [("path", Path(p)) for p in extra]
    return found


def skill_dirs(pack: Path) -> list[Path]:
    """A pack folder's skills, or the folder itself when it is one skill."""
    if (pack / "SKILL.md").is_file():
        return [pack]
    if not pack.is_dir():
        return []
    return sorted(
        p
        for p in pack.iterdir()
        if p.is_dir() and not p.name.startswith(("_", ".")) and _looks_like_skill(p)
    )


def _looks_like_skill(folder: Path) -> bool:
    return (folder / "SKILL.md").is_file() or any(folder.glob("*.md"))


def load(pack_sources: list[tuple[str, Path]]) -> tuple[dict[str, Skill], list[Finding]]:
    skills: dict[str, Skill] = {}
    problems: list[Finding] = []
    for label, pack in pack_sources:
        for folder in skill_dirs(pack):
            skill = _read(folder, label, problems)
            if skill is None:
                continue
            previous = skills.get(skill.name)
            if previous is not None:
                skill = _with_overrides(skill, (*previous.overrides, previous.source))
            skills[skill.name] = skill
    return dict(sorted(skills.items())), problems


def _with_overrides(skill: Skill, overrides: tuple[str, ...]) -> Skill:
    return Skill(
        skill.name, skill.description, skill.folder, skill.source, skill.meta, skill.body, overrides
    )


def _read(folder: Path, label: str, problems: list[Finding]) -> Skill | None:
    path = folder / "SKILL.md"
    from ygs.core.artifacts import decode

    if not path.is_file():
        problems.append(
            Finding(skillcheck.NO_SKILL_MD, Severity.MUST, str(folder), None, "no SKILL.md")
        )
        return None
    try:
        text = decode(str(path), read_bytes(path))
    except Unreadable as err:
        text = skillcheck.unsafe_file(str(path), err.message)
    if isinstance(text, Finding):
        problems.append(text)
        return None
    try:
        doc = frontmatter.parse(text)
    except frontmatter.FrontmatterError as err:
        problems.append(
            Finding(skillcheck.BAD_FRONTMATTER, Severity.MUST, str(path), err.line, err.message)
        )
        return None
    name = doc.meta.get("name") if isinstance(doc.meta.get("name"), str) else folder.name
    description = doc.meta.get("description")
    return Skill(
        name=name,
        description=" ".join(str(description or "").split()),
        folder=folder,
        source=label,
        meta=doc.meta,
        body=doc.body,
    )


MAX_PACK_ENTRIES = 5000  # files and folders in one skill: the walk stops there
MAX_PACK_DEPTH = 16


@dataclass
class Tree:
    """A skill folder walked safely: regular files (links inside the pack followed), folders,
    and what was refused, each as (path relative to the folder, what is wrong)."""

    files: dict[str, Path]
    folders: set[str]
    problems: list[tuple[str, str]]


def _hidden(name: str, is_dir: bool) -> bool:
    return is_dir and name.startswith(".")


def walk(folder: Path, root: Path | None = None, skip=_hidden) -> Tree:
    """Every file under `folder`. A link is followed only when it resolves inside `root`
    (the pack; default: the folder's parent) or the folder itself; links out of it, dangling
    links, loops, FIFOs, devices and sockets are problems, never opened. Bounded by
    MAX_PACK_ENTRIES entries and MAX_PACK_DEPTH levels."""
    bounds = [os.path.realpath(folder), os.path.realpath(root or folder.parent)]
    tree = Tree({}, set(), [])
    start = os.stat(folder)
    stack: list[tuple[Path, str, tuple]] = [(folder, "", ((start.st_dev, start.st_ino),))]
    seen = 0
    while stack:
        current, prefix, ancestors = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as err:
            tree.problems.append((prefix.rstrip("/") or ".", f"cannot be listed: {err.strerror}"))
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_PACK_ENTRIES:
                tree.problems.append((".", f"more than {MAX_PACK_ENTRIES} files: not all read"))
                return tree
            if skip(entry.name, os.path.isdir(entry.path)):  # False on any error
                continue
            rel = prefix + entry.name
            info = _follow(Path(entry.path), rel, bounds, tree.problems)
            if info is None:
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    tree.problems.append((rel, "is a link to a folder that contains it (a loop)"))
                elif len(ancestors) > MAX_PACK_DEPTH:
                    tree.problems.append((rel, f"is nested more than {MAX_PACK_DEPTH} deep"))
                else:
                    tree.folders.add(rel)
                    stack.append((Path(entry.path), rel + "/", (*ancestors, key)))
            elif stat.S_ISREG(info.st_mode):
                tree.files[rel] = Path(entry.path)
            else:
                kind = special_kind(info.st_mode)
                tree.problems.append((rel, f"is {kind}, not a regular file"))
    return tree


def _follow(path: Path, rel: str, bounds: list[str], problems: list) -> os.stat_result | None:
    """The stat of what `path` names, following a link only inside `bounds`."""
    if path.is_symlink():
        target = os.readlink(path)
        real = os.path.realpath(path)
        if not any(real == b or real.startswith(b.rstrip("/") + "/") for b in bounds):
            problems.append((rel, f"is a link to {target}, outside the pack"))
            return None
    try:
        return os.stat(path)
    except FileNotFoundError:
        problems.append((rel, f"is a link to {os.readlink(path)}, which does not exist"))
    except OSError as err:  # ELOOP: a link to itself
        problems.append((rel, f"cannot be read: {err.strerror}"))
    return None


def read_files(folder: Path, root: Path | None = None) -> skillcheck.SkillFiles:
    """A skill folder as the pure checker sees it; `root` is the pack it belongs to."""
    from ygs.core.artifacts import decode

    tree = walk(folder, root)
    problems = list(tree.problems)

    def data_of(rel: str) -> bytes | None:
        path = tree.files.get(rel)
        if path is None:
            return None
        try:
            return read_bytes(path)
        except Unreadable as err:
            problems.append((rel, err.message))
            return None

    def text_of(rel: str) -> str | None:
        data = data_of(rel)
        return None if data is None else data.decode("utf-8", "replace")

    references = []
    for rel in sorted(tree.files):
        data = data_of(rel) if rel.endswith(".md") and rel != "SKILL.md" else None
        text = decode(rel, data) if data is not None else None
        if isinstance(text, str):
            references.append((rel, text))
    skill_md, interview = text_of("SKILL.md"), text_of("interview.yaml")
    return skillcheck.SkillFiles(
        folder=str(folder),
        name=folder.name,
        skill_md=skill_md,
        interview=interview,
        existing=frozenset(tree.files) | frozenset(tree.folders),
        references=tuple(references),
        problems=tuple(problems),
    )


def reference_texts(folder: Path) -> list[str]:
    """The texts of a skill's references/*.md, read safely, in name order."""
    return [
        text
        for rel, text in read_files(folder).references
        if rel.startswith("references/") and rel.count("/") == 1
    ]


def validate(packs: list[Path]) -> tuple[int, list[Finding]]:
    """(number of skills checked, findings) for every skill in the given packs."""
    findings: list[Finding] = []
    count = 0
    for pack in packs:
        folders = skill_dirs(pack)
        if not folders:
            findings.append(
                Finding(
                    skillcheck.NO_SKILL_MD,
                    Severity.MUST,
                    str(pack),
                    None,
                    "no skills here: expected SKILL.md or sub-folders with SKILL.md",
                )
            )
        for folder in folders:
            count += 1
            root = pack if folder != pack else folder
            real = os.path.realpath(folder)
            if folder != pack and not real.startswith(os.path.realpath(pack).rstrip("/") + "/"):
                findings.append(
                    skillcheck.unsafe_file(str(folder), f"is a link to {real}, outside the pack")
                )
                continue
            findings += skillcheck.check(read_files(folder, root))
    return count, findings
