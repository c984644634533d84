"""The anthropic executor: ygs's own tool-use loop on the Messages API.

Every request goes through the model port (`ygs.llm.port.request`: redacted) and the
Session (the budget is reserved before each call, usage is recorded in the run's
usage.json). The static prefix is cached: the tools, the system blocks (the ygs-implement
skill, its references, the executor's rules) and the first user block (context.md) each
end in a cache breakpoint, and the newest message carries one more, so every call after
the first reads the conversation so far from the cache. Turns are bounded; the tools are
`ygs.build.tools` and nothing else.
"""

from __future__ import annotations

import json

from ygs.build.drive import Driver, Turn
from ygs.build.tools import ToolBox
from ygs.llm.port import Message, request

CACHE = {"type": "ephemeral"}


class AnthropicExecutor:
    name = "anthropic"

    def __init__(self, session, system: tuple[str, ...], *, max_tokens: int, call_timeout: float):
        self.session = session
        self.system = system
        self.max_tokens = max_tokens
        self.call_timeout = call_timeout
        self.messages: list[Message] = []
        self.tools: ToolBox | None = None

    def start(self, driver: Driver, prompt: str, context: str) -> Turn:
        self.tools = ToolBox(driver)
        first = ({"type": "text", "text": context, "cache_control": CACHE}, _text(prompt))
        self.messages = [Message("user", "", blocks=first)]
        return self._loop(driver)

    def fix(self, driver: Driver, note: str) -> Turn:
        self.tools.end_session = False
        last = self.messages[-1] if self.messages else None
        if last is not None and last.role == "user":
            self.messages[-1] = Message("user", "", blocks=(*last.blocks, _text(note)))
        else:
            self.messages.append(Message("user", note))
        return self._loop(driver)

    def _request(self, driver: Driver):
        turns = [*self.messages[:-1], _cached(self.messages[-1])]
        return request(
            "implement",
            "fast",
            self.system,
            turns,
            tools=self.tools.definitions(),
            max_tokens=self.max_tokens,
            timeout_s=max(1.0, min(self.call_timeout, driver.remaining())),
        )

    def _loop(self, driver: Driver) -> Turn:
        while True:
            if driver.usage.turns >= driver.limits.max_turns:
                return Turn(stopped_by="max_turns", reason=f"{driver.limits.max_turns} turns used")
            if driver.remaining() <= 0:
                return Turn(
                    stopped_by="timeout", reason=f"timeout after {driver.limits.timeout_s:g} s"
                )
            reply = self.session.ask(self._request(driver))
            self._count(driver)
            driver.conversation.add("assistant", blocks=list(reply.blocks), stop=reply.stop_reason)
            self.messages.append(
                Message("assistant", "", blocks=reply.blocks or (_text(reply.text),))
            )
            for line in reply.text.strip().splitlines()[-3:]:
                driver.echo(f"  {line[:160]}")
            calls = reply.tool_calls
            if not calls:
                return Turn(text=reply.text)
            results = [self._call(driver, call) for call in calls]
            driver.progress()
            self.messages.append(Message("user", "", blocks=tuple(results)))
            if self.tools.end_session:
                return Turn(text=reply.text)

    def _call(self, driver: Driver, call: dict) -> dict:
        name, args = str(call.get("name")), call.get("input")
        shown = json.dumps(args)[:120] if not isinstance(args, dict) else _show(args)
        driver.echo(f"→ {name} {shown}")
        text, error = self.tools.call(name, args)
        driver.conversation.add("tool", name=name, input=args, error=error, result=text[:4000])
        if error:
            driver.echo(f"  {text.splitlines()[0][:160]}")
        block = {"type": "tool_result", "tool_use_id": call.get("id"), "content": text}
        return {**block, "is_error": True} if error else block

    def _count(self, driver: Driver) -> None:
        ledger = self.session.ledger
        usage = driver.usage
        usage.turns += 1
        usage.cost_usd = ledger.spent_usd
        usage.input_tokens = ledger.total.input_tokens
        usage.output_tokens = ledger.total.output_tokens
        usage.cache_read_tokens = ledger.total.cache_read_tokens
        usage.cache_write_tokens = ledger.total.cache_write_tokens


def _text(text: str) -> dict:
    return {"type": "text", "text": text}


def _cached(message: Message) -> Message:
    return Message(message.role, message.content, cache=True, blocks=message.blocks)


def _show(args: dict) -> str:
    keep = {k: v for k, v in args.items() if k not in ("content", "new_text", "old_text")}
    return json.dumps(keep)[:120]
