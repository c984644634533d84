"""Cursor: open-spec skill folders in `.cursor/skills/` (project) or `~/.cursor/skills/`.

Source: cursor.com/docs/context/skills ("Skills are automatically loaded from
.cursor/skills/ (project) ... ~/.cursor/skills/ (user)"). A skill folder keeps its
references/ beside SKILL.md, which a single `.cursor/rules/*.mdc` rule cannot, and
Cursor lists skills as `/` commands.
"""

from __future__ import annotations

from ygs.install.targets import folder

NAME = "cursor"
TITLE = "Cursor"
ROOTS = {"user": (".cursor/skills",), "project": (".cursor/skills",)}
LINKABLE = True


def render(skill, scope: str) -> dict[str, bytes]:
    return folder(ROOTS[scope][0], skill)


def link_path(skill, scope: str) -> str:
    return f"{ROOTS[scope][0]}/{skill.name}"
