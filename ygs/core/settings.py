"""Configuration schema and merging: pure.

Keys are dotted (``model.backend``); files hold them nested. Every value is
parsed into its declared type at the edge, and every problem names the key.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # str | int | float | bool | list | map | choice | folder
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    nullable: bool = False
    user_only: bool = False  # secrets live only in the user config
    check: Callable[[Any], None] | None = None  # raises ValueError for a bad value

    @property
    def env(self) -> str:
        return "YGS_" + self.name.upper().replace(".", "_").replace("-", "_")


SCHEMA: dict[str, Key] = {
    k.name: k
    for k in (
        Key("project.name", "str", None, "project name (default: the folder name)", nullable=True),
        Key("project.languages", "list", [], "languages detected by ygs init"),
        Key("paths.docs", "folder", "docs", "root of the docs tree"),
        Key("paths.tasks", "folder", "tasks", "root of the task folders"),
        Key("commands.build", "str", None, "build command", nullable=True),
        Key("commands.test", "str", None, "test command", nullable=True),
        Key("commands.lint", "str", None, "lint command", nullable=True),
        Key("commands.timeout_s", "int", 900, "timeout for build and test commands, seconds"),
        Key("git.base_branch", "str", "main", "branch that changes are compared against"),
        Key(
            "model.backend",
            "choice",
            "auto",
            "auto, anthropic, claude-code or offline",
            choices=("auto", "anthropic", "claude-code", "offline"),
        ),
        Key("model.reasoning", "str", "claude-opus-5-5", "model for reasoning-heavy phases"),
        Key("model.fast", "str", "claude-sonnet-5-5", "model for mechanical phases"),
        Key("model.max_cost_usd", "float", 5.0, "budget per command run, USD"),
        Key("model.timeout_s", "float", 120.0, "timeout per model call, seconds"),
        Key("model.max_tokens", "int", 8192, "max output tokens per model call"),
        Key("model.max_retries", "int", 4, "retries on 429, 5xx and overloaded replies"),
        Key(
            "model.prices",
            "map",
            {},
            "USD per million tokens by model: {model: {input, output}}",
            check=lambda v: _check_prices(v),
        ),
        Key(
            "anthropic.api_key",
            "str",
            None,
            "API key (user config only)",
            nullable=True,
            user_only=True,
        ),
        Key("skills.paths", "list", [], "extra skill pack folders, loaded last"),
        Key("guard.unplanned_files", "int", 3, "unplanned touched files that stop a run"),
        Key("guard.checkpoint_every", "int", 5, "touched files between checkpoints"),
        Key("guard.max_fix_attempts", "int", 3, "times red tests go back to the agent"),
        Key(
            "implement.executor",
            "choice",
            "manual",
            "who edits in `ygs implement`: manual, claude-code or anthropic",
            choices=("manual", "claude-code", "anthropic"),
        ),
        Key("implement.timeout_s", "int", 2700, "wall-clock limit of a driven run, seconds"),
        Key("implement.max_turns", "int", 80, "model turns a driven run may take"),
        Key(
            "team.capacity",
            "map",
            {},
            "percent of time: {feature, ktlo, oncall, vacation, meetings, new_team}",
        ),
        Key(
            "check.rules",
            "map",
            {},
            "per-rule severity override: {RULE: must|should|may|off}",
            check=lambda v: _check_levels(v),
        ),
        Key(
            "review.rules",
            "map",
            {},
            "per-rule severity override: {RULE: must|should|may|off}",
            check=lambda v: _check_levels(v, strict=True),
        ),
        Key(
            "review.fail_on",
            "choice",
            "must",
            "ygs review exits 1 at or above this severity",
            choices=("must", "should", "may", "never"),
        ),
        Key("review.max_lines", "int", 800, "changed lines above which a diff should be split"),
        Key("review.max_files", "int", 8, "changed files above which a diff should be split"),
        Key("review.huge_file_lines", "int", 5000, "changed lines that make a file too big"),
        Key("review.exclude", "list", [], "globs of paths ygs review skips (e.g. 'docs/*')"),
        Key("review.baseline", "str", ".ygs/review-baseline.json", "accepted review findings"),
        Key("review.chunk_tokens", "int", 12000, "diff tokens per model review call"),
        Key(
            "review.ruff",
            "str",
            None,
            "ruff command for the Python checks (default: the ruff installed with ygs; off: none)",
            nullable=True,
        ),
        Key(
            "review.fail_on_unreviewed",
            "bool",
            False,
            "exit 1 when a changed file was not fully reviewed (binary, huge)",
        ),
        Key(
            "trace.tests",
            "list",
            [
                "tests/**",
                "test/**",
                "spec/**",
                "**/*_test.*",
                "**/test_*.*",
                "**/*.test.*",
                "**/*.spec.*",
            ],
            "globs of test files scanned for `covers: REQ-NNN`",
        ),
        Key("ship.qa_min", "int", 40, "QA health (of 50) that ygs qa score and ship require"),
        Key("ship.max_file_kb", "int", 500, "binary files above this size fail the ship diff gate"),
        Key("ship.remote", "str", "origin", "remote `ygs ship --push` pushes the branch to"),
        Key(
            "qa.benchmark",
            "str",
            None,
            "benchmark command whose result is QA evidence",
            nullable=True,
        ),
        Key("learn.stale_days", "int", 180, "days after `reviewed` that a learning is stale"),
        Key(
            "trace.skip_statuses",
            "list",
            ["superseded"],
            "PRD/threat-model statuses the trace gate ignores",
        ),
    )
}

MAP_KEYS = {k for k, v in SCHEMA.items() if v.type == "map"}


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    line: int | None = None
    remedy: str = ""


def suggest(key: str) -> str:
    import difflib  # only for a key that is not known

    close = difflib.get_close_matches(key, SCHEMA, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return hint + "`ygs config list` shows every key"


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def coerce(key: Key, value: Any) -> Any:
    """A value (from YAML, env or the command line) in the key's type, or ValueError."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("null", "~")):
        if key.nullable:
            return None
        raise ValueError("must not be empty")
    typed = _COERCE[key.type](key, value)
    if key.check is not None:
        key.check(typed)
    return typed


