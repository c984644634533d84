"""Agent targets: one module per agent, found by name, nothing else to register.

A target module defines:

- `NAME` (the `--agent` value) and `TITLE` (for people);
- `ROOTS`: scope -> folders (relative to the scope root: HOME or the project) that the
  target writes into and never removes;
- `LINKABLE`: whether `--link` can symlink the source folder as the installed skill;
- `render(skill, scope) -> dict[path, bytes]`: every file of one installed skill, paths
  relative to the scope root;
- `link_path(skill, scope) -> str` when LINKABLE: where the symlink goes.

Adding an agent means adding one module here.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module
from types import ModuleType

from ygs.errors import YgsError


@cache
def all_targets() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = import_module(f"{__name__}.{info.name}")
        found[module.NAME] = module
    return dict(sorted(found.items()))


def resolve(names: str) -> list[ModuleType]:
    """`claude`, `claude,codex` or `all` -> target modules; unknown names exit 2."""
    targets = all_targets()
    wanted = [n.strip().lower() for n in names.split(",") if n.strip()]
    if "all" in wanted:
        return list(targets.values())
    unknown = [n for n in wanted if n not in targets]
    if unknown or not wanted:
        raise YgsError(
            f"unknown agent '{', '.join(unknown) or names}'",
            remedy=f"valid agents: {', '.join(targets)}, all",
        )
    return [targets[n] for n in dict.fromkeys(wanted)]


def folder(base: str, skill) -> dict[str, bytes]:
    """The skill's files, unchanged, under `base/<name>/`."""
    return {f"{base}/{skill.name}/{rel}": data for rel, data in skill.files}
