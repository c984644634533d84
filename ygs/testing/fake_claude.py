"""A fake `claude` executable for tests: answers print mode with the documented JSON.

Put a shim named `claude` on PATH that runs `python -m ygs.testing.fake_claude "$@"`.
Environment:
  YGS_FAKE_CLAUDE_REPLIES  JSON file: a list of reply texts (or objects merged into the
                           result), consumed in order; the last one repeats
  YGS_FAKE_CLAUDE_LOG      JSONL file: one line per invocation (argv, prompt)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _next_reply() -> object:
    path = os.environ.get("YGS_FAKE_CLAUDE_REPLIES")
    if not path:
        return "ok"
    replies = json.loads(Path(path).read_text(encoding="utf-8"))
    counter = Path(path + ".count")
    index = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(index + 1))
    return replies[min(index, len(replies) - 1)]


def main(argv: list[str]) -> int:
    if "--version" in argv:
        print("2.0.0 (Claude Code, fake)")
        return 0
    prompt = sys.stdin.read()
    log = os.environ.get("YGS_FAKE_CLAUDE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"argv": argv, "prompt": prompt, "cwd": os.getcwd()}) + "\n")
    reply = _next_reply()
    result = {
        "type": "result",
        "subtype": "success",
        "is_error": False,
        "result": reply if isinstance(reply, str) else "",
        "session_id": "fake-session",
        "num_turns": 1,
        "total_cost_usd": 0.0123,
        "usage": {"input_tokens": len(prompt) // 4, "output_tokens": 10},
    }
    if isinstance(reply, dict):
        result.update(reply)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
