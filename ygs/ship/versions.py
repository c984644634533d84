"""Where a project keeps its version, and how to change it by editing one line (pure).

Sources: pyproject.toml (`[project] version`, or a dynamic version kept by hatch
`[tool.hatch.version] path` or setuptools `[tool.setuptools.dynamic] version = {attr|file}`),
package.json (top-level `"version"`), Cargo.toml (`[package] version`, or
`[workspace.package]` when the package takes it from the workspace), a `VERSION` file, and
`__version__ = "…"` in a package's `__init__.py`. Only the characters of the version string
change; every other byte of the file stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ygs.ship.semver import Version, VersionError, parse

_ASSIGN = re.compile(r"""^[ \t]*version[ \t]*=[ \t]*(["'])([^"'\n]*)\1""")
_TABLE = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]\n]+?)[ \t]*\]\]?")
_DUNDER = re.compile(r"""^__version__[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*(["'])([^"'\n]*)\1""")


@dataclass(frozen=True)
class Spot:
    """One place a version is written: file, 1-based line, column span of the value."""

    path: str
    line: int
    start: int
    end: int
    value: str
    kind: str  # pyproject | package.json | cargo | VERSION | __version__

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def version(self) -> Version:
        return parse(self.value)

    def to_dict(self) -> dict:
        return {"file": self.path, "line": self.line, "kind": self.kind, "value": self.value}


