"""Drive a real `ygs` interview through a pseudo-terminal (pexpect), answer by question key."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect

from tests.conftest import ygs_executable

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[>=]|\r")
HEADER_RAW = (
    r"\] \((?:question (\d+) of about (\d+)|\d+ so far)\)\s+"
    r"([a-z_]+(?:\[\d+\](?:\.[a-z_]+)?)?)\r?\n"
)
CONFIRM_RAW = r"Write [^?\n]+\? \[Y/n\]"
CHALLENGE_RAW = r"or `keep` to keep yours"


def clean(text: str) -> str:
    return ANSI.sub("", text)


class Interview:
    """ygs in a pty; `answer(typed)` replies by key until the process ends or `stop_after`."""

    def __init__(self, args: list[str], cwd: Path, env: dict | None = None, timeout: int = 20):
        exe = ygs_executable()
        self.child = pexpect.spawn(
            exe[0],
            [*exe[1:], *args],
            cwd=str(cwd),
            env={**os.environ, "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})},
            encoding="utf-8",
            timeout=timeout,
            dimensions=(50, 200),
        )
        self.child.delaybeforesend = None  # the prompts wait for input; no need to pause
        self.transcript = ""
        self.keys: list[str] = []

    def _send(self, value) -> None:
        self.child.expect("›")
        if isinstance(value, list):
            for item in value:
                self.child.sendline(item)
                self.child.expect("›")
            self.child.sendline("")
        else:
            self.child.sendline(value)

    def answer(
        self, typed: dict | None = None, stop_after: int | None = None, loop_limit: int = 0
    ) -> None:
        """Answer prompts by key (`typed`), Enter elsewhere; stop after `stop_after` answers.
        With `loop_limit`, a prompt asked more often than that fails: the interview loops."""
        typed = typed or {}
        patterns = [HEADER_RAW, CONFIRM_RAW, CHALLENGE_RAW, pexpect.EOF]
        while True:
            index = self.child.expect(patterns)
            self.transcript += clean(self.child.before or "") + clean(str(self.child.after))
            if index == 3:
                return
            if index == 0:
                if stop_after is not None and len(self.keys) >= stop_after:
                    return
                key = self.child.match.group(3)
                visit = self.keys.count(key)
                if loop_limit and visit >= loop_limit and "[" not in key:
                    raise AssertionError(f"'{key}' asked {visit + 1} times:\n{self.transcript}")
                self.keys.append(key)
                value = typed.get(key, "")
                if isinstance(value, tuple):  # one reply per visit: (first, second, …)
                    value = value[visit] if visit < len(value) else ""
                self._send(value)
            else:
                self.child.sendline("" if index == 1 else "keep")

    def kill(self) -> None:
        self.child.kill(9)
        self.child.close(force=True)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.transcript += clean(self.child.before or "")
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -1


def python_env() -> dict:
    return {"PYTHONPATH": os.pathsep.join(sys.path)}
