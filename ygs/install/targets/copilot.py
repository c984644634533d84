"""GitHub Copilot: open-spec skill folders in `.github/skills/` or `~/.copilot/skills/`.

Source: docs.github.com/en/copilot (Create skills: project skills in `.github/skills`,
`.claude/skills` or `.agents/skills`; personal skills in `~/.copilot/skills` or
`~/.agents/skills`). Works with the cloud agent, Copilot CLI and VS Code agent mode.
"""

from __future__ import annotations

from ygs.install.targets import folder

NAME = "copilot"
TITLE = "GitHub Copilot"
ROOTS = {"user": (".copilot/skills",), "project": (".github/skills",)}
LINKABLE = True


def render(skill, scope: str) -> dict[str, bytes]:
    return folder(ROOTS[scope][0], skill)


def link_path(skill, scope: str) -> str:
    return f"{ROOTS[scope][0]}/{skill.name}"
