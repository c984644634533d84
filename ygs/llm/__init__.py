"""The model port and its backends (anthropic, claude-code, offline)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping


def api_key(env: Mapping[str, str], config) -> tuple[str | None, str]:
    """(key, where it came from). The value is never printed by ygs."""
    if env.get("ANTHROPIC_API_KEY"):
        return env["ANTHROPIC_API_KEY"], "ANTHROPIC_API_KEY"
    value = config.get("anthropic.api_key")
    if value:
        return value, "user config"
    return None, ""


def choose_backend(setting: str, has_key: bool, claude_on_path: bool | None = None) -> str:
    """`auto`: anthropic with a key, else claude-code when `claude` is on PATH, else offline."""
    if setting != "auto":
        return setting
    if has_key:
        return "anthropic"
    if claude_on_path is None:
        claude_on_path = shutil.which("claude") is not None
    return "claude-code" if claude_on_path else "offline"
