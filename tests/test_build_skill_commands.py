"""Every `ygs implement|guard|checkpoint|test|build|undo|deviation …` the skills name exists,
with every flag they give it (the skills are the contract)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SKILLS = Path(__file__).resolve().parent.parent / "skills"
OURS = ("implement", "guard", "checkpoint", "test", "build", "undo", "deviation")
SPAN = re.compile(r"`(ygs [^`\n]+)`")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")


def spans() -> dict[str, set[str]]:
    """`ygs <command> [sub]` -> the flags the skills use with it."""
    found: dict[str, set[str]] = {}
    for path in sorted(SKILLS.rglob("*.md")):
        for text in SPAN.findall(path.read_text(encoding="utf-8")):
            words = text.split()
            if len(words) < 2 or words[1] not in OURS:
                continue
            command = " ".join(words[:3] if words[1] == "guard" else words[:2])
            flags = {f for f in FLAG.findall(text) if f != "--"}
            found.setdefault(command, set()).update(flags)
    return found


def test_the_skills_name_our_commands():
    named = spans()
    for command in ("ygs implement", "ygs guard status", "ygs checkpoint", "ygs test"):
        assert command in named, command


@pytest.mark.parametrize(("command", "flags"), sorted((c, sorted(f)) for c, f in spans().items()))
def test_every_named_command_and_flag_exists(ygs, command, flags):
    words = command.split()[1:]
    result = ygs(*words, "--help")
    assert result.code == 0, f"`{command}` does not exist: {result.stderr}"
    for flag in flags:
        if flag == "--json":
            continue  # a global option, valid everywhere
        assert flag in result.stdout, f"`{command}` has no {flag}"
