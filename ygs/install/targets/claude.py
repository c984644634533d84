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


# --- the guard hook in settings.json -------------------------------------------------------
#
# Source: code.claude.com/docs/en/hooks (settings.json `hooks`: event -> [{matcher, hooks:
# [{type: command, command, timeout}]}]; matchers are tool-name regexes; Stop takes none).
# ygs's entries are the ones whose command runs `ygs … guard hook`; install merges them in
# beside the user's own hooks, uninstall removes exactly those.

SETTINGS = ".claude/settings.json"
SETTINGS_FILES = (SETTINGS,)  # the guard hook is merged in, never replaced
HOOK_SKILL = "(guard hook)"
HOOK_TIMEOUT_S = 30


def hook_command() -> str:
    """`ygs guard hook` when ygs is on PATH, else this interpreter's `-m ygs`."""
    import shlex
    import shutil
    import sys

    if shutil.which("ygs"):
        return "ygs guard hook"
    return f"{shlex.quote(sys.executable)} -m ygs guard hook"


def hook_config(command: str) -> dict:
    """The `hooks` value ygs registers (also the plugin's hooks/hooks.json)."""
    from ygs.build.hook import MATCHER

    entry = [{"type": "command", "command": command, "timeout": HOOK_TIMEOUT_S}]
    return {
        "PreToolUse": [{"matcher": MATCHER, "hooks": entry}],
        "PostToolUse": [{"matcher": MATCHER, "hooks": entry}],
        "Stop": [{"hooks": entry}],
    }


def is_ours(hook) -> bool:
    command = hook.get("command") if isinstance(hook, dict) else None
    if not isinstance(command, str):
        return False
    words = command.split()
    return words[-2:] == ["guard", "hook"] and any(w.endswith("ygs") for w in words[:-2])


def without_ours(settings: dict) -> dict:
    """`settings` with ygs's hook commands taken out (groups and events left empty go)."""
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        return settings
    kept: dict = {}
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            kept[event] = groups
            continue
        new_groups = []
        for group in groups:
            inner = group.get("hooks") if isinstance(group, dict) else None
            if not isinstance(inner, list):
                new_groups.append(group)
                continue
            left = [h for h in inner if not is_ours(h)]
            if left:
                new_groups.append({**group, "hooks": left})
            elif len(left) == len(inner):
                new_groups.append(group)
        if new_groups:
            kept[event] = new_groups
    result = {k: v for k, v in settings.items() if k != "hooks"}
    if kept:
        result["hooks"] = kept
    elif "hooks" in settings and not hooks:
        result["hooks"] = {}
    return result


def with_ours(settings: dict, command: str) -> dict:
    """`settings` with ygs's hooks merged in after the user's own, exactly once."""
    result = without_ours(settings)
    hooks = dict(result.get("hooks") or {})
    for event, groups in hook_config(command).items():
        current = hooks.get(event)
        hooks[event] = [*(current if isinstance(current, list) else []), *groups]
    return {**result, "hooks": hooks}


def settings_step(scope_root, scope: str, wanted: bool):
    """The install step for `.claude/settings.json`: merge the hooks in (`wanted`) or take
    them out; None when there is nothing to do and nothing to say."""
    from ygs.install.plan import Step

    path = scope_root / SETTINGS
    exists = path.is_file() and not path.is_symlink()

    def step(action: str, detail: str = "", data: bytes | None = None) -> Step:
        return Step(NAME, HOOK_SKILL, SETTINGS, action, detail, data=data)

    if path.is_symlink() or (path.exists() and not path.is_file()):
        if not wanted:
            return None
        return step("kept", "not a regular file: add the ygs guard hook to it yourself")
    if not exists and not wanted:
        return None
    text = path.read_text(encoding="utf-8") if exists else "{}"
    try:
        current = json.loads(text or "{}")
    except ValueError as err:
        return step("kept", f"not valid JSON ({err.msg}, line {err.lineno}): hooks not added")
    if not isinstance(current, dict) or not isinstance(current.get("hooks", {}), dict):
        return step("kept", "not a JSON object with a `hooks` object: hooks not added")
    desired = with_ours(current, hook_command()) if wanted else without_ours(current)
    if desired == current:
        return step("keep", "ygs guard hook registered" if wanted else "")
    data = (json.dumps(desired, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if not wanted and not desired:
        return step("remove", "ygs guard hook removed; the file held nothing else")
    if not wanted:
        return step("update", "ygs guard hook removed; your other settings kept", data)
    verb = "update" if exists else "create"
    return step(verb, "ygs guard hook on PreToolUse, PostToolUse and Stop", data)
