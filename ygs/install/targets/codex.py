"""OpenAI Codex: open-spec skill folders in `.agents/skills/` (repo) or `~/.agents/skills/`.

Source: developers.openai.com/codex/skills ("REPO $CWD/.agents/skills ... USER
$HOME/.agents/skills"; symlinked skill folders are followed).
"""

from __future__ import annotations

from ygs.install.targets import folder

NAME = "codex"
TITLE = "Codex"
ROOTS = {"user": (".agents/skills",), "project": (".agents/skills",)}
LINKABLE = True


def render(skill, scope: str) -> dict[str, bytes]:
    return folder(ROOTS[scope][0], skill)


def link_path(skill, scope: str) -> str:
    return f"{ROOTS[scope][0]}/{skill.name}"