def _str(key: Key, value: Any) -> str:
    if isinstance(value, bool | dict | list):
        raise ValueError(f"must be text, not {type(value).__name__}")
    return str(value)


def _int(key: Key, value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("must be a whole number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a whole number, not {value!r}") from None


def _float(key: Key, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _bool(key: Key, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"must be true or false, not {value!r}")


def _list(key: Key, value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(x, str | int | float) for x in value):
        return [str(x) for x in value]
    raise ValueError("must be a list of text values")


def _map(key: Key, value: Any) -> dict:
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return dict(value)
    raise ValueError("must be a mapping")


def _folder(key: Key, value: Any) -> str:
    """A folder inside the project, relative to its root, normalised (`docs/` is `docs`)."""
    text = _str(key, value).strip().replace("\\", "/")
    norm = posixpath.normpath(text) if text else "."
    if (
        norm == "."
        or norm == ".."
        or norm.startswith(("../", "/"))
        or re.match(r"^[A-Za-z]:", norm)
    ):
        raise ValueError(
            f"must be a folder inside the project, relative to its root (e.g. docs), not {text!r}"
        )
    return norm


LEVELS = ("must", "should", "may", "off")


def _check_levels(value: dict, strict: bool = False) -> None:
    """Severity words; `check.rules` also takes false/disable(d) for off."""
    for rule, level in value.items():
        word = str(level).strip().lower()
        if not strict and (level is False or level is None):
            word = "off"
        if word not in (*LEVELS, *(() if strict else ("false", "disable", "disabled"))):
            raise ValueError(f"{rule}: must be must, should, may or off, not {level!r}")


def _check_prices(value: dict) -> None:
    for model, entry in value.items():
        if not isinstance(entry, Mapping) or not entry or set(entry) - {"input", "output"}:
            raise ValueError(f"{model}: must be {{input: USD, output: USD}} per million tokens")
        for side, price in entry.items():
            if isinstance(price, bool) or not isinstance(price, int | float):
                raise ValueError(f"{model}.{side}: must be a number, not {price!r}")
            if not math.isfinite(price) or price < 0:
                raise ValueError(f"{model}.{side}: must be a finite number ≥ 0")


def _choice(key: Key, value: Any) -> str:
    text = _str(key, value)
    if text not in key.choices:
        raise ValueError(f"must be one of {', '.join(key.choices)}, not {text!r}")
    return text


_COERCE: dict[str, Callable[[Key, Any], Any]] = {
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "list": _list,
    "map": _map,
    "choice": _choice,
    "folder": _folder,
}


def flatten(
    tree: Any, lines: Mapping[str, int] | None = None, *, user_scope: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """Nested config to {dotted key: typed value}, with problems for bad keys or values."""
    lines = lines or {}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if tree is None:
        return values, problems
    if not isinstance(tree, Mapping):
        return values, [Problem("", "the config must be a mapping of keys", 1)]

    def walk(node: Mapping, prefix: str) -> None:
        for raw, value in node.items():
            name = f"{prefix}{raw}"
            line = lines.get(name)
            if name in SCHEMA:
                _accept(name, value, line, user_scope, values, problems)
            elif isinstance(value, Mapping) and any(k.startswith(name + ".") for k in SCHEMA):
                walk(value, name + ".")
            else:
                problems.append(Problem(name, f"unknown config key '{name}'", line, suggest(name)))

    walk(tree, "")
    return values, problems


def _accept(name, value, line, user_scope, values, problems) -> None:
    key = SCHEMA[name]
    if key.user_only and not user_scope:
        problems.append(
            Problem(
                name,
                f"'{name}' may only be set in the user config, never in a project file",
                line,
                "move it with `ygs config set --user`, and remove it from the project file",
            )
        )
        return
    try:
        values[name] = coerce(key, value)
    except ValueError as err:
        problems.append(Problem(name, f"'{name}' {err}", line, f"{name}: {key.doc}"))


def defaults() -> dict[str, Any]:
    return {name: key.default for name, key in SCHEMA.items()}
