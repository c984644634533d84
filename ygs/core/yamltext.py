"""YAML text to plain values, with line numbers on every error.

PyYAML's C loader, with two YAML 1.1 surprises removed: dates stay strings
and only true/false are booleans (``no`` is the word no).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PyYAML loads only when a document needs the full parser
    import yaml


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# Bounds on untrusted YAML. ygs never writes anchors or aliases, and expanding them is how a
# few hundred bytes become billions of nodes, so they are refused outright (with the line).
MAX_CHARS = 2_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000
_NO_ALIASES = "ygs reads no anchors or aliases (they can expand without bound); write it out"


def screen(text: str, first_line: int = 1) -> None:
    """Refuse what no ygs file needs and an attacker would use: anchors, aliases, nesting
    deeper than MAX_DEPTH, more than MAX_NODES nodes or MAX_CHARS characters. Linear time."""
    if len(text) > MAX_CHARS:
        raise YamlError(
            f"YAML too large: {len(text)} characters (the limit is {MAX_CHARS})", first_line
        )
    import yaml

    from ygs.core.pyyaml import CLOSE, OPEN, Loader

    depth = nodes = 0
    for event in yaml.parse(text, Loader=Loader):
        line = first_line + event.start_mark.line
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(f"YAML alias '*{event.anchor}' is not allowed: {_NO_ALIASES}", line)
        if getattr(event, "anchor", None) is not None:
            raise YamlError(f"YAML anchor '&{event.anchor}' is not allowed: {_NO_ALIASES}", line)
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise YamlError(f"YAML has more than {MAX_NODES} values", line)
        if isinstance(event, OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"YAML nested more than {MAX_DEPTH} levels deep", line)
        elif isinstance(event, CLOSE):
            depth -= 1


def load(text: str, first_line: int = 1) -> Any:
    """Parse YAML; raise YamlError with a 1-based line in the enclosing file."""
    import yaml

    from ygs.core.pyyaml import Loader

    try:
        screen(text, first_line)
        return yaml.load(text, Loader=Loader)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as err:
        raise YamlError(*_marked(err, first_line)) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as err:
        raise YamlError(f"malformed YAML: {err}", first_line) from None


def _marked(err: yaml.MarkedYAMLError, first_line: int) -> tuple[str, int]:
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "malformed YAML"
    return f"malformed YAML: {problem}", first_line + mark.line if mark else first_line


def flow(value: Any) -> str:
    """A value as inline YAML (JSON is a YAML subset)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def dump(data: dict) -> str:
    """Block YAML with short lists inline, keys in the given order."""
    import yaml

    from ygs.core.pyyaml import Dumper

    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


Path = tuple  # a location inside a document: ("dimensions", 0, "questions", 1, "kind")


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML and map every node's location to its 1-based line."""
    import yaml

    from ygs.core.pyyaml import Loader

    try:
        screen(text)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as err:
        raise YamlError(*_marked(err, 1)) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as err:
        raise YamlError(f"malformed YAML: {err}", 1) from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)  # screened: no aliases, depth at most MAX_DEPTH
    return data, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            if isinstance(key, yaml.ScalarNode):
                if name in seen:
                    raise YamlError(
                        f"malformed YAML: duplicate key '{name}'", key.start_mark.line + 1
                    )
                seen.add(name)
            _walk(value, (*path, name), lines)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


