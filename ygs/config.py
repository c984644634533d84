"""Config files: project `.ygs/config.yaml` and the user file, merged with env and flags.

Precedence: flags > YGS_* environment > project > user > defaults.
Files are edited with ruamel round-trips, so comments survive `ygs config set`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ygs.core import settings
from ygs.errors import YgsError

PROJECT_FILE = ".ygs/config.yaml"


def user_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("ygs", appauthor=False)) / "config.yaml"


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _read_tree(path: Path) -> Any:
    from ruamel.yaml import YAMLError

    from ygs.store import read_text

    text = read_text(path)
    try:
        return _yaml().load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise YgsError(
            f"malformed YAML: {problem}",
            path=str(path),
            line=mark.line + 1 if mark else None,
            remedy="fix the YAML syntax (`ygs config list` shows the keys)",
        ) from None


@dataclass
class Layer:
    label: str
    path: Path | None
    values: dict[str, Any]
    problems: list[settings.Problem]


def load_layer(path: Path, *, user_scope: bool) -> Layer:
    """Read a config file with the fast C loader (ruamel is only needed to edit one)."""
    from ygs.core import yamltext
    from ygs.store import read_text

    label = "user" if user_scope else "project"
    if not path.is_file():
        return Layer(label, path, {}, [])
    try:
        tree, positions = yamltext.load_with_lines(read_text(path))
    except yamltext.YamlError as err:
        raise YgsError(
            err.message,
            path=str(path),
            line=err.line,
            remedy="fix the YAML syntax (`ygs config list` shows the keys)",
        ) from None
    lines = {".".join(map(str, where)): line for where, line in positions.items() if where}
    values, problems = settings.flatten(tree, lines, user_scope=user_scope)
    return Layer(label, path, values, problems)


def env_layer(env: Mapping[str, str]) -> Layer:
    values: dict[str, Any] = {}
    problems = []
    for key in settings.SCHEMA.values():
        if key.env not in env:
            continue
        try:
            values[key.name] = settings.coerce(key, env[key.env])
        except ValueError as err:
            problems.append(settings.Problem(key.name, f"{key.env}: {err}", None, key.doc))
    return Layer("env", None, values, problems)


@dataclass
class Config:
    values: dict[str, Any]
    sources: dict[str, str]
    layers: list[Layer] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def problems(self) -> list[tuple[Layer, settings.Problem]]:
        return [(layer, p) for layer in self.layers for p in layer.problems]

    def require_valid(self) -> Config:
        problems = self.problems
        if not problems:
            return self
        details = [_describe(layer, p) for layer, p in problems]
        layer, first = problems[0]
        raise YgsError(
            first.message,
            path=str(layer.path) if layer.path else None,
            line=first.line,
            remedy=first.remedy,
            details=details[1:],
        )


def _describe(layer: Layer, problem: settings.Problem) -> str:
    where = f"{layer.path}:{problem.line}: " if layer.path and problem.line else ""
    return f"{where}{problem.message}"


def load(
    root: Path | None, env: Mapping[str, str] | None = None, flags: Mapping[str, Any] | None = None
) -> Config:
    env = os.environ if env is None else env
    layers = [load_layer(user_config_path(), user_scope=True)]
    if root is not None:
        layers.append(load_layer(root / PROJECT_FILE, user_scope=False))
    layers.append(env_layer(env))
    layers.append(Layer("flag", None, dict(flags or {}), []))
    values = settings.defaults()
    sources = dict.fromkeys(values, "default")
    for layer in layers:
        for key, value in layer.values.items():
            values[key] = value
            sources[key] = f"{layer.label}: {layer.path}" if layer.path else layer.label
    if values["project.name"] is None and root is not None:
        values["project.name"] = root.name
    return Config(values, sources, layers)


def set_value(path: Path, key: str, raw: str, *, user_scope: bool) -> Any:
    """Parse `raw` into the key's type and write it, keeping comments and order."""
    spec = settings.SCHEMA.get(key)
    if spec is None:
        raise YgsError(f"unknown config key '{key}'", remedy=settings.suggest(key))
    if spec.user_only and not user_scope:
        raise YgsError(f"'{key}' may only be set in the user config", remedy="add --user")
    value = _parse_raw(spec, raw)
    tree = _read_tree(path) if path.is_file() else None
    if tree is None:
        from ruamel.yaml.comments import CommentedMap

        tree = CommentedMap()
    node = tree
    *parents, leaf = key.split(".")
    for part in parents:
        if not isinstance(node.get(part), Mapping):
            from ruamel.yaml.comments import CommentedMap

            node[part] = CommentedMap()
        node = node[part]
    node[leaf] = value
    buffer = io.StringIO()
    _yaml().dump(tree, buffer)
    from ygs.store import atomic_write

    atomic_write(path, buffer.getvalue(), mode=0o600 if user_scope else None)
    return value


def _parse_raw(spec: settings.Key, raw: str) -> Any:
    from ygs.core import yamltext

    try:
        parsed = yamltext.load(raw) if spec.type in ("list", "map") else raw
    except yamltext.YamlError:
        parsed = raw
    try:
        return settings.coerce(spec, parsed)
    except ValueError as err:
        raise YgsError(f"'{spec.name}' {err}", remedy=f"{spec.name}: {spec.doc}") from None
