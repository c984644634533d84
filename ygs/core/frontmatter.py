"""Markdown with YAML frontmatter: parse and render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from ygs.core import yamltext

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True)
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the first body line
    has_frontmatter: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


_FIELDS = tuple(f.name for f in fields(Document))


def _document(*values: Any) -> Document:
    """`Document(*values)`, its fields set at once (not one `object.__setattr__` each, as
    the frozen dataclass's `__init__` does): every artifact file makes one."""
    doc = object.__new__(Document)
    doc.__dict__.update(zip(_FIELDS, values, strict=True))
    return doc


class FrontmatterError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str) -> Document:
    """Split frontmatter from body. Raises FrontmatterError naming the line."""
    text = text.removeprefix("\ufeff")
    found = _block(text)
    if found is None:
        return Document({}, text, 1)
    source, end, body_at = found
    if body_at < 0:
        raise FrontmatterError("frontmatter opened with '---' on line 1 is never closed", 1)
    simple = yamltext.load_simple_lines(source, 2)
    if simple is not None:  # every key is on a `key: value` line of its own
        return _document(simple[0], text[body_at:], end + 2, True, simple[1])
    try:
        meta = yamltext.load(source, first_line=2)
    except yamltext.YamlError as err:
        raise FrontmatterError(err.message, err.line or 1) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontmatterError("frontmatter must be a mapping of keys to values", 2)
    bad = next((k for k in meta if not isinstance(k, str)), None)
    if bad is not None:
        raise FrontmatterError(f"frontmatter key {bad!r} is not a string", 2)
    key_lines = {}
    for number, line in enumerate(source.split("\n") if end > 1 else (), start=2):
        match = _KEY.match(line)
        if match and match.group(1) not in key_lines:
            key_lines[match.group(1)] = number
    return Document(meta, text[body_at:], end + 2, True, key_lines)


def _block(text: str) -> tuple[str, int, int] | None:
    """The frontmatter's text between its `---` on line 1 and its closing `---` (or
    `...`), its number of lines with the opening one, and the offset of the body after it
    (-1 when it is never closed); None when line 1 is not `---`. Found by string searches:
    the body is one slice of `text`."""
    nl = text.find("\n")
    if (text if nl < 0 else text[:nl]).rstrip() != "---":
        return None
    close = _closing(text, nl) if nl >= 0 else -1
    if close < 0:
        return "", 1, -1
    end = text.find("\n", close + 1)
    body_at = len(text) + 1 if end < 0 else end + 1
    if close == nl:  # closed on line 2
        return "", 1, body_at
    source = text[nl + 1 : close]
    return source, source.count("\n") + 2, body_at


def _closing(text: str, at: int) -> int:
    """The offset of the line break before the first line after offset `at` (a line break)
    that is `---` or `...` and white space (what `str.rstrip` takes); -1 when none is."""
    while True:
        found = text.find("\n---", at)
        dots = text.find("\n...", at, found + 4 if found >= 0 else len(text))
        found = dots if dots >= 0 else found
        if found < 0:
            return -1
        end = text.find("\n", found + 1)
        rest = text[found + 4 : end if end >= 0 else len(text)]
        if not rest or rest.isspace():
            return found
        at = found + 1


def render(meta: dict[str, Any], body: str) -> str:
    """Frontmatter block then body; the body keeps its own text."""
    return f"---\n{yamltext.dump(meta)}---\n{body}"


def set_value(text: str, key: str, value: str) -> str:
    """Rewrite the value of one top-level frontmatter line `key: …` (added at the end of the
    frontmatter when missing); the rest of the file, a trailing comment, other comments and
    key order included, is kept byte for byte."""
    if not text.startswith("---"):
        return text
    end = text.find("\n---", 3)
    if end < 0:
        return text
    lines = text[:end].split("\n")
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            comment = line.find(" #")
            while comment > len(key) + 1 and line[comment - 1] in " \t":
                comment -= 1  # keep the spacing before the comment as written
            lines[i] = f"{key}: {value}" + (line[comment:] if comment >= 0 else "")
            break
    else:
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + text[end:]