# A fast path for the frontmatter ygs writes: flat keys with plain or simply quoted scalars,
# inline lists and `- item` lists. Anything else returns None and goes to the full parser,
# so the result is always what `load` would give (a property test holds it to that).
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:[ \t]+(.*))?$")
_PLAIN = re.compile(r"^[A-Za-z_(/][^:#\[\]{},&*!|>'\"%@`\t]*$")
_INT = re.compile(r"^-?[1-9][0-9]*$|^0$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NULLS = {"null", "Null", "NULL", "~"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_FALLBACK = object()
# Characters where YAML and Python disagree on what is a space or a line break (tabs, CR,
# NEL, Unicode separators, no-break spaces), and ones YAML refuses (controls, BOM, surrogates).


def _odd(text: str) -> bool:
    """Whether `text` holds such a character (`odd_pattern`). ASCII text has one exactly
    when it is not printable once its line breaks are gone (controls, DEL)."""
    if text.isascii():
        return not text.replace("\n", "").isprintable()
    return odd_pattern().search(text) is not None


@cache
def odd_pattern() -> re.Pattern:
    """Compiled on first non-ASCII text (~18 ms)."""
    return re.compile(
        r"[^\n\x20-\x7e\u00a1-\u167f\u1681-\u1fff\u200c-\u2027\u202a-\ud7ff"
        r"\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )


def _scalar(text: str) -> Any:
    """Chosen by the first character: an int or a date starts with a digit or `-`, a quoted
    string with its quote, a plain word with a letter, `_`, `(` or `/` (so it is never
    `.inf`, `.nan`, `<<`, `=` or `..`, and never ends in the space just stripped)."""
    text = text.strip(" ")
    if text in _NULLS or text == "":
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    first = text[0]
    if first.isdecimal() or first == "-":
        if _INT.match(text):
            return int(text)
        return text if _DATE.match(text) else _FALLBACK
    if first == '"':
        inner = text[1:-1]
        ok = len(text) >= 2 and text[-1] == '"' and '"' not in inner and "\\" not in inner
        return inner if ok else _FALLBACK
    if first == "'":
        inner = text[1:-1]
        return inner if len(text) >= 2 and text[-1] == "'" and "'" not in inner else _FALLBACK
    return text if _PLAIN.match(text) else _FALLBACK


def _flow(text: str) -> Any:
    inner = text[1:-1].strip(" ")
    if not inner:
        return []
    if any(c in inner for c in "[]{}\"'"):
        return _FALLBACK
    items = [_scalar(part) for part in inner.split(",")]
    return _FALLBACK if any(i is _FALLBACK or i is None for i in items) else items


def load_simple(text: str) -> dict | None:
    """The mapping in `text`, when it uses only the simple shapes; else None."""
    found = load_simple_lines(text)
    return None if found is None else found[0]


def load_simple_lines(text: str, first: int = 0) -> tuple[dict, dict[str, int]] | None:
    """`load_simple`, with the line of each key (the first line is line `first`)."""
    if _odd(text):
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    open_list: str | None = None  # `key:` with nothing after it: a `- item` list may follow
    for number, line in enumerate(text.split("\n"), first):
        if not line.strip(" ") or line[:1] == "#":
            continue
        if open_list is not None and line[:4] == "  - ":
            value = _scalar(line[4:])
            if value is _FALLBACK or value is None:
                return None
            if data[open_list] is None:
                data[open_list] = []
            data[open_list].append(value)
            continue
        parsed = _SEEN.get(line)
        if parsed is None:
            parsed = _key_line(line)
            if parsed is None:
                return None
        key, opens, value = parsed
        if key in data:
            return None
        open_list = key if opens else None
        data[key] = value
        lines[key] = number
    return data, lines


# `key: value` lines read before, by text (`type: prd`, `status: draft` recur in every
# file): (key, whether a `- item` list may follow, value), for values that are not lists
_SEEN: dict[str, tuple[str, bool, Any]] = {}


def _key_line(line: str) -> tuple[str, bool, Any] | None:
    """A `key: value` line as `load_simple_lines` reads it, or None when it cannot."""
    match = _KEY_LINE.match(line)
    if not match:
        return None
    key = match.group(1)
    if key in _BOOLS or key in _NULLS:
        return None
    raw = (match.group(2) or "").strip(" ")
    value = _flow(raw) if raw[:1] == "[" and raw[-1:] == "]" else _scalar(raw)
    if value is _FALLBACK:
        return None
    parsed = (key, raw == "", value)
    if not isinstance(value, list):  # a list is the caller's to change: never shared
        if len(_SEEN) >= 4096:
            _SEEN.clear()
        _SEEN[line] = parsed
    return parsed
