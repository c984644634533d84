"""Anthropic Messages API through the official SDK (imported only here, only when used).

Static system blocks go first with cache_control on the last one; a large data
block that stays the same across calls (a message marked `cache`) gets its own
breakpoint; the varying messages go last. Retries with jittered backoff on 429, 5xx and overloaded,
honouring retry-after; never on other 4xx. Every call has a timeout.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ygs.llm.port import Reply, Request, Usage, unavailable

RETRYABLE = {429, 500, 502, 503, 504, 529}
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 60.0


@dataclass
class AnthropicBackend:
    api_key: str = field(repr=False)  # never printed, never in a log
    models: dict[str, str]  # tier → model id or alias
    base_url: str | None = None
    max_retries: int = 4
    sleep: Callable[[float], None] = time.sleep
    name: str = "anthropic"
    _client: object | None = field(default=None, repr=False)

    def model_for(self, tier: str) -> str:
        return self.models.get(tier) or self.models["reasoning"]

    def client(self, timeout: float):
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(
                api_key=self.api_key, base_url=self.base_url, max_retries=0, timeout=timeout
            )
        return self._client

    def complete(self, request: Request) -> Reply:
        import anthropic

        model = self.model_for(request.tier)
        body = payload(request, model)
        for attempt in range(self.max_retries + 1):
            try:
                client = self.client(request.timeout_s).with_options(timeout=request.timeout_s)
                message = client.messages.create(**body)
                return _reply(message, model)
            except anthropic.APITimeoutError:
                raise unavailable(
                    f"the model did not answer within {request.timeout_s:g} s",
                    "raise model.timeout_s, or retry later",
                ) from None
            except anthropic.APIConnectionError as err:
                if attempt == self.max_retries:
                    raise unavailable(
                        f"cannot reach the model API: {err}",
                        "check the network or ANTHROPIC_BASE_URL",
                    ) from None
                self.sleep(backoff(attempt))
            except anthropic.APIStatusError as err:
                self._handle_status(err, attempt)
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _handle_status(self, err, attempt: int) -> None:
        status = err.status_code
        if status in (401, 403):
            raise unavailable(
                f"the API rejected the key (HTTP {status})",
                "check ANTHROPIC_API_KEY or anthropic.api_key",
            ) from None
        if status not in RETRYABLE:
            raise unavailable(
                f"the model API refused the request (HTTP {status}): {_msg(err)}"
            ) from None
        if attempt == self.max_retries:
            raise unavailable(
                f"the model API is unavailable (HTTP {status}) after {attempt + 1} attempts",
                "retry later; your answers are saved (use --resume)",
            ) from None
        self.sleep(retry_after(err) if retry_after(err) is not None else backoff(attempt))


def payload(request: Request, model: str) -> dict:
    system = [{"type": "text", "text": block} for block in request.system if block]
    if system:
        system[-1]["cache_control"] = {"type": "ephemeral"}
    body = {
        "model": model,
        "max_tokens": request.max_tokens,
        "messages": [_message(m) for m in request.messages],
    }
    if system:
        body["system"] = system
    if request.tools:
        body["tools"] = [dict(t) for t in request.tools]
    return body


def _message(message) -> dict:
    if message.blocks:
        blocks = [dict(b) for b in message.blocks]
        if message.content:
            blocks.insert(0, {"type": "text", "text": message.content})
    elif not message.cache:
        return {"role": message.role, "content": message.content}
    else:
        blocks = [{"type": "text", "text": message.content}]
    if message.cache:
        blocks[-1] = {**blocks[-1], "cache_control": {"type": "ephemeral"}}
    return {"role": message.role, "content": blocks}


def backoff(attempt: int) -> float:
    """Exponential with full jitter, capped."""
    return random.uniform(0, min(MAX_BACKOFF_S, 0.5 * 2**attempt))


def retry_after(err) -> float | None:
    headers = getattr(getattr(err, "response", None), "headers", None) or {}
    value = headers.get("retry-after")
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def _msg(err) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        return str(body.get("error", {}).get("message", body))
    return str(err)


def _block(block) -> dict:
    kind = getattr(block, "type", "")
    if kind == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    return {"type": kind, "text": getattr(block, "text", "")}


def _reply(message, model: str) -> Reply:
    text = "".join(
        getattr(b, "text", "") for b in message.content if getattr(b, "type", "") == "text"
    )
    usage = message.usage
    return Reply(
        blocks=tuple(_block(b) for b in message.content),
        stop_reason=str(getattr(message, "stop_reason", "") or ""),
        text=text,
        model=getattr(message, "model", None) or model,
        usage=Usage(
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_read_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
            cache_write_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
        ),
    )
