"""Semantic Versioning 2.0.0: parse, compare, bump (pure).

The grammar is the one from semver.org, matched without nested quantifiers: each part is a
run of one character class, and a version is split on its fixed separators before any part
is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("major", "minor", "patch")
_NUMBER = re.compile(r"0|[1-9][0-9]*")
_IDENT = re.compile(r"[0-9A-Za-z-]+")
_DIGITS = re.compile(r"[0-9]+")


class VersionError(ValueError):
    """Not a SemVer 2.0.0 version; `message` says which part is wrong."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(f"'{text}' is not a SemVer 2.0.0 version: {message}")
        self.text = text
        self.message = message


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def core(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    @property
    def stable(self) -> bool:
        """1.0.0 or later, without a prerelease: the public API is declared."""
        return self.major >= 1 and not self.pre

    def key(self) -> tuple:
        """Precedence (build metadata is ignored, a prerelease sorts before its release)."""
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (*self.core, 0 if self.pre else 1, pre)

    def __lt__(self, other: Version) -> bool:
        return self.key() < other.key()

    def __le__(self, other: Version) -> bool:
        return self.key() <= other.key()


def _identifiers(text: str, part: str, whole: str, *, numeric_rule: bool) -> tuple[str, ...]:
    items = tuple(text.split("."))
    for item in items:
        if not item:
            raise VersionError(whole, f"an empty {part} identifier")
        if not _IDENT.fullmatch(item):
            raise VersionError(
                whole, f"{part} identifier '{item}' has a character outside 0-9A-Za-z-"
            )
        if numeric_rule and _DIGITS.fullmatch(item) and len(item) > 1 and item[0] == "0":
            raise VersionError(whole, f"numeric {part} identifier '{item}' has a leading zero")
    return items


def parse(text: str) -> Version:
    """A Version, or VersionError naming what is wrong ('v' prefixes are refused too)."""
    whole = text
    if not isinstance(text, str) or not text.strip():
        raise VersionError(str(text), "it is empty")
    if text != text.strip():
        raise VersionError(text, "it has surrounding spaces")
    build: tuple[str, ...] = ()
    if "+" in text:
        text, meta = text.split("+", 1)
        build = _identifiers(meta, "build", whole, numeric_rule=False)
    pre: tuple[str, ...] = ()
    if "-" in text:
        text, tail = text.split("-", 1)
        pre = _identifiers(tail, "prerelease", whole, numeric_rule=True)
    parts = text.split(".")
    if len(parts) != 3:
        raise VersionError(whole, "expected MAJOR.MINOR.PATCH")
    numbers = []
    for name, part in zip(LEVELS, parts, strict=True):
        if not _NUMBER.fullmatch(part):
            problem = "has a leading zero" if _DIGITS.fullmatch(part) else "is not a number"
            raise VersionError(whole, f"{name} '{part}' {problem}")
        numbers.append(int(part))
    return Version(*numbers, pre=pre, build=build)


def bump(version: Version, level: str, pre: str | None = None) -> Version:
    """The next version.

    major/minor/patch: a prerelease of exactly that release is released (1.2.0-rc.1, minor →
    1.2.0), otherwise that number goes up and the lower ones reset. With `pre` (e.g. "rc"),
    the result is the first prerelease of it: 1.2.3, minor, pre rc → 1.3.0-rc.1.
    `prerelease`: the last numeric identifier of the prerelease goes up (1.3.0-rc.1 →
    1.3.0-rc.2); on a release it starts the next patch's prerelease (`pre`, default rc).
    """
    if level == "prerelease":
        return _next_pre(version, pre or "rc")
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}': one of major, minor, patch, prerelease")
    major, minor, patch = version.core
    releasing = bool(version.pre) and not pre
    if level == "major":
        target = (major, 0, 0) if releasing and (minor, patch) == (0, 0) else (major + 1, 0, 0)
    elif level == "minor":
        target = (major, minor, 0) if releasing and patch == 0 else (major, minor + 1, 0)
    else:
        target = (major, minor, patch) if releasing else (major, minor, patch + 1)
    return Version(*target, pre=(pre, "1") if pre else ())


def _next_pre(version: Version, label: str) -> Version:
    if not version.pre:
        return Version(version.major, version.minor, version.patch + 1, pre=(label, "1"))
    pre = list(version.pre)
    for i in range(len(pre) - 1, -1, -1):
        if pre[i].isdigit():
            pre[i] = str(int(pre[i]) + 1)
            return Version(*version.core, pre=tuple(pre))
    return Version(*version.core, pre=(*pre, "1"))


def level_between(old: Version, new: Version) -> str:
    """Which level separates two versions (for checking a bump against the changes)."""
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    return "patch"
