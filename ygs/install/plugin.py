"""`ygs plugin build OUT`: a Claude Code plugin (`.claude-plugin/plugin.json` + `skills/` +
`hooks/hooks.json`, the guard hook) that is also its own marketplace
(`.claude-plugin/marketplace.json`, plugin source `./`).

Both manifests pass `claude plugin validate --strict`. Skills carry the Claude-only
frontmatter the Claude target adds (see targets/claude.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ygs import __version__
from ygs.errors import YgsError
from ygs.install import pack
from ygs.install.targets import claude
from ygs.store import atomic_write

PLUGIN = "ygs"
AUTHOR = "ygs maintainers"
HOMEPAGE = "https://github.com/ygs-dev/ygs"
DESCRIPTION = (
    "You got skills: a spec-driven lifecycle for AI coding agents: refine requirements, "
    "design, plan, build inside guardrails, review, test and ship."
)
OWNED = (".claude-plugin", "skills", "hooks")
HOOKS_FILE = "hooks/hooks.json"
HOOK_COMMAND = "ygs guard hook"  # the plugin cannot know where ygs lives: PATH finds it


def manifests(description: str = DESCRIPTION) -> dict[str, str]:
    plugin = {
        "name": PLUGIN,
        "version": __version__,
        "description": description,
        "author": {"name": AUTHOR},
        "homepage": HOMEPAGE,
        "license": "MIT",
    }
    marketplace = {
        "name": PLUGIN,
        "owner": {"name": AUTHOR},
        "metadata": {"description": description, "version": __version__},
        "plugins": [
            {
                "name": PLUGIN,
                "source": "./",
                "description": description,
                "version": __version__,
            }
        ],
    }
    return {
        ".claude-plugin/plugin.json": json.dumps(plugin, indent=2) + "\n",
        ".claude-plugin/marketplace.json": json.dumps(marketplace, indent=2) + "\n",
    }


def hooks_json() -> str:
    """The guard hook (ygs guard hook on PreToolUse, PostToolUse and Stop), as a plugin ships it."""
    data = {
        "description": "ygs guard: counts and stops of a ygs implementation run; "
        "allows everything outside a run",
        "hooks": claude.hook_config(HOOK_COMMAND),
    }
    return json.dumps(data, indent=2) + "\n"


def files(skills: list[pack.SourceSkill]) -> dict[str, bytes]:
    found = {path: text.encode("utf-8") for path, text in manifests().items()}
    found[HOOKS_FILE] = hooks_json().encode("utf-8")
    for skill in skills:
        for rel, data in claude.skill_files(skill).items():
            found[f"skills/{skill.name}/{rel}"] = data
    return found


def build(out: Path, skills: list[pack.SourceSkill], force: bool) -> dict[str, bytes]:
    _prepare(out, force)
    written = files(skills)
    for rel, data in written.items():
        atomic_write(out / rel, data)
    return written


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise YgsError(f"{out} is a file", path=str(out), remedy="choose a folder")
    if not out.exists() or not any(out.iterdir()):
        return
    if not force:
        raise YgsError(
            f"{out} is not empty",
            path=str(out),
            remedy="choose an empty folder, or pass --force to replace its "
            ".claude-plugin/, skills/ and hooks/ (nothing else in it is touched)",
        )
    for name in OWNED:
        target = out / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
