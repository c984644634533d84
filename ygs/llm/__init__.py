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


def connect(
    project,
    *,
    backend: str | None = None,
    offline: bool = False,
    max_cost: float | None = None,
    run_dir=None,
    env: Mapping[str, str] | None = None,
):
    """A model Session for this project, or None when the backend is offline.

    `backend` and `max_cost` are the command-line overrides (flags beat config).
    """
    import os

    from ygs.llm.port import DEFAULT_PRICES, Ledger, Prices, Session, unavailable

    env = os.environ if env is None else env
    cfg = project.config
    key, _ = api_key(env, cfg)
    choice = "offline" if offline else choose_backend(backend or cfg["model.backend"], bool(key))
    if choice == "offline":
        return None
    models = {"reasoning": cfg["model.reasoning"], "fast": cfg["model.fast"]}
    if choice == "anthropic":
        if not key:
            raise unavailable(
                "the anthropic backend needs an API key",
                "export ANTHROPIC_API_KEY=…, or use --model-backend claude-code/offline",
            )
        from ygs.llm.anthropic_backend import AnthropicBackend

        model = AnthropicBackend(
            key,
            models,
            base_url=env.get("ANTHROPIC_BASE_URL") or None,
            max_retries=cfg["model.max_retries"],
        )
    else:
        from ygs.llm.claude_code import ClaudeCodeBackend

        model = ClaudeCodeBackend(models)
    prices = Prices({**DEFAULT_PRICES, **cfg["model.prices"]})
    ledger = Ledger(run_dir / "usage.json" if run_dir is not None else None)
    budget = max_cost if max_cost is not None else cfg["model.max_cost_usd"]
    return Session(model, budget, prices, ledger)


def run_dir(root, command: str):
    """A fresh `.ygs/runs/<time>-<command>-<nonce>/` folder for one command run."""
    import secrets
    from datetime import datetime

    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    from ygs.store import inside

    name = f"{stamp}-{command}-{secrets.token_hex(3)}"
    folder = inside(root, f".ygs/runs/{name}/x", opt_in=None).parent  # no link on the way
    folder.mkdir(parents=True, exist_ok=True)
    return folder
