"""Gemini CLI: a `/ygs:<name>` command per skill, plus the skill folder Gemini reads natively.

Sources: geminicli.com/docs/cli/custom-commands (TOML files in `~/.gemini/commands/` or
`<project>/.gemini/commands/`; `prompt` required, `description` optional; a sub-folder
namespaces the command, `ygs/adr.toml` is `/ygs:adr`; `{{args}}` is replaced by what the
user typed; `!{…}` runs a shell command and `@{…}` injects a file) and
geminicli.com/docs/cli/skills (skills in `~/.gemini/skills/` or `.gemini/skills/`; on
activation the skill's folder becomes readable, which is how `references/` stay reachable).
"""

from __future__ import annotations

import json

from ygs.errors import YgsError
from ygs.install.targets import folder

NAME = "gemini"
TITLE = "Gemini CLI"
ROOTS = {
    "user": (".gemini/skills", ".gemini/commands"),
    "project": (".gemini/skills", ".gemini/commands"),
}
LINKABLE = False  # the command is rendered TOML; a symlink cannot produce it
NAMESPACE = "ygs"
_INJECTIONS = ("!{", "@{")


def render(skill, scope: str) -> dict[str, bytes]:
    files = folder(ROOTS[scope][0], skill)
    command = f"{ROOTS[scope][1]}/{NAMESPACE}/{skill.short}.toml"
    files[command] = command_toml(skill, scope).encode("utf-8")
    return files


def command_toml(skill, scope: str) -> str:
    body = skill.body
    for token in _INJECTIONS:
        if token in body:
            raise YgsError(
                f"{skill.name}: the skill text contains '{token}', which Gemini CLI would run "
                "as a shell command or file injection",
                path=f"{skill.folder}/SKILL.md",
                remedy="reword that line, or install this pack for another agent",
            )
    where = f"{'~/' if scope == 'user' else ''}{ROOTS[scope][0]}/{skill.name}/"
    prompt = (
        f"You are running the `{skill.name}` skill. Its own files (references/, "
        f"interview.yaml) are in `{where}`; activate the `{skill.name}` skill before "
        f"reading them.\n\n{body.strip()}\n\n## Arguments\n\n{{{{args}}}}\n"
    )
    return f"description = {basic(skill.description)}\nprompt = {multiline(prompt)}\n"


def basic(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes; DEL needs one too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def multiline(text: str) -> str:
    """A TOML multi-line basic string that reads back as exactly `text`."""
    out = []
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"' and (i + 1 == len(text) or text[i + 1] == '"'):
            out.append('\\"')
        elif ch == "\r":
            out.append("\\r")
        elif (ord(ch) < 0x20 and ch not in "\n\t") or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"""\n' + "".join(out) + '"""'
