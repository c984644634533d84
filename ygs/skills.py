"""Skill packs: find them, load them (later sources override earlier by name), validate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ygs.core import frontmatter, skillcheck
from ygs.core.findings import Finding, Severity
from ygs.resources import pack_dir


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
    text = decode(str(path), path.read_bytes())
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


def read_files(folder: Path) -> skillcheck.SkillFiles:
    from ygs.core.artifacts import decode

    existing: set[str] = set()
    references: list[tuple[str, str]] = []
    for current, dirs, names in os.walk(folder, followlinks=True):
        rel_dir = Path(current).relative_to(folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in (*dirs, *sorted(names)):
            rel = prefix + name
            if os.path.exists(Path(current) / name):
                existing.add(rel)
            if name.endswith(".md") and rel != "SKILL.md" and (Path(current) / name).is_file():
                text = decode(rel, (Path(current) / name).read_bytes())
                if isinstance(text, str):
                    references.append((rel, text))

    def text_of(name: str) -> str | None:
        path = folder / name
        if not path.is_file():
            return None
        return path.read_bytes().decode("utf-8", "replace")

    return skillcheck.SkillFiles(
        folder=str(folder),
        name=folder.name,
        skill_md=text_of("SKILL.md"),
        interview=text_of("interview.yaml"),
        existing=frozenset(existing),
        references=tuple(references),
    )


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
            findings += skillcheck.check(read_files(folder))
    return count, findings
