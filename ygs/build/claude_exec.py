"""The claude-code executor: `claude -p` drives the edits, ygs drives `claude`.

    claude -p --output-format stream-json --verbose --model M --max-turns N
           --max-budget-usd X --permission-mode dontAsk --allowedTools … --settings JSON
           --append-system-prompt SKILL            (the prompt and context.md on stdin)

`dontAsk` denies every tool not on the allowlist: reading and editing files, and in the
shell only the configured build and test commands and `ygs test`, `ygs guard status`,
`ygs checkpoint`, `ygs deviation`. The settings add the guard hook for this session
(PreToolUse, PostToolUse, Stop; in a driven run the hook also runs the checkpoints that
fall due) and deny reading `.env*` and key files. `--dangerously-skip-permissions` is
passed only on the user's explicit opt-in. The stream is shown as it comes (with the
run's file counts on a terminal) and kept in conversation.jsonl; a fix turn resumes the
same session (`--resume`). The process runs in its own process group under the run's
timeout; the whole group is killed on expiry, or when ygs itself is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import threading

from ygs.build.drive import Driver, Turn
from ygs.build.pathrules import SECRET_GLOBS
from ygs.errors import Exit, YgsError

FILE_TOOLS = ("Read", "Glob", "Grep", "Edit", "MultiEdit", "Write", "NotebookEdit")
YGS_COMMANDS = ("ygs test", "ygs build", "ygs guard status", "ygs checkpoint", "ygs deviation")
DENIED = ("WebFetch", "WebSearch", "Bash(git push *)", "Bash(curl *)", "Bash(wget *)")
_GRACE_S = 3.0


def allowed_tools(test_command: str | None, build_command: str | None) -> list[str]:
    """The allowlist: file tools, and in the shell only these commands (with arguments)."""
    found = list(FILE_TOOLS)
    for command in (test_command, build_command, *YGS_COMMANDS):
        if command and command.strip():
            text = " ".join(command.split())
            found += [f"Bash({text})", f"Bash({text} *)"]
    return list(dict.fromkeys(found))


def settings(hook_command: str, hook_timeout_s: int) -> dict:
    """`--settings` for the session: the guard hook, and no reading of secret files."""
    from ygs.install.targets.claude import hook_config

    hooks = hook_config(hook_command)
    for groups in hooks.values():
        for group in groups:
            for hook in group["hooks"]:
                hook["timeout"] = hook_timeout_s
    deny = [f"{tool}(**/{glob})" for glob in SECRET_GLOBS for tool in ("Read", "Edit")]
    return {"hooks": hooks, "permissions": {"deny": deny}}


def command(
    exe: str,
    *,
    model: str,
    max_turns: int,
    max_cost: float | None,
    allowed: list[str],
    settings_json: str,
    system: str,
    resume: str | None = None,
    skip_permissions: bool = False,
) -> list[str]:
    argv = [exe, "-p", "--output-format", "stream-json", "--verbose", "--model", model]
    argv += ["--max-turns", str(max_turns)]
    if max_cost is not None:
        argv += ["--max-budget-usd", f"{max_cost:.4f}"]
    if skip_permissions:
        argv.append("--dangerously-skip-permissions")
    else:
        argv += ["--permission-mode", "dontAsk"]
    argv += ["--allowedTools", *allowed, "--disallowedTools", *DENIED]
    argv += ["--settings", settings_json, "--append-system-prompt", system]
    if resume:
        argv += ["--resume", resume]
    return argv


class ClaudeExecutor:
    name = "claude-code"

    def __init__(self, *, model: str, system: str, allowed: list[str], settings_json: str):
        exe = shutil.which("claude")
        if exe is None:
            raise YgsError(
                "the `claude` CLI is not on PATH",
                code=Exit.UNAVAILABLE,
                remedy="npm install -g @anthropic-ai/claude-code, or use --executor anthropic",
            )
        self.exe = exe
        self.model = model
        self.system = system
        self.allowed = allowed
        self.settings_json = settings_json
        self.session_id: str | None = None
        self.context = ""

    def start(self, driver: Driver, prompt: str, context: str) -> Turn:
        self.context = context
        return self._run(driver, f"{prompt}\n\n{context}", resume=None)

    def fix(self, driver: Driver, note: str) -> Turn:
        if self.session_id:
            return self._run(driver, note, resume=self.session_id)
        return self._run(driver, f"{note}\n\n{self.context}", resume=None)

    def _argv(self, driver: Driver, resume: str | None) -> list[str] | Turn:
        limits = driver.limits
        budget = None
        if limits.max_cost is not None:
            budget = limits.max_cost - driver.usage.cost_usd
            if budget <= 0:
                return Turn(
                    stopped_by="budget", reason=f"the budget of ${limits.max_cost:g} is spent"
                )
        turns = limits.max_turns - driver.usage.turns
        if turns <= 0:
            return Turn(stopped_by="max_turns", reason=f"{limits.max_turns} turns used")
        return command(
            self.exe,
            model=self.model,
            max_turns=turns,
            max_cost=budget,
            allowed=self.allowed,
            settings_json=self.settings_json,
            system=self.system,
            resume=resume,
            skip_permissions=limits.skip_permissions,
        )

    def _run(self, driver: Driver, stdin: str, *, resume: str | None) -> Turn:
        argv = self._argv(driver, resume)
        if isinstance(argv, Turn):
            return argv
        if driver.remaining() <= 0:
            return Turn(stopped_by="timeout", reason=f"timeout after {driver.limits.timeout_s:g} s")
        driver.conversation.add("start", argv=[a if len(a) < 200 else "…" for a in argv])
        stderr = open(driver.run.folder / "claude_stderr.txt", "ab")  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                argv,
                cwd=driver.top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
            )
        finally:
            stderr.close()
        from ygs.build.runner import _release, _watch

        watcher = _watch(proc.pid)
        try:
            return self._stream(driver, proc, stdin)
        finally:
            _stop(proc)
            _release(watcher)

    def _stream(self, driver: Driver, proc: subprocess.Popen, stdin: str) -> Turn:
        lines: queue.Queue = queue.Queue()

        def feed() -> None:
            try:
                proc.stdin.write(stdin.encode())
                proc.stdin.close()
            except OSError:
                pass

        def pump() -> None:
            for raw in iter(proc.stdout.readline, b""):
                lines.put(raw)
            lines.put(None)

        threading.Thread(target=feed, daemon=True).start()
        threading.Thread(target=pump, daemon=True).start()
        result = None
        while True:
            left = driver.remaining()
            if left <= 0:
                return Turn(
                    stopped_by="timeout", reason=f"timeout after {driver.limits.timeout_s:g} s"
                )
            try:
                raw = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if raw is None:
                break
            event = self._event(driver, raw)
            if isinstance(event, dict) and event.get("type") == "result":
                result = event
        proc.wait()
        return self._turn(driver, result, proc.returncode)

    def _event(self, driver: Driver, raw: bytes):
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return None
        try:
            event = json.loads(text)
        except ValueError:
            driver.conversation.add("claude", raw=text)
            return None
        driver.conversation.add("claude", event=event)
        if isinstance(event, dict):
            show(driver, event)
            if event.get("session_id"):
                self.session_id = str(event["session_id"])
        return event

    def _turn(self, driver: Driver, result: dict | None, code: int | None) -> Turn:
        if result is None:
            return Turn(stopped_by="model", reason=f"`claude` exited {code} without a result")
        usage = result.get("usage") or {}
        driver.usage.cost_usd += float(result.get("total_cost_usd") or 0.0)
        driver.usage.turns += int(result.get("num_turns") or 0)
        driver.usage.input_tokens += int(usage.get("input_tokens") or 0)
        driver.usage.output_tokens += int(usage.get("output_tokens") or 0)
        driver.usage.cache_read_tokens += int(usage.get("cache_read_input_tokens") or 0)
        driver.usage.cache_write_tokens += int(usage.get("cache_creation_input_tokens") or 0)
        subtype = str(result.get("subtype") or "")
        text = str(result.get("result") or "")
        if subtype == "error_max_budget_usd":
            return Turn(text=text, stopped_by="budget", reason="claude reached --max-budget-usd")
        if subtype == "error_max_turns":
            return Turn(text=text, stopped_by="max_turns", reason="claude reached --max-turns")
        if result.get("is_error") or subtype not in ("", "success"):
            return Turn(
                text=text, stopped_by="model", reason=f"claude ended with {subtype or 'an error'}"
            )
        return Turn(text=text)


def show(driver: Driver, event: dict) -> None:
    """One line per tool call and per refusal; the agent's words in short."""
    kind = event.get("type")
    content = (event.get("message") or {}).get("content")
    if kind == "system" and event.get("subtype") == "init":
        driver.echo(f"claude session {event.get('session_id', '?')} ({event.get('model', '?')})")
    if not isinstance(content, list):
        return
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "tool_use":
            args = block.get("input") if isinstance(block.get("input"), dict) else {}
            target = args.get("file_path") or args.get("command") or args.get("pattern") or ""
            driver.echo(f"→ {block.get('name')} {str(target)[:140]}")
        elif block.get("type") == "tool_result" and block.get("is_error"):
            body = block.get("content")
            first = body if isinstance(body, str) else json.dumps(body)
            driver.echo(f"  refused: {first.splitlines()[0][:160] if first else ''}")
            driver.progress()
        elif block.get("type") == "tool_result":
            driver.progress()
        elif block.get("type") == "text" and kind == "assistant":
            for line in str(block.get("text") or "").strip().splitlines()[-2:]:
                driver.echo(f"  {line[:160]}")


def _stop(proc: subprocess.Popen) -> None:
    """End the process group: TERM, a grace period, then KILL."""
    if proc.poll() is None:
        _signal(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal(proc.pid, signal.SIGKILL)
            proc.wait()
    _signal(proc.pid, signal.SIGKILL)


def _signal(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
