"""YAML text to plain values, with line numbers on every error.

PyYAML's C loader, with two YAML 1.1 surprises removed: dates stay strings
and only true/false are booleans (``no`` is the word no).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load(text: str, first_line: int = 1) -> Any:
    """Parse YAML; raise YamlError with a 1-based line in the enclosing file."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + mark.line if mark else first_line
        problem = err.problem or err.context or "malformed YAML"
        raise YamlError(f"malformed YAML: {problem}", line) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as err:
        raise YamlError(f"malformed YAML: {err}", first_line) from None


def flow(value: Any) -> str:
    """A value as inline YAML (JSON is a YAML subset)."""
    return json.dumps(value, ensure_ascii=False)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    scalars = all(isinstance(x, str | int | float | bool) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=scalars)


_Dumper.add_representer(list, _represent_list)
# Dates are written bare (our loader reads them back as strings); yes/no stay quoted.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def dump(data: dict) -> str:
    """Block YAML with short lists inline, keys in the given order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


Path = tuple  # a location inside a document: ("dimensions", 0, "questions", 1, "kind")


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML and map every node's location to its 1-based line."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "malformed YAML"
        raise YamlError(f"malformed YAML: {problem}", mark.line + 1 if mark else 1) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as err:
        raise YamlError(f"malformed YAML: {err}", 1) from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], seen: frozenset = frozenset()):
    lines[path] = node.start_mark.line + 1
    if id(node) in seen:  # an alias that refers to itself
        return
    seen = seen | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            _walk(value, (*path, name), lines, seen)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, seen)