class SourceError(ValueError):
    def __init__(self, message: str, path: str, line: int | None = None, remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.path, self.line, self.remedy = message, path, line, remedy


def _in_table(text: str, table: str) -> tuple[int, re.Match] | None:
    current = ""
    for i, line in enumerate(text.split("\n")):
        header = _TABLE.match(line)
        if header:
            current = header.group(1).strip()
            continue
        if current == table:
            found = _ASSIGN.match(line)
            if found:
                return i, found
    return None


def _spot(path: str, kind: str, hit: tuple[int, re.Match] | None) -> Spot | None:
    if hit is None:
        return None
    i, match = hit
    return Spot(path, i + 1, match.start(2), match.end(2), match.group(2), kind)


def _toml(text: str, path: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise SourceError(f"not valid TOML: {err}", path, line, "fix the file") from None


@dataclass(frozen=True)
class Pyproject:
    spot: Spot | None  # a static [project] version
    name: str
    hatch_path: str | None = None  # [tool.hatch.version] path
    attr: str | None = None  # setuptools dynamic attr: "pkg.__version__"
    file: str | None = None  # setuptools dynamic file


def pyproject(text: str, path: str = "pyproject.toml") -> Pyproject:
    data = _toml(text, path)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    name = str(project.get("name") or "")
    spot = _spot(path, "pyproject", _in_table(text, "project")) if "version" in project else None
    hatch = (tool.get("hatch") or {}).get("version") or {}
    dynamic = ((tool.get("setuptools") or {}).get("dynamic") or {}).get("version") or {}
    files = dynamic.get("file") if isinstance(dynamic, dict) else None
    if isinstance(files, list):
        files = files[0] if files else None
    return Pyproject(
        spot,
        name,
        hatch_path=hatch.get("path") if isinstance(hatch, dict) else None,
        attr=dynamic.get("attr") if isinstance(dynamic, dict) else None,
        file=files if isinstance(files, str) else None,
    )


def cargo(text: str, path: str = "Cargo.toml") -> Spot | None:
    data = _toml(text, path)
    package = data.get("package") if isinstance(data.get("package"), dict) else {}
    version = package.get("version")
    if isinstance(version, str):
        return _spot(path, "cargo", _in_table(text, "package"))
    workspace = (data.get("workspace") or {}).get("package") or {}
    if isinstance(workspace.get("version"), str):
        return _spot(path, "cargo", _in_table(text, "workspace.package"))
    return None


def package_json(text: str, path: str = "package.json") -> Spot | None:
    """The top-level "version" value, found by one pass over the JSON text."""
    import json

    try:
        data = json.loads(text)
    except ValueError as err:
        raise SourceError(f"not valid JSON: {err.msg}", path, err.lineno, "fix the file") from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return None
    depth, i, key, expect_value = 0, 0, None, False
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            value = text[i + 1 : end]
            if depth == 1 and expect_value:
                if key == "version":
                    line = text.count("\n", 0, i) + 1
                    column = i - (text.rfind("\n", 0, i) + 1)
                    return Spot(
                        path, line, column + 1, column + 1 + len(value), value, "package.json"
                    )
                expect_value = False
            elif depth == 1:
                key = value
            i = end + 1
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        elif ch == ":" and depth == 1:
            expect_value = True
        elif ch == "," and depth == 1:
            expect_value = False
        i += 1
    return None


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text)


def dunder(text: str, path: str) -> Spot | None:
    for i, line in enumerate(text.split("\n")):
        match = _DUNDER.match(line)
        if match:
            return Spot(path, i + 1, match.start(2), match.end(2), match.group(2), "__version__")
    return None


def version_file(text: str, path: str = "VERSION") -> Spot | None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            start = len(line) - len(line.lstrip())
            value = line.strip()
            return Spot(path, i + 1, start, start + len(value), value, "VERSION")
    return None


def replace(text: str, spot: Spot, new: str) -> str:
    """The file with the version at `spot` replaced; nothing else changes."""
    lines = text.split("\n")
    line = lines[spot.line - 1]
    if line[spot.start : spot.end] != spot.value:
        raise SourceError(
            f"the version moved since it was read ({spot.value})", spot.path, spot.line
        )
    lines[spot.line - 1] = line[: spot.start] + new + line[spot.end :]
    return "\n".join(lines)


Reader = Callable[[str], str | None]  # relative path -> text, or None when the file is absent


def _module_files(attr: str) -> list[str]:
    module = attr.rsplit(".", 1)[0] if "." in attr else attr
    base = module.replace(".", "/")
    return [f"{base}/__init__.py", f"src/{base}/__init__.py", f"{base}.py", f"src/{base}.py"]


def find(read: Reader, packages: list[str]) -> list[Spot]:
    """Every version source of the project. `packages`: candidate `__init__.py` files (the
    top-level packages), checked for `__version__`."""
    spots: list[Spot] = []
    named: list[str] = []
    text = read("pyproject.toml")
    if text is not None:
        info = pyproject(text)
        if info.spot is not None:
            spots.append(info.spot)
        if info.hatch_path:
            named.append(info.hatch_path)
        if info.attr:
            named += _module_files(info.attr)
        if info.file:
            named.append(info.file)
    for rel, finder in (("package.json", package_json), ("Cargo.toml", cargo)):
        text = read(rel)
        if text is not None:
            spot = finder(text, rel)
            if spot is not None:
                spots.append(spot)
    for rel in dict.fromkeys([*named, "VERSION", *packages]):
        text = read(rel)
        if text is None or any(s.path == rel for s in spots):
            continue
        is_python = rel.endswith(".py")
        spot = dunder(text, rel) if is_python else version_file(text, rel)
        if spot is not None:
            spots.append(spot)
    return spots


def current(spots: list[Spot]) -> Version:
    """The one version all sources agree on; SourceError naming both sides otherwise."""
    if not spots:
        raise SourceError(
            "no version source found (pyproject.toml, package.json, Cargo.toml, VERSION or "
            "__version__)",
            ".",
            remedy='add a version to one of them, e.g. `version = "0.1.0"` in pyproject.toml',
        )
    parsed = []
    for spot in spots:
        try:
            parsed.append((spot, spot.version()))
        except VersionError as err:
            raise SourceError(
                f"malformed version: {err}",
                spot.path,
                spot.line,
                "write it as MAJOR.MINOR.PATCH, e.g. 1.4.0 or 2.0.0-rc.1",
            ) from None
    first_spot, first = parsed[0]
    for spot, version in parsed[1:]:
        if version != first:
            raise SourceError(
                f"version sources disagree: {first_spot.where} says {first}, {spot.where} says "
                f"{version}",
                spot.path,
                spot.line,
                "make them equal (edit one of them by hand), then run `ygs version bump` again",
            )
    return first
