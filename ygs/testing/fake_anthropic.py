"""A local fake of the Anthropic Messages API, scripted reply by reply.

    script = [{"text": "hello"}, {"status": 429, "headers": {"retry-after": "0"}}]
    with FakeAnthropic(script) as fake:
        os.environ["ANTHROPIC_BASE_URL"] = fake.url
        ...
        fake.requests  # every request body and its headers, in order

A script item is a dict: `text` (reply text), `tool_use` (`{"name", "input"}`: the
reply asks for a tool call, stop_reason `tool_use`), `status` (default 200), `headers`,
`delay` (seconds before answering), `usage` (token counts), `error_type`. A
callable script receives the request body and returns an item. When a list
script runs out, the last item repeats. A request with `"stream": true` (the Claude Code
CLI sends those) gets the same reply as server-sent events.

From a shell: `python -m ygs.testing.fake_anthropic --port 8765 replies.yaml`.
"""

from __future__ import annotations

import argparse
import contextlib
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
        system = json.dumps(body.get("system", ""))
        cached = bool(body.get("system")) and any(
            "cache_control" in block for block in body.get("system", []) if isinstance(block, dict)
        )
        with self._lock:
            hit = cached and system in self._seen_prefixes
            self._seen_prefixes.add(system)
        prefix_tokens = len(system) // 4 if cached else 0
        varying = len(json.dumps(body.get("messages", []))) // 4
        usage = {
            "input_tokens": varying + (0 if cached else len(system) // 4),
            "output_tokens": max(1, len(item.get("text", "")) // 4),
            "cache_creation_input_tokens": 0 if hit else prefix_tokens,
            "cache_read_input_tokens": prefix_tokens if hit else 0,
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
        if "tool_use" in item:
            call = item["tool_use"]
            tool_id = f"toolu_fake_{len(self.requests)}"
            content = [
                {"type": "tool_use", "id": tool_id, "name": call["name"], "input": call["input"]}
            ]
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
        """The message as the streaming API sends it: start, one block, delta, stop."""
        start = {**message, "content": [], "stop_reason": None}
        block = message["content"][0]
        if block["type"] == "tool_use":
            opening = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        else:
            opening = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        events = [
            ("message_start", {"type": "message_start", "message": start}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": opening},
            ),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
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
