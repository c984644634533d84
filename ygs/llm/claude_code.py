"""The `claude` CLI in print mode, for people who pay with a Claude subscription.

Runs `claude -p --output-format json` with the skill as the appended system
prompt, in an empty temporary folder so no project hooks or MCP servers run,
and parses `result`, `total_cost_usd` and `is_error`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from ygs.llm.port import Reply, Request, Usage, unavailable

ALIASES = {"reasoning": "opus", "fast": "sonnet"}


@dataclass
class ClaudeCodeBackend:
    models: dict[str, str]
    executable: str = "claude"
    name: str = "claude-code"

    def model_for(self, tier: str) -> str:
        model = self.models.get(tier, "")
        # Full API ids work too; the CLI also takes the short aliases.
        return model or ALIASES.get(tier, "sonnet")

    def complete(self, request: Request) -> Reply:
        if request.tools:
            raise unavailable(
                "tool use needs the anthropic backend (the claude CLI runs its own tools)",
                "export ANTHROPIC_API_KEY=…, or use `--executor claude-code`",
            )
        exe = shutil.which(self.executable)
        if exe is None:
            raise unavailable(
                "the `claude` CLI is not on PATH",
                "npm install -g @anthropic-ai/claude-code, or use --offline",
            )
        model = self.model_for(request.tier)
        argv = [
            exe,
            "-p",
            "--output-format",
            "json",
            "--model",
            model,
            "--max-turns",
            "1",
            "--append-system-prompt",
            "\n\n".join(request.system),
        ]
        with tempfile.TemporaryDirectory(prefix="ygs-claude-") as empty:
            try:
                done = subprocess.run(
                    argv,
                    input=_prompt(request),
                    capture_output=True,
                    text=True,
                    timeout=request.timeout_s,
                    cwd=empty,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise unavailable(
                    f"`claude` did not answer within {request.timeout_s:g} s",
                    "raise model.timeout_s, or retry later",
                ) from None
        return _parse(done, model)


def _prompt(request: Request) -> str:
    if len(request.messages) == 1:
        return request.messages[0].content
    return "\n\n".join(f"[{m.role}]\n{m.content}" for m in request.messages)


def _parse(done: subprocess.CompletedProcess, model: str) -> Reply:
    try:
        data = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise unavailable(f"`claude` gave no JSON result (exit {done.returncode}): {detail[0]}")
    if data.get("is_error") or data.get("subtype", "success") != "success":
        raise unavailable(
            f"`claude` reported an error ({data.get('subtype', 'error')}): "
            f"{str(data.get('result', ''))[:200]}"
        )
    usage = data.get("usage") or {}
    return Reply(
        text=str(data.get("result", "")),
        model=model,
        usage=Usage(
            input_tokens=int(usage.get("input_tokens", 0) or 0),
            output_tokens=int(usage.get("output_tokens", 0) or 0),
            cache_read_tokens=int(usage.get("cache_read_input_tokens", 0) or 0),
            cache_write_tokens=int(usage.get("cache_creation_input_tokens", 0) or 0),
        ),
        cost_usd=float(data.get("total_cost_usd") or 0.0),
    )
