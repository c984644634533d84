"""Config files: project `.ygs/config.yaml` and the user file, merged with env and flags.

Precedence: flags > YGS_* environment > project > user > defaults.
Files are edited with ruamel round-trips, so comments survive `ygs config set`.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ygs.core import settings
from ygs.errors import YgsError

PROJECT_FILE = ".ygs/config.yaml"


def user_config_path() -> Path:
    """platformdirs' user config folder. On Linux its rule is one line ($XDG_CONFIG_HOME,
    else ~/.config), applied without importing platformdirs: every command reads it."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "ygs" / "config.yaml"
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

    from ygs.core import yamltext
    from ygs.store import read_text

    text = read_text(path)
    try:
        yamltext.screen(text)  # no anchors or aliases, bounded depth: before ruamel sees it
        return _yaml().load(text)
    except yamltext.YamlError as err:
        raise _yaml_error(path, err.message, err.line) from None
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        line = mark.line + 1 if mark else None
        raise _yaml_error(path, f"malformed YAML: {problem}", line) from None


def _yaml_error(path: Path, message: str, line: int | None) -> YgsError:
    return YgsError(
        message,
        path=str(path),
        line=line,
        remedy="fix the YAML syntax (`ygs config list` shows the keys)",
    )


@dataclass
class Layer:
    label: str
    path: Path | None
    values: dict[str, Any]
    problems: list[settings.Problem]


def load_layer(path: Path, *, user_scope: bool) -> Layer:
    """Read a config file with the fast C loader (ruamel is only needed to edit one).
    A config path that exists but is no file (a folder, a FIFO, a dangling link) is exit 2."""
    from ygs.store import read_text

    label = "user" if user_scope else "project"
    if not os.path.lexists(path):
        return Layer(label, path, {}, [])
    return parse_layer(read_text(path), path, user_scope=user_scope)


def parse_layer(text: str, path: Path, *, user_scope: bool) -> Layer:
    tree, positions = _parsed_yaml(text, path)
    lines = {".".join(map(str, where)): line for where, line in positions.items() if where}
    values, problems = settings.flatten(tree, lines, user_scope=user_scope)
    return Layer("user" if user_scope else "project", path, values, problems)


def _parsed_yaml(text: str, where: Path):
    """`yamltext.load_with_lines(text)`, remembered in the user's cache (one entry per config
    file, checked against the text's hash): most commands then start without PyYAML."""
    from ygs import cache

    name = cache.digest(str(where).encode()).hex()
    path = cache.user_cache_dir() / "config" / f"{name}.cache"
    key = cache.digest(text.encode("utf-8", "surrogatepass"))
    found = cache.read_blob(path, "config") if cache.enabled() else cache.MISS
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]
    from ygs.core import yamltext  # only now: its patterns take a while to compile

    try:
        parsed = yamltext.load_with_lines(text)
    except yamltext.YamlError as err:
        raise _yaml_error(where, err.message, err.line) from None
    if cache.enabled():
        cache.write_blob(path, "config", (key, parsed))
    return parsed


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
    """Parse `raw` into the key's type and write it, keeping comments and order. The new
    file is read back with the loader every command uses before it is written: a value the
    loader would refuse is exit 2 and nothing is written."""
    spec = settings.SCHEMA.get(key)
    if spec is None:
        raise YgsError(f"unknown config key '{key}'", remedy=settings.suggest(key))
    if spec.user_only and not user_scope:
        raise YgsError(f"'{key}' may only be set in the user config", remedy="add --user")
    value = _parse_raw(spec, raw)
    _check_rule_ids(spec, value)
    tree = _read_tree(path) if os.path.lexists(path) else None
    if tree is None:
        from ruamel.yaml.comments import CommentedMap

        tree = CommentedMap()
    if not isinstance(tree, Mapping):
        raise YgsError(
            "the config must be a mapping of keys", path=str(path), remedy="fix or remove the file"
        )
    node = tree
    *parents, leaf = key.split(".")
    for part in parents:
        if not isinstance(node.get(part), Mapping):
            from ruamel.yaml.comments import CommentedMap

            node[part] = CommentedMap()
        node = node[part]
    node[leaf] = _quoted(value)
    buffer = io.StringIO()
    _yaml().dump(tree, buffer)
    _read_back(buffer.getvalue(), path, spec, value, user_scope)
    from ygs.store import atomic_write

    try:
        atomic_write(path, buffer.getvalue(), mode=0o600 if user_scope else None)
    except OSError as err:
        raise YgsError(
            f"cannot write {path}: {err.strerror}",
            path=str(path),
            remedy=f"make {path.parent} a writable folder",
        ) from None
    return value


def _read_back(text: str, path: Path, spec: settings.Key, value: Any, user_scope: bool) -> None:
    layer = parse_layer(text, path, user_scope=user_scope)
    mine = [p for p in layer.problems if p.key == spec.name]
    if mine or layer.values.get(spec.name) != value:
        problem = mine[0].message if mine else f"would read back as {layer.values.get(spec.name)!r}"
        raise YgsError(
            f"'{spec.name}' was not set: {problem}",
            path=str(path),
            remedy=f"{spec.name}: {spec.doc}",
        )


def _quoted(value: Any) -> Any:
    """Text that YAML 1.1 would read as something else (`1_000`, `1:30`, `0o7`) is quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from ygs.core import yamltext

    if isinstance(value, str):
        try:
            plain = yamltext.load(value) == value
        except yamltext.YamlError:
            plain = False
        return value if plain else DoubleQuotedScalarString(value)
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    if isinstance(value, dict):
        return {k: _quoted(v) for k, v in value.items()}
    return value


def _check_rule_ids(spec: settings.Key, value: Any) -> None:
    """Rule ids in check.rules / review.rules must exist (the commands refuse others)."""
    if spec.name == "check.rules":
        from ygs.core.lint import all_rules

        known = set(all_rules())
        hint = "`ygs check --explain all` lists every rule id"
    elif spec.name == "review.rules":
        from ygs.review.rules import CATALOGUE

        known = set(CATALOGUE)
        hint = "`ygs review --rules` lists every rule id"
    else:
        return
    unknown = sorted(str(r) for r in value if str(r).strip().upper() not in known)
    if unknown:
        raise YgsError(f"unknown rule '{unknown[0]}' in {spec.name}; nothing written", remedy=hint)


def _parse_raw(spec: settings.Key, raw: str) -> Any:
    from ygs.core import yamltext

    parsed: Any = raw
    if spec.type in ("list", "map"):
        try:
            parsed = yamltext.load(raw)
        except yamltext.YamlError as err:
            if spec.type == "map" or raw.lstrip().startswith("["):
                raise YgsError(f"'{spec.name}' {err.message}", remedy=spec.doc) from None
            parsed = raw  # `a, b` is a list too
    try:
        return settings.coerce(spec, parsed)
    except ValueError as err:
        raise YgsError(f"'{spec.name}' {err}", remedy=f"{spec.name}: {spec.doc}") from None
