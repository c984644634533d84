"""Global options and the two ways a command speaks: human text or one JSON object."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


class Options:
    """Global options; plain class (no dataclasses import on the start-up path)."""

    def __init__(self) -> None:
        self.json = False
        self.non_interactive = False
        self.directory: Path | None = None
        self.verbosity = 0  # -1 quiet, 0 normal, 1+ verbose
        self.command = ""
        self.emitted = False
        # the command is done with a large heap and holds nothing that needs closing: the
        # process may end without freeing it, object by object (see ygs.__main__)
        self.quick_exit = False

    @property
    def interactive(self) -> bool:
        if self.non_interactive or os.environ.get("CI") or os.environ.get("PRE_COMMIT"):
            return False
        return sys.stdin.isatty()

    @property
    def cwd(self) -> Path:
        return self.directory or Path.cwd()


OPTS = Options()


def reset(options: Options) -> None:
    global OPTS
    OPTS = options


def opts() -> Options:
    return OPTS


def console(stderr: bool = False):
    from rich.console import Console

    return Console(
        file=sys.stderr if stderr else sys.stdout,
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        soft_wrap=not (sys.stderr if stderr else sys.stdout).isatty(),
    )


def log(message: str, *, level: int = 0) -> None:
    """Progress and notes: stderr, hidden by -q, extra detail only with -v. Redacted."""
    if OPTS.verbosity >= level and OPTS.verbosity >= 0:
        from ygs.core.secrets import redact

        sys.stderr.write(redact(message.rstrip("\n")) + "\n")
        sys.stderr.flush()


def emit(
    data: dict[str, object], human: Callable[[object], None] | None = None, code: int = 0
) -> int:
    """Print the result: one JSON object with --json, else the human rendering."""
    OPTS.emitted = True
    if OPTS.json:
        import json

        payload = {"command": OPTS.command, "ok": code == 0, "exit_code": code, **data}
        # Indented for a person at a terminal; one line for a pipe, written by json's C
        # encoder (indenting forces the pure-Python one: 10x slower on a 5,000-task plan).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str, indent=indent) + "\n")
    elif human is not None:
        human(console())
    return code


def plain(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")
