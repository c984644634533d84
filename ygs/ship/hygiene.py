"""Diff hygiene for the ship gate (pure): what the change adds that must not ship.

Files: `.env` files (an example file with no values is allowed), key and credential files,
build artifacts and generated output, large binaries. Lines the change adds: debug output,
debuggers, temporary debug tags, focused or skipped tests, conflict markers. Every pattern
is a plain substring or a single-pass regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_ARTIFACT_DIRS = frozenset(
    {"dist", "build", "target", "node_modules", "__pycache__", ".pytest_cache", "coverage"}
    | {"htmlcov", ".mypy_cache", ".ruff_cache", ".tox", ".next", "out"}
)
_ARTIFACT_SUFFIXES = (".pyc", ".pyo", ".class", ".o", ".so", ".dll", ".exe", ".dylib", ".a")
_ARTIFACT_NAMES = frozenset({".DS_Store", "Thumbs.db", ".coverage", "coverage.xml", "lcov.info"})
_KEY_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".asc", ".ppk")
_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc", ".pgpass"})
_ENV_EXAMPLES = (".example", ".sample", ".template", ".dist")
_TEST_FILE = re.compile(
    r"(^|/)(tests?|spec|__tests__)/|(^|/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$"
)

# (kind, pattern, what it is): searched in lines the change adds
_LINE_RULES: tuple[tuple[str, re.Pattern, str], ...] = (
    ("conflict", re.compile(r"^(<{7}|={7}|>{7})( |$)"), "merge-conflict marker"),
    (
        "debugger",
        re.compile(r"\bbreakpoint\(\)|\bimport pdb\b|\bpdb\.set_trace\(|\bipdb\."),
        "debugger",
    ),
    ("debugger", re.compile(r"^\s*debugger;?\s*$|\bbinding\.pry\b|^\s*byebug\s*$"), "debugger"),
    (
        "debug",
        re.compile(r"\bconsole\.(log|debug)\(|\bdbg!\(|\bvar_dump\(|\bSystem\.out\.println\("),
        "debug output",
    ),
    (
        "debug",
        re.compile(r"YGS-DEBUG|XXX remove|HACK: temp|DEBUG: remove", re.IGNORECASE),
        "temporary debug tag",
    ),
    (
        "focused-test",
        re.compile(r"\b(describe|it|test|context)\.only\(|\bf(it|describe)\("),
        "focused test",
    ),
    (
        "skipped-test",
        re.compile(
            r"@pytest\.mark\.skip\b|\b(it|describe|test)\.skip\(|\bxit\(|@Disabled\b|@Ignore\b"
        ),
        "skipped test",
    ),
)
_PRINT = re.compile(r"^\s*print\(")


@dataclass(frozen=True)
class Hit:
    kind: str  # env | key | artifact | binary | conflict | debugger | debug | focused-test | …
    path: str
    line: int | None
    what: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "file": self.path, "line": self.line, "what": self.what}


def file_problem(path: str) -> tuple[str, str] | None:
    """(kind, what) when a file must not be added or changed by a release, else None."""
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else path
    lower = name.lower()
    if lower == ".env" or (lower.startswith(".env.") and not lower.endswith(_ENV_EXAMPLES)):
        return "env", "environment file (secrets)"
    if lower in _KEY_NAMES or lower.endswith(_KEY_SUFFIXES):
        return "key", "key or credential file"
    if any(p in _ARTIFACT_DIRS for p in parts[:-1]) or lower.endswith(_ARTIFACT_SUFFIXES):
        return "artifact", "build artifact or generated output"
    if name in _ARTIFACT_NAMES or lower.endswith((".egg-info", ".whl")):
        return "artifact", "build artifact or generated output"
    return None


def is_test_file(path: str) -> bool:
    return bool(_TEST_FILE.search(path))


def line_problems(path: str, added: dict[int, str]) -> list[Hit]:
    """Problems in the lines a file gains. `print(` counts only outside tests, scripts and
    command-line modules, where printing is the job."""
    hits = []
    quiet_print = (
        is_test_file(path) or "/cli/" in f"/{path}" or path.startswith(("bench/", "scripts/"))
    )
    for number, text in sorted(added.items()):
        for kind, pattern, what in _LINE_RULES:
            if kind in ("focused-test", "skipped-test") and not is_test_file(path):
                continue
            if pattern.search(text):
                hits.append(Hit(kind, path, number, what))
                break
        else:
            if path.endswith(".py") and not quiet_print and _PRINT.search(text):
                hits.append(Hit("debug", path, number, "print() in library code"))
    return hits


def scan(files: list[tuple[str, str, bool, int, dict[int, str]]], max_bytes: int) -> list[Hit]:
    """Each file as (path, status, binary, size in bytes, added lines by number)."""
    hits: list[Hit] = []
    for path, status, binary, size, added in files:
        if status == "deleted":
            continue
        problem = file_problem(path)
        if problem is not None:
            hits.append(Hit(problem[0], path, None, problem[1]))
            continue
        if binary and size > max_bytes:
            hits.append(Hit("binary", path, None, f"binary file of {size:,} bytes"))
            continue
        hits.extend(line_problems(path, added))
    return hits
