"""The model port: one request shape, one reply shape, one session that enforces policy.

A `Request` is made only by `request()`, which redacts every text in it: the
type itself is the proof that nothing secret is inside (parse, don't validate).
Trusted instructions (skill text, references, our contracts) are the system
blocks; everything read from the repository or the user is data in user turns.

Backends (anthropic, claude-code) only move a request to a model and back.
The session does what must hold whatever the backend: budget reserved before
each call, structured replies checked and repaired at most twice, usage
recorded per run.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from ygs.core import jsonshape
from ygs.core.secrets import redact, redact_data
from ygs.errors import Exit, YgsError

MAX_REPAIRS = 2


@dataclass(frozen=True)
class Message:
    role: str  # user | assistant
    content: str
    cache: bool = False  # a large data block that stays the same across calls: cache it
    # Structured content instead of `content` (tool use): the assistant's `tool_use` blocks
    # and the user's `tool_result` blocks, as the Messages API spells them.
    blocks: tuple[dict, ...] = ()


class Request:
    """What a backend sends to a model, every text in it redacted. Built by `request()` only."""

    __slots__ = (
        "max_tokens",
        "messages",
        "phase",
        "schema",
        "system",
        "tier",
        "timeout_s",
        "tools",
    )
    phase: str  # the skill or step, e.g. "refine-prd"
    tier: str  # reasoning | fast
    system: tuple[str, ...]  # trusted, static, cacheable: skill text, references, contracts
    messages: tuple[Message, ...]  # data and the ask, in user turns, sent last
    schema: dict | None  # when set, the reply must be JSON matching it
    max_tokens: int
    timeout_s: float
    tools: tuple[dict, ...]  # tool definitions (ours, static): name, description, input_schema

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        raise TypeError("a model Request is built only by ygs.llm.port.request(), which redacts")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Request is immutable ({name})")

    def __repr__(self) -> str:
        return f"Request(phase={self.phase!r}, tier={self.tier!r}, messages={len(self.messages)})"

    def followed_by(self, *messages: Message) -> Request:
        """The same request with more turns (a repair), redacted like the first ones."""
        return request(
            self.phase,
            self.tier,
            self.system,
            (*self.messages, *messages),
            schema=self.schema,
            max_tokens=self.max_tokens,
            timeout_s=self.timeout_s,
            tools=self.tools,
        )


def request(
    phase: str,
    tier: str,
    system: Sequence[str],
    messages: Sequence[Message | str],
    *,
    schema: dict | None = None,
    max_tokens: int = 4096,
    timeout_s: float = 120.0,
    tools: Sequence[dict] = (),
) -> Request:
    """The one way to make a Request: every system block and message is redacted.

    `system` is for trusted instructions only (skill text, references, ygs's own
    contracts). Repository content, documents, diffs and answers go in `messages`
    (a plain string is a user turn); build JSON payloads with `as_json`. Tool results
    (file contents, test output) are data too: their blocks are redacted like the rest.
    """
    turns = tuple(_redacted(m) for m in messages)
    built = object.__new__(Request)
    values = {
        "phase": phase,
        "tier": tier,
        "system": tuple(redact(block) for block in system),
        "messages": turns,
        "schema": schema,
        "max_tokens": max_tokens,
        "timeout_s": timeout_s,
        "tools": tuple(redact_data(dict(t)) for t in tools),
    }
    for name, value in values.items():
        object.__setattr__(built, name, value)
    return built


def _redacted(message: Message | str) -> Message:
    if isinstance(message, str):
        return Message("user", redact(message))
    blocks = tuple(redact_data(dict(b)) for b in message.blocks)
    return replace(message, content=redact(message.content), blocks=blocks)


def as_json(value: Any) -> str:
    """`value` as JSON text for a prompt, every string redacted before it is encoded."""
    return json.dumps(redact_data(value), default=lambda o: redact(str(o)), ensure_ascii=False)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def add(self, other: Usage) -> None:
        for key in asdict(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass(frozen=True)
class Reply:
    text: str
    model: str
    usage: Usage
    cost_usd: float | None = None  # backends that know the exact cost report it
    data: Any = None  # parsed JSON for structured requests
    blocks: tuple[dict, ...] = ()  # every content block of the reply (text and tool_use)
    stop_reason: str = ""

    @property
    def tool_calls(self) -> list[dict]:
        """The reply's `tool_use` blocks: {"id", "name", "input"}."""
        return [b for b in self.blocks if b.get("type") == "tool_use"]


class Backend(Protocol):
    name: str

    def model_for(self, tier: str) -> str: ...

    def complete(self, request: Request) -> Reply: ...


def unavailable(message: str, remedy: str = "") -> YgsError:
    return YgsError(message, code=Exit.UNAVAILABLE, remedy=remedy or None)


