"""A local fake of the Anthropic Messages API, scripted reply by reply.

    script = [{"text": "hello"}, {"status": 429, "headers": {"retry-after": "0"}}]
    with FakeAnthropic(script) as fake:
        os.environ["ANTHROPIC_BASE_URL"] = fake.url
        ...
        fake.requests  # every request body and its headers, in order

A script item is a dict: `text` (reply text), `tool_use` (`{"name", "input"}`: the
reply asks for a tool call, stop_reason `tool_use`; `tool_uses` for several), `status`
(default 200), `headers`, `delay` (seconds before answering), `usage` (token counts),
`error_type`. A
callable script receives the request body and returns an item. When a list
script runs out, the last item repeats. A request with `"stream": true` (the Claude Code
CLI sends those) gets the same reply as server-sent events. Usage accounting follows prompt
caching: the prefix up to each `cache_control` breakpoint is a cache write the first time
and a cache read (`cache_read_input_tokens`) after.

From a shell: `python -m ygs.testing.fake_anthropic --port 8765 replies.yaml`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Script = list[dict] | Callable[[dict], dict]


class FakeAnthropic:
    def __init__(self, script: Script | None = None, port: int = 0) -> None:
        self.script = script if script is not None else [{"text": "ok"}]
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._seen_prefixes: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict) -> dict:
        with self._lock:
            if callable(self.script):
                return self.script(body)
            index = min(len(self.requests) - 1, len(self.script) - 1)
            return self.script[index]

    def _usage(self, body: dict, item: dict) -> dict:
        """Token counts as the API reports them, with prompt caching: the prefix up to a
        `cache_control` breakpoint (tools, then system, then messages) is written to the
        cache on first sight and read from it afterwards (4 characters a token)."""
        total, marks = 0, []
        for segment, cached in _segments(body):
            total += len(segment) // 4 + 1
            if cached:
                marks.append((total, hashlib.sha256(_prefix_key(body, len(marks))).hexdigest()))
        with self._lock:
            hit = max((n for n, key in marks if key in self._seen_prefixes), default=0)
            self._seen_prefixes.update(key for _, key in marks)
        written = (marks[-1][0] if marks else 0) - hit
        output = item.get("text", "") + json.dumps(item.get("tool_use", ""))
        usage = {
            "input_tokens": total - hit - written,
            "output_tokens": max(1, len(output) // 4),
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": hit,
        }
        usage.update(item.get("usage", {}))
        return usage

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length).decode("utf-8")
                body = json.loads(raw) if raw else {}
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "raw": raw,
                        }
                    )
                item = fake._next(body)
                time.sleep(float(item.get("delay", 0)))
                status = int(item.get("status", 200))
                payload = fake._payload(body, item, status)
                if status == 200 and body.get("stream"):
                    fake._stream(self, payload)
                    return
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in item.get("headers", {}).items():
                        self.send_header(key, str(value))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        return Handler

    def _payload(self, body: dict, item: dict, status: int) -> dict:
        if status != 200:
            kinds = {
                429: "rate_limit_error",
                529: "overloaded_error",
                401: "authentication_error",
                400: "invalid_request_error",
            }
            kind = item.get("error_type") or kinds.get(status, "api_error")
            return {"type": "error", "error": {"type": kind, "message": item.get("text", kind)}}
        content = [{"type": "text", "text": item.get("text", "")}]
        stop = "end_turn"
        calls = item.get("tool_uses") or ([item["tool_use"]] if "tool_use" in item else [])
        if calls:
            content = [{"type": "text", "text": item["text"]}] if item.get("text") else []
            for i, call in enumerate(calls):
                tool_id = f"toolu_fake_{len(self.requests)}_{i}"
                block = {"type": "tool_use", "id": tool_id, "name": call["name"]}
                content.append({**block, "input": call["input"]})
            stop = "tool_use"
        return {
            "id": f"msg_fake_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake-model"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": self._usage(body, item),
        }

    @staticmethod
    def _stream(handler, message: dict) -> None:
        """The message as the streaming API sends it: start, each block, delta, stop."""
        start = {**message, "content": [], "stop_reason": None}
        events = [("message_start", {"type": "message_start", "message": start})]
        for index, block in enumerate(message["content"]):
            if block["type"] == "tool_use":
                opening = {**block, "input": {}}
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            else:
                opening = {"type": "text", "text": ""}
                delta = {"type": "text_delta", "text": block["text"]}
            events += [
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": opening},
                ),
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": index}),
            ]
        events += [
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                    "usage": {"output_tokens": message["usage"]["output_tokens"]},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        try:
            handler.send_response(200)
            handler.send_header("content-type", "text/event-stream")
            handler.end_headers()
            for name, data in events:
                handler.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            pass


def _blocks(content) -> list:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _segment(block: dict, role: str = "") -> tuple[str, bool]:
    bare = {k: v for k, v in block.items() if k != "cache_control"}
    return role + json.dumps(bare, sort_keys=True), "cache_control" in block


def _segments(body: dict) -> list[tuple[str, bool]]:
    """The request in cache order, one (text without its marker, has a breakpoint) per block."""
    found = [_segment(t) for t in body.get("tools", [])]
    system = body.get("system") or []
    found += [_segment(b) for b in (_blocks(system) if system else [])]
    for message in body.get("messages", []):
        role = str(message.get("role", ""))
        found += [_segment(b, role) for b in _blocks(message.get("content", ""))]
    return found


def _prefix_key(body: dict, mark: int) -> bytes:
    """The request's blocks up to its `mark`-th breakpoint."""
    parts, seen = [], -1
    for segment, cached in _segments(body):
        parts.append(segment)
        if cached:
            seen += 1
            if seen == mark:
                break
    return "\n".join(parts).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve scripted Anthropic Messages replies.")
    parser.add_argument("replies", help="YAML or JSON file: a list of script items")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    from ygs.core.yamltext import load

    with open(args.replies, encoding="utf-8") as handle:
        script = load(handle.read())
    with FakeAnthropic(script, port=args.port) as fake:
        print(f"fake Anthropic API at {fake.url} (ANTHROPIC_BASE_URL={fake.url})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
