"""Detect languages and the build/test/lint commands from a project's files.

Pure: the caller passes the contents of the marker files found at the root and
the set of file extensions seen. Exactly one test command is chosen, never a
chain of guesses.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

MARKERS = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "tox.ini",
    "pytest.ini",
    "conftest.py",
    "requirements.txt",
    "package.json",
    "tsconfig.json",
    "Cargo.toml",
    "go.mod",
    "Makefile",
    "pom.xml",
    "build.gradle",
    "Gemfile",
)

_NPM_PLACEHOLDER = "no test specified"


@dataclass(frozen=True)
class Detected:
    languages: list[str]
    build: str | None = None
    test: str | None = None
    lint: str | None = None
    notes: list[str] = field(default_factory=list)


def _languages(files: Mapping[str, str], extensions: set[str]) -> list[str]:
    found = []
    rules = (
        ("python", {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"}, {".py"}),
        ("typescript", {"tsconfig.json"}, {".ts", ".tsx"}),
        ("javascript", {"package.json"}, {".js", ".jsx", ".mjs"}),
        ("rust", {"Cargo.toml"}, {".rs"}),
        ("go", {"go.mod"}, {".go"}),
        ("java", {"pom.xml", "build.gradle"}, {".java"}),
        ("ruby", {"Gemfile"}, {".rb"}),
    )
    for name, markers, exts in rules:
        if markers & files.keys() or exts & extensions:
            found.append(name)
    return found


def _make_targets(makefile: str) -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", makefile, flags=re.M))


def _uses_pytest(files: Mapping[str, str], notes: list[str]) -> bool:
    if {"pytest.ini", "conftest.py"} & files.keys():
        return True
    if "[tool:pytest]" in files.get("setup.cfg", "") or "[pytest]" in files.get("tox.ini", ""):
        return True
    text = files.get("pyproject.toml")
    if text is None:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        notes.append(f"pyproject.toml is not valid TOML ({err}); pytest not detected from it")
        return False
    if "pytest" in data.get("tool", {}):
        return True
    project = data.get("project", {})
    deps = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        deps.extend(extra)
    for group in data.get("dependency-groups", {}).values():
        deps.extend(d for d in group if isinstance(d, str))
    return any(re.match(r"pytest\b", str(d)) for d in deps)


def _npm_scripts(files: Mapping[str, str], notes: list[str]) -> dict[str, str]:
    text = files.get("package.json")
    if text is None:
        return {}
    try:
        scripts = json.loads(text).get("scripts", {})
    except (json.JSONDecodeError, AttributeError):
        notes.append("package.json is not valid JSON; npm scripts not detected")
        return {}
    return (
        {k: v for k, v in scripts.items() if isinstance(v, str)}
        if isinstance(scripts, dict)
        else {}
    )


def detect(files: Mapping[str, str], extensions: set[str]) -> Detected:
    notes: list[str] = []
    languages = _languages(files, extensions)
    scripts = _npm_scripts(files, notes)
    targets = _make_targets(files.get("Makefile", ""))
    npm_test = scripts.get("test")
    if npm_test and _NPM_PLACEHOLDER in npm_test:
        notes.append("package.json has only npm's placeholder test script; npm test not used")
        npm_test = None
    tests = [
        ("pytest", "python" in languages and _uses_pytest(files, notes)),
        ("npm test", bool(npm_test)),
        ("cargo test", "Cargo.toml" in files),
        ("go test ./...", "go.mod" in files),
        ("make test", "test" in targets),
    ]
    builds = [
        ("npm run build", "build" in scripts),
        ("cargo build", "Cargo.toml" in files),
        ("go build ./...", "go.mod" in files),
        ("make", bool({"all", "build"} & targets)),
    ]
    lints = [
        ("ruff check .", "[tool.ruff" in files.get("pyproject.toml", "")),
        ("npm run lint", "lint" in scripts),
        ("cargo clippy", "Cargo.toml" in files),
        ("make lint", "lint" in targets),
    ]
    test = next((cmd for cmd, ok in tests if ok), None)
    if "python" in languages and test is None:
        notes.append("Python project without pytest configuration: set commands.test yourself")
    return Detected(
        languages=languages,
        build=next((cmd for cmd, ok in builds if ok), None),
        test=test,
        lint=next((cmd for cmd, ok in lints if ok), None),
        notes=notes,
    )
