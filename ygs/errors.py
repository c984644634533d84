"""Exit codes and the one error type the shell turns into a message.

The pure core returns problems as values (``Finding``); the shell raises
``YgsError`` to stop a command with a clear message and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # usage error or bad input
    BLOCKED = 3  # needs a human decision
    TESTS_FAILING = 4
    UNAVAILABLE = 5  # model unavailable, budget exceeded, timeout
    INTERNAL = 70  # a bug in ygs


class YgsError(Exception):
    """Stops a command: one line naming the file and line, and a remedy.

    Its texts are redacted when it is made (an API error that echoes a key, a config
    line with a password), so no printer, log or JSON report can show a secret.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int = Exit.USAGE,
        path: str | None = None,
        line: int | None = None,
        remedy: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        from ygs.core.secrets import redact

        message = redact(message)
        super().__init__(message)
        self.message = message
        self.code = int(code)
        self.path = path
        self.line = line
        self.remedy = redact(remedy) if remedy else remedy
        self.details = [redact(d) for d in details or []]

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {
            "message": self.message,
            "file": self.path,
            "line": self.line,
            "remedy": self.remedy,
            "details": self.details,
        }
