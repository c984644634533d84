"""Claude Code: skill folders in `~/.claude/skills/` or `.claude/skills/`, plus Claude-only
frontmatter (`argument-hint`) added here, never in the source pack.

Source: code.claude.com/docs (skills load from `~/.claude/skills/<name>/SKILL.md` and
`.claude/skills/<name>/SKILL.md`; folders may be symlinks; `argument-hint` shows in the
`/` menu). Plugins reuse `skill_md` (see ygs/install/plugin.py).
"""

from __future__ import annotations

import json

NAME = "claude"
TITLE = "Claude Code"
ROOTS = {"user": (".claude/skills",), "project": (".claude/skills",)}
LINKABLE = True  # a linked folder is the source text as is: no Claude-only fields

# What to type after `/ygs-…`, by the skill's `metadata.ygs-command`.
HINTS = {
    "ygs adr": "[decision title | supersede N]",
    "ygs estimate": "[PRD or TRD id]",
    "ygs handoff": "[note for the next session]",
    "ygs implement": "[TASK-ID]",
    "ygs investigate": "[symptom, failing test or bug report]",
    "ygs learn": "[what was learned]",
    "ygs qa": "[TASK-ID or feature]",
    "ygs refine-architecture": "[--design-doc]",
    "ygs refine-prd": "[idea | PRD path]",
    "ygs refine-trd": "[PRD id]",
    "ygs retro": "[release or period]",
    "ygs review-architecture": "[document path]",
    "ygs review-pr": "[PR number]",
    "ygs review-prd": "[PRD path]",
    "ygs review-trd": "[TRD path]",
    "ygs ship": "[--dry-run]",
    "ygs spike": "[question]",
    "ygs threat-model": "[TRD id]",
    "ygs triage": "[issue number]",
    "ygs uat": "[PRD id]",
    "ygs wbs": "[TRD id]",
}
REVIEW_HINT = "[--staged | --base REF]"


def argument_hint(meta: dict) -> str | None:
    metadata = meta.get("metadata")
    command = metadata.get("ygs-command", "") if isinstance(metadata, dict) else ""
    if not isinstance(command, str):
        return None
    if command.startswith("ygs review --lens "):
        return REVIEW_HINT
    return HINTS.get(command.strip())


def skill_md(skill) -> bytes:
    """SKILL.md with `argument-hint` added before the closing `---` (the rest byte for byte)."""
    from ygs.core import frontmatter

    text = skill.skill_md
    hint = argument_hint(skill.meta)
    doc = frontmatter.parse(text)
    if hint is None or "argument-hint" in skill.meta or not doc.has_frontmatter:
        return text.encode("utf-8")
    lines = text.split("\n")
    lines.insert(doc.body_line - 2, f"argument-hint: {json.dumps(hint, ensure_ascii=False)}")
    return "\n".join(lines).encode("utf-8")


def skill_files(skill) -> dict[str, bytes]:
    """The skill folder's files (relative to the folder), SKILL.md rendered for Claude."""
    return {**dict(skill.files), "SKILL.md": skill_md(skill)}


def render(skill, scope: str) -> dict[str, bytes]:
    base = f"{ROOTS[scope][0]}/{skill.name}"
    return {f"{base}/{rel}": data for rel, data in skill_files(skill).items()}


def link_path(skill, scope: str) -> str:
    return f"{ROOTS[scope][0]}/{skill.name}"
