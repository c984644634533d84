"""A fake `claude` executable for tests.

Put a shim named `claude` on PATH that runs `python -m ygs.testing.fake_claude "$@"`.

Print mode (`--output-format json`) answers with the documented result object:
  YGS_FAKE_CLAUDE_REPLIES  JSON file: a list of reply texts (or objects merged into the
                           result), consumed in order; the last one repeats
  YGS_FAKE_CLAUDE_LOG      JSONL file: one line per invocation (argv, prompt, cwd)

Agent mode (`--output-format stream-json`, with YGS_FAKE_CLAUDE_SCRIPT set) follows a
script the way Claude Code would run it: each step is a tool call that passes the
permission rules (`--permission-mode dontAsk` + `--allowedTools`, `--settings`
permissions.deny, or `--dangerously-skip-permissions`) and the `--settings` hooks
(PreToolUse before, PostToolUse after, Stop at the end, each run as a real command with
the event JSON on stdin), then happens for real; the session is streamed as stream-json
and ends with a `result` event. `--max-turns` and `--max-budget-usd` are honoured.

  YGS_FAKE_CLAUDE_SCRIPT   JSON file: {"sessions": [[step, …], …]}, one session per
                           invocation (a `--resume` is the next one); or
                           {"tasks": {"TASK-001": {"sessions": …}}}, chosen by the first
                           task id in the prompt
Steps: {"write": PATH, "content": TEXT}, {"edit": PATH, "old": A, "new": B},
{"read": PATH}, {"bash": COMMAND}, {"say": TEXT}, {"sleep": SECONDS}, {"cost": USD},
{"end": TEXT or a status object} (the final result text), {"result": {fields}}.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

TOOL_COST = 0.01


def _next_reply() -> object:
    path = os.environ.get("YGS_FAKE_CLAUDE_REPLIES")
    if not path:
        return "ok"
    replies = json.loads(Path(path).read_text(encoding="utf-8"))
    return replies[min(_count(path), len(replies) - 1)]


def _count(path: str, key: str = "") -> int:
    """A counter beside `path`, one per key: how many times this was asked before."""
    counter = Path(f"{path}.{key}.count" if key else f"{path}.count")
    index = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(index + 1))
    return index


def _log(argv: list[str], prompt: str) -> None:
    log = os.environ.get("YGS_FAKE_CLAUDE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            entry = {"argv": argv, "prompt": prompt, "cwd": os.getcwd(), "pid": os.getpid()}
            handle.write(json.dumps(entry) + "\n")


def _values(argv: list[str], flag: str) -> list[str]:
    """The values after `flag`, up to the next option."""
    if flag not in argv:
        return []
    found = []
    for word in argv[argv.index(flag) + 1 :]:
        if word.startswith("--"):
            break
        found.append(word)
    return found


def _value(argv: list[str], flag: str, default: str = "") -> str:
    values = _values(argv, flag)
    return values[0] if values else default


class Agent:
    def __init__(self, argv: list[str], prompt: str) -> None:
        self.argv = argv
        self.cwd = os.getcwd()
        settings = _value(argv, "--settings", "{}")
        self.settings = json.loads(settings) if settings.startswith("{") else {}
        self.allowed = [w for v in _values(argv, "--allowedTools") for w in _split(v)]
        self.bypass = "--dangerously-skip-permissions" in argv
        self.max_turns = int(_value(argv, "--max-turns", "1000"))
        budget = _value(argv, "--max-budget-usd")
        self.budget = float(budget) if budget else None
        self.session = _value(argv, "--resume") or f"fake-{os.getpid()}"
        self.turns = 0
        self.cost = 0.0
        self.prompt = prompt
        self.n = 0

    # --- output --------------------------------------------------------------------------

    def emit(self, event: dict) -> None:
        print(json.dumps({**event, "session_id": self.session}), flush=True)

    def say(self, text: str) -> None:
        self.emit({"type": "assistant", "message": {"role": "assistant", "content": [
            {"type": "text", "text": text}]}})  # fmt: skip

    def result(self, text: str, subtype: str = "success", **extra) -> int:
        self.emit(
            {
                "type": "result",
                "subtype": subtype,
                "is_error": subtype != "success",
                "result": text,
                "num_turns": self.turns,
                "total_cost_usd": round(self.cost, 6),
                "usage": {"input_tokens": 100 * self.turns, "output_tokens": 20 * self.turns},
                **extra,
            }
        )
        return 0 if subtype == "success" else 1

    # --- rules ---------------------------------------------------------------------------

    def permitted(self, tool: str, args: dict) -> str | None:
        """None when the tool may run; else why not."""
        path = str(args.get("file_path") or "")
        for rule in (self.settings.get("permissions") or {}).get("deny") or []:
            name, _, rest = rule.partition("(")
            if name == tool and rest.endswith(")") and path:
                glob = rest[:-1].removeprefix("**/")
                if fnmatch.fnmatchcase(os.path.basename(path), glob):
                    return f"Permission to use {tool} on {path} has been denied."
        if self.bypass:
            return None
        if tool != "Bash":
            return None if tool in self.allowed else f"{tool} is not allowed (dontAsk)"
        command = str(args.get("command") or "")
        for rule in self.allowed:
            match = re.fullmatch(r"Bash\((.*)\)", rule)
            if match and fnmatch.fnmatchcase(command, match.group(1)):
                return None
        return f"Claude requested permissions to use Bash({command}), but it is not allowed"

    def hooks(self, event: str, payload: dict, tool: str = "") -> list[dict]:
        answers = []
        for group in (self.settings.get("hooks") or {}).get(event) or []:
            matcher = group.get("matcher")
            # Claude Code matchers are tool names joined by "|" (ygs writes no other kind)
            if matcher and tool not in matcher.split("|"):
                continue
            for hook in group.get("hooks") or []:
                body = {"hook_event_name": event, "cwd": self.cwd, "session_id": self.session}
                done = subprocess.run(
                    ["sh", "-c", hook["command"]],
                    input=json.dumps({**body, **payload}),
                    capture_output=True,
                    text=True,
                    cwd=self.cwd,
                    timeout=float(hook.get("timeout") or 60),
                    check=False,
                )
                if done.stdout.strip():
                    answers.append(json.loads(done.stdout.strip().splitlines()[-1]))
        return answers

    # --- tools ---------------------------------------------------------------------------

    def tool(self, name: str, args: dict) -> bool:
        """Run one tool call the way Claude Code would; False when the session must end."""
        self.turns += 1
        self.cost += TOOL_COST
        if self.turns > self.max_turns:
            return False
        self.n += 1
        tool_id = f"toolu_{self.n}"
        self.emit({"type": "assistant", "message": {"role": "assistant", "content": [
            {"type": "tool_use", "id": tool_id, "name": name, "input": args}]}})  # fmt: skip
        refusal = self.permitted(name, args)
        if refusal is None:
            for answer in self.hooks("PreToolUse", {"tool_name": name, "tool_input": args}, name):
                decision = (answer.get("hookSpecificOutput") or {}).get("permissionDecision")
                if decision in ("deny", "ask"):
                    refusal = answer["hookSpecificOutput"]["permissionDecisionReason"]
        if refusal is not None:
            self.tool_result(tool_id, refusal, error=True)
            return True
        output, error = self.perform(name, args)
        self.tool_result(tool_id, output, error=error)
        post = {"tool_name": name, "tool_input": args, "tool_response": {"output": output}}
        for answer in self.hooks("PostToolUse", post, name):
            note = answer.get("reason") or (answer.get("hookSpecificOutput") or {}).get(
                "additionalContext"
            )
            if note:
                self.emit({"type": "user", "message": {"role": "user", "content": [
                    {"type": "text", "text": f"PostToolUse hook: {note}"}]}})  # fmt: skip
        return True

    def tool_result(self, tool_id: str, text: str, *, error: bool) -> None:
        block = {"type": "tool_result", "tool_use_id": tool_id, "content": text, "is_error": error}
        self.emit({"type": "user", "message": {"role": "user", "content": [block]}})

    def perform(self, name: str, args: dict) -> tuple[str, bool]:
        path = Path(str(args.get("file_path") or ""))
        try:
            if name == "Write":
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(args["content"], encoding="utf-8")
                return f"File created successfully at: {path}", False
            if name == "Edit":
                text = path.read_text(encoding="utf-8")
                if text.count(args["old_string"]) != 1:
                    return "String to replace not found exactly once", True
                path.write_text(text.replace(args["old_string"], args["new_string"]), "utf-8")
                return f"The file {path} has been updated.", False
            if name == "Read":
                return path.read_text(encoding="utf-8", errors="replace"), False
            if name == "Bash":
                done = subprocess.run(
                    args["command"], shell=True, cwd=self.cwd, capture_output=True, text=True
                )
                return done.stdout + done.stderr, done.returncode != 0
        except OSError as err:
            return str(err), True
        return f"unknown tool {name}", True

    # --- the session ---------------------------------------------------------------------

    def run(self, steps: list[dict]) -> int:
        mode = _value(self.argv, "--permission-mode")
        model = _value(self.argv, "--model")
        self.emit({"type": "system", "subtype": "init", "model": model, "cwd": self.cwd,
                   "permissionMode": mode})  # fmt: skip
        final = ""
        for step in steps:
            ok = self.step(step)
            if isinstance(ok, str):
                final = ok
            elif ok is False:
                return self.result("", "error_max_turns")
            if self.budget is not None and self.cost > self.budget:
                return self.result("", "error_max_budget_usd")
            if "result" in step:
                return self.result(final, **step["result"])
        active = False
        for _ in range(2):
            answers = self.hooks("Stop", {"stop_hook_active": active})
            blocked = [a for a in answers if a.get("decision") == "block"]
            if not blocked:
                break
            self.say(f"Stop hook: {blocked[0].get('reason')}")
            active = True
        return self.result(final)

    def step(self, step: dict):
        if "write" in step:
            args = {"file_path": self.abs(step["write"]), "content": step.get("content", "")}
            return self.tool("Write", args)
        if "edit" in step:
            args = {"file_path": self.abs(step["edit"]), "old_string": step["old"],
                    "new_string": step["new"]}  # fmt: skip
            return self.tool("Edit", args)
        if "read" in step:
            return self.tool("Read", {"file_path": self.abs(step["read"])})
        if "bash" in step:
            return self.tool("Bash", {"command": step["bash"]})
        if "say" in step:
            self.say(step["say"])
        if "sleep" in step:
            time.sleep(float(step["sleep"]))
        if "cost" in step:
            self.cost += float(step["cost"])
        if "end" in step:
            end = step["end"]
            text = json.dumps(end) if isinstance(end, dict) else str(end)
            self.say(text)
            return text
        return True

    def abs(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.join(self.cwd, path)


def _split(value: str) -> list[str]:
    """`--allowedTools "Read,Edit" "Bash(pytest *)"`: commas and spaces outside brackets."""
    found, depth, word = [], 0, ""
    for ch in value:
        depth += ch == "("
        depth -= ch == ")"
        if ch in ", " and depth == 0:
            if word:
                found.append(word)
            word = ""
        else:
            word += ch
    return [*found, word] if word else found


def _script_session(prompt: str) -> list[dict]:
    path = os.environ["YGS_FAKE_CLAUDE_SCRIPT"]
    script = json.loads(Path(path).read_text(encoding="utf-8"))
    key = ""
    if "tasks" in script:
        found = re.search(r"TASK-\d+", prompt)
        key = found.group(0) if found else ""
        script = script["tasks"].get(key) or {"sessions": [[{"end": "no script for this task"}]]}
    sessions = script["sessions"]
    return sessions[min(_count(path, key), len(sessions) - 1)]


def main(argv: list[str]) -> int:
    if "--version" in argv:
        print("2.1.0 (Claude Code, fake)")
        return 0
    prompt = sys.stdin.read()
    _log(argv, prompt)
    if _value(argv, "--output-format") == "stream-json" and os.environ.get(
        "YGS_FAKE_CLAUDE_SCRIPT"
    ):
        agent = Agent(argv, prompt)
        return agent.run(_script_session(prompt))
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