@dataclass(frozen=True)
class Prices:
    """USD per million tokens; cache writes 1.25x input, reads 0.1x input."""

    table: dict[str, dict[str, float]]

    def rate(self, model: str) -> tuple[float, float]:
        entry = self.table.get(model)
        if entry is None:
            entry = next((v for k, v in self.table.items() if k and k in model), None)
        entry = entry or self.table.get("default", {"input": 15.0, "output": 75.0})
        return float(entry.get("input", 0.0)), float(entry.get("output", 0.0))

    def cost(self, model: str, usage: Usage) -> float:
        rate_in, rate_out = self.rate(model)
        tokens_in = (
            usage.input_tokens + 1.25 * usage.cache_write_tokens + 0.1 * usage.cache_read_tokens
        )
        return (tokens_in * rate_in + usage.output_tokens * rate_out) / 1_000_000

    def estimate(self, model: str, request: Request) -> float:
        chars = sum(len(b) for b in request.system) + sum(len(m.content) for m in request.messages)
        chars += sum(len(json.dumps(b)) for m in request.messages for b in m.blocks)
        chars += sum(len(json.dumps(t)) for t in request.tools)
        return self.cost(
            model, Usage(input_tokens=chars // 3 + 1, output_tokens=request.max_tokens)
        )


DEFAULT_PRICES = {
    "opus": {"input": 5.0, "output": 25.0},
    "sonnet": {"input": 3.0, "output": 15.0},
    "haiku": {"input": 1.0, "output": 5.0},
    "default": {"input": 15.0, "output": 75.0},
}


@dataclass
class Ledger:
    """Usage and cost per call, written to .ygs/runs/<run>/usage.json after every call."""

    path: Path | None
    calls: list[dict] = field(default_factory=list)
    spent_usd: float = 0.0
    total: Usage = field(default_factory=Usage)

    def record(self, phase: str, reply: Reply, cost: float, seconds: float) -> None:
        self.spent_usd += cost
        self.total.add(reply.usage)
        self.calls.append(
            {
                "phase": phase,
                "model": reply.model,
                **asdict(reply.usage),
                "cost_usd": round(cost, 6),
                "seconds": round(seconds, 3),
            }
        )
        if self.path is not None:
            from ygs.store import atomic_write

            summary = {
                "calls": self.calls,
                "total": asdict(self.total),
                "cost_usd": round(self.spent_usd, 6),
            }
            atomic_write(self.path, json.dumps(redact_data(summary), indent=2) + "\n")


_FENCE = re.compile(r"^```(?:json)?\s*\n(.*?)\n```\s*$", re.S)


def parse_json(text: str) -> Any:
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1)
    return json.loads(body)


@dataclass
class Session:
    """Policy around a backend; `around_call` wraps each call (a spinner on a terminal)."""

    backend: Backend
    budget_usd: float
    prices: Prices
    ledger: Ledger
    around_call: Callable[[], AbstractContextManager] = nullcontext  # a spinner on a terminal

    def ask(self, request: Request) -> Reply:
        if type(request) is not Request:
            raise TypeError("Session.ask takes a Request from ygs.llm.port.request()")
        reply = self._call(request)
        if request.schema is None:
            return reply
        return self._structured(request, reply)

    def _structured(self, request: Request, reply: Reply) -> Reply:
        for attempt in range(MAX_REPAIRS + 1):
            problem = _check(reply.text, request.schema)
            if problem is None:
                return replace(reply, data=parse_json(reply.text))
            if attempt == MAX_REPAIRS:
                break
            repair = (
                f"Your reply was not valid: {problem}. Reply again with only a JSON value that "
                f"matches this schema, no prose:\n{json.dumps(request.schema)}"
            )
            reply = self._call(
                request.followed_by(Message("assistant", reply.text), Message("user", repair))
            )
        raise unavailable(
            f"the model's reply for {request.phase} was not valid JSON for its schema after "
            f"{MAX_REPAIRS} repair attempts ({problem})",
            "try again, or use --offline; nothing was written",
        )

    def _call(self, request: Request) -> Reply:
        model = self.backend.model_for(request.tier)
        estimate = self.prices.estimate(model, request)
        if self.ledger.spent_usd + estimate > self.budget_usd:
            raise unavailable(
                f"budget: spent ${self.ledger.spent_usd:.4f}, the next call may cost up to "
                f"${estimate:.4f}, and the limit is ${self.budget_usd:.2f}",
                "raise --max-cost (or model.max_cost_usd), or use --offline",
            )
        started = time.monotonic()
        with self.around_call():
            reply = self.backend.complete(request)
        cost = (
            reply.cost_usd
            if reply.cost_usd is not None
            else self.prices.cost(reply.model, reply.usage)
        )
        self.ledger.record(request.phase, reply, cost, time.monotonic() - started)
        return reply


def _check(text: str, schema: dict) -> str | None:
    try:
        value = parse_json(text)
    except (json.JSONDecodeError, ValueError) as err:
        return f"not JSON ({err})"
    found = jsonshape.problems(value, schema)
    return "; ".join(found[:5]) if found else None
