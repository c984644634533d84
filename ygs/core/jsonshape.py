"""Check a JSON value against the small JSON-Schema subset ygs uses for model replies.

Supported: type (incl. lists of types), properties, required, additionalProperties
(false), enum, items, minItems, minLength. Returns every problem as a path + message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _is(value: object, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def problems(value: object, schema: dict, path: str = "$") -> list[str]:
    found: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return [f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        found.append(f"{path}: shorter than {schema['minLength']} characters")
    if isinstance(value, dict):
        found += _object(value, schema, path)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: fewer than {schema['minItems']} items")
        item_schema = schema.get("items")
        if isinstance(item_schema, dict):
            for index, item in enumerate(value):
                found += problems(item, item_schema, f"{path}[{index}]")
    return found


def _object(value: dict, schema: dict, path: str) -> list[str]:
    found = [f"{path}: missing '{key}'" for key in schema.get("required", []) if key not in value]
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            found += problems(item, properties[key], f"{path}.{key}")
        elif schema.get("additionalProperties") is False:
            found.append(f"{path}: unexpected key '{key}'")
    return found


def object_lines(lines: Iterable[str]) -> list[dict]:
    """The JSON objects of a JSON Lines text, in order; a torn line (a kill in the middle of
    a write) and values that are not objects are skipped."""
    found = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found
